package synchroteam

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The tests answer from an httptest server with JSON written by hand, most of
// it copied from the API reference (sandbox/testdata/synchroteam-api-v2.txt),
// so that a wrong struct tag or a wrong scalar type fails.

const (
	testDomain = "acme"
	testKey    = "k3y-7f1e-SECRET-0b9d"
)

// fastRetry repeats quickly so that retry tests take milliseconds.
var fastRetry = RetryPolicy{MaxAttempts: 4, MaxElapsed: 10 * time.Second, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}

// setup returns a client talking to a test server whose mux the test fills.
// A request no handler expects fails the test. opts are applied after the
// defaults and may override them.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.Error(w, "no handler", http.StatusTeapot)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base := []Option{
		WithBaseURL(srv.URL),
		WithCredentials(testDomain, testKey),
		WithRateLimit(1e6, 1000),
		WithRetryPolicy(fastRetry),
	}
	c, err := NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, mux
}

// answer writes a JSON body with a status.
func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// reply returns a handler that answers 200 with body.
func reply(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { answer(w, http.StatusOK, body) }
}

// testQuery checks the request's query string.
func testQuery(t *testing.T, r *http.Request, want url.Values) {
	t.Helper()
	if diff := cmp.Diff(want, r.URL.Query(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s %s query (-want +got):\n%s", r.Method, r.URL.Path, diff)
	}
}

// testBody checks the request's body against a JSON literal: same keys with
// the same spelling, same values, nothing more.
func testBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	got, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("reading the body: %v", err)
		return
	}
	jsonEqual(t, got, want)
}

func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("body %q is not JSON: %v", got, err)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad test literal %s: %v", want, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("body (-want +got):\n%s\ngot %s", diff, got)
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("acme:"+testKey))
	check := func(t *testing.T, r *http.Request, withBody bool) {
		t.Helper()
		if got := r.Header.Get("Authorization"); got != wantAuth {
			t.Errorf("Authorization = %q, want %q", got, wantAuth)
		}
		if u, p, ok := r.BasicAuth(); !ok || u != testDomain || p != testKey {
			t.Errorf("BasicAuth() = %q, %q, %v", u, p, ok)
		}
		if got := r.Header.Get("Accept"); got != "application/json" {
			t.Errorf("Accept = %q, want application/json", got)
		}
		ct := r.Header.Get("Content-Type")
		if withBody && ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		if !withBody && ct != "" {
			t.Errorf("Content-Type = %q on a request without body", ct)
		}
		if got := r.Header.Get("User-Agent"); got != "stbulk" {
			t.Errorf("User-Agent = %q, want stbulk", got)
		}
	}
	mux.HandleFunc("GET /Api/v2/Customer/Details", func(w http.ResponseWriter, r *http.Request) {
		check(t, r, false)
		answer(w, 200, `{"id":35604}`)
	})
	mux.HandleFunc("POST /Api/v2/Customer/Send", func(w http.ResponseWriter, r *http.Request) {
		check(t, r, true)
		answer(w, 200, `{"code":35642,"message":""}`)
	})
	ctx := context.Background()
	if _, err := c.Customers.Get(ctx, ByID("35604")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Customers.Send(ctx, &Customer{MyID: "sCustomer08"}); err != nil {
		t.Fatal(err)
	}
}

func TestUserAgentOption(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithUserAgent("stbulk/1.2 (test)"))
	mux.HandleFunc("GET /Api/v2/SharedBlocks/List", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("User-Agent"); got != "stbulk/1.2 (test)" {
			t.Errorf("User-Agent = %q", got)
		}
		answer(w, 200, `[]`)
	})
	if _, err := c.Blocks.ListShared(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestBaseURLWithPath(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /proxy/Api/v2/Part/Details", reply(`{"id":35918}`))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient(WithBaseURL(srv.URL+"/proxy/"), WithCredentials(testDomain, testKey), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Parts.Get(context.Background(), ByID("35918"))
	if err != nil || p.ID != "35918" {
		t.Fatalf("Get = %+v, %v", p, err)
	}
}

// The reference's Job Detail example, without its "...." ellipses. It mixes
// key cases (RealBeginDate, ContactPhone, Activities, OtherTechnicians) and
// dates in dd/MM/yyyy.
const jobDetailJSON = `{
  "scheduledBeginDate": "19/07/2016 14:43:00",
  "scheduledEndDate": "19/07/2016 16:43:00",
  "RealBeginDate": "19/07/2016 14:50:00",
  "RealEndDate": "19/07/2016 16:16:00",
  "siteName": "new site name",
  "customerMyId": "ref_54154",
  "description": "description of the job",
  "idCreator": 265,
  "idCustomer": 8386,
  "idEquipment": 93929,
  "idJob": "265_160719144323649",
  "idJobType": 629,
  "idReport": 781,
  "idSite": 62611,
  "idUser": 1551,
  "login": "techtest",
  "nameEquipment": "equipement v1",
  "priority": 0,
  "ContactPhone": "+12125875967",
  "contactMobile": "+19293358480",
  "publicLink": "https://synchroteam.com/Jobs/PublicJob/afb5853-3ec6-46ea-bc9c-db4e75a63bc2",
  "status": 1,
  "Activities": [
        {
            "idUser": 1551,
            "login": "techtest",
            "start": "19/07/2016 14:50:00",
            "stop": "19/07/2016 14:56:00"
        },
        {
            "idUser": 1551,
            "login": "techtest",
            "start": "19/07/2016 15:05:00",
            "stop": "19/07/2016 15:46:00"
        },
        {
            "idUser": 1551,
            "login": "techtest",
            "start": "19/07/2016 15:58:00",
            "stop": "19/07/2016 16:16:00"
        }
  ],
  "customFieldValues": [
    {
      "name": "sector",
      "value": "",
      "id": 182
    },
    {
      "name": "city",
      "value": "",
      "id": 185
    }
  ],
  "customerName": "name customer",
  "duration": 0,
  "globalAddress": "6605 Fisher Avenue, Falls Church, VA 22046, United States",
  "adressCity": "Falls Church",
  "adressCountry": "United States",
  "adressProvince": "Virginia",
  "adressStreet": "6605 Fisher Avenue",
  "adressZIP": "22046",
  "myId": "ref-job05014",
  "num": 154872,
  "parts": [
    {
      "id": 34454,
      "quantity": 2,
      "reference": "ACCROCHE FIX CF62033"
    },
    {
      "id": 35947,
      "quantity": 10,
      "reference": "111-a"
    }
  ],
  "position": {
    "Latitude": "43.9695148",
    "Longitude": "-99.90181310000"
  },
  "report": [
    {
      "id": 3422,
      "idCategory": 1169,
      "iteration": 0,
      "nmCategory": "Sign Off",
      "nmItem": "Print Name",
      "value": "fadil"
    },
    {
      "id": 3427,
      "idCategory": 1171,
      "iteration": 0,
      "nmCategory": "details",
      "nmItem": "date creation",
      "value": "13/07/2016"
    },
    {
      "id": 4007,
      "idCategory": 1184,
      "iteration": 0,
      "nmCategory": "signatures",
      "nmItem": "sign1",
      "value": "SIGN_4007"
    },
    {
      "id": 4007,
      "idCategory": 1184,
      "iteration": 1,
      "nmCategory": "signatures",
      "nmItem": "sign1",
      "value": "SIGN_4007"
    },
    {
      "id": 4007,
      "idCategory": 1184,
      "iteration": 2,
      "nmCategory": "signatures",
      "nmItem": "sign1",
      "value": "SIGN_4007"
    }
  ],
  "OtherTechnicians": [
        "steven",
        "ann"
    ]
}`

func TestJobsGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/Jobs/Detail", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"num": {"154872"}})
		answer(w, 200, jobDetailJSON)
	})
	got, err := c.Jobs.Get(context.Background(), ByNum("154872"))
	if err != nil {
		t.Fatal(err)
	}
	sign := func(iteration int64) ReportItem {
		return ReportItem{ID: "4007", CategoryID: "1184", Iteration: NewInt(iteration), CategoryName: "signatures", ItemName: "sign1", Value: "SIGN_4007"}
	}
	want := &Job{
		ID:                "265_160719144323649",
		MyID:              "ref-job05014",
		Num:               "154872",
		JobTypeID:         "629",
		CustomerID:        "8386",
		CustomerMyID:      "ref_54154",
		CustomerName:      "name customer",
		SiteID:            "62611",
		SiteName:          "new site name",
		EquipmentID:       "93929",
		EquipmentName:     "equipement v1",
		UserID:            "1551",
		Login:             "techtest",
		CreatorID:         "265",
		Description:       "description of the job",
		Priority:          NewInt(0),
		ScheduledBegin:    at("2016-07-19 14:43:00"),
		ScheduledEnd:      at("2016-07-19 16:43:00"),
		RealBegin:         at("2016-07-19 14:50:00"),
		RealEnd:           at("2016-07-19 16:16:00"),
		Duration:          NewInt(0),
		GlobalAddress:     "6605 Fisher Avenue, Falls Church, VA 22046, United States",
		AddressStreet:     "6605 Fisher Avenue",
		AddressZIP:        "22046",
		AddressCity:       "Falls Church",
		AddressProvince:   "Virginia",
		AddressCountry:    "United States",
		Status:            NewInt(1),
		ReportID:          "781",
		ContactPhone:      "+12125875967",
		ContactMobile:     "+19293358480",
		PublicLink:        "https://synchroteam.com/Jobs/PublicJob/afb5853-3ec6-46ea-bc9c-db4e75a63bc2",
		CustomFieldValues: []CustomFieldValue{{ID: "182", Name: "sector"}, {ID: "185", Name: "city"}},
		Activities: []JobActivity{
			{UserID: "1551", Login: "techtest", Start: at("2016-07-19 14:50:00"), Stop: at("2016-07-19 14:56:00")},
			{UserID: "1551", Login: "techtest", Start: at("2016-07-19 15:05:00"), Stop: at("2016-07-19 15:46:00")},
			{UserID: "1551", Login: "techtest", Start: at("2016-07-19 15:58:00"), Stop: at("2016-07-19 16:16:00")},
		},
		Parts: []JobPart{
			{ID: "34454", Reference: "ACCROCHE FIX CF62033", Quantity: NewNumber(2)},
			{ID: "35947", Reference: "111-a", Quantity: NewNumber(10)},
		},
		Position: &Position{Latitude: NewNumber(43.9695148), Longitude: NewNumber(-99.9018131)},
		Report: []ReportItem{
			{ID: "3422", CategoryID: "1169", Iteration: NewInt(0), CategoryName: "Sign Off", ItemName: "Print Name", Value: "fadil"},
			{ID: "3427", CategoryID: "1171", Iteration: NewInt(0), CategoryName: "details", ItemName: "date creation", Value: "13/07/2016"},
			sign(0), sign(1), sign(2),
		},
		OtherTechnicians: Strings{"steven", "ann"},
	}
	if diff := cmp.Diff(want, got, scalarCmp); diff != "" {
		t.Errorf("Jobs.Get (-want +got):\n%s", diff)
	}
}

