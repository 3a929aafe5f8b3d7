package sandbox

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

type invoice struct {
	ID         int64         `json:"id"`
	Num        int64         `json:"num"`
	Type       string        `json:"type"` // "invoice" or "quotation"
	Status     int64         `json:"status"`
	DueDate    time.Time     `json:"dueDate,omitzero"`
	JobID      string        `json:"jobId,omitempty"`
	CustomerID int64         `json:"customerId,omitempty"`
	SiteID     int64         `json:"siteId,omitempty"`
	Lines      []invoiceLine `json:"lines"`
	Modified   time.Time     `json:"modified"`
}

type invoiceLine struct {
	PartID      int64  `json:"partId,omitempty"`
	Description string `json:"description"`
	Reference   string `json:"reference"`
	Price       string `json:"price"` // decimal texts, dot notation
	Tax         string `json:"tax"`
	Quantity    string `json:"quantity"`
	Discount    string `json:"discount"`
}

func (st *state) invoiceByNum(num int64) *invoice {
	for _, inv := range st.Invoices {
		if inv.Num == num {
			return inv
		}
	}
	return nil
}

type invoiceIn struct {
	Type     *text            `json:"type"`
	Action   *text            `json:"action"`
	Status   wholeNumber      `json:"status"`
	Num      wholeNumber      `json:"num"`
	DueDate  synchroteam.Time `json:"dueDate"`
	Job      *ref             `json:"job"`
	Customer *ref             `json:"customer"`
	Site     *ref             `json:"site"`
	Lines    []invoiceLineIn  `json:"lines"`
}

type invoiceLineIn struct {
	IDPart      synchroteam.ID     `json:"idPart"`
	Description *text              `json:"description"`
	Reference   *text              `json:"reference"`
	Price       synchroteam.Number `json:"price"`
	Tax         synchroteam.Number `json:"tax"`
	Quantity    synchroteam.Number `json:"quantity"`
	Discount    synchroteam.Number `json:"discount"`
}

// invoiceOut is an invoice or quotation as Invoices/List shows it: decimals
// of lines as strings with a decimal comma, the total as a JSON number.
type invoiceOut struct {
	DueDate  *string          `json:"dueDate"`
	IDClient *int64           `json:"idClient"`
	IDJob    *string          `json:"idJob"`
	IDSite   *int64           `json:"idSite"`
	Lines    []invoiceLineOut `json:"lines"`
	Num      int64            `json:"num"`
	Status   int64            `json:"status"`
	Total    json.Number      `json:"total"`
	Type     string           `json:"type"`
}

type invoiceLineOut struct {
	Description string  `json:"description"`
	Discount    string  `json:"discount"`
	IDPart      int64   `json:"idPart"`
	Price       string  `json:"price"`
	Quantity    string  `json:"quantity"`
	Reference   string  `json:"reference"`
	Tax         string  `json:"tax"`
	TotalLine   *string `json:"totalLine"`
	Total       string  `json:"total"`
}

// Decimal arithmetic of invoice lines, exact like the service's decimals.

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// round rounds to places decimals, halves away from zero.
func round(r *big.Rat, places int) *big.Rat {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	x := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	n := new(big.Int).Abs(x.Num())
	d := x.Denom()
	q := new(big.Int).Mul(n, big.NewInt(2))
	q.Add(q, d)
	q.Quo(q, new(big.Int).Mul(d, big.NewInt(2)))
	if x.Sign() < 0 {
		q.Neg(q)
	}
	return new(big.Rat).SetFrac(q, scale)
}

var hundred = big.NewRat(100, 1)

// lineTotal is what a line costs with tax: the discount amount is rounded to
// cents and taken off price × quantity, then the tax is added and the result
// rounded to cents. This reproduces the reference's 139,4000, 74,2500 and
// 138,3800.
func lineTotal(l invoiceLine) *big.Rat {
	gross := new(big.Rat).Mul(rat(l.Price), rat(l.Quantity))
	discount := round(new(big.Rat).Quo(new(big.Rat).Mul(gross, rat(l.Discount)), hundred), 2)
	net := new(big.Rat).Sub(gross, discount)
	withTax := new(big.Rat).Mul(net, new(big.Rat).Add(big.NewRat(1, 1), new(big.Rat).Quo(rat(l.Tax), hundred)))
	return round(withTax, 2)
}

func invoiceTotal(inv *invoice) *big.Rat {
	sum := new(big.Rat)
	for _, l := range inv.Lines {
		sum.Add(sum, lineTotal(l))
	}
	return sum
}

// comma writes a decimal with a decimal comma and a fixed number of places.
func comma(r *big.Rat, places int) string {
	return strings.Replace(r.FloatString(places), ".", ",", 1)
}

