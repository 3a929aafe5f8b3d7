package pipeline

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

func ratText(r *big.Rat) string {
	if r == nil {
		return "nil"
	}
	return r.FloatString(2)
}

func TestRoundCents(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"128.265": "128.27", "46.125": "46.13", "-46.125": "-46.13", "0.005": "0.01", "0.0049": "0.00",
		"139.4085": "139.41", "12.673": "12.67", "-0.004": "0.00", "7": "7.00",
	} {
		r, _ := new(big.Rat).SetString(in)
		if got := ratText(roundCents(r)); got != want {
			t.Errorf("roundCents(%s) = %s, want %s", in, got, want)
		}
	}
}

// referenceInvoices are the invoices of the reference's Invoices/List
// example, as the conformance test holds them.
func referenceInvoices(t *testing.T) []synchroteam.Invoice {
	t.Helper()
	a, err := txtar.ParseFile(filepath.Join("..", "sandbox", "testdata", "conformance", "32-Invoices-List.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.Files {
		if f.Name == "response" {
			var invs []synchroteam.Invoice
			if err := json.Unmarshal(f.Data, &invs); err != nil {
				t.Fatal(err)
			}
			return invs
		}
	}
	t.Fatal("no response in the conformance file")
	return nil
}

// TestLineFiguresReferenceExamples: the net, VAT and gross of the lines of
// the reference's own invoices, to the cent, come out as the API's totals.
func TestLineFiguresReferenceExamples(t *testing.T) {
	t.Parallel()
	invs := referenceInvoices(t)
	type figures struct{ Net, VAT, Gross string }
	want := map[string][]figures{
		// 30 × 8.5 = 255, discount 128.265 → 128.27, net 126.73, VAT 12.673 → 12.67.
		// 5.5 × 10 = 55, discount 5.50, net 49.50, VAT 24.75.
		"336": {{"126.73", "12.67", "139.40"}, {"49.50", "24.75", "74.25"}},
		"337": {{"126.73", "12.67", "139.40"}, {"49.50", "24.75", "74.25"}},
		// 10.25 × 10 = 102.5, discount 10.25, net 92.25, VAT 46.125 → 46.13 (halves away from zero).
		"338": {{"126.73", "12.67", "139.40"}, {"92.25", "46.13", "138.38"}},
	}
	wantInvoice := map[string]figures{"336": {"176.23", "37.42", "213.65"}, "337": {"176.23", "37.42", "213.65"}, "338": {"218.98", "58.80", "277.78"}}
	if len(invs) != 3 {
		t.Fatalf("%d invoices in the reference, want 3", len(invs))
	}
	for _, inv := range invs {
		var got []figures
		net, vat := new(big.Rat), new(big.Rat)
		for k, l := range inv.Lines {
			a, why := lineFigures(l)
			if why != "" {
				t.Fatalf("invoice %s line %d: %s", inv.Num, k+1, why)
			}
			got = append(got, figures{ratText(a.net), ratText(a.vat), ratText(a.gross)})
			api, _ := decimalOf(l.Total)
			if a.gross.Cmp(roundCents(api)) != 0 {
				t.Errorf("invoice %s line %d: gross %s, the API says %s", inv.Num, k+1, ratText(a.gross), l.Total.Raw())
			}
			net.Add(net, a.net)
			vat.Add(vat, a.vat)
		}
		if diff := cmp.Diff(want[string(inv.Num)], got); diff != "" {
			t.Errorf("invoice %s lines (-want +got):\n%s", inv.Num, diff)
		}
		gross := new(big.Rat).Add(net, vat)
		if g := (figures{ratText(net), ratText(vat), ratText(gross)}); g != wantInvoice[string(inv.Num)] {
			t.Errorf("invoice %s: %+v, want %+v", inv.Num, g, wantInvoice[string(inv.Num)])
		}
		if total, _ := decimalOf(inv.Total); gross.Cmp(total) != 0 {
			t.Errorf("invoice %s: gross %s, the API's total %s", inv.Num, ratText(gross), inv.Total.Raw())
		}
	}
}

// TestLineFiguresHostile: lines the figures cannot be computed from say
// why, and nothing panics.
func TestLineFiguresHostile(t *testing.T) {
	t.Parallel()
	num := func(s string) synchroteam.Number {
		var n synchroteam.Number
		_ = json.Unmarshal([]byte(s), &n)
		return n
	}
	for _, tc := range []struct {
		name string
		line synchroteam.InvoiceLine
		why  string
	}{
		{"no price", synchroteam.InvoiceLine{Quantity: num(`"1"`)}, "no price"},
		{"no quantity", synchroteam.InvoiceLine{Price: num(`"1"`)}, "no quantity"},
		{"price in words", synchroteam.InvoiceLine{Price: num(`"lots"`), Quantity: num(`"1"`)}, `price "lots" is not a number`},
		{"infinite", synchroteam.InvoiceLine{Price: num(`"1e309"`), Quantity: num(`"1"`)}, `price "1e309" is not a number`},
		{"huge", synchroteam.InvoiceLine{Price: num(`"1e200"`), Quantity: num(`"1e200"`)}, "its amount is beyond what a spreadsheet holds"},
		{"tax both separators", synchroteam.InvoiceLine{Price: num(`"1"`), Quantity: num(`"1"`), Tax: num(`"1.000,5"`)}, `tax "1.000,5" is not a number`},
		{"tiny", synchroteam.InvoiceLine{Price: num(`"1e-300"`), Quantity: num(`"1e-300"`), Tax: num(`null`)}, ""},
	} {
		a, why := lineFigures(tc.line)
		if why != tc.why {
			t.Errorf("%s: %q, want %q", tc.name, why, tc.why)
		}
		if why == "" && (a.net.Sign() != 0 || a.gross.Sign() != 0) {
			t.Errorf("%s: net %s gross %s, want 0", tc.name, ratText(a.net), ratText(a.gross))
		}
	}
}

// TestExportInvoiceCustomerThroughSite: an invoice whose idClient is null
// gets its customer from its site, or its job; when nothing names one, the
// cell says so, the summary warns and the Checks sheet lists it.
func TestExportInvoiceCustomerThroughSite(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{
		"POST /Api/v2/Invoices/List": `[
		  {"num":1,"type":"Invoice","status":0,"idClient":null,"idSite":5,"total":"12","lines":[{"price":"10","quantity":"1","tax":"20","total":"12"}]},
		  {"num":2,"type":"Invoice","status":0,"idClient":null,"idSite":6,"total":"0","lines":[]},
		  {"num":3,"type":"Invoice","status":0,"idClient":null,"idSite":null,"idJob":"J","total":"0","lines":[]},
		  {"num":4,"type":"Invoice","status":0,"idClient":null,"idSite":null,"idJob":null,"total":"0","lines":[]},
		  {"num":5,"type":"Invoice","status":0,"idClient":404,"total":"0","lines":[]}]`,
		"GET /Api/v2/Site/Details?id=5":     `{"id":5,"name":"Atelier","customerId":9}`,
		"GET /Api/v2/Site/Details?id=6":     `{"id":6,"name":"Dépôt","customerId":10,"customerName":"Martin SARL"}`,
		"GET /Api/v2/Customer/Details?id=9": `{"id":9,"name":"Boulangerie Dupont"}`,
		"GET /Api/v2/Jobs/Detail?id=J":      `{"id":"J","num":"77","idCustomer":11,"customerName":"Hôtel du Nord"}`,
	})
	out := t.TempDir()
	sum := exportOnce(t, c, "version: 1\nexport: invoices\nspreadsheet: i.xlsx\n", out, ExportOptions{})
	if sum.Exported != 5 {
		t.Fatalf("exported %d, failed %d", sum.Exported, sum.Failed)
	}
	f, err := excelize.OpenFile(filepath.Join(out, "i.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Invoices")
	col := slices.Index(rows[0], "customer")
	var got []string
	for _, r := range rows[1:6] {
		got = append(got, r[0]+": "+r[col])
	}
	want := []string{"1: Boulangerie Dupont", "2: Martin SARL", "3: Hôtel du Nord", "4: " + unknownCustomer, "5: " + unknownCustomer}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("customers (-want +got):\n%s", diff)
	}
	for _, w := range []string{"invoice 4: the API gives no customer (idClient is null), nor a site or a job: written (unknown customer)",
		"invoice 5: no customer found (customer 404): written (unknown customer)"} {
		if !slices.Contains(sum.Warnings, w) {
			t.Errorf("no warning %q in %q", w, sum.Warnings)
		}
	}
	checks, _ := f.GetRows("Checks")
	var listed []string
	for _, r := range checks[1:] {
		listed = append(listed, r[0]+" "+r[3])
	}
	if diff := cmp.Diff([]string{"4 customer", "5 customer"}, listed); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}

