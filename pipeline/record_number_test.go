package pipeline

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/transforms"
)

func TestConvertKeepsDecimalDigits(t *testing.T) {
	t.Parallel()
	tiny := "0." + strings.Repeat("0", 324) + "49"
	for _, tt := range []struct{ in, want string }{
		{"12345678901234567.89", "12345678901234567.89"},
		{"1234567890123456789", "1234567890123456789"},
		{"4.9e-325", "4.9e-325"},
		{tiny, tiny},
		{"1,5", "1.5"},
		{"+007.50", "7.50"},
		{"-.5", "-0.5"},
		{"5.", "5"},
		{" 12 ", "12"},
		{"1E308", "1E308"},
	} {
		got, err := convert(catalog.Field{Name: "price", Kind: catalog.KindNumber}, transforms.Text(tt.in))
		if err != nil {
			t.Errorf("convert(%q): %v", tt.in, err)
			continue
		}
		if got != json.Number(tt.want) {
			t.Errorf("convert(%q) = %v, want %s", tt.in, got, tt.want)
		}
		if !json.Valid([]byte(got.(json.Number))) {
			t.Errorf("convert(%q) = %v, not JSON", tt.in, got)
		}
	}
}

func TestConvertRefusesOutOfRange(t *testing.T) {
	t.Parallel()
	lat := catalog.Field{Name: "position.latitude", Kind: catalog.KindNumber, Min: "-90", Max: "90"}
	for _, tt := range []struct {
		f       catalog.Field
		in, err string
	}{
		{lat, "1E308", `"1E308" is out of range: -90 to 90`},
		{lat, "90.0000001", `"90.0000001" is out of range: -90 to 90`},
		{lat, "-91", `"-91" is out of range: -90 to 90`},
		{catalog.Field{Name: "num", Kind: catalog.KindInteger}, "99999999999999999999", `"99999999999999999999" is beyond the 64-bit range of whole numbers`},
		{catalog.Field{Name: "price", Kind: catalog.KindNumber}, "1e400", `"1e400" is not a number (add a number transform for thousands separators)`},
	} {
		if got, err := convert(tt.f, transforms.Text(tt.in)); err == nil || err.Error() != tt.err {
			t.Errorf("convert(%s, %q) = %v, %v; want error %q", tt.f.Name, tt.in, got, err, tt.err)
		}
	}
	for _, in := range []string{"90", "-90", "45.75", "-0.0000001"} {
		if got, err := convert(lat, transforms.Text(in)); err != nil || got != json.Number(in) {
			t.Errorf("convert(latitude, %q) = %v, %v", in, got, err)
		}
	}
}

func TestBuildNumbersExactAndInRange(t *testing.T) {
	t.Parallel()
	const customer = `
version: 1
import: customer
source: in.csv
fields:
  myId: ID
  name: NAME
  position.latitude: { column: LAT, transform: number }
  position.longitude: { column: LON, transform: number }
`
	m, err := Parse("m.yaml", []byte(customer))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Bind("in.csv", []string{"ID", "NAME", "LAT", "LON"}); err != nil {
		t.Fatal(err)
	}
	p, err := m.Build(readers.Row{Num: 2, Cells: []string{"C1", "Ada", "45,123456789012345678", "-179.999999999999999999"}})
	if err != nil {
		t.Fatal(err)
	}
	pos := p["position"].(map[string]any)
	if pos["latitude"] != json.Number("45.123456789012345678") || pos["longitude"] != json.Number("-179.999999999999999999") {
		t.Errorf("position = %v", pos)
	}
	_, err = m.Build(readers.Row{Num: 3, Cells: []string{"C1", "Ada", "1E308", "180.5"}})
	if err == nil || !strings.Contains(err.Error(), "position.latitude (column LAT): ") || !strings.Contains(err.Error(), "is out of range: -90 to 90") ||
		!strings.Contains(err.Error(), `position.longitude (column LON): "180.5" is out of range: -180 to 180`) {
		t.Errorf("Build = %v", err)
	}

	const part = `
version: 1
import: part
source: in.csv
fields:
  reference: REF
  name: NAME
  price: { column: PRICE, transform: { number: { decimal: ",", thousands: " " } } }
`
	m, err = Parse("m.yaml", []byte(part))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Bind("in.csv", []string{"REF", "NAME", "PRICE"}); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"12 345 678 901 234 567,89": "12345678901234567.89",
		"1234567890123456789":       "1234567890123456789",
		"4,9e-325":                  "0." + strings.Repeat("0", 324) + "49",
	} {
		p, err := m.Build(readers.Row{Num: 2, Cells: []string{"P1", "Part", in}})
		if err != nil {
			t.Errorf("Build(%q): %v", in, err)
			continue
		}
		if p["price"] != json.Number(want) {
			t.Errorf("Build(%q): price = %v, want %s", in, p["price"], want)
		}
	}
}

// A number written as the number transform writes it is not read again:
// it must be what reading it gives (synchroteam.ParseNumber, then Text).
func TestCanonicalDecimalIsItsOwnText(t *testing.T) {
	t.Parallel()
	taken := 0
	for _, s := range []string{
		"0", "-0", "7", "-7", "12", "47.2126", "-6.7887", "0.5", "-0.0000001", "12.50", "90", "123456789012345678901234567890",
		"1234567890123456789012345678901234", "00", "07", "-", "", ".5", "5.", "+5", "1,5", "1e5", "1.2.3", " 5", "5 ", "-0.0",
	} {
		if !canonicalDecimal(s) {
			continue
		}
		taken++
		checkOwnText(t, s)
	}
	if taken == 0 {
		t.Error("no text was taken as canonical")
	}
}

func checkOwnText(t *testing.T, s string) {
	t.Helper()
	n, err := synchroteam.ParseNumber(s)
	if err != nil || n.Text() != s {
		t.Errorf("canonicalDecimal(%q), but ParseNumber gives %q, %v", s, n.Text(), err)
	}
}

func FuzzCanonicalDecimal(f *testing.F) {
	for _, s := range []string{"0", "-12.5", "00", "1.", "1e3", "99999999999999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if canonicalDecimal(s) {
			checkOwnText(t, s)
		}
	})
}