func (st *state) invoiceOut(inv *invoice) invoiceOut {
	out := invoiceOut{
		IDClient: optID(inv.CustomerID), IDSite: optID(inv.SiteID), Lines: []invoiceLineOut{},
		Num: inv.Num, Status: inv.Status, Total: json.Number(invoiceTotal(inv).FloatString(4)),
		Type: "Invoice",
	}
	if inv.Type == "quotation" {
		out.Type = "Quotation"
	}
	if !inv.DueDate.IsZero() {
		d := inv.DueDate.Format(layoutDMY)
		out.DueDate = &d
	}
	if inv.JobID != "" {
		id := inv.JobID
		out.IDJob = &id
	}
	for _, l := range inv.Lines {
		out.Lines = append(out.Lines, invoiceLineOut{
			Description: l.Description, Discount: comma(rat(l.Discount), 2), IDPart: l.PartID,
			Price: comma(rat(l.Price), 2), Quantity: comma(rat(l.Quantity), 2), Reference: l.Reference,
			Tax: comma(rat(l.Tax), 2), Total: comma(lineTotal(l), 4),
		})
	}
	return out
}

// readLines checks invoice lines and fills them from the parts catalog: a
// line naming a part (by idPart, else by reference) takes the part's
// reference, and its name, price and tax rate where the line leaves them
// empty (or the price 0).
func (st *state) readLines(in []invoiceLineIn) ([]invoiceLine, error) {
	var out []invoiceLine
	for i, l := range in {
		what := fmt.Sprintf("line %d", i+1)
		var pt *part
		if id := strings.TrimSpace(string(l.IDPart)); id != "" && id != "0" {
			n, err := parseID(what+": idPart", id)
			if err != nil {
				return nil, err
			}
			if pt = st.Parts[n]; pt == nil {
				return nil, fmt.Errorf("%s: no part with id %d", what, n)
			}
		} else if r := str(l.Reference); r != "" {
			if n, found := st.idx.partRef.first(r); found {
				pt = st.Parts[n]
			}
		}
		line := invoiceLine{Description: string(deref(l.Description)), Reference: str(l.Reference)}
		price, hasPrice, err := number(what+": price", l.Price)
		if err != nil {
			return nil, err
		}
		taxRate, hasTax, err := number(what+": tax", l.Tax)
		if err != nil {
			return nil, err
		}
		qty, hasQty, err := number(what+": quantity", l.Quantity)
		if err != nil {
			return nil, err
		}
		if !hasQty {
			return nil, fmt.Errorf("%s: the quantity is required", what)
		}
		disc, _, err := number(what+": discount", l.Discount)
		if err != nil {
			return nil, err
		}
		if disc < 0 || disc > 100 {
			return nil, fmt.Errorf("%s: discount %s is not a percentage between 0 and 100", what, decimalText(disc))
		}
		if taxRate < 0 {
			return nil, fmt.Errorf("%s: tax %s must not be negative", what, decimalText(taxRate))
		}
		line.Price, line.Tax, line.Quantity, line.Discount = decimalText(price), decimalText(taxRate), decimalText(qty), decimalText(disc)
		if pt != nil {
			line.PartID, line.Reference = pt.ID, pt.Reference
			if strings.TrimSpace(line.Description) == "" {
				line.Description = pt.Name
			}
			if !hasPrice || price == 0 {
				line.Price = pt.Price
			}
			if !hasTax {
				if t := st.Taxes[pt.TaxID]; t != nil {
					line.Tax = t.Value
				}
			}
		}
		out = append(out, line)
	}
	return out, nil
}

