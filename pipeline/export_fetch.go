package pipeline

import (
	"context"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/stbulk/stbulk/synchroteam"
)

// each runs read for every item, at most e.conc at once, until one returns
// an error that stops the run.
func each[T any](ctx context.Context, e *exporter, items []T, key func(T) string, read func(context.Context, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.conc)
	for _, it := range items {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			return e.item(gctx, key(it), func() error { return read(gctx, it) })
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// sinceOr is the later of the mapping's filter and the run's --since.
func (e *exporter) sinceOr(name string) (time.Time, bool) {
	t, ok := e.m.Filters.time(name)
	if name == e.m.Kind.since && !e.since.IsZero() && (!ok || t.Before(e.since)) {
		return e.since, true
	}
	return t, ok
}

func optTime(t time.Time, ok bool) synchroteam.Time {
	if !ok {
		return synchroteam.Time{}
	}
	return synchroteam.NewTime(t)
}

func optDate(t time.Time, ok bool) synchroteam.Date {
	if !ok {
		return synchroteam.Date{}
	}
	return synchroteam.NewDate(t)
}

// needsDetails tells whether a sheet writes fields that lists leave out
// (custom fields, tags, position): then each record is read in full.
func (e *exporter) needsDetails(sheet int, fields ...string) bool {
	s := e.m.Sheets[sheet]
	if s.Columns == nil {
		return true
	}
	for _, c := range s.Columns {
		if strings.HasPrefix(strings.ToLower(c.Field), "customfieldvalues.") || slices.Contains(fields, s.def.canonical(c.Field)) {
			return true
		}
	}
	return false
}

// place emits the row of a customer or a site (what is one of them in
// words), with extra cells.
func (e *exporter) place(sheet, what string, s *synchroteam.Site, extra row) error {
	key := recordKey(s.ID, s.MyID)
	warn := e.warn(what + " " + key)
	rw := row{"id": textCell(string(s.ID)), "myId": textCell(s.MyID), "name": textCell(s.Name),
		"tags": textCell(strings.Join(s.Tags, ", "))}
	for k, v := range extra {
		rw[k] = v
	}
	for i, v := range []string{s.Address, s.AddressComplement, s.AddressStreet, s.AddressZIP, s.AddressCity, s.AddressProvince, s.AddressCountry} {
		rw[addressFields[i].name] = textCell(v)
	}
	for i, v := range []string{s.ContactName, s.ContactFirstName, s.ContactPhone, s.ContactMobile, s.ContactEmail, s.ContactFax} {
		rw[contactFields[i].name] = textCell(v)
	}
	positionCells(rw, s.Position, warn)
	customCells(rw, s.CustomFieldValues)
	r := newRecord(key)
	r.add(sheet, rw)
	return e.emit(r)
}

// recordKey keys the row of a customer or a site: its id, or its myId when
// the API gives no id.
func recordKey(id synchroteam.ID, myID string) string {
	if id != "" {
		return string(id)
	}
	return "myId:" + myID
}