// The reference's Invoices/List answer (first two invoices): amounts as
// "50,30" and "139,4000", a total of 213.6500, a due date escaped as
// "02\/05\/2018 00:00:00", idClient null.
const invoiceListJSON = `[
  {
    "dueDate": "02\/05\/2018 00:00:00",
    "idClient": null,
    "idJob": "_150604144935321",
    "idSite": 62611,
    "lines": [
      {
        "description": "test description",
        "discount": "50,30",
        "idPart": 0,
        "price": "30,00",
        "quantity": "8,50",
        "reference": "p3",
        "tax": "10,00",
        "totalLine": null,
        "total": "139,4000"
      },
      {
        "description": "***1 > part1",
        "discount": "10,00",
        "idPart": 0,
        "price": "5,50",
        "quantity": "10,00",
        "reference": "p11",
        "tax": "50,00",
        "totalLine": null,
        "total": "74,2500"
      }
    ],
    "num": 336,
    "status": 0,
    "total": 213.6500,
    "type": "Invoice"
  },
  {
    "dueDate": "02\/05\/2018 00:00:00",
    "idClient": null,
    "idJob": "_150604144935321",
    "idSite": 62611,
    "lines": [
      {
        "description": "***1 > part1",
        "discount": "10,00",
        "idPart": 0,
        "price": "10,25",
        "quantity": "10,00",
        "reference": "p11",
        "tax": "50,00",
        "totalLine": null,
        "total": "138,3800"
      }
    ],
    "num": 338,
    "status": 0,
    "total": 277.7800,
    "type": "Invoice"
  }
  ]`

func TestInvoicesList(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("POST /Api/v2/Invoices/List", func(w http.ResponseWriter, r *http.Request) {
		testBody(t, r, `{
			"changedFrom": "2018-02-25",
			"job": {"id": "265_150113103841695"},
			"customer": {"name": "synchroteam"},
			"site": {"myId": "315f-d"}
		}`)
		answer(w, 200, invoiceListJSON)
	})
	got, err := c.Invoices.List(context.Background(), &InvoiceFilter{
		ChangedFrom: day("2018-02-25"),
		Job:         &JobRef{ID: "265_150113103841695"},
		Customer:    &Ref{Name: "synchroteam"},
		Site:        &Ref{MyID: "315f-d"},
	})
	if err != nil {
		t.Fatal(err)
	}
	p3 := InvoiceLine{PartID: "0", Description: "test description", Reference: "p3", Price: NewNumber(30), Tax: NewNumber(10), Quantity: NewNumber(8.5), Discount: NewNumber(50.3), Total: NewNumber(139.4)}
	want := []Invoice{
		{
			Num: "336", JobID: "_150604144935321", SiteID: "62611", Type: "Invoice", Status: NewInt(0),
			DueDate: at("2018-05-02 00:00:00"), Total: NewNumber(213.65),
			Lines: []InvoiceLine{p3, {PartID: "0", Description: "***1 > part1", Reference: "p11", Price: NewNumber(5.5), Tax: NewNumber(50), Quantity: NewNumber(10), Discount: NewNumber(10), Total: NewNumber(74.25)}},
		},
		{
			Num: "338", JobID: "_150604144935321", SiteID: "62611", Type: "Invoice", Status: NewInt(0),
			DueDate: at("2018-05-02 00:00:00"), Total: NewNumber(277.78),
			Lines: []InvoiceLine{{PartID: "0", Description: "***1 > part1", Reference: "p11", Price: NewNumber(10.25), Tax: NewNumber(50), Quantity: NewNumber(10), Discount: NewNumber(10), Total: NewNumber(138.38)}},
		},
	}
	if diff := cmp.Diff(want, got, scalarCmp); diff != "" {
		t.Errorf("Invoices.List (-want +got):\n%s", diff)
	}
	if got[0].CustomerID != "" || !got[0].Lines[0].TotalLine.IsZero() {
		t.Errorf("null idClient / totalLine decoded as %q / %#v, want unset", got[0].CustomerID, got[0].Lines[0].TotalLine)
	}
}

