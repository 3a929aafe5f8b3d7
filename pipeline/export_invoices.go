package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// invoicesExport reads invoices and quotations: Invoices/List, the names
// of their customers, sites and jobs looked up once each. Each line's net,
// VAT and gross are computed (export_vat.go) and checked against the API's
// total; the VAT sheet sums them by month and rate, invoices only.
var invoicesExport = exportKind{
	name: "invoices", item: "invoice or quotation", since: "changedFrom", fetch: fetchInvoices,
	sheets: []sheetDef{
		{name: "Invoices", totals: newInvoiceTotals, fields: concat(
			[]exportField{{"num", number}}, fields(text, "type", "status"), []exportField{{"dueDate", date}},
			fields(text, "customer", "site"), []exportField{{"jobNum", number}},
			fields(money, "net", "vat", "gross", "total", "linesTotal"), fields(text, "currency", "customerId", "jobId", "siteId"))},
		{name: "Lines", fields: concat([]exportField{{"num", number}}, fields(text, "type"), []exportField{{"dueDate", date}, {"line", number}},
			fields(text, "reference", "description"), []exportField{{"quantity", number}, {"price", money}},
			fields(percent, "discount", "tax"), fields(money, "net", "vat", "gross", "total"))},
		{name: "VAT", derive: &derivation{from: "Lines", sum: newVATSheet}, totals: vatTotals, fields: concat(fields(text, "month"), []exportField{{"rate", percent}},
			fields(money, "net", "vat", "gross"), fields(number, "invoices", "lines"))},
		{name: "Checks", fields: concat([]exportField{{"num", number}}, fields(text, "type"), []exportField{{"line", number}},
			fields(text, "check"), fields(money, "api", "computed", "difference"), fields(text, "detail"))},
	},
	filters: []filterDef{
		{name: "changedFrom", typ: filterDate}, {name: "job", typ: filterJobRef},
		{name: "customer", typ: filterRef}, {name: "site", typ: filterRef},
		{name: "type", typ: filterChoice, choices: []string{"invoice", "quotation"}},
		{name: "status", typ: filterChoice, choices: []string{"draft", "sent", "late", "paid"}},
	},
}

func fetchInvoices(ctx context.Context, e *exporter) error {
	return readInvoices(ctx, e, "", e.exportInvoice)
}

