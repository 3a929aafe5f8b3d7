package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
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

var exportKinds []*exportKind

func init() {
	exportKinds = []*exportKind{
		{
			name: "jobs", item: "job", since: "changedFrom", files: true, fetch: fetchJobs,
			sheets: []sheetDef{
				{name: "Jobs", dynamic: []string{"customFieldValues.", "report."}, fields: concat(
					[]exportField{{"num", number}},
					fields(text, "id", "myId", "status", "type", "typeId", "priority", "description", "customerMyId", "customerName",
						"siteMyId", "siteName", "equipmentMyId", "equipmentName", "technician", "otherTechnicians"),
					fields(datetime, "scheduledBegin", "scheduledEnd", "realBegin", "realEnd", "validationDate"),
					[]exportField{{"duration", number}},
					fields(text, "globalAddress", "complementAddress", "adressStreet", "adressZIP", "adressCity", "adressProvince", "adressCountry"),
					fields(text, "contactName", "contactFirstName", "contactPhone", "contactMobile", "contactEmail"),
					positionFields, fields(text, "tags", "publicLink"),
					[]exportField{{"photos", number}},
				)},
				{name: "Report", fields: concat([]exportField{{"num", number}}, fields(text, "category", "item"),
					[]exportField{{"iteration", number}, {"value", text}})},
				{name: "Parts", fields: concat([]exportField{{"num", number}}, fields(text, "reference"),
					[]exportField{{"quantity", number}})},
			},
			filters: []filterDef{
				{name: "dateFrom", typ: filterDate}, {name: "dateTo", typ: filterDate},
				{name: "changedFrom", typ: filterDate}, {name: "reportChangedFrom", typ: filterDate},
				{name: "myId", typ: filterText}, {name: "user", typ: filterText},
				{name: "status", typ: filterChoice, choices: jobStatuses},
				{name: "customer", typ: filterRef}, {name: "site", typ: filterRef}, {name: "equipment", typ: filterRef},
			},
		},
		{
			name: "invoices", item: "invoice or quotation", since: "changedFrom", fetch: fetchInvoices,
			sheets: []sheetDef{
				{name: "Invoices", fields: concat(
					[]exportField{{"num", number}}, fields(text, "type", "status"), []exportField{{"dueDate", date}},
					[]exportField{{"total", number}, {"linesTotal", number}},
					fields(text, "customerId", "customer", "jobId"), []exportField{{"jobNum", number}}, fields(text, "siteId", "site"))},
				{name: "Lines", fields: concat([]exportField{{"num", number}}, fields(text, "type", "reference", "description"),
					fields(number, "price", "tax", "quantity", "discount", "total"))},
			},
			filters: []filterDef{
				{name: "changedFrom", typ: filterDate}, {name: "job", typ: filterJobRef},
				{name: "customer", typ: filterRef}, {name: "site", typ: filterRef},
				{name: "type", typ: filterChoice, choices: []string{"invoice", "quotation"}},
				{name: "status", typ: filterChoice, choices: []string{"draft", "sent", "late", "paid"}},
			},
		},
		{
			name: "customers", item: "customer", since: "changedFrom", fetch: fetchCustomers,
			sheets: []sheetDef{{name: "Customers", dynamic: []string{"customFieldValues."}, fields: concat(
				fields(text, "id", "myId", "name"), addressFields, contactFields, positionFields, fields(text, "tags"))}},
			filters: []filterDef{{name: "changedFrom", typ: filterDate}},
		},
		{
			name: "sites", item: "site", fetch: fetchSites,
			sheets: []sheetDef{{name: "Sites", dynamic: []string{"customFieldValues."}, fields: concat(
				fields(text, "id", "myId", "name", "customerId", "customerMyId", "customerName"), addressFields, contactFields,
				positionFields, fields(text, "tags"))}},
			filters: []filterDef{{name: "customer", typ: filterRef}},
		},
		{
			name: "activities", item: "activity", fetch: fetchActivities,
			sheets: []sheetDef{{name: "Activities", fields: concat(fields(text, "id", "name", "note"),
				fields(datetime, "start", "end"), []exportField{{"hours", number}},
				fields(text, "login", "firstName", "lastName", "groups"))}},
			filters: []filterDef{{name: "dateFrom", typ: filterDate}, {name: "dateTo", typ: filterDate},
				{name: "user", typ: filterText}, {name: "name", typ: filterText}},
		},
		{
			name: "stock_requests", item: "stock request", since: "modifiedAfter", fetch: fetchStockRequests,
			sheets: []sheetDef{{name: "StockRequests", fields: concat(fields(text, "id", "source", "destination", "reference", "part"),
				fields(number, "partPrice", "quantity"), fields(text, "urgent", "sent", "deleted", "login", "firstName", "lastName"))}},
			filters: []filterDef{{name: "modifiedAfter", typ: filterDate}, {name: "createdAfter", typ: filterDate},
				{name: "isUrgent", typ: filterBool}, {name: "isSent", typ: filterBool}, {name: "isDeleted", typ: filterBool}},
		},
	}
}

