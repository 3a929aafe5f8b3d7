package pipeline

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// The arithmetic of invoice lines, in exact decimals, as the API does it
// (its own examples come out to the cent: 139,4000, 74,2500, 138,3800):
//
//	amount   = price × quantity
//	discount = amount × discount % , rounded to the cent
//	net      = amount − discount, rounded to the cent
//	gross    = (amount − discount) × (1 + tax %), rounded to the cent
//	VAT      = gross − net
//
// Rounding is to the cent, halves away from zero (138.375 is 138.38, as
// the API's third example shows; halves to even would give 138.37). VAT is
// what the gross adds to the net, so net + VAT = gross on every line; an
// invoice's net, VAT and gross are the sums of its lines'.

// lineAmounts are the figures of one line, to the cent.
type lineAmounts struct {
	net, vat, gross *big.Rat
	rate            *big.Rat // the tax, as a fraction: 0.1 for 10 %
}

// decimalOf reads an API number as the decimal it stands for ("50,30" is
// 50.3). The value goes through its shortest decimal text, which bounds
// its digits whatever the API sent.
func decimalOf(n synchroteam.Number) (*big.Rat, bool) {
	f, ok := n.Float64()
	if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false
	}
	return new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
}

var (
	ratHundred = big.NewRat(100, 1)
	ratOne     = big.NewRat(1, 1)
)

// roundCents rounds r to the cent, halves away from zero.
func roundCents(r *big.Rat) *big.Rat {
	x := new(big.Rat).Mul(r, ratHundred)
	num, den := new(big.Int).Abs(x.Num()), x.Denom()
	// (2|x|·den + den) / (2·den), in whole numbers: |x| + ½, cut.
	q := new(big.Int).Mul(num, big.NewInt(2))
	q.Add(q, den)
	q.Quo(q, new(big.Int).Mul(den, big.NewInt(2)))
	if x.Sign() < 0 {
		q.Neg(q)
	}
	return new(big.Rat).SetFrac(q, big.NewInt(100))
}

// lineFigures computes a line's net, VAT and gross; the reason it cannot
// when price or quantity are missing, or a value is not a number.
func lineFigures(l synchroteam.InvoiceLine) (lineAmounts, string) {
	read := func(n synchroteam.Number, what string, needed bool) (*big.Rat, string) {
		if n.IsZero() {
			if needed {
				return nil, "no " + what
			}
			return new(big.Rat), ""
		}
		r, ok := decimalOf(n)
		if !ok {
			return nil, fmt.Sprintf("%s %q is not a number", what, n.Raw())
		}
		return r, ""
	}
	price, why := read(l.Price, "price", true)
	if why != "" {
		return lineAmounts{}, why
	}
	qty, why := read(l.Quantity, "quantity", true)
	if why != "" {
		return lineAmounts{}, why
	}
	disc, why := read(l.Discount, "discount", false)
	if why != "" {
		return lineAmounts{}, why
	}
	tax, why := read(l.Tax, "tax", false)
	if why != "" {
		return lineAmounts{}, why
	}
	amount := new(big.Rat).Mul(price, qty)
	discount := roundCents(new(big.Rat).Quo(new(big.Rat).Mul(amount, disc), ratHundred))
	exact := new(big.Rat).Sub(amount, discount)
	rate := new(big.Rat).Quo(tax, ratHundred)
	a := lineAmounts{
		net:   roundCents(exact),
		gross: roundCents(new(big.Rat).Mul(exact, new(big.Rat).Add(ratOne, rate))),
		rate:  rate,
	}
	a.vat = new(big.Rat).Sub(a.gross, a.net)
	for _, r := range []*big.Rat{a.net, a.gross} {
		if _, ok := moneyOf(r); !ok {
			return lineAmounts{}, "its amount is beyond what a spreadsheet holds"
		}
	}
	return a, ""
}

// moneyOf returns r as a float64, false when it is not finite.
func moneyOf(r *big.Rat) (float64, bool) {
	f, _ := r.Float64()
	return f, !math.IsInf(f, 0) && !math.IsNaN(f)
}

// moneyCell writes an exact amount; one beyond float64 is left empty.
func moneyCell(r *big.Rat) writers.Cell {
	if r == nil {
		return writers.Cell{}
	}
	f, ok := moneyOf(r)
	if !ok {
		return writers.Cell{}
	}
	return writers.MoneyCell(f)
}

// apiMoneyCell writes an amount the API sent; one that cannot be read is
// kept as text and reported through warn, never written as 0.
func apiMoneyCell(n synchroteam.Number, what string, warn func(string)) writers.Cell {
	c := numberCell(n, what, warn)
	if c.Kind == writers.KindNumber {
		c.Kind = writers.KindMoney
	}
	return c
}

// apiPercentCell writes a percentage the API sent ("10,00") as a rate
// (0.1); one that cannot be read is kept as text and reported.
func apiPercentCell(n synchroteam.Number, what string, warn func(string)) writers.Cell {
	c := numberCell(n, what, warn)
	if c.Kind == writers.KindNumber {
		if r, ok := decimalOf(n); ok {
			f, _ := new(big.Rat).Quo(r, ratHundred).Float64()
			return writers.PercentCell(f)
		}
	}
	return c
}

// centsOf reads an amount cell of a row back as an exact decimal, to the
// cent; false when the cell holds no amount.
func centsOf(c writers.Cell) (*big.Rat, bool) {
	if (c.Kind != writers.KindMoney && c.Kind != writers.KindNumber) || math.IsInf(c.Number, 0) || math.IsNaN(c.Number) {
		return nil, false
	}
	return new(big.Rat).SetString(strconv.FormatFloat(c.Number, 'f', 2, 64))
}

