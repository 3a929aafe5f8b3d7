package pipeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/stbulk/stbulk/writers/files"
)

// recordStore holds the records of an export on disk, so that memory does
// not grow with the items: the records read by this run in a spill file
// (see export_codec.go), in the order they come, and those of earlier runs
// where their records file holds them. In memory, it keeps only where each
// record is.
//
// The records file (.stbulk/<mapping>.records.json) is {"records": [...]},
// one record a line, sorted by key; a file written with indentation by an
// earlier version reads the same.
type recordStore struct {
	path  string   // the records file
	prev  *os.File // the records file of earlier runs; nil when there is none
	old   map[string]recordAt
	spill *os.File // a temporary file beside the records file, removed by close
	w     *bufio.Writer
	size  int64
	fresh map[string]recordAt // read this run; the last read of a key wins
	buf   []byte
	rd    spillReader
}

// recordAt is where a record is in its file.
type recordAt struct {
	off   int64
	n     int32
	files bool // it lists files
}

// recordRef is a record of the merged export: fresh, read this run, or
// kept from the records file.
type recordRef struct {
	key   string
	at    recordAt
	fresh bool
}

// maxRecordBytes bounds one record in its file.
const maxRecordBytes = 1<<31 - 1

func recordsPath(dir, name string) string {
	return filepath.Join(dir, stateDir, files.SafeName(name)+".records.json")
}

// openRecordStore indexes the records file of the export name in dir, if
// there is one, and starts the spill file.
func openRecordStore(dir, name string) (_ *recordStore, err error) {
	s := &recordStore{path: recordsPath(dir, name), old: map[string]recordAt{}, fresh: map[string]recordAt{},
		rd: spillReader{names: map[string]string{}}}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if err := s.index(); err != nil {
		return nil, err
	}
	if s.spill, err = files.CreateTemp(filepath.Join(dir, stateDir, files.SafeName(name)+".spill.json")); err != nil {
		return nil, err
	}
	s.w = bufio.NewWriterSize(s.spill, 256<<10)
	return s, nil
}

