package pipeline

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/readers"
)

// These tests run every example mapping of mappings/ over its sample of
// samples/ as an import would before sending anything, and document what
// each sample holds: which rows are bad and why (samples/README.md tells
// the same), which rows a where: filter leaves out, and which rows an
// import of several mapping files together skips because their parent row
// is bad.

// exampleRun is what building every row of an example's source gives.
type exampleRun struct {
	m        *Mapping
	header   []string
	bad      map[int]string   // row number → the reader's or Build's error
	badCells map[int][]string // the cells of the bad rows the reader could read
	filtered []int            // rows the where: filter left out
	good     map[int]Payload  // row number → payload
	order    []int            // good rows in file order
}

// runExample loads a mapping of mappings/, opens its source (or input, when
// given) and builds every row.
func runExample(t *testing.T, mapping, input string) *exampleRun {
	t.Helper()
	m, err := Load(mapping)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if input == "" {
		input = m.Source
	}
	src, err := readers.Open(input, m.CSV, m.XLSX)
	if err != nil {
		t.Fatalf("open the source: %v", err)
	}
	defer src.Close()
	if err := m.Bind(input, src.Header()); err != nil {
		t.Fatalf("Bind: %v", err)
	}
	if err := m.openFiles(input); err != nil {
		t.Fatalf("files: %v", err)
	}
	defer m.closeFiles()
	r := &exampleRun{m: m, header: src.Header(), bad: map[int]string{}, badCells: map[int][]string{}, good: map[int]Payload{}}
	for {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *readers.RowError
			if !errors.As(err, &re) {
				t.Fatalf("Next: %v", err)
			}
			r.bad[re.Row] = re.Error()
			continue
		}
		ok, err := m.Match(row)
		if err != nil {
			r.bad[row.Num] = "where: " + err.Error()
			r.badCells[row.Num] = slices.Clone(row.Cells)
			continue
		}
		if !ok {
			r.filtered = append(r.filtered, row.Num)
			continue
		}
		p, err := m.Build(row)
		if err == nil && m.Entity.Prepare != nil {
			err = m.Entity.Prepare(p)
		}
		if err != nil {
			r.bad[row.Num] = err.Error()
			r.badCells[row.Num] = slices.Clone(row.Cells)
			continue
		}
		r.good[row.Num] = p
		r.order = append(r.order, row.Num)
	}
	return r
}

// exampleWant is what a sample is expected to give.
type exampleWant struct {
	mapping  string
	entity   string
	bad      map[int]string // row → a phrase of its error
	filtered []int
	good     int
	spot     map[int]string // row → its payload as JSON, for a few rows
}

