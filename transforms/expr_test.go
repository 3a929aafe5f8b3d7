package transforms

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	testColumns = []string{"CODE", "COMPANY", "STREET", "ZIP", "CITY", "STATUS", "Code postal", "Nom du client", "Société", "date", "QTY", "TAGS"}
	testRow     = []string{"C001", " acme  sarl ", "12 rue de la Paix", "75002", "Paris", "open", "69001", "ÉLODIE DUPRÉ", "SAS", "05/03/2024", "1 234,5", "vip;north"}
)

func TestExprEval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		row  []string // testRow when nil
		num  int      // the row number, 42 when 0
		want Value
	}{
		{src: `STREET + ", " + ZIP + " " + CITY`, want: Text("12 rue de la Paix, 75002 Paris")},
		{src: `join(", ", STREET, "", ZIP + " " + CITY)`, want: Text("12 rue de la Paix, 75002 Paris")},
		{src: `join(", ", STREET, col("Code postal"))`, row: []string{"", "", "", "", "", "", "69001"}, want: Text("69001")},
		{src: `concat(CODE, "-", 42)`, want: Text("C001-42")},
		{src: `col("Code postal") + " " + row["Nom du client"]`, want: Text("69001 ÉLODIE DUPRÉ")},
		{src: `title(col("Nom du client"))`, want: Text("Élodie Dupré")},
		{src: `Société + "/" + row.CITY`, want: Text("SAS/Paris")},
		{src: `upper(squash(COMPANY))`, want: Text("ACME SARL")},
		{src: `trim(COMPANY)`, want: Text("acme  sarl")},
		{src: `lower(CITY)`, want: Text("paris")},
		{src: `coalesce(col("Code postal"), ZIP)`, row: []string{"", "", "", "75002"}, want: Text("75002")},
		{src: `coalesce(STATUS, "none")`, row: []string{"a"}, want: Text("none")},
		{src: `number(QTY) * 2`, want: Text("2469")},
		{src: `number("12,5", ",") + 0.25`, want: Text("12.75")},
		{src: `number("0.1") * 3`, want: Text("0.3")},
		{src: `number("1,1", ",") * 1.1`, want: Text("1.21")},
		{src: `-number("1e-7") / 3`, want: Text("-0.0000000333333333333333")},
		{src: `number("9007199254740993.0")`, want: Text("9007199254740992")},
		{src: `round(number(QTY) * 1.2 * 100) / 100`, want: Text("1481.4")},
		{src: `date(date, "dd/MM/yyyy")`, want: Text("2024-03-05 00:00:00")},
		{src: `date("2024-03-05")`, want: Text("2024-03-05 00:00:00")},
		{src: `date(date, "yyyy-MM-dd", "dd/MM/yyyy") >= "2024-01-01"`, want: Text("true")},
		{src: `replace(ZIP, "^(\\d{2})", "$1 ")`, want: Text("75 002")},
		{src: `len(col("Nom du client"))`, want: Text("12")},
		{src: `CITY contains "ar" && CITY startsWith "P" && CODE matches "^C\\d+$"`, want: Text("true")},
		{src: `split(TAGS, ";")`, want: List([]string{"vip", "north"})},
		{src: `STATUS == "open" ? "A" : "I"`, want: Text("A")},
		{src: `let z = ZIP; z + z`, want: Text("7500275002")},
		{src: `col(STATUS == "open" ? "CITY" : "ZIP")`, want: Text("Paris")},
		{src: `row["ZI" + "P"]`, want: Text("75002")},
		{src: `nil`, want: Text("")},
		{src: `any(split(TAGS, ";"), # == "vip") ? CITY : ""`, want: Text("Paris")},
		{src: `filter(split(TAGS, ";"), # != CITY)`, want: List([]string{"vip", "north"})},
		{src: `number(QTY) >= 1000`, want: Text("true")},
		{src: `CITY`, row: []string{"C1"}, want: Text("")}, // short rows read as empty cells
		{src: `_row`, want: Text("42")},
		{src: `_row`, num: 1_000_001, want: Text("1000001")},
		{src: `"ROW-" + string(_row)`, want: Text("ROW-42")},
		{src: `concat(CODE, "/", _row)`, want: Text("C001/42")},
		{src: `join("-", CODE, _row)`, want: Text("C001-42")},
		{src: `_row * 2 + 1`, want: Text("85")},
		{src: `_row % 2 == 0 ? "even" : "odd"`, num: 7, want: Text("odd")},
		{src: `_row > 10 ? CITY : ZIP`, want: Text("Paris")},
		{src: `map(split(TAGS, ";"), # + "@" + string(_row))`, want: List([]string{"vip@42", "north@42"})},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			e, err := NewExpr(tt.src, testColumns)
			if err != nil {
				t.Fatal(err)
			}
			row := tt.row
			if row == nil {
				row = testRow
			}
			num := tt.num
			if num == 0 {
				num = 42
			}
			got, err := e.Eval(row, num)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Value{})); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExprColumns(t *testing.T) {
	t.Parallel()
	e, err := NewExpr(`CITY + col("Code postal") + ZIP + CITY`, testColumns)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ZIP", "CITY", "Code postal"}, e.Columns()); diff != "" {
		t.Errorf("Columns mismatch (-want +got):\n%s", diff)
	}
	f, err := NewFilter(`col(STATUS) != ""`, testColumns)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(testColumns, f.Columns()); diff != "" {
		t.Errorf("dynamic Columns mismatch (-want +got):\n%s", diff)
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		num  int
		want bool
	}{
		{`STATUS != "closed"`, 2, true},
		{`STATUS == "closed"`, 2, false},
		{`number(QTY) > 1000 and CITY in ["Paris", "Lyon"]`, 2, true},
		{`col("Code postal") startsWith "69"`, 2, true},
		{`trim(COMPANY) == ""`, 2, false},
		{`date(date, "dd/MM/yyyy") < "2024-03-06"`, 2, true},
		{`_row > 1000`, 1000, false},
		{`_row > 1000`, 1001, true},
		{`_row >= 10 and _row <= 20 and CITY == "Paris"`, 15, true},
		{`_row in [2, 3]`, 4, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s at row %d", tt.src, tt.num), func(t *testing.T) {
			t.Parallel()
			f, err := NewFilter(tt.src, testColumns)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Match(testRow, tt.num)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExprCompileErrors(t *testing.T) {
	t.Parallel()
	cols := `; columns are CODE, COMPANY, STREET, ZIP, CITY, STATUS, Code postal, Nom du client, Société, date, QTY, TAGS`
	tests := []struct {
		src    string
		filter bool
		want   ExprError
	}{
		{src: `CITTY`, want: ExprError{1, 1, `unknown column "CITTY" (did you mean "CITY"?)` + cols}},
		{src: `STREET + ", " + ZIPP`, want: ExprError{1, 17, `unknown column "ZIPP" (did you mean "ZIP"?)` + cols}},
		{src: "STREET +\n  ZIPP", want: ExprError{2, 3, `unknown column "ZIPP" (did you mean "ZIP"?)` + cols}},
		{src: `col("Code postale")`, want: ExprError{1, 5, `unknown column "Code postale" (did you mean "Code postal"?)` + cols}},
		{src: `"x" + row["Nom client"]`, want: ExprError{1, 11, `unknown column "Nom client" (did you mean "Nom du client"?)` + cols}},
		{src: `Societe`, want: ExprError{1, 1, `unknown column "Societe" (did you mean "Société"?)` + cols}},
		{src: `Société + CITTY`, want: ExprError{1, 11, `unknown column "CITTY" (did you mean "CITY"?)` + cols}},
		{src: `Prénom`, want: ExprError{1, 1, `unknown column "Prénom"` + cols}},
		{src: `titel(CITY)`, want: ExprError{1, 1, `unknown function "titel" (did you mean "title"?)`}},
		{src: `CITY(1)`, want: ExprError{1, 1, `"CITY" is a column, not a function`}},
		{src: `col("a", "b")`, want: ExprError{1, 1, `col takes one column name, as in col("Code postal")`}},
		{src: `row + CITY`, want: ExprError{1, 1, `row must be followed by a column name, as in row["Code postal"]`}},
		{src: `CITY +`, want: ExprError{1, 6, `unexpected token EOF`}},
		{src: `CITY == "a" &&`, filter: true, want: ExprError{1, 14, `unexpected token EOF`}},
		{src: `number(QTY) + CITY`, want: ExprError{1, 13, `invalid operation: + (mismatched types float64 and string)`}},
		{src: `CITY`, filter: true, want: ExprError{1, 1, `expected bool, but got string`}},
		{src: `Cells[0]`, want: ExprError{1, 1, `unknown column "Cells"` + cols}},
		{src: `$env["CITY"]`, want: ExprError{1, 1, `unknown column "$env"` + cols}},
		{src: `_row + CITY`, want: ExprError{1, 6, `invalid operation: + (mismatched types int and string)`}},
		{src: `_row`, filter: true, want: ExprError{1, 1, `expected bool, but got int`}},
		{src: `_rwo > 2`, filter: true, want: ExprError{1, 1, `unknown column "_rwo" (did you mean "_row"?)` + cols}},
		{src: `col("_row")`, want: ExprError{1, 5, `_row is the row number, not a column: write _row`}},
		{src: `row["_row"]`, want: ExprError{1, 5, `_row is the row number, not a column: write _row`}},
		{src: `row._row`, want: ExprError{1, 5, `_row is the row number, not a column: write _row`}},
		{src: `_row(1)`, want: ExprError{1, 1, `_row is the row number, not a function`}},
		{src: `let _row = "x"; _row + CITY`, want: ExprError{1, 5, `cannot redeclare _row`}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.filter {
				_, err = NewFilter(tt.src, testColumns)
			} else {
				_, err = NewExpr(tt.src, testColumns)
			}
			var ee *ExprError
			if !errors.As(err, &ee) {
				t.Fatalf("error = %v (%T), want an *ExprError", err, err)
			}
			if diff := cmp.Diff(&tt.want, ee); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExprRuntimeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{`number(CITY)`, `number: "Paris" is not a number (unexpected 'P')`},
		{`number(STATUS)`, `number: the value is empty`},
		{`number(QTY, ";")`, `number: decimal separator must be "," or ".", got ";"`},
		{`date(CITY, "dd/MM/yyyy")`, `date: "Paris" does not match "dd/MM/yyyy" (expected a day at "Paris")`},
		{`date(CITY, "dd/QQ")`, `date: unknown layout token "QQ" in "dd/QQ" (known: yyyy yy MM M MMM dd d HH H hh h mm m ss s SSS a XXX; quote literal letters: 'Q')`},
		{`replace(CITY, "(", "")`, "replace: bad pattern \"(\": missing closing ): `(`"},
		{`col(CITY)`, `unknown column "Paris"`},
	}
	row := slices5(testRow)
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			e, err := NewExpr(tt.src, testColumns)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Eval(row, 2)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// slices5 returns a copy of row with STATUS emptied.
func slices5(row []string) []string {
	out := append([]string(nil), row...)
	out[5] = ""
	return out
}

func TestExprConcurrent(t *testing.T) {
	t.Parallel()
	e, err := NewExpr(`join(" ", CODE, CITY, col("Code postal"), _row)`, testColumns)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				row := []string{fmt.Sprint(g), "", "", "", fmt.Sprint(i), "", "x"}
				got, err := e.Eval(row, 1000*g+i)
				if want := fmt.Sprintf("%d %d x %d", g, i, 1000*g+i); err != nil || got.String() != want {
					t.Errorf("Eval = %q, %v; want %q", got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestExprColumnNamedLikeFunction: a column called "date" is read as a
// column, and date(...) is still the function.
func TestExprColumnNamedLikeFunction(t *testing.T) {
	t.Parallel()
	e, err := NewExpr(`date(date, "dd/MM/yyyy") + " " + trim(date)`, testColumns)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Eval(testRow, 2)
	if err != nil || got.String() != "2024-03-05 00:00:00 05/03/2024" {
		t.Errorf("Eval = %q, %v", got, err)
	}
	if !strings.Contains(fmt.Sprint(e.Columns()), "date") {
		t.Errorf("Columns = %v", e.Columns())
	}
}

// TestExprErrorsFileColumns: an errors file imported again has _row and
// _error columns. _row still reads the row number, whichever way the
// expression names it; the old _row column cannot be read.
func TestExprErrorsFileColumns(t *testing.T) {
	t.Parallel()
	header := append(slices.Clip(testColumns), "_row", "_error")
	row := append(slices.Clip(testRow), "17", "email: not an address")
	for _, tt := range []struct{ src, want string }{
		{`_row`, "5"},
		{`string(_row) + "/" + CODE`, "5/C001"},
		{`_row == 5 ? _error : ""`, "email: not an address"},
	} {
		e, err := NewExpr(tt.src, header)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		got, err := e.Eval(row, 5)
		if err != nil || got.String() != tt.want {
			t.Errorf("%s = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
	f, err := NewFilter(`_row > 3`, header)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := f.Match(row, 2); ok || err != nil {
		t.Errorf("_row > 3 at row 2 (its _row column says 17) = %v, %v", ok, err)
	}

	dyn, err := NewExpr(`col("_" + "row")`, header)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Eval(row, 5); err == nil || err.Error() != `unknown column "_row"` {
		t.Errorf("col of a computed \"_row\": %v, want unknown column", err)
	}
	if got := dyn.Columns(); slices.Contains(got, "_row") || !slices.Contains(got, "_error") {
		t.Errorf("Columns = %q: want every column but _row", got)
	}
	if _, err := NewExpr(`col("_row")`, header); err == nil || !strings.Contains(err.Error(), "_row is the row number, not a column") {
		t.Errorf(`col("_row") compiled: %v`, err)
	}
}

// CheckSyntax checks what is known before the header: syntax and
// functions; every other name may be a column.
func TestCheckSyntax(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want *ExprError
	}{
		{src: `CITY + ", " + ZIPP`},
		{src: `upper(trim(CLOS)) != "OUI" && row["Code postal"] != ""`},
		{src: `col("Code postal") + date`},
		{src: `date(date, "dd/MM/yyyy")`},
		{src: `let x = CITY; x + ZIP`},
		{src: `CITY +`, want: &ExprError{1, 6, `unexpected token EOF`}},
		{src: "CITY +\n  titel(ZIP)", want: &ExprError{2, 3, `unknown function "titel" (did you mean "title"?)`}},
		{src: `row + CITY`, want: &ExprError{1, 1, `row must be followed by a column name, as in row["Code postal"]`}},
		{src: `col("a", "b")`, want: &ExprError{1, 1, `col takes one column name, as in col("Code postal")`}},
	}
	for _, tt := range tests {
		err := CheckSyntax(tt.src)
		if tt.want == nil {
			if err != nil {
				t.Errorf("%q: %v, want no error", tt.src, err)
			}
			continue
		}
		var ee *ExprError
		if !errors.As(err, &ee) {
			t.Errorf("%q: error = %v (%T), want an *ExprError", tt.src, err, err)
			continue
		}
		if diff := cmp.Diff(tt.want, ee); diff != "" {
			t.Errorf("%q: (-want +got):\n%s", tt.src, diff)
		}
	}
}