var jobStatuses = []string{"created", "scheduled", "synchronized", "started", "suspended", "completed", "validated", "canceled"}

// row is one row of a sheet, by field.
type row map[string]writers.Cell

// record is what one exported item writes: its row of the main sheet and
// its rows of the other sheets. Key identifies it across runs.
type record struct {
	Key   string           `json:"key"`
	Rows  map[string][]row `json:"rows"`
	Files []string         `json:"files,omitempty"` // photos and PDFs written for it
}

func newRecord(key string) *record { return &record{Key: key, Rows: map[string][]row{}} }

func (r *record) add(sheet string, rw row) { r.Rows[sheet] = append(r.Rows[sheet], rw) }

// compareKeys orders records by key, numbers by value.
func compareKeys(a, b string) int {
	ta, na := splitKey(a)
	tb, nb := splitKey(b)
	if c := cmp.Compare(ta, tb); c != 0 {
		return c
	}
	ia, ea := strconv.ParseInt(na, 10, 64)
	ib, eb := strconv.ParseInt(nb, 10, 64)
	switch {
	case ea == nil && eb == nil:
		return cmp.Compare(ia, ib)
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return cmp.Compare(na, nb)
}

func splitKey(k string) (string, string) {
	if i := strings.IndexByte(k, ':'); i >= 0 {
		return k[:i], k[i+1:]
	}
	return "", k
}

// Cells of API values.

func textCell(s string) writers.Cell { return writers.TextCell(s) }

// idCell writes an identifier as a number when it is a whole number that
// a spreadsheet holds exactly, as text otherwise.
func idCell(s string) writers.Cell {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 && n < 1e15 && !strings.HasPrefix(s, "0") {
		return writers.NumberCell(float64(n))
	}
	return writers.TextCell(s)
}

// intCell writes an API integer; one that is not a whole number is kept
// as text and reported through warn.
func intCell(i synchroteam.Int, what string, warn func(string)) writers.Cell {
	if i.Invalid() {
		warn(fmt.Sprintf("%s %q is not a whole number: kept as text", what, i.Raw()))
		return writers.TextCell(i.Raw())
	}
	v, ok := i.Int64()
	if !ok {
		return writers.Cell{}
	}
	return writers.NumberCell(float64(v))
}

// numberCell writes an API number; one that cannot be read is kept as text
// and reported through warn, never written as 0.
func numberCell(n synchroteam.Number, what string, warn func(string)) writers.Cell {
	if n.IsZero() {
		return writers.Cell{}
	}
	if f, ok := n.Float64(); ok && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return writers.NumberCell(f)
	}
	warn(fmt.Sprintf("%s %q is not a number: kept as text", what, n.Raw()))
	return writers.TextCell(n.Raw())
}

func timeCell(t synchroteam.Time, kind writers.Kind, what string, warn func(string)) writers.Cell {
	if t.IsZero() {
		return writers.Cell{}
	}
	v, ok := t.Time()
	if !ok {
		warn(fmt.Sprintf("%s %q is not a date: kept as text", what, t.Raw()))
		return writers.TextCell(t.Raw())
	}
	if kind == writers.KindDate {
		return writers.DateCell(v)
	}
	return writers.DateTimeCell(v)
}

func positionCells(rw row, p *synchroteam.Position, warn func(string)) {
	if p == nil {
		return
	}
	rw["latitude"] = numberCell(p.Latitude, "latitude", warn)
	rw["longitude"] = numberCell(p.Longitude, "longitude", warn)
}

func customCells(rw row, values []synchroteam.CustomFieldValue) {
	for _, v := range values {
		name := v.Name
		if name == "" {
			name = "#" + string(v.ID)
		}
		rw["customFieldValues."+name] = textCell(string(v.Value))
	}
}

func yesNo(b synchroteam.Bool) writers.Cell {
	v, set := b.Value()
	switch {
	case !set:
		return writers.Cell{}
	case v:
		return textCell("yes")
	}
	return textCell("no")
}
