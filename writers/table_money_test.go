package writers

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

var amountSheets = []tableSheet{{
	name: "Lines",
	cols: []Column{{"price", KindMoney}, {"tax", KindPercent}, {"discount", KindPercent}, {"qty", KindNumber}, {"total", KindMoney}},
	rows: [][]Cell{
		{MoneyCell(30), PercentCell(0.1), PercentCell(0.503), NumberCell(8.5), MoneyCell(1234567.891)},
		{MoneyCell(-5.5), PercentCell(0.055), PercentCell(0), NumberCell(10), MoneyCell(math.Inf(1))},
		// A number in an amount column keeps the General format.
		{NumberCell(7)},
	},
}}

// cellFormat returns a cell's raw value, its value as shown and its number
// format.
func cellFormat(t *testing.T, f *excelize.File, sheet, ref string) (raw, shown, format string) {
	t.Helper()
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	shown, _ = f.GetCellValue(sheet, ref)
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		format = *st.CustomNumFmt
	}
	return raw, shown, format
}

func TestWorkbookXLSXAmountsAndRates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		currency, money string
	}{
		{"", "#,##0.00"},
		{"EUR", `#,##0.00 "€"`},
		{"USD", `"$"#,##0.00`},
		{"CHF", `#,##0.00 "CHF"`},
	} {
		path := filepath.Join(t.TempDir(), "amounts.xlsx")
		writeTable(t, path, TableFormat{Currency: tc.currency}, amountSheets)
		f := openXLSX(t, path)
		for _, c := range []struct{ ref, raw, format string }{
			{"A2", "30", tc.money},
			{"B2", "0.1", "0%"},
			{"C2", "0.503", "0.0#####%"},
			{"D2", "8.5", ""},
			{"E2", "1234567.891", tc.money},
			{"A3", "-5.5", tc.money},
			{"B3", "0.055", "0.0#####%"},
			{"C3", "0", "0%"},
			{"E3", "+Inf", ""},
			{"A4", "7", "General"},
		} {
			raw, _, format := cellFormat(t, f, "Lines", c.ref)
			if raw != c.raw || format != c.format {
				t.Errorf("currency %q: Lines!%s = %q, format %q; want %q, format %q", tc.currency, c.ref, raw, format, c.raw, c.format)
			}
		}
	}
}

func TestWorkbookCSVAmountsAndRates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "amounts.csv")
	writeTable(t, path, TableFormat{CSV: true, Delimiter: ';', Decimal: ',', Currency: "EUR"}, amountSheets)
	want := [][]string{
		{"price", "tax", "discount", "qty", "total"},
		{"30,00", "10", "50,3", "8,5", "1234567,89"},
		{"-5,50", "5,5", "0", "10", "'+Inf"},
		{"7", "", "", "", ""},
	}
	if diff := cmp.Diff(want, readCSV(t, path, ';')); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}

func TestAmountAndRateStrings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		c    Cell
		want string
	}{
		{MoneyCell(139.4), "139.40"},
		{MoneyCell(-5.5), "-5.50"},
		{PercentCell(0.1), "10%"},
		{PercentCell(0.503), "50.3%"},
		{PercentCell(math.NaN()), "NaN"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.c, got, tc.want)
		}
		if tc.c.IsEmpty() {
			t.Errorf("%+v is empty", tc.c)
		}
	}
}
