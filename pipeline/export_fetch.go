package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// each runs read for every item, at most e.conc at once, until one returns
// an error that stops the run.
func each[T any](ctx context.Context, e *exporter, items []T, key func(T) string, read func(context.Context, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.conc)
	for _, it := range items {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			return e.item(gctx, key(it), func() error { return read(gctx, it) })
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// sinceOr is the later of the mapping's filter and the run's --since.
func (e *exporter) sinceOr(name string) (time.Time, bool) {
	t, ok := e.m.Filters.time(name)
	if name == e.m.Kind.since && !e.since.IsZero() && (!ok || t.Before(e.since)) {
		return e.since, true
	}
	return t, ok
}

func optTime(t time.Time, ok bool) synchroteam.Time {
	if !ok {
		return synchroteam.Time{}
	}
	return synchroteam.NewTime(t)
}

func optDate(t time.Time, ok bool) synchroteam.Date {
	if !ok {
		return synchroteam.Date{}
	}
	return synchroteam.NewDate(t)
}

func indexOf(choices []string, s string) int {
	for i, c := range choices {
		if c == s {
			return i
		}
	}
	return -1
}

// Jobs: Jobs/Search, then Jobs/Detail (and Photos, PDF) for each.

func fetchJobs(ctx context.Context, e *exporter) error {
	f := e.m.Filters
	search := &synchroteam.JobSearch{
		DateFrom: optTime(f.time("dateFrom")), DateTo: optTime(f.time("dateTo")),
		ChangedFrom: optTime(e.sinceOr("changedFrom")), ReportChangedFrom: optTime(f.time("reportChangedFrom")),
		MyID: f.text("myId"), UserName: f.text("user"),
		Customer: f.ref("customer"), Site: f.ref("site"), Equipment: f.ref("equipment"),
	}
	if s := f.text("status"); s != "" {
		search.Status = synchroteam.NewInt(int64(indexOf(jobStatuses, s)))
	}
	refs, err := e.c.Jobs.Search(ctx, search)
	if err != nil {
		return e.searchFailed(ctx, "Jobs/Search", err)
	}
	e.setFound(len(refs))
	return each(ctx, e, refs, jobKey, e.exportJob)
}

func jobKey(r synchroteam.JobRef) string {
	switch {
	case r.Num != "":
		return "job " + string(r.Num)
	case r.MyID != "":
		return "job myId " + r.MyID
	}
	return "job id " + string(r.ID)
}

func jobLookup(r synchroteam.JobRef) synchroteam.Lookup {
	switch {
	case r.Num != "":
		return synchroteam.Lookup{Param: "num", Value: string(r.Num)}
	case r.ID != "":
		return synchroteam.ByID(r.ID)
	}
	return synchroteam.ByMyID(r.MyID)
}

func (e *exporter) exportJob(ctx context.Context, ref synchroteam.JobRef) error {
	by := jobLookup(ref)
	j, err := e.c.Jobs.Get(ctx, by)
	if err != nil {
		return fmt.Errorf("Jobs/Detail: %w", err)
	}
	if j.Num != "" {
		by = synchroteam.Lookup{Param: "num", Value: string(j.Num)}
	}
	key := string(j.Num)
	if key == "" {
		key = "id:" + string(j.ID)
	}
	warn := e.warn("job " + key)
	r := newRecord(key)
	rw := jobRow(j, warn)
	vals := jobValues(j)
	if e.m.Photos != nil {
		photos, err := e.c.Jobs.Photos(ctx, by)
		if err != nil {
			return fmt.Errorf("Jobs/Photos: %w", err)
		}
		files, err := e.writePhotos("job "+key, vals, photos)
		if err != nil {
			return err
		}
		r.Files = append(r.Files, files...)
		rw["photos"] = writers.NumberCell(float64(len(photos)))
	}
	if e.m.PDF != nil {
		pdf, err := e.c.Jobs.PDF(ctx, by)
		if err != nil {
			return fmt.Errorf("Jobs/PDF: %w", err)
		}
		rel := e.m.PDF.Expand(func(f string) string { return capValue(f, vals[f]) })
		if reservedName(rel) {
			return fmt.Errorf("PDF: the name %q is the export's own file", rel)
		}
		if err := e.claim(rel, "job "+key); err != nil {
			return fmt.Errorf("PDF: %w", err)
		}
		changed, err := e.folder.WriteFile(rel, bytes.NewReader(pdf))
		if err != nil {
			return fmt.Errorf("PDF: %w", err)
		}
		e.wrote(changed)
		r.Files = append(r.Files, rel)
	}
	r.add("Jobs", rw)
	for _, it := range j.Report {
		it := it
		r.add("Report", row{"num": idCell(string(j.Num)), "category": textCell(it.CategoryName), "item": textCell(it.ItemName),
			"iteration": intCell(it.Iteration, "report item "+it.ItemName+" iteration", warn), "value": textCell(string(it.Value))})
	}
	for _, p := range j.Parts {
		r.add("Parts", row{"num": idCell(string(j.Num)), "reference": textCell(p.Reference),
			"quantity": numberCell(p.Quantity, "part "+p.Reference+" quantity", warn)})
	}
	e.emit(r)
	return nil
}

// writePhotos writes a job's photos, decoding each as it is written. Names
// are made distinct within the job in the API's order, so the same job
// exported again gets the same names.
func (e *exporter) writePhotos(owner string, vals map[string]string, photos []synchroteam.Photo) ([]string, error) {
	paths := make([]string, len(photos))
	for i, p := range photos {
		v := func(f string) string {
			switch f {
			case "iteration":
				n, _ := p.Iteration.Int64()
				return fmt.Sprint(n)
			case "index":
				return fmt.Sprint(i + 1)
			case "fileName":
				if p.FileName == "" {
					return fmt.Sprintf("photo-%d", i+1)
				}
				return p.FileName
			case "comment":
				return p.Comment
			}
			return vals[f]
		}
		paths[i] = e.m.Photos.Expand(func(f string) string { return capValue(f, v(f)) })
	}
	paths = writers.Unique(paths)
	for i := range photos {
		if reservedName(paths[i]) {
			return nil, fmt.Errorf("photo %d: the name %q is the export's own file", i+1, paths[i])
		}
		if err := e.claim(paths[i], owner); err != nil {
			return nil, fmt.Errorf("photo %d: %w", i+1, err)
		}
		changed, err := e.folder.WriteFile(paths[i], photos[i].Reader())
		if err != nil {
			return nil, fmt.Errorf("photo %d (%q): %w", i+1, photos[i].FileName, err)
		}
		e.wrote(changed)
	}
	return paths, nil
}

// maxValueBytes bounds a value put in a file name (but num and id), so
// that a long customer name cannot push the job's num out of a name cut to
// writers' 120 bytes.
const maxValueBytes = 60

func capValue(field, s string) string {
	if field == "num" || field == "id" || len(s) <= maxValueBytes {
		return s
	}
	ext := path.Ext(s)
	if len(ext) > 10 || len(ext) == len(s) {
		ext = ""
	}
	stem := s[:len(s)-len(ext)]
	cut := maxValueBytes - len(ext)
	for cut > 0 && !utf8.RuneStart(stem[cut]) {
		cut--
	}
	return stem[:cut] + ext
}

// jobValues are the fields file name templates can use.
func jobValues(j *synchroteam.Job) map[string]string {
	st, _ := j.Status.Int64()
	day := func(t synchroteam.Time) string {
		if v, ok := t.Time(); ok {
			return v.Format("2006-01-02")
		}
		return ""
	}
	return map[string]string{
		"num": string(j.Num), "id": string(j.ID), "myId": j.MyID,
		"customerName": j.CustomerName, "customerMyId": j.CustomerMyID,
		"siteName": j.SiteName, "siteMyId": j.SiteMyID, "equipmentName": j.EquipmentName,
		"technician": j.Login, "status": synchroteam.JobStatusName(st), "type": j.JobTypeName, "typeId": string(j.JobTypeID),
		"scheduledDate": day(j.ScheduledBegin), "realDate": day(j.RealBegin),
	}
}

// statusCell names a status, or keeps its number when it has no name;
// an unset status is an empty cell. Both are reported.
func statusCell(v synchroteam.Int, name func(int64) string, warn func(string)) writers.Cell {
	if v.Invalid() {
		warn(fmt.Sprintf("status %q is not a number: kept as text", v.Raw()))
		return textCell(v.Raw())
	}
	n, ok := v.Int64()
	if !ok {
		warn("no status")
		return writers.Cell{}
	}
	if s := name(n); s != "" {
		return textCell(s)
	}
	warn(fmt.Sprintf("status %d is not a known status: kept as a number", n))
	return textCell(fmt.Sprint(n))
}

func jobRow(j *synchroteam.Job, warn func(string)) row {
	rw := row{
		"num": idCell(string(j.Num)), "id": textCell(string(j.ID)), "myId": textCell(j.MyID),
		"status": statusCell(j.Status, synchroteam.JobStatusName, warn), "type": textCell(j.JobTypeName), "typeId": textCell(string(j.JobTypeID)),
		"description":  textCell(j.Description),
		"customerMyId": textCell(j.CustomerMyID), "customerName": textCell(j.CustomerName),
		"siteMyId": textCell(j.SiteMyID), "siteName": textCell(j.SiteName),
		"equipmentMyId": textCell(j.EquipmentMyID), "equipmentName": textCell(j.EquipmentName),
		"technician": textCell(j.Login), "otherTechnicians": textCell(strings.Join(j.OtherTechnicians, ", ")),
		"scheduledBegin": timeCell(j.ScheduledBegin, datetime, "scheduledBeginDate", warn),
		"scheduledEnd":   timeCell(j.ScheduledEnd, datetime, "scheduledEndDate", warn),
		"realBegin":      timeCell(j.RealBegin, datetime, "realBeginDate", warn),
		"realEnd":        timeCell(j.RealEnd, datetime, "realEndDate", warn),
		"validationDate": timeCell(j.ValidationDate, datetime, "validationDate", warn),
		"duration":       intCell(j.Duration, "duration", warn),
		"globalAddress":  textCell(j.GlobalAddress), "complementAddress": textCell(j.ComplementAddress),
		"adressStreet": textCell(j.AddressStreet), "adressZIP": textCell(j.AddressZIP), "adressCity": textCell(j.AddressCity),
		"adressProvince": textCell(j.AddressProvince), "adressCountry": textCell(j.AddressCountry),
		"contactName": textCell(j.ContactName), "contactFirstName": textCell(j.ContactFirstName),
		"contactPhone": textCell(j.ContactPhone), "contactMobile": textCell(j.ContactMobile), "contactEmail": textCell(j.ContactEmail),
		"tags": textCell(strings.Join(j.Tags, ", ")), "publicLink": textCell(j.PublicLink),
	}
	if j.Priority.Invalid() {
		rw["priority"] = textCell(j.Priority.Raw())
		warn(fmt.Sprintf("priority %q is not a number: kept as text", j.Priority.Raw()))
	}
	if p, ok := j.Priority.Int64(); ok {
		if p >= 0 && p <= 2 {
			rw["priority"] = textCell([]string{"low", "medium", "high"}[p])
		} else {
			rw["priority"] = textCell(fmt.Sprint(p))
			warn(fmt.Sprintf("priority %d is not low (0), medium (1) or high (2): kept as a number", p))
		}
	}
	positionCells(rw, j.Position, warn)
	customCells(rw, j.CustomFieldValues)
	for _, it := range j.Report {
		name := it.CategoryName + " / " + it.ItemName
		if n, _ := it.Iteration.Int64(); n > 0 {
			name += fmt.Sprintf(" [%d]", n)
		}
		rw["report."+name] = textCell(string(it.Value))
	}
	return rw
}

// Invoices and quotations: Invoices/List, the names of their customers,
// sites and jobs looked up once each.

func fetchInvoices(ctx context.Context, e *exporter) error {
	f := e.m.Filters
	filter := &synchroteam.InvoiceFilter{
		ChangedFrom: optDate(e.sinceOr("changedFrom")),
		Customer:    f.ref("customer"), Site: f.ref("site"),
	}
	if l, ok := f["job"].(synchroteam.Lookup); ok {
		filter.Job = &synchroteam.JobRef{}
		switch l.Param {
		case "id":
			filter.Job.ID = synchroteam.ID(l.Value)
		case "num":
			filter.Job.Num = synchroteam.ID(l.Value)
		default:
			filter.Job.MyID = l.Value
		}
	}
	invs, err := e.c.Invoices.List(ctx, filter)
	if err != nil {
		return e.searchFailed(ctx, "Invoices/List", err)
	}
	typ, status := f.text("type"), f.text("status")
	var keep []*synchroteam.Invoice
	for i := range invs {
		inv := &invs[i]
		st, ok := inv.Status.Int64()
		if (typ == "" || strings.EqualFold(inv.Type, typ)) && (status == "" || ok && synchroteam.InvoiceStatusName(inv.Type, st) == status) {
			keep = append(keep, inv)
		} else {
			// Read, but left out by the mapping's filters: an earlier
			// row of it (a draft since paid) goes.
			e.drop(invoiceRecordKey(inv))
		}
	}
	names := &names{c: e.c}
	e.setFound(len(keep))
	return each(ctx, e, keep, invoiceKey, func(ctx context.Context, inv *synchroteam.Invoice) error {
		return e.exportInvoice(ctx, inv, names)
	})
}

func invoiceKey(inv *synchroteam.Invoice) string {
	if inv.Num == "" {
		return strings.ToLower(inv.Type) + " id " + string(inv.ID)
	}
	return strings.ToLower(inv.Type) + " " + string(inv.Num)
}

// invoiceRecordKey keys an invoice's rows: its type and num (invoices and
// quotations are numbered apart), or its id when it has no num.
func invoiceRecordKey(inv *synchroteam.Invoice) string {
	if inv.Num == "" {
		return strings.ToLower(inv.Type) + ":id:" + string(inv.ID)
	}
	return strings.ToLower(inv.Type) + ":" + string(inv.Num)
}

func (e *exporter) exportInvoice(ctx context.Context, inv *synchroteam.Invoice, nm *names) error {
	label := invoiceKey(inv)
	warn := e.warn(label)
	if inv.Num == "" && inv.ID == "" {
		return errors.New("the API gave neither a num nor an id")
	}
	r := newRecord(invoiceRecordKey(inv))
	rw := row{
		"num": idCell(string(inv.Num)), "type": textCell(inv.Type),
		"status":     statusCell(inv.Status, func(n int64) string { return synchroteam.InvoiceStatusName(inv.Type, n) }, warn),
		"dueDate":    timeCell(inv.DueDate, date, "dueDate", warn),
		"total":      numberCell(inv.Total, "total", warn),
		"customerId": textCell(string(inv.CustomerID)), "jobId": textCell(string(inv.JobID)), "siteId": textCell(string(inv.SiteID)),
	}
	var err error
	if rw["customer"], err = nm.get(ctx, "customer", inv.CustomerID, warn); err != nil {
		return err
	}
	if rw["site"], err = nm.get(ctx, "site", inv.SiteID, warn); err != nil {
		return err
	}
	if rw["jobNum"], err = nm.get(ctx, "job", inv.JobID, warn); err != nil {
		return err
	}
	sumLines, readable := 0.0, true
	for k, l := range inv.Lines {
		what := fmt.Sprintf("line %d ", k+1)
		lr := row{"num": idCell(string(inv.Num)), "type": textCell(inv.Type), "reference": textCell(l.Reference), "description": textCell(l.Description),
			"price": numberCell(l.Price, what+"price", warn), "tax": numberCell(l.Tax, what+"tax", warn),
			"quantity": numberCell(l.Quantity, what+"quantity", warn), "discount": numberCell(l.Discount, what+"discount", warn),
			"total": numberCell(l.Total, what+"total", warn)}
		r.add("Lines", lr)
		t, ok := lineTotal(l)
		if !ok {
			readable = false
			continue
		}
		sumLines += t
	}
	sumLines = cents(sumLines)
	if readable && !math.IsInf(sumLines, 0) && !math.IsNaN(sumLines) {
		rw["linesTotal"] = writers.NumberCell(sumLines)
		if total, ok := inv.Total.Float64(); ok && !math.IsInf(total, 0) && cents(total) != sumLines {
			e.mu.Lock()
			e.mismatches = append(e.mismatches, Mismatch{Num: string(inv.Num), Type: inv.Type, Total: total, LinesTotal: sumLines})
			e.mu.Unlock()
		}
	} else {
		warn("the lines cannot all be read: the total is not checked")
	}
	r.add("Invoices", rw)
	e.emit(r)
	return nil
}

// cents rounds an amount to the cent.
func cents(f float64) float64 { return math.Round(f*100) / 100 }

// lineTotal is a line's total as the API gives it, or computed from its
// price, quantity, discount and tax (percentages) when it gives none, to
// the cent; false when it cannot be read or is not finite.
func lineTotal(l synchroteam.InvoiceLine) (float64, bool) {
	finite := func(f float64, ok bool) (float64, bool) {
		if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, false
		}
		return cents(f), true
	}
	if !l.Total.IsZero() {
		return finite(l.Total.Float64())
	}
	val := func(n synchroteam.Number) (float64, bool) {
		if n.IsZero() {
			return 0, true
		}
		return n.Float64()
	}
	price, ok1 := val(l.Price)
	qty, ok2 := val(l.Quantity)
	disc, ok3 := val(l.Discount)
	tax, ok4 := val(l.Tax)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, false
	}
	return finite(price*qty*(1-disc/100)*(1+tax/100), true)
}

