package pipeline

import (
	"context"
	"fmt"

	"github.com/stbulk/stbulk/synchroteam"
)

// sitesExport reads sites: Site/List of each customer (or of the customer
// of the filter).
var sitesExport = exportKind{
	name: "sites", item: "site", fetch: fetchSites,
	sheets: []sheetDef{{name: "Sites", dynamic: []string{"customFieldValues."}, fields: concat(
		fields(text, "id", "myId", "name", "customerId", "customerMyId", "customerName"), addressFields, contactFields,
		positionFields, fields(text, "tags"))}},
	filters: []filterDef{{name: "customer", typ: filterRef}},
}

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
				err := e.place("Sites", "site", s, row{"customerId": textCell(string(s.CustomerID)),
					"customerMyId": textCell(s.CustomerMyID), "customerName": textCell(s.CustomerName)})
				if err != nil {
					return err
				}
			}
			return nil
		})
}
