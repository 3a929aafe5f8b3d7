package transforms

import (
	"errors"
	"strconv"
	"testing"
)

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"1 234,50", "1.234,50", "1,234.50", "1234.5", "-3,5", "1\u00a0234", "1'234.5", "1.5E3", "12,500", "abc", "-", ",5", "1e-400", "9e400", "0"} {
		for _, mode := range []uint8{0, 1, 2, 3} {
			f.Add(s, mode)
		}
	}
	formats := []numberFormat{{}, {decimal: ','}, {decimal: '.'}, {decimal: ',', thousands: ' '}, {thousands: 'n'}, {thousands: '.'}}
	f.Fuzz(func(t *testing.T, s string, mode uint8) {
		format := formats[int(mode)%len(formats)]
		out, err := parseNumber(s, format)
		if err != nil || out == "" {
			return
		}
		if _, err := strconv.ParseFloat(out, 64); err != nil {
			t.Fatalf("parseNumber(%q) = %q, which ParseFloat rejects: %v", s, out, err)
		}
		again, err := parseNumber(out, numberFormat{decimal: '.', thousands: 'n'})
		if err != nil || again != out {
			t.Fatalf("parseNumber(%q) = %q, not canonical: re-read as %q, %v", s, out, again, err)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, c := range [][2]string{
		{"05/03/2024", "dd/MM/yyyy"},
		{"5/3/24", "d/M/yy"},
		{"2024-03-05 14:30:00", ""},
		{"20240305", "yyyyMMdd"},
		{"5 févr. 2024", "d MMM yyyy"},
		{"Mar 5, 2024 2:30 PM", "MMM d, yyyy h:mm a"},
		{"2024-03-05T14:30:00.250+01:00", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"},
		{"05/03/2024", "02/01/2006"},
		{"45356.5", "excel"},
		{"31/02/2024", "dd/MM/yyyy"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, s, layout string) {
		var arg any
		if layout != "" {
			arg = layout
		}
		tr, err := New("date", arg)
		if err != nil {
			return
		}
		v, err := tr.Apply(Text(s))
		if err != nil || v.String() == "" {
			return
		}
		// The output is in the API's layout, which the date transform reads back unchanged.
		iso, _ := New("date", nil)
		again, err := iso.Apply(v)
		if err != nil || again.String() != v.String() {
			t.Fatalf("date %q with %q gave %q, which reads back as %q, %v", s, layout, v, again, err)
		}
	})
}

// FuzzExpr compiles and runs arbitrary expressions: the resolver must
// never panic, and every compile error must carry a position.
func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		`STREET + ", " + ZIP + " " + CITY`, `col("Code postal")`, `row["Nom du client"]`, `row.CITY`,
		`let x = CITY; x`, `any(split(TAGS, ";"), # == CITY)`, `col(STATUS)`, `CITTY`, `titel(CITY)`,
		`number(QTY) > 1 ? date(date, "dd/MM/yyyy") : coalesce(ZIP, "x")`, `join(", ", split(TAGS, ";"))`,
		`_row > 1000 ? "ROW-" + string(_row) : CODE`, `col("_row")`, `let _row = 1; _row`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		// CheckSyntax, without the header, refuses no expression that
		// compiles with it.
		serr := CheckSyntax(src)
		var se *ExprError
		if serr != nil && (!errors.As(serr, &se) || se.Line < 1 || se.Column < 1) {
			t.Fatalf("CheckSyntax(%q) error without a position: %v", src, serr)
		}
		e, err := NewExpr(src, testColumns)
		if err == nil && serr != nil {
			t.Fatalf("CheckSyntax(%q) = %v, but it compiles", src, serr)
		}
		if err != nil {
			var ee *ExprError
			if !errors.As(err, &ee) || ee.Line < 1 || ee.Column < 1 {
				t.Fatalf("NewExpr(%q) error without a position: %v", src, err)
			}
			return
		}
		_, _ = e.Eval(testRow, 2)
		_, _ = e.Eval(nil, 0)
	})
}
