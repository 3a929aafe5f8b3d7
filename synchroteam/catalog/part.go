package catalog

import (
	"context"

	"github.com/stbulk/stbulk/synchroteam"
)

var part = Entity{
	Name: "part", Doc: "parts and services of the catalogue, upserted by reference",
	Endpoint: "Part/Send", Keys: []string{"id", "reference"}, IDs: []string{"id"}, Required: []string{"name", "reference"},
	Fields: []Field{
		{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
		{Name: "reference", Kind: KindString, Aliases: []string{"ref"}, Doc: "part reference or code (upsert key)"},
		{Name: "name", Kind: KindString, Doc: "name"},
		{Name: "price", Kind: KindNumber, Doc: "billable price, taxes excluded"},
		{Name: "taxId", Kind: KindID, Doc: "id of the tax"},
		{Name: "categoryId", Kind: KindID, Doc: "id of the category"},
		{Name: "categoryName", Kind: KindString, Aliases: []string{"category"}, Doc: "name of the category"},
		{Name: "minQuantity", Kind: KindNumber, Doc: "minimum stock quantity", ReadAs: "-"},
		{Name: "tracked", Kind: KindBool, Doc: "the part is tracked", ReadAs: "-"},
		{Name: "serializable", Kind: KindBool, Doc: "the part is serializable", ReadAs: "-"},
	},
	Send:     sendTo("Part/Send"),
	Read:     readPart,
	ReadKeys: []string{"reference", "id"},
}

func readPart(ctx context.Context, c *synchroteam.Client, by synchroteam.Lookup) (any, error) {
	return c.Parts.Get(ctx, by)
}