// names looks up the names of customers and sites and the nums of jobs,
// once each, for every goroutine of a run.
type names struct {
	c  *synchroteam.Client
	mu sync.Mutex
	m  map[string]*nameEntry
}

type nameEntry struct {
	done chan struct{}
	cell writers.Cell
	err  error
}

func (n *names) get(ctx context.Context, kind string, id synchroteam.ID, warn func(string)) (writers.Cell, error) {
	if id == "" || id == "0" {
		return writers.Cell{}, nil
	}
	key := kind + " " + string(id)
	n.mu.Lock()
	if n.m == nil {
		n.m = map[string]*nameEntry{}
	}
	ent, ok := n.m[key]
	if !ok {
		ent = &nameEntry{done: make(chan struct{})}
		n.m[key] = ent
	}
	n.mu.Unlock()
	if !ok {
		ent.cell, ent.err = n.lookup(ctx, kind, id)
		close(ent.done)
	} else {
		select {
		case <-ent.done:
		case <-ctx.Done():
			return writers.Cell{}, ctx.Err()
		}
	}
	if ent.err != nil {
		// A record that is gone leaves its name empty; any other failure
		// fails the item, to be read again by the next run.
		if !errors.Is(ent.err, synchroteam.ErrNotFound) || ctx.Err() != nil {
			return writers.Cell{}, fmt.Errorf("%s %s: %w", kind, id, ent.err)
		}
		warn(fmt.Sprintf("%s %s: %v", kind, id, ent.err))
		return writers.Cell{}, nil
	}
	return ent.cell, nil
}

