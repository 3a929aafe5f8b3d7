package pipeline

import (
	"context"
	"math"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// activitiesExport reads activities: Activities/Search.
var activitiesExport = exportKind{
	name: "activities", item: "activity", fetch: fetchActivities,
	sheets: []sheetDef{{name: "Activities", fields: concat(fields(text, "id", "name", "note"),
		fields(datetime, "start", "end"), []exportField{{"hours", number}},
		fields(text, "login", "firstName", "lastName", "groups"))}},
	filters: []filterDef{{name: "dateFrom", typ: filterDate}, {name: "dateTo", typ: filterDate},
		{name: "user", typ: filterText}, {name: "name", typ: filterText}},
}

func fetchActivities(ctx context.Context, e *exporter) error {
	f := e.m.Filters
	list, err := e.c.Activities.Search(ctx, &synchroteam.ActivitySearch{
		DateFrom: optDate(f.time("dateFrom")), DateTo: optDate(f.time("dateTo")),
		LoginUser: f.text("user"), NameActivity: f.text("name"),
	})
	if err != nil {
		return e.searchFailed(ctx, "Activities/Search", err)
	}
	e.setFound(len(list))
	for i := range list {
		a := &list[i]
		key := string(a.ID)
		warn := e.warn("activity " + key)
		rw := row{"id": textCell(key), "name": textCell(a.Name), "note": textCell(a.Note),
			"start": timeCell(a.Start, datetime, "dtStart", warn), "end": timeCell(a.End, datetime, "dtEnd", warn),
			"login": textCell(a.User.Login), "firstName": textCell(a.User.FirstName), "lastName": textCell(a.User.LastName),
			"groups": textCell(strings.Join(a.User.Groups, ", "))}
		s, ok1 := a.Start.Time()
		end, ok2 := a.End.Time()
		if ok1 && ok2 {
			rw["hours"] = writers.NumberCell(math.Round(end.Sub(s).Hours()*100) / 100)
		}
		r := newRecord(key)
		r.add("Activities", rw)
		if err := e.emit(r); err != nil {
			return err
		}
	}
	return ctx.Err()
}
