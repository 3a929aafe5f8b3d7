package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stbulk/stbulk/pipeline/internal/mapfile"
	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam"
)

// partsExport reads parts: Part/Details of each reference the mapping's
// references: give, since the API has no list of parts.
var partsExport = exportKind{
	name: "parts", item: "part", fetch: fetchParts,
	sheets: []sheetDef{{name: "Parts", fields: concat(fields(text, "reference", "name"), fields(number, "price"),
		fields(text, "taxId"), fields(number, "taxVal"), fields(text, "categoryId", "categoryName"),
		fields(number, "minQuantity"), fields(text, "tracked", "serializable", "id"))}},
	// The jobs whose parts references: { jobs: true } reads.
	filters: []filterDef{{name: "dateFrom", typ: filterDate}, {name: "dateTo", typ: filterDate}},
}

// PartReferences says where a parts export finds the references of the
// parts to read: a column of a CSV or XLSX file, the parts used in jobs,
// or both.
type PartReferences struct {
	File   string // CSV or XLSX file, relative to the mapping file when read
	Column string // its column of references
	Sheet  string // XLSX: the sheet, the first visible one when ""
	// Jobs adds the parts the jobs list (Jobs/Search with the filters
	// dateFrom and dateTo, then Jobs/Detail of each).
	Jobs bool
}

var referencesKeys = []string{"file", "column", "sheet", "jobs"}

// references reads "references:" of a parts export.
func (l *exportLoader) references(k, n *yaml.Node) {
	n = mapfile.Deref(n)
	if n.Kind != yaml.MappingNode {
		l.Add(n, "references: give { file: parts.csv, column: reference } or { jobs: true }, got %s", mapfile.Describe(n))
		return
	}
	kv := l.Pairs(n, "references", referencesKeys)
	r := &PartReferences{}
	scalar := func(key string) (string, *yaml.Node, bool) {
		p, ok := kv[key]
		if !ok {
			return "", nil, false
		}
		s, ok := l.Scalar(p[1], "references "+key)
		if ok && strings.TrimSpace(s) == "" {
			l.Add(p[1], "references %s is empty", key)
			ok = false
		}
		return s, p[0], ok
	}
	file, fileAt, hasFile := scalar("file")
	col, colAt, hasCol := scalar("column")
	sheet, sheetAt, hasSheet := scalar("sheet")
	switch {
	case hasFile && !hasCol && colAt == nil:
		l.Add(fileAt, "references: name the file's column of references: column: reference")
	case hasCol && fileAt == nil:
		l.Add(colAt, "references: column: needs file: (a CSV or XLSX file of references)")
	}
	if hasSheet && fileAt == nil {
		l.Add(sheetAt, "references: sheet: needs file: (an XLSX file)")
	}
	if hasFile {
		if !filepath.IsAbs(file) {
			file = filepath.Join(filepath.Dir(l.m.File), file)
		}
		r.File, r.Column, r.Sheet = file, col, sheet
	}
	if p, ok := kv["jobs"]; ok {
		if s, ok := l.Scalar(p[1], "references jobs"); ok {
			switch s {
			case "true":
				r.Jobs = true
			case "false":
			default:
				l.Add(p[1], "references jobs must be true or false, got %q", s)
			}
		}
	}
	if fileAt == nil && !r.Jobs {
		l.Add(k, "references: give a file of references ({ file: parts.csv, column: reference }), jobs: true (the parts jobs used), or both")
	}
	l.m.References = r
}

// partKey names a part read by reference, or by id for a job's
// part without one, in errors.csv and warnings.
func partKey(by synchroteam.Lookup) string {
	if by.Param == "id" {
		return "part id " + by.Value
	}
	return "part " + by.Value
}