func (n *names) lookup(ctx context.Context, kind string, id synchroteam.ID) (writers.Cell, error) {
	switch kind {
	case "customer":
		c, err := n.c.Customers.Get(ctx, synchroteam.ByID(id))
		if err != nil {
			return writers.Cell{}, err
		}
		return textCell(c.Name), nil
	case "site":
		s, err := n.c.Sites.Get(ctx, synchroteam.ByID(id))
		if err != nil {
			return writers.Cell{}, err
		}
		return textCell(s.Name), nil
	}
	j, err := n.c.Jobs.Get(ctx, synchroteam.ByID(id))
	if err != nil {
		return writers.Cell{}, err
	}
	return idCell(string(j.Num)), nil
}

// Customers: Customer/List.

// needsDetails tells whether a sheet writes fields that lists leave out
// (custom fields, tags, position): then each record is read in full.
func (e *exporter) needsDetails(sheet int, fields ...string) bool {
	s := e.m.Sheets[sheet]
	if s.Columns == nil {
		return true
	}
	for _, c := range s.Columns {
		if strings.HasPrefix(strings.ToLower(c.Field), "customfieldvalues.") || slices.Contains(fields, s.def.canonical(c.Field)) {
			return true
		}
	}
	return false
}

func fetchCustomers(ctx context.Context, e *exporter) error {
	list, err := e.c.Customers.List(ctx, optDate(e.sinceOr("changedFrom")))
	if err != nil {
		return e.searchFailed(ctx, "Customer/List", err)
	}
	e.setFound(len(list))
	// Customer/List leaves out custom fields and tags: Customer/Details
	// has them.
	if e.needsDetails(0, "tags") {
		return each(ctx, e, list, func(c synchroteam.Customer) string { return "customer " + recordKey(c.ID, c.MyID) },
			func(ctx context.Context, c synchroteam.Customer) error {
				d, err := e.c.Customers.Get(ctx, synchroteam.ByID(c.ID))
				if err != nil {
					return fmt.Errorf("Customer/Details: %w", err)
				}
				if d.Position == nil {
					d.Position = c.Position
				}
				e.customer(d)
				return nil
			})
	}
	for i := range list {
		e.customer(&list[i])
	}
	return ctx.Err()
}