// readInvoices lists the invoices and quotations the mapping's filters
// keep (of type only, when not ""), and exports each with export.
func readInvoices(ctx context.Context, e *exporter, only string, export func(context.Context, *synchroteam.Invoice, *names) error) error {
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
	if only != "" {
		typ = only
	}
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
		return export(ctx, inv, names)
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

// unknownCustomer stands in the customer's cell of an invoice whose
// customer cannot be found.
const unknownCustomer = "(unknown customer)"

// customerOf names an invoice's customer: by its idClient, or, when the
// API sends null, through its site, then its job. When nothing names one,
// the cell says so and the invoice's checks list it.
func (e *exporter) customerOf(ctx context.Context, inv *synchroteam.Invoice, nm *names, warn func(string)) (writers.Cell, string, error) {
	set := func(id synchroteam.ID) bool { return id != "" && id != "0" }
	var tried []string
	steps := []struct {
		of nameOf
		id synchroteam.ID
	}{{customerName, inv.CustomerID}, {siteCustomer, inv.SiteID}, {jobCustomer, inv.JobID}}
	for _, st := range steps {
		if !set(st.id) {
			continue
		}
		c, err := nm.get(ctx, st.of, st.id, warn)
		if err != nil {
			return writers.Cell{}, "", err
		}
		if !c.IsEmpty() {
			return c, "", nil
		}
		tried = append(tried, st.of.what+" "+string(st.id))
		if st.of.what == customerName.what {
			break // a customer named but not found: its site's is not the answer
		}
	}
	why := "the API gives no customer (idClient is null), nor a site or a job"
	if len(tried) > 0 {
		why = "no customer found (" + strings.Join(tried, ", ") + ")"
	}
	if !set(inv.CustomerID) && len(tried) > 0 {
		why = "idClient is null and no customer found through " + strings.Join(tried, ", ")
	}
	warn(why + ": written " + unknownCustomer)
	return textCell(unknownCustomer), why, nil
}

func (e *exporter) exportInvoice(ctx context.Context, inv *synchroteam.Invoice, nm *names) error {
	label := invoiceKey(inv)
	warn := e.warn(label)
	if inv.Num == "" && inv.ID == "" {
		return errors.New("the API gave neither a num nor an id")
	}
	r := newRecord(invoiceRecordKey(inv))
	num, typ := idCell(string(inv.Num)), textCell(inv.Type)
	due := timeCell(inv.DueDate, date, "dueDate", warn)
	check := func(line int, what string, api, computed *big.Rat, detail string) {
		c := row{"num": num, "type": typ, "check": textCell(what), "detail": textCell(detail),
			"api": moneyCell(api), "computed": moneyCell(computed)}
		if line > 0 {
			c["line"] = writers.NumberCell(float64(line))
		}
		if api != nil && computed != nil {
			c["difference"] = moneyCell(new(big.Rat).Sub(api, computed))
		}
		r.add("Checks", c)
	}
	rw := row{
		"num": num, "type": typ,
		"status":     statusCell(inv.Status, func(n int64) string { return synchroteam.InvoiceStatusName(inv.Type, n) }, warn),
		"dueDate":    due,
		"total":      apiMoneyCell(inv.Total, "total", warn),
		"currency":   textCell(e.m.Format.Currency),
		"customerId": textCell(string(inv.CustomerID)), "jobId": textCell(string(inv.JobID)), "siteId": textCell(string(inv.SiteID)),
	}
	var err error
	var why string
	if rw["customer"], why, err = e.customerOf(ctx, inv, nm, warn); err != nil {
		return err
	}
	if why != "" {
		check(0, "customer", nil, nil, why)
	}
	if rw["site"], err = nm.get(ctx, siteName, inv.SiteID, warn); err != nil {
		return err
	}
	if rw["jobNum"], err = nm.get(ctx, jobNum, inv.JobID, warn); err != nil {
		return err
	}
	net, vat, gross := new(big.Rat), new(big.Rat), new(big.Rat)
	known := true
	sumLines, readable := new(big.Rat), true
	for k, l := range inv.Lines {
		what := fmt.Sprintf("line %d ", k+1)
		lr := row{"num": num, "type": typ, "dueDate": due, "line": writers.NumberCell(float64(k + 1)),
			"reference": textCell(l.Reference), "description": textCell(l.Description),
			"price": apiMoneyCell(l.Price, what+"price", warn), "tax": apiPercentCell(l.Tax, what+"tax", warn),
			"quantity": numberCell(l.Quantity, what+"quantity", warn), "discount": apiPercentCell(l.Discount, what+"discount", warn),
			"total": apiMoneyCell(l.Total, what+"total", warn)}
		a, why := lineFigures(l)
		apiTotal, apiOK := decimalOf(l.Total)
		if apiOK {
			apiTotal = roundCents(apiTotal)
		}
		if why == "" {
			lr["net"], lr["vat"], lr["gross"] = moneyCell(a.net), moneyCell(a.vat), moneyCell(a.gross)
			net.Add(net, a.net)
			vat.Add(vat, a.vat)
			gross.Add(gross, a.gross)
			if apiOK && apiTotal.Cmp(a.gross) != 0 {
				check(k+1, "line total", apiTotal, a.gross, "the API's total is not price × quantity less discount, plus tax")
				e.mismatch(Mismatch{Num: string(inv.Num), Type: inv.Type, Line: k + 1, Total: ratFloat(apiTotal), Computed: ratFloat(a.gross)})
			}
		} else {
			known = false
			warn(what + "net and VAT not computed: " + why + " (left out of the VAT sheet)")
			check(k+1, "net and VAT", nil, nil, why)
		}
		r.add("Lines", lr)
		switch {
		case apiOK:
			sumLines.Add(sumLines, apiTotal)
		case l.Total.IsZero() && why == "":
			sumLines.Add(sumLines, a.gross)
		default:
			readable = false
		}
	}
	if known {
		rw["net"], rw["vat"], rw["gross"] = moneyCell(net), moneyCell(vat), moneyCell(gross)
	}
	if _, ok := moneyOf(sumLines); readable && ok {
		rw["linesTotal"] = moneyCell(sumLines)
		if total, ok := decimalOf(inv.Total); ok && roundCents(total).Cmp(sumLines) != 0 {
			check(0, "invoice total", roundCents(total), sumLines, "the invoice's total is not the sum of its lines")
			e.mismatch(Mismatch{Num: string(inv.Num), Type: inv.Type, Total: ratFloat(roundCents(total)), LinesTotal: ratFloat(sumLines)})
		}
	} else {
		warn("the lines cannot all be read: the total is not checked")
	}
	r.add("Invoices", rw)
	return e.emit(r)
}

func (e *exporter) mismatch(m Mismatch) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mismatches = append(e.mismatches, m)
}

// ratFloat returns r as a float64 (r is finite and to the cent).
func ratFloat(r *big.Rat) float64 { f, _ := r.Float64(); return f }
