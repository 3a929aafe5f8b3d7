package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

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
		if err := e.writePhotos(j, vals, photos); err != nil {
			return err
		}
		rw["photos"] = writers.NumberCell(float64(len(photos)))
	}
	if e.m.PDF != nil {
		pdf, err := e.c.Jobs.PDF(ctx, by)
		if err != nil {
			return fmt.Errorf("Jobs/PDF: %w", err)
		}
		rel := e.m.PDF.Expand(func(f string) string { return vals[f] })
		changed, err := e.folder.WriteFile(rel, bytes.NewReader(pdf))
		if err != nil {
			return fmt.Errorf("PDF: %w", err)
		}
		e.wrote(changed)
	}
	r.add("Jobs", rw)
	for _, it := range j.Report {
		it := it
		r.add("Report", row{"num": idCell(string(j.Num)), "category": textCell(it.CategoryName), "item": textCell(it.ItemName),
			"iteration": intCell(it.Iteration), "value": textCell(string(it.Value))})
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
func (e *exporter) writePhotos(j *synchroteam.Job, vals map[string]string, photos []synchroteam.Photo) error {
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
		paths[i] = e.m.Photos.Expand(v)
	}
	paths = writers.Unique(paths)
	for i := range photos {
		changed, err := e.folder.WriteFile(paths[i], photos[i].Reader())
		if err != nil {
			return fmt.Errorf("photo %d (%q): %w", i+1, photos[i].FileName, err)
		}
		e.wrote(changed)
	}
	return nil
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
		"technician": j.Login, "status": synchroteam.JobStatusName(st), "type": j.JobTypeName,
		"scheduledDate": day(j.ScheduledBegin), "realDate": day(j.RealBegin),
	}
}

func jobRow(j *synchroteam.Job, warn func(string)) row {
	st, _ := j.Status.Int64()
	rw := row{
		"num": idCell(string(j.Num)), "id": textCell(string(j.ID)), "myId": textCell(j.MyID),
		"status": textCell(synchroteam.JobStatusName(st)), "type": textCell(j.JobTypeName),
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
		"duration":       intCell(j.Duration),
		"globalAddress":  textCell(j.GlobalAddress), "complementAddress": textCell(j.ComplementAddress),
		"adressStreet": textCell(j.AddressStreet), "adressZIP": textCell(j.AddressZIP), "adressCity": textCell(j.AddressCity),
		"adressProvince": textCell(j.AddressProvince), "adressCountry": textCell(j.AddressCountry),
		"contactName": textCell(j.ContactName), "contactFirstName": textCell(j.ContactFirstName),
		"contactPhone": textCell(j.ContactPhone), "contactMobile": textCell(j.ContactMobile), "contactEmail": textCell(j.ContactEmail),
		"tags": textCell(strings.Join(j.Tags, ", ")), "publicLink": textCell(j.PublicLink),
	}
	if p, ok := j.Priority.Int64(); ok {
		rw["priority"] = textCell([]string{"low", "medium", "high"}[min(max(p, 0), 2)])
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
		st, _ := inv.Status.Int64()
		if (typ == "" || strings.EqualFold(inv.Type, typ)) && (status == "" || synchroteam.InvoiceStatusName(inv.Type, st) == status) {
			keep = append(keep, inv)
		}
	}
	names := &names{c: e.c}
	e.setFound(len(keep))
	return each(ctx, e, keep, invoiceKey, func(ctx context.Context, inv *synchroteam.Invoice) error {
		return e.exportInvoice(ctx, inv, names)
	})
}

func invoiceKey(inv *synchroteam.Invoice) string {
	return strings.ToLower(inv.Type) + " " + string(inv.Num)
}

