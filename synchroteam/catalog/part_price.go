package catalog

import (
	"context"
	"errors"

	"github.com/stbulk/stbulk/synchroteam"
)

var partPrice = Entity{
	Name: "part_price", Doc: "prices of existing parts, in batches",
	Endpoint: "Part/Prices", Keys: []string{"id", "reference"}, IDs: []string{"id"}, Required: []string{"price"},
	Fields: []Field{
		{Name: "id", Kind: KindID, Doc: "the part's Synchroteam id"},
		{Name: "reference", Kind: KindString, Aliases: []string{"ref"}, Doc: "the part's reference"},
		{Name: "price", Kind: KindNumber, Doc: "the new price"},
	},
	Parents:  []Link{{"reference", &part, "reference"}, {"id", &part, "id"}},
	Batch:    &Batch{Send: sendPrices},
	Read:     readPart,
	ReadKeys: []string{"reference", "id"},
}

// sendPrices sets the prices in one Part/Prices request; the parts the API
// refuses are named by their index.
func sendPrices(ctx context.Context, c *synchroteam.Client, items []Item) []error {
	errs := make([]error, len(items))
	prices := make([]synchroteam.PartPrice, 0, len(items))
	index := make([]int, 0, len(items)) // prices[j] comes from items[index[j]]
	for i, it := range items {
		p := it.Payload
		price, err := number(p, "price")
		if err == nil && !price.Valid() {
			err = errors.New("price: none given")
		}
		if err != nil {
			errs[i] = err
			continue
		}
		prices = append(prices, synchroteam.PartPrice{
			ID: synchroteam.ID(text(p, "id")), Reference: text(p, "reference"), Price: price,
		})
		index = append(index, i)
	}
	if len(prices) == 0 {
		return errs
	}
	err := c.Parts.SetPrices(ctx, prices)
	spread(errs, index, err, func(item synchroteam.ItemError) []int {
		if item.Index < 0 || item.Index >= len(index) {
			return nil
		}
		return []int{index[item.Index]}
	})
	return errs
}
