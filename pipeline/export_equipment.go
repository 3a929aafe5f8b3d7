package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// equipmentExport reads the equipment of every site of every customer
// (or of the customer of the filter): Equipment/List of each site, and
// Equipment/Details of each piece when the sheet needs its custom fields
// or tags, which the list leaves out.
var equipmentExport = exportKind{
	name: "equipment", item: "piece of equipment", fetch: fetchEquipment,
	sheets: []sheetDef{{name: "Equipment", dynamic: []string{"customFieldValues."}, fields: concat(
		fields(text, "id", "myId", "name", "customerId", "customerMyId", "customerName", "siteId", "siteMyId", "siteName", "tags"))}},
	filters: []filterDef{{name: "customer", typ: filterRef}},
}

// equipmentSite is a site whose equipment is exported, with its customer.
type equipmentSite struct {
	customer synchroteam.Customer
	site     synchroteam.Site
}

func fetchEquipment(ctx context.Context, e *exporter) error {
	var customers []synchroteam.Customer
	if l, ok := e.m.Filters["customer"].(synchroteam.Lookup); ok {
		c, err := e.c.Customers.Get(ctx, l)
		if err != nil {
			return e.searchFailed(ctx, "Customer/Details", err)
		}
		customers = []synchroteam.Customer{*c}
	} else {
		list, err := e.c.Customers.List(ctx, synchroteam.Date{})
		if err != nil {
			return e.searchFailed(ctx, "Customer/List", err)
		}
		customers = list
	}
	// The sites of each customer, then the equipment of each site; a
	// customer whose sites cannot be read counts as one item failed.
	var sites []equipmentSite
	err := each(ctx, e, customers, func(c synchroteam.Customer) string { return "customer " + recordKey(c.ID, c.MyID) },
		func(ctx context.Context, c synchroteam.Customer) error {
			list, err := e.c.Sites.ListByCustomer(ctx, synchroteam.ByID(c.ID))
			if err != nil {
				e.setFound(1)
				return fmt.Errorf("Site/List: %w", err)
			}
			e.mu.Lock()
			for _, s := range list {
				sites = append(sites, equipmentSite{customer: c, site: s})
			}
			e.mu.Unlock()
			return nil
		})
	if err != nil {
		return err
	}
	details := e.needsDetails(0, "tags")
	return each(ctx, e, sites, func(s equipmentSite) string { return "site " + recordKey(s.site.ID, s.site.MyID) },
		func(ctx context.Context, s equipmentSite) error {
			list, err := e.c.Equipment.ListByCustomerSite(ctx, string(s.customer.ID), string(s.site.ID))
			if err != nil {
				e.setFound(1) // the site, failed
				return fmt.Errorf("Equipment/List: %w", err)
			}
			e.setFound(len(list))
			for i := range list {
				eq := &list[i]
				if details {
					d, err := e.c.Equipment.Get(ctx, synchroteam.ByID(eq.ID))
					if err != nil {
						return fmt.Errorf("equipment %s: Equipment/Details: %w", eq.ID, err)
					}
					eq = d
				}
				e.equipment(eq, s)
			}
			return nil
		})
}

// equipment emits the row of a piece of equipment, its customer and site
// filled from the listing when the API leaves them out.
func (e *exporter) equipment(eq *synchroteam.Equipment, s equipmentSite) {
	or := func(v, alt string) string {
		if v != "" {
			return v
		}
		return alt
	}
	rw := row{
		"id": textCell(string(eq.ID)), "myId": textCell(eq.MyID), "name": textCell(eq.Name),
		"customerId":   textCell(or(string(eq.CustomerID), string(s.customer.ID))),
		"customerMyId": textCell(or(eq.CustomerMyID, s.customer.MyID)), "customerName": textCell(or(eq.CustomerName, s.customer.Name)),
		"siteId": textCell(or(string(eq.SiteID), string(s.site.ID))), "siteMyId": textCell(or(eq.SiteMyID, s.site.MyID)),
		"siteName": textCell(or(eq.SiteName, s.site.Name)), "tags": textCell(strings.Join(eq.Tags, ", ")),
	}
	customCells(rw, eq.CustomFieldValues)
	r := newRecord(recordKey(eq.ID, eq.MyID))
	r.add("Equipment", rw)
	e.emit(r)
}
