package htmlreport

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/stbulk/stbulk/writers/files"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func render(t *testing.T, r Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	golden(t, "report.golden.html", render(t, sample()))
}

// parse parses a page as a browser would.
func parse(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	return doc
}

// all returns the elements under n that match.
func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(name string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		c, _ := attr(n, "class")
		return strings.Contains(" "+c+" ", " "+name+" ")
	}
}

// text returns the text under n, a space between the texts of elements,
// spaces folded.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func byID(doc *html.Node, id string) *html.Node {
	for _, n := range all(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id }) {
		return n
	}
	return nil
}

// selfContained fails t for anything in the page that a browser would
// fetch, run, or that could lead it elsewhere.
func selfContained(t *testing.T, doc *html.Node) {
	t.Helper()
	for _, n := range all(doc, func(*html.Node) bool { return true }) {
		switch n.Data {
		case "script", "link", "img", "iframe", "object", "embed", "base", "image", "use", "foreignObject", "foreignobject":
			t.Errorf("the page has a <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"):
				t.Errorf("<%s %s=%q>: an event handler", n.Data, a.Key, a.Val)
			case k == "src" || k == "srcset" || k == "xlink:href" || k == "action" || k == "formaction":
				t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
			case k == "href" && !strings.HasPrefix(a.Val, "#"):
				t.Errorf("<%s href=%q>: a link out of the page", n.Data, a.Val)
			case k == "style" && strings.Contains(strings.ToLower(a.Val), "url("):
				t.Errorf("<%s style=%q>: a url( in CSS", n.Data, a.Val)
			}
		}
		if n.Data == "style" {
			css := strings.ToLower(text(n))
			for _, bad := range []string{"url(", "@import", "@font-face"} {
				if strings.Contains(css, bad) {
					t.Errorf("the style sheet has %s", bad)
				}
			}
		}
	}
}