var exampleWants = []exampleWant{
	{
		mapping: "customers.yaml", entity: "customer",
		bad: map[int]string{
			8:  `contactEmail (column Email): email: "ventas@ferreteria-nunez" has no domain name after @`,
			13: `name (column Name): required: value is empty`,
			16: `customers.csv:16: 19 fields, but the header has 18`,
		},
		good: 21,
		spot: map[int]string{
			14: `{"address":"1420 Main Street, Suite 200, Waynesboro, VA 22980","addressComplement":"Suite 200","adressCity":"Waynesboro",` +
				`"adressCountry":"United States","adressProvince":"VA","adressStreet":"1420 Main Street","adressZIP":"22980",` +
				`"contactEmail":"frontdesk@blueridgedental.example","contactFirstName":"Sarah","contactName":"O'Connor","contactPhone":"(540) 555-0134",` +
				`"customFieldValues":[{"name":"Sector","value":"Health"},{"name":"Contract","value":"Standard"},{"name":"Customer since","value":"2022-08-15"}],` +
				`"myId":"CLI-013","name":"Blue Ridge Dental Care","position":{"latitude":38.0685,"longitude":-78.8895},"tags":["dental"]}`,
		},
	},
	{
		mapping: "customers-legacy.yaml", entity: "customer",
		bad: map[int]string{
			9:  `adressCountry (column CODE_PAYS): map: "DE" is not in the table`,
			12: `name (column RAISON_SOCIALE): required: value is empty`,
			17: `customFieldValues.Customer since (column DATE_CREATION): date: "29/02/2023" does not match "dd/MM/yyyy"`,
		},
		filtered: []int{5, 15},
		good:     14,
		spot: map[int]string{
			2: `{"address":"3 rue Mercière, 69002 Lyon","adressCity":"Lyon","adressCountry":"France","adressProvince":"Rhône",` +
				`"adressStreet":"3 rue Mercière","adressZIP":"69002","contactEmail":"contact@boulangerie-dupre.example",` +
				`"contactFirstName":"Élodie","contactName":"Dupré","contactPhone":"+33 4 78 42 10 11",` +
				`"customFieldValues":[{"name":"Sector","value":"Alimentation"},{"name":"Contract","value":"Standard"},{"name":"Customer since","value":"2012-03-05"}],` +
				`"myId":"CLI-001","name":"Boulangerie Dupré","position":{"latitude":45.764,"longitude":4.8357},"tags":["boulangerie","froid"]}`,
		},
	},
	{
		mapping: "sites.yaml", entity: "site",
		bad: map[int]string{
			12: `name (column SiteName): required: value is empty`,
			20: `position.latitude (column Latitude): number: "37.39.17" is not a number`,
		},
		good: 23,
		spot: map[int]string{
			17: `{"address":"1200 N State St, Chicago, IL 60610","adressCity":"Chicago","adressCountry":"United States","adressProvince":"IL",` +
				`"adressStreet":"1200 N State St","adressZIP":"60610","contactPhone":"(312) 555-0189","customFieldValues":[{"name":"Access code","value":"0042#"}],` +
				`"customerMyId":"CLI-014","myId":"S-016","name":"Lakeside – Store #2","position":{"latitude":41.9036,"longitude":-87.6281},"tags":["laundry"]}`,
		},
	},
	{
		mapping: "equipment.yaml", entity: "equipment",
		bad: map[int]string{
			10: `customFieldValues.Install date (column InstallDate): date: "31/04/2020" does not match "dd/MM/yyyy" (April 2020 has no day 31)`,
			14: `name (column Name): required: value is empty`,
		},
		good: 24,
		spot: map[int]string{
			5: `{"customFieldValues":[{"name":"Equipment Serial Number","value":"RON-5541"},{"name":"Install date","value":"05/01/2017"}],` +
				`"customerMyId":"CLI-002","myId":"EQP-004","name":"Laminoir Rondo","siteMyId":"S-003","tags":["pâtisserie"]}`,
			8: `{"customFieldValues":[{"name":"Equipment Serial Number","value":"WH-PT-M-4410"}],` +
				`"customerMyId":"CLI-003","myId":"EQP-007","name":"Lave-vaisselle Winterhalter","siteMyId":"S-005","tags":["cuisine"]}`,
		},
	},
	{
		mapping: "equipment-by-site.yaml", entity: "equipment",
		bad: map[int]string{
			5: `customerMyId (lookup SiteCode=S-099 in sites.csv): not found`,
			6: `customerMyId (lookup SiteCode="" in sites.csv): required: value is empty`,
		},
		good: 6,
		spot: map[int]string{
			3: `{"customFieldValues":[{"name":"Equipment Serial Number","value":"IRX-MF25-330"}],` +
				`"customerMyId":"CLI-002","myId":"EQP-102","name":"Cellule de refroidissement Irinox","siteMyId":"S-003"}`,
			9: `{"customFieldValues":[{"name":"Equipment Serial Number","value":"MAH-PB-2020"}],` +
				`"customerMyId":"CUST-FR-001","myId":"EQP-108","name":"Pétrin à bras Mahot","siteMyId":"S-022"}`,
		},
	},
	{
		mapping: "parts.yaml", entity: "part",
		bad: map[int]string{
			8:  `price (column Prix HT): number: "12,3,4" is not a number`,
			11: `name (column Désignation): required: value is empty`,
			14: `tracked (column Suivi stock): bool: "parfois" is not a yes/no value`,
		},
		filtered: []int{16, 21},
		good:     15,
		spot: map[int]string{
			2:  `{"categoryName":"Ventilation","minQuantity":1,"name":"Ventilateur EC Ø250 mm","price":1234.5,"reference":"VENT-EC-250","serializable":false,"tracked":true}`,
			4:  `{"categoryName":"Climatisation","minQuantity":1,"name":"Compresseur Copeland","price":712.4,"reference":"KAAQ3104A","serializable":false,"tracked":true}`,
			13: `{"categoryName":"Plomberie","minQuantity":20,"name":"Nœud de raccordement cuivre 15 mm","price":3.75,"reference":"NOEUD-RAC-15","tracked":true}`,
		},
	},
	{
		mapping: "part-prices.yaml", entity: "part_price",
		bad: map[int]string{
			11: `price (column PRIX_HT): number: "12,3,4" is not a number`,
			12: `reference (column CODE_ARTICLE): required: value is empty`,
			14: `price (column PRIX_HT): min 0: value -149 is less than 0`,
			18: `part-prices.csv:18: bare " in non-quoted-field`,
		},
		good: 18,
		spot: map[int]string{
			6: `{"price":1249,"reference":"VENT-EC-250"}`,
			8: `{"price":12.9,"reference":"FILT-DESH-12"}`,
		},
	},
	{
		mapping: "inventory.yaml", entity: "inventory",
		bad: map[int]string{
			20: `quantity (column QUANTITE): number: "12,3,4" is not a number`,
			23: `depot (column DEPOT): required: value is empty`,
		},
		good: 28,
		spot: map[int]string{
			5:  `{"depot":"stock","quantity":1,"reference":"refHi001","serials":["SN-HI-24001"]}`,
			8:  `{"depot":"stock","quantity":7.5,"reference":"GAZ-R32"}`,
			17: `{"depot":"Entrepôt Lyon","quantity":1,"reference":"refHi001","serials":["SN-HI-24010"]}`,
		},
	},
	{
		mapping: "users.yaml", entity: "user",
		bad: map[int]string{
			8:  `email (column Email): email: "lea.tessier@@climexpress.example" is not a valid address`,
			9:  `profile (column Profile): one_of: "technicien" is not one of "technician", "administrator", "manager" (did you mean "technician"?)`,
			12: `lastName (column LastName): required: value is empty`,
		},
		good: 14,
		spot: map[int]string{
			5: `{"email":"hans.muller@climexpress.example","firstName":"Hans","groups":["Équipe Est"],"language":"FR","lastName":"Müller",` +
				`"login":"hmuller","phone":"+33 6 70 80 90 10","profile":"technician","skilledTrades":["electrician","heating"],` +
				`"startLocation":{"fullAdress":"12 place Kléber, 67000 Strasbourg, France"}}`,
			15: `{"email":"pierre.beaumont@climexpress.example","firstName":"Pierre","groups":["Équipe Sud"],"language":"FR","lastName":"Beaumont",` +
				`"login":"pbeaumont","phone":"+33 6 66 77 88 99","profile":"technician","skilledTrades":["plumber","heating"],` +
				`"startLocation":{"fullAdress":"3 La Canebière, 13001 Marseille, France"}}`,
		},
	},
	{
		mapping: "activity-types.yaml", entity: "activity_type",
		bad: map[int]string{
			10: `color (column Couleur): regex: "VERT": a colour is 6 hexadecimal digits`,
			11: `hasConflit (column Conflit): bool: "peut-être" is not a yes/no value`,
			12: `name (column Nom): required: value is empty`,
		},
		good: 13,
		spot: map[int]string{
			3:  `{"color":"E74C3C","hasConflit":true,"name":"Maladie"}`,
			5:  `{"color":"3498DB","hasConflit":false,"name":"Formation sécurité"}`,
			15: `{"color":"D35400","name":"Entretien véhicule"}`,
		},
	},
	{
		mapping: "attachments.yaml", entity: "attachment",
		bad: map[int]string{
			6:  `file (column File): "photos/missing.jpg" is not in`,
			7:  `file (column File): "photos/empty.png" is empty`,
			8:  `file (column File): "../../README.md" is outside the folder of the files`,
			9:  `file (column File): "notes/site-access.txt": .txt files are not sent`,
			10: `an attachment goes to a job or to a customer, not both`,
			12: `file (column File): "photos/not-a-photo.jpg" is not a JPG file: its content is text/plain`,
		},
		good: 5,
		spot: map[int]string{
			3: `{"file":{"path":"reports/visit-13425.pdf","size":598,"sha256":"b482c5a03b3451a4245bf79439c171350efcfda2044564e3d280c16d2798802c"},` +
				`"fileName":"Visit report","job":{"myId":"ref-job13425"}}`,
			4: `{"customer":{"myId":"CUST-FR-001"},"file":{"path":"contracts/contract-2026.pdf","size":600,` +
				`"sha256":"d519888c0fc861ef907823692b35f98b07a66f1b8b809e4b71f036ed4988626e"},"fileName":"Maintenance contract 2026"}`,
		},
	},
}

