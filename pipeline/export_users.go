package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// usersExport reads users: User/Search (every user, or those of a group or
// a skilled trade), then User/Details of each.
var usersExport = exportKind{
	name: "users", item: "user", fetch: fetchUsers,
	sheets: []sheetDef{{name: "Users", dynamic: []string{"customFieldValues."}, fields: concat(
		fields(text, "id", "login", "firstName", "lastName", "email", "phone", "language", "profile", "skilledTrades", "groups",
			"startAddress"), fields(number, "startLatitude", "startLongitude"))}},
	filters: []filterDef{{name: "group", typ: filterText}, {name: "skilledTrades", typ: filterText}},
}

func fetchUsers(ctx context.Context, e *exporter) error {
	filter := &synchroteam.UserSearch{SkilledTrades: e.m.Filters.text("skilledTrades")}
	if g := e.m.Filters.text("group"); g != "" {
		filter.Group = &synchroteam.GroupRef{Name: g}
	}
	keys, err := e.c.Users.Search(ctx, filter)
	if err != nil {
		return e.searchFailed(ctx, "User/Search", err)
	}
	e.setFound(len(keys))
	return each(ctx, e, keys, func(k synchroteam.UserKey) string { return "user " + k.Login },
		func(ctx context.Context, k synchroteam.UserKey) error {
			by := synchroteam.ByID(k.ID)
			if k.ID == "" {
				by = synchroteam.Lookup{Param: "login", Value: k.Login}
			}
			u, err := e.c.Users.Get(ctx, by)
			if err != nil {
				return fmt.Errorf("User/Details: %w", err)
			}
			e.user(u)
			return nil
		})
}

// user emits the row of a user. The password is never read back, so it is
// never written.
func (e *exporter) user(u *synchroteam.User) {
	key := string(u.ID)
	if key == "" {
		key = "login:" + u.Login
	}
	warn := e.warn("user " + key)
	rw := row{
		"id": textCell(string(u.ID)), "login": textCell(u.Login), "firstName": textCell(u.FirstName), "lastName": textCell(u.LastName),
		"email": textCell(u.Email), "phone": textCell(u.Phone), "language": textCell(u.Language), "profile": textCell(u.Profile),
		"skilledTrades": textCell(strings.Join(u.SkilledTrades, ", ")), "groups": textCell(strings.Join(u.Groups, ", ")),
	}
	if l := u.StartLocation; l != nil {
		rw["startAddress"] = textCell(l.FullAddress)
		if !l.Latitude.IsZero() {
			rw["startLatitude"] = numberCell(l.Latitude, "start latitude", warn)
		}
		if !l.Longitude.IsZero() {
			rw["startLongitude"] = numberCell(l.Longitude, "start longitude", warn)
		}
	}
	customCells(rw, u.CustomFieldValues)
	r := newRecord(key)
	r.add("Users", rw)
	e.emit(r)
}
