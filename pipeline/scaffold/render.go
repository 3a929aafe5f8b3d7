package scaffold

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// YAML writes the mapping file. source is the input's path as the mapping
// names it (relative to the mapping file's folder); name is how the
// mapping file is called in the comment (its path, or "" for none).
func (d *Draft) YAML(source, name string) []byte {
	t, e := d.Table, d.Entity
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Mapping for %s, written by stbulk init from its header and %s.\n", comment(source), sampleSize(t))
	w("# Check each field, then: stbulk validate %s\n", comment(orDefault(name, "MAPPING.yaml")))
	w("#\n")
	if t.Workbook {
		w("# Read as a workbook: sheet %q of %s, header on row %d.\n", comment(t.Sheet), comment(quoteList(t.Sheets)), t.HeaderRow)
	} else {
		w("# Read as CSV: %s, %s between fields, header on line %d.\n", t.Dialect.Encoding, delimName(t.Dialect.Delimiter), t.HeaderRow)
	}
	if t.Bad > 0 {
		w("# %d sampled row(s) could not be read (validate names them).\n", t.Bad)
	}
	w("# Entity: %s, %d of %d columns mapped", e.Name, len(d.Fields), len(t.Header))
	if d.Given {
		w(" (given with --entity)")
	}
	w(".\n")
	if ru := d.runnerUp(); ru != nil {
		w("# Runner-up: %s (%d column(s) match its fields, score %.2f against %.2f); use --entity %s for it.\n",
			ru.Entity.Name, ru.Matched, ru.Score, d.score(), ru.Entity.Name)
	}
	for _, n := range d.Notes {
		w("# Check: %s.\n", comment(n))
	}
	w("version: 1\n")
	w("description: %s\n", scalar(fmt.Sprintf("%s from %s", e.Name, filepath.Base(t.Path))))
	w("import: %s\n", e.Name)
	w("source: %s\n", scalar(source))
	if t.Workbook {
		w("xlsx:\n  sheet: %s\n  header_row: %d\n", scalar(t.Sheet), t.HeaderRow)
	} else {
		enc, why := d.encoding()
		w("csv:\n  delimiter: %s\n", delimYAML(t.Dialect.Delimiter))
		if why != "" {
			w("  # %s\n", why)
		}
		w("  encoding: %s\n  header_row: %d\n", enc, t.HeaderRow)
	}
	w("fields:\n")
	for _, f := range d.Fields {
		col := t.Header[f.Column]
		w("  # %s: %s", comment(col), comment(f.Match))
		for _, ev := range f.Rule.Evidence {
			w("; %s", comment(ev))
		}
		w("\n")
		w("  %s: %s\n", f.Target.Name, f.render(col))
	}
	if len(d.Unmapped) > 0 {
		w("  # Columns not mapped, with the fields they resemble:\n")
	}
	for _, c := range d.Unmapped {
		col := t.Header[c]
		what, steps := describe(values(t.Rows, c))
		line := fmt.Sprintf("%s: %s", comment(col), comment(what))
		if cs := candidates(e, col, 3); len(cs) > 0 {
			var names []string
			for _, x := range cs {
				taken := ""
				if d.mapped(x.Field) {
					taken = ", taken"
				}
				names = append(names, fmt.Sprintf("%s %.2f%s", x.Field, x.Score, taken))
			}
			line += "; resembles " + strings.Join(names, ", ")
		}
		w("  # %s\n", line)
		if e.CustomFields && !strings.ContainsAny(col, "\r\n") {
			f := Field{Rule: Rule{Transforms: steps}}
			if len(steps) == 0 {
				f.Rule.Transforms = []Step{{Name: "trim"}}
			}
			w("  #   as a custom field: customFieldValues.%s: %s\n", col, f.render(col))
		}
	}
	return b.Bytes()
}

func (d *Draft) score() float64 {
	for _, s := range d.Ranking {
		if s.Entity.Name == d.Entity.Name {
			return s.Score
		}
	}
	return 0
}

// runnerUp is the best entity other than the one chosen that matched any
// column.
func (d *Draft) runnerUp() *Scored {
	for i, s := range d.Ranking {
		if s.Entity.Name != d.Entity.Name && s.Matched > 0 {
			return &d.Ranking[i]
		}
	}
	return nil
}

// encoding is what csv.encoding says: the one detected, except plain
// ASCII UTF-8 (auto keeps detecting further down the file) and encodings
// a mapping cannot name.
func (d *Draft) encoding() (string, string) {
	enc := d.Table.Dialect.Encoding
	switch enc {
	case "utf-8":
		if !d.Table.NonASCII {
			return "auto", "plain ASCII in the sample: auto reads UTF-8, and windows-1252 if it turns up further down"
		}
		return enc, ""
	case "windows-1252", "iso-8859-1", "iso-8859-15", "utf-16le", "utf-16be":
		return enc, ""
	}
	return "auto", fmt.Sprintf("detected as %s, which auto finds again", enc)
}

func sampleSize(t *Table) string {
	n := len(t.Rows) + t.Bad
	if t.More {
		return fmt.Sprintf("its first %d rows", n)
	}
	return fmt.Sprintf("all of its %d rows", n)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return "sheets " + strings.Join(q, ", ")
}

func delimName(r rune) string {
	if r == '\t' {
		return "TAB"
	}
	return fmt.Sprintf("%q", string(r))
}

func delimYAML(r rune) string {
	if r == '\t' {
		return "tab"
	}
	return scalar(string(r))
}

// render writes a field's rule in flow style.
func (f Field) render(col string) string {
	parts := []string{"column: " + scalar(col)}
	if f.Rule.Required {
		parts = append(parts, "required: true")
	}
	if len(f.Rule.Transforms) > 0 {
		parts = append(parts, "transform: "+steps(f.Rule.Transforms))
	}
	if len(f.Rule.Checks) == 1 {
		parts = append(parts, "check: "+step(f.Rule.Checks[0]))
	} else if len(f.Rule.Checks) > 1 {
		parts = append(parts, "check: "+steps(f.Rule.Checks))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

func steps(ss []Step) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = step(s)
	}
	return "[" + strings.Join(out, ", ") + "]"
}

func step(s Step) string {
	switch a := s.Arg.(type) {
	case nil:
		return s.Name
	case string:
		return "{ " + s.Name + ": " + scalar(a) + " }"
	case map[string]any:
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		kv := make([]string, len(keys))
		for i, k := range keys {
			kv[i] = k + ": " + scalar(fmt.Sprint(a[k]))
		}
		return "{ " + s.Name + ": { " + strings.Join(kv, ", ") + " } }"
	}
	return s.Name
}

var plainSafe = regexp.MustCompile(`^[\p{L}./_][\p{L}\p{N}_ ./°()-]*[\p{L}\p{N}_.°)]$|^[\p{L}]$`)

// reserved are plain words YAML could read as something else than text.
var reserved = []string{"true", "false", "yes", "no", "on", "off", "null", "y", "n"}

// scalar writes s as a YAML scalar: plain when that reads back as the same
// text, else double-quoted (JSON's escapes are YAML's).
func scalar(s string) string {
	if plainSafe.MatchString(s) && !strings.Contains(s, "  ") {
		lower := strings.ToLower(s)
		isReserved := false
		for _, r := range reserved {
			if lower == r {
				isReserved = true
			}
		}
		if !isReserved {
			return s
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// comment makes text fit on a comment line.
func comment(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
