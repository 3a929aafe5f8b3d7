package pipeline

import (
	"context"

	"github.com/stbulk/stbulk/synchroteam"
)

// stockRequestsExport reads stock requests: StockRequest/Search.
var stockRequestsExport = exportKind{
	name: "stock_requests", item: "stock request", since: "modifiedAfter", fetch: fetchStockRequests,
	sheets: []sheetDef{{name: "StockRequests", fields: concat(fields(text, "id", "source", "destination", "reference", "part"),
		fields(number, "partPrice", "quantity"), fields(text, "urgent", "sent", "deleted", "login", "firstName", "lastName"))}},
	filters: []filterDef{{name: "modifiedAfter", typ: filterDate}, {name: "createdAfter", typ: filterDate},
		{name: "isUrgent", typ: filterBool}, {name: "isSent", typ: filterBool}, {name: "isDeleted", typ: filterBool}},
}

func fetchStockRequests(ctx context.Context, e *exporter) error {
	f := e.m.Filters
	list, err := e.c.StockRequests.Search(ctx, &synchroteam.StockRequestSearch{
		ModifiedAfter: optDate(e.sinceOr("modifiedAfter")), CreatedAfter: optDate(f.time("createdAfter")),
		IsUrgent: f.boolean("isUrgent"), IsSent: f.boolean("isSent"), IsDeleted: f.boolean("isDeleted"),
	})
	if err != nil {
		return e.searchFailed(ctx, "StockRequest/Search", err)
	}
	e.setFound(len(list))
	for i := range list {
		s := &list[i]
		key := string(s.ID)
		warn := e.warn("stock request " + key)
		rw := row{"id": textCell(key), "source": textCell(s.Source.Name), "destination": textCell(s.Destination.Name),
			"reference": textCell(s.Part.Reference), "part": textCell(s.Part.Name),
			"partPrice": numberCell(s.Part.Price, "part price", warn), "quantity": numberCell(s.Quantity, "quantity", warn),
			"urgent": yesNo(s.IsUrgent), "sent": yesNo(s.IsSent), "deleted": yesNo(s.IsDeleted),
			"login": textCell(s.User.Login), "firstName": textCell(s.User.FirstName), "lastName": textCell(s.User.LastName)}
		r := newRecord(key)
		r.add("StockRequests", rw)
		if err := e.emit(r); err != nil {
			return err
		}
	}
	return ctx.Err()
}