func (e *exporter) exportInvoice(ctx context.Context, inv *synchroteam.Invoice, nm *names) error {
	label := invoiceKey(inv)
	warn := e.warn(label)
	st, _ := inv.Status.Int64()
	r := newRecord(strings.ToLower(inv.Type) + ":" + string(inv.Num))
	rw := row{
		"num": idCell(string(inv.Num)), "type": textCell(inv.Type),
		"status":     textCell(synchroteam.InvoiceStatusName(inv.Type, st)),
		"dueDate":    timeCell(inv.DueDate, date, "dueDate", warn),
		"total":      numberCell(inv.Total, "total", warn),
		"customerId": textCell(string(inv.CustomerID)), "jobId": textCell(string(inv.JobID)), "siteId": textCell(string(inv.SiteID)),
	}
	if v, ok := inv.Status.Int64(); ok && synchroteam.InvoiceStatusName(inv.Type, v) == "" {
		rw["status"] = textCell(fmt.Sprint(v))
		warn(fmt.Sprintf("status %d is not a known status: kept as a number", v))
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
	if readable {
		rw["linesTotal"] = writers.NumberCell(math.Round(sumLines*100) / 100)
		if total, ok := inv.Total.Float64(); ok && math.Abs(total-sumLines) > 0.01 {
			e.mu.Lock()
			e.mismatches = append(e.mismatches, Mismatch{Num: string(inv.Num), Type: inv.Type, Total: total, LinesTotal: math.Round(sumLines*100) / 100})
			e.mu.Unlock()
		}
	} else {
		warn("the lines cannot all be read: the total is not checked")
	}
	r.add("Invoices", rw)
	e.emit(r)
	return nil
}

// lineTotal is a line's total as the API gives it, or computed from its
// price, quantity, discount and tax (percentages) when it gives none.
func lineTotal(l synchroteam.InvoiceLine) (float64, bool) {
	if !l.Total.IsZero() {
		return l.Total.Float64()
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
	return price * qty * (1 - disc/100) * (1 + tax/100), true
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
		if _, fatal := fatalReason(n.c, ent.err); fatal || ctx.Err() != nil {
			return writers.Cell{}, ent.err
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

func fetchCustomers(ctx context.Context, e *exporter) error {
	list, err := e.c.Customers.List(ctx, optDate(e.sinceOr("changedFrom")))
	if err != nil {
		return e.searchFailed(ctx, "Customer/List", err)
	}
	e.setFound(len(list))
	for i := range list {
		c := &list[i]
		key := recordKey(c.ID, c.MyID)
		warn := e.warn("customer " + key)
		rw := row{"id": textCell(string(c.ID)), "myId": textCell(c.MyID), "name": textCell(c.Name),
			"tags": textCell(strings.Join(c.Tags, ", "))}
		addressCells(rw, c.Address, c.AddressComplement, c.AddressStreet, c.AddressZIP, c.AddressCity, c.AddressProvince, c.AddressCountry)
		contactCells(rw, c.ContactName, c.ContactFirstName, c.ContactPhone, c.ContactMobile, c.ContactEmail, c.ContactFax)
		positionCells(rw, c.Position, warn)
		customCells(rw, c.CustomFieldValues)
		r := newRecord(key)
		r.add("Customers", rw)
		e.emit(r)
	}
	return ctx.Err()
}

func recordKey(id synchroteam.ID, myID string) string {
	if id != "" {
		return string(id)
	}
	return "myId:" + myID
}

func addressCells(rw row, v ...string) {
	for i, f := range addressFields {
		rw[f.name] = textCell(v[i])
	}
}

func contactCells(rw row, v ...string) {
	for i, f := range contactFields {
		rw[f.name] = textCell(v[i])
	}
}

// Sites: Site/List of each customer (or of the customer of the filter).

func fetchSites(ctx context.Context, e *exporter) error {
	var owners []synchroteam.Lookup
	if l, ok := e.m.Filters["customer"].(synchroteam.Lookup); ok {
		owners = []synchroteam.Lookup{l}
	} else {
		list, err := e.c.Customers.List(ctx, synchroteam.Date{})
		if err != nil {
			return e.searchFailed(ctx, "Customer/List", err)
		}
		for _, c := range list {
			owners = append(owners, synchroteam.ByID(c.ID))
		}
	}
	// Sites are counted as they are found; a customer whose sites cannot
	// be read counts as one item failed.
	return each(ctx, e, owners, func(l synchroteam.Lookup) string { return "customer " + l.Param + " " + l.Value },
		func(ctx context.Context, l synchroteam.Lookup) error {
			sites, err := e.c.Sites.ListByCustomer(ctx, l)
			if err != nil {
				return fmt.Errorf("Site/List: %w", err)
			}
			e.setFound(len(sites))
			for i := range sites {
				s := &sites[i]
				key := recordKey(s.ID, s.MyID)
				warn := e.warn("site " + key)
				rw := row{"id": textCell(string(s.ID)), "myId": textCell(s.MyID), "name": textCell(s.Name),
					"customerId": textCell(string(s.CustomerID)), "customerMyId": textCell(s.CustomerMyID), "customerName": textCell(s.CustomerName),
					"tags": textCell(strings.Join(s.Tags, ", "))}
				addressCells(rw, s.Address, s.AddressComplement, s.AddressStreet, s.AddressZIP, s.AddressCity, s.AddressProvince, s.AddressCountry)
				contactCells(rw, s.ContactName, s.ContactFirstName, s.ContactPhone, s.ContactMobile, s.ContactEmail, s.ContactFax)
				positionCells(rw, s.Position, warn)
				customCells(rw, s.CustomFieldValues)
				r := newRecord(key)
				r.add("Sites", rw)
				e.emit(r)
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
