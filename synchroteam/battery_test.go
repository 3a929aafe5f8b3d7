package synchroteam_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// The battery drives every service of the client against the sandbox: each
// call goes through the real HTTP stack, the sandbox's routing, auth and
// state, and back through the client's decoding.

func startSandbox(t *testing.T, cfg sandbox.Config) *sandbox.Running {
	t.Helper()
	if cfg.Domain == "" {
		cfg.Domain, cfg.APIKey = "acme", "battery-key-0123"
	}
	srv, err := sandbox.Start(cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("closing the sandbox: %v", err)
		}
	})
	return srv
}

func sandboxClient(t *testing.T, srv *sandbox.Running, opts ...synchroteam.Option) *synchroteam.Client {
	t.Helper()
	base := []synchroteam.Option{
		synchroteam.WithBaseURL(srv.URL),
		synchroteam.WithCredentials("acme", "battery-key-0123"),
		synchroteam.WithRateLimit(1000, 100),
		synchroteam.WithRetryPolicy(synchroteam.RetryPolicy{MaxAttempts: 10, MaxElapsed: time.Minute, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}),
	}
	c, err := synchroteam.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func TestBatteryAgainstSandbox(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Config{Demo: true, Seed: 3})
	c := sandboxClient(t, srv)
	ctx := context.Background()

	t.Run("customers", func(t *testing.T) {
		in := &synchroteam.Customer{
			MyID: "BAT-C1", Name: "Boulangerie Dupré", AddressCity: "Lyon", AddressZIP: "69002",
			ContactEmail: "contact@dupre.example", Tags: synchroteam.Strings{"bakery", "vip"},
			Position:          &synchroteam.Position{Latitude: synchroteam.NewNumber(45.75), Longitude: synchroteam.NewNumber(4.85)},
			CustomFieldValues: []synchroteam.CustomFieldValue{{Name: "Sector", Value: "Retail"}},
		}
		id := must[synchroteam.ID](t, "send")(c.Customers.Send(ctx, in))
		for _, by := range []synchroteam.Lookup{synchroteam.ByID(id), synchroteam.ByMyID("BAT-C1"), synchroteam.ByName("Boulangerie Dupré"), synchroteam.ByEmail("contact@dupre.example")} {
			got := must[*synchroteam.Customer](t, "get "+by.String())(c.Customers.Get(ctx, by))
			if got.ID != id || got.Name != in.Name || got.AddressCity != "Lyon" || got.AddressZIP != "69002" {
				t.Errorf("get %v = %+v", by, got)
			}
			if lat, ok := got.Position.Latitude.Float64(); got.Position == nil || !ok || lat != 45.75 {
				t.Errorf("get %v: position %+v", by, got.Position)
			}
		}
		// an update by myId keeps the id
		in.ContactPhone = "+33 4 78 00 00 00"
		if id2 := must[synchroteam.ID](t, "update")(c.Customers.Send(ctx, in)); id2 != id {
			t.Errorf("update returned id %s, want %s", id2, id)
		}
		list := must[[]synchroteam.Customer](t, "list")(c.Customers.List(ctx, synchroteam.Date{}))
		if !containsCustomer(list, "BAT-C1") {
			t.Errorf("list of %d customers lacks BAT-C1", len(list))
		}
		n := must[int](t, "delete")(c.Customers.Delete(ctx, synchroteam.ByMyID("BAT-C1")))
		if n != 1 {
			t.Errorf("delete count %d, want 1", n)
		}
		_, err := c.Customers.Get(ctx, synchroteam.ByMyID("BAT-C1"))
		if !errors.Is(err, synchroteam.ErrNotFound) {
			t.Errorf("get after delete: %v, want ErrNotFound", err)
		}
		if n := must[int](t, "delete again")(c.Customers.Delete(ctx, synchroteam.ByMyID("BAT-C1"))); n != 0 {
			t.Errorf("second delete count %d, want 0", n)
		}
	})

	t.Run("sites and equipment", func(t *testing.T) {
		must[synchroteam.ID](t, "customer")(c.Customers.Send(ctx, &synchroteam.Customer{MyID: "BAT-C2", Name: "Hôtel Árbol"}))
		siteID := must[synchroteam.ID](t, "site")(c.Sites.Send(ctx, &synchroteam.Site{MyID: "BAT-S1", Name: "Réception", CustomerMyID: "BAT-C2", AddressCity: "Sevilla"}))
		site := must[*synchroteam.Site](t, "site get")(c.Sites.Get(ctx, synchroteam.ByMyID("BAT-S1")))
		if site.ID != siteID || site.AddressCity != "Sevilla" {
			t.Errorf("site = %+v", site)
		}
		sites := must[[]synchroteam.Site](t, "sites by customer")(c.Sites.ListByCustomer(ctx, synchroteam.ByMyID("BAT-C2")))
		if len(sites) != 1 || sites[0].MyID != "BAT-S1" {
			t.Errorf("sites of BAT-C2 = %+v", sites)
		}
		cust := must[*synchroteam.Customer](t, "customer get")(c.Customers.Get(ctx, synchroteam.ByMyID("BAT-C2")))
		sites = must[[]synchroteam.Site](t, "sites by customer id")(c.Sites.ListByCustomer(ctx, synchroteam.ByID(cust.ID)))
		if len(sites) != 1 {
			t.Errorf("sites of customer %s: %d", cust.ID, len(sites))
		}
		eqID := must[synchroteam.ID](t, "equipment")(c.Equipment.Send(ctx, &synchroteam.Equipment{MyID: "BAT-E1", Name: "Chaudière 2", CustomerID: cust.ID, SiteID: siteID, Tags: synchroteam.Strings{"gas"}}))
		eq := must[*synchroteam.Equipment](t, "equipment get")(c.Equipment.Get(ctx, synchroteam.ByID(eqID)))
		if eq.MyID != "BAT-E1" || eq.SiteID != siteID || eq.CustomerID != cust.ID {
			t.Errorf("equipment = %+v", eq)
		}
		for _, pair := range [][2]string{{string(cust.ID), string(siteID)}, {"Hôtel Árbol", "Réception"}} {
			list := must[[]synchroteam.Equipment](t, "equipment list")(c.Equipment.ListByCustomerSite(ctx, pair[0], pair[1]))
			if len(list) != 1 || list[0].MyID != "BAT-E1" {
				t.Errorf("equipment of %v = %+v", pair, list)
			}
		}
		if n := must[int](t, "equipment delete")(c.Equipment.Delete(ctx, synchroteam.ByMyID("BAT-E1"))); n != 1 {
			t.Errorf("equipment delete count %d", n)
		}
		if n := must[int](t, "site delete")(c.Sites.Delete(ctx, synchroteam.ByID(siteID))); n != 1 {
			t.Errorf("site delete count %d", n)
		}
		// a site whose customer does not exist is rejected
		_, err := c.Sites.Send(ctx, &synchroteam.Site{MyID: "BAT-S2", Name: "Orphan", CustomerMyID: "NO-SUCH-CUSTOMER"})
		if !errors.Is(err, synchroteam.ErrRejected) {
			t.Errorf("orphan site: %v, want ErrRejected", err)
		}
	})

	t.Run("parts, prices and inventory", func(t *testing.T) {
		partID := must[synchroteam.ID](t, "part")(c.Parts.Send(ctx, &synchroteam.Part{Reference: "BAT-P1", Name: "Joint torique 12 mm", Price: synchroteam.NewNumber(7.35), CategoryName: "Plomberie", Tracked: synchroteam.NewBool(true)}))
		must[synchroteam.ID](t, "part 2")(c.Parts.Send(ctx, &synchroteam.Part{Reference: "BAT-P2", Name: "Vanne ¾", Price: synchroteam.NewNumber(12)}))
		err := c.Parts.SetPrices(ctx, []synchroteam.PartPrice{
			{Reference: "BAT-P1", Price: mustNumber(t, "10,25")},
			{ID: partID, Price: mustNumber(t, "11,50")},
			{Reference: "NO-SUCH-PART", Price: mustNumber(t, "1")},
			{Reference: "BAT-P2", Price: mustNumber(t, "-100,25")},
		})
		var apiErr *synchroteam.Error
		if !errors.As(err, &apiErr) || len(apiErr.Items) != 2 {
			t.Fatalf("SetPrices: %v, want an *Error naming 2 items", err)
		}
		if apiErr.Items[0].Index != 2 || apiErr.Items[1].Index != 3 {
			t.Errorf("failed items map to request indexes %d and %d, want 2 and 3", apiErr.Items[0].Index, apiErr.Items[1].Index)
		}
		p := must[*synchroteam.Part](t, "part get")(c.Parts.Get(ctx, synchroteam.ByReference("BAT-P1")))
		if v, ok := p.Price.Float64(); !ok || v != 11.5 {
			t.Errorf("price after SetPrices = %v, want 11.5", p.Price)
		}
		if err := c.Inventory.SetQuantities(ctx, []synchroteam.DepotQuantities{
			{Depot: "stock", Parts: []synchroteam.PartQuantity{{Reference: "BAT-P1", Quantity: synchroteam.NewNumber(210)}}},
		}); err != nil {
			t.Errorf("SetQuantities: %v", err)
		}
		err = c.Inventory.SetQuantities(ctx, []synchroteam.DepotQuantities{
			{Depot: "no such depot", Parts: []synchroteam.PartQuantity{{Reference: "BAT-P1", Quantity: synchroteam.NewNumber(1)}}},
		})
		if !errors.As(err, &apiErr) || len(apiErr.Items) == 0 || apiErr.Items[0].Index != 0 {
			t.Errorf("SetQuantities to an unknown depot: %v, want items naming depot 0", err)
		} else if apiErr.Items[0].Message == "" {
			t.Errorf("the failed item carries no reason: %+v", apiErr.Items[0])
		}
		if n := must[int](t, "part delete")(c.Parts.Delete(ctx, synchroteam.ByReference("BAT-P2"))); n != 1 {
			t.Errorf("part delete count %d", n)
		}
		if _, err := c.Parts.Get(ctx, synchroteam.ByMyID("x")); err == nil || errors.As(err, &apiErr) {
			t.Errorf("Part/Details by myId must fail before sending, got %v", err)
		}
	})

	t.Run("users and activities", func(t *testing.T) {
		uid := must[synchroteam.ID](t, "user")(c.Users.Send(ctx, &synchroteam.User{
			Login: "bat.tech", FirstName: "Zoé", LastName: "Martín", Profile: "technician", Language: "FR",
			Groups: synchroteam.Strings{"Lyon"}, SkilledTrades: synchroteam.Strings{"plumber"},
			StartLocation: &synchroteam.StartLocation{FullAddress: "1 place Bellecour, Lyon"},
		}))
		u := must[*synchroteam.User](t, "user get")(c.Users.Get(ctx, synchroteam.ByLogin("bat.tech")))
		if u.ID != uid || u.FirstName != "Zoé" || u.StartLocation == nil || u.StartLocation.FullAddress != "1 place Bellecour, Lyon" {
			t.Errorf("user = %+v", u)
		}
		keys := must[[]synchroteam.UserKey](t, "user search")(c.Users.Search(ctx, &synchroteam.UserSearch{Group: &synchroteam.GroupRef{Name: "Lyon"}, SkilledTrades: "plumber"}))
		if !containsUser(keys, "bat.tech") {
			t.Errorf("user search = %+v, lacks bat.tech", keys)
		}
		at := must[*synchroteam.ActivityType](t, "activity type")(c.ActivityTypes.Send(ctx, &synchroteam.ActivityType{Name: "BAT Formation", Color: "887788", HasConflict: synchroteam.NewBool(true)}))
		if at.ID == "" || !at.HasConflict.True() {
			t.Errorf("activity type = %+v", at)
		}
		types := must[[]synchroteam.ActivityType](t, "activity type search")(c.ActivityTypes.Search(ctx, &synchroteam.ActivityType{Name: "BAT Formation"}))
		if len(types) != 1 || types[0].ID != at.ID {
			t.Errorf("activity type search = %+v", types)
		}
		if n := must[int](t, "activity type delete")(c.ActivityTypes.Delete(ctx, at.ID, "")); n != 1 {
			t.Errorf("activity type delete count %d", n)
		}
		if n := must[int](t, "activity type delete again")(c.ActivityTypes.Delete(ctx, "", "BAT Formation")); n != 0 {
			t.Errorf("second delete count %d, want 0", n)
		}
		acts := must[[]synchroteam.Activity](t, "activities")(c.Activities.Search(ctx, &synchroteam.ActivitySearch{}))
		if len(acts) == 0 || acts[0].User.Login == "" {
			t.Errorf("demo activities = %+v", acts)
		}
		blocks := must[[]synchroteam.Block](t, "blocks")(c.Blocks.ListShared(ctx))
		if len(blocks) == 0 || len(blocks[0].Items) == 0 {
			t.Errorf("shared blocks = %+v", blocks)
		}
	})

	t.Run("jobs", func(t *testing.T) {
		must[synchroteam.ID](t, "customer")(c.Customers.Send(ctx, &synchroteam.Customer{MyID: "BAT-C3", Name: "Café Señor"}))
		begin, _ := synchroteam.ParseTime("2026-03-02 08:30")
		num := must[synchroteam.ID](t, "job send")(c.Jobs.Send(ctx, &synchroteam.Job{
			MyID: "BAT-J1", CustomerMyID: "BAT-C3", Description: "Détartrage", Priority: synchroteam.NewInt(2),
			ScheduledBegin: synchroteam.NewTime(begin), ScheduledEnd: synchroteam.NewTime(begin.Add(2 * time.Hour)),
			CustomFieldValues: []synchroteam.CustomFieldValue{{Name: "Sector", Value: "Nord"}},
		}))
		j := must[*synchroteam.Job](t, "job get")(c.Jobs.Get(ctx, synchroteam.ByNum(string(num))))
		if j.MyID != "BAT-J1" || j.Num != num || j.Description != "Détartrage" {
			t.Errorf("job = %+v", j)
		}
		if got, ok := j.ScheduledBegin.Time(); !ok || !got.Equal(begin) {
			t.Errorf("scheduled begin = %v, want %v", j.ScheduledBegin, begin)
		}
		if err := c.CustomFields.Send(ctx, &synchroteam.CustomFieldsSend{
			CustomFieldValues: []synchroteam.CustomFieldValue{{Name: "Sector", Value: "Sud"}},
			Job:               synchroteam.JobRef{MyID: "BAT-J1"},
		}); err != nil {
			t.Errorf("custom fields: %v", err)
		}
		refs := must[[]synchroteam.JobRef](t, "job search")(c.Jobs.Search(ctx, &synchroteam.JobSearch{MyID: "BAT-J1"}))
		if len(refs) != 1 || refs[0].Num != num {
			t.Errorf("search by myId = %+v", refs)
		}
		att := must[*synchroteam.Attachment](t, "attachment")(c.Attachments.Send(ctx, &synchroteam.AttachmentSend{
			Job: &synchroteam.JobRef{MyID: "BAT-J1"}, FileName: "notes.csv", FileData: []byte("a;b\n1;2\n"),
		}))
		if att.ID == "" {
			t.Errorf("attachment = %+v", att)
		}
		if n := must[int](t, "validate")(c.Jobs.Validate(ctx, synchroteam.ByMyID("BAT-J1"))); n != 1 {
			t.Errorf("validate count %d", n)
		}
		j = must[*synchroteam.Job](t, "job get")(c.Jobs.Get(ctx, synchroteam.ByMyID("BAT-J1")))
		if s, _ := j.Status.Int64(); s != 6 {
			t.Errorf("status after validate = %v, want 6", j.Status)
		}
		// a validated job cannot be canceled; another one can
		if n := must[int](t, "cancel validated")(c.Jobs.Cancel(ctx, synchroteam.ByNum(string(num)))); n != 0 {
			t.Errorf("cancel of a validated job: count %d, want 0", n)
		}
		num2 := must[synchroteam.ID](t, "job send")(c.Jobs.Send(ctx, &synchroteam.Job{MyID: "BAT-J2", CustomerMyID: "BAT-C3", Description: "Contrôle"}))
		if n := must[int](t, "cancel")(c.Jobs.Cancel(ctx, synchroteam.ByNum(string(num2)))); n != 1 {
			t.Errorf("cancel count %d, want 1", n)
		}
		j = must[*synchroteam.Job](t, "job get")(c.Jobs.Get(ctx, synchroteam.ByMyID("BAT-J2")))
		if s, _ := j.Status.Int64(); s != 7 {
			t.Errorf("status after cancel = %v, want 7", j.Status)
		}
		for status := int64(0); status <= 7; status++ {
			refs := must[[]synchroteam.JobRef](t, "search by status")(c.Jobs.Search(ctx, &synchroteam.JobSearch{Status: synchroteam.NewInt(status)}))
			if len(refs) == 0 {
				t.Errorf("no demo job with status %d", status)
			}
		}
	})

	t.Run("photos and PDF", func(t *testing.T) {
		refs := must[[]synchroteam.JobRef](t, "search")(c.Jobs.Search(ctx, &synchroteam.JobSearch{Status: synchroteam.NewInt(5)}))
		var found bool
		for _, r := range refs {
			photos := must[[]synchroteam.Photo](t, "photos")(c.Jobs.Photos(ctx, synchroteam.ByID(r.ID)))
			if len(photos) == 0 {
				continue
			}
			found = true
			for _, p := range photos {
				b, err := p.Bytes()
				if err != nil || !(bytes.HasPrefix(b, []byte("\x89PNG")) || bytes.HasPrefix(b, []byte("\xff\xd8\xff"))) {
					t.Errorf("photo %s of job %s: not a PNG or JPEG (%v)", p.FileName, r.Num, err)
				}
			}
			pdf := must[[]byte](t, "pdf")(c.Jobs.PDF(ctx, synchroteam.ByNum(string(r.Num))))
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
				t.Errorf("PDF of job %s is not a PDF", r.Num)
			}
			break
		}
		if !found {
			t.Error("no completed demo job has photos")
		}
	})

	t.Run("invoices", func(t *testing.T) {
		must[synchroteam.ID](t, "customer")(c.Customers.Send(ctx, &synchroteam.Customer{MyID: "BAT-C4", Name: "Épicerie Nœud"}))
		res := must[*synchroteam.InvoiceResult](t, "invoice")(c.Invoices.Send(ctx, &synchroteam.InvoiceSend{
			Type: "invoice", Action: "replace", Num: "90001", Customer: &synchroteam.Ref{MyID: "BAT-C4"},
			Lines: []synchroteam.InvoiceLine{
				{Reference: "p3", Description: "test description", Price: mustNumber(t, "30"), Tax: mustNumber(t, "10"), Quantity: mustNumber(t, "8,5"), Discount: mustNumber(t, "50,3")},
				{Reference: "p11", Price: mustNumber(t, "5,50"), Tax: mustNumber(t, "50"), Quantity: mustNumber(t, "10"), Discount: mustNumber(t, "10")},
			},
		}))
		if res.Num != "90001" {
			t.Errorf("invoice num = %s", res.Num)
		}
		if n, _ := res.NumberLines.Int64(); n != 2 {
			t.Errorf("numberLines = %v", res.NumberLines)
		}
		list := must[[]synchroteam.Invoice](t, "invoice list")(c.Invoices.List(ctx, &synchroteam.InvoiceFilter{Customer: &synchroteam.Ref{MyID: "BAT-C4"}}))
		if len(list) != 1 {
			t.Fatalf("invoices of BAT-C4: %d", len(list))
		}
		// the reference's own figures: 139,4000 + 74,2500 = 213.65
		if total, ok := list[0].Total.Float64(); !ok || total != 213.65 {
			t.Errorf("invoice total = %v, want 213.65", list[0].Total)
		}
		if v, ok := list[0].Lines[0].Total.Float64(); !ok || v != 139.4 {
			t.Errorf("line total = %v (raw %q), want 139.4", list[0].Lines[0].Total, list[0].Lines[0].Total.Raw())
		}
		all := must[[]synchroteam.Invoice](t, "all invoices")(c.Invoices.List(ctx, nil))
		var quotations int
		for _, inv := range all {
			if strings.EqualFold(inv.Type, "quotation") {
				quotations++
			}
			if _, ok := inv.DueDate.Time(); inv.DueDate.Invalid() || !ok && !inv.DueDate.IsZero() {
				t.Errorf("invoice %s: unreadable due date %q", inv.Num, inv.DueDate.Raw())
			}
		}
		if quotations == 0 || quotations == len(all) {
			t.Errorf("demo data: %d quotations among %d invoices, want both kinds", quotations, len(all))
		}
	})

	t.Run("stock requests", func(t *testing.T) {
		reqs := must[[]synchroteam.StockRequest](t, "search")(c.StockRequests.Search(ctx, &synchroteam.StockRequestSearch{}))
		var open *synchroteam.StockRequest
		for i := range reqs {
			if deleted, _ := reqs[i].IsDeleted.Value(); !deleted {
				open = &reqs[i]
				break
			}
		}
		if open == nil {
			t.Fatalf("no open demo stock request among %d", len(reqs))
		}
		n := must[int](t, "complete")(c.StockRequests.Complete(ctx, &synchroteam.StockRequestCompletion{ID: open.ID}))
		if n != 1 {
			t.Errorf("complete count %d, want 1", n)
		}
		if n := must[int](t, "complete unknown")(c.StockRequests.Complete(ctx, &synchroteam.StockRequestCompletion{ID: "00000000-0000-0000-0000-000000000000"})); n != 0 {
			t.Errorf("complete of an unknown request: count %d, want 0", n)
		}
	})
}

