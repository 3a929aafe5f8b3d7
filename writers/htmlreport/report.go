// Package htmlreport writes report.html, the page of a run's folder that
// a person reads: what ran, with which files, when and for how long; the
// outcomes of each mapping as a chart and as a table; the rows not sent,
// grouped by reason; and the requests sent over time, with the API's 429
// answers and the rate cuts they caused.
//
// The page holds everything it shows: its CSS and its charts (SVG) are
// inline, it loads no font, image, style sheet or script, and needs no
// JavaScript, so it reads the same opened from the run folder or mailed
// as an attachment, without a network. Every text that comes from the
// input (file names, keys, reasons) is escaped by html/template, rid of
// the characters that reverse the direction of text, and cut when long.
//
// The package knows neither the pipeline nor the API client: the caller
// fills a Report (the counts of its summary, the groups of a Grouper fed
// with the rows not sent, the client's timeline) and calls Write.
package htmlreport

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"time"

	"github.com/stbulk/stbulk/writers/files"
)

// Report is what report.html shows.
type Report struct {
	Title    string // the page's title; "stbulk <Kind>" when ""
	Kind     string // what ran: import, plan, verify, export
	Started  time.Time
	Duration time.Duration
	DryRun   bool
	// Stopped says why the run ended before the end of its inputs, "" when
	// it did not.
	Stopped string

	// The API: the calls left today (X-Quota-Remaining, nil when the API
	// sent none), the HTTP attempts, those that were retries, the 429
	// answers, the times a 429 lowered the rate and the lowest rate it
	// came to (requests per second, 0 when never lowered).
	Quota       *int64
	Requests    int64
	Retries     int64
	RateLimited int64
	RateCuts    int64
	LowestRate  float64

	Mappings []Mapping
	Timeline Timeline
}

// Mapping is the part of a report about one mapping file (or one sheet
// of an export).
type Mapping struct {
	Name   string // the mapping file
	Entity string
	Input  string // the input file (of an export: the output file)
	// Outcomes are the counts of the rows' outcomes, in the order they
	// are shown: sent, filtered, rejected... as the command names them.
	Outcomes []Outcome
	// ErrorGroups are the rows not sent, grouped by reason (see Grouper
	// and GroupReasons). At most MaxGroupsShown are shown.
	ErrorGroups []Group
	Files       []string // the files written for this mapping, as named to the reader
}

// Outcome is the number of rows that ended one way.
type Outcome struct {
	Label string
	Count int
	// Tone colours the outcome in the charts; the zero Tone picks one
	// from the label (see Tone).
	Tone Tone
}

// Group is a set of rows not sent for one reason.
type Group struct {
	Reason   string // the reason with the row's own values cut out (ReasonKey)
	First    string // the first reason of the group, in full
	Count    int
	Examples []Example // the first rows
	// Other marks the group of a Grouper that gathers the reasons it had
	// no room for.
	Other bool
}

// Example is a row of a Group.
type Example struct {
	Row int    // the source row number
	Key string // its key, or its first cells
}

// Timeline is the requests sent over time: bucket i covers [i*Step,
// (i+1)*Step) from the start (synchroteam.Timeline gives one).
type Timeline struct {
	Step     time.Duration
	Requests []int // HTTP requests sent in each bucket
	Limited  []int // 429 answers received in each bucket
	Cuts     []Cut
}

// Cut is a time a 429 lowered the rate.
type Cut struct {
	At   time.Duration // from the start of the timeline
	Rate float64       // the new rate, requests per second
}

// What a report shows at most.
const (
	MaxGroupsShown   = 50  // error groups of a mapping; the others are counted
	MaxExamplesShown = 10  // rows of a group
	MaxPoints        = 600 // buckets of the timeline chart: more are merged
)

//go:embed report.html.tmpl
var pageText string

var page = template.Must(template.New("report").Parse(pageText))

// Render writes the page of r to w.
func Render(w io.Writer, r Report) error {
	return page.Execute(w, newView(r))
}

// Write writes the page of r to path atomically: to a temporary file in
// the same folder, synced, then renamed to path, so that path holds
// either what it held before or the whole page. A symbolic link at path
// is refused (files.LinkError).
func Write(path string, r Report) (err error) {
	var b bytes.Buffer
	if err := Render(&b, r); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp, err := files.CreateTemp(path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			err = files.Wrap(path, err)
		}
	}()
	if _, err = tmp.Write(b.Bytes()); err != nil {
		return err
	}
	if err = files.Finish(tmp); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