func examplePath(name string) string { return filepath.Join("..", "mappings", name) }

// exampleFiles returns the example mapping files of mappings/: the import
// ones, or the export ones.
func exampleFiles(export bool) ([]string, error) {
	files, err := filepath.Glob(examplePath("*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if IsExport(b) == export {
			out = append(out, f)
		}
	}
	return out, nil
}

func payloadJSON(t *testing.T, p Payload) string {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExampleMappings(t *testing.T) {
	t.Parallel()
	// Every mapping of mappings/ has its expectations here.
	files, err := exampleFiles(false)
	if err != nil {
		t.Fatal(err)
	}
	var names, covered []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	for _, w := range exampleWants {
		covered = append(covered, w.mapping)
	}
	slices.Sort(covered)
	if diff := cmp.Diff(names, covered); diff != "" {
		t.Errorf("mappings/ and the expectations differ (-files +expected):\n%s", diff)
	}

	for _, w := range exampleWants {
		t.Run(w.mapping, func(t *testing.T) {
			t.Parallel()
			r := runExample(t, examplePath(w.mapping), "")
			if r.m.Entity.Name != w.entity {
				t.Errorf("entity = %s, want %s", r.m.Entity.Name, w.entity)
			}
			if want := filepath.Join("..", "samples"); !strings.HasPrefix(filepath.Dir(r.m.Source), want) {
				t.Errorf("source = %s, want a file of %s", r.m.Source, want)
			}
			checkOutcomes(t, r, w.bad, w.filtered, w.good)
			for row, want := range w.spot {
				p, ok := r.good[row]
				if !ok {
					t.Errorf("row %d: no payload", row)
					continue
				}
				if got := payloadJSON(t, p); got != want {
					t.Errorf("row %d payload\n got %s\nwant %s", row, got, want)
				}
			}
			for _, n := range r.order {
				if len(r.m.Entity.Keys) > 0 && !r.m.Entity.Keyed(r.good[n]) {
					t.Errorf("row %d: payload without an upsert key: %v", n, r.good[n])
				}
			}
		})
	}
}

func checkOutcomes(t *testing.T, r *exampleRun, bad map[int]string, filtered []int, good int) {
	t.Helper()
	for row, msg := range r.bad {
		want, ok := bad[row]
		if !ok {
			t.Errorf("row %d is bad, unexpectedly: %s", row, msg)
		} else if !strings.Contains(msg, want) {
			t.Errorf("row %d error\n got %s\nwant …%s…", row, msg, want)
		}
	}
	for row, want := range bad {
		if _, ok := r.bad[row]; !ok {
			t.Errorf("row %d should be bad (%s), but it built", row, want)
		}
	}
	if !slices.Equal(r.filtered, filtered) {
		t.Errorf("filtered rows = %v, want %v", r.filtered, filtered)
	}
	if len(r.good) != good {
		t.Errorf("%d good rows, want %d", len(r.good), good)
	}
}

// The cp1252 legacy export and the UTF-8 CSV hold the same customers, each
// written its own way: the rows they share must become the same payloads.
func TestLegacyCustomersMatchCSV(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "samples", "customers-legacy.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\xe9") || strings.Contains(string(data), "é") || !strings.Contains(string(data), "\x9c") {
		t.Error("customers-legacy.csv should be windows-1252 (é as 0xE9, œ as 0x9C), not UTF-8")
	}
	legacy := runExample(t, examplePath("customers-legacy.yaml"), "")
	utf8 := runExample(t, examplePath("customers.yaml"), "")
	byID := map[string]Payload{}
	for _, p := range utf8.good {
		byID[p["myId"].(string)] = p
	}
	shared := 0
	for _, n := range legacy.order {
		p := legacy.good[n]
		q, ok := byID[p["myId"].(string)]
		if !ok {
			t.Errorf("legacy row %d: %v is not among the good rows of customers.csv", n, p["myId"])
			continue
		}
		shared++
		if got, want := payloadJSON(t, p), payloadJSON(t, q); got != want {
			t.Errorf("legacy row %d (%v):\nlegacy %s\n   csv %s", n, p["myId"], got, want)
		}
	}
	if shared != 14 {
		t.Errorf("%d shared customers, want 14", shared)
	}
}

