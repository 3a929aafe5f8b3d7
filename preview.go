package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/stbulk/stbulk/pipeline"
	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// previewWidth is the most characters a cell of the preview shows.
const previewWidth = 28

// printPreview shows, for each mapping of a dry run, its first n payloads
// as a table whose columns are the API fields the mapping fills, then its
// first n rows not sent with their reasons.
func printPreview(w io.Writer, sum *pipeline.Summary, maps []*pipeline.Mapping, n int) error {
	for _, ms := range sum.Mappings {
		i := slices.IndexFunc(maps, func(m *pipeline.Mapping) bool { return m.File == ms.Mapping })
		if i < 0 || ms.Payloads == "" {
			continue
		}
		m := maps[i]
		fmt.Fprintf(w, "\n%s (%s): the first %d of %d payloads\n", filepath.Base(m.File), m.Entity.Name, min(n, ms.Sent), ms.Sent)
		if err := previewPayloads(w, m, ms.Payloads, n); err != nil {
			return err
		}
		if ms.NotSent() > 0 {
			fmt.Fprintf(w, "not sent: the first %d of %d rows (%s)\n", min(n, ms.NotSent()), ms.NotSent(), ms.Errors)
			if err := previewNotSent(w, ms.Errors, n); err != nil {
				return err
			}
		}
	}
	return nil
}

func previewPayloads(w io.Writer, m *pipeline.Mapping, path string, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cols := []string{"_row"}
	for _, r := range m.Fields {
		if !slices.Contains(cols, r.Target.Name) {
			cols = append(cols, r.Target.Name)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for shown := 0; shown < n && sc.Scan(); shown++ {
		var line struct {
			Row     int            `json:"_row"`
			Payload map[string]any `json:"payload"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		cells := []string{strconv.Itoa(line.Row)}
		for _, c := range cols[1:] {
			cells = append(cells, cut(cellText(fieldValue(line.Payload, c))))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return tw.Flush()
}

// fieldValue is the value of an API field in a payload as payloads.jsonl
// holds it: dotted fields nested, custom fields in their list.
func fieldValue(p map[string]any, field string) any {
	if name, ok := catalog.CustomFieldName(field); ok {
		list, _ := p["customFieldValues"].([]any)
		for _, it := range list {
			if cf, ok := it.(map[string]any); ok && cf["name"] == name {
				return cf["value"]
			}
		}
		return nil
	}
	v, _ := catalog.Value(p, field)
	return v
}

// cellText writes a value on one line: lists joined by "; ", a file by its
// path.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = cellText(it)
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		if p, ok := x["path"].(string); ok {
			return p
		}
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// cut keeps a cell on one short line.
func cut(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= previewWidth {
		return s
	}
	r := []rune(s)
	return string(r[:previewWidth-1]) + "…"
}

// previewNotSent lists the first n rows of an errors file: row and reason.
func previewNotSent(w io.Writer, path string, n int) error {
	src, err := readers.Open(path, readers.CSVOptions{}, readers.XLSXOptions{})
	if err != nil {
		return err
	}
	defer src.Close()
	h := src.Header()
	rowAt, errAt := slices.Index(h, "_row"), slices.Index(h, "_error")
	if rowAt < 0 || errAt < 0 {
		return fmt.Errorf("%s: no _row and _error columns", path)
	}
	for shown := 0; shown < n; {
		row, err := src.Next()
		if err == io.EOF {
			return nil
		}
		var re *readers.RowError
		if errors.As(err, &re) {
			row.Cells = re.Cells
		} else if err != nil {
			return err
		}
		if len(row.Cells) > max(rowAt, errAt) {
			fmt.Fprintf(w, "  row %s: %s\n", row.Cells[rowAt], row.Cells[errAt])
			shown++
		}
	}
	return nil
}