func mustNumber(t *testing.T, s string) synchroteam.Number {
	t.Helper()
	n, err := synchroteam.ParseNumber(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func containsCustomer(list []synchroteam.Customer, myID string) bool {
	for _, c := range list {
		if c.MyID == myID {
			return true
		}
	}
	return false
}

func containsUser(list []synchroteam.UserKey, login string) bool {
	for _, u := range list {
		if u.Login == login {
			return true
		}
	}
	return false
}

// TestSandboxWrongKey: the sandbox refuses a wrong key and the client's error
// says so without the key.
func TestSandboxWrongKey(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Config{})
	c, err := synchroteam.NewClient(synchroteam.WithBaseURL(srv.URL), synchroteam.WithCredentials("acme", "not-the-key-4242"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Customers.List(context.Background(), synchroteam.Date{})
	if !errors.Is(err, synchroteam.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), "not-the-key-4242") || strings.Contains(fmt.Sprintf("%+v %#v", c, err), "not-the-key-4242") {
		t.Errorf("the key leaks: %v", err)
	}
}

// TestSandboxFaultsKeyedSendsExactlyOnce: under injected 5xx, connections
// dropped after the request was applied and a rate limit, keyed creates from
// concurrent workers all end applied, each exactly once.
func TestSandboxFaultsKeyedSendsExactlyOnce(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Config{FailRate: 0.2, DropRate: 0.05, Seed: 11, Rate: 200})
	c := sandboxClient(t, srv, synchroteam.WithRateLimit(150, 10))
	ctx := context.Background()
	const n = 120
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 6 {
				if _, err := c.Customers.Send(ctx, &synchroteam.Customer{MyID: fmt.Sprintf("F-%03d", i), Name: fmt.Sprintf("Client %d", i)}); err != nil {
					errs <- fmt.Errorf("row %d: %w", i, err)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]int{}
	var customers []synchroteam.Customer
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		customers, err = c.Customers.List(ctx, synchroteam.Date{})
		if err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, cu := range customers {
		seen[cu.MyID]++
	}
	for i := 0; i < n; i++ {
		if k := fmt.Sprintf("F-%03d", i); seen[k] != 1 {
			t.Errorf("%s present %d times, want exactly once", k, seen[k])
		}
	}
	if got := c.Counters(); got.Retries == 0 {
		t.Errorf("counters %+v: with 20%% faults some requests must have been retried", got)
	}
}
