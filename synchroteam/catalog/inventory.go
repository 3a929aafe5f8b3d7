package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// inventory sets quantities, it does not add them: all the rows of one
// part in one depot (one row per serial number, say) go in one request, all
// or none (see Group).
var inventory = Entity{
	Name: "inventory", Doc: "stock quantities per depot and part, in batches",
	Endpoint: "Inventory/Quantities", Keys: []string{"depot", "reference"}, Required: []string{"depot", "reference", "quantity"},
	Fields: []Field{
		{Name: "depot", Kind: KindString, Doc: "name of the depot"},
		{Name: "reference", Kind: KindString, Aliases: []string{"ref"}, Doc: "the part's reference"},
		{Name: "quantity", Kind: KindNumber, Doc: "quantity in the depot"},
		{Name: "serials", Kind: KindList, Aliases: []string{"serial"}, Doc: "serial numbers (aggregated per part and depot)"},
	},
	Parents: []Link{{"reference", &part, "reference"}},
	Batch: &Batch{Send: sendQuantities, Group: &Group{
		Key: func(p Payload) (string, bool) {
			d, r := p["depot"], p["reference"]
			if d == nil || r == nil {
				return "", false
			}
			return fmt.Sprint(d) + "\x00" + fmt.Sprint(r), true
		},
		Closed: func(first Payload, row int) string {
			return fmt.Sprintf(
				"part %v in depot %v was already sent with row %d, and a later request would replace its quantity: put the rows of one part and depot together, or raise batch_size",
				first["reference"], first["depot"], row)
		},
		Spoiled: func(bad int) string {
			return fmt.Sprintf("not sent: row %d of the same part and depot was not valid, and the quantity of a part is set by all its rows at once", bad)
		},
		// A serial number is one piece in the depot: two rows with the
		// same one count it twice.
		Items: func(p Payload) []string {
			var out []string
			serials, _ := p["serials"].([]string)
			for _, s := range serials {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, "serial="+s)
				}
			}
			return out
		},
	}},
	// Inventory/Quantities has no read: what a depot holds cannot be read back.
}

// sendQuantities sends inventory rows grouped by depot, one part entry per
// depot and reference: quantities are added and serials gathered, so a file
// with one row per serial number gives one entry per part. An entry is sent
// whole or not at all: when a row of it has an unreadable quantity, the
// quantity of the part in that depot is unknown, so every row of the entry
// fails and nothing is set for it.
func sendQuantities(ctx context.Context, c *synchroteam.Client, items []Item) []error {
	errs := make([]error, len(items))
	type entry struct {
		depot, ref string
		qty        float64
		serials    []string
		rows       []int // indexes in items
		broken     bool  // a row has an unreadable quantity
		bad        int   // the source row of the first one
	}
	var all []*entry
	byKey := map[[2]string]*entry{}
	for i, it := range items {
		p := it.Payload
		k := [2]string{text(p, "depot"), text(p, "reference")}
		e := byKey[k]
		if e == nil {
			e = &entry{depot: k[0], ref: k[1]}
			byKey[k] = e
			all = append(all, e)
		}
		e.rows = append(e.rows, i)
		q, err := number(p, "quantity")
		if err == nil && !q.Valid() {
			// An empty quantity is not 0: it would set the part's stock.
			err = errors.New("quantity: none given")
		}
		if err != nil {
			errs[i] = err
			if !e.broken {
				e.broken, e.bad = true, it.Row
			}
			continue
		}
		qty, _ := q.Float64()
		e.qty += qty
		if s, ok := p["serials"].([]string); ok {
			e.serials = append(e.serials, s...)
		}
	}
	entries := all[:0:0]
	for _, e := range all {
		if !e.broken {
			entries = append(entries, e)
			continue
		}
		for _, i := range e.rows {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("row %d of the same part and depot has an unreadable quantity", e.bad)
			}
		}
	}
	if len(entries) == 0 {
		return errs
	}
	var depots []synchroteam.DepotQuantities
	depotIndex := map[string]int{}
	var sent []int
	for _, e := range entries {
		di, ok := depotIndex[e.depot]
		if !ok {
			di = len(depots)
			depotIndex[e.depot] = di
			depots = append(depots, synchroteam.DepotQuantities{Depot: e.depot})
		}
		depots[di].Parts = append(depots[di].Parts, synchroteam.PartQuantity{
			Reference: e.ref, Quantity: synchroteam.NewNumber(e.qty), Serials: e.serials,
		})
		sent = append(sent, e.rows...)
	}
	err := c.Inventory.SetQuantities(ctx, depots)
	spread(errs, sent, err, func(item synchroteam.ItemError) []int {
		if item.Index < 0 || item.Index >= len(depots) {
			return nil
		}
		var rows []int
		for _, e := range entries {
			if e.depot == depots[item.Index].Depot && (item.Reference == "" || e.ref == item.Reference) {
				rows = append(rows, e.rows...)
			}
		}
		return rows
	})
	return errs
}
