package catalog

import (
	"context"

	"github.com/stbulk/stbulk/synchroteam"
)

var site = Entity{
	Name: "site", Doc: "sites of customers, upserted by myId",
	Endpoint: "Site/Send", Keys: []string{"id", "myId"}, IDs: []string{"id"}, Required: []string{"name"}, CustomFields: true,
	Fields: fields([]Field{
		{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
		{Name: "myId", Kind: KindString, Doc: "your reference for the site (upsert key)"},
		{Name: "name", Kind: KindString, Doc: "name"},
		{Name: "customerId", Kind: KindID, Doc: "the customer's Synchroteam id", ReadAs: "-"},
		{Name: "customerMyId", Kind: KindString, Doc: "the customer's myId", ReadAs: "-"},
		{Name: "customerName", Kind: KindString, Doc: "the customer's name", ReadAs: "-"},
	}, addressFields, contactFields, positionFields, tagsField),
	Parents: []Link{{"customerMyId", &customer, "myId"}, {"customerId", &customer, "id"}, {"customerName", &customer, "name"}},
	Send:    sendTo("Site/Send"),
	Read: func(ctx context.Context, c *synchroteam.Client, by synchroteam.Lookup) (any, error) {
		return c.Sites.Get(ctx, by)
	},
	ReadKeys: []string{"myId", "id"},
}
