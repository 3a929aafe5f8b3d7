package catalog

import (
	"context"

	"github.com/stbulk/stbulk/synchroteam"
)

var user = Entity{
	Name: "user", Doc: "users: technicians, managers, administrators, upserted by login",
	Endpoint: "User/Send", Keys: []string{"id", "login"}, IDs: []string{"id"}, Required: []string{"login", "lastName"}, CustomFields: true,
	Fields: []Field{
		{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
		{Name: "login", Kind: KindString, Doc: "login (upsert key)"},
		{Name: "firstName", Kind: KindString, Aliases: []string{"fisrtName"}, Doc: "first name"},
		{Name: "lastName", Kind: KindString, Doc: "last name"},
		{Name: "password", Kind: KindString, Doc: "password", ReadAs: "-"},
		{Name: "language", Kind: KindString, Doc: "EN, FR, ES, RO or CZ", Fold: true},
		{Name: "email", Kind: KindString, Doc: "email", Fold: true},
		{Name: "phone", Kind: KindString, Doc: "phone"},
		{Name: "profile", Kind: KindString, Doc: "technician, administrator or manager", Fold: true},
		{Name: "skilledTrades", Kind: KindList, Doc: "skilled trades"},
		{Name: "groups", Kind: KindList, Doc: "groups"},
		{Name: "startLocation.fullAdress", Kind: KindString, Aliases: []string{"startLocation.fullAddress"}, Doc: "start address"},
		{Name: "startLocation.latitude", Kind: KindNumber, Doc: "start latitude, -90 to 90", Min: "-90", Max: "90"},
		{Name: "startLocation.longitude", Kind: KindNumber, Doc: "start longitude, -180 to 180", Min: "-180", Max: "180"},
	},
	Send: sendTo("User/Send"),
	Read: func(ctx context.Context, c *synchroteam.Client, by synchroteam.Lookup) (any, error) {
		return c.Users.Get(ctx, by)
	},
	ReadKeys: []string{"login", "id"},
}
