package pipeline

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/stbulk/stbulk/pipeline/internal/mapfile"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/transforms"
	"github.com/stbulk/stbulk/writers"
	"github.com/stbulk/stbulk/writers/files"
)

// ExportMapping is a loaded and checked export mapping file: what to read
// from the API, with which filters, and what to write.
type ExportMapping struct {
	File        string
	Name        string // the file's base name without extension: names its state
	Kind        *exportKind
	Filters     filterSet
	Spreadsheet string // output file (.xlsx or .csv), relative to the output folder; "" for none
	Format      writers.TableFormat
	Sheets      []*SheetSpec // the kind's sheets, in order, as configured
	Photos      *files.Template
	PDF         *files.Template
	Overlap     time.Duration // re-read window of incremental runs
	// Accounts are the account numbers of an invoice journal.
	Accounts *JournalAccounts
	// References are where a parts export finds the parts to read.
	References *PartReferences
	// Location is the account's time zone, in which the API reads the
	// dates of filters; nil when the mapping does not say.
	Location *time.Location
}

// SheetSpec is one sheet of an export's spreadsheet.
type SheetSpec struct {
	Name    string
	Omit    bool         // the mapping says "Report: false"
	Columns []ColumnSpec // nil: every field, in the kind's order
	def     *sheetDef
}

// ColumnSpec is a column of a sheet: a field of the record, its header and
// the kind of its cells.
type ColumnSpec struct {
	Field  string
	Header string
	Kind   writers.Kind
	kindOf bool // Kind was given in the mapping: cells are converted to it
}

// DefaultOverlap is how far before the last successful run's start an
// incremental run reads again, to catch edits saved late.
const DefaultOverlap = 5 * time.Minute

// Kind returns the name of what the mapping exports.
func (m *ExportMapping) KindName() string { return m.Kind.name }

// SinceFilter names the filter --since sets, "" when the kind has none.
func (m *ExportMapping) SinceFilter() string { return m.Kind.since }

// LoadExport reads and checks an export mapping file; every problem is
// reported at once, as Problems.
func LoadExport(p string) (*ExportMapping, error) {
	data, err := mapfile.Read(p)
	if err != nil {
		return nil, err
	}
	return ParseExport(p, data)
}

var exportTopKeys = []string{"version", "description", "export", "filters", "spreadsheet", "csv", "sheets", "photos", "pdf", "overlap", "timezone", "currency", "accounts", "references"}