func (e *exporter) customer(c *synchroteam.Customer) {
	// A customer has a site's fields, but for the customer's own.
	e.place("Customers", "customer", &synchroteam.Site{
		ID: c.ID, MyID: c.MyID, Name: c.Name, Address: c.Address, AddressComplement: c.AddressComplement,
		AddressStreet: c.AddressStreet, AddressZIP: c.AddressZIP, AddressCity: c.AddressCity,
		AddressProvince: c.AddressProvince, AddressCountry: c.AddressCountry,
		ContactName: c.ContactName, ContactFirstName: c.ContactFirstName, ContactPhone: c.ContactPhone,
		ContactMobile: c.ContactMobile, ContactEmail: c.ContactEmail, ContactFax: c.ContactFax,
		CustomFieldValues: c.CustomFieldValues, Position: c.Position, Tags: c.Tags,
	}, nil)
}

// place emits the row of a customer or a site (what is one of them in
// words), with extra cells.
func (e *exporter) place(sheet, what string, s *synchroteam.Site, extra row) {
	key := recordKey(s.ID, s.MyID)
	warn := e.warn(what + " " + key)
	rw := row{"id": textCell(string(s.ID)), "myId": textCell(s.MyID), "name": textCell(s.Name),
		"tags": textCell(strings.Join(s.Tags, ", "))}
	for k, v := range extra {
		rw[k] = v
	}
	for i, v := range []string{s.Address, s.AddressComplement, s.AddressStreet, s.AddressZIP, s.AddressCity, s.AddressProvince, s.AddressCountry} {
		rw[addressFields[i].name] = textCell(v)
	}
	for i, v := range []string{s.ContactName, s.ContactFirstName, s.ContactPhone, s.ContactMobile, s.ContactEmail, s.ContactFax} {
		rw[contactFields[i].name] = textCell(v)
	}
	positionCells(rw, s.Position, warn)
	customCells(rw, s.CustomFieldValues)
	r := newRecord(key)
	r.add(sheet, rw)
	e.emit(r)
}