// index reads the records file, noting where each record is.
func (s *recordStore) index() error {
	f, err := os.Open(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	s.prev = f
	unreadable := func(err error) error {
		return fmt.Errorf("%s: unreadable (%v): remove it and export without --since", s.path, err)
	}
	dec := json.NewDecoder(bufio.NewReaderSize(f, 256<<10))
	if err := expectDelim(dec, '{'); err != nil {
		return unreadable(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return unreadable(err)
		}
		if tok != "records" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return unreadable(err)
			}
			continue
		}
		if err := s.indexRecords(dec); err != nil {
			return unreadable(err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return unreadable(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return unreadable(errors.New("text after the end of the JSON object"))
	}
	return nil
}

// indexRecords reads the list of records, or null.
func (s *recordStore) indexRecords(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("records: want a list, got %v", tok)
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if string(raw) == "null" {
			continue
		}
		var head struct {
			Key   string   `json:"key"`
			Files []string `json:"files"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return fmt.Errorf("record %d: %w", len(s.old)+1, err)
		}
		if head.Key == "" {
			continue
		}
		if len(raw) > maxRecordBytes {
			return fmt.Errorf("record %q: larger than 2 GiB", head.Key)
		}
		end := dec.InputOffset()
		s.old[head.Key] = recordAt{off: end - int64(len(raw)), n: int32(len(raw)), files: len(head.Files) > 0}
	}
	return expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("want %v, got %v", d, tok)
	}
	return nil
}

// encodeRecord is the line of r in the records file.
func encodeRecord(r *record) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("record %s: %w", r.Key, err)
	}
	return b.Bytes(), nil
}

// spilled is the spilled form of a record, for add.
func spilled(r *record) ([]byte, error) {
	b, err := appendRecord(nil, r)
	if err != nil {
		return nil, err
	}
	if len(b) > maxRecordBytes {
		return nil, fmt.Errorf("record %s: larger than 2 GiB", r.Key)
	}
	return b, nil
}

// add appends a record, in its spilled form b, to the spill file. It
// reports whether a record of that key was read before in this run.
func (s *recordStore) add(key string, b []byte, hasFiles bool) (dup bool, err error) {
	if _, err := s.w.Write(b); err != nil {
		return false, fmt.Errorf("%s: %w", s.spill.Name(), err)
	}
	_, dup = s.fresh[key]
	s.fresh[key] = recordAt{off: s.size, n: int32(len(b)), files: hasFiles}
	s.size += int64(len(b))
	return dup, nil
}

// flush makes the spill file readable: call it once every record is in.
func (s *recordStore) flush() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("%s: %w", s.spill.Name(), err)
	}
	return nil
}

// raw returns the text of a record, valid until the next call.
func (s *recordStore) raw(r recordRef) ([]byte, error) {
	f := s.prev
	if r.fresh {
		f = s.spill
	}
	if cap(s.buf) < int(r.at.n) {
		s.buf = make([]byte, r.at.n)
	}
	b := s.buf[:r.at.n]
	if _, err := f.ReadAt(b, r.at.off); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return b, nil
}

// storedRecord is a record read back, its rows decoded sheet by sheet when
// asked for; valid until the store reads another.
type storedRecord struct {
	ref     recordRef
	files   []string
	spilled *spilledRecord             // a record of this run
	kept    map[string]json.RawMessage // a record of the records file
}

// load reads a record back.
func (s *recordStore) load(r recordRef) (*storedRecord, error) {
	b, err := s.raw(r)
	if err != nil {
		return nil, err
	}
	if r.fresh {
		sp, err := s.rd.record(b)
		if err != nil || sp.key != r.key {
			return nil, s.damaged(r, err)
		}
		return &storedRecord{ref: r, files: sp.files, spilled: sp}, nil
	}
	var kept struct {
		Key   string                     `json:"key"`
		Rows  map[string]json.RawMessage `json:"rows"`
		Files []string                   `json:"files"`
	}
	if err := json.Unmarshal(b, &kept); err != nil || kept.Key != r.key {
		return nil, s.damaged(r, err)
	}
	return &storedRecord{ref: r, files: kept.Files, kept: kept.Rows}, nil
}

// rows decodes the record's rows of a sheet.
func (s *recordStore) rows(sr *storedRecord, sheet string) ([]row, error) {
	var rows []row
	var err error
	if sr.spilled != nil {
		rows, err = s.rd.rows(sr.spilled.sheets[sheet])
	} else if raw, ok := sr.kept[sheet]; ok {
		err = json.Unmarshal(raw, &rows)
	}
	if err != nil {
		return nil, s.damaged(sr.ref, err)
	}
	return rows, nil
}

// json returns the line of a record in the records file.
func (s *recordStore) json(r recordRef, compact *bytes.Buffer) ([]byte, error) {
	if !r.fresh {
		b, err := s.raw(r)
		if err != nil {
			return nil, err
		}
		// A file written with indentation: one record a line.
		compact.Reset()
		if err := json.Compact(compact, b); err != nil {
			return nil, s.damaged(r, err)
		}
		return compact.Bytes(), nil
	}
	sr, err := s.load(r)
	if err != nil {
		return nil, err
	}
	rec := &record{Key: r.key, Rows: map[string][]row{}, Files: sr.files}
	for sheet := range sr.spilled.sheets {
		if rec.Rows[sheet], err = s.rows(sr, sheet); err != nil {
			return nil, err
		}
	}
	b, err := encodeRecord(rec)
	if err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b, []byte("\n")), nil
}

func (s *recordStore) damaged(r recordRef, err error) error {
	if err == nil {
		err = errors.New("not the record of that key")
	}
	if r.fresh {
		return fmt.Errorf("the record of %s read back from %s: %w", r.key, s.spill.Name(), err)
	}
	return fmt.Errorf("%s: the record of %s is unreadable (%v): remove the file and export without --since", s.path, r.key, err)
}

// files returns the files a record lists.
func (s *recordStore) files(r recordRef) ([]string, error) {
	if !r.at.files {
		return nil, nil
	}
	sr, err := s.load(r)
	if err != nil {
		return nil, err
	}
	return sr.files, nil
}

// sorted returns the records, sorted by key.
func sortedRefs(refs []recordRef) []recordRef {
	slices.SortFunc(refs, func(a, b recordRef) int { return compareKeys(a.key, b.key) })
	return refs
}

// save writes the records file: the records given, in their order,
// atomically.
func (s *recordStore) save(refs []recordRef) (err error) {
	tmp, err := files.CreateTemp(s.path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			err = files.Wrap(s.path, err)
		}
	}()
	w := bufio.NewWriterSize(tmp, 256<<10)
	if _, err := w.WriteString("{\"records\": [\n"); err != nil {
		return err
	}
	var compact bytes.Buffer
	for i, r := range refs {
		b, err := s.json(r, &compact)
		if err != nil {
			return err
		}
		if i > 0 {
			if _, err := w.WriteString(",\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if _, err := w.WriteString("\n]}\n"); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := files.Finish(tmp); err != nil {
		return err
	}
	// Windows renames nothing over an open file.
	if s.prev != nil {
		if err := s.prev.Close(); err != nil {
			return err
		}
		s.prev = nil
	}
	return os.Rename(tmp.Name(), s.path)
}

// close removes the spill file and closes the records file.
func (s *recordStore) close() {
	if s.spill != nil {
		_ = s.spill.Close()
		_ = os.Remove(s.spill.Name())
		s.spill = nil
	}
	if s.prev != nil {
		_ = s.prev.Close()
		s.prev = nil
	}
}
