package htmlreport

import (
	"fmt"
	"time"
)

// sample is a report of an import of two mappings, with errors, 429s
// and rate cuts: the report of the golden file and of the browser test.
func sample() Report {
	quota := int64(48211)
	tl := Timeline{Step: time.Second, Requests: make([]int, 150), Limited: make([]int, 150)}
	for i := range tl.Requests {
		tl.Requests[i] = 5
		if i >= 40 && i < 46 {
			tl.Requests[i] = 7
		}
		if i >= 46 && i < 90 {
			tl.Requests[i] = 3
		}
	}
	tl.Limited[41], tl.Limited[42], tl.Limited[44] = 2, 1, 1
	tl.Cuts = []Cut{{At: 41200 * time.Millisecond, Rate: 3.5}, {At: 44100 * time.Millisecond, Rate: 2.45}}

	customers := []RowError{
		{Row: 8, Key: "FILT-DESH-12", Reason: `price (column Prix HT): number: "12,3,4" is not a number`},
		{Row: 11, Key: "THERM-ZOE", Reason: `name (column Désignation): required: value is empty`},
		{Row: 14, Key: "PAC-SEN-09", Reason: `price (column Prix HT): number: "x" is not a number`},
		{Row: 19, Key: "PAC-SEN-10", Reason: `price (column Prix HT): number: "1.2.3" is not a number`},
		{Row: 23, Key: "", Reason: `name (column Désignation): required: value is empty`},
	}
	return Report{
		Title:       "stbulk import: customers and sites",
		Kind:        "import",
		Started:     time.Date(2026, 3, 2, 8, 15, 4, 0, time.UTC),
		Duration:    150*time.Second + 300*time.Millisecond,
		Quota:       &quota,
		Requests:    674,
		Retries:     4,
		RateLimited: 4,
		RateCuts:    2,
		LowestRate:  2.45,
		Mappings: []Mapping{
			{
				Name: "customers.yaml", Entity: "customer", Input: "samples/customers.csv",
				Outcomes: []Outcome{
					{Label: "sent", Count: 412}, {Label: "filtered", Count: 9}, {Label: "duplicates", Count: 2},
					{Label: "unchanged", Count: 120}, {Label: "rejected", Count: 5}, {Label: "failed", Count: 1},
					{Label: "skipped", Count: 0},
				},
				ErrorGroups: GroupReasons(append(customers, RowError{Row: 31, Key: "CLI-031",
					Reason: `API 400: the customer's myId "CLI-031" is already used`}), 0),
				Files: []string{"customers/errors.csv", "customers/filtered.csv", "customers/success.csv"},
			},
			{
				Name: "sites.yaml", Entity: "site", Input: "samples/sites.xlsx",
				Outcomes: []Outcome{
					{Label: "sent", Count: 88}, {Label: "filtered", Count: 0}, {Label: "rejected", Count: 0},
					{Label: "failed", Count: 0}, {Label: "skipped", Count: 3},
				},
				ErrorGroups: []Group{{Reason: "its parent row failed", First: "its parent row failed", Count: 3,
					Examples: []Example{{Row: 4, Key: "S-4"}, {Row: 5, Key: "S-5"}, {Row: 9, Key: "S-9"}}}},
				Files: []string{"sites/errors.xlsx", "sites/success.csv"},
			},
		},
		Timeline: tl,
	}
}

// manyGroups returns n error groups of 2 rows each.
func manyGroups(n int) []Group {
	gs := make([]Group, n)
	for i := range gs {
		gs[i] = Group{Reason: fmt.Sprintf("reason %d", i+1), First: fmt.Sprintf("reason %d", i+1), Count: 2,
			Examples: []Example{{Row: 2*i + 2, Key: "K"}, {Row: 2*i + 3, Key: "L"}}}
	}
	return gs
}