// customers.xlsx holds customers.csv as a workbook (ZIP codes as text,
// coordinates as numbers, dates as date cells): with the same mapping, the
// same rows are bad and the others give the same payloads.
func TestCustomersWorkbookMatchesCSV(t *testing.T) {
	t.Parallel()
	csvRun := runExample(t, examplePath("customers.yaml"), "")
	xlsxRun := runExample(t, examplePath("customers.yaml"), filepath.Join("..", "samples", "customers.xlsx"))
	checkOutcomes(t, xlsxRun, map[int]string{
		8:  `contactEmail (column Email): email:`,
		13: `name (column Name): required`,
		16: `customers.xlsx:16: column S: cell S16 holds "4.8433" but column S has no name in the header`,
	}, nil, 21)
	if !slices.Equal(csvRun.order, xlsxRun.order) {
		t.Fatalf("good rows: csv %v, xlsx %v", csvRun.order, xlsxRun.order)
	}
	for _, n := range csvRun.order {
		if got, want := payloadJSON(t, xlsxRun.good[n]), payloadJSON(t, csvRun.good[n]); got != want {
			t.Errorf("row %d:\nxlsx %s\n csv %s", n, got, want)
		}
	}
}

// demoParts are the part references of the sandbox's demo data
// (sandbox/demo.go) that the samples use.
var demoParts = []string{"p11", "458", "KAAQ3104A", "refHi001", "JT-20", "GAZ-R32", "THERM-PRG-01", "VAN-3V-HW", "DISJ-16A", "CAP-45-5", "BOMBA-COND"}

