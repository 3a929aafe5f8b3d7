package pipeline

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// fakeAPI answers the export endpoints with raw JSON, as the API sends it.
type fakeAPI struct {
	mu       sync.Mutex
	routes   map[string]string // "METHOD path?query" → body; missing: 404
	requests []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		key += "?" + r.URL.RawQuery
	}
	f.mu.Lock()
	f.requests = append(f.requests, key)
	body, ok := f.routes[key]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code":0,"message":"not found"}`)
		return
	}
	fmt.Fprint(w, body)
}

func fakeClient(t *testing.T, routes map[string]string) (*synchroteam.Client, *fakeAPI) {
	t.Helper()
	api := &fakeAPI{routes: routes}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(srv.URL), synchroteam.WithCredentials("acme", "k"),
		synchroteam.WithRate(1000), synchroteam.WithRetryPolicy(synchroteam.RetryPolicy{MaxAttempts: 1, MaxElapsed: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return c, api
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// hostileJobs is a job whose names, texts and photos try to escape the
// output folder, run formulas, and hide unreadable numbers; and a job the
// API cannot find.
func hostileJobs() map[string]string {
	return map[string]string{
		"POST /Api/v2/Jobs/Search": `[{"id":"_1","myId":"","num":"1001"},{"id":"_2","num":"1002"}]`,
		"GET /Api/v2/Jobs/Detail?num=1001": `{"idJob":"_1","num":"1001","myId":"J-1","customerName":"../../etc","siteName":"CON",
			"description":"=HYPERLINK(\"http://evil.example\",\"click\")","status":5,"priority":"2","duration":"90",
			"RealBeginDate":"19/07/2016 14:43:00","realEndDate":"2016-07-19 16:13",
			"CustomFieldValues":[{"id":1,"name":"Sector","value":"@SUM(A1)"}],
			"report":[{"nmCategory":"Checks","nmItem":"Pressure","iteration":0,"value":"2,5"},
			          {"nmCategory":"Checks","nmItem":"Pressure","iteration":1,"value":"+3"}],
			"parts":[{"reference":"p3","quantity":"2,5"},{"reference":"p4","quantity":"lots"}]}`,
		"GET /Api/v2/Jobs/Photos?num=1001": `[
			{"job":{"num":"1001"},"iteration":0,"fileName":"../../etc/passwd","comment":"","imageData":"` + b64("one") + `"},
			{"job":{"num":"1001"},"iteration":0,"fileName":"CON","comment":"","imageData":"` + b64("two") + `"},
			{"job":{"num":"1001"},"iteration":0,"fileName":"a/b","comment":"","imageData":"` + b64("three") + `"},
			{"job":{"num":"1001"},"iteration":0,"fileName":"","comment":"","imageData":"` + b64("four") + `"},
			{"job":{"num":"1001"},"iteration":1,"fileName":"image.png","comment":"","imageData":"` + b64("five") + `"},
			{"job":{"num":"1001"},"iteration":1,"fileName":"IMAGE.png","comment":"","imageData":"` + b64("six") + `"}]`,
		"GET /Api/v2/Jobs/PDF?num=1001": `{"pdfData":"` + b64("%PDF-1.4 report") + `"}`,
	}
}

const hostileJobsMapping = `version: 1
export: jobs
spreadsheet: jobs.xlsx
photos: "{customerName}/{siteName}/{num}/{fileName}"
pdf: "pdf/{customerName}-{num}.pdf"
`

func TestExportHostileJobsStayInside(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, hostileJobs())
	m, err := ParseExport("jobs.yaml", []byte(hostileJobsMapping))
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	sum, err := Export(context.Background(), m, ExportOptions{Client: c, OutDir: out})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if sum.Found != 2 || sum.Exported != 1 || sum.Failed != 1 {
		t.Errorf("found %d, exported %d, failed %d; want 2, 1, 1", sum.Found, sum.Exported, sum.Failed)
	}
	// Nothing was written beside the output folder.
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "out" {
		t.Errorf("the output folder's parent holds %v; want only out", entries)
	}
	var files []string
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".stbulk" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"_.._etc/_CON/1001/photo-4", "_.._etc/_CON/1001/_CON", "_.._etc/_CON/1001/a_b", "_.._etc/_CON/1001/_.._etc_passwd",
		"_.._etc/_CON/1001/image.png", "_.._etc/_CON/1001/IMAGE-2.png",
		"errors.csv", "jobs.xlsx", "manifest.json", "pdf/_.._etc-1001.pdf", "report.html", "summary.json", ".stbulk.lock",
	}
	slices.Sort(files)
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Errorf("files written:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
	}
	got, err := os.ReadFile(filepath.Join(out, "_.._etc", "_CON", "1001", "_.._etc_passwd"))
	if err != nil || string(got) != "one" {
		t.Errorf("the photo named ../../etc/passwd holds %q (%v), want its data", got, err)
	}
	errs, err := os.ReadFile(filepath.Join(out, "errors.csv"))
	if err != nil || !strings.Contains(string(errs), "job 1002,Jobs/Detail:") {
		t.Errorf("errors.csv = %q (%v); want job 1002's failure", errs, err)
	}

	// The spreadsheet: formulas from API data neutralised, numbers typed,
	// unreadable numbers kept as text and reported.
	f, err := excelize.OpenFile(filepath.Join(out, "jobs.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Jobs")
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("no column %q in %v", name, rows[0])
		}
		return i
	}
	cell := func(sheet string, row, col int) (string, excelize.CellType) {
		name, _ := excelize.CoordinatesToCellName(col+1, row+1)
		v, err := f.GetCellValue(sheet, name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		typ, _ := f.GetCellType(sheet, name)
		if formula, _ := f.GetCellFormula(sheet, name); formula != "" {
			t.Errorf("%s!%s holds the formula %q", sheet, name, formula)
		}
		return v, typ
	}
	// A text a spreadsheet could read as a formula keeps its value in a
	// string cell marked quotePrefix: it stays text even once edited.
	for _, tc := range []struct {
		col, want string
		quoted    bool
	}{
		{"description", `=HYPERLINK("http://evil.example","click")`, true},
		{"Sector", "@SUM(A1)", true},
		{"Checks / Pressure", "2,5", false},
		{"Checks / Pressure [1]", "+3", true},
		{"status", "completed", false},
		{"priority", "high", false},
		{"customerName", "../../etc", false},
	} {
		v, typ := cell("Jobs", 1, col(tc.col))
		if v != tc.want || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
			t.Errorf("Jobs %s = %q (type %v), want the text %q", tc.col, v, typ, tc.want)
		}
		if got := quotePrefixed(t, f, "Jobs", 1, col(tc.col)); got != tc.quoted {
			t.Errorf("Jobs %s: quotePrefix %v, want %v", tc.col, got, tc.quoted)
		}
	}
	if v, typ := cell("Jobs", 1, col("duration")); v != "90" || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("duration = %q (type %v), want the number 90", v, typ)
	}
	if v, _ := cell("Jobs", 1, col("realBegin")); v != "42570.61319444444" && !strings.HasPrefix(v, "42570.6131944") {
		t.Errorf("realBegin raw value %q, want the serial date of 2016-07-19 14:43", v)
	}
	parts, _ := f.GetRows("Parts")
	if len(parts) != 3 {
		t.Fatalf("Parts rows %v", parts)
	}
	if v, typ := cell("Parts", 1, 2); v != "2.5" || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("quantity \"2,5\" = %q (type %v), want the number 2.5", v, typ)
	}
	if v, _ := cell("Parts", 2, 2); v != "lots" {
		t.Errorf("quantity \"lots\" = %q, want it kept as text", v)
	}
	if !slices.ContainsFunc(sum.Warnings, func(w string) bool { return strings.Contains(w, `"lots" is not a number`) }) {
		t.Errorf("warnings %q do not name the unreadable quantity", sum.Warnings)
	}
}

