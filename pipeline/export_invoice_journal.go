package pipeline

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stbulk/stbulk/pipeline/internal/mapfile"
	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// invoiceJournalExport writes the invoices (not the quotations) as the
// journal lines accounting software imports: per invoice, the customer's
// receivable in debit for the gross; per VAT rate, the revenue in credit
// for the net and the VAT account in credit for the VAT. Each invoice's
// entry balances. An invoice whose figures cannot all be computed gets no
// entry: it fails, named in errors.csv, rather than a journal that does
// not balance.
var invoiceJournalExport = exportKind{
	name: "invoice_journal", item: "invoice", since: "changedFrom", fetch: fetchInvoiceJournal,
	sheets: []sheetDef{
		{name: "Journal", totals: journalTotals, fields: concat([]exportField{{"date", date}, {"document", number}, {"entryLine", number}},
			fields(text, "account", "label"), fields(money, "debit", "credit"), []exportField{{"rate", percent}},
			fields(text, "customer", "currency"))},
	},
	filters: []filterDef{
		{name: "changedFrom", typ: filterDate}, {name: "job", typ: filterJobRef},
		{name: "customer", typ: filterRef}, {name: "site", typ: filterRef},
		{name: "status", typ: filterChoice, choices: []string{"draft", "sent", "late", "paid"}},
	},
}

// JournalAccounts are the account numbers of an invoice journal.
type JournalAccounts struct {
	Receivable string
	Revenue    string
	VAT        map[string]string // by rate, as a number of percent ("20", "5.5")
}

// rateKey writes a rate (a fraction) as the number of percent that keys
// the VAT accounts: 0.055 is "5.5".
func rateKey(rate *big.Rat) string {
	s := new(big.Rat).Mul(rate, ratHundred).FloatString(6)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// accounts reads "accounts:" of an invoice journal.
func (l *exportLoader) accounts(key, n *yaml.Node) {
	if l.m.Kind != &invoiceJournalExport {
		l.Add(key, "accounts apply to export: %s only", invoiceJournalExport.name)
		return
	}
	a := &JournalAccounts{VAT: map[string]string{}}
	kv := l.Pairs(n, "accounts", []string{"receivable", "revenue", "vat"})
	for _, k := range []string{"receivable", "revenue"} {
		p, ok := kv[k]
		if !ok {
			l.Add(n, "accounts: missing %s: (its account number, e.g. %s)", k, map[string]string{"receivable": `"411000"`, "revenue": `"706000"`}[k])
			continue
		}
		if s, ok := l.Scalar(p[1], "account "+k); ok && s != "" {
			if k == "receivable" {
				a.Receivable = s
			} else {
				a.Revenue = s
			}
		}
	}
	p, ok := kv["vat"]
	if !ok {
		l.Add(n, `accounts: missing vat: (an account per rate, e.g. { "20": "445711", "10": "445712" })`)
	} else if v := mapfile.Deref(p[1]); v.Kind != yaml.MappingNode {
		l.Add(v, `accounts vat: an account per rate, e.g. { "20": "445711" }, got %s`, mapfile.Describe(v))
	} else {
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			n, err := synchroteam.ParseNumber(k.Value)
			r, ok := decimalOf(n)
			if err != nil || !ok || r.Sign() < 0 {
				l.Add(k, "accounts vat: %q is not a rate: give the number of percent, e.g. \"20\" or \"5.5\"", k.Value)
				continue
			}
			s, ok := l.Scalar(val, "vat account")
			if !ok || s == "" {
				continue
			}
			rk := rateKey(new(big.Rat).Quo(r, ratHundred))
			if _, dup := a.VAT[rk]; dup {
				l.Add(k, "accounts vat: rate %s is given twice", rk)
			}
			a.VAT[rk] = s
		}
	}
	l.m.Accounts = a
}

func fetchInvoiceJournal(ctx context.Context, e *exporter) error {
	return readInvoices(ctx, e, "invoice", e.journalEntry)
}

// journalEntry writes the journal lines of one invoice.
func (e *exporter) journalEntry(ctx context.Context, inv *synchroteam.Invoice, nm *names) error {
	warn := e.warn(invoiceKey(inv))
	if inv.Num == "" && inv.ID == "" {
		return fmt.Errorf("the API gave neither a num nor an id")
	}
	type byRate struct{ rate, net, vat *big.Rat }
	rates := map[string]*byRate{}
	gross := new(big.Rat)
	for k, l := range inv.Lines {
		a, why := lineFigures(l)
		if why != "" {
			return fmt.Errorf("line %d: %s: no journal entry (it would not balance)", k+1, why)
		}
		key := rateKey(a.rate)
		g := rates[key]
		if g == nil {
			g = &byRate{rate: a.rate, net: new(big.Rat), vat: new(big.Rat)}
			rates[key] = g
		}
		g.net.Add(g.net, a.net)
		g.vat.Add(g.vat, a.vat)
		gross.Add(gross, a.gross)
	}
	customer, _, err := e.customerOf(ctx, inv, nm, warn)
	if err != nil {
		return err
	}
	accts := e.m.Accounts
	if accts == nil {
		accts = &JournalAccounts{}
	}
	r := newRecord(invoiceRecordKey(inv))
	doc := idCell(string(inv.Num))
	day := timeCell(inv.DueDate, date, "dueDate", warn)
	n := 0
	add := func(account, label string, amount *big.Rat, debit bool, rate *big.Rat) {
		n++
		rw := row{"date": day, "document": doc, "entryLine": writers.NumberCell(float64(n)), "account": textCell(account),
			"label": textCell(label), "customer": customer, "currency": textCell(e.m.Format.Currency)}
		if rate != nil {
			f, _ := rate.Float64()
			rw["rate"] = writers.PercentCell(f)
		}
		// A negative amount (a credit note) goes to the other side.
		if amount.Sign() < 0 {
			amount, debit = new(big.Rat).Neg(amount), !debit
		}
		if debit {
			rw["debit"] = moneyCell(amount)
		} else {
			rw["credit"] = moneyCell(amount)
		}
		r.add("Journal", rw)
	}
	label := fmt.Sprintf("Invoice %s %s", inv.Num, customer.String())
	add(accts.Receivable, label, gross, true, nil)
	keys := make([]string, 0, len(rates))
	for k := range rates {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return rates[a].rate.Cmp(rates[b].rate) })
	for _, k := range keys {
		g := rates[k]
		add(accts.Revenue, fmt.Sprintf("Invoice %s revenue %s%%", inv.Num, k), g.net, false, g.rate)
		if g.vat.Sign() == 0 && g.rate.Sign() == 0 {
			continue
		}
		account, ok := accts.VAT[k]
		if !ok {
			account = fmt.Sprintf("(no account for %s%%)", k)
			warn(fmt.Sprintf("no VAT account for the rate %s%%: add it to accounts: vat:", k))
		}
		add(account, fmt.Sprintf("Invoice %s VAT %s%%", inv.Num, k), g.vat, false, g.rate)
	}
	return e.emit(r)
}

// journalTotals is the journal's total of debits and credits: equal when
// every entry balances.
func journalTotals() accumulator { return newRowSum("Total", true, "debit", "credit") }