// A run of several mapping files imports parents first and skips a row
// whose parent row (named by myId or reference) was rejected or skipped in
// the same run. This test follows the samples' references: every child
// names a parent that is in its parent sample (or in the sandbox's demo
// data), equipment sits at a site of its own customer, and the rows that
// name a bad parent are exactly the ones samples/README.md lists as
// skipped.
func TestExampleSamplesReferenceEachOther(t *testing.T) {
	t.Parallel()
	customers := runExample(t, examplePath("customers.yaml"), "")
	sites := runExample(t, examplePath("sites.yaml"), "")
	equipment := runExample(t, examplePath("equipment.yaml"), "")
	parts := runExample(t, examplePath("parts.yaml"), "")
	prices := runExample(t, examplePath("part-prices.yaml"), "")
	inventory := runExample(t, examplePath("inventory.yaml"), "")

	// The keys of good rows, and of bad rows whose key could be read (a
	// row the reader rejects has none: its children are not skipped).
	keys := func(r *exampleRun, field string) (good map[string]int, bad map[string]bool) {
		good, bad = map[string]int{}, map[string]bool{}
		for n, p := range r.good {
			good[p[field].(string)] = n
		}
		var col string
		for _, f := range r.m.Fields {
			if f.Target.Name == field {
				col = f.Column
			}
		}
		i := columnIndex(r.header, col)
		for _, cells := range r.badCells {
			if k := strings.TrimSpace(cells[i]); k != "" {
				bad[k] = true
			}
		}
		return good, bad
	}
	goodCustomers, badCustomers := keys(customers, "myId")
	goodSites, badSites := keys(sites, "myId")
	goodParts, badParts := keys(parts, "reference")
	goodCustomers["CUST-FR-001"] = -1 // in the demo data
	for _, ref := range demoParts {
		goodParts[ref] = -1
	}
	if want := map[string]bool{"CLI-007": true, "CLI-012": true}; !cmp.Equal(badCustomers, want) {
		t.Errorf("customers whose rows are bad (CLI-015 is unreadable: no key) = %v, want %v", badCustomers, want)
	}

	// skipped returns the good rows of a child naming a bad parent, and
	// fails on a name found nowhere.
	skipped := func(r *exampleRun, field string, good map[string]int, bad map[string]bool) []int {
		var out []int
		for _, n := range r.order {
			v, _ := r.good[n][field].(string)
			switch {
			case v == "":
			case bad[v]:
				out = append(out, n)
			case good[v] == 0:
				t.Errorf("%s row %d: %s %q is in no sample and not in the demo data", filepath.Base(r.m.Source), n, field, v)
			}
		}
		return out
	}
	siteSkips := skipped(sites, "customerMyId", goodCustomers, badCustomers)
	if want := []int{10, 15}; !slices.Equal(siteSkips, want) {
		t.Errorf("sites skipped for their customer: rows %v, want %v", siteSkips, want)
	}
	// A skipped site is a bad parent for its equipment too.
	for _, n := range siteSkips {
		badSites[sites.good[n]["myId"].(string)] = true
	}
	eqSkips := skipped(equipment, "customerMyId", goodCustomers, badCustomers)
	eqSkips = append(eqSkips, skipped(equipment, "siteMyId", goodSites, badSites)...)
	slices.Sort(eqSkips)
	eqSkips = slices.Compact(eqSkips)
	if want := []int{12, 20, 27}; !slices.Equal(eqSkips, want) {
		t.Errorf("equipment skipped for its customer or site: rows %v, want %v", eqSkips, want)
	}
	for _, n := range equipment.order {
		p := equipment.good[n]
		site, ok := goodSites[p["siteMyId"].(string)]
		if ok && sites.good[site]["customerMyId"] != p["customerMyId"] {
			t.Errorf("equipment row %d: site %v belongs to %v, not %v", n, p["siteMyId"], sites.good[site]["customerMyId"], p["customerMyId"])
		}
	}

	if want := []int{8, 20, 21}; !slices.Equal(skipped(prices, "reference", goodParts, badParts), want) {
		t.Errorf("prices skipped for their part: rows %v, want %v", skipped(prices, "reference", goodParts, badParts), want)
	}
	if want := []int{16, 29}; !slices.Equal(skipped(inventory, "reference", goodParts, badParts), want) {
		t.Errorf("stock levels skipped for their part: rows %v, want %v", skipped(inventory, "reference", goodParts, badParts), want)
	}
}

