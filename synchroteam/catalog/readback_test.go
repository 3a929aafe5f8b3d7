package catalog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

func sandboxClient(t *testing.T) *synchroteam.Client {
	t.Helper()
	srv, err := sandbox.Start(sandbox.Config{Domain: "acme", APIKey: "catalog-key-0123", Demo: true, Seed: 1}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(srv.URL), synchroteam.WithCredentials("acme", "catalog-key-0123"),
		synchroteam.WithRateLimit(1000, 100),
		synchroteam.WithRetryPolicy(synchroteam.RetryPolicy{MaxAttempts: 3, MaxElapsed: time.Minute, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// What an entity sends, it reads back by the same key: the fields the
// Details answer holds come back as they were sent.
func TestSendThenReadBack(t *testing.T) {
	t.Parallel()
	c := sandboxClient(t)
	ctx := context.Background()
	steps := []struct {
		entity string
		sent   Payload
		want   map[string]string // fields read back, as text
	}{
		{"customer", Payload{"myId": "RB-C1", "name": "Read Back", "adressCity": "Lyon", "position": map[string]any{"latitude": 45.75, "longitude": 4.85}},
			map[string]string{"myId": "RB-C1", "name": "Read Back", "adressCity": "Lyon", "position.latitude": "45.75"}},
		{"site", Payload{"myId": "RB-S1", "name": "Depot Lyon", "customerMyId": "RB-C1"},
			map[string]string{"myId": "RB-S1", "name": "Depot Lyon"}},
		{"equipment", Payload{"myId": "RB-E1", "name": "Boiler", "customerMyId": "RB-C1", "siteMyId": "RB-S1"},
			map[string]string{"myId": "RB-E1", "name": "Boiler"}},
		{"part", Payload{"reference": "RB-P1", "name": "Valve", "price": "12.5", "taxId": "5"},
			map[string]string{"reference": "RB-P1", "name": "Valve", "price": "12.5"}},
		{"part_price", Payload{"reference": "RB-P1", "price": "13.25"},
			map[string]string{"reference": "RB-P1", "price": "13.25"}},
		{"user", Payload{"login": "rb.user", "lastName": "Back", "firstName": "Rea", "email": "rb@example.com", "profile": "technician"},
			map[string]string{"login": "rb.user", "lastName": "Back", "firstName": "Rea"}},
		{"job", Payload{"myId": "RB-J1", "customerMyId": "RB-C1", "siteMyId": "RB-S1", "description": "Read back"},
			map[string]string{"myId": "RB-J1", "description": "Read back"}},
		{"activity_type", Payload{"name": "RB leave", "color": "00FF00"},
			map[string]string{"name": "RB leave", "color": "00FF00"}},
	}
	for _, s := range steps {
		e, ok := Lookup(s.entity)
		if !ok {
			t.Fatalf("no entity %s", s.entity)
		}
		if e.Batch != nil {
			if errs := e.Batch.Send(ctx, c, []Item{{Row: 2, Payload: s.sent}}); errs[0] != nil {
				t.Fatalf("%s: send: %v", s.entity, errs[0])
			}
		} else if _, err := e.Send(ctx, c, s.sent, e.Keyed(s.sent)); err != nil {
			t.Fatalf("%s: send: %v", s.entity, err)
		}
		rec, err := e.ReadBack(ctx, c, s.sent)
		if err != nil {
			t.Fatalf("%s: read back: %v", s.entity, err)
		}
		for f, want := range s.want {
			if got := fmt.Sprint(rec[f]); got != want {
				t.Errorf("%s: %s read back %q, sent %q (record %v)", s.entity, f, got, want, rec)
			}
		}
	}
}

func TestReadBackWithoutARead(t *testing.T) {
	t.Parallel()
	c := sandboxClient(t)
	ctx := context.Background()
	inv, _ := Lookup("inventory")
	if _, err := inv.ReadBack(ctx, c, Payload{"depot": "stock", "reference": "p11"}); !errors.Is(err, ErrNoReadBack) {
		t.Errorf("inventory: %v, want ErrNoReadBack", err)
	}
	cu, _ := Lookup("customer")
	if _, err := cu.ReadBack(ctx, c, Payload{"name": "no key"}); !errors.Is(err, ErrNoReadKey) {
		t.Errorf("customer without myId or id: %v, want ErrNoReadKey", err)
	}
	if _, err := cu.ReadBack(ctx, c, Payload{"myId": "NOT-THERE"}); !errors.Is(err, synchroteam.ErrNotFound) {
		t.Errorf("customer not there: %v, want ErrNotFound", err)
	}
	at, _ := Lookup("activity_type")
	if _, err := at.ReadBack(ctx, c, Payload{"name": "NOT-THERE"}); !errors.Is(err, synchroteam.ErrNotFound) {
		t.Errorf("activity type not there: %v, want ErrNotFound", err)
	}
}