func recordKey(id synchroteam.ID, myID string) string {
	if id != "" {
		return string(id)
	}
	return "myId:" + myID
}

// Sites: Site/List of each customer (or of the customer of the filter).

// siteOwner is a customer whose sites are exported.
type siteOwner struct {
	by   synchroteam.Lookup
	id   synchroteam.ID
	myID string
}

func fetchSites(ctx context.Context, e *exporter) error {
	var owners []siteOwner
	if l, ok := e.m.Filters["customer"].(synchroteam.Lookup); ok {
		c, err := e.c.Customers.Get(ctx, l)
		if err != nil {
			return e.searchFailed(ctx, "Customer/Details", err)
		}
		owners = []siteOwner{{by: synchroteam.ByID(c.ID), id: c.ID, myID: c.MyID}}
	} else {
		list, err := e.c.Customers.List(ctx, synchroteam.Date{})
		if err != nil {
			return e.searchFailed(ctx, "Customer/List", err)
		}
		for _, c := range list {
			owners = append(owners, siteOwner{by: synchroteam.ByID(c.ID), id: c.ID, myID: c.MyID})
		}
	}
	// Site/List leaves out custom fields, tags and the position:
	// Site/Details has them.
	details := e.needsDetails(0, "tags", "latitude", "longitude")
	// Sites are counted as they are found; a customer whose sites cannot
	// be read counts as one item failed.
	return each(ctx, e, owners, func(o siteOwner) string { return "customer id " + string(o.id) },
		func(ctx context.Context, o siteOwner) error {
			sites, err := e.c.Sites.ListByCustomer(ctx, o.by)
			if err != nil {
				e.setFound(1) // the customer, failed
				return fmt.Errorf("Site/List: %w", err)
			}
			e.setFound(len(sites))
			for i := range sites {
				s := &sites[i]
				if details {
					d, err := e.c.Sites.Get(ctx, synchroteam.ByID(s.ID))
					if err != nil {
						return fmt.Errorf("site %s: Site/Details: %w", s.ID, err)
					}
					if d.CustomerName == "" {
						d.CustomerName = s.CustomerName
					}
					s = d
				}
				if s.CustomerID == "" {
					s.CustomerID = o.id
				}
				if s.CustomerMyID == "" {
					s.CustomerMyID = o.myID
				}
				e.place("Sites", "site", s, row{"customerId": textCell(string(s.CustomerID)),
					"customerMyId": textCell(s.CustomerMyID), "customerName": textCell(s.CustomerName)})
			}
			return nil
		})
}