func fetchParts(ctx context.Context, e *exporter) error {
	r := e.m.References
	var list []synchroteam.Lookup
	seen := map[synchroteam.Lookup]bool{}
	add := func(by synchroteam.Lookup) {
		by.Value = strings.TrimSpace(by.Value)
		if by.Value != "" && !seen[by] {
			seen[by] = true
			list = append(list, by)
		}
	}
	if r.File != "" {
		refs, err := readReferences(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &FatalError{Err: err}
		}
		for _, s := range refs {
			add(synchroteam.Lookup{Param: "reference", Value: s})
		}
	}
	if r.Jobs {
		used, err := e.partsOfJobs(ctx)
		if err != nil {
			return err
		}
		for _, by := range used {
			add(by)
		}
	}
	e.setFound(len(list))
	return each(ctx, e, list, partKey, func(ctx context.Context, by synchroteam.Lookup) error {
		p, err := e.c.Parts.Get(ctx, by)
		if err != nil {
			return fmt.Errorf("Part/Details: %w", err)
		}
		return e.part(p)
	})
}

// readReferences reads the column of references of r's file, in file
// order, at most MaxLookupSize bytes of them. A row that cannot be read
// is an error: no reference is left out unsaid.
func readReferences(ctx context.Context, r *PartReferences) ([]string, error) {
	src, err := readers.OpenContext(ctx, r.File, readers.CSVOptions{}, readers.XLSXOptions{Sheet: r.Sheet})
	if err != nil {
		return nil, fmt.Errorf("references: %w", err)
	}
	defer src.Close()
	header := src.Header()
	if len(header) == 0 {
		return nil, fmt.Errorf("references: %s has no header row (the file is empty)", r.File)
	}
	col := columnIndex(header, r.Column)
	if col < 0 {
		return nil, fmt.Errorf("references: %s", notInHeader(r.Column, r.File, header))
	}
	var out []string
	size := 0
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("references: %w", err)
		}
		s := strings.TrimSpace(row.Cells[col])
		if s == "" {
			continue
		}
		if size += len(s); size > MaxLookupSize {
			return nil, fmt.Errorf("references: %s holds more than %d MiB of references", r.File, MaxLookupSize>>20)
		}
		out = append(out, strings.Clone(s))
	}
}

// partsOfJobs lists the parts the jobs of the filters used, each once, by
// reference (by id when a job's part has none), sorted.
func (e *exporter) partsOfJobs(ctx context.Context) ([]synchroteam.Lookup, error) {
	used := map[synchroteam.Lookup]bool{}
	err := e.eachJobDetail(ctx, func(_ synchroteam.JobRef, j *synchroteam.Job) {
		for _, p := range j.Parts {
			switch {
			case strings.TrimSpace(p.Reference) != "":
				used[synchroteam.Lookup{Param: "reference", Value: strings.TrimSpace(p.Reference)}] = true
			case p.ID != "":
				used[synchroteam.ByID(p.ID)] = true
			}
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]synchroteam.Lookup, 0, len(used))
	for by := range used {
		out = append(out, by)
	}
	slices.SortFunc(out, func(a, b synchroteam.Lookup) int {
		if c := strings.Compare(a.Param, b.Param); c != 0 {
			return -c // references before ids
		}
		return compareKeys(a.Value, b.Value)
	})
	return out, nil
}

// part emits the row of a part, keyed by its reference.
func (e *exporter) part(p *synchroteam.Part) error {
	key := p.Reference
	if key == "" {
		key = "id:" + string(p.ID)
	}
	warn := e.warn("part " + key)
	rw := row{
		"reference": textCell(p.Reference), "name": textCell(p.Name), "price": numberCell(p.Price, "price", warn),
		"taxId": textCell(string(p.TaxID)), "taxVal": numberCell(p.TaxValue, "tax rate", warn),
		"categoryId": textCell(string(p.CategoryID)), "categoryName": textCell(p.CategoryName),
		"minQuantity": numberCell(p.MinQuantity, "minimum quantity", warn),
		"tracked":     yesNo(p.Tracked), "serializable": yesNo(p.Serializable), "id": textCell(string(p.ID)),
	}
	r := newRecord(key)
	r.add("Parts", rw)
	return e.emit(r)
}
