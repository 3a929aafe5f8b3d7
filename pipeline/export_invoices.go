package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// invoicesExport reads invoices and quotations: Invoices/List, the names
// of their customers, sites and jobs looked up once each.
var invoicesExport = exportKind{
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
}

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
	if rw["customer"], err = nm.get(ctx, customerName, inv.CustomerID, warn); err != nil {
		return err
	}
	if rw["site"], err = nm.get(ctx, siteName, inv.SiteID, warn); err != nil {
		return err
	}
	if rw["jobNum"], err = nm.get(ctx, jobNum, inv.JobID, warn); err != nil {
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
