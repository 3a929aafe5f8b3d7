package transforms

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// applyCase is one transform applied to one value.
type applyCase struct {
	name    string // transform
	arg     any
	in      Value
	want    Value
	wantErr string
}

func runApply(t *testing.T, tests []applyCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.in.String(), func(t *testing.T) {
			t.Parallel()
			tr, err := New(tt.name, tt.arg)
			if err != nil {
				t.Fatalf("New(%q, %#v): %v", tt.name, tt.arg, err)
			}
			got, err := tr.Apply(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Apply(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Value{})); diff != "" {
				t.Errorf("Apply(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestTextTransforms(t *testing.T) {
	t.Parallel()
	runApply(t, []applyCase{
		{name: "trim", in: Text("  Paris \t"), want: Text("Paris")},
		{name: "trim", in: Text("\u00a0Lyon\u202f\u200b"), want: Text("Lyon")},
		{name: "trim", in: List([]string{" a ", "b "}), want: List([]string{"a", "b"})},
		{name: "lower", in: Text("ÉLODIE"), want: Text("élodie")},
		{name: "upper", in: Text("élodie"), want: Text("ÉLODIE")},
		{name: "title", in: Text("ÉLODIE DUPRÉ"), want: Text("Élodie Dupré")},
		{name: "title", in: Text("jean-pierre o'neil"), want: Text("Jean-Pierre O'neil")},
		{name: "title", arg: "nl", in: Text("IJSSELMEER"), want: Text("IJsselmeer")},
		{name: "squash", in: Text("  12\u00a0 rue\t\tde   la Paix "), want: Text("12 rue de la Paix")},
		{name: "squash", in: Text("a\n\nb"), want: Text("a b")},
		{name: "default", arg: "N/A", in: Text(""), want: Text("N/A")},
		{name: "default", arg: "N/A", in: Text("  "), want: Text("N/A")},
		{name: "default", arg: 0, in: Text(""), want: Text("0")},
		{name: "default", arg: "N/A", in: Text("x"), want: Text("x")},
		{name: "default", arg: "misc", in: List(nil), want: List([]string{"misc"})},
		{name: "replace", arg: map[string]any{"pattern": `[^0-9+]`, "with": ""}, in: Text("+33 (0)1 23-45"), want: Text("+33012345")},
		{name: "replace", arg: map[string]any{"pattern": `^(\d{2})(\d{3})$`, "with": "${1} ${2}"}, in: Text("75001"), want: Text("75 001")},
		{name: "replace", arg: map[any]any{"pattern": `\s+`}, in: Text("a b"), want: Text("ab")},
		{name: "split", arg: ";", in: Text("vip; north;;  south ;"), want: List([]string{"vip", "north", "south"})},
		{name: "split", arg: ";", in: Text(""), want: List(nil)},
		{name: "split", arg: ",", in: List([]string{"a,b", "c"}), want: List([]string{"a", "b", "c"})},
		{name: "join", arg: ", ", in: List([]string{"a", "", "b"}), want: Text("a, b")},
		{name: "join", arg: ", ", in: Text("a"), want: Text("a")},
	})
}

func TestMap(t *testing.T) {
	t.Parallel()
	table := map[string]any{"A": "active", "I": "inactive", "1": true}
	runApply(t, []applyCase{
		{name: "map", arg: table, in: Text("A"), want: Text("active")},
		{name: "map", arg: table, in: Text(" I "), want: Text("inactive")},
		{name: "map", arg: table, in: Text("1"), want: Text("true")},
		{name: "map", arg: table, in: Text("Z"), want: Text("Z")},
		{name: "map", arg: table, in: Text(""), want: Text("")},
		{name: "map", arg: map[string]any{"values": table, "default": "other"}, in: Text("Z"), want: Text("other")},
		{name: "map", arg: map[string]any{"values": table, "default": "other"}, in: Text(""), want: Text("")},
		{name: "map", arg: map[string]any{"values": table, "ignore_case": true}, in: Text("a"), want: Text("active")},
		{name: "map", arg: map[string]any{"values": table, "strict": true}, in: Text("a"),
			wantErr: `map: "a" is not in the table (known: "1", "A", "I")`},
		{name: "map", arg: map[string]any{"values": map[string]any{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}, "strict": true}, in: Text("g"),
			wantErr: `map: "g" is not in the table (known: "a", "b", "c", "d", "e", … 6 in all)`},
		{name: "map", arg: table, in: List([]string{"A", "I"}), want: List([]string{"active", "inactive"})},
		{name: "map", arg: map[string]any{"values": table, "strict": true}, in: List([]string{"A", "X"}),
			wantErr: `item 2: map: "X" is not in the table (known: "1", "A", "I")`},
	})
}

func TestNumber(t *testing.T) {
	t.Parallel()
	comma := map[string]any{"decimal": ","}
	dot := map[string]any{"decimal": "."}
	runApply(t, []applyCase{
		{name: "number", in: Text("1 234,50"), want: Text("1234.5")},
		{name: "number", in: Text("1\u00a0234,50"), want: Text("1234.5")},
		{name: "number", in: Text("1\u202f234\u202f567,25"), want: Text("1234567.25")},
		{name: "number", in: Text("1.234,50"), want: Text("1234.5")},
		{name: "number", in: Text("1,234.50"), want: Text("1234.5")},
		{name: "number", in: Text("1234.5"), want: Text("1234.5")},
		{name: "number", in: Text("-3,5"), want: Text("-3.5")},
		{name: "number", in: Text("+7"), want: Text("7")},
		{name: "number", in: Text("−2"), want: Text("-2")},
		{name: "number", in: Text("1'234.50"), want: Text("1234.5")},
		{name: "number", in: Text("1.234.567"), want: Text("1234567")},
		{name: "number", in: Text("0,500"), want: Text("0.5")},
		{name: "number", in: Text("1234,567"), want: Text("1234.567")},
		{name: "number", in: Text(",5"), want: Text("0.5")},
		{name: "number", in: Text("007"), want: Text("7")},
		{name: "number", in: Text("-0,0"), want: Text("0")},
		{name: "number", in: Text("0.1"), want: Text("0.1")},
		{name: "number", in: Text("1.5E3"), want: Text("1500")},
		{name: "number", in: Text("2.5e-3"), want: Text("0.0025")},
		{name: "number", in: Text("123456789012345678901234567890.123456789"), want: Text("123456789012345678901234567890.123456789")},
		{name: "number", in: Text("  "), want: Text("")},
		{name: "number", arg: comma, in: Text("1.234"), want: Text("1234")},
		{name: "number", arg: ",", in: Text("12,500"), want: Text("12.5")},
		{name: "number", arg: dot, in: Text("1.234"), want: Text("1.234")},
		{name: "number", arg: dot, in: Text("1,234"), want: Text("1234")},
		{name: "number", arg: map[string]any{"decimal": ",", "thousands": " "}, in: Text("1 234,5"), want: Text("1234.5")},
		{name: "number", arg: map[string]any{"thousands": "."}, in: Text("1.234"), want: Text("1234")},
		{name: "number", arg: map[string]any{"thousands": " "}, in: Text("1 234.5"), want: Text("1234.5")},
		{name: "number", in: List([]string{"1,5", "2"}), want: List([]string{"1.5", "2"})},

		{name: "number", in: Text("1.234"), wantErr: `number: "1.234" is not a number (ambiguous: "." may separate thousands or decimals; set decimal: "," or decimal: ".")`},
		{name: "number", in: Text("12,500"), wantErr: `number: "12,500" is not a number (ambiguous: "," may separate thousands or decimals; set decimal: "," or decimal: ".")`},
		{name: "number", in: Text("12abc"), wantErr: `number: "12abc" is not a number (unexpected 'a')`},
		{name: "number", in: Text("12 %"), wantErr: `number: "12 %" is not a number (unexpected '%')`},
		{name: "number", in: Text("€12"), wantErr: `number: "€12" is not a number (unexpected '€')`},
		{name: "number", in: Text("1 23,5"), wantErr: `number: "1 23,5" is not a number (thousands separators must separate groups of three digits)`},
		{name: "number", in: Text("1.234 567,5"), wantErr: `number: "1.234 567,5" is not a number (mixed thousands separators "." and " ")`},
		{name: "number", arg: comma, in: Text("1,2,3"), wantErr: `number: "1,2,3" is not a number (more than one decimal separator)`},
		{name: "number", arg: comma, in: Text("1.5"), wantErr: `number: "1.5" is not a number (thousands separators must separate groups of three digits)`},
		{name: "number", arg: map[string]any{"decimal": ",", "thousands": "none"}, in: Text("1 234"), wantErr: `number: "1 234" is not a number (unexpected ' ')`},
		{name: "number", in: Text("-"), wantErr: `number: "-" is not a number (no digits)`},
		{name: "number", in: Text("1e999"), wantErr: `number: "1e999" is out of range`},
		{name: "number", in: Text("1e300000000000000000000"), wantErr: `number: "1e300000000000000000000" is out of range`},
		{name: "number", in: Text("1e"), wantErr: `number: "1e" is not a number (bad exponent "")`},

		{name: "integer", in: Text("1 234"), want: Text("1234")},
		{name: "integer", in: Text("12,0"), want: Text("12")},
		{name: "integer", in: Text("3,5"), wantErr: `integer: "3,5" has a fractional part (round: true rounds it)`},
		{name: "integer", arg: map[string]any{"round": true}, in: Text("3,5"), want: Text("4")},
		{name: "integer", arg: map[string]any{"round": true}, in: Text("-3,5"), want: Text("-4")},
		{name: "integer", arg: map[string]any{"round": true}, in: Text("-0,4"), want: Text("0")},
		{name: "integer", arg: map[string]any{"round": true}, in: Text("99,5"), want: Text("100")},
		{name: "integer", arg: map[string]any{"round": true}, in: Text("2,49"), want: Text("2")},
	})
}

func TestBool(t *testing.T) {
	t.Parallel()
	var tests []applyCase
	for _, s := range []string{"yes", "Oui", "SI", "sí", "true", "VRAI", "1", "x", "X", " y "} {
		tests = append(tests, applyCase{name: "bool", in: Text(s), want: Text("true")})
	}
	for _, s := range []string{"no", "NON", "false", "faux", "0", "n"} {
		tests = append(tests, applyCase{name: "bool", in: Text(s), want: Text("false")})
	}
	tests = append(tests,
		applyCase{name: "bool", in: Text(""), want: Text("")},
		applyCase{name: "bool", arg: map[string]any{"empty": false}, in: Text(""), want: Text("false")},
		applyCase{name: "bool", arg: map[string]any{"empty": false}, in: Text("x"), want: Text("true")},
		applyCase{name: "bool", arg: map[string]any{"true_values": []any{"Actif"}, "false_values": []any{"Inactif", "résilié"}}, in: Text("RÉSILIÉ"), want: Text("false")},
		applyCase{name: "bool", in: Text("peut-être"),
			wantErr: `bool: "peut-être" is not a yes/no value (true: true, yes, y, oui, o, si, sí, vrai, 1, x, on; false: false, no, n, non, faux, 0, off)`},
		applyCase{name: "bool", arg: map[string]any{"true_values": []any{"Actif"}, "false_values": []any{"Inactif"}}, in: Text("yes"),
			wantErr: `bool: "yes" is not a yes/no value (true: Actif; false: Inactif)`},
	)
	runApply(t, tests)
}

func TestDate(t *testing.T) {
	t.Parallel()
	fr := map[string]any{"layout": []any{"dd/MM/yyyy HH:mm", "dd/MM/yyyy"}}
	runApply(t, []applyCase{
		{name: "date", arg: "dd/MM/yyyy", in: Text("05/03/2024"), want: Text("2024-03-05 00:00:00")},
		{name: "date", arg: "dd/MM/yyyy", in: Text("5/3/2024"), want: Text("2024-03-05 00:00:00")},
		{name: "date", arg: "dd/MM/yyyy", in: Text(" 05/03/2024 "), want: Text("2024-03-05 00:00:00")},
		{name: "date", arg: "dd/MM/yyyy", in: Text("2024-03-05"), want: Text("2024-03-05 00:00:00")},
		{name: "date", arg: "dd/MM/yyyy", in: Text("2024-03-05 14:30:00"), want: Text("2024-03-05 14:30:00")},
		{name: "date", arg: "dd/MM/yyyy", in: Text(""), want: Text("")},
		{name: "date", arg: fr, in: Text("05/03/2024 14:30"), want: Text("2024-03-05 14:30:00")},
		{name: "date", arg: fr, in: Text("05/03/2024"), want: Text("2024-03-05 00:00:00")},
		{name: "date", arg: "MM/dd/yyyy", in: Text("03/05/2024"), want: Text("2024-03-05 00:00:00")},
		{name: "date", arg: "d/M/yy", in: Text("5/3/24"), want: Text("2024-03-05 00:00:00")},
		{name: "date", arg: "d/M/yy", in: Text("5/3/68"), want: Text("2068-03-05 00:00:00")},
		{name: "date", arg: "d/M/yy", in: Text("5/3/69"), want: Text("1969-03-05 00:00:00")},
		{name: "date", arg: "yyyyMMdd", in: Text("20240305"), want: Text("2024-03-05 00:00:00")},
		{name: "date", arg: "d MMMM yyyy", in: Text("5 février 2024"), want: Text("2024-02-05 00:00:00")},
		{name: "date", arg: "d MMM yyyy", in: Text("5 févr. 2024"), want: Text("2024-02-05 00:00:00")},
		{name: "date", arg: "d MMM yyyy", in: Text("5 Dic 2024"), want: Text("2024-12-05 00:00:00")},
		{name: "date", arg: "MMM d, yyyy h:mm a", in: Text("Mar 5, 2024 2:30 PM"), want: Text("2024-03-05 14:30:00")},
		{name: "date", arg: "MMM d, yyyy h:mm a", in: Text("Mar 5, 2024 12:10 am"), want: Text("2024-03-05 00:10:00")},
		{name: "date", arg: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", in: Text("2024-03-05T14:30:00.250+01:00"), want: Text("2024-03-05 14:30:00")},
		{name: "date", arg: "02/01/2006", in: Text("05/03/2024"), want: Text("2024-03-05 00:00:00")},
		{name: "date", arg: "excel", in: Text("45356.5"), want: Text("2024-03-05 12:00:00")},
		{name: "date", arg: map[string]any{"layout": "dd/MM/yyyy", "output": "yyyy-MM-dd"}, in: Text("05/03/2024"), want: Text("2024-03-05")},
		{name: "date", arg: map[string]any{"output": "dd/MM/yy HH'h'mm"}, in: Text("2024-03-05 09:05:00"), want: Text("05/03/24 09h05")},
		{name: "date", arg: map[string]any{"output": "excel"}, in: Text("2024-03-05 12:00:00"), want: Text("45356.5")},
		{name: "date", arg: map[string]any{"output": "MMM d yyyy h:mm a"}, in: Text("2024-03-05 00:05:00"), want: Text("Mar 5 2024 12:05 AM")},
		{name: "date", arg: map[string]any{"output": "2006-01-02"}, in: Text("2024-03-05 09:05:00"), want: Text("2024-03-05")},
		{name: "date", arg: map[string]any{"timezone": "Europe/Paris"}, in: Text("2024-07-01T12:00:00Z"), want: Text("2024-07-01 14:00:00")},
		{name: "date", arg: map[string]any{"timezone": "Europe/Paris"}, in: Text("2024-07-01 12:00:00"), want: Text("2024-07-01 12:00:00")},
		{name: "date", arg: map[string]any{"timezone": "Europe/Paris", "input_timezone": "UTC"}, in: Text("2024-01-01 12:00:00"), want: Text("2024-01-01 13:00:00")},
		{name: "date", arg: map[string]any{"timezone": "UTC", "output": "yyyy-MM-dd'T'HH:mm:ssXXX", "input_timezone": "America/New_York", "layout": "MM/dd/yyyy HH:mm"}, in: Text("07/01/2024 08:00"), want: Text("2024-07-01T12:00:00Z")},
		{name: "date", arg: map[string]any{"output": "yyyy-MM-dd HH:mm:ss XXX"}, in: Text("2024-07-01T12:00:00+02:00"), want: Text("2024-07-01 12:00:00 +02:00")},

		{name: "date", arg: "dd/MM/yyyy", in: Text("31/02/2024"), wantErr: `date: "31/02/2024" does not match "dd/MM/yyyy" (February 2024 has no day 31)`},
		{name: "date", arg: "dd/MM/yyyy", in: Text("05/13/2024"), wantErr: `date: "05/13/2024" does not match "dd/MM/yyyy" (month 13 is out of range)`},
		{name: "date", arg: "dd/MM/yyyy", in: Text("05-03-2024"), wantErr: `date: "05-03-2024" does not match "dd/MM/yyyy" (expected "/" at "-03-2024")`},
		{name: "date", arg: "dd/MM/yyyy", in: Text("05/03/24"), wantErr: `date: "05/03/24" does not match "dd/MM/yyyy" (expected a four-digit year at "24")`},
		{name: "date", arg: fr, in: Text("05/03/2024 14h30"), wantErr: `date: "05/03/2024 14h30" does not match "dd/MM/yyyy HH:mm" or "dd/MM/yyyy" (expected ":" at "h30")`},
		{name: "date", arg: "dd/MM/yyyy", in: Text("05/03/2024 10:00"), wantErr: `date: "05/03/2024 10:00" does not match "dd/MM/yyyy" (unexpected " 10:00" at the end)`},
		{name: "date", in: Text("05/03/2024"), wantErr: `date: "05/03/2024" is not an ISO date such as 2024-03-05 or 2024-03-05 14:30:00`},
		{name: "date", arg: "dd MMMM yyyy", in: Text("05 Brumaire 2024"), wantErr: `date: "05 Brumaire 2024" does not match "dd MMMM yyyy" (expected a month name at "Brumaire 2024")`},
		{name: "date", arg: "02/01/2006", in: Text("5/3/2024"), wantErr: `date: "5/3/2024" does not match "02/01/2006" (cannot parse "5/3/2024" as "02")`},
	})
}

// TestArgErrors checks the constructors' messages and where they point.
func TestArgErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		arg     any
		check   bool
		wantErr string
		wantArg *ArgError // nil: not an *ArgError
	}{
		{name: "number", arg: map[string]any{"decimal": ";"}, wantErr: `number: decimal separator must be "," or ".", got ";"`,
			wantArg: &ArgError{Name: "number", Key: "decimal", Index: -1, Msg: `decimal separator must be "," or ".", got ";"`}},
		{name: "number", arg: ";", wantErr: `number: decimal separator must be "," or ".", got ";"`},
		{name: "number", arg: map[string]any{"decimal": ",", "thousands": ","}, wantErr: `number: thousands separator "," is also the decimal separator`},
		{name: "number", arg: map[string]any{"thousands": "_"}, wantErr: `number: thousands separator must be " ", ".", ",", "'" or "none", got "_"`},
		{name: "number", arg: map[string]any{"decimals": ","}, wantErr: `number: unknown option "decimals" (options: decimal, thousands); did you mean "decimal"?`,
			wantArg: &ArgError{Name: "number", Key: "decimals", Index: -1, Msg: `unknown option "decimals" (options: decimal, thousands); did you mean "decimal"?`}},
		{name: "number", arg: map[string]any{"round": true}, wantErr: `number: unknown option "round" (options: decimal, thousands)`},
		{name: "number", arg: 3, wantErr: `number: the argument is a decimal separator or a map {decimal: ",", thousands: " "}, got a number`},
		{name: "integer", arg: map[string]any{"round": "yes"}, wantErr: `integer: round must be true or false, got "yes"`},
		{name: "date", arg: "dd/QQ/yyyy", wantErr: `date: unknown layout token "QQ" in "dd/QQ/yyyy" (known: yyyy yy MM M MMM dd d HH H hh h mm m ss s SSS a XXX; quote literal letters: 'Q')`},
		{name: "date", arg: "yyyy-MM-ddTHH:mm", wantErr: `date: unknown layout token "T" in "yyyy-MM-ddTHH:mm" (known: yyyy yy MM M MMM dd d HH H hh h mm m ss s SSS a XXX; quote literal letters: 'T')`},
		{name: "date", arg: "yyy", wantErr: `date: unknown layout token "yyy" in "yyy"`},
		{name: "date", arg: "dd/'MM", wantErr: `date: unterminated quote in "dd/'MM"`},
		{name: "date", arg: []any{"dd/MM/yyyy", "dd.MM.jjjj"}, wantErr: `date: unknown layout token "jjjj" in "dd.MM.jjjj" (known: yyyy yy MM M MMM dd d HH H hh h mm m ss s SSS a XXX; quote literal letters: 'j')`,
			wantArg: &ArgError{Name: "date", Key: "", Index: 1, Msg: `unknown layout token "jjjj" in "dd.MM.jjjj" (known: yyyy yy MM M MMM dd d HH H hh h mm m ss s SSS a XXX; quote literal letters: 'j')`}},
		{name: "date", arg: map[string]any{"layout": []any{"dd/MM/yyyy", "2006-13-45x"}}, wantErr: `date: "2006-13-45x" is neither a date pattern such as dd/MM/yyyy nor a Go layout such as 02/01/2006`,
			wantArg: &ArgError{Name: "date", Key: "layout", Index: 1, Msg: `"2006-13-45x" is neither a date pattern such as dd/MM/yyyy nor a Go layout such as 02/01/2006`}},
		{name: "date", arg: map[string]any{"timezone": "Europe/Pariss"}, wantErr: `date: unknown time zone "Europe/Pariss" (use an IANA name such as Europe/Paris or UTC)`},
		{name: "date", arg: map[string]any{"fromat": "yyyy"}, wantErr: `date: unknown option "fromat" (options: layout, output, timezone, input_timezone)`},
		{name: "date", arg: map[string]any{"ouptut": "yyyy"}, wantErr: `date: unknown option "ouptut" (options: layout, output, timezone, input_timezone); did you mean "output"?`},
		{name: "date", arg: map[string]any{"output": "yyyy-MM-dd EEE"}, wantErr: `date: unknown layout token "EEE" in "yyyy-MM-dd EEE" (known: yyyy yy MM M MMM dd d HH H hh h mm m ss s SSS a XXX; quote literal letters: 'E')`,
			wantArg: &ArgError{Name: "date", Key: "output", Index: -1, Msg: `unknown layout token "EEE" in "yyyy-MM-dd EEE" (known: yyyy yy MM M MMM dd d HH H hh h mm m ss s SSS a XXX; quote literal letters: 'E')`}},
		{name: "replace", arg: map[string]any{"pattern": "(", "with": ""}, wantErr: "replace: bad pattern \"(\": missing closing ): `(`"},
		{name: "replace", arg: map[string]any{"with": "x"}, wantErr: "replace: pattern is missing"},
		{name: "replace", arg: "x", wantErr: `replace: the argument is a map {pattern: "...", with: "..."}, got a text`},
		{name: "split", arg: nil, wantErr: `split: the argument is the separator, such as ";", got nothing`},
		{name: "split", arg: "", wantErr: `split: the argument is the separator, such as ";", got ""`},
		{name: "trim", arg: "x", wantErr: `trim: takes no argument, got "x"`},
		{name: "title", arg: "xx-not-a-language-tag", wantErr: `title: unknown language "xx-not-a-language-tag"`},
		{name: "map", arg: []any{"a"}, wantErr: `map: the argument is a table {from: to, ...} or {values: {...}, strict: true}, got a list`},
		{name: "map", arg: map[string]any{"values": map[string]any{"a": "x"}, "strict": true, "default": "y"}, wantErr: `map: strict and default cannot be used together`},
		{name: "map", arg: map[string]any{"values": map[string]any{"a": "x", "A": "y"}, "ignore_case": true}, wantErr: `map: "a" appears twice when case is ignored`,
			wantArg: &ArgError{Name: "map", Key: "values", Index: -1, Msg: `"a" appears twice when case is ignored`}},
		{name: "map", arg: map[string]any{"a": []any{"x"}}, wantErr: `map: the value for "a" must be a text, got a list`,
			wantArg: &ArgError{Name: "map", Key: "a", Index: -1, Msg: `the value for "a" must be a text, got a list`}},
		{name: "bool", arg: map[string]any{"true_values": []any{"x"}, "false_values": []any{"X"}}, wantErr: `bool: "X" is both a true and a false value`},
		{name: "bool", arg: map[string]any{"true_values": []any{"x", []any{}}}, wantErr: `bool: item 2 must be a text, got a list`,
			wantArg: &ArgError{Name: "bool", Key: "true_values", Index: 1, Msg: "item 2 must be a text, got a list"}},
		{name: "trimm", wantErr: `unknown transform "trimm" (did you mean "trim"?); transforms are bool, date, default, integer, join, lower, map, number, replace, split, squash, title, trim, upper`},
		{name: "nombre", wantErr: `unknown transform "nombre" (did you mean "number"?); transforms are bool, date, default, integer, join, lower, map, number, replace, split, squash, title, trim, upper`},

		{name: "regex", check: true, arg: "(", wantErr: "regex: bad pattern \"(\": missing closing ): `^(?:()$`"},
		{name: "one_of", check: true, arg: "red", wantErr: `one_of: the argument is a list of values or a map {values: [...], ignore_case: true}, got a text`},
		{name: "one_of", check: true, arg: []any{}, wantErr: `one_of: the list of values is empty`},
		{name: "max_length", check: true, arg: "50", wantErr: `max_length: the argument is a number of characters, got "50"`},
		{name: "max_length", check: true, arg: 2.5, wantErr: `max_length: the argument is a number of characters, got "2.5"`},
		{name: "min", check: true, arg: []any{1}, wantErr: `min: the argument is a number, got a list`},
		{name: "email", check: true, arg: "strict", wantErr: `email: takes no argument, got "strict"`},
		{name: "maxlength", check: true, wantErr: `unknown check "maxlength" (did you mean "max_length"?); checks are email, max, max_length, min, min_length, one_of, regex, required`},
	}
	for _, tt := range tests {
		t.Run(tt.wantErr, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.check {
				_, err = NewCheck(tt.name, tt.arg)
			} else {
				_, err = New(tt.name, tt.arg)
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("error = %v\nwant    %s", err, tt.wantErr)
			}
			if tt.wantArg != nil {
				var ae *ArgError
				if !errors.As(err, &ae) {
					t.Fatalf("error %T is not an *ArgError", err)
				}
				if diff := cmp.Diff(tt.wantArg, ae); diff != "" {
					t.Errorf("ArgError mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestChain(t *testing.T) {
	t.Parallel()
	var c Chain
	for _, step := range []struct {
		name string
		arg  any
	}{{"split", ";"}, {"lower", nil}, {"map", map[string]any{"nord": "north"}}, {"join", "|"}} {
		tr, err := New(step.name, step.arg)
		if err != nil {
			t.Fatal(err)
		}
		c = append(c, tr)
	}
	got, err := c.Apply(Text(" VIP ; Nord;;"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Text("vip|north"), got, cmp.AllowUnexported(Value{})); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}

	num, _ := New("number", nil)
	_, err = Chain{num}.Apply(Text("abc"))
	if want := `number: "abc" is not a number (unexpected 'a')`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v           Value
		list, empty bool
		str         string
		items       []string
	}{
		{v: Value{}, empty: true, str: "", items: nil},
		{v: Text(" "), empty: true, str: " ", items: []string{" "}},
		{v: Text("a"), str: "a", items: []string{"a"}},
		{v: List(nil), list: true, empty: true, str: "", items: nil},
		{v: List([]string{"a", "b"}), list: true, str: "a, b", items: []string{"a", "b"}},
	}
	for _, tt := range tests {
		got := []any{tt.v.IsList(), tt.v.IsEmpty(), tt.v.String(), tt.v.Items()}
		want := []any{tt.list, tt.empty, tt.str, tt.items}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%#v: mismatch (-want +got):\n%s", tt.v, diff)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	cols := []string{"CODE", "COMPANY", "CITY", "Code postal", "Société", "ZIP"}
	tests := []struct{ name, want string }{
		{"CITTY", "CITY"},
		{"city", "CITY"},
		{"Code postale", "Code postal"},
		{"Societe", "Société"},
		{"COMAPNY", "COMPANY"},
		{"ZIPCODE", ""},
		{"XYZ", ""},
		{"CODE", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.name, cols); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDateFormatter(t *testing.T) {
	at := time.Date(2018, 5, 2, 14, 7, 0, 0, time.UTC)
	for _, tc := range []struct{ layout, want string }{
		{"dd/MM/yyyy", "02/05/2018"},
		{"dd/MM/yyyy HH:mm", "02/05/2018 14:07"},
		{"2006-01-02", "2018-05-02"},
		{"yyyy-MM-dd'T'HH:mm:ss", "2018-05-02T14:07:00"},
	} {
		f, err := DateFormatter(tc.layout)
		if err != nil {
			t.Fatalf("%q: %v", tc.layout, err)
		}
		if got := f(at); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.layout, got, tc.want)
		}
	}
	if _, err := DateFormatter(""); err == nil {
		t.Error("an empty layout was accepted")
	}
}