// totalLabel is the field of a totals row that holds its label ("Total
// invoices"): it is written in the row's first empty cell.
const totalLabel = ""

// isInvoice reports whether a row's type is an invoice (not a quotation).
func isInvoice(rw row) bool { return strings.EqualFold(rw["type"].Text, "invoice") }

// vatGroup is a row of the VAT sheet being summed.
type vatGroup struct {
	month    string
	rate     float64
	net, vat *big.Rat
	invoices int
	lastKey  string // the last invoice counted
	lines    int
}

// noDueDate is the month of invoices the API gives no due date.
const noDueDate = "(no due date)"

// vatSheet sums the lines of invoices (quotations are no sales) by month
// of their due date and tax rate: the base and the VAT a VAT return asks
// for. Lines whose figures are unknown are left out (a warning said so
// when they were read). Its rows are sorted by month, then rate.
type vatSheet struct{ groups map[string]*vatGroup }

func newVATSheet() accumulator { return &vatSheet{groups: map[string]*vatGroup{}} }

func (v *vatSheet) add(key string, lines []row) {
	for _, l := range lines {
		if !isInvoice(l) {
			continue
		}
		net, ok1 := centsOf(l["net"])
		vat, ok2 := centsOf(l["vat"])
		if !ok1 || !ok2 {
			continue
		}
		month := noDueDate
		if d := l["dueDate"]; d.Kind == writers.KindDate && !d.Time.IsZero() {
			month = d.Time.Format("2006-01")
		}
		rate := 0.0
		if t := l["tax"]; t.Kind == writers.KindPercent {
			rate = t.Number
		}
		k := month + "|" + strconv.FormatFloat(rate, 'g', -1, 64)
		g := v.groups[k]
		if g == nil {
			g = &vatGroup{month: month, rate: rate, net: new(big.Rat), vat: new(big.Rat)}
			v.groups[k] = g
		}
		g.net.Add(g.net, net)
		g.vat.Add(g.vat, vat)
		if g.invoices == 0 || g.lastKey != key {
			g.invoices++
			g.lastKey = key
		}
		g.lines++
	}
}

func (v *vatSheet) rows() []row {
	sorted := slices.Collect(maps.Values(v.groups))
	slices.SortFunc(sorted, func(a, b *vatGroup) int {
		if c := cmp.Compare(a.month, b.month); c != 0 {
			return c
		}
		return cmp.Compare(a.rate, b.rate)
	})
	out := make([]row, 0, len(sorted))
	for _, g := range sorted {
		out = append(out, row{"month": textCell(g.month), "rate": writers.PercentCell(g.rate),
			"net": moneyCell(g.net), "vat": moneyCell(g.vat), "gross": moneyCell(new(big.Rat).Add(g.net, g.vat)),
			"invoices": writers.NumberCell(float64(g.invoices)), "lines": writers.NumberCell(float64(g.lines))})
	}
	return out
}

// rowSum sums the amount fields of rows into a row labelled label. A field
// that a row holds no amount in is "(incomplete)", never a sum that leaves
// something out; with skip, such amounts are left out of the sum instead.
type rowSum struct {
	label      string
	fields     []string
	skip       bool
	sums       []*big.Rat
	incomplete []bool
	n          int // rows summed
}

func newRowSum(label string, skip bool, fields ...string) *rowSum {
	s := &rowSum{label: label, fields: fields, skip: skip, sums: make([]*big.Rat, len(fields)), incomplete: make([]bool, len(fields))}
	for i := range s.sums {
		s.sums[i] = new(big.Rat)
	}
	return s
}

func (s *rowSum) addRow(rw row) {
	s.n++
	for i, f := range s.fields {
		if s.incomplete[i] {
			continue
		}
		v, ok := centsOf(rw[f])
		switch {
		case ok:
			s.sums[i].Add(s.sums[i], v)
		case !s.skip:
			s.incomplete[i] = true
		}
	}
}

func (s *rowSum) row() row {
	out := row{totalLabel: textCell(s.label)}
	for i, f := range s.fields {
		if s.incomplete[i] {
			out[f] = textCell("(incomplete)")
		} else {
			out[f] = moneyCell(s.sums[i])
		}
	}
	return out
}

// add makes a rowSum the accumulator of a sheet with one total row, none
// when the sheet has no rows.
func (s *rowSum) add(_ string, rows []row) {
	for _, rw := range rows {
		s.addRow(rw)
	}
}

func (s *rowSum) rows() []row {
	if s.n == 0 {
		return nil
	}
	return []row{s.row()}
}

// vatTotals is the VAT sheet's total over every month and rate.
func vatTotals() accumulator { return newRowSum("Total", false, "net", "vat", "gross") }

// invoiceTotals are the Invoices sheet's totals: one for the invoices, one
// for the quotations, never mixed.
type invoiceTotals struct{ byType map[string]*rowSum }

func newInvoiceTotals() accumulator { return &invoiceTotals{byType: map[string]*rowSum{}} }

func (t *invoiceTotals) add(_ string, rows []row) {
	for _, rw := range rows {
		typ := strings.ToLower(rw["type"].String())
		s := t.byType[typ]
		if s == nil {
			label := "Total " + typ + "s"
			if typ == "" {
				label = "Total (no type)"
			}
			s = newRowSum(label, false, "net", "vat", "gross", "total", "linesTotal")
			t.byType[typ] = s
		}
		s.addRow(rw)
	}
}

func (t *invoiceTotals) rows() []row {
	var out []row
	for _, typ := range slices.Sorted(maps.Keys(t.byType)) {
		out = append(out, t.byType[typ].row())
	}
	return out
}
