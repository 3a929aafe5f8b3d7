package pipeline

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers/htmlreport"
)

// ReportName is the page of a run's folder that a person reads.
const ReportName = "report.html"

// importReport is the report.html of an import run (or of the dry run of a
// plan or a verification), from its summary and the rows not sent grouped
// by reason.
func importReport(sum *Summary, groups []*htmlreport.Grouper, tl *synchroteam.Timeline) htmlreport.Report {
	r := htmlreport.Report{Kind: "import", Started: sum.Started, Duration: time.Duration(sum.DurationSeconds * float64(time.Second)),
		DryRun: sum.DryRun, Stopped: sum.Stopped, Quota: sum.QuotaRemaining, Requests: sum.Requests, Retries: sum.Retries,
		RateLimited: sum.RateLimited, RateCuts: sum.RateCuts, LowestRate: sum.LowestRate, Timeline: timeline(tl)}
	for i, m := range sum.Mappings {
		hm := htmlreport.Mapping{Name: m.Mapping, Entity: m.Entity, Input: m.Input, Outcomes: []htmlreport.Outcome{
			{Label: "sent", Count: m.Sent}, {Label: "unchanged", Count: m.Unchanged}, {Label: "filtered", Count: m.Filtered},
			{Label: "duplicates", Count: m.Duplicates}, {Label: "rejected", Count: m.Rejected}, {Label: "failed", Count: m.Failed},
			{Label: "skipped", Count: m.Skipped}},
			Files: nonEmpty(m.Errors, m.FilteredFile, m.Success, m.Payloads)}
		if i < len(groups) && groups[i] != nil {
			hm.ErrorGroups = groups[i].Groups()
		}
		r.Mappings = append(r.Mappings, hm)
	}
	return r
}

// exportReport is the report.html of an export: the items found,
// exported, failed, kept and not read, the items that failed grouped by
// reason, and the rows of each sheet.
func exportReport(sum *ExportSummary, started time.Time, failures [][2]string, tl *synchroteam.Timeline) htmlreport.Report {
	groups := &htmlreport.Grouper{}
	for _, f := range failures {
		groups.Add(0, f[0], f[1])
	}
	files := []string{}
	for _, sheet := range slices.Sorted(maps.Keys(sum.Rows)) {
		files = append(files, fmt.Sprintf("%s: %d rows", sheet, sum.Rows[sheet]))
	}
	return htmlreport.Report{Kind: "export", Started: started, Duration: time.Duration(sum.DurationSeconds * float64(time.Second)),
		Stopped: sum.Stopped, Quota: sum.QuotaRemaining, Requests: sum.Requests, Retries: sum.Retries, RateLimited: sum.RateLimited,
		Timeline: timeline(tl),
		Mappings: []htmlreport.Mapping{{Name: sum.Mapping, Entity: sum.Export, ErrorGroups: groups.Groups(), Files: files,
			Outcomes: []htmlreport.Outcome{{Label: "exported", Count: sum.Exported}, {Label: "kept from earlier runs", Count: sum.Kept},
				{Label: "failed", Count: sum.Failed}, {Label: "not read", Count: sum.NotRead}}}}}
}

// timeline is a client's timeline as the report draws it; empty when no
// request was made.
func timeline(tl *synchroteam.Timeline) htmlreport.Timeline {
	if tl == nil {
		return htmlreport.Timeline{}
	}
	cuts := make([]htmlreport.Cut, len(tl.Cuts))
	for i, c := range tl.Cuts {
		cuts[i] = htmlreport.Cut{At: c.At, Rate: c.Rate}
	}
	return htmlreport.Timeline{Step: tl.Step, Requests: tl.Requests, Limited: tl.Limited, Cuts: cuts}
}

// nonEmpty lists the names given that are not "", as the report shows
// them: relative to nothing, as the summary has them.
func nonEmpty(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// writeReport writes dir/report.html.
func writeReport(dir string, r htmlreport.Report) error {
	return htmlreport.Write(filepath.Join(dir, ReportName), r)
}
