// Package pipeline loads mapping files and runs imports and exports: it is
// the only package that knows readers, transforms, writers, the entity
// registry and the API client.
//
// An import runs each mapping, parents first (catalog.Rank):
//
//	source (readers) ─► mapper: where:, Build (transforms), Prepare, on GOMAXPROCS
//	                    goroutines, batches of rows handed back in the order read
//	                 ─► produce: duplicates, parent skips, ledger (--changed-only),
//	                    resume (journal), batcher
//	                 ─► jobs ─► Concurrency senders: deliver (a sender: api or dryRun;
//	                    a dry run without journal or ledger delivers from produce)
//	                 ─► results ─► one collector: counts, journal, report, stops
//
// Every row read ends as one result, and the collector is the only writer of
// the reports and the journal. A stop (interrupt, fatal API error,
// --max-errors) is the stop type: no new request starts, requests on the
// wire finish within InterruptGrace, and the rows left are reported as not
// sent.
//
// Files by concern: run.go (Run, Check, the runner and its collector),
// mapper.go (reading and building rows ahead, in order), produce.go (the
// rows in order), duplicates.go and rowindex.go (duplicate keys),
// batcher.go, send.go (the sender interface and its two implementations),
// parents.go, stop.go, outcome.go (outcomes, counts, summary), report.go
// and payloadjson.go (payloads.jsonl), journal.go and resume.go
// (--resume), ledger.go (--changed-only), files.go (fields of kind file);
// mapping.go and record.go (import mapping files: load, bind, build);
// export*.go (export mapping files, one file per export kind, the export
// run). Mapping files are read by internal/mapfile, for import and export
// alike.
package pipeline