// quotePrefixed tells whether a cell (0-based row and column) carries the
// quotePrefix mark.
func quotePrefixed(t *testing.T, f *excelize.File, sheet string, row, col int) bool {
	t.Helper()
	name, _ := excelize.CoordinatesToCellName(col+1, row+1)
	id, err := f.GetCellStyle(sheet, name)
	if err != nil {
		t.Fatal(err)
	}
	xf := f.Styles.CellXfs.Xf[id]
	return xf.QuotePrefix != nil && *xf.QuotePrefix
}

func TestExportPhotoNamesStable(t *testing.T) {
	t.Parallel()
	c, api := fakeClient(t, hostileJobs())
	m, err := ParseExport("jobs.yaml", []byte(hostileJobsMapping))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	first, err := Export(context.Background(), m, ExportOptions{Client: c, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if first.FilesWritten != 7 || first.FilesUnchanged != 0 {
		t.Errorf("first run: %d written, %d unchanged; want 7 (6 photos, a PDF), 0", first.FilesWritten, first.FilesUnchanged)
	}
	before := manifestOf(t, out)
	api.mu.Lock()
	api.requests = nil
	api.mu.Unlock()
	second, err := Export(context.Background(), m, ExportOptions{Client: c, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if second.FilesWritten != 0 || second.FilesUnchanged != 7 {
		t.Errorf("second run: %d written, %d unchanged; want 0, 7", second.FilesWritten, second.FilesUnchanged)
	}
	after := manifestOf(t, out)
	delete(before, "jobs.xlsx")
	delete(after, "jobs.xlsx")
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("the same data exported again gave other files:\nbefore %v\nafter  %v", before, after)
	}
}

func manifestOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Files []struct {
			Path   string `json:"path"`
			SHA256 string `json:"sha256"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range m.Files {
		out[f.Path] = f.SHA256
	}
	return out
}

const invoicesJSON = `[
  {"dueDate":"02\/05\/2018 00:00:00","idClient":null,"idJob":"_150604144935321","idSite":62611,
   "lines":[{"description":"test description","discount":"50,30","idPart":0,"price":"30,00","quantity":"8,50","reference":"p3","tax":"10,00","totalLine":null,"total":"139,4000"},
            {"description":"***1 > part1","discount":"10,00","idPart":0,"price":"5,50","quantity":"10,00","reference":"p11","tax":"50,00","totalLine":null,"total":"74,2500"}],
   "num":336,"status":0,"total":213.6500,"type":"Invoice"},
  {"dueDate":"31/13/2018 00:00:00","idClient":7,"idJob":null,"idSite":null,
   "lines":[{"description":"=cmd|' /C calc'!A0","discount":null,"idPart":0,"price":"abc","quantity":"1","reference":"p3","tax":"20","total":null}],
   "num":337,"status":7,"total":"99,00","type":"Invoice"},
  {"dueDate":"02\/05\/2018 00:00:00","idClient":7,"idJob":null,"idSite":null,
   "lines":[{"description":"x","price":"10","quantity":"2","tax":"20","discount":"0","total":"24"}],
   "num":338,"status":1,"total":"30,00","type":"Quotation"}
]`

func TestExportInvoicesForAccountants(t *testing.T) {
	t.Parallel()
	c, api := fakeClient(t, map[string]string{
		"POST /Api/v2/Invoices/List":                  invoicesJSON,
		"GET /Api/v2/Customer/Details?id=7":           `{"id":7,"name":"Boulangerie Dupont","myId":"C7"}`,
		"GET /Api/v2/Site/Details?id=62611":           `{"id":62611,"name":"Atelier Nord"}`,
		"GET /Api/v2/Jobs/Detail?id=_150604144935321": `{"idJob":"_150604144935321","num":"13425"}`,
	})
	m, err := ParseExport("invoices.yaml", []byte("version: 1\nexport: invoices\nspreadsheet: invoices.xlsx\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	sum, err := Export(context.Background(), m, ExportOptions{Client: c, OutDir: out, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Each name is looked up once, whatever the number of invoices naming it.
	lookups := 0
	for _, r := range api.requests {
		if strings.Contains(r, "Customer/Details") {
			lookups++
		}
	}
	if lookups != 1 {
		t.Errorf("customer 7 looked up %d times, want once: %v", lookups, api.requests)
	}
	// 337's line cannot be read (price "abc", no total): not checked;
	// 338's lines are 24, not 30.
	want := []Mismatch{{Num: "338", Type: "Quotation", Total: 30, LinesTotal: 24}}
	if fmt.Sprint(sum.TotalMismatches) != fmt.Sprint(want) {
		t.Errorf("mismatches %+v, want %+v", sum.TotalMismatches, want)
	}
	for _, w := range []string{`invoice 337: line 1 price "abc" is not a number`, `invoice 337: dueDate "31/13/2018 00:00:00" is not a date`,
		"invoice 337: status 7", "invoice 337: the lines cannot all be read"} {
		if !slices.ContainsFunc(sum.Warnings, func(s string) bool { return strings.Contains(s, w) }) {
			t.Errorf("no warning %q in %q", w, sum.Warnings)
		}
	}
	f, err := excelize.OpenFile(filepath.Join(out, "invoices.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Invoices", "Lines", "VAT", "Checks"}) {
		t.Errorf("sheets %v", got)
	}
	raw := func(sheet, at string) (string, excelize.CellType, string) {
		v, err := f.GetCellValue(sheet, at, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		typ, _ := f.GetCellType(sheet, at)
		shown, _ := f.GetCellValue(sheet, at)
		return v, typ, shown
	}
	isText := func(typ excelize.CellType) bool {
		return typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString
	}
	header, _ := f.GetRows("Invoices")
	cols := map[string]string{}
	for i, h := range header[0] {
		cols[h], _ = excelize.ColumnNumberToName(i + 1)
	}
	for _, tc := range []struct {
		at, raw, shown string
		text           bool
	}{
		{cols["num"] + "2", "336", "336", false},
		{cols["type"] + "2", "Invoice", "Invoice", true},
		{cols["status"] + "2", "draft", "draft", true},
		{cols["dueDate"] + "2", "43222", "2018-05-02", false},
		{cols["total"] + "2", "213.65", "", false},
		{cols["linesTotal"] + "2", "213.65", "", false},
		{cols["site"] + "2", "Atelier Nord", "Atelier Nord", true},
		{cols["jobNum"] + "2", "13425", "13425", false},
		{cols["dueDate"] + "3", "31/13/2018 00:00:00", "31/13/2018 00:00:00", true},
		{cols["status"] + "3", "7", "7", true},
		{cols["customer"] + "3", "Boulangerie Dupont", "Boulangerie Dupont", true},
		{cols["status"] + "4", "sent", "sent", true},
	} {
		v, typ, shown := raw("Invoices", tc.at)
		if v != tc.raw || isText(typ) != tc.text || (tc.shown != "" && shown != tc.shown) {
			t.Errorf("Invoices!%s = %q (type %v, shown %q), want %q (text %v, shown %q)", tc.at, v, typ, shown, tc.raw, tc.text, tc.shown)
		}
	}
	lines, _ := f.GetRows("Lines")
	if len(lines) != 5 {
		t.Fatalf("Lines has %d rows, want a header and 4 lines", len(lines))
	}
	lcols := map[string]string{}
	for i, h := range lines[0] {
		lcols[h], _ = excelize.ColumnNumberToName(i + 1)
	}
	for _, tc := range []struct {
		at, raw string
		text    bool
	}{
		{lcols["price"] + "2", "30", false},
		{lcols["discount"] + "2", "0.503", false},
		{lcols["quantity"] + "2", "8.5", false},
		{lcols["total"] + "2", "139.4", false},
		{lcols["price"] + "4", "abc", true},
		{lcols["description"] + "4", "=cmd|' /C calc'!A0", true},
	} {
		v, typ, _ := raw("Lines", tc.at)
		if v != tc.raw || isText(typ) != tc.text {
			t.Errorf("Lines!%s = %q (type %v), want %q (text %v)", tc.at, v, typ, tc.raw, tc.text)
		}
		if formula, _ := f.GetCellFormula("Lines", tc.at); formula != "" {
			t.Errorf("Lines!%s holds the formula %q", tc.at, formula)
		}
	}
	dc, dr, _ := excelize.CellNameToCoordinates(lcols["description"] + "4")
	if !quotePrefixed(t, f, "Lines", dr-1, dc-1) {
		t.Errorf("the description =cmd|… is not marked quotePrefix")
	}
}

// TestExportIncremental exports the sandbox's invoices, changes one through
// the API, and exports again with --since last: only the changed one is
// read, the workbook still holds every invoice once, and the state moves
// only after a clean run.
func TestExportIncremental(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	m, err := ParseExport("invoices.yaml", []byte("version: 1\nexport: invoices\nspreadsheet: invoices.xlsx\noverlap: 1m\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx := context.Background()
	first, err := Export(ctx, m, ExportOptions{Client: c, OutDir: out, Since: "last"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Found == 0 || first.Exported != first.Found || first.Kept != 0 {
		t.Fatalf("first run: %+v", first)
	}
	second, err := Export(ctx, m, ExportOptions{Client: c, OutDir: out, Since: "last"})
	if err != nil {
		t.Fatal(err)
	}
	if second.Found != 0 || second.Kept != first.Found {
		t.Errorf("second run with no change: found %d, kept %d; want 0, %d", second.Found, second.Kept, first.Found)
	}
	// A change: invoice 339's lines replaced.
	res, err := c.Invoices.Send(ctx, &synchroteam.InvoiceSend{Type: "invoice", Action: "replace", Num: "339",
		Lines: []synchroteam.InvoiceLine{{Reference: "p3", Description: "changed", Price: synchroteam.NewNumber(100), Quantity: synchroteam.NewNumber(1)}}})
	if err != nil || res.Num != "339" {
		t.Fatalf("Invoices/Send: %v %+v", err, res)
	}
	third, err := Export(ctx, m, ExportOptions{Client: c, OutDir: out, Since: "last"})
	if err != nil {
		t.Fatal(err)
	}
	if third.Found != 1 || third.Exported != 1 || third.Kept != first.Found-1 {
		t.Errorf("third run: found %d, exported %d, kept %d; want 1, 1, %d", third.Found, third.Exported, third.Kept, first.Found-1)
	}
	f, err := excelize.OpenFile(filepath.Join(out, "invoices.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Invoices")
	// The rows, then the totals of invoices and of quotations.
	if len(rows)-3 != first.Found {
		t.Errorf("the workbook has %d invoices, want %d (each once)", len(rows)-3, first.Found)
	}
	lines, _ := f.GetRows("Lines")
	desc := slices.Index(lines[0], "description")
	n339 := 0
	for _, l := range lines[1:] {
		if l[0] == "339" {
			n339++
			if l[desc] != "changed" {
				t.Errorf("invoice 339's line is %v, want the changed one", l)
			}
		}
	}
	if n339 != 1 {
		t.Errorf("invoice 339 has %d lines, want its one new line", n339)
	}
}

// TestExportStateMovesOnlyWhenClean: a run with a failure keeps the state
// where it was, so the next --since last reads the failed items again.
func TestExportStateMovesOnlyWhenClean(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, hostileJobs()) // job 1002 cannot be read
	m, err := ParseExport("jobs.yaml", []byte("version: 1\nexport: jobs\nspreadsheet: jobs.xlsx\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	clock := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	opts := ExportOptions{Client: c, OutDir: out, Since: "last", Now: func() time.Time { return clock }}
	sum, err := Export(context.Background(), m, opts)
	if err != nil || sum.Failed != 1 {
		t.Fatalf("failed %d, err %v; want job 1002 failed", sum.Failed, err)
	}
	if !strings.HasPrefix(sum.State, "none:") {
		t.Errorf("state after a run with a failure: %q", sum.State)
	}
	st, err := loadExportState(out)
	if err != nil || st.Exports["jobs"] != nil {
		t.Fatalf("a state was saved after a failed run: %+v %v", st.Exports["jobs"], err)
	}
}

func TestExportInterruptedKeepsState(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, hostileJobs())
	m, err := ParseExport("jobs.yaml", []byte("version: 1\nexport: jobs\nspreadsheet: jobs.xlsx\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := t.TempDir()
	sum, err := Export(ctx, m, ExportOptions{Client: c, OutDir: out})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if sum == nil || sum.Stopped != "interrupted" {
		t.Fatalf("summary %+v", sum)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Errorf("no summary.json after an interrupt: %v", err)
	}
}

func exportOnce(t *testing.T, c *synchroteam.Client, src, out string, opts ExportOptions) *ExportSummary {
	t.Helper()
	m, err := ParseExport("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	opts.Client, opts.OutDir = c, out
	sum, err := Export(context.Background(), m, opts)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return sum
}

// TestExportSinceDateKeepsState: --since DATE reads nothing before DATE, so
// it does not move the mark of what was read in full.
func TestExportSinceDateKeepsState(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{"POST /Api/v2/Invoices/List": "[]"})
	out := t.TempDir()
	src := "version: 1\nexport: invoices\nspreadsheet: i.xlsx\n"
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exportOnce(t, c, src, out, ExportOptions{Now: func() time.Time { return jan }})
	sum := exportOnce(t, c, src, out, ExportOptions{Since: "2026-03-01", Now: func() time.Time { return jan.AddDate(0, 3, 0) }})
	if !strings.HasPrefix(sum.State, "kept:") {
		t.Errorf("state after --since DATE: %q", sum.State)
	}
	st, err := loadExportState(out)
	if err != nil || !st.Exports["m"].LastSuccess.Equal(jan) {
		t.Errorf("mark %+v (%v), want it left at %v", st.Exports["m"], err, jan)
	}
}

func TestExportRefusesAnotherExportsFolder(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{"POST /Api/v2/Invoices/List": "[]", "POST /Api/v2/Jobs/Search": "[]"})
	out := t.TempDir()
	export := func(file, src string) error {
		m, err := ParseExport(file, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Export(context.Background(), m, ExportOptions{Client: c, OutDir: out})
		return err
	}
	if err := export("invoices.yaml", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\n"); err != nil {
		t.Fatal(err)
	}
	// Another kind, or another mapping of the same kind: its rows and
	// state would mix with the folder's.
	for _, other := range [][2]string{
		{"jobs.yaml", "version: 1\nexport: jobs\nspreadsheet: j.xlsx\n"},
		{"invoices-paid.yaml", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\nfilters: {status: paid}\n"},
	} {
		var taken *FolderTakenError
		if err := export(other[0], other[1]); !errors.As(err, &taken) || !strings.Contains(err.Error(), "invoices.yaml") {
			t.Errorf("%s into the folder of invoices.yaml: %v, want it refused", other[0], err)
		}
	}
	if err := export("invoices.yaml", "version: 1\nexport: invoices\nspreadsheet: i.xlsx\n"); err != nil {
		t.Errorf("the folder's own mapping again: %v", err)
	}
}

// TestExportFilesFollowTheirJob: a long customer name cannot push the num
// out of a file name, and files a job no longer writes are removed.
func TestExportFilesFollowTheirJob(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("A", 130)
	routes := map[string]string{
		"POST /Api/v2/Jobs/Search":      `[{"num":"1"},{"num":"2"}]`,
		"GET /Api/v2/Jobs/Detail?num=1": `{"num":"1","customerName":"` + long + `"}`,
		"GET /Api/v2/Jobs/Detail?num=2": `{"num":"2","customerName":"` + long + `"}`,
		"GET /Api/v2/Jobs/PDF?num=1":    `{"pdfData":"` + b64("one") + `"}`,
		"GET /Api/v2/Jobs/PDF?num=2":    `{"pdfData":"` + b64("two") + `"}`,
		"GET /Api/v2/Jobs/Photos?num=1": `[{"fileName":"a.png","imageData":"` + b64("a") + `"},{"fileName":"b.png","imageData":"` + b64("b") + `"}]`,
		"GET /Api/v2/Jobs/Photos?num=2": `[]`,
	}
	c, api := fakeClient(t, routes)
	out := t.TempDir()
	src := "version: 1\nexport: jobs\npdf: \"pdf/{customerName}-{num}.pdf\"\nphotos: \"p/{num}/{fileName}\"\n"
	sum := exportOnce(t, c, src, out, ExportOptions{})
	if sum.Failed != 0 || sum.FilesWritten != 4 { // 2 PDFs, 2 photos
		t.Fatalf("failed %d, files written %d; want 0, 4", sum.Failed, sum.FilesWritten)
	}
	files := manifestOf(t, out)
	if len(files) != 4 {
		t.Errorf("files %v, want two PDFs and two photos", files)
	}
	// Job 1's photo b.png is gone from the API: its file goes too.
	api.mu.Lock()
	api.routes["GET /Api/v2/Jobs/Photos?num=1"] = `[{"fileName":"a.png","imageData":"` + b64("a") + `"}]`
	api.mu.Unlock()
	exportOnce(t, c, src, out, ExportOptions{})
	files = manifestOf(t, out)
	if _, ok := files["p/1/b.png"]; ok || len(files) != 3 {
		t.Errorf("files %v, want p/1/b.png removed", files)
	}
	if _, err := os.Stat(filepath.Join(out, "p", "1", "b.png")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("p/1/b.png still on disk: %v", err)
	}
}

func TestExportInvoiceChecks(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{
		"POST /Api/v2/Invoices/List": `[
		  {"num":1,"type":"Invoice","status":0,"total":"10,00","lines":[{"total":"9,99"}]},
		  {"num":2,"type":"Invoice","status":0,"total":"10,00","lines":[{"price":"1e200","quantity":"1e200"}]},
		  {"num":3,"type":"Invoice","total":"5","lines":[{"price":"2,50","quantity":"2"}]},
		  {"num":4,"type":"Invoice","status":1,"total":"5","idClient":9,"lines":[]}]`,
		"GET /Api/v2/Customer/Details?id=9": `{"code":0,"message":"busy"}`,
	})
	sum := exportOnce(t, c, "version: 1\nexport: invoices\nspreadsheet: i.xlsx\n", t.TempDir(), ExportOptions{})
	want := []Mismatch{{Num: "1", Type: "Invoice", Total: 10, LinesTotal: 9.99}, {Num: "4", Type: "Invoice", Total: 5, LinesTotal: 0}}
	if fmt.Sprint(sum.TotalMismatches) != fmt.Sprint(want) {
		t.Errorf("mismatches %+v, want %+v (a cent is a mismatch; 2.50 × 2 is 5; no lines is 0)", sum.TotalMismatches, want)
	}
	for _, w := range []string{"invoice 2: the lines cannot all be read", "invoice 3: no status"} {
		if !slices.ContainsFunc(sum.Warnings, func(s string) bool { return strings.HasPrefix(s, w) }) {
			t.Errorf("no warning %q in %q", w, sum.Warnings)
		}
	}
	// The customer of invoice 4 cannot be looked up (404 is "not found" for
	// this fake API, so it is only a warning): the invoice is exported.
	if sum.Exported != 4 || sum.Failed != 0 {
		t.Errorf("exported %d, failed %d", sum.Exported, sum.Failed)
	}
}

func TestExportNameLookupFailureFailsTheItem(t *testing.T) {
	t.Parallel()
	api := &fakeAPI{routes: map[string]string{
		"POST /Api/v2/Invoices/List": `[{"num":4,"type":"Invoice","status":1,"total":"5","idClient":9,"lines":[]}]`,
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/Api/v2/Customer/Details" {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"code":0,"message":"database down"}`)
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(srv.URL), synchroteam.WithCredentials("acme", "k"),
		synchroteam.WithRate(1000), synchroteam.WithRetryPolicy(synchroteam.RetryPolicy{MaxAttempts: 1, MaxElapsed: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	sum := exportOnce(t, c, "version: 1\nexport: invoices\nspreadsheet: i.xlsx\n", t.TempDir(), ExportOptions{})
	if sum.Failed != 1 || sum.Exported != 0 || !strings.HasPrefix(sum.State, "none:") {
		t.Errorf("failed %d, exported %d, state %q; want the invoice failed and the state not moved", sum.Failed, sum.Exported, sum.State)
	}
}

// TestExportDropsWhatTheFiltersLeaveOut: an invoice once a draft, now paid,
// leaves a "status: draft" export at the next incremental run.
func TestExportDropsWhatTheFiltersLeaveOut(t *testing.T) {
	t.Parallel()
	c, api := fakeClient(t, map[string]string{
		"POST /Api/v2/Invoices/List": `[{"num":1,"type":"Invoice","status":0,"total":"5","lines":[]},{"num":2,"type":"Invoice","status":0,"total":"6","lines":[]}]`,
	})
	out := t.TempDir()
	src := "version: 1\nexport: invoices\nspreadsheet: i.xlsx\nfilters: {status: draft}\n"
	if sum := exportOnce(t, c, src, out, ExportOptions{Since: "last"}); sum.Exported != 2 {
		t.Fatalf("exported %d", sum.Exported)
	}
	api.mu.Lock()
	api.routes["POST /Api/v2/Invoices/List"] = `[{"num":1,"type":"Invoice","status":3,"total":"5","lines":[]}]`
	api.mu.Unlock()
	sum := exportOnce(t, c, src, out, ExportOptions{Since: "last"})
	if sum.Exported != 0 || sum.Kept != 1 || sum.Rows["Invoices"] != 1 {
		t.Errorf("exported %d, kept %d, rows %v; want invoice 1 gone, 2 kept", sum.Exported, sum.Kept, sum.Rows)
	}
}

// TestExportUnreadableIntegers: a status, duration or priority that is
// not a whole number is kept as text and reported; the list is read whole.
func TestExportUnreadableIntegers(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{
		"POST /Api/v2/Invoices/List":    `[{"num":1,"type":"Invoice","status":"1,5","total":"5","lines":[{"total":"5"}]},{"num":2,"type":"Invoice","status":1,"total":"6","lines":[{"total":"6"}]}]`,
		"POST /Api/v2/Jobs/Search":      `[{"num":"9"}]`,
		"GET /Api/v2/Jobs/Detail?num=9": `{"num":"9","status":"done","duration":"1h","priority":"high"}`,
	})
	sum := exportOnce(t, c, "version: 1\nexport: invoices\nspreadsheet: i.xlsx\n", t.TempDir(), ExportOptions{})
	if sum.Exported != 2 || !slices.ContainsFunc(sum.Warnings, func(w string) bool { return strings.HasPrefix(w, `invoice 1: status "1,5" is not a number`) }) {
		t.Errorf("invoices: exported %d, warnings %q", sum.Exported, sum.Warnings)
	}
	out := t.TempDir()
	sum = exportOnce(t, c, "version: 1\nexport: jobs\nspreadsheet: j.xlsx\n", out, ExportOptions{})
	for _, w := range []string{`job 9: status "done" is not a number`, `job 9: duration "1h" is not a whole number`, `job 9: priority "high" is not a number`} {
		if !slices.ContainsFunc(sum.Warnings, func(s string) bool { return strings.HasPrefix(s, w) }) {
			t.Errorf("no warning %q in %q", w, sum.Warnings)
		}
	}
	f, err := excelize.OpenFile(filepath.Join(out, "j.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Jobs")
	for _, want := range []string{"done", "1h", "high"} {
		if !slices.Contains(rows[1], want) {
			t.Errorf("Jobs row %v does not keep %q", rows[1], want)
		}
	}
}