// Activities: Activities/Search.

func fetchActivities(ctx context.Context, e *exporter) error {
	f := e.m.Filters
	list, err := e.c.Activities.Search(ctx, &synchroteam.ActivitySearch{
		DateFrom: optDate(f.time("dateFrom")), DateTo: optDate(f.time("dateTo")),
		LoginUser: f.text("user"), NameActivity: f.text("name"),
	})
	if err != nil {
		return e.searchFailed(ctx, "Activities/Search", err)
	}
	e.setFound(len(list))
	for i := range list {
		a := &list[i]
		key := string(a.ID)
		warn := e.warn("activity " + key)
		rw := row{"id": textCell(key), "name": textCell(a.Name), "note": textCell(a.Note),
			"start": timeCell(a.Start, datetime, "dtStart", warn), "end": timeCell(a.End, datetime, "dtEnd", warn),
			"login": textCell(a.User.Login), "firstName": textCell(a.User.FirstName), "lastName": textCell(a.User.LastName),
			"groups": textCell(strings.Join(a.User.Groups, ", "))}
		s, ok1 := a.Start.Time()
		end, ok2 := a.End.Time()
		if ok1 && ok2 {
			rw["hours"] = writers.NumberCell(math.Round(end.Sub(s).Hours()*100) / 100)
		}
		r := newRecord(key)
		r.add("Activities", rw)
		e.emit(r)
	}
	return ctx.Err()
}

