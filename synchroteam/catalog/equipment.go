package catalog

import (
	"context"

	"github.com/stbulk/stbulk/synchroteam"
)

var equipment = Entity{
	Name: "equipment", Doc: "equipment at customers' sites, upserted by myId",
	Endpoint: "Equipment/Send", Keys: []string{"id", "myId"}, IDs: []string{"id"}, Required: []string{"name"}, CustomFields: true,
	Fields: []Field{
		{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
		{Name: "myId", Kind: KindString, Doc: "your reference for the equipment (upsert key)"},
		{Name: "name", Kind: KindString, Doc: "name"},
		{Name: "customerId", Kind: KindID, Doc: "the customer's Synchroteam id"},
		{Name: "customerMyId", Kind: KindString, Doc: "the customer's myId"},
		{Name: "customerName", Kind: KindString, Doc: "the customer's name"},
		{Name: "siteId", Kind: KindID, Doc: "the site's Synchroteam id"},
		{Name: "siteMyId", Kind: KindString, Doc: "the site's myId"},
		{Name: "siteName", Kind: KindString, Doc: "the site's name"},
		{Name: "tags", Kind: KindList, Doc: "tags"},
	},
	Parents: []Link{
		{"customerMyId", &customer, "myId"}, {"customerId", &customer, "id"}, {"customerName", &customer, "name"},
		{"siteMyId", &site, "myId"}, {"siteId", &site, "id"}, {"siteName", &site, "name"},
	},
	Send: sendTo("Equipment/Send"),
	Read: func(ctx context.Context, c *synchroteam.Client, by synchroteam.Lookup) (any, error) {
		return c.Equipment.Get(ctx, by)
	},
	ReadKeys: []string{"myId", "id"},
}
