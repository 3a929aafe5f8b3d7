// Package writers holds the sinks of a run: the API writer of each entity,
// and the report files (errors, successes, payloads, summary).
package writers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// Item is one row's payload on its way to the API.
type Item struct {
	Row     int            // source row number
	Payload map[string]any // API field names; nested objects for dotted fields
}

// Result is what became of one item.
type Result struct {
	Row int
	Key string // the value of the upsert key the row carries, for reports
	ID  string // the id the API returned (the num for jobs; "" for batches)
	Err error
}

// API writes the items of one entity through the client.
type API struct {
	client *synchroteam.Client
	entity *synchroteam.Entity
}

// NewAPI returns the API writer of an entity.
func NewAPI(c *synchroteam.Client, e *synchroteam.Entity) *API {
	return &API{client: c, entity: e}
}

// Key returns the value of the first upsert key a payload carries, as
// "field=value", for reports.
func Key(e *synchroteam.Entity, p map[string]any) string {
	var parts []string
	for _, k := range e.Keys {
		if v, ok := p[k]; ok && fmt.Sprint(v) != "" {
			parts = append(parts, k+"="+fmt.Sprint(v))
			if !e.Batch {
				break
			}
		}
	}
	return strings.Join(parts, " ")
}

// Send upserts one item (entities written one record at a time).
func (a *API) Send(ctx context.Context, it Item) Result {
	r := Result{Row: it.Row, Key: Key(a.entity, it.Payload)}
	id, err := a.client.Upsert(ctx, a.entity, it.Payload)
	r.ID, r.Err = string(id), err
	return r
}

// SendBatch writes a batch of part_price or inventory items in one request
// and maps the API's per-item failures back to the rows they came from.
func (a *API) SendBatch(ctx context.Context, items []Item) []Result {
	switch a.entity.Name {
	case "part_price":
		return a.prices(ctx, items)
	case "inventory":
		return a.quantities(ctx, items)
	}
	return failAll(items, a.entity, fmt.Errorf("%s is not written in batches", a.entity.Name))
}

func failAll(items []Item, e *synchroteam.Entity, err error) []Result {
	out := make([]Result, len(items))
	for i, it := range items {
		out[i] = Result{Row: it.Row, Key: Key(e, it.Payload), Err: err}
	}
	return out
}

func text(p map[string]any, field string) string {
	if v, ok := p[field]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

func number(p map[string]any, field string) (synchroteam.Number, error) {
	n, err := synchroteam.ParseNumber(text(p, field))
	if err != nil {
		return n, fmt.Errorf("%s: %w", field, err)
	}
	return n, nil
}

func (a *API) prices(ctx context.Context, items []Item) []Result {
	out := make([]Result, len(items))
	prices := make([]synchroteam.PartPrice, 0, len(items))
	index := make([]int, 0, len(items)) // prices[j] comes from items[index[j]]
	for i, it := range items {
		out[i] = Result{Row: it.Row, Key: Key(a.entity, it.Payload)}
		price, err := number(it.Payload, "price")
		if err == nil && !price.Valid() {
			err = errors.New("price: none given")
		}
		if err != nil {
			out[i].Err = err
			continue
		}
		prices = append(prices, synchroteam.PartPrice{
			ID: synchroteam.ID(text(it.Payload, "id")), Reference: text(it.Payload, "reference"), Price: price,
		})
		index = append(index, i)
	}
	if len(prices) == 0 {
		return out
	}
	err := a.client.Parts.SetPrices(ctx, prices)
	a.spread(out, index, err, func(item synchroteam.ItemError) []int {
		if item.Index < 0 || item.Index >= len(index) {
			return nil
		}
		return []int{index[item.Index]}
	})
	return out
}

// spread records a batch's error on its items: the named items fail with
// their own message; when the API names none (the whole request failed, or it
// named items it could not be matched to), every item of the request fails.
func (a *API) spread(out []Result, sent []int, err error, rows func(synchroteam.ItemError) []int) {
	if err == nil {
		return
	}
	var apiErr *synchroteam.Error
	if errors.As(err, &apiErr) && len(apiErr.Items) > 0 {
		matched := true
		var named [][2]any
		for _, item := range apiErr.Items {
			idx := rows(item)
			if len(idx) == 0 {
				matched = false
				break
			}
			for _, i := range idx {
				named = append(named, [2]any{i, item})
			}
		}
		if matched {
			for _, n := range named {
				i, item := n[0].(int), n[1].(synchroteam.ItemError)
				out[i].Err = itemError(apiErr, item)
			}
			return
		}
	}
	for _, i := range sent {
		out[i].Err = err
	}
}

// itemError is the message of one failed item of a batch.
func itemError(e *synchroteam.Error, item synchroteam.ItemError) error {
	msg := item.Message
	if msg == "" {
		msg = "not applied"
	}
	if item.Value != "" {
		msg += " (value " + item.Value + ")"
	}
	return fmt.Errorf("%s: %s", e.Endpoint, msg)
}

// quantities sends inventory rows grouped by depot, one part entry per
// depot and reference: quantities are added and serials gathered, so a file
// with one row per serial number gives one entry per part. An entry is sent
// whole or not at all: when a row of it has an unreadable quantity, the
// quantity of the part in that depot is unknown, so every row of the entry
// fails and nothing is set for it.
func (a *API) quantities(ctx context.Context, items []Item) []Result {
	out := make([]Result, len(items))
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
		out[i] = Result{Row: it.Row, Key: Key(a.entity, it.Payload)}
		k := [2]string{text(it.Payload, "depot"), text(it.Payload, "reference")}
		e := byKey[k]
		if e == nil {
			e = &entry{depot: k[0], ref: k[1]}
			byKey[k] = e
			all = append(all, e)
		}
		e.rows = append(e.rows, i)
		q, err := number(it.Payload, "quantity")
		if err == nil && !q.Valid() {
			// An empty quantity is not 0: it would set the part's stock.
			err = errors.New("quantity: none given")
		}
		if err != nil {
			out[i].Err = err
			if !e.broken {
				e.broken, e.bad = true, it.Row
			}
			continue
		}
		qty, _ := q.Float64()
		e.qty += qty
		if s, ok := it.Payload["serials"].([]string); ok {
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
			if out[i].Err == nil {
				out[i].Err = fmt.Errorf("row %d of the same part and depot has an unreadable quantity", e.bad)
			}
		}
	}
	if len(entries) == 0 {
		return out
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
	err := a.client.Inventory.SetQuantities(ctx, depots)
	a.spread(out, sent, err, func(item synchroteam.ItemError) []int {
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
	return out
}

// MarshalPayload writes a payload as the JSON sent to the API (for dry runs
// and golden files).
func MarshalPayload(p map[string]any) ([]byte, error) { return json.Marshal(p) }