// Stock rows are gathered per depot and reference within one batch only:
// the serial rows of one part in one depot must fall in the same batch of
// inventory.yaml, or the part's quantity would be sent twice, the second
// replacing the first.
func TestInventorySerialsFitInOneBatch(t *testing.T) {
	t.Parallel()
	r := runExample(t, examplePath("inventory.yaml"), "")
	batchOf := map[[2]string]int{}
	serials := map[[2]string]int{}
	for i, n := range r.order {
		p := r.good[n]
		k := [2]string{p["depot"].(string), p["reference"].(string)}
		b := i / r.m.BatchSize
		if prev, ok := batchOf[k]; ok && prev != b {
			t.Errorf("row %d: %v spans batches %d and %d", n, k, prev, b)
		}
		batchOf[k] = b
		if s, ok := p["serials"].([]string); ok {
			serials[k] += len(s)
		}
	}
	want := map[[2]string]int{
		{"stock", "refHi001"}: 3, {"stock4", "ZR48-KCE"}: 2, {"Entrepôt Lyon", "refHi001"}: 2, {"Almacén Madrid", "ZR48-KCE"}: 1,
	}
	if diff := cmp.Diff(want, serials); diff != "" {
		t.Errorf("serials per depot and part (-want +got):\n%s", diff)
	}
}
