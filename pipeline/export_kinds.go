package pipeline

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// filterType is the type of a search filter's value.
type filterType int

const (
	filterText   filterType = iota
	filterDate              // a date, or a date and time
	filterBool              // true or false
	filterRef               // a customer, site or equipment by id, myId or name
	filterJobRef            // a job by id, myId or num
	filterChoice            // one of choices (by name or index)
)

type filterDef struct {
	name    string
	typ     filterType
	choices []string
}

// filterSet holds the filters of a mapping, by name: string, time.Time,
// bool or synchroteam.Lookup values.
type filterSet map[string]any

func (f filterSet) text(name string) string { s, _ := f[name].(string); return s }

func (f filterSet) time(name string) (time.Time, bool) { t, ok := f[name].(time.Time); return t, ok }

func (f filterSet) ref(name string) *synchroteam.Ref {
	l, ok := f[name].(synchroteam.Lookup)
	if !ok {
		return nil
	}
	r := &synchroteam.Ref{}
	switch l.Param {
	case "id":
		r.ID = synchroteam.ID(l.Value)
	case "myId":
		r.MyID = l.Value
	default:
		r.Name = l.Value
	}
	return r
}

func (f filterSet) boolean(name string) synchroteam.Bool {
	b, ok := f[name].(bool)
	if !ok {
		return synchroteam.Bool{}
	}
	return synchroteam.NewBool(b)
}

// exportField is a field of a sheet's rows.
type exportField struct {
	name string
	kind writers.Kind
}

// sheetDef is a sheet an export writes: its fields in their default order,
// and the prefixes of fields found in the data (custom fields, report items).
type sheetDef struct {
	name    string
	fields  []exportField
	dynamic []string // e.g. "customFieldValues.": any name after it is a text field
	// derive, when set, makes the sheet's rows from the rows of another
	// sheet of every record (those kept from earlier runs too), in place
	// of rows of its own: a summary.
	derive *derivation
	// totals, when set, sums the sheet's rows into rows written after the
	// others in XLSX (CSV files are data for other programs: no totals),
	// not counted as rows. Their totalLabel field is written in their first
	// empty cell.
	totals func() accumulator
}

// accumulator sums rows, record by record (in the order of the sheets),
// into rows of its own: a sheet's totals, or the rows of a derived sheet.
type accumulator interface {
	add(key string, rows []row) // the rows of the record of that key
	rows() []row
}

// derivation makes a sheet from the rows of the sheet named from.
type derivation struct {
	from string
	sum  func() accumulator
}

func (d *sheetDef) lookup(field string) (writers.Kind, string, bool) {
	for _, f := range d.fields {
		if strings.EqualFold(f.name, field) {
			return f.kind, f.name, true
		}
	}
	for _, p := range d.dynamic {
		if len(field) > len(p) && strings.EqualFold(field[:len(p)], p) {
			name := field[len(p):]
			if name == "*" {
				return writers.KindText, p + "*", true
			}
			return writers.KindText, name, true
		}
	}
	return 0, "", false
}

func (d *sheetDef) names() []string {
	var out []string
	for _, f := range d.fields {
		out = append(out, f.name)
	}
	for _, p := range d.dynamic {
		out = append(out, p+"*")
	}
	return out
}

// canonical returns the name under which rows hold a field.
func (d *sheetDef) canonical(field string) string {
	for _, f := range d.fields {
		if strings.EqualFold(f.name, field) {
			return f.name
		}
	}
	for _, p := range d.dynamic {
		if len(field) > len(p) && strings.EqualFold(field[:len(p)], p) {
			return p + field[len(p):]
		}
	}
	return field
}

// exportKind is what an export mapping can export: its sheets, filters and
// how records are fetched.
type exportKind struct {
	name    string
	item    string // one record, in words ("job")
	sheets  []sheetDef
	filters []filterDef
	since   string // the filter --since sets; "" when the API has none
	files   bool   // photos and PDFs can be written
	fetch   func(ctx context.Context, e *exporter) error
}

// templateFields are the fields the photos: and pdf: templates can use.
func (k *exportKind) templateFields(key string) []string {
	fields := []string{"num", "id", "myId", "customerName", "customerMyId", "siteName", "siteMyId", "equipmentName", "technician", "status", "type", "typeId", "scheduledDate", "realDate"}
	if key == "photos" {
		fields = append(fields, "iteration", "index", "fileName", "comment")
	}
	return fields
}

// exportKinds are what export mappings can export, in the order they are
// listed.
var exportKinds = []*exportKind{&jobsExport, &invoicesExport, &invoiceJournalExport, &customersExport, &sitesExport, &equipmentExport, &usersExport, &activitiesExport, &stockRequestsExport, &partsExport, &jobTypesExport}

func lookupExportKind(name string) *exportKind {
	for _, k := range exportKinds {
		if k.name == name {
			return k
		}
	}
	return nil
}

func exportKindNames() []string {
	var out []string
	for _, k := range exportKinds {
		out = append(out, k.name)
	}
	return out
}

// ExportKinds lists what export mappings can export.
func ExportKinds() []string { return exportKindNames() }

var (
	text     = writers.KindText
	number   = writers.KindNumber
	date     = writers.KindDate
	datetime = writers.KindDateTime
	money    = writers.KindMoney
	percent  = writers.KindPercent
)

func fields(kind writers.Kind, names ...string) []exportField {
	out := make([]exportField, len(names))
	for i, n := range names {
		out[i] = exportField{n, kind}
	}
	return out
}

func concat(parts ...[]exportField) []exportField { return slices.Concat(parts...) }

var addressFields = fields(text, "address", "addressComplement", "adressStreet", "adressZIP", "adressCity", "adressProvince", "adressCountry")
var contactFields = fields(text, "contactName", "contactFirstName", "contactPhone", "contactMobile", "contactEmail", "contactFax")
var positionFields = fields(number, "latitude", "longitude")