// TestExportInvoiceLineMismatch: a line whose API total is not its net
// plus VAT is listed in the summary and on the Checks sheet.
func TestExportInvoiceLineMismatch(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{
		"POST /Api/v2/Invoices/List": `[{"num":7,"type":"Invoice","status":1,"idClient":3,"total":"24,00","lines":[
		  {"price":"10","quantity":"2","tax":"20","discount":"0","total":"24,0000"},
		  {"price":"10","quantity":"1","tax":"20","discount":"0","total":"12,02"},
		  {"price":"x","quantity":"1","total":"5"}]}]`,
		"GET /Api/v2/Customer/Details?id=3": `{"id":3,"name":"Dupont"}`,
	})
	out := t.TempDir()
	sum := exportOnce(t, c, "version: 1\nexport: invoices\nspreadsheet: i.xlsx\ncurrency: EUR\n", out, ExportOptions{})
	want := []Mismatch{
		{Num: "7", Type: "Invoice", Total: 24, LinesTotal: 41.02},
		{Num: "7", Type: "Invoice", Line: 2, Total: 12.02, Computed: 12},
	}
	if diff := cmp.Diff(want, sum.TotalMismatches); diff != "" {
		t.Errorf("mismatches (-want +got):\n%s", diff)
	}
	if !slices.Contains(sum.Warnings, `invoice 7: line 3 net and VAT not computed: price "x" is not a number (left out of the VAT sheet)`) {
		t.Errorf("warnings %q", sum.Warnings)
	}
	f, err := excelize.OpenFile(filepath.Join(out, "i.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checks, _ := f.GetRows("Checks", excelize.Options{RawCellValue: true})
	var got []string
	for _, r := range checks[1:] {
		got = append(got, strings.Join(r[:7], " "))
	}
	wantChecks := []string{
		"7 Invoice 2 line total 12.02 12 0.02",
		"7 Invoice 3 net and VAT   ",
		"7 Invoice  invoice total 24 41.02 -17.02",
	}
	if diff := cmp.Diff(wantChecks, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	// The invoice's net is unknown (a line cannot be computed): its cells
	// are empty, and its totals row says the sum is incomplete.
	rows, _ := f.GetRows("Invoices")
	net := slices.Index(rows[0], "net")
	if rows[1][net] != "" || rows[2][0] != "Total invoices" || rows[2][net] != "(incomplete)" {
		t.Errorf("Invoices rows %q", rows)
	}
}

var updateCells = flag.Bool("update-cells", false, "rewrite the golden workbooks' cells in testdata/golden")

// TestExportInvoicesDemoGolden exports the sandbox's demo invoices with
// mappings/invoices.yaml and compares every cell of the workbook (type,
// value, number format) with testdata/golden/invoices.cells; -update
// rewrites it.
func TestExportInvoicesDemoGolden(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	src, err := os.ReadFile(filepath.Join("..", "mappings", "invoices.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	sum := exportOnce(t, c, string(src), out, ExportOptions{})
	if len(sum.Warnings) > 0 || len(sum.TotalMismatches) > 0 || sum.Exported != 10 {
		t.Errorf("exported %d, warnings %q, mismatches %+v", sum.Exported, sum.Warnings, sum.TotalMismatches)
	}
	compareCells(t, filepath.Join(out, "invoices.xlsx"), "invoices.cells")
}

// compareCells compares every cell of a workbook with a golden file.
func compareCells(t *testing.T, path, golden string) {
	t.Helper()
	got := workbookCells(t, path)
	gp := filepath.Join("testdata", "golden", golden)
	if *update || *updateCells {
		if err := os.WriteFile(gp, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(gp)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", gp, diff)
	}
}

// workbookCells lists the cells of a workbook, one a line: sheet!ref,
// type (text, number or empty), raw value, number format.
func workbookCells(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, _ := f.GetCellType(sheet, ref)
				kind := "number"
				switch {
				case v == "":
					continue
				case typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString:
					kind = "text"
				case typ == excelize.CellTypeFormula:
					kind = "formula"
				}
				if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
					kind = "formula"
				}
				format := "General"
				if id, err := f.GetCellStyle(sheet, ref); err == nil {
					if st, err := f.GetStyle(id); err == nil && st.CustomNumFmt != nil {
						format = *st.CustomNumFmt
					} else if err == nil && st.NumFmt != 0 {
						format = fmt.Sprintf("builtin %d", st.NumFmt)
					}
				}
				fmt.Fprintf(&b, "%s!%s\t%s\t%q\t%s\n", sheet, ref, kind, v, format)
			}
		}
	}
	return b.String()
}

// TestExportInvoiceJournalGolden writes the demo invoices as a journal:
// every entry balances, quotations have none, and every cell is compared
// with testdata/golden/invoice-journal.cells.
func TestExportInvoiceJournalGolden(t *testing.T) {
	t.Parallel()
	_, c := startSandbox(t, sandbox.Config{})
	src, err := os.ReadFile(filepath.Join("..", "mappings", "invoice-journal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The example as a workbook, to see cell types and formats.
	xlsx := strings.Replace(string(src), "spreadsheet: invoice-journal.csv", "spreadsheet: journal.xlsx", 1)
	xlsx = xlsx[:strings.Index(xlsx, "csv:\n")] + xlsx[strings.Index(xlsx, "sheets:"):]
	out := t.TempDir()
	sum := exportOnce(t, c, xlsx, out, ExportOptions{})
	if sum.Exported != 7 || len(sum.Warnings) > 0 {
		t.Errorf("exported %d, warnings %q", sum.Exported, sum.Warnings)
	}
	f, err := excelize.OpenFile(filepath.Join(out, "journal.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Journal", excelize.Options{RawCellValue: true})
	f.Close()
	balance := map[string]*big.Rat{}
	for _, r := range rows[1 : len(rows)-1] {
		for len(r) < 6 {
			r = append(r, "")
		}
		b := balance[r[1]]
		if b == nil {
			b = new(big.Rat)
			balance[r[1]] = b
		}
		if d, ok := new(big.Rat).SetString(r[4]); ok {
			b.Add(b, d)
		}
		if c, ok := new(big.Rat).SetString(r[5]); ok {
			b.Sub(b, c)
		}
	}
	if len(balance) != 7 {
		t.Errorf("%d entries, want the 7 invoices'", len(balance))
	}
	for doc, b := range balance {
		if b.Sign() != 0 {
			t.Errorf("invoice %s: debit − credit = %s", doc, ratText(b))
		}
	}
	compareCells(t, filepath.Join(out, "journal.xlsx"), "invoice-journal.cells")
}

// TestExportInvoiceJournalRefusesUnbalanced: an invoice with a line whose
// figures are unknown gets no entry and fails.
func TestExportInvoiceJournalRefusesUnbalanced(t *testing.T) {
	t.Parallel()
	c, _ := fakeClient(t, map[string]string{
		"POST /Api/v2/Invoices/List": `[{"num":1,"type":"Invoice","status":0,"idClient":3,"total":"5","lines":[{"price":"lots","quantity":"1"}]},
		  {"num":2,"type":"Invoice","status":0,"idClient":3,"total":"-12","lines":[{"price":"-10","quantity":"1","tax":"20"}]},
		  {"num":3,"type":"Quotation","status":0,"idClient":3,"total":"5","lines":[]}]`,
		"GET /Api/v2/Customer/Details?id=3": `{"id":3,"name":"Dupont"}`,
	})
	out := t.TempDir()
	sum := exportOnce(t, c, "version: 1\nexport: invoice_journal\nspreadsheet: j.csv\naccounts: {receivable: \"411\", revenue: \"706\", vat: {\"20\": \"4457\"}}\n", out, ExportOptions{})
	if sum.Failed != 1 || sum.Exported != 1 {
		t.Errorf("failed %d, exported %d; want invoice 1 failed, 2 exported, the quotation left out", sum.Failed, sum.Exported)
	}
	got := readFile(t, filepath.Join(out, "j.csv"))
	want := "date,document,entryLine,account,label,debit,credit,rate,customer,currency\n" +
		",2,1,411,Invoice 2 Dupont,,12.00,,Dupont,\n" +
		",2,2,706,Invoice 2 revenue 20%,10.00,,20,Dupont,\n" +
		",2,3,4457,Invoice 2 VAT 20%,2.00,,20,Dupont,\n"
	if got != want {
		t.Errorf("journal:\n%s\nwant:\n%s", got, want)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