func TestPageStructure(t *testing.T) {
	t.Parallel()
	r := sample()
	doc := parse(t, render(t, r))
	selfContained(t, doc)

	if ts := all(doc, tag("title")); len(ts) == 0 || text(ts[0]) != r.Title {
		t.Errorf("the page's title is not %q", r.Title)
	}
	if hs := all(doc, tag("h1")); len(hs) != 1 || text(hs[0]) != r.Title {
		t.Errorf("the page's heading is not %q", r.Title)
	}
	run := text(byID(doc, "run").Parent)
	for _, want := range []string{"Command import", "Started 2026-03-02 08:15:04 UTC", "Duration 2m 30s", "Dry run no",
		"API requests 674", "Retries 4", "429 answers (too many requests) 4", "Rate cuts 2, down to 2.45 requests/s at the lowest",
		"API quota left 48,211 calls"} {
		if !strings.Contains(run, want) {
			t.Errorf("the run's facts lack %q: %s", want, run)
		}
	}

	sections := all(doc, hasClass("mapping"))
	if len(sections) != len(r.Mappings) {
		t.Fatalf("%d sections of mappings, want %d", len(sections), len(r.Mappings))
	}
	for i, m := range r.Mappings {
		s := sections[i]
		bars := all(s, hasClass("bar"))
		if len(bars) != 1 || bars[0].Data != "svg" {
			t.Errorf("%s: %d bar charts, want one <svg>", m.Name, len(bars))
			continue
		}
		bar := bars[0]
		if role, _ := attr(bar, "role"); role != "img" {
			t.Errorf("%s: the chart's role is %q, want img", m.Name, role)
		}
		label, _ := attr(bar, "aria-labelledby")
		title := byID(doc, label)
		if title == nil || title.Data != "title" || title.Parent != bar {
			t.Fatalf("%s: the chart is not labelled by its own <title>", m.Name)
		}
		legend := text(all(s, hasClass("legend"))[0])
		nonZero := 0
		for _, o := range m.Outcomes {
			want := o.Label + " " + number(o.Count)
			if !strings.Contains(text(title), want) {
				t.Errorf("%s: the chart's title lacks %q: %s", m.Name, want, text(title))
			}
			if !strings.Contains(legend, want) {
				t.Errorf("%s: the legend lacks %q: %s", m.Name, want, legend)
			}
			if o.Count > 0 {
				nonZero++
			}
		}
		segs := all(bar, tag("g"))
		if len(segs) != nonZero {
			t.Errorf("%s: %d segments, want %d: one an outcome with rows", m.Name, len(segs), nonZero)
		}
		for j, g := range segs {
			rect := all(g, tag("rect"))
			if len(rect) != 1 {
				t.Fatalf("%s: segment %d has %d rects", m.Name, j, len(rect))
			}
			if w, _ := attr(rect[0], "width"); w == "" || w == "0" {
				t.Errorf("%s: segment %d is %q wide", m.Name, j, w)
			}
		}

		// The groups of errors: a table row each, its count, its reason,
		// its first reason in full when it differs, and its first rows.
		tables := all(s, hasClass("groups"))
		if len(tables) != 1 {
			t.Fatalf("%s: %d tables of errors", m.Name, len(tables))
		}
		rows := all(all(tables[0], tag("tbody"))[0], tag("tr"))
		if len(rows) != len(m.ErrorGroups) {
			t.Fatalf("%s: %d rows of error groups, want %d", m.Name, len(rows), len(m.ErrorGroups))
		}
		for j, g := range m.ErrorGroups {
			cells := all(rows[j], tag("td"))
			if got := text(cells[0]); got != number(g.Count) {
				t.Errorf("%s: group %d counts %q, want %d", m.Name, j+1, got, g.Count)
			}
			if got := text(cells[1]); !strings.HasPrefix(got, g.Reason) {
				t.Errorf("%s: group %d reads %q, want %q first", m.Name, j+1, got, g.Reason)
			}
			if g.First != g.Reason && !strings.Contains(text(cells[1]), "First: "+g.First) {
				t.Errorf("%s: group %d lacks its first reason %q: %s", m.Name, j+1, g.First, text(cells[1]))
			}
			items := all(cells[2], tag("li"))
			if len(items) != len(g.Examples) {
				t.Errorf("%s: group %d shows %d rows, want %d", m.Name, j+1, len(items), len(g.Examples))
			}
			for k, e := range g.Examples {
				want := number(e.Row)
				if e.Key != "" {
					want += ": " + e.Key
				}
				if k < len(items) && text(items[k]) != want {
					t.Errorf("%s: group %d row %d reads %q, want %q", m.Name, j+1, k+1, text(items[k]), want)
				}
			}
		}
	}

	// The overview: a row a mapping, a column an outcome, and the totals.
	over := all(byID(doc, "outcomes").Parent, tag("tr"))
	if len(over) != 1+len(r.Mappings)+1 {
		t.Fatalf("%d rows in the overview, want a header, %d mappings and the totals", len(over), len(r.Mappings))
	}
	want := []string{
		"Mapping sent filtered duplicates unchanged rejected failed skipped Rows",
		"customers.yaml 412 9 2 120 5 1 0 549",
		"sites.yaml 88 0 — — 0 0 3 91",
		"All 500 9 2 120 5 1 3 640",
	}
	for i, tr := range over {
		if got := text(tr); got != want[i] {
			t.Errorf("overview row %d: %q, want %q", i, got, want[i])
		}
	}

	// The timeline: bars, a mark a second with 429s, a line a cut.
	tl := all(doc, func(n *html.Node) bool { return n.Data == "svg" && hasClass("timeline")(n) })
	if len(tl) != 1 {
		t.Fatalf("%d timeline charts", len(tl))
	}
	if marks := all(tl[0], hasClass("limited")); len(marks) != 3 {
		t.Errorf("%d marks of 429s, want 3 (seconds 41, 42, 44)", len(marks))
	}
	cuts := all(tl[0], hasClass("cut"))
	if len(cuts) != 2 {
		t.Errorf("%d rate cuts drawn, want 2", len(cuts))
	}
	if got := text(cuts[0]); !strings.Contains(got, "cut the rate to 3.5 requests/s") || !strings.Contains(got, "→ 3.5/s") {
		t.Errorf("the first cut reads %q", got)
	}
	paths := all(tl[0], hasClass("requests"))
	if len(paths) != 1 {
		t.Fatalf("%d paths of requests", len(paths))
	}
	if d, _ := attr(paths[0], "d"); strings.Count(d, "M") != 150 {
		t.Errorf("%d bars of requests, want 150", strings.Count(d, "M"))
	}
	if got := text(all(doc, hasClass("cuts"))[0]); got != "Rate cut at New rate (requests/s) 41s 3.5 44s 2.45" {
		t.Errorf("the table of cuts reads %q", got)
	}
}