// A nil filter is sent as an empty filter, not as null.
func TestSearchWithoutFilterSendsEmptyObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		call    func(ctx context.Context, c *Client) error
	}{
		{"POST /Api/v2/Invoices/List", func(ctx context.Context, c *Client) error { return second(c.Invoices.List(ctx, nil)) }},
		{"POST /Api/v2/Jobs/Search", func(ctx context.Context, c *Client) error { return second(c.Jobs.Search(ctx, nil)) }},
		{"POST /Api/v2/Activities/Search", func(ctx context.Context, c *Client) error { return second(c.Activities.Search(ctx, nil)) }},
		{"POST /Api/v2/ActivityType/Search", func(ctx context.Context, c *Client) error { return second(c.ActivityTypes.Search(ctx, nil)) }},
		{"POST /Api/v2/StockRequest/Search", func(ctx context.Context, c *Client) error { return second(c.StockRequests.Search(ctx, nil)) }},
		{"POST /Api/v2/User/Search", func(ctx context.Context, c *Client) error { return second(c.Users.Search(ctx, nil)) }},
		{"POST /Api/v2/Jobs/Search", func(ctx context.Context, c *Client) error { return second(c.Jobs.Search(ctx, &JobSearch{})) }},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc(tt.pattern, func(w http.ResponseWriter, r *http.Request) {
				testBody(t, r, `{}`)
				answer(w, 200, `[]`)
			})
			if err := tt.call(context.Background(), c); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPartsGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/Part/Details", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"reference": {"458"}})
		answer(w, 200, `{
  "categoryId": 1532,
  "categoryName": "software",
  "id": 35918,
  "name": "Antivirus",
  "price": "10",
  "reference": "458",
  "taxId": 37,
  "taxVal": "14"
}`)
	})
	got, err := c.Parts.Get(context.Background(), ByReference("458"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Part{ID: "35918", Name: "Antivirus", Reference: "458", Price: NewNumber(10), TaxID: "37", TaxValue: NewNumber(14), CategoryID: "1532", CategoryName: "software"}
	if diff := cmp.Diff(want, got, scalarCmp); diff != "" {
		t.Errorf("Parts.Get (-want +got):\n%s", diff)
	}
}

func TestActivitiesSearch(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("POST /Api/v2/Activities/Search", func(w http.ResponseWriter, r *http.Request) {
		testBody(t, r, `{"dateFrom":"2016-04-29","dateTo":"2016-09-29","loginUser":"Bill"}`)
		answer(w, 200, `[
  {
    "dtEnd": "2016-06-06 00:00",
    "dtStart": "2016-06-01 00:00",
    "idActivity": 119,
    "nmActivity": "Cleaner ",
    "noteActivity": "",
    "user": {
      "Groups": "",
      "fisrtName": "corger",
      "id": 268,
      "lastName": "Bill",
      "login": "Bill"
    }
  },
  {
    "dtEnd": "2016-08-22 00:00",
    "dtStart": "2016-08-01 00:00",
    "idActivity": 120,
    "nmActivity": "Holiday",
    "noteActivity": "",
    "user": {
      "Groups": "Team A, Team B",
      "fisrtName": "corger",
      "id": 268,
      "lastName": "Bill",
      "login": "Bill"
    }
  }
]`)
	})
	got, err := c.Activities.Search(context.Background(), &ActivitySearch{DateFrom: day("2016-04-29"), DateTo: day("2016-09-29"), LoginUser: "Bill"})
	if err != nil {
		t.Fatal(err)
	}
	user := ActivityUser{ID: "268", Login: "Bill", FirstName: "corger", LastName: "Bill"}
	teams := user
	teams.Groups = Strings{"Team A", "Team B"}
	want := []Activity{
		{ID: "119", Name: "Cleaner ", Start: at("2016-06-01 00:00:00"), End: at("2016-06-06 00:00:00"), User: user},
		{ID: "120", Name: "Holiday", Start: at("2016-08-01 00:00:00"), End: at("2016-08-22 00:00:00"), User: teams},
	}
	if diff := cmp.Diff(want, got, scalarCmp); diff != "" {
		t.Errorf("Activities.Search (-want +got):\n%s", diff)
	}
}

func TestStockRequestsSearch(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("POST /Api/v2/StockRequest/Search", func(w http.ResponseWriter, r *http.Request) {
		testBody(t, r, `{"isDeleted":false,"modifiedAfter":"2018-01-31"}`)
		answer(w, 200, `[
    {
        "destination": {
            "idStock": "d6a71643-0ad2-4de8-abcb-34f54c4ca12e",
            "nmStock": "stock"
        },
        "id": "22aa76ac-03c8-4fdb-baee-dca2d33cdd23",
        "isDeleted": false,
        "isSent": true,
        "isUrgent": false,
        "part": {
            "codeProduit": "p6666",
            "idPiece": 35947,
            "nmPiece": "p6666",
            "prixPiece": 123
        },
        "quantity": -1,
        "source": {
            "idStock": "18af2bf1-0973-4958-a66e-c5fe974ec129",
            "nmStock": "stock4"
        },
        "user": {
            "idUser": 265,
            "loginUser": "npinault",
            "nomUser": "PINAULT",
            "prenomUser": "Nicolas 2"
        }
    }
]`)
	})
	got, err := c.StockRequests.Search(context.Background(), &StockRequestSearch{IsDeleted: NewBool(false), ModifiedAfter: day("2018-01-31")})
	if err != nil {
		t.Fatal(err)
	}
	want := []StockRequest{{
		ID:          "22aa76ac-03c8-4fdb-baee-dca2d33cdd23",
		Destination: StockDepotRef{ID: "d6a71643-0ad2-4de8-abcb-34f54c4ca12e", Name: "stock"},
		Source:      StockDepotRef{ID: "18af2bf1-0973-4958-a66e-c5fe974ec129", Name: "stock4"},
		IsDeleted:   NewBool(false),
		IsSent:      NewBool(true),
		IsUrgent:    NewBool(false),
		Part:        StockPart{Reference: "p6666", ID: "35947", Name: "p6666", Price: NewNumber(123)},
		Quantity:    NewNumber(-1),
		User:        StockRequestor{ID: "265", Login: "npinault", LastName: "PINAULT", FirstName: "Nicolas 2"},
	}}
	if diff := cmp.Diff(want, got, scalarCmp); diff != "" {
		t.Errorf("StockRequests.Search (-want +got):\n%s", diff)
	}
}

func TestBlocksListShared(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/SharedBlocks/List", reply(`[
  {
    "flPublished": true,
    "flShared": 1,
    "id": 1169,
    "items": [
      {
        "conditionItem": null,
        "conditionValue": null,
        "positionNumber": 0,
        "valueList": null,
        "idCategory": 1169,
        "idItem": 3421,
        "idTypeItem": 7,
        "mandatory": false,
        "name": "Signature"
      },
      {
        "conditionItem": 3736,
        "conditionValue": "2",
        "positionNumber": 1,
        "valueList": [
          "ref-2",
          "ref-4",
          "ref-6"
        ],
        "idCategory": 1169,
        "idItem": 3737,
        "idTypeItem": 1,
        "mandatory": true,
        "name": "code article"
      }
    ],
    "name": "Sign Off"
  }
]`))
	got, err := c.Blocks.ListShared(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{{
		ID: "1169", Name: "Sign Off", Published: NewBool(true), Shared: NewBool(true),
		Items: []BlockItem{
			{ID: "3421", Name: "Signature", CategoryID: "1169", Position: NewInt(0), Type: NewInt(7), Mandatory: NewBool(false)},
			{ID: "3737", Name: "code article", CategoryID: "1169", Position: NewInt(1), ConditionItem: "3736", ConditionValue: "2", Type: NewInt(1), ValueList: Strings{"ref-2", "ref-4", "ref-6"}, Mandatory: NewBool(true)},
		},
	}}
	if diff := cmp.Diff(want, got, scalarCmp); diff != "" {
		t.Errorf("Blocks.ListShared (-want +got):\n%s", diff)
	}
	if got[0].Items[0].ValueList != nil {
		t.Errorf("valueList null decoded as %#v, want nil", got[0].Items[0].ValueList)
	}
}

func TestUsersGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/User/Details", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"login": {"login_user"}})
		answer(w, 200, `{
    "id": 54022,
    "firstName": "John",
    "lastName": "Doe",
    "login": "login_user",
    "phone": "(719) 388-1966",
    "profile": "technician",
    "email": "djohn@gmail.com",
    "language": "EN",
    "groups": [
        "group1",
        "group5"
    ],
    "skilledTrades": [
        "plumber",
        "electrician"
    ],
    "startLocation": {
        "fullAdress": "411 Pearl St, New York, NY 10038, États-Unis",
        "latitude": "40.7115539",
        "longitude": "-74.0035686"
    },
    "CustomFieldValues": [{"id": 88, "name": "Badge", "value": "1547-PO"}, {"name": "Certified", "value": true}]
}`)
	})
	got, err := c.Users.Get(context.Background(), ByLogin("login_user"))
	if err != nil {
		t.Fatal(err)
	}
	want := &User{
		ID: "54022", FirstName: "John", LastName: "Doe", Login: "login_user", Phone: "(719) 388-1966",
		Profile: "technician", Email: "djohn@gmail.com", Language: "EN",
		Groups: Strings{"group1", "group5"}, SkilledTrades: Strings{"plumber", "electrician"},
		StartLocation:     &StartLocation{FullAddress: "411 Pearl St, New York, NY 10038, États-Unis", Latitude: NewNumber(40.7115539), Longitude: NewNumber(-74.0035686)},
		CustomFieldValues: []CustomFieldValue{{ID: "88", Name: "Badge", Value: "1547-PO"}, {Name: "Certified", Value: "true"}},
	}
	if diff := cmp.Diff(want, got, scalarCmp); diff != "" {
		t.Errorf("Users.Get (-want +got):\n%s", diff)
	}
}

func TestEquipmentListByCustomerSite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		customer, site string
		wantURI        string
		body           string
	}{
		{
			name: "nested list as in the reference", customer: "testFullSite", site: "testSite",
			wantURI: "/Api/v2/Equipment/List/Customer/testFullSite/Site/testSite",
			body: `[[
  {
    "customerId": 8248,
    "customerMyId": "cust-05",
    "customerName": "testFullSite",
    "myId": "ref-e-01",
    "name": "test equi1",
    "siteId": 47706,
    "siteMyId": "ref-01",
    "siteName": "testSite",
    "id": 93973
  },
  {
    "customerId": 8248,
    "customerMyId": "cust-05",
    "customerName": "testFullSite",
    "myId": "ref-e-02",
    "name": "test equip2",
    "siteId": 47706,
    "siteMyId": "ref-01",
    "siteName": "testSite",
    "id": 93974
  }
]]`,
		},
		{
			name: "flat list; names escaped in the path", customer: "World Inc./EU", site: "New York ?#1",
			wantURI: "/Api/v2/Equipment/List/Customer/World%20Inc.%2FEU/Site/New%20York%20%3F%231",
			body: `[
  {"customerId": 8248, "customerMyId": "cust-05", "customerName": "testFullSite", "myId": "ref-e-01", "name": "test equi1", "siteId": 47706, "siteMyId": "ref-01", "siteName": "testSite", "id": 93973},
  [{"customerId": 8248, "customerMyId": "cust-05", "customerName": "testFullSite", "myId": "ref-e-02", "name": "test equip2", "siteId": 47706, "siteMyId": "ref-01", "siteName": "testSite", "id": 93974}]
]`,
		},
	}
	want := []Equipment{
		{ID: "93973", MyID: "ref-e-01", Name: "test equi1", CustomerID: "8248", CustomerMyID: "cust-05", CustomerName: "testFullSite", SiteID: "47706", SiteMyID: "ref-01", SiteName: "testSite"},
		{ID: "93974", MyID: "ref-e-02", Name: "test equip2", CustomerID: "8248", CustomerMyID: "cust-05", CustomerName: "testFullSite", SiteID: "47706", SiteMyID: "ref-01", SiteName: "testSite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("GET /Api/v2/Equipment/List/Customer/{customer}/Site/{site}", func(w http.ResponseWriter, r *http.Request) {
				if r.RequestURI != tt.wantURI {
					t.Errorf("request URI = %s, want %s", r.RequestURI, tt.wantURI)
				}
				if r.PathValue("customer") != tt.customer || r.PathValue("site") != tt.site {
					t.Errorf("path values = %q, %q", r.PathValue("customer"), r.PathValue("site"))
				}
				answer(w, 200, tt.body)
			})
			got, err := c.Equipment.ListByCustomerSite(context.Background(), tt.customer, tt.site)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, scalarCmp); diff != "" {
				t.Errorf("ListByCustomerSite (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJobsSearch(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("POST /Api/v2/Jobs/Search", func(w http.ResponseWriter, r *http.Request) {
		testBody(t, r, `{
    "dateFrom":"2015-05-15 00:00:00",
    "dateTo":"2016-05-18 00:00:00",
    "changedFrom":"2016-05-16 00:00:00",
    "reportChangedFrom":"2017-01-16 15:35:00",
    "myId":"ref-25487",
    "userName":"Bill",
    "status":3,
    "site":{"id":"62612"}
}`)
		answer(w, 200, `[
  {
    "id": "265_1606271438784211768",
    "myId": "ref-25487",
    "num": "13461"
  },
  {
    "id": "2687_160627143454211768",
    "myId": "ref-job004",
    "num": 12259
  }
]`)
	})
	got, err := c.Jobs.Search(context.Background(), &JobSearch{
		DateFrom: at("2015-05-15 00:00:00"), DateTo: at("2016-05-18 00:00:00"), ChangedFrom: at("2016-05-16 00:00:00"),
		ReportChangedFrom: at("2017-01-16 15:35:00"), MyID: "ref-25487", UserName: "Bill", Status: NewInt(3),
		Site: &Ref{ID: "62612"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []JobRef{{ID: "265_1606271438784211768", MyID: "ref-25487", Num: "13461"}, {ID: "2687_160627143454211768", MyID: "ref-job004", Num: "12259"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Jobs.Search (-want +got):\n%s", diff)
	}
}

func TestCustomersListAndGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	const customer = `{
    "id":35604,
    "address": "6605 Fisher Avenue, Falls Church, VA 22046, United States",
    "addressComplement": "United States",
    "adressCity": "Falls Church",
    "adressCountry": "United States",
    "adressProvince": "Virginia",
    "adressStreet": "6605 Fisher Avenue",
    "adressZIP": "22046",
    "contactEmail": "customer@synchroteam.com",
    "contactFirstName": "Jean",
    "contactFax": "(719) 388-1967",
    "contactPhone":"(719) 388-1966",
    "contactName": "Claude",
    "myId":"sCustomer08",
    "name": "Sample Customer",
    "position": {
        "Latitude": "38.8998214",
        "Longitude": "-77.1791373"
    },
    "tags" : ["plumber","restaurant","test"]
}`
	mux.HandleFunc("GET /Api/v2/Customer/List", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"ChangedFrom": {"2018-02-25"}})
		answer(w, 200, "["+customer+"]")
	})
	mux.HandleFunc("GET /Api/v2/Customer/Details", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"email": {"customer@synchroteam.com"}})
		answer(w, 200, customer)
	})
	want := Customer{
		ID: "35604", MyID: "sCustomer08", Name: "Sample Customer",
		Address: "6605 Fisher Avenue, Falls Church, VA 22046, United States", AddressComplement: "United States",
		AddressStreet: "6605 Fisher Avenue", AddressZIP: "22046", AddressCity: "Falls Church", AddressProvince: "Virginia", AddressCountry: "United States",
		ContactName: "Claude", ContactFirstName: "Jean", ContactPhone: "(719) 388-1966", ContactEmail: "customer@synchroteam.com", ContactFax: "(719) 388-1967",
		Position: &Position{Latitude: NewNumber(38.8998214), Longitude: NewNumber(-77.1791373)},
		Tags:     Strings{"plumber", "restaurant", "test"},
	}
	ctx := context.Background()
	list, err := c.Customers.List(ctx, day("2018-02-25"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Customer{want}, list, scalarCmp); diff != "" {
		t.Errorf("Customers.List (-want +got):\n%s", diff)
	}
	one, err := c.Customers.Get(ctx, ByEmail("customer@synchroteam.com"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, one, scalarCmp); diff != "" {
		t.Errorf("Customers.Get (-want +got):\n%s", diff)
	}
}

func TestSitesListByCustomer(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/Site/List/byCustomer/myId/{myId}", func(w http.ResponseWriter, r *http.Request) {
		if want := "/Api/v2/Site/List/byCustomer/myId/ref%2F54%20b"; r.RequestURI != want {
			t.Errorf("request URI = %s, want %s", r.RequestURI, want)
		}
		answer(w, 200, `[{
    "id":2811,
    "myId": "ref-2511",
    "address": "6605 Fisher Avenue, Falls Church, VA 22046, United States",
    "addressComplement": "2nd Floor left",
    "adressCity": "Falls Church",
    "adressZIP": "22046",
    "contactEmail":"Micheal@hamilton.com",
    "contactMobile":"(877)413-5903",
    "name":"site name 1",
    "customerName": "Labo office"
}]`)
	})
	got, err := c.Sites.ListByCustomer(context.Background(), ByMyID("ref/54 b"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Site{{ID: "2811", MyID: "ref-2511", Address: "6605 Fisher Avenue, Falls Church, VA 22046, United States", AddressComplement: "2nd Floor left",
		AddressCity: "Falls Church", AddressZIP: "22046", ContactEmail: "Micheal@hamilton.com", ContactMobile: "(877)413-5903", Name: "site name 1", CustomerName: "Labo office"}}
	if diff := cmp.Diff(want, got, scalarCmp); diff != "" {
		t.Errorf("Sites.ListByCustomer (-want +got):\n%s", diff)
	}
}

func TestJobsPhotosAndPDF(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	png := []byte("\x89PNG\r\n\x1a\nfake")
	pdf := []byte("%PDF-1.4 fake")
	mux.HandleFunc("GET /Api/v2/Jobs/Photos", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"myId": {"ref-25415"}})
		answer(w, 200, `[
    {
     "job": {"id": "265_160719144323649", "myId": "ref-25415", "num": 13473},
     "iteration":  1,
     "fileName":  "image.png",
     "comment":"photo1",
     "imageData":"`+base64.StdEncoding.EncodeToString(png)+`"
    }]`)
	})
	mux.HandleFunc("GET /Api/v2/Jobs/PDF", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"num": {"13473"}})
		// Wrapped at 8 characters, without padding: still read.
		enc := base64.RawStdEncoding.EncodeToString(pdf)
		answer(w, 200, `{"pdfData":"`+enc[:8]+`\r\n`+enc[8:]+`"}`)
	})
	ctx := context.Background()
	photos, err := c.Jobs.Photos(ctx, ByMyID("ref-25415"))
	if err != nil {
		t.Fatal(err)
	}
	wantPhoto := Photo{Job: JobRef{ID: "265_160719144323649", MyID: "ref-25415", Num: "13473"}, Iteration: NewInt(1), FileName: "image.png", Comment: "photo1", ImageData: base64.StdEncoding.EncodeToString(png)}
	if diff := cmp.Diff([]Photo{wantPhoto}, photos, scalarCmp); diff != "" {
		t.Errorf("Jobs.Photos (-want +got):\n%s", diff)
	}
	if b, err := photos[0].Bytes(); err != nil || string(b) != string(png) {
		t.Errorf("Photo.Bytes() = %q, %v", b, err)
	}
	got, err := c.Jobs.PDF(ctx, ByNum("13473"))
	if err != nil || string(got) != string(pdf) {
		t.Errorf("Jobs.PDF = %q, %v", got, err)
	}
}

// Requests keep the API's own spellings on the wire.
func TestRequestSpellings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pattern  string
		response string
		wantBody string
		call     func(ctx context.Context, c *Client) (any, error)
		want     any
	}{
		{
			name:     "Customer/Send adress*",
			pattern:  "POST /Api/v2/Customer/Send",
			response: `{"code": 35642, "message": ""}`,
			wantBody: `{
				"myId": "sCustomer08", "name": "Sample Customer",
				"address": "6605 Fisher Avenue, Falls Church, VA 22046, United States",
				"adressStreet": "6605 Fisher Avenue", "adressZIP": "22046", "adressCity": "Falls Church",
				"adressProvince": "Virginia", "adressCountry": "United States",
				"contactPhone": "(719) 388-1966",
				"customFieldValues": [{"name": "Sector", "value": "Retail"}],
				"position": {"latitude": 38.8998214, "longitude": -77.1791373},
				"tags": ["plumber", "restaurant"]
			}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Customers.Send(ctx, &Customer{
					MyID: "sCustomer08", Name: "Sample Customer", Address: "6605 Fisher Avenue, Falls Church, VA 22046, United States",
					AddressStreet: "6605 Fisher Avenue", AddressZIP: "22046", AddressCity: "Falls Church", AddressProvince: "Virginia", AddressCountry: "United States",
					ContactPhone: "(719) 388-1966", CustomFieldValues: []CustomFieldValue{{Name: "Sector", Value: "Retail"}},
					Position: &Position{Latitude: NewNumber(38.8998214), Longitude: NewNumber(-77.1791373)}, Tags: Strings{"plumber", "restaurant"},
				})
			},
			want: ID("35642"),
		},
		{
			name:     "Site/Send adress*",
			pattern:  "POST /Api/v2/Site/Send",
			response: `{"code": 62650, "message": ""}`,
			wantBody: `{"myId": "ref-2541", "name": "Site name", "customerId": "35646", "adressCity": "Beulah", "adressZIP": "81023"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Sites.Send(ctx, &Site{MyID: "ref-2541", Name: "Site name", CustomerID: "35646", AddressCity: "Beulah", AddressZIP: "81023"})
			},
			want: ID("62650"),
		},
		{
			name:     "ActivityType/Send hasConflit",
			pattern:  "POST /Api/v2/ActivityType/Send",
			response: `{"code": 1, "data": {"color": "887788", "hasConflit": true, "id": 84, "name": "Type activity 8"}, "msg": ""}`,
			wantBody: `{"name": "Type activity 8", "color": "887788", "hasConflit": true}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ActivityTypes.Send(ctx, &ActivityType{Name: "Type activity 8", Color: "887788", HasConflict: NewBool(true)})
			},
			want: &ActivityType{ID: "84", Name: "Type activity 8", Color: "887788", HasConflict: NewBool(true)},
		},
		{
			name:     "ActivityType/Search hasConflit false is sent",
			pattern:  "POST /Api/v2/ActivityType/Search",
			response: `[{"color": "777777", "hasConflit": true, "id": 83, "name": "Type activity 8"}]`,
			wantBody: `{"color": "777777", "hasConflit": false}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ActivityTypes.Search(ctx, &ActivityType{Color: "777777", HasConflict: NewBool(false)})
			},
			want: []ActivityType{{ID: "83", Name: "Type activity 8", Color: "777777", HasConflict: NewBool(true)}},
		},
		{
			name:     "User/Send fullAdress",
			pattern:  "POST /Api/v2/User/Send",
			response: `{"code": 54023, "message": ""}`,
			wantBody: `{
				"firstName": "John", "lastName": "Doe", "login": "login_user", "password": "123456", "language": "EN",
				"profile": "technician",
				"startLocation": {"fullAdress": "411 Pearl St, New York, NY 10038, États-Unis", "latitude": 40.7115539, "longitude": -74.0035686},
				"customFieldValues": [{"id": "88", "value": "1547-PO"}],
				"groups": ["group5", "group87"], "skilledTrades": ["plumber", "electrician"]
			}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.Send(ctx, &User{
					FirstName: "John", LastName: "Doe", Login: "login_user", Password: "123456", Language: "EN", Profile: "technician",
					StartLocation:     &StartLocation{FullAddress: "411 Pearl St, New York, NY 10038, États-Unis", Latitude: NewNumber(40.7115539), Longitude: NewNumber(-74.0035686)},
					CustomFieldValues: []CustomFieldValue{{ID: "88", Value: "1547-PO"}},
					Groups:            Strings{"group5", "group87"}, SkilledTrades: Strings{"plumber", "electrician"},
				})
			},
			want: ID("54023"),
		},
		{
			name:     "CustomField/Send CustomFieldValues and Job",
			pattern:  "POST /Api/v2/CustomField/Send",
			response: `{"code": 1, "message": ""}`,
			wantBody: `{
				"CustomFieldValues": [{"id": "182", "value": "contact@mail.com"}, {"name": "Serial Number", "value": "1254FR54"}],
				"Job": {"id": "0c0ae477-fc89-4ef1-8797-2f0155f612f35"}
			}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.CustomFields.Send(ctx, &CustomFieldsSend{
					CustomFieldValues: []CustomFieldValue{{ID: "182", Value: "contact@mail.com"}, {Name: "Serial Number", Value: "1254FR54"}},
					Job:               JobRef{ID: "0c0ae477-fc89-4ef1-8797-2f0155f612f35"},
				})
			},
		},
		{
			name:     "Jobs/Send",
			pattern:  "POST /Api/v2/Jobs/Send",
			response: `{"code": 13497, "message": null}`,
			wantBody: `{
				"myId": "ref-job1405", "nmJobType": "Aire acondicioa", "idCustomer": "35615", "idUser": "266",
				"description": "update job", "priority": 1, "status": 1,
				"scheduledBeginDate": "2016-10-13 10:00:00", "scheduledEndDate": "2016-10-13 17:00:00",
				"adressCity": "Falls Church", "contactPhone": "+12125875967",
				"customFieldValues": [{"name": "Sector", "value": "OD 89874 sector"}],
				"parts": [{"reference": "VOYANT VCYL 7 S 7/8", "quantity": 2.5}, {"id": "5671", "quantity": 1.9}],
				"report": [{"id": "3132", "value": "documentation"}, {"nmCategory": "Category 2", "nmItem": "hour", "value": "15:20"}]
			}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Jobs.Send(ctx, &Job{
					MyID: "ref-job1405", JobTypeName: "Aire acondicioa", CustomerID: "35615", UserID: "266", Description: "update job",
					Priority: NewInt(1), Status: NewInt(1), ScheduledBegin: at("2016-10-13 10:00:00"), ScheduledEnd: at("2016-10-13 17:00:00"),
					AddressCity: "Falls Church", ContactPhone: "+12125875967",
					CustomFieldValues: []CustomFieldValue{{Name: "Sector", Value: "OD 89874 sector"}},
					Parts:             []JobPart{{Reference: "VOYANT VCYL 7 S 7/8", Quantity: NewNumber(2.5)}, {ID: "5671", Quantity: NewNumber(1.9)}},
					Report:            []ReportItem{{ID: "3132", Value: "documentation"}, {CategoryName: "Category 2", ItemName: "hour", Value: "15:20"}},
				})
			},
			want: ID("13497"),
		},
		{
			name:     "Invoices/Send",
			pattern:  "POST /Api/v2/Invoices/Send",
			response: `{"code": 0, "message": null, "data": {"num": 132, "numberLines": 2}}`,
			wantBody: `{
				"type": "quotation", "action": "add", "status": 0, "num": "132", "dueDate": "2018-05-02",
				"job": {"num": "12547"}, "customer": {"name": "synchroteam"},
				"lines": [
					{"reference": "p11", "price": 0, "quantity": 10, "discount": 10},
					{"idPart": "35954", "description": "test description", "tax": 10, "quantity": 8.5, "discount": 50.3}
				]
			}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Invoices.Send(ctx, &InvoiceSend{
					Type: "quotation", Action: "add", Status: NewInt(0), Num: "132", DueDate: day("2018-05-02"),
					Job: &JobRef{Num: "12547"}, Customer: &Ref{Name: "synchroteam"},
					Lines: []InvoiceLine{
						{Reference: "p11", Price: NewNumber(0), Quantity: NewNumber(10), Discount: NewNumber(10)},
						{PartID: "35954", Description: "test description", Tax: NewNumber(10), Quantity: NewNumber(8.5), Discount: NewNumber(50.3)},
					},
				})
			},
			want: &InvoiceResult{Num: "132", NumberLines: NewInt(2)},
		},
		{
			name:     "StockRequest/Complete",
			pattern:  "PUT /Api/v2/StockRequest/Complete",
			response: `{"code": 1}`,
			wantBody: `{"id": "1C9035A3-CE56-4E13-B9D0-DFFB9C02E782", "isPartial": true, "quantity": 3, "serials": ["bb11", "bb22"]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.StockRequests.Complete(ctx, &StockRequestCompletion{ID: "1C9035A3-CE56-4E13-B9D0-DFFB9C02E782", IsPartial: NewBool(true), Quantity: NewNumber(3), Serials: []string{"bb11", "bb22"}})
			},
			want: 1,
		},
		{
			name:     "Inventory/Quantities sends empty serials as a list",
			pattern:  "PUT /Api/v2/Inventory/Quantities",
			response: `{"code": 1, "errors": ""}`,
			wantBody: `[{"depot": "stock4", "parts": [{"reference": "KAAQ3104A", "quantity": 210, "serials": []}, {"reference": "refHi001", "quantity": 2, "serials": ["771000", "771010"]}]}]`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Inventory.SetQuantities(ctx, []DepotQuantities{{Depot: "stock4", Parts: []PartQuantity{
					{Reference: "KAAQ3104A", Quantity: NewNumber(210)},
					{Reference: "refHi001", Quantity: NewNumber(2), Serials: []string{"771000", "771010"}},
				}}})
			},
		},
		{
			name:     "Attachments/Send base64",
			pattern:  "POST /Api/v2/Attachments/Send",
			response: `{"data": {"id": "297", "url": "https://files.example/297"}, "msg": [], "result": "1"}`,
			wantBody: `{"job": {"id": "265_160627143211768"}, "fileName": "data5.csv", "fileData": "YSxiCjEsMgo="}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Attachments.Send(ctx, &AttachmentSend{Job: &JobRef{ID: "265_160627143211768"}, FileName: "data5.csv", FileData: []byte("a,b\n1,2\n")})
			},
			want: &Attachment{ID: "297", URL: "https://files.example/297"},
		},
		{
			name:     "ActivityType/Delete sends its body",
			pattern:  "DELETE /Api/v2/ActivityType/Delete",
			response: `{"code": 1, "msg": ""}`,
			wantBody: `{"name": "", "id": "56555"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ActivityTypes.Delete(ctx, "56555", "")
			},
			want: 1,
		},
		{
			name:     "User/Search",
			pattern:  "POST /Api/v2/User/Search",
			response: `[{"id": 266, "login": "login_user12"}, {"id": 53993, "login": "login_user87"}]`,
			wantBody: `{"group": {"name": "group1"}, "skilledTrades": "plumber"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.Search(ctx, &UserSearch{Group: &GroupRef{Name: "group1"}, SkilledTrades: "plumber"})
			},
			want: []UserKey{{ID: "266", Login: "login_user12"}, {ID: "53993", Login: "login_user87"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			var hits atomic.Int32
			mux.HandleFunc(tt.pattern, func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				testBody(t, r, tt.wantBody)
				answer(w, 200, tt.response)
			})
			got, err := tt.call(context.Background(), c)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if n := hits.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if diff := cmp.Diff(tt.want, got, scalarCmp); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

// Each endpoint answers in its own envelope.
func TestEnvelopes(t *testing.T) {
	t.Parallel()
	sendCustomer := func(ctx context.Context, c *Client) (any, error) {
		return c.Customers.Send(ctx, &Customer{MyID: "sCustomer08", Name: "Sample Customer"})
	}
	sendInvoice := func(ctx context.Context, c *Client) (any, error) {
		return c.Invoices.Send(ctx, &InvoiceSend{Type: "invoice", Action: "replace", Num: "132"})
	}
	tests := []struct {
		name     string
		pattern  string
		response string
		call     func(ctx context.Context, c *Client) (any, error)
		want     any
		wantErr  *Error // nil: success; compared without Method and Endpoint
	}{
		{"Send returns the id in code", "POST /Api/v2/Customer/Send", `{"code": 35642, "message": ""}`, sendCustomer, ID("35642"), nil},
		{"Send id as a string", "POST /Api/v2/Customer/Send", `{"code": "35642", "message": null}`, sendCustomer, ID("35642"), nil},
		{"Send without message member", "POST /Api/v2/Part/Send", `{"code": 35958}`,
			func(ctx context.Context, c *Client) (any, error) {
				return c.Parts.Send(ctx, &Part{Name: "Angle inter. H50 White", Price: NewNumber(7.35), Reference: "LEG10602"})
			}, ID("35958"), nil},
		{"Send with a message is an error", "POST /Api/v2/Customer/Send", `{"code": 0, "message": "The name of the customer is mandatory"}`, sendCustomer, nil,
			&Error{StatusCode: 200, Code: "0", Message: "The name of the customer is mandatory"}},
		{"Send with a message list", "POST /Api/v2/Equipment/Send", `{"code": 0, "message": ["unknown customer", "unknown site"]}`,
			func(ctx context.Context, c *Client) (any, error) {
				return c.Equipment.Send(ctx, &Equipment{MyID: "ref-2542", Name: "Heater 2345"})
			}, nil, &Error{StatusCode: 200, Code: "0", Message: "unknown customer; unknown site"}},
		{"Send without id nor message", "POST /Api/v2/Customer/Send", `{"code": 0, "message": ""}`, sendCustomer, nil,
			&Error{StatusCode: 200, Code: "0", Message: "the API answered code 0 without a message"}},
		{"Invoices/Send code 1", "POST /Api/v2/Invoices/Send", `{"code": 1, "message": "", "data": {"num": 132, "numberLines": 2}}`, sendInvoice,
			&InvoiceResult{Num: "132", NumberLines: NewInt(2)}, nil},
		{"Invoices/Send code 0 with data, as in the reference", "POST /Api/v2/Invoices/Send", `{"code": 0, "message": null, "data": {"num": 132, "numberLines": 2}}`, sendInvoice,
			&InvoiceResult{Num: "132", NumberLines: NewInt(2)}, nil},
		{"Invoices/Send code 0 with message", "POST /Api/v2/Invoices/Send", `{"code": 0, "message": "The customer does not exist", "data": null}`, sendInvoice, nil,
			&Error{StatusCode: 200, Code: "0", Message: "The customer does not exist"}},
		{"Invoices/Send code 0 without data", "POST /Api/v2/Invoices/Send", `{"code": 0, "message": null}`, sendInvoice, nil,
			&Error{StatusCode: 200, Code: "0", Message: "the API answered code 0 without a message"}},
		{"Customer/Delete count", "DELETE /Api/v2/Customer/Delete", `{"code": 3}`,
			func(ctx context.Context, c *Client) (any, error) {
				return c.Customers.Delete(ctx, ByName("Sample Customer"))
			}, 3, nil},
		{"ActivityType/Delete of nothing", "DELETE /Api/v2/ActivityType/Delete", `{"code": 0, "msg": "The element to be deleted does not exist"}`,
			func(ctx context.Context, c *Client) (any, error) { return c.ActivityTypes.Delete(ctx, "56555", "") }, 0, nil},
		{"Part/Delete count as a string", "DELETE /Api/v2/Part/Delete", `{"code": "1"}`,
			func(ctx context.Context, c *Client) (any, error) { return c.Parts.Delete(ctx, ByReference("458")) }, 1, nil},
		{"Delete without code", "DELETE /Api/v2/Site/Delete", `{"message": "Site not found"}`,
			func(ctx context.Context, c *Client) (any, error) { return c.Sites.Delete(ctx, ByID("2811")) }, nil,
			&Error{StatusCode: 200, Message: "Site not found"}},
		{"Jobs/Validate", "PUT /Api/v2/Jobs/Validate", `{"code": 1}`,
			func(ctx context.Context, c *Client) (any, error) { return c.Jobs.Validate(ctx, ByMyID("ref-25415")) }, 1, nil},
		{"Jobs/Cancel", "PUT /Api/v2/Jobs/Cancel", `{"code": 1}`,
			func(ctx context.Context, c *Client) (any, error) { return c.Jobs.Cancel(ctx, ByMyID("ref-25415")) }, 1, nil},
		{"Attachments result 0", "POST /Api/v2/Attachments/Send", `{"data": null, "msg": ["The job does not exist"], "result": "0"}`,
			func(ctx context.Context, c *Client) (any, error) {
				return c.Attachments.Send(ctx, &AttachmentSend{Job: &JobRef{ID: "x"}, FileName: "a.csv", FileData: []byte("a")})
			}, nil, &Error{StatusCode: 200, Code: "0", Message: "The job does not exist"}},
		{"CustomField/Send code 0", "POST /Api/v2/CustomField/Send", `{"code": 0, "message": "The job does not exist"}`,
			func(ctx context.Context, c *Client) (any, error) {
				return nil, c.CustomFields.Send(ctx, &CustomFieldsSend{Job: JobRef{MyID: "nope"}})
			}, nil, &Error{StatusCode: 200, Code: "0", Message: "The job does not exist"}},
		{"ActivityType/Send code 0", "POST /Api/v2/ActivityType/Send", `{"code": 0, "data": null, "msg": "The color is not valid"}`,
			func(ctx context.Context, c *Client) (any, error) {
				return c.ActivityTypes.Send(ctx, &ActivityType{Name: "x", Color: "zz"})
			}, nil, &Error{StatusCode: 200, Code: "0", Message: "The color is not valid"}},
		{"StockRequest/Complete code 0 with message", "PUT /Api/v2/StockRequest/Complete", `{"code": 0, "message": "The request is already complete"}`,
			func(ctx context.Context, c *Client) (any, error) {
				return c.StockRequests.Complete(ctx, &StockRequestCompletion{ID: "1C9035A3"})
			}, nil, &Error{StatusCode: 200, Code: "0", Message: "The request is already complete"}},
		{"Inventory/Quantities errors as a string", "PUT /Api/v2/Inventory/Quantities", `{"code": 0, "errors": "The depot stock9 does not exist"}`,
			func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Inventory.SetQuantities(ctx, []DepotQuantities{{Depot: "stock9", Parts: []PartQuantity{{Reference: "p1", Quantity: NewNumber(1)}}}})
			}, nil, &Error{StatusCode: 200, Code: "0", Message: "some quantities were not applied",
				Items: []ItemError{{Index: -1, Message: "The depot stock9 does not exist"}}}},
		{"Inventory/Quantities errors as objects", "PUT /Api/v2/Inventory/Quantities", `{"code": 0, "errors": [{"depot": "stock", "reference": "refHi001", "quantity": "4", "message": "3 serials for a quantity of 4"}]}`,
			func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Inventory.SetQuantities(ctx, []DepotQuantities{
					{Depot: "stock4", Parts: []PartQuantity{{Reference: "KAAQ3104A", Quantity: NewNumber(210)}}},
					{Depot: "stock", Parts: []PartQuantity{{Reference: "refHi001", Quantity: NewNumber(4), Serials: []string{"3000", "3103", "3020"}}}},
				})
			}, nil, &Error{StatusCode: 200, Code: "0", Message: "some quantities were not applied",
				Items: []ItemError{{Index: 1, Depot: "stock", Reference: "refHi001", Value: "4", Message: "3 serials for a quantity of 4"}}}},
		{"Inventory/Quantities code 0 without errors", "PUT /Api/v2/Inventory/Quantities", `{"code": 0, "errors": ""}`,
			func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Inventory.SetQuantities(ctx, []DepotQuantities{{Depot: "stock4"}})
			}, nil, &Error{StatusCode: 200, Code: "0", Message: "the API answered code 0 without a message"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc(tt.pattern, reply(tt.response))
			got, err := tt.call(context.Background(), c)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if diff := cmp.Diff(tt.want, got, scalarCmp); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v (%T), want *Error", err, err)
			}
			if diff := cmp.Diff(tt.wantErr, e, cmpopts.IgnoreFields(Error{}, "Method", "Endpoint")); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			method, _, _ := strings.Cut(tt.pattern, " ")
			if e.Method != method || !strings.HasSuffix(tt.pattern, "/"+e.Endpoint) {
				t.Errorf("error names %s %s, want the request %s", e.Method, e.Endpoint, tt.pattern)
			}
			if !errors.Is(err, ErrRejected) || errors.Is(err, ErrServer) {
				t.Errorf("errors.Is(%v, ErrRejected) = false or ErrServer = true", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr.Message) {
				t.Errorf("Error() = %q, want it to hold %q", err, tt.wantErr.Message)
			}
		})
	}
}

func TestPartPricesErrorsMappedToRequestIndexes(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("PUT /Api/v2/Part/Prices", func(w http.ResponseWriter, r *http.Request) {
		testBody(t, r, `[
			{"reference": "p11", "price": 10.25},
			{"id": "35959", "price": 70.25},
			{"id": "35919", "price": -100.25},
			{"id": "359112519", "price": 540.25}
		]`)
		answer(w, 200, `{
  "code": 0,
  "errors": [
    {
      "id": "35919",
      "price": "-100,25",
      "reference": null
    },
    {
      "id": "359112519",
      "price": "540,25",
      "reference": null
    }
  ]
}`)
	})
	prices := []PartPrice{
		{Reference: "p11", Price: NewNumber(10.25)},
		{ID: "35959", Price: NewNumber(70.25)},
		{ID: IDFromInt(35919), Price: NewNumber(-100.25)},
		{ID: IDFromInt(359112519), Price: NewNumber(540.25)},
	}
	err := c.Parts.SetPrices(context.Background(), prices)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("SetPrices error = %v (%T), want *Error", err, err)
	}
	want := []ItemError{
		{Index: 2, ID: "35919", Value: "-100,25"},
		{Index: 3, ID: "359112519", Value: "540,25"},
	}
	if diff := cmp.Diff(want, e.Items, cmpopts.IgnoreFields(ItemError{}, "Message")); diff != "" {
		t.Errorf("Items (-want +got):\n%s", diff)
	}
	if e.Code != "0" || e.Message == "" || !strings.Contains(e.Error(), "2 item(s)") {
		t.Errorf("error = %q (code %q)", e, e.Code)
	}
	if !errors.Is(err, ErrRejected) {
		t.Errorf("errors.Is(ErrRejected) = false")
	}
}

func TestPartPricesByReference(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("PUT /Api/v2/Part/Prices", reply(`{"code": 0, "errors": [{"id": null, "price": "10,25", "reference": "p11"}, {"id": "999", "price": "1", "reference": null}]}`))
	err := c.Parts.SetPrices(context.Background(), []PartPrice{{ID: "5", Price: NewNumber(1)}, {Reference: "p11", Price: NewNumber(10.25)}})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *Error", err)
	}
	want := []ItemError{{Index: 1, Reference: "p11", Value: "10,25"}, {Index: -1, ID: "999", Value: "1"}}
	if diff := cmp.Diff(want, e.Items, cmpopts.IgnoreFields(ItemError{}, "Message")); diff != "" {
		t.Errorf("Items (-want +got):\n%s", diff)
	}
}

func TestPartPricesAllApplied(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("PUT /Api/v2/Part/Prices", reply(`{"code": 1, "errors": []}`))
	if err := c.Parts.SetPrices(context.Background(), []PartPrice{{Reference: "p11", Price: NewNumber(10.25)}}); err != nil {
		t.Fatal(err)
	}
}

// Non-2xx answers become *Error whatever their body.
func TestErrorBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        *Error
		is, isNot   []error
	}{
		{"401 Message", 401, "application/json", `{"Message":"Authorization has been denied for this request."}`,
			&Error{StatusCode: 401, Message: "Authorization has been denied for this request."},
			[]error{ErrUnauthorized}, []error{ErrRejected, ErrNotFound, ErrServer}},
		{"400 code and message", 400, "application/json", `{"code":0,"message":"The field name is required"}`,
			&Error{StatusCode: 400, Code: "0", Message: "The field name is required"},
			[]error{ErrRejected}, []error{ErrUnauthorized, ErrNotFound}},
		{"404 HTML", 404, "text/html", "<!DOCTYPE html>\n<html><body><h1>404 - File or directory not found.</h1></body></html>",
			&Error{StatusCode: 404, Body: "<!DOCTYPE html> <html><body><h1>404 - File or directory not found.</h1></body></html>"},
			[]error{ErrNotFound}, []error{ErrRejected, ErrUnauthorized}},
		{"403 plain text", 403, "text/plain", "Forbidden\r\n",
			&Error{StatusCode: 403, Body: "Forbidden"},
			[]error{ErrForbidden}, []error{ErrRejected}},
		{"405 empty body", 405, "", "",
			&Error{StatusCode: 405},
			[]error{ErrRejected}, []error{ErrNotFound}},
		{"406 msg", 406, "application/json", `{"code":0,"msg":"Not acceptable"}`,
			&Error{StatusCode: 406, Code: "0", Message: "Not acceptable"},
			[]error{ErrRejected}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("GET /Api/v2/Customer/Details", func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			_, err := c.Customers.Get(context.Background(), ByID("1"))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v (%T), want *Error", err, err)
			}
			want := *tt.want
			want.Method, want.Endpoint = "GET", "Customer/Details"
			if diff := cmp.Diff(&want, e); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
			for _, target := range tt.isNot {
				if errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = true", err, target)
				}
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("HTTP %d", tt.status)) {
				t.Errorf("Error() = %q does not name the status", err)
			}
		})
	}
}

func TestLongErrorBodyIsCut(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/Customer/Details", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "<html>"+strings.Repeat("x", 5000)+"</html>")
	})
	_, err := c.Customers.Get(context.Background(), ByID("1"))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v", err)
	}
	if n := len([]rune(e.Body)); n > 201 || !strings.HasSuffix(e.Body, "…") {
		t.Errorf("Body has %d runes: %q…", n, e.Body[:20])
	}
}

func TestUnreadableSuccessBody(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/Part/Details", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>maintenance</html>")
	})
	_, err := c.Parts.Get(context.Background(), ByID("1"))
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 200 || !strings.Contains(e.Message, "unreadable") || e.Body != "<html>maintenance</html>" {
		t.Fatalf("error = %#v, want an *Error for an unreadable 200", err)
	}
}

// Lookups an endpoint does not accept fail before anything is sent.
func TestLookupValidationSendsNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(ctx context.Context, c *Client) error
	}{
		{"Part/Details by myId", func(ctx context.Context, c *Client) error { _, err := c.Parts.Get(ctx, ByMyID("p1")); return err }},
		{"Part/Delete by name", func(ctx context.Context, c *Client) error {
			_, err := c.Parts.Delete(ctx, ByName("Antivirus"))
			return err
		}},
		{"Customer/Delete by email", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Delete(ctx, ByEmail("customer@synchroteam.com"))
			return err
		}},
		{"Customer/Details by login", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Get(ctx, ByLogin("bill"))
			return err
		}},
		{"Jobs/Detail by name", func(ctx context.Context, c *Client) error { _, err := c.Jobs.Get(ctx, ByName("job")); return err }},
		{"Jobs/Validate by reference", func(ctx context.Context, c *Client) error {
			_, err := c.Jobs.Validate(ctx, ByReference("r"))
			return err
		}},
		{"Jobs/PDF by email", func(ctx context.Context, c *Client) error { _, err := c.Jobs.PDF(ctx, ByEmail("a@b.c")); return err }},
		{"User/Details by myId", func(ctx context.Context, c *Client) error { _, err := c.Users.Get(ctx, ByMyID("u1")); return err }},
		{"Equipment/Details by email", func(ctx context.Context, c *Client) error {
			_, err := c.Equipment.Get(ctx, ByEmail("a@b.c"))
			return err
		}},
		{"Site/List/byCustomer by name", func(ctx context.Context, c *Client) error {
			_, err := c.Sites.ListByCustomer(ctx, ByName("Sample Customer"))
			return err
		}},
		{"empty id", func(ctx context.Context, c *Client) error { _, err := c.Customers.Get(ctx, ByID("")); return err }},
		{"blank myId", func(ctx context.Context, c *Client) error { _, err := c.Sites.Delete(ctx, ByMyID("  ")); return err }},
		{"unknown parameter", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Get(ctx, Lookup{Param: "ID", Value: "1"})
			return err
		}},
		{"nil customer", func(ctx context.Context, c *Client) error { _, err := c.Customers.Send(ctx, nil); return err }},
		{"nil invoice", func(ctx context.Context, c *Client) error { _, err := c.Invoices.Send(ctx, nil); return err }},
		{"nil attachment", func(ctx context.Context, c *Client) error { _, err := c.Attachments.Send(ctx, nil); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := setup(t) // its catch-all handler fails the test on any request
			err := tt.call(context.Background(), c)
			if err == nil {
				t.Fatal("no error")
			}
			var e *Error
			if errors.As(err, &e) {
				t.Errorf("error %v is an API *Error, want a validation error", err)
			}
			if n := c.Counters().Requests; n != 0 {
				t.Errorf("%d requests sent, want 0", n)
			}
		})
	}
}

func TestLookupsAccepted(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var (
		mu  sync.Mutex
		got []string
	)
	record := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got = append(got, r.Method+" "+r.URL.RequestURI())
			mu.Unlock()
			answer(w, 200, body)
		}
	}
	mux.HandleFunc("GET /Api/v2/Customer/Details", record(`{}`))
	mux.HandleFunc("DELETE /Api/v2/Customer/Delete", record(`{"code":1}`))
	mux.HandleFunc("GET /Api/v2/Part/Details", record(`{}`))
	mux.HandleFunc("GET /Api/v2/Jobs/Detail", record(`{}`))
	mux.HandleFunc("GET /Api/v2/User/Details", record(`{}`))
	mux.HandleFunc("GET /Api/v2/Site/List/byCustomer/id/{id}", record(`[]`))
	ctx := context.Background()
	for _, err := range []error{
		second(c.Customers.Get(ctx, ByEmail("customer@synchroteam.com"))),
		second(c.Customers.Get(ctx, ByName("Sample & Co"))),
		second(c.Customers.Delete(ctx, ByMyID("sCustomer08"))),
		second(c.Parts.Get(ctx, ByID("35918"))),
		second(c.Jobs.Get(ctx, ByMyID("ref-25415"))),
		second(c.Users.Get(ctx, ByID("54022"))),
		second(c.Sites.ListByCustomer(ctx, ByID("35604"))),
	} {
		if err != nil {
			t.Error(err)
		}
	}
	want := []string{
		"GET /Api/v2/Customer/Details?email=customer%40synchroteam.com",
		"GET /Api/v2/Customer/Details?name=Sample+%26+Co",
		"DELETE /Api/v2/Customer/Delete?myId=sCustomer08",
		"GET /Api/v2/Part/Details?id=35918",
		"GET /Api/v2/Jobs/Detail?myId=ref-25415",
		"GET /Api/v2/User/Details?id=54022",
		"GET /Api/v2/Site/List/byCustomer/id/35604",
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func second[T any](_ T, err error) error { return err }

func TestNewClientOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
	}{
		{"no credentials", nil},
		{"empty domain", []Option{WithCredentials(" ", "key")}},
		{"empty key", []Option{WithCredentials("acme", "")}},
		{"domain with colon", []Option{WithCredentials("acme:x", "key")}},
		{"nil HTTP client", []Option{WithCredentials("acme", "key"), WithHTTPClient(nil)}},
		{"zero rate", []Option{WithCredentials("acme", "key"), WithRateLimit(0, 1)}},
		{"zero burst", []Option{WithCredentials("acme", "key"), WithRateLimit(1, 0)}},
		{"nil limiter", []Option{WithCredentials("acme", "key"), WithLimiter(nil)}},
		{"no attempt", []Option{WithCredentials("acme", "key"), WithRetryPolicy(RetryPolicy{})}},
		{"zero timeout", []Option{WithCredentials("acme", "key"), WithTimeout(0)}},
	}
	for _, tt := range tests {
		if c, err := NewClient(tt.opts...); err == nil {
			t.Errorf("%s: NewClient = %v, want an error", tt.name, c)
		}
	}
	c, err := NewClient(WithCredentials("acme", "key"))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != DefaultURL || c.Domain() != "acme" {
		t.Errorf("BaseURL() = %q, Domain() = %q", c.BaseURL(), c.Domain())
	}
	if q, ok := c.QuotaRemaining(); ok || q != -1 {
		t.Errorf("QuotaRemaining() before any request = %d, %v", q, ok)
	}
}

// Every method of the client goes to the method and path the reference gives
// its endpoint (39 endpoints).
func TestEveryEndpointRoute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	created := `{"code": 1, "message": ""}`
	tests := []struct {
		route string // method and request URI, as the reference writes them
		body  string
		call  func(c *Client) error
	}{
		{"POST /Api/v2/Activities/Search", `[]`, func(c *Client) error { return second(c.Activities.Search(ctx, &ActivitySearch{})) }},
		{"POST /Api/v2/ActivityType/Send", `{"code": 1, "data": {"id": 84}}`, func(c *Client) error { return second(c.ActivityTypes.Send(ctx, &ActivityType{Name: "a"})) }},
		{"POST /Api/v2/ActivityType/Search", `[]`, func(c *Client) error { return second(c.ActivityTypes.Search(ctx, &ActivityType{})) }},
		{"DELETE /Api/v2/ActivityType/Delete", `{"code": 1}`, func(c *Client) error { return second(c.ActivityTypes.Delete(ctx, "", "a")) }},
		{"POST /Api/v2/Attachments/Send", `{"data": {"id": "297"}, "result": "1"}`, func(c *Client) error {
			return second(c.Attachments.Send(ctx, &AttachmentSend{Customer: &Ref{MyID: "c"}, FileName: "f", FileData: []byte("x")}))
		}},
		{"GET /Api/v2/SharedBlocks/List", `[]`, func(c *Client) error { return second(c.Blocks.ListShared(ctx)) }},
		{"GET /Api/v2/Customer/Details?myId=sCustomer08", `{}`, func(c *Client) error { return second(c.Customers.Get(ctx, ByMyID("sCustomer08"))) }},
		{"POST /Api/v2/Customer/Send", created, func(c *Client) error { return second(c.Customers.Send(ctx, &Customer{MyID: "c"})) }},
		{"DELETE /Api/v2/Customer/Delete?id=35604", `{"code": 1}`, func(c *Client) error { return second(c.Customers.Delete(ctx, ByID("35604"))) }},
		{"GET /Api/v2/Customer/List", `[]`, func(c *Client) error { return second(c.Customers.List(ctx, Date{})) }},
		{"POST /Api/v2/CustomField/Send", created, func(c *Client) error {
			return c.CustomFields.Send(ctx, &CustomFieldsSend{Job: JobRef{Num: "1"}})
		}},
		{"GET /Api/v2/Equipment/Details?name=Heater+2345", `{}`, func(c *Client) error { return second(c.Equipment.Get(ctx, ByName("Heater 2345"))) }},
		{"POST /Api/v2/Equipment/Send", created, func(c *Client) error { return second(c.Equipment.Send(ctx, &Equipment{MyID: "e"})) }},
		{"DELETE /Api/v2/Equipment/Delete?myId=ref-2541", `{"code": 1}`, func(c *Client) error { return second(c.Equipment.Delete(ctx, ByMyID("ref-2541"))) }},
		{"GET /Api/v2/Equipment/List/Customer/8248/Site/47706", `[[]]`, func(c *Client) error { return second(c.Equipment.ListByCustomerSite(ctx, "8248", "47706")) }},
		{"GET /Api/v2/Jobs/Detail?id=265_160719144323649", `{}`, func(c *Client) error { return second(c.Jobs.Get(ctx, ByID("265_160719144323649"))) }},
		{"POST /Api/v2/Jobs/Send", `{"code": 13497, "message": null}`, func(c *Client) error { return second(c.Jobs.Send(ctx, &Job{Num: "13497"})) }},
		{"POST /Api/v2/Jobs/Search", `[]`, func(c *Client) error { return second(c.Jobs.Search(ctx, &JobSearch{})) }},
		{"PUT /Api/v2/Jobs/Validate?myId=ref-25415", `{"code": 1}`, func(c *Client) error { return second(c.Jobs.Validate(ctx, ByMyID("ref-25415"))) }},
		{"GET /Api/v2/Jobs/Photos?myId=ref-25415", `[]`, func(c *Client) error { return second(c.Jobs.Photos(ctx, ByMyID("ref-25415"))) }},
		{"GET /Api/v2/Jobs/PDF?num=13473", `{"pdfData": "JVBERg=="}`, func(c *Client) error { return second(c.Jobs.PDF(ctx, ByNum("13473"))) }},
		{"PUT /Api/v2/Jobs/Cancel?myId=ref-25415", `{"code": 1}`, func(c *Client) error { return second(c.Jobs.Cancel(ctx, ByMyID("ref-25415"))) }},
		{"POST /Api/v2/Invoices/Send", `{"code": 1, "data": {"num": 1}}`, func(c *Client) error { return second(c.Invoices.Send(ctx, &InvoiceSend{Type: "invoice"})) }},
		{"POST /Api/v2/Invoices/List", `[]`, func(c *Client) error { return second(c.Invoices.List(ctx, &InvoiceFilter{})) }},
		{"GET /Api/v2/Site/Details?id=2811", `{}`, func(c *Client) error { return second(c.Sites.Get(ctx, ByID("2811"))) }},
		{"POST /Api/v2/Site/Send", created, func(c *Client) error { return second(c.Sites.Send(ctx, &Site{ID: "1454"})) }},
		{"DELETE /Api/v2/Site/Delete?name=site+name", `{"code": 1}`, func(c *Client) error { return second(c.Sites.Delete(ctx, ByName("site name"))) }},
		{"GET /Api/v2/Site/List/byCustomer/id/35604", `[]`, func(c *Client) error { return second(c.Sites.ListByCustomer(ctx, ByID("35604"))) }},
		{"GET /Api/v2/Site/List/byCustomer/myId/sCustomer08", `[]`, func(c *Client) error { return second(c.Sites.ListByCustomer(ctx, ByMyID("sCustomer08"))) }},
		{"PUT /Api/v2/StockRequest/Complete", `{"code": 1}`, func(c *Client) error { return second(c.StockRequests.Complete(ctx, &StockRequestCompletion{ID: "1"})) }},
		{"POST /Api/v2/StockRequest/Search", `[]`, func(c *Client) error { return second(c.StockRequests.Search(ctx, &StockRequestSearch{})) }},
		{"PUT /Api/v2/Inventory/Quantities", `{"code": 1, "errors": ""}`, func(c *Client) error { return c.Inventory.SetQuantities(ctx, []DepotQuantities{{Depot: "stock"}}) }},
		{"POST /Api/v2/Part/Send", `{"code": 35958}`, func(c *Client) error { return second(c.Parts.Send(ctx, &Part{Reference: "LEG10602"})) }},
		{"DELETE /Api/v2/Part/Delete?reference=LEG10602", `{"code": 1}`, func(c *Client) error { return second(c.Parts.Delete(ctx, ByReference("LEG10602"))) }},
		{"PUT /Api/v2/Part/Prices", `{"code": 1}`, func(c *Client) error {
			return c.Parts.SetPrices(ctx, []PartPrice{{Reference: "p11", Price: NewNumber(1)}})
		}},
		{"GET /Api/v2/Part/Details?id=35918", `{}`, func(c *Client) error { return second(c.Parts.Get(ctx, ByID("35918"))) }},
		{"GET /Api/v2/User/Details?login=login_user", `{}`, func(c *Client) error { return second(c.Users.Get(ctx, ByLogin("login_user"))) }},
		{"POST /Api/v2/User/Search", `[]`, func(c *Client) error { return second(c.Users.Search(ctx, &UserSearch{})) }},
		{"POST /Api/v2/User/Send", `{"code": 54023, "message": ""}`, func(c *Client) error { return second(c.Users.Send(ctx, &User{Login: "login_user"})) }},
	}
	if len(tests) != 39 {
		t.Fatalf("%d endpoints in the table, the reference has 39", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.route, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			var got atomic.Value
			mux.HandleFunc("/Api/", func(w http.ResponseWriter, r *http.Request) {
				got.Store(r.Method + " " + r.RequestURI)
				answer(w, 200, tt.body)
			})
			if err := tt.call(c); err != nil {
				t.Fatalf("error: %v", err)
			}
			if g, _ := got.Load().(string); g != tt.route {
				t.Errorf("request %q, want %q", g, tt.route)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	e401 := &Error{Method: "GET", Endpoint: "Customer/Details", StatusCode: 401, Message: "Authorization has been denied for this request."}
	e429 := &Error{Method: "GET", Endpoint: "Jobs/Search", StatusCode: 429}
	transport := &TransportError{Method: "POST", Endpoint: "Customer/Send", Err: errors.New("read: connection reset by peer")}
	tests := []struct {
		err  error
		want string
	}{
		{e401, "synchroteam: GET Customer/Details: HTTP 401 Unauthorized: Authorization has been denied for this request."},
		{&Error{Method: "GET", Endpoint: "Part/Details", StatusCode: 404, Body: "<html>Not Found</html>"}, "synchroteam: GET Part/Details: HTTP 404 Not Found: <html>Not Found</html>"},
		{&Error{Method: "POST", Endpoint: "Customer/Send", StatusCode: 200, Code: "0", Message: "The name is mandatory"}, "synchroteam: POST Customer/Send: rejected: The name is mandatory"},
		{&Error{Method: "PUT", Endpoint: "Part/Prices", StatusCode: 200, Message: "some prices were not applied", Items: make([]ItemError, 2)},
			"synchroteam: PUT Part/Prices: rejected: some prices were not applied (2 item(s) not applied)"},
		{&RateLimitError{Err: e429, RetryAfter: 2 * time.Second}, "synchroteam: GET Jobs/Search: HTTP 429 Too Many Requests (retry after 2s)"},
		{&RateLimitError{Err: e429}, "synchroteam: GET Jobs/Search: HTTP 429 Too Many Requests"},
		{transport, "synchroteam: POST Customer/Send: read: connection reset by peer"},
		{&RetriesExhaustedError{Attempts: 4, Err: e401}, "synchroteam: GET Customer/Details: HTTP 401 Unauthorized: Authorization has been denied for this request. (gave up after 4 attempts)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q\nwant      %q", got, tt.want)
		}
	}
	out := (&OutcomeUnknownError{Method: "POST", Endpoint: "Customer/Send", Err: transport}).Error()
	for _, part := range []string{"POST Customer/Send", "outcome unknown", "connection reset by peer"} {
		if !strings.Contains(out, part) {
			t.Errorf("OutcomeUnknownError.Error() = %q, want it to hold %q", out, part)
		}
	}
}

func TestBadBase64(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/Jobs/PDF", reply(`{"pdfData": "not base64!"}`))
	_, err := c.Jobs.PDF(context.Background(), ByNum("1"))
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "pdfData") {
		t.Errorf("error = %v, want an *Error naming pdfData", err)
	}
	urlSafe := Photo{ImageData: base64.RawURLEncoding.EncodeToString([]byte{0xfb, 0xff, 0xfe})}
	if b, err := urlSafe.Bytes(); err != nil || string(b) != "\xfb\xff\xfe" {
		t.Errorf("URL-safe unpadded base64: %q, %v", b, err)
	}
}

// SetQuantities sends "serials": [] for parts without serials and leaves the
// caller's slices alone; errors name the depot entry holding the reference.
func TestSetQuantitiesKeepsCallerSlices(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("PUT /Api/v2/Inventory/Quantities", func(w http.ResponseWriter, r *http.Request) {
		testBody(t, r, `[{"depot":"stock","parts":[{"reference":"A","quantity":1,"serials":[]}]},
			{"depot":"stock","parts":[{"reference":"B","quantity":2,"serials":[]}]}]`)
		answer(w, 200, `{"code":0,"errors":[{"depot":"stock","reference":"B","quantity":"2","message":"unknown part"}]}`)
	})
	in := []DepotQuantities{
		{Depot: "stock", Parts: []PartQuantity{{Reference: "A", Quantity: NewNumber(1)}}},
		{Depot: "stock", Parts: []PartQuantity{{Reference: "B", Quantity: NewNumber(2)}}},
	}
	err := c.Inventory.SetQuantities(context.Background(), in)
	var e *Error
	if !errors.As(err, &e) || len(e.Items) != 1 || e.Items[0].Index != 1 {
		t.Fatalf("err = %#v, want one item naming entry 1", err)
	}
	if in[0].Parts[0].Serials != nil {
		t.Errorf("the caller's Serials were changed to %#v", in[0].Parts[0].Serials)
	}
}
