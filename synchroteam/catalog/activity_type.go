package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

var activityType = Entity{
	Name: "activity_type", Doc: "activity types of the planning, upserted by name",
	Endpoint: "ActivityType/Send", Keys: []string{"id", "name"}, IDs: []string{"id"}, Required: []string{"name"},
	Fields: []Field{
		{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
		{Name: "name", Kind: KindString, Doc: "name (upsert key)"},
		{Name: "color", Kind: KindString, Aliases: []string{"colour"}, Doc: "color, hexadecimal RRGGBB"},
		{Name: "hasConflit", Kind: KindBool, Aliases: []string{"hasConflict"}, Doc: "can raise scheduling conflicts"},
	},
	// ActivityType/Send answers {"code": 1, "data": <the type>}, not an id.
	Send: func(ctx context.Context, c *synchroteam.Client, p Payload, keyed bool) (synchroteam.ID, error) {
		return c.ActivityTypes.SendRecord(ctx, p, keyed)
	},
	Read:     readActivityType,
	ReadKeys: []string{"name", "id"},
}

// readActivityType finds a type through ActivityType/Search, the only read
// the API has for them.
func readActivityType(ctx context.Context, c *synchroteam.Client, by synchroteam.Lookup) (any, error) {
	filter := &synchroteam.ActivityType{Name: by.Value}
	if by.Param == "id" {
		filter = &synchroteam.ActivityType{ID: synchroteam.ID(by.Value)}
	}
	found, err := c.ActivityTypes.Search(ctx, filter)
	if err != nil {
		return nil, err
	}
	for _, t := range found {
		if by.Param == "id" && string(t.ID) == by.Value || by.Param != "id" && strings.EqualFold(t.Name, by.Value) {
			return &t, nil
		}
	}
	return nil, fmt.Errorf("activity type %s: %w", by, synchroteam.ErrNotFound)
}