// ParseExport checks an export mapping file's content.
func ParseExport(p string, data []byte) (*ExportMapping, error) {
	f, root, err := mapfile.Parse(p, data, "version and export")
	if err != nil {
		return nil, err
	}
	base := path.Base(strings.ReplaceAll(p, `\`, "/"))
	l := &exportLoader{File: f, m: &ExportMapping{File: p, Name: strings.TrimSuffix(base, path.Ext(base)), Overlap: DefaultOverlap}}
	l.top(root)
	if err := f.Result(); err != nil {
		return nil, err
	}
	return l.m, nil
}

// exportLoader checks an export mapping file into an ExportMapping.
type exportLoader struct {
	*mapfile.File
	m *ExportMapping
}

func (l *exportLoader) top(root *yaml.Node) {
	root = mapfile.Deref(root)
	kv, ok := l.Header(root, "the export mapping file", exportTopKeys, "import")
	if !ok {
		return
	}
	names := exportKindNames()
	p, ok := kv["export"]
	if !ok {
		l.Add(root, "missing \"export:\" (one of %s)", strings.Join(names, ", "))
		return
	}
	name, ok := l.Scalar(p[1], "export")
	if !ok {
		return
	}
	k := lookupExportKind(name)
	if k == nil {
		msg := fmt.Sprintf("unknown export %q: export one of %s", name, strings.Join(names, ", "))
		if s := transforms.Suggest(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		l.Add(p[1], "%s", msg)
		return
	}
	l.m.Kind = k
	l.m.Filters = filterSet{}
	if p, ok := kv["filters"]; ok {
		l.filters(p[1])
	}
	if p, ok := kv["spreadsheet"]; ok {
		l.spreadsheet(p[1])
	}
	if p, ok := kv["csv"]; ok {
		if !l.m.Format.CSV {
			l.Add(p[0], "csv options apply to a spreadsheet written as CSV: name it spreadsheet: %s.csv", k.name)
		}
		l.csvFormat(p[1])
	}
	l.m.Sheets = make([]*SheetSpec, len(k.sheets))
	for i := range k.sheets {
		l.m.Sheets[i] = &SheetSpec{Name: k.sheets[i].name, def: &k.sheets[i]}
	}
	if p, ok := kv["sheets"]; ok {
		if l.m.Spreadsheet == "" {
			l.Add(p[0], "sheets need a spreadsheet: name its file with spreadsheet: %s.xlsx", k.name)
		}
		l.sheets(p[1])
	}
	for _, key := range []string{"photos", "pdf"} {
		p, ok := kv[key]
		if !ok {
			continue
		}
		if !k.files {
			l.Add(p[0], "%s applies to jobs only", key)
			continue
		}
		l.template(key, p[1])
	}
	if p, ok := kv["overlap"]; ok {
		if s, ok := l.Scalar(p[1], "overlap"); ok {
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				l.Add(p[1], "overlap must be a duration such as 5m or 1h, got %q", s)
			} else {
				l.m.Overlap = d
			}
		}
	}
	if p, ok := kv["timezone"]; ok {
		if s, ok := l.Scalar(p[1], "timezone"); ok {
			loc, err := time.LoadLocation(s)
			if err != nil || s == "" || s == "Local" {
				l.Add(p[1], "timezone %q: name a time zone such as Europe/Paris, America/New_York or UTC", s)
			} else {
				l.m.Location = loc
			}
		}
	}
	if p, ok := kv["currency"]; ok {
		l.currency(p[1])
	}
	if p, ok := kv["accounts"]; ok {
		l.accounts(p[0], p[1])
	} else if k == &invoiceJournalExport {
		l.Add(root, `an invoice journal needs accounts: { receivable: "411000", revenue: "706000", vat: { "20": "445711" } }`)
	}
	if p, ok := kv["references"]; ok {
		if k != &partsExport {
			l.Add(p[0], "references: apply to parts only")
		} else {
			l.references(p[0], p[1])
		}
	} else if k == &partsExport {
		l.Add(root, "the API cannot list parts: a parts export reads those references: names, e.g. references: { file: parts.csv, column: reference }, or { jobs: true } for the parts jobs used")
	}
	if k == &partsExport && l.m.References != nil && !l.m.References.Jobs {
		if p, ok := kv["filters"]; ok {
			l.Add(p[0], "filters of parts choose the jobs of references: { jobs: true }")
		}
	}
	_, hasSheet := kv["spreadsheet"]
	_, hasPhotos := kv["photos"]
	_, hasPDF := kv["pdf"]
	if !hasSheet && !hasPhotos && !hasPDF {
		what := "spreadsheet: " + k.name + ".xlsx"
		if k.files {
			what += ", photos: or pdf:"
		}
		l.Add(root, "nothing to write: add %s", what)
	}
}

func (l *exportLoader) spreadsheet(n *yaml.Node) {
	s, ok := l.Scalar(n, "spreadsheet")
	if !ok {
		return
	}
	t, err := files.ParseTemplate(s)
	switch {
	case err != nil:
		l.Add(n, "spreadsheet %q: %v", s, err)
		return
	case len(t.Fields()) > 0:
		l.Add(n, "spreadsheet %q: a file name, without {placeholders}", s)
		return
	}
	if reservedName(t.Expand(func(string) string { return "" })) {
		l.Add(n, "spreadsheet %q: that name is taken by the export's own files (summary.json, errors.csv, manifest.json, .stbulk/)", s)
		return
	}
	switch strings.ToLower(path.Ext(s)) {
	case ".xlsx":
	case ".csv":
		l.m.Format.CSV = true
	default:
		l.Add(n, "spreadsheet %q: name a .xlsx or a .csv file", s)
		return
	}
	l.m.Spreadsheet = t.Expand(func(string) string { return "" })
}

func (l *exportLoader) csvFormat(n *yaml.Node) {
	kv := l.Pairs(n, "csv", []string{"delimiter", "decimal", "bom", "date", "datetime"})
	f := &l.m.Format
	if p, ok := kv["delimiter"]; ok {
		if s, ok := l.Scalar(p[1], "csv delimiter"); ok {
			switch s {
			case ",", ";", "|", "\t", "tab", `\t`:
				if s == "tab" || s == `\t` {
					s = "\t"
				}
				f.Delimiter, _ = utf8.DecodeRuneInString(s)
			default:
				l.Add(p[1], "csv delimiter %q: use \",\", \";\", \"|\" or tab", s)
			}
		}
	}
	if p, ok := kv["decimal"]; ok {
		if s, ok := l.Scalar(p[1], "csv decimal"); ok {
			switch s {
			case ".", ",":
				f.Decimal, _ = utf8.DecodeRuneInString(s)
			default:
				l.Add(p[1], "csv decimal %q: use \".\" or \",\"", s)
			}
		}
	}
	if f.Decimal != 0 && f.Decimal == f.Delimiter {
		l.Add(n, "csv decimal and delimiter are both %q: a number would split its cell", string(f.Delimiter))
	} else if f.Decimal == ',' && f.Delimiter == 0 {
		l.Add(n, "csv decimal \",\" needs another delimiter: add delimiter: \";\"")
	}
	if p, ok := kv["bom"]; ok {
		if s, ok := l.Scalar(p[1], "csv bom"); ok {
			switch s {
			case "true":
				f.BOM = true
			case "false":
			default:
				l.Add(p[1], "csv bom must be true or false, got %q", s)
			}
		}
	}
	for _, key := range []string{"date", "datetime"} {
		p, ok := kv[key]
		if !ok {
			continue
		}
		s, ok := l.Scalar(p[1], "csv "+key)
		if !ok {
			continue
		}
		format, err := transforms.DateFormatter(s)
		if err != nil {
			l.Add(p[1], "csv %s: %v", key, err)
			continue
		}
		if key == "date" {
			f.FormatDate = format
		} else {
			f.FormatDateTime = format
		}
	}
}

var columnKeys = []string{"field", "header", "type"}

// sheets reads "sheets:": per sheet of the kind, false to leave it out, or
// its columns (a list, or a mapping with columns:).
func (l *exportLoader) sheets(n *yaml.Node) {
	var names []string
	for _, s := range l.m.Sheets {
		names = append(names, s.Name)
	}
	kv := l.Pairs(n, "sheets", names)
	for _, s := range l.m.Sheets {
		p, ok := kv[s.Name]
		if !ok {
			continue
		}
		v := mapfile.Deref(p[1])
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!!bool":
			if v.Value == "false" {
				s.Omit = true
			}
		case v.Kind == yaml.MappingNode:
			ckv := l.Pairs(v, "sheet "+s.Name, []string{"columns"})
			if c, ok := ckv["columns"]; ok {
				l.columns(s, c[1])
			}
		case v.Kind == yaml.SequenceNode:
			l.columns(s, v)
		default:
			l.Add(v, "sheet %s: give its columns (a list) or false to leave it out, got %s", s.Name, mapfile.Describe(v))
		}
	}
	if l.m.Sheets[0].Omit && l.m.Spreadsheet != "" {
		l.Add(n, "the %s sheet cannot be left out: it holds one row per %s", l.m.Sheets[0].Name, l.m.Kind.item)
	}
}

func (l *exportLoader) columns(s *SheetSpec, n *yaml.Node) {
	n = mapfile.Deref(n)
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		l.Add(n, "columns of sheet %s must be a list of fields, got %s", s.Name, mapfile.Describe(n))
		return
	}
	s.Columns = []ColumnSpec{}
	seen := map[string]int{}
	for _, item := range n.Content {
		item = mapfile.Deref(item)
		var c ColumnSpec
		at, headerAt := item, item
		switch item.Kind {
		case yaml.ScalarNode:
			c.Field, _ = l.Scalar(item, "a column")
		case yaml.MappingNode:
			kv := l.Pairs(item, "a column", columnKeys)
			p, ok := kv["field"]
			if !ok {
				l.Add(item, "a column needs field: (the record's field to write)")
				continue
			}
			at = p[1]
			c.Field, _ = l.Scalar(p[1], "field")
			headerAt = p[1]
			if p, ok := kv["header"]; ok {
				c.Header, _ = l.Scalar(p[1], "header")
				headerAt = p[1]
			}
			if p, ok := kv["type"]; ok {
				if t, ok := l.Scalar(p[1], "type"); ok {
					k, found := cellKinds[t]
					if !found {
						l.Add(p[1], "type %q: use text, number, money, percent, date or datetime", t)
					}
					c.Kind, c.kindOf = k, found
				}
			}
		default:
			l.Add(item, "a column is a field name or {field, header, type}, got %s", mapfile.Describe(item))
			continue
		}
		if c.Field == "" {
			continue
		}
		kind, header, ok := s.def.lookup(c.Field)
		if !ok {
			msg := fmt.Sprintf("sheet %s has no field %q", s.Name, c.Field)
			if sug := transforms.Suggest(c.Field, s.def.names()); sug != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", sug)
			} else {
				msg += "; fields: " + strings.Join(s.def.names(), ", ")
			}
			l.Add(at, "%s", msg)
			continue
		}
		if !c.kindOf {
			c.Kind = kind
		}
		if c.Header == "" {
			c.Header = header
		}
		if line, dup := seen[strings.ToLower(c.Header)]; dup && !strings.HasSuffix(c.Field, "*") {
			l.Add(headerAt, "two columns of sheet %s are headed %q (the first at line %d): give one a header:", s.Name, c.Header, line)
		}
		seen[strings.ToLower(c.Header)] = at.Line
		s.Columns = append(s.Columns, c)
	}
}

var cellKinds = map[string]writers.Kind{
	"text": writers.KindText, "number": writers.KindNumber, "date": writers.KindDate, "datetime": writers.KindDateTime,
	"money": writers.KindMoney, "percent": writers.KindPercent,
}

// currency reads "currency:", the ISO 4217 code of the amounts.
func (l *exportLoader) currency(n *yaml.Node) {
	s, ok := l.Scalar(n, "currency")
	if !ok {
		return
	}
	if !currencyCode(s) {
		msg := fmt.Sprintf("currency %q: give an ISO 4217 code in capitals, such as EUR, USD or GBP", s)
		if up := strings.ToUpper(strings.TrimSpace(s)); currencyCode(up) {
			msg += fmt.Sprintf(" (did you mean %q?)", up)
		} else if c, ok := currencySymbols[strings.TrimSpace(s)]; ok {
			msg += fmt.Sprintf(" (did you mean %q?)", c)
		}
		l.Add(n, "%s", msg)
		return
	}
	l.m.Format.Currency = s
}

// currencyCode reports whether s is written as an ISO 4217 code: three
// capital letters.
func currencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// currencySymbols are symbols given for a currency, for "did you mean".
var currencySymbols = map[string]string{"€": "EUR", "$": "USD", "£": "GBP", "euro": "EUR", "euros": "EUR", "Euro": "EUR"}

func (l *exportLoader) template(key string, n *yaml.Node) {
	s, ok := l.Scalar(n, key)
	if !ok {
		return
	}
	t, err := files.ParseTemplate(s)
	if err != nil {
		l.Add(n, "%s %q: %v", key, s, err)
		return
	}
	fields := l.m.Kind.templateFields(key)
	keyed := false
	for _, f := range t.Fields() {
		if key == "pdf" && !slices.Contains(fields, f) && slices.Contains(l.m.Kind.templateFields("photos"), f) {
			l.Add(n, "pdf %q: {%s} names a photo; a PDF's name can use %s", s, f, strings.Join(fields, ", "))
			return
		}
		if !slices.Contains(fields, f) {
			msg := fmt.Sprintf("%s %q: no field {%s}", key, s, f)
			if sug := transforms.Suggest(f, fields); sug != "" {
				msg += fmt.Sprintf(" (did you mean {%s}?)", sug)
			} else {
				msg += "; fields: " + strings.Join(fields, ", ")
			}
			l.Add(n, "%s", msg)
			return
		}
		if f == "num" || f == "id" {
			keyed = true
		}
	}
	if !keyed {
		l.Add(n, "%s %q must hold {num} or {id}: without it, jobs would overwrite each other's files", key, s)
		return
	}
	if key == "photos" {
		l.m.Photos = t
	} else {
		l.m.PDF = t
	}
}

// filters reads "filters:" against the kind's filter catalog.
func (l *exportLoader) filters(n *yaml.Node) {
	k := l.m.Kind
	var names []string
	for _, f := range k.filters {
		names = append(names, f.name)
	}
	if len(names) == 0 {
		l.Add(n, "%s has no filters", k.name)
		return
	}
	kv := l.Pairs(n, "filters of "+k.name, names)
	for _, f := range k.filters {
		p, ok := kv[f.name]
		if !ok {
			continue
		}
		if v, ok := l.filterValue(f, p[1]); ok {
			l.m.Filters[f.name] = v
		}
	}
}

func (l *exportLoader) filterValue(f filterDef, n *yaml.Node) (any, bool) {
	n = mapfile.Deref(n)
	what := "filter " + f.name
	switch f.typ {
	case filterRef, filterJobRef:
		keys := []string{"id", "myId", "name"}
		if f.typ == filterJobRef {
			keys = []string{"id", "myId", "num"}
		}
		if n.Kind != yaml.MappingNode {
			l.Add(n, "%s names a record by one of %s, e.g. { myId: C-001 }, got %s", what, strings.Join(keys, ", "), mapfile.Describe(n))
			return nil, false
		}
		kv := l.Pairs(n, what, keys)
		if len(kv) != 1 {
			if len(kv) > 1 {
				l.Add(n, "%s: give one of %s, not several", what, strings.Join(keys, ", "))
			}
			return nil, false
		}
		for key, p := range kv {
			s, ok := l.Scalar(p[1], what+" "+key)
			if !ok || s == "" {
				return nil, false
			}
			return synchroteam.Lookup{Param: key, Value: s}, true
		}
	}
	s, ok := l.Scalar(n, what)
	if !ok {
		return nil, false
	}
	switch f.typ {
	case filterText:
		if s == "" {
			l.Add(n, "%s is empty", what)
			return nil, false
		}
		return s, true
	case filterDate:
		t, err := synchroteam.ParseTime(s)
		if err != nil {
			l.Add(n, "%s: %v", what, err)
			return nil, false
		}
		return t, true
	case filterBool:
		switch s {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		l.Add(n, "%s must be true or false, got %q", what, s)
	case filterChoice:
		for i, c := range f.choices {
			if strings.EqualFold(s, c) || s == strconv.Itoa(i) {
				return c, true
			}
		}
		l.Add(n, "%s %q: use one of %s", what, s, strings.Join(f.choices, ", "))
	}
	return nil, false
}

// IsExport reports whether a mapping file's content is an export mapping
// (it has a top-level "export:" key), to tell the two kinds apart before
// loading.
func IsExport(data []byte) bool { return mapfile.Declares(data, "export") }
