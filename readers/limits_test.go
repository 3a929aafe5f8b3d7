package readers

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestCSVLimits reads files past each limit: a row with too many fields or
// a field too long is one short row error and reading goes on; a record
// longer than a row may be stops the reading with an error naming where.
func TestCSVLimits(t *testing.T) {
	t.Parallel()
	small := Limits{FieldsPerRow: 8, FieldBytes: 16, RowBytes: 256}
	tests := []struct {
		name   string
		text   string
		limits Limits
		want   []string // "row N", or "error N: message", or "fatal: message" last
	}{
		{
			name:   "too many fields",
			text:   "a,b,c\n1,2,3\n" + strings.Repeat("x,", 20) + "x\n4,5,6\n",
			limits: small,
			want: []string{"row 2",
				"error 3: t.csv:3: 21 fields, more than the limit of 8 a row (limits: fields_per_row in the mapping raises it)",
				"row 4"},
		},
		{
			name:   "commas only are no blank row past the limit",
			text:   "a,b,c\n" + strings.Repeat(",", 40) + "\n1,2,3\n",
			limits: small,
			want: []string{"error 2: t.csv:2: 41 fields, more than the limit of 8 a row (limits: fields_per_row in the mapping raises it)",
				"row 3"},
		},
		{
			name:   "field too long",
			text:   "a,b,c\n1," + strings.Repeat("y", 17) + ",3\n4,5,6\n",
			limits: small,
			want: []string{"error 2: t.csv:2: column b: the value is 17 bytes, more than the limit of 16 bytes (limits: field_bytes in the mapping raises it)",
				"row 3"},
		},
		{
			name:   "field at the limit",
			text:   "a,b,c\n1," + strings.Repeat("y", 16) + ",3\n",
			limits: small,
			want:   []string{"row 2"},
		},
		{
			name:   "row too long",
			text:   "a,b,c\n1,2,3\n\n\"" + strings.Repeat("z", 200_000) + "\",2,3\n4,5,6\n",
			limits: small,
			want:   []string{"row 2", "error 4: t.csv:4: the row is longer than 256 bytes (limits: row_bytes in the mapping raises it)", "row 5"},
		},
		{
			name:   "row too long, its quoted fields over several lines",
			text:   "a,b,c\r\n1,2,3\r\n\"x\r\n" + strings.Repeat("z,\"\"\n", 1000) + "\",2,\"3\r\n\"\r\n4,\"5\n5\",6\r\n7,8,9\r\n",
			limits: small,
			want: []string{"row 2", "error 3: t.csv:3: the row is longer than 256 bytes (limits: row_bytes in the mapping raises it)",
				"row 4", "row 5"},
		},
		{
			name:   "row too long at the end, its quote never closed",
			text:   "a,b,c\n1,2,3\n4,\"" + strings.Repeat("z\n", 3000),
			limits: small,
			want:   []string{"row 2", "error 3: t.csv:3: the row is longer than 256 bytes (limits: row_bytes in the mapping raises it)"},
		},
		{
			name:   "a line of commas past the default row limit",
			text:   "a,b,c\n" + strings.Repeat(",", 3<<20) + "\n1,2,3\n",
			limits: Limits{},
			want:   []string{"error 2: t.csv:2: the row is longer than 2 MiB (limits: row_bytes in the mapping raises it)", "row 3"},
		},
		{
			name:   "extra fields are shown cut short",
			text:   "a,b\n1,2," + strings.Repeat("q", 300) + "\n",
			limits: Limits{},
			want:   []string{`error 2: t.csv:2: 3 fields, but the header has 2 (extra: "` + strings.Repeat("q", 200) + `"… and 100 bytes more)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := NewCSV(strings.NewReader(tt.text), "t.csv", CSVOptions{Delimiter: ',', Limits: tt.limits})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var got []string
			for len(got) < 100 {
				row, err := src.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var re *RowError
				if errors.As(err, &re) {
					got = append(got, "error "+itoa(re.Row)+": "+re.Error())
					if len(re.Cells) > len(src.Header()) {
						t.Errorf("row %d: %d cells for %d columns", re.Row, len(re.Cells), len(src.Header()))
					}
					continue
				}
				if err != nil {
					got = append(got, "fatal: "+err.Error())
					break
				}
				got = append(got, "row "+itoa(row.Num))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestCSVHeaderLimits: a header past the limits is an error at open.
func TestCSVHeaderLimits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text, want string
	}{
		{strings.Repeat("c,", 9) + "c\n1\n", "t.csv:1: header: 10 fields, more than the limit of 8 a row (limits: fields_per_row in the mapping raises it)"},
		{"a," + strings.Repeat("n", 20) + "\n", "t.csv:1: header: field 2 holds 20 bytes, more than the limit of 16 bytes (limits: field_bytes in the mapping raises it)"},
		{"title\n" + strings.Repeat("n", 5000) + "\n", "t.csv:2: header: the row is longer than 256 bytes (limits: row_bytes in the mapping raises it)"},
	} {
		_, err := NewCSV(strings.NewReader(tt.text), "t.csv", CSVOptions{Delimiter: ',', HeaderRow: 2, Limits: Limits{FieldsPerRow: 8, FieldBytes: 16, RowBytes: 256}})
		if tt.text[0] != 't' {
			_, err = NewCSV(strings.NewReader(tt.text), "t.csv", CSVOptions{Delimiter: ',', Limits: Limits{FieldsPerRow: 8, FieldBytes: 16, RowBytes: 256}})
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("err = %v\nwant   %s", err, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"1048576", 1 << 20, false},
		{"512 KiB", 512 << 10, false},
		{"1MiB", 1 << 20, false},
		{"4 GiB", 4 << 30, false},
		{"2 MB", 2 << 20, false},
		{"10b", 10, false},
		{"0", 0, true},
		{"-1 KiB", 0, true},
		{"1.5 MiB", 0, true},
		{"3 TiB", 0, true},
		{"MiB", 0, true},
		{"", 0, true},
		{"99999999999 GiB", 0, true},
	} {
		got, err := ParseSize(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestCSVLongRowLazyAndWideDelimiter: with lazy quotes a long row is
// skipped by lazy rules; with a delimiter of several bytes where it ends
// cannot be told, and reading stops with an error naming where.
func TestCSVLongRowLazyAndWideDelimiter(t *testing.T) {
	t.Parallel()
	limits := Limits{RowBytes: 64}
	long := "4,x\"y" + strings.Repeat("w", 5000) + "\n"
	src, err := NewCSV(strings.NewReader("a,b\n1,2\n"+long+"5,6\n"), "t.csv", CSVOptions{Delimiter: ',', LazyQuotes: true, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	o := readAll(t, src)
	if got := strings.Join(o.Lines, ", "); got != "row 2, error 3, row 4" {
		t.Errorf("lazy: %s", got)
	}
	src, err = NewCSV(strings.NewReader("a§b\n1§2\n"+strings.Repeat("w", 5000)+"\n5§6\n"), "t.csv", CSVOptions{Delimiter: '§', Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Next(); err != nil {
		t.Fatal(err)
	}
	_, err = src.Next()
	want := "t.csv: the row after row 2 is longer than 64 bytes (limits: row_bytes in the mapping raises it); reading stopped there, since where that row ends cannot be told safely"
	if err == nil || err.Error() != want {
		t.Errorf("wide delimiter: err = %v\nwant %s", err, want)
	}
}
