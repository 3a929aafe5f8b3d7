package catalog

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/synchroteam"
)

// fakeAPI answers every request with success and keeps the bodies sent.
func fakeAPI(t *testing.T) (*synchroteam.Client, func() [][]byte) {
	t.Helper()
	var mu sync.Mutex
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"code":1}`)
	}))
	t.Cleanup(srv.Close)
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(srv.URL), synchroteam.WithCredentials("test", "key"),
		synchroteam.WithRateLimit(1000, 100))
	if err != nil {
		t.Fatal(err)
	}
	return c, func() [][]byte {
		mu.Lock()
		defer mu.Unlock()
		return bodies
	}
}

// A (depot, reference) entry is sent whole or not at all: one unreadable
// quantity fails every row of its entry, and the other entries are sent.
func TestQuantitiesEntryAllOrNothing(t *testing.T) {
	t.Parallel()
	c, sent := fakeAPI(t)
	items := []Item{
		{Row: 2, Payload: map[string]any{"depot": "D1", "reference": "P1", "quantity": "3"}},
		{Row: 3, Payload: map[string]any{"depot": "D1", "reference": "P1", "quantity": "x2"}},
		{Row: 4, Payload: map[string]any{"depot": "D1", "reference": "P2", "quantity": "5"}},
		{Row: 5, Payload: map[string]any{"depot": "D1", "reference": "P1", "quantity": "4"}},
		{Row: 6, Payload: map[string]any{"depot": "D2", "reference": "P1", "quantity": "1"}},
	}
	res := inventory.Batch.Send(context.Background(), c, items)
	errs := map[int]string{}
	for i, err := range res {
		if err != nil {
			errs[items[i].Row] = err.Error()
		}
	}
	if len(errs) != 3 || errs[3] == "" ||
		errs[2] != "row 3 of the same part and depot has an unreadable quantity" ||
		errs[5] != "row 3 of the same part and depot has an unreadable quantity" {
		t.Errorf("errors by row = %v, want rows 2, 3 and 5 failed, 2 and 5 naming row 3", errs)
	}
	bodies := sent()
	if len(bodies) != 1 {
		t.Fatalf("%d requests, want 1", len(bodies))
	}
	var got []struct {
		Depot string `json:"depot"`
		Parts []struct {
			Reference string      `json:"reference"`
			Quantity  json.Number `json:"quantity"`
		} `json:"parts"`
	}
	if err := json.Unmarshal(bodies[0], &got); err != nil {
		t.Fatalf("body %s: %v", bodies[0], err)
	}
	type part struct{ Depot, Ref, Qty string }
	var parts []part
	for _, d := range got {
		for _, p := range d.Parts {
			parts = append(parts, part{d.Depot, p.Reference, p.Quantity.String()})
		}
	}
	want := []part{{"D1", "P2", "5"}, {"D2", "P1", "1"}}
	if diff := cmp.Diff(want, parts); diff != "" {
		t.Errorf("parts sent (-want +got):\n%s\nbody %s", diff, bodies[0])
	}
}

// When every entry has an unreadable quantity, nothing is sent.
func TestQuantitiesNothingToSend(t *testing.T) {
	t.Parallel()
	c, sent := fakeAPI(t)
	items := []Item{
		{Row: 2, Payload: map[string]any{"depot": "D1", "reference": "P1", "quantity": ""}},
		{Row: 3, Payload: map[string]any{"depot": "D1", "reference": "P1", "quantity": "2"}},
	}
	res := inventory.Batch.Send(context.Background(), c, items)
	for i, err := range res {
		if err == nil {
			t.Errorf("row %d: no error", items[i].Row)
		}
	}
	if n := len(sent()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// A price row without a price fails on its own; the others are sent.
func TestPricesNeedAPrice(t *testing.T) {
	t.Parallel()
	c, sent := fakeAPI(t)
	res := partPrice.Batch.Send(context.Background(), c, []Item{
		{Row: 2, Payload: map[string]any{"reference": "p11"}},
		{Row: 3, Payload: map[string]any{"reference": "p3", "price": json.Number("10.25")}},
	})
	if res[0] == nil || res[0].Error() != "price: none given" || res[1] != nil {
		t.Fatalf("results %+v", res)
	}
	var body []map[string]any
	if b := sent(); len(b) != 1 || json.Unmarshal(b[0], &body) != nil || len(body) != 1 || body[0]["reference"] != "p3" {
		t.Errorf("sent %q, want only p3", sent())
	}
}