// invoiceSend answers POST Invoices/Send: create the invoice or quotation
// num, or add lines to it (action "add") or replace its lines ("replace").
func (s *Server) invoiceSend(c *call) answer {
	var in invoiceIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	kind := strings.ToLower(str(in.Type))
	if kind != "" && kind != "invoice" && kind != "quotation" {
		return c.invalid("type %q is neither invoice nor quotation", shorten(str(in.Type)))
	}
	action := strings.ToLower(str(in.Action))
	if action == "" {
		action = "add"
	}
	if action != "add" && action != "replace" {
		return c.invalid("action %q is neither add nor replace", shorten(str(in.Action)))
	}
	var inv *invoice
	num, hasNum := in.Num.Int64()
	if hasNum {
		if num <= 0 {
			return c.invalid("num %d is not an invoice number", num)
		}
		inv = st.invoiceByNum(num)
	}
	if inv == nil && kind == "" {
		return c.invalid("type is required (invoice or quotation)")
	}
	if inv != nil && kind != "" && kind != inv.Type {
		return c.invalid("num %d is a %s, not a %s", num, inv.Type, kind)
	}
	if kind == "" {
		kind = inv.Type
	}
	status, hasStatus := in.Status.Int64()
	maxStatus := int64(3)
	if kind == "quotation" {
		maxStatus = 1
	}
	if hasStatus && (status < 0 || status > maxStatus) {
		return c.invalid("status %d is not a %s status (0 to %d)", status, kind, maxStatus)
	}
	if in.DueDate.Invalid() {
		return c.invalid("dueDate %q is not a date (yyyy-mm-dd)", shorten(in.DueDate.Raw()))
	}
	var j *job
	if !in.Job.empty() {
		id, myID, jnum, given := in.Job.jobKeys()
		if !given {
			return c.invalid("job: give id, myId or num")
		}
		var err error
		if j, err = st.findJob("job", id, myID, jnum); err != nil {
			return c.invalid("%v", err)
		}
	}
	var cu *customer
	if !in.Customer.empty() {
		id, myID, name, given := in.Customer.recordKeys()
		if !given {
			return c.invalid("customer: give id, myId or name")
		}
		var err error
		if cu, err = st.findCustomer("customer", id, myID, name); err != nil {
			return c.invalid("%v", err)
		}
	}
	var x *site
	if !in.Site.empty() {
		id, myID, name, given := in.Site.recordKeys()
		if !given {
			return c.invalid("site: give id, myId or name")
		}
		var err error
		if x, err = st.findSite("site", id, myID, name); err != nil {
			return c.invalid("%v", err)
		}
	}
	lines, err := st.readLines(in.Lines)
	if err != nil {
		return c.invalid("%v", err)
	}
	if inv == nil {
		if !hasNum {
			num = st.next("invoiceNum")
			for st.invoiceByNum(num) != nil {
				num = st.next("invoiceNum")
			}
		}
		inv = &invoice{ID: st.next("invoice"), Num: num, Type: kind}
		st.Invoices[inv.ID] = inv
	}
	if hasStatus {
		inv.Status = status
	}
	if d, ok := in.DueDate.Time(); ok {
		inv.DueDate = d
	}
	if j != nil {
		inv.JobID, inv.SiteID = j.ID, j.SiteID
	}
	if cu != nil {
		inv.CustomerID = cu.ID
	}
	if x != nil {
		inv.SiteID = x.ID
	}
	if action == "replace" {
		inv.Lines = lines
	} else {
		inv.Lines = append(inv.Lines, lines...)
	}
	if inv.Lines == nil {
		inv.Lines = []invoiceLine{}
	}
	inv.Modified = s.now()
	return ok(invoiceEnvelope{Code: 1, Data: &invoiceData{Num: inv.Num, NumberLines: len(inv.Lines)}})
}

type invoiceListIn struct {
	ChangedFrom synchroteam.Time `json:"changedFrom"`
	Job         *ref             `json:"job"`
	Customer    *ref             `json:"customer"`
	Site        *ref             `json:"site"`
}

// invoiceList answers POST Invoices/List with its filters: changedFrom, job,
// customer (of the invoice, else of its job) and site.
func (s *Server) invoiceList(c *call) answer {
	var in invoiceListIn
	if err := c.decode(&in, true); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	changed, hasChanged, err := filterTime("changedFrom", in.ChangedFrom, false)
	if err != nil {
		return c.invalid("%v", err)
	}
	matchCustomer, err := refMatcher(in.Customer)
	if err != nil {
		return c.invalid("customer: %v", err)
	}
	matchSite, err := refMatcher(in.Site)
	if err != nil {
		return c.invalid("site: %v", err)
	}
	var jobID, jobMyID, jobNum string
	if !in.Job.empty() {
		jobID, jobMyID, _, jobNum = in.Job.parts()
	}
	out := []invoiceOut{}
	for _, id := range sortedKeys(st.Invoices) {
		inv := st.Invoices[id]
		if hasChanged && inv.Modified.Before(changed) {
			continue
		}
		j := st.Jobs[inv.JobID]
		if jobID != "" || jobMyID != "" || jobNum != "" {
			if j == nil ||
				(jobID != "" && !strings.EqualFold(j.ID, jobID)) ||
				(jobMyID != "" && !strings.EqualFold(j.MyID, jobMyID)) ||
				(jobNum != "" && fmt.Sprint(j.Num) != jobNum) {
				continue
			}
		}
		if matchCustomer != nil {
			custID := inv.CustomerID
			if custID == 0 && j != nil {
				custID = j.CustomerID
			}
			cu := st.Customers[custID]
			if cu == nil || !matchCustomer(cu.ID, cu.MyID, cu.Name) {
				continue
			}
		}
		if matchSite != nil {
			x := st.Sites[inv.SiteID]
			if x == nil || !matchSite(x.ID, x.MyID, x.Name) {
				continue
			}
		}
		out = append(out, st.invoiceOut(inv))
	}
	return ok(out)
}