// Stock requests: StockRequest/Search.

func fetchStockRequests(ctx context.Context, e *exporter) error {
	f := e.m.Filters
	list, err := e.c.StockRequests.Search(ctx, &synchroteam.StockRequestSearch{
		ModifiedAfter: optDate(e.sinceOr("modifiedAfter")), CreatedAfter: optDate(f.time("createdAfter")),
		IsUrgent: f.boolean("isUrgent"), IsSent: f.boolean("isSent"), IsDeleted: f.boolean("isDeleted"),
	})
	if err != nil {
		return e.searchFailed(ctx, "StockRequest/Search", err)
	}
	e.setFound(len(list))
	for i := range list {
		s := &list[i]
		key := string(s.ID)
		warn := e.warn("stock request " + key)
		rw := row{"id": textCell(key), "source": textCell(s.Source.Name), "destination": textCell(s.Destination.Name),
			"reference": textCell(s.Part.Reference), "part": textCell(s.Part.Name),
			"partPrice": numberCell(s.Part.Price, "part price", warn), "quantity": numberCell(s.Quantity, "quantity", warn),
			"urgent": yesNo(s.IsUrgent), "sent": yesNo(s.IsSent), "deleted": yesNo(s.IsDeleted),
			"login": textCell(s.User.Login), "firstName": textCell(s.User.FirstName), "lastName": textCell(s.User.LastName)}
		r := newRecord(key)
		r.add("StockRequests", rw)
		e.emit(r)
	}
	return ctx.Err()
}
