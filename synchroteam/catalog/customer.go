package catalog

import (
	"context"

	"github.com/stbulk/stbulk/synchroteam"
)

var customer = Entity{
	Name: "customer", Doc: "customers, upserted by myId",
	Endpoint: "Customer/Send", Keys: []string{"id", "myId"}, IDs: []string{"id"}, Required: []string{"name"}, CustomFields: true,
	Fields: fields([]Field{
		{Name: "id", Kind: KindID, Doc: "Synchroteam id (updates that customer)"},
		{Name: "myId", Kind: KindString, Doc: "your reference for the customer (upsert key)"},
		{Name: "name", Kind: KindString, Doc: "name"},
	}, addressFields, contactFields, positionFields, tagsField),
	Send: sendTo("Customer/Send"),
	Read: func(ctx context.Context, c *synchroteam.Client, by synchroteam.Lookup) (any, error) {
		return c.Customers.Get(ctx, by)
	},
	ReadKeys: []string{"myId", "id"},
}
