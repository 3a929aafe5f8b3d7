package pipeline

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

// Excel's "Unicode text" export is UTF-16 little-endian with a BOM and TAB
// separators. The same rows saved that way give the same payloads as the
// UTF-8 CSV, with the same mapping and no option changed.
func TestUTF16TabFileMatchesUTF8(t *testing.T) {
	t.Parallel()
	src := filepath.Join("..", "samples", "customers.csv")
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) > 0 && len(records[0]) > 0 {
		records[0][0] = trimBOM(records[0][0])
	}

	path := filepath.Join(t.TempDir(), "customers.txt")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	enc := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Writer(out)
	w := csv.NewWriter(enc)
	w.Comma = '\t'
	w.UseCRLF = true
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}

	// The example mapping insists on UTF-8 and ","; the same mapping with
	// the defaults (auto) reads both files.
	b, err := os.ReadFile(examplePath("customers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(
		`delimiter: ","`, "delimiter: auto",
		"encoding: utf-8", "encoding: auto",
		"source: ../samples/customers.csv", "source: "+abs,
	).Replace(string(b))
	auto := filepath.Join(t.TempDir(), "customers-auto.yaml")
	if err := os.WriteFile(auto, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	utf8Run := runExample(t, auto, "")
	utf16Run := runExample(t, auto, path)
	if !slices.Equal(utf8Run.order, utf16Run.order) {
		t.Fatalf("good rows: UTF-8 %v, UTF-16 %v", utf8Run.order, utf16Run.order)
	}
	if len(utf8Run.order) == 0 {
		t.Fatal("no good row to compare")
	}
	for _, n := range utf8Run.order {
		if got, want := payloadJSON(t, utf16Run.good[n]), payloadJSON(t, utf8Run.good[n]); got != want {
			t.Errorf("row %d:\nUTF-16 %s\n UTF-8 %s", n, got, want)
		}
	}
	for n := range utf8Run.bad {
		if _, ok := utf16Run.bad[n]; !ok {
			t.Errorf("row %d is bad in UTF-8 but not in UTF-16", n)
		}
	}
}

func trimBOM(s string) string {
	if len(s) >= 3 && s[:3] == "\ufeff" {
		return s[3:]
	}
	return s
}
