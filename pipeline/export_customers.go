package pipeline

import (
	"context"
	"fmt"

	"github.com/stbulk/stbulk/synchroteam"
)

// customersExport reads customers: Customer/List, and Customer/Details
// of each when the sheet needs what the list leaves out.
var customersExport = exportKind{
	name: "customers", item: "customer", since: "changedFrom", fetch: fetchCustomers,
	sheets: []sheetDef{{name: "Customers", dynamic: []string{"customFieldValues."}, fields: concat(
		fields(text, "id", "myId", "name"), addressFields, contactFields, positionFields, fields(text, "tags"))}},
	filters: []filterDef{{name: "changedFrom", typ: filterDate}},
}

func fetchCustomers(ctx context.Context, e *exporter) error {
	list, err := e.c.Customers.List(ctx, optDate(e.sinceOr("changedFrom")))
	if err != nil {
		return e.searchFailed(ctx, "Customer/List", err)
	}
	e.setFound(len(list))
	// Customer/List leaves out custom fields and tags: Customer/Details
	// has them.
	if e.needsDetails(0, "tags") {
		return each(ctx, e, list, func(c synchroteam.Customer) string { return "customer " + recordKey(c.ID, c.MyID) },
			func(ctx context.Context, c synchroteam.Customer) error {
				d, err := e.c.Customers.Get(ctx, synchroteam.ByID(c.ID))
				if err != nil {
					return fmt.Errorf("Customer/Details: %w", err)
				}
				if d.Position == nil {
					d.Position = c.Position
				}
				return e.customer(d)
			})
	}
	for i := range list {
		if err := e.customer(&list[i]); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (e *exporter) customer(c *synchroteam.Customer) error {
	// A customer has a site's fields, but for the customer's own.
	return e.place("Customers", "customer", &synchroteam.Site{
		ID: c.ID, MyID: c.MyID, Name: c.Name, Address: c.Address, AddressComplement: c.AddressComplement,
		AddressStreet: c.AddressStreet, AddressZIP: c.AddressZIP, AddressCity: c.AddressCity,
		AddressProvince: c.AddressProvince, AddressCountry: c.AddressCountry,
		ContactName: c.ContactName, ContactFirstName: c.ContactFirstName, ContactPhone: c.ContactPhone,
		ContactMobile: c.ContactMobile, ContactEmail: c.ContactEmail, ContactFax: c.ContactFax,
		CustomFieldValues: c.CustomFieldValues, Position: c.Position, Tags: c.Tags,
	}, nil)
}