func TestHostileText(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("A", 1<<20)
	hostile := []string{
		`<script>alert(1)</script>`,
		`"><img src=x onerror=alert(1)>`,
		"\u202Egnp.exe\u202C and \u2066isolated\u2069 \u200Fmarked",
		"</title><script src=http://example.com/x.js></script>",
		"NUL\x00 and bell\x07 and bad \xff\xfe UTF-8",
		`javascript:alert(1)`,
		`<svg onload=alert(1)>`,
		`]]><!--`,
		huge,
	}
	r := Report{Title: hostile[3], Kind: hostile[0], Stopped: hostile[1],
		Timeline: Timeline{Step: time.Second, Requests: []int{1, 2}, Limited: []int{0, 1}, Cuts: []Cut{{At: time.Second, Rate: 1}}}}
	var errs []RowError
	for i, h := range hostile {
		r.Mappings = append(r.Mappings, Mapping{Name: h, Entity: h, Input: h, Files: []string{h},
			Outcomes: []Outcome{{Label: h, Count: i + 1}, {Label: "sent", Count: 3}}})
		errs = append(errs, RowError{Row: i + 2, Key: h, Reason: h})
	}
	r.Mappings[0].ErrorGroups = GroupReasons(errs, 0)
	page := render(t, r)
	if len(page) > 400<<10 {
		t.Errorf("the page is %d KiB: long texts were not cut", len(page)>>10)
	}
	for _, bad := range []string{"\u202E", "\u202C", "\u2066", "\u2069", "\u200F", "\x00", "\x07", "<script", "<img", "<svg onload", "\xff"} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if !bytes.Contains(page, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Error("the reason <script>… is not shown escaped")
	}
	doc := parse(t, page)
	selfContained(t, doc)
	if ts := all(doc, tag("title")); len(ts) == 0 || !strings.HasPrefix(text(ts[0]), "</title><script") {
		t.Errorf("the title was not kept as text")
	}
	if n := strings.Count(text(doc), strings.Repeat("A", maxName)+"…"); n == 0 {
		t.Error("the huge name is not cut to maxName characters and …")
	}
	if strings.Contains(text(doc), strings.Repeat("A", maxReason+1)) {
		t.Error("a text of more than maxReason characters is shown whole")
	}
}

func TestManyGroups(t *testing.T) {
	t.Parallel()
	r := Report{Kind: "import", Mappings: []Mapping{{Name: "m.yaml", Outcomes: []Outcome{{Label: "rejected", Count: 120}},
		ErrorGroups: manyGroups(MaxGroupsShown + 10)}}}
	doc := parse(t, render(t, r))
	s := all(doc, hasClass("mapping"))[0]
	if rows := all(all(s, tag("tbody"))[0], tag("tr")); len(rows) != MaxGroupsShown {
		t.Errorf("%d groups shown, want %d", len(rows), MaxGroupsShown)
	}
	if got := text(s); !strings.Contains(got, "and 10 more groups (20 rows)") {
		t.Errorf("the groups left out are not counted: %s", got[len(got)-200:])
	}
	if ts := all(doc, tag("title")); text(ts[0]) != "stbulk import" {
		t.Errorf("the default title is %q", text(ts[0]))
	}
	if !strings.Contains(text(doc), "No request was sent to the API.") {
		t.Error("an empty timeline is not said to be empty")
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, render(t, sample())) {
		t.Error("the file is not the rendered page")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v: want 0644", fi.Mode(), err)
	}

	link := filepath.Join(dir, "link.html")
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	var le *files.LinkError
	if err := Write(link, sample()); !errors.As(err, &le) {
		t.Errorf("writing over a symbolic link: %v, want a *files.LinkError", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "kept" {
		t.Errorf("the link's target was written: %q", b)
	}
	if err := Write(filepath.Join(dir, "missing", "report.html"), sample()); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("writing into a missing folder: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("a temporary file was left: %s", e.Name())
		}
	}
}

func TestFacts(t *testing.T) {
	t.Parallel()
	quota := int64(0)
	tests := []struct {
		r         Report
		want, not []string
	}{
		{r: Report{Kind: "verify"}, want: []string{"Command verify", "Started unknown", "API quota left not reported by the API", "Rate cuts 0"},
			not: []string{"Dry run"}},
		{r: Report{Kind: "import", DryRun: true, Quota: &quota}, want: []string{"Dry run yes: nothing was written through the API", "API quota left 0 calls"}},
		{r: Report{Kind: "export", Stopped: "interrupted (Ctrl-C)"}, want: []string{"Stopped before the end: interrupted (Ctrl-C)"}, not: []string{"Dry run"}},
		{r: Report{}, want: []string{"Command unknown", "No mapping ran.", "No request was sent to the API."}},
	}
	for _, tc := range tests {
		doc := parse(t, render(t, tc.r))
		run := text(byID(doc, "run").Parent)
		page := text(doc)
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("%+v: the page lacks %q: %s", tc.r, w, run)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(run, w) {
				t.Errorf("%+v: the page shows %q: %s", tc.r, w, run)
			}
		}
	}
}
