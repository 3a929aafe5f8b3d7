package sandbox

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// demoBase is the fixed "today" of the demo data: every demo date is relative
// to it, so the data set is the same whenever it is loaded.
var demoBase = time.Date(2024, time.March, 4, 8, 0, 0, 0, time.UTC)

// demoDay returns the demo base shifted by days, at hour:minute.
func demoDay(days, hour, minute int) time.Time {
	d := demoBase.AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, time.UTC)
}

// loadDemo fills st with a field-service company working in France, Spain
// and the United States. Everything is derived from seed and demoBase.
func loadDemo(st *state, seed int64) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0xde40))
	d := &demo{st: st, rng: rng}
	d.customFields()
	d.users()
	d.customers()
	d.parts()
	d.stock()
	d.activities()
	d.blocks()
	d.jobs()
	d.invoices()
	d.attachments()
}

type demo struct {
	st  *state
	rng *rand.Rand
}

func (d *demo) pick(list []string) string { return list[d.rng.IntN(len(list))] }

func (d *demo) customFields() {
	for _, f := range []customField{
		{2, "equipment", "Equipment Serial Number"},
		{88, "user", "Sector"},
		{89, "user", "Badge"},
		{182, "job", "sector"},
		{183, "job", "Code breakdown"},
		{184, "job", "Serial Number"},
		{185, "job", "city"},
		{190, "customer", "Sector"},
		{191, "customer", "Contract"},
		{192, "site", "Access code"},
		{193, "equipment", "Install date"},
		{194, "customer", "Customer since"},
	} {
		f := f
		d.st.CustomFields[f.ID] = &f
	}
	d.st.Seq["customField"] = 199
}

type demoUser struct {
	id                      int64
	login, first, last      string
	profile, lang, email    string
	phone, sector, location string
	groups, trades          []string
}

var demoUsers = []demoUser{
	{265, "npinault", "Nicolas", "Pinault", "administrator", "FR", "nicolas.pinault@climexpress.example", "+33 4 72 10 20 30", "Direction", "12 rue de la République, 69002 Lyon, France", []string{"Équipe Lyon"}, nil},
	{266, "jdupont", "Jérôme", "Dupont", "technician", "FR", "jerome.dupont@climexpress.example", "+33 6 12 34 56 78", "Rhône", "5 quai Saint-Antoine, 69002 Lyon, France", []string{"Équipe Lyon", "group1"}, []string{"plumber", "heating"}},
	{268, "Bill", "corger", "Bill", "technician", "EN", "bill@climexpress.example", "(719) 388-1966", "Virginia", "6605 Fisher Avenue, Falls Church, VA 22046, United States", []string{"US East"}, []string{"electrician"}},
	{1551, "techtest", "Théo", "Lambert", "technician", "FR", "theo.lambert@climexpress.example", "+33 6 98 76 54 32", "Bouches-du-Rhône", "3 La Canebière, 13001 Marseille, France", []string{"Équipe Sud", "group1"}, []string{"plumber", "air conditioning"}},
	{1552, "steven", "Steven", "O'Brien", "technician", "EN", "steven.obrien@climexpress.example", "+1 212 555 0147", "New York", "411 Pearl St, New York, NY 10038, États-Unis", []string{"US East", "group5"}, []string{"electrician", "air conditioning"}},
	{1553, "ann", "Ann", "Kowalski", "technician", "EN", "ann.kowalski@climexpress.example", "+1 512 555 0199", "Texas", "600 Congress Ave, Austin, TX 78701, United States", []string{"US South"}, []string{"plumber"}},
	{1554, "mgarcia", "María José", "García Núñez", "technician", "ES", "mariajose.garcia@climexpress.example", "+34 612 345 678", "Madrid", "Calle de Alcalá 45, 28014 Madrid, España", []string{"Equipo Madrid", "group1"}, []string{"plumber", "electrician", "heating"}},
	{1555, "iordonez", "Iñaki", "Ordóñez", "technician", "ES", "inaki.ordonez@climexpress.example", "+34 688 123 456", "País Vasco", "Gran Vía 12, 48001 Bilbao, España", []string{"Equipo Norte"}, []string{"air conditioning"}},
	{1556, "lmartin", "Léa", "Martin", "manager", "FR", "lea.martin@climexpress.example", "+33 1 42 00 11 22", "Île-de-France", "8 rue de Rivoli, 75004 Paris, France", []string{"Équipe Paris"}, nil},
	{54022, "login_user", "John", "Doe", "technician", "EN", "djohn@gmail.com", "(719) 388-1966", "OD 89874 sector", "411 Pearl St, New York, NY 10038, États-Unis", []string{"group1", "group5"}, []string{"plumber", "electrician"}},
}

func (d *demo) users() {
	st := d.st
	for _, du := range demoUsers {
		u := &user{
			ID: du.id, FirstName: du.first, LastName: du.last, Login: du.login, Password: "demo",
			Language: du.lang, Email: du.email, Phone: du.phone, Profile: du.profile,
			SkilledTrades: du.trades, Fields: map[int64]string{88: du.sector, 89: fmt.Sprintf("B-%04d", du.id%10000)},
			Modified: demoDay(-90, 9, 0),
		}
		if g := geocode(address{Address: du.location}); g != nil {
			u.Start = &startLocation{FullAddress: du.location, Latitude: g.Lat, Longitude: g.Lng}
		} else {
			u.Start = &startLocation{FullAddress: du.location}
		}
		for _, g := range du.groups {
			u.Groups = append(u.Groups, st.groupID(g))
		}
		st.Users[u.ID] = u
	}
	st.Seq["user"] = 54022
}

// technicians lists the demo users who go on jobs.
func (d *demo) technicians() []int64 {
	var out []int64
	for _, du := range demoUsers {
		if du.profile == "technician" {
			out = append(out, du.id)
		}
	}
	return out
}

type demoCustomer struct {
	name, myID, street, zip, city, province, country string
	contactFirst, contactName, phone, email, sector  string
	tags                                             []string
	sites                                            []demoSite
}

type demoSite struct {
	name, street, zip, city string
	equipment               []string
}

var demoCustomers = []demoCustomer{
	{"Boulangerie Pâtisserie Lefèvre", "CUST-FR-001", "14 rue Mercière", "69002", "Lyon", "Rhône", "France", "Amélie", "Lefèvre", "+33 4 78 42 10 11", "contact@boulangerie-lefevre.example", "Alimentation", []string{"boulangerie", "froid"},
		[]demoSite{{"Fournil Mercière", "14 rue Mercière", "69002", "Lyon", []string{"Four à sole Bongard Cervap", "Chambre froide positive"}}, {"Boutique Croix-Rousse", "3 place de la Croix-Rousse", "69004", "Lyon", []string{"Vitrine réfrigérée"}}}},
	{"Hôtel Le Méridien Bellecour", "CUST-FR-002", "20 place Bellecour", "69002", "Lyon", "Rhône", "France", "François", "Garnier", "+33 4 72 77 00 00", "technique@hotel-bellecour.example", "Hôtellerie", []string{"hotel", "restaurant"},
		[]demoSite{{"Bâtiment principal", "20 place Bellecour", "69002", "Lyon", []string{"Chaudière Viessmann Vitodens 200", "CTA toiture Carrier"}}}},
	{"Café de l'Opéra", "CUST-FR-003", "1 place de l'Opéra", "75009", "Paris", "Île-de-France", "France", "Hélène", "Moreau", "+33 1 40 07 00 01", "gerance@cafe-opera.example", "Restauration", []string{"restaurant"},
		[]demoSite{{"Salle et cuisine", "1 place de l'Opéra", "75009", "Paris", []string{"Machine à glaçons Hoshizaki", "Climatiseur Daikin FTXM35"}}}},
	{"Clinique Saint-Éloi", "CUST-FR-004", "42 boulevard Longchamp", "13001", "Marseille", "Bouches-du-Rhône", "France", "Benoît", "Roux", "+33 4 91 00 42 42", "maintenance@clinique-st-eloi.example", "Santé", []string{"santé", "contrat"},
		[]demoSite{{"Bloc opératoire", "42 boulevard Longchamp", "13001", "Marseille", []string{"Groupe froid Trane", "Onduleur APC 10 kVA"}}, {"Annexe Prado", "180 avenue du Prado", "13008", "Marseille", []string{"Pompe à chaleur Atlantic"}}}},
	{"Château Belle-Rive", "CUST-FR-005", "Route des Châteaux", "33250", "Bordeaux", "Gironde", "France", "Côme", "de Lagarde", "+33 5 56 00 33 33", "chai@belle-rive.example", "Viticulture", []string{"chai"},
		[]demoSite{{"Chai à barriques", "Route des Châteaux", "33250", "Bordeaux", []string{"Climatisation chai Lennox"}}}},
	{"Crêperie Ker Maëlle", "CUST-FR-006", "7 rue Kervégan", "44000", "Nantes", "Loire-Atlantique", "France", "Maëlle", "Le Goff", "+33 2 40 00 66 66", "kermaelle@creperie.example", "Restauration", []string{"restaurant", "crêperie"},
		[]demoSite{{"Crêperie", "7 rue Kervégan", "44000", "Nantes", []string{"Hotte Franke"}}}},
	{"Panadería La Española", "CUST-ES-001", "Calle Mayor 10", "28013", "Madrid", "Madrid", "España", "José", "Fernández", "+34 915 000 101", "pedidos@laespanola.example", "Alimentación", []string{"panadería"},
		[]demoSite{{"Obrador Mayor", "Calle Mayor 10", "28013", "Madrid", []string{"Horno Salva Kwik-Co", "Cámara frigorífica Infrico"}}, {"Tienda Chamberí", "Calle de Fuencarral 120", "28010", "Madrid", []string{"Vitrina refrigerada"}}}},
	{"Clínica Dental Núñez", "CUST-ES-002", "Avenida de la Constitución 21", "41001", "Sevilla", "Andalucía", "España", "Begoña", "Núñez", "+34 954 000 202", "recepcion@dentalnunez.example", "Salud", []string{"salud"},
		[]demoSite{{"Consulta Centro", "Avenida de la Constitución 21", "41001", "Sevilla", []string{"Compresor dental Cattani", "Bomba de calor Saunier Duval"}}}},
	{"Restaurante El Rincón de Begoña", "CUST-ES-003", "Calle Ledesma 5", "48001", "Bilbao", "País Vasco", "España", "Begoña", "Etxeberria", "+34 944 000 303", "reservas@rinconbegona.example", "Restauración", []string{"restaurante"},
		[]demoSite{{"Cocina", "Calle Ledesma 5", "48001", "Bilbao", []string{"Lavavajillas Winterhalter"}}}},
	{"HAMILTON ASSET MANAGEMENT", "CUST-US-001", "55 Water St", "10041", "New York", "New York", "United States", "Paul", "Hamilton", "(877) 413-5903", "paul@hamilton.example", "Finance", []string{"office", "contract"},
		[]demoSite{{"Headquarters", "55 Water St", "10041", "New York", []string{"Rooftop unit York", "Heater 2345"}}, {"Data room", "55 Water St, 12th floor", "10041", "New York", []string{"CRAC unit Liebert"}}}},
	{"US Post Office", "sCustomer10", "8867 Grand Ave", "81023", "Beulah", "Colorado", "United States", "Jean", "Bargan", "(719) 485-3195", "customer2@synchroteam.com", "Public", []string{"public"},
		[]demoSite{{"Beulah office", "8867 Grand Ave", "81023", "Beulah", []string{"Furnace Carrier 59SC5"}}}},
	{"Joe's Diner & Grill", "CUST-US-003", "1100 S Congress Ave", "78704", "Austin", "Texas", "United States", "Joe", "Martínez", "(512) 555-0110", "joe@joesdiner.example", "Restaurant", []string{"restaurant", "plumber"},
		[]demoSite{{"Diner", "1100 S Congress Ave", "78704", "Austin", []string{"Walk-in cooler Hussmann", "Grease trap"}}}},
	{"synchroteam", "CUST-FR-100", "15 rue de la Paix", "75002", "Paris", "Île-de-France", "France", "Claire", "Fontaine", "+33 1 53 00 10 00", "contact@synchroteam.example", "Logiciel", []string{"test"},
		[]demoSite{{"Siège", "15 rue de la Paix", "75002", "Paris", []string{"Climatiseur Mitsubishi"}}}},
}

func (d *demo) customers() {
	st := d.st
	for i, dc := range demoCustomers {
		cu := &customer{
			ID: st.next("customer"), MyID: dc.myID, Name: dc.name,
			Addr: address{
				Address: fmt.Sprintf("%s, %s %s, %s", dc.street, dc.zip, dc.city, dc.country),
				Street:  dc.street, ZIP: dc.zip, City: dc.city, Province: dc.province, Country: dc.country,
			},
			Contact: contact{Name: dc.contactName, FirstName: dc.contactFirst, Phone: dc.phone, Email: dc.email,
				Mobile: dc.phone[:len(dc.phone)-2] + fmt.Sprintf("%02d", 10+i)},
			Fields:   map[int64]string{190: dc.sector, 191: []string{"Premium", "Standard", "Aucun"}[i%3]},
			Tags:     dc.tags,
			Modified: demoDay(-60+3*i, 10, 0),
		}
		cu.Pos = geocode(cu.Addr)
		st.Customers[cu.ID] = cu
		for k, ds := range dc.sites {
			x := &site{
				ID: st.next("site"), MyID: fmt.Sprintf("SITE-%03d", len(st.Sites)+1), Name: ds.name, CustomerID: cu.ID,
				Addr: address{
					Address: fmt.Sprintf("%s, %s %s, %s", ds.street, ds.zip, ds.city, dc.country),
					Street:  ds.street, ZIP: ds.zip, City: ds.city, Province: dc.province, Country: dc.country,
				},
				Contact:  contact{Name: dc.contactName, FirstName: dc.contactFirst, Phone: dc.phone, Email: dc.email},
				Fields:   map[int64]string{192: fmt.Sprintf("%04d#", 1000+d.rng.IntN(9000))},
				Tags:     dc.tags[:1],
				Modified: demoDay(-55+3*i+k, 11, 0),
			}
			x.Pos = geocode(x.Addr)
			st.Sites[x.ID] = x
			for _, name := range ds.equipment {
				e := &equipment{
					ID: st.next("equipment"), MyID: fmt.Sprintf("EQ-%04d", len(st.Equipment)+1), Name: name,
					CustomerID: cu.ID, SiteID: x.ID,
					Fields: map[int64]string{
						2:   fmt.Sprintf("%03dFTD%05d", 100+d.rng.IntN(900), d.rng.IntN(100000)),
						193: demoDay(-400-d.rng.IntN(1500), 0, 0).Format("02/01/2006"),
					},
					Tags:     []string{strings.ToLower(strings.Fields(name)[0])},
					Modified: demoDay(-50+i, 12, 0),
				}
				st.Equipment[e.ID] = e
			}
		}
	}
	st.reindex()
}

type demoPart struct {
	name, reference, price string
	tax                    int64
	category               string
	tracked, serializable  bool
}

var demoParts = []demoPart{
	{"Thermostat d'ambiance programmable", "THERM-PRG-01", "89.9", 5, "Chauffage", true, false},
	{"Vanne 3 voies Honeywell", "VAN-3V-HW", "145", 5, "Chauffage", true, false},
	{"Filtre déshydrateur 3/8\"", "FILT-DESH-38", "18.5", 5, "Climatisation", true, false},
	{"Gaz réfrigérant R32 (kg)", "GAZ-R32", "62.4", 5, "Climatisation", true, false},
	{"Joint torique 20 mm", "JT-20", "0.85", 5, "Plomberie", false, false},
	{"Flexible inox 50 cm", "FLEX-50", "7.9", 5, "Plomberie", true, false},
	{"Disjoncteur 16 A", "DISJ-16A", "12.3", 5, "Électricité", true, false},
	{"Antivirus", "458", "10", 37, "software", false, false},
	{"Accroche fixation", "ACCROCHE FIX CF62033", "3.2", 5, "Consommables", false, false},
	{"Raccord laiton", "111-a", "2.15", 5, "Plomberie", true, false},
	{"***1 > part1", "p11", "5.5", 39, "Consommables", false, false},
	{"Pressostat HP", "p3", "30", 6, "Climatisation", true, false},
	{"Voyant de cylindre", "VOYANT VCYL 7 S 7/8", "24.75", 5, "Climatisation", true, false},
	{"Compresseur Copeland", "KAAQ3104A", "690", 5, "Climatisation", true, false},
	{"Carte électronique chaudière", "refHi001", "215.5", 5, "Chauffage", true, true},
	{"p6666", "p6666", "123", 5, "Consommables", true, false},
	{"*****aaaaa", "aaa", "55", 5, "Consommables", true, false},
	{"111", "ref005f", "110", 5, "Électricité", true, false},
	{"Bomba de condensados", "BOMBA-COND", "48.6", 38, "Climatización", true, false},
	{"Capacitor 45/5 µF", "CAP-45-5", "19.99", 37, "Electricity", true, false},
}

func (d *demo) parts() {
	st := d.st
	for i, dp := range demoParts {
		p := &part{
			ID: st.next("part"), Name: dp.name, Reference: dp.reference, Price: dp.price, TaxID: dp.tax,
			MinQuantity: int64(i % 4), Tracked: dp.tracked, Serializable: dp.serializable,
			Modified: demoDay(-80+i, 9, 30),
		}
		var cat *category
		for _, c := range st.Categories {
			if c.Name == dp.category {
				cat = c
			}
		}
		if cat == nil {
			cat = &category{ID: st.next("category"), Name: dp.category}
			st.Categories[cat.ID] = cat
		}
		p.CategoryID = cat.ID
		st.Parts[p.ID] = p
	}
	st.reindex()
}

func (d *demo) partByRef(ref string) *part {
	id, _ := d.st.idx.partRef.first(ref)
	return d.st.Parts[id]
}

func (d *demo) stock() {
	st := d.st
	depots := []*depot{
		{ID: "d6a71643-0ad2-4de8-abcb-34f54c4ca12e", Name: "stock", Default: true},
		{ID: "18af2bf1-0973-4958-a66e-c5fe974ec129", Name: "stock4", Provider: true},
		{ID: st.RNG.guid(), Name: "Entrepôt Lyon"},
		{ID: st.RNG.guid(), Name: "Almacén Madrid"},
	}
	for _, dp := range depots {
		st.Depots[dp.ID] = dp
	}
	for i, p := range sortedKeys(st.Parts) {
		pt := st.Parts[p]
		for k, dp := range depots {
			if (i+k)%3 == 2 {
				continue
			}
			l := st.stockLevel(dp.ID, pt.ID)
			if pt.Serializable {
				for n := 0; n < 3+k; n++ {
					l.Serials = append(l.Serials, fmt.Sprintf("SN%d%03d", 7710+k, n))
				}
				l.Quantity = fmt.Sprint(len(l.Serials))
			} else {
				l.Quantity = fmt.Sprint(d.rng.IntN(40))
			}
		}
	}
	userFor := []int64{265, 266, 1551, 1554, 265}
	reqs := []struct {
		id                    string
		ref                   string
		qty                   int64
		deleted, sent, urgent bool
		days                  int
	}{
		{"22aa76ac-03c8-4fdb-baee-dca2d33cdd23", "p6666", 0, false, true, false, -20},
		{"48fa4674-8b6c-4fe6-a1d9-2d96eebe63c0", "aaa", -1, false, true, false, -15},
		{"1c9035a3-ce56-4e13-b9d0-dffb9c02e782", "ref005f", 6, false, true, false, -10},
		{st.RNG.guid(), "GAZ-R32", 4, false, false, true, -3},
		{st.RNG.guid(), "THERM-PRG-01", 2, true, false, false, -30},
		{st.RNG.guid(), "refHi001", 3, false, true, true, -1},
	}
	for i, r := range reqs {
		dest, src := depots[0], depots[1]
		if i >= 3 {
			dest = depots[2+i%2]
		}
		sr := &stockReq{
			ID: r.id, DestID: dest.ID, SourceID: src.ID, PartID: d.partByRef(r.ref).ID, Quantity: r.qty,
			Deleted: r.deleted, Sent: r.sent, Urgent: r.urgent, UserID: userFor[i%len(userFor)],
			Created: demoDay(r.days, 9, 15), Modified: demoDay(r.days+1, 14, 0),
		}
		st.StockRequests[strings.ToLower(sr.ID)] = sr
	}
}

func (d *demo) activities() {
	st := d.st
	types := []activityType{
		{Name: "Holiday", Color: "2ECC71", HasConflict: true},
		{Name: "Sickness", Color: "E74C3C", HasConflict: true},
		{Name: "Cleaner ", Color: "777777", HasConflict: false},
		{Name: "Formation sécurité", Color: "3498DB", HasConflict: true},
		{Name: "Réunion d'équipe", Color: "F1C40F", HasConflict: false},
	}
	for i := range types {
		t := types[i]
		t.ID = st.next("activityType")
		t.Modified = demoDay(-120, 8, 0)
		st.ActivityTypes[t.ID] = &t
	}
	acts := []struct {
		name       string
		user       int64
		start, end int
		note       string
	}{
		{"Cleaner ", 268, -60, -55, ""},
		{"Holiday", 268, -30, -9, ""},
		{"Sickness", 268, -5, -3, ""},
		{"Holiday", 266, 10, 17, "Vacances de printemps"},
		{"Formation sécurité", 1551, -12, -12, "Habilitation électrique B1V"},
		{"Réunion d'équipe", 1554, -7, -7, "Reunión mensual"},
		{"Sickness", 1555, -2, -1, ""},
		{"Holiday", 1552, 20, 27, "Family trip"},
		{"Réunion d'équipe", 266, -7, -7, ""},
		{"Formation sécurité", 1553, 3, 4, "OSHA refresher"},
	}
	for _, a := range acts {
		id := st.next("activity")
		st.Activities[id] = &activity{ID: id, Name: a.name, UserID: a.user, Note: a.note,
			Start: demoDay(a.start, 0, 0), End: demoDay(a.end, 0, 0)}
	}
}

func (d *demo) blocks() {
	st := d.st
	blocks := []*block{
		{ID: 1169, Name: "Sign Off", Published: true, Shared: true, Items: []blockItem{
			{ID: 3421, Name: "Signature", Position: 0, Type: itemSignature},
			{ID: 3422, Name: "Print Name", Position: 1, Type: itemText},
			{ID: 3423, Name: "Position", Position: 2, Type: itemText},
			{ID: 3424, Name: "Date", Position: 3, Type: itemDate},
		}},
		{ID: 1171, Name: "details", Published: true, Shared: true, Items: []blockItem{
			{ID: 3427, Name: "date creation", Position: 0, Type: itemDate},
			{ID: 3132, Name: "documentation", Position: 1, Type: itemText},
			{ID: 3428, Name: "Photo avant intervention", Position: 2, Type: itemPicture},
		}},
		{ID: 1184, Name: "signatures", Published: true, Shared: true, Items: []blockItem{
			{ID: 4007, Name: "sign1", Position: 0, Type: itemSignature},
		}},
		{ID: 1225, Name: "Contrôle sécurité", Published: true, Shared: true, Items: []blockItem{
			{ID: 3736, Name: "Nombre d'articles", Position: 0, Type: itemList, Values: []string{"1", "2", "3"}, Mandatory: true},
			{ID: 3737, Name: "code article", Position: 1, Type: itemList, Values: []string{"ref-2", "ref-4", "ref-6"}, ConditionItem: 3736, ConditionValue: "2"},
			{ID: 3738, Name: "Conforme", Position: 2, Type: itemCompliance, Mandatory: true},
			{ID: 3739, Name: "Pression mesurée (bar)", Position: 3, Type: itemNumeric},
			{ID: 3740, Name: "Heure de fin", Position: 4, Type: itemTime},
		}},
		{ID: 1226, Name: "Category 2", Published: true, Shared: true, Items: []blockItem{
			{ID: 3741, Name: "valid", Position: 0, Type: itemCompliance},
			{ID: 3742, Name: "hour", Position: 1, Type: itemTime},
		}},
		{ID: 1230, Name: "Relevés climatisation", Published: true, Shared: false, Items: []blockItem{
			{ID: 3750, Name: "Température soufflage (°C)", Position: 0, Type: itemNumeric},
			{ID: 3751, Name: "Fuite détectée", Position: 1, Type: itemCompliance},
			{ID: 3752, Name: "Photo plaque signalétique", Position: 2, Type: itemPicture},
		}},
		{ID: 1231, Name: "Draft checklist", Published: false, Shared: true, Items: []blockItem{
			{ID: 3760, Name: "Remarks", Position: 0, Type: itemText},
		}},
	}
	for _, b := range blocks {
		st.Blocks[b.ID] = b
	}
	st.Seq["block"], st.Seq["item"] = 1240, 4010
	for _, jt := range []*jobType{
		{ID: 629, Name: "Maintenance préventive", ReportID: 781, Blocks: []int64{1225, 1171, 1169, 1184}},
		{ID: 630, Name: "Dépannage", ReportID: 782, Blocks: []int64{1171, 1226, 1169}},
		{ID: 631, Name: "Installation", ReportID: 783, Blocks: []int64{1230, 1171, 1169, 1184}},
		{ID: 632, Name: "Aire acondicioa", ReportID: 784, Blocks: []int64{1230, 1226, 1169}},
	} {
		st.JobTypes[jt.ID] = jt
	}
	st.Seq["jobType"], st.Seq["report"] = 640, 790
}

var demoDescriptions = []string{
	"Entretien annuel de la chaudière",
	"Fuite d'eau sous l'évier de la cuisine",
	"Climatisation en panne, salle à 29 °C",
	"Remplacement du thermostat",
	"Contrôle d'étanchéité du circuit frigorifique",
	"Revisión anual de la bomba de calor",
	"Avería en la cámara frigorífica",
	"Breaker keeps tripping in the kitchen",
	"Quarterly HVAC maintenance",
	"Install new walk-in cooler compressor",
	"Mise en service de la centrale de traitement d'air",
	"Bruit anormal du groupe froid",
}

// jobs creates 60 jobs spread over the eight statuses, with reports,
// parts, time tracking, photos and custom field values.
func (d *demo) jobs() {
	st := d.st
	techs := d.technicians()
	custIDs := sortedKeys(st.Customers)
	partIDs := sortedKeys(st.Parts)
	jobTypes := sortedKeys(st.JobTypes)
	const n = 60
	st.Seq["jobNum"] = 13419
	for i := 0; i < n; i++ {
		status := int64(i % 8)
		cu := st.Customers[custIDs[d.rng.IntN(len(custIDs))]]
		var sites []*site
		for _, sid := range sortedKeys(st.Sites) {
			if st.Sites[sid].CustomerID == cu.ID {
				sites = append(sites, st.Sites[sid])
			}
		}
		x := sites[d.rng.IntN(len(sites))]
		var eqs []*equipment
		for _, eid := range sortedKeys(st.Equipment) {
			if st.Equipment[eid].SiteID == x.ID {
				eqs = append(eqs, st.Equipment[eid])
			}
		}
		jt := st.JobTypes[jobTypes[d.rng.IntN(len(jobTypes))]]
		if st.Seq["jobNum"]+1 == 13461 {
			status = 3 // the job of the reference's Jobs/Search sample: started, by Bill
		}
		day := -45 + i*3/2 + d.rng.IntN(3)
		if status <= 2 {
			day = 1 + i/4 + d.rng.IntN(10) // planned: in the future
		}
		begin := demoDay(day, 8+d.rng.IntN(8), []int{0, 15, 30, 45}[d.rng.IntN(4)])
		num := st.next("jobNum")
		j := &job{
			Num: num, MyID: fmt.Sprintf("ref-job%05d", num), JobTypeID: jt.ID, ReportID: jt.ReportID,
			CustomerID: cu.ID, SiteID: x.ID, CreatorID: 265, Description: d.pick(demoDescriptions),
			Priority: int64(d.rng.IntN(3)), Status: status, Addr: x.Addr, Pos: x.Pos,
			Contact:    contact{Name: cu.Contact.Name, FirstName: cu.Contact.FirstName, Phone: cu.Contact.Phone, Mobile: cu.Contact.Mobile, Email: cu.Contact.Email},
			PublicLink: "https://synchroteam.com/Jobs/PublicJob/" + st.RNG.guid(),
			Fields:     map[int64]string{182: cu.Fields[190], 185: x.Addr.City},
			Tags:       cu.Tags,
		}
		if len(eqs) > 0 && d.rng.IntN(4) > 0 {
			e := eqs[d.rng.IntN(len(eqs))]
			j.EquipmentID = e.ID
			j.Fields[184] = e.Fields[2]
		}
		if status >= 5 && d.rng.IntN(2) == 0 {
			j.Fields[183] = []string{"OK", "KO", "E-104", "F28"}[d.rng.IntN(4)]
		}
		if status != statusCreated || i%16 == 0 {
			j.ScheduledBegin = begin
			j.ScheduledEnd = begin.Add(time.Duration(60+30*d.rng.IntN(5)) * time.Minute)
		}
		if status != statusCreated {
			k := d.rng.IntN(len(techs))
			if status == 3 && techs[k] == 268 {
				k = (k + 1) % len(techs) // Bill's only started job is ref-25487
			}
			j.UserID = techs[k]
			if num == 13461 {
				j.UserID = 268
			}
		}
		if num == 13473 && j.EquipmentID == 0 {
			j.EquipmentID = eqs[0].ID
			j.Fields[184] = eqs[0].Fields[2]
		}
		d.jobWork(j, jt, partIDs, techs)
		j.Modified = begin.AddDate(0, 0, -2)
		if !j.RealEnd.IsZero() {
			j.Modified = j.RealEnd
		}
		if !j.Validated.IsZero() {
			j.Modified = j.Validated
		}
		j.ID = st.RNG.jobID(j.CreatorID, j.Modified.Add(-48*time.Hour))
		for st.Jobs[j.ID] != nil {
			j.ID = st.RNG.jobID(j.CreatorID, j.Modified.Add(-48*time.Hour))
		}
		switch num {
		case 13461:
			j.MyID = "ref-25487"
		case 13473: // the job of the reference's Photos and PDF samples
			j.ID, j.MyID = "265_160719144323649", "ref-25415"
			j.OtherTechs = []int64{1552, 1553}
		}
		st.Jobs[j.ID] = j
		if j.Status >= 4 && j.Status != statusCanceled || j.Num == 13473 {
			d.photos(j)
		}
	}
	st.reindex()
}

// jobWork fills what technicians record: times, report, parts, other
// technicians, validation.
func (d *demo) jobWork(j *job, jt *jobType, partIDs, techs []int64) {
	st := d.st
	if j.Status < 3 || j.Status == statusCanceled {
		return
	}
	j.RealBegin = j.ScheduledBegin.Add(time.Duration(d.rng.IntN(20)) * time.Minute)
	t := j.RealBegin
	for k := 0; k < 1+d.rng.IntN(3); k++ {
		stop := t.Add(time.Duration(15+d.rng.IntN(45)) * time.Minute)
		j.Activities = append(j.Activities, jobActivity{UserID: j.UserID, Start: t, Stop: stop})
		j.Duration += int64(stop.Sub(t).Minutes())
		t = stop.Add(time.Duration(5+d.rng.IntN(15)) * time.Minute)
	}
	if j.Status >= 5 {
		j.RealEnd = j.Activities[len(j.Activities)-1].Stop
	}
	if j.Status == statusValidated {
		j.Validated, j.ValidationUser = j.RealEnd.Add(26*time.Hour), 1556
	}
	if d.rng.IntN(3) == 0 {
		other := techs[d.rng.IntN(len(techs))]
		if other != j.UserID {
			j.OtherTechs = []int64{other}
		}
	}
	tech := st.Users[j.UserID]
	cu := st.Customers[j.CustomerID]
	for _, bid := range jt.Blocks {
		b := st.Blocks[bid]
		iterations := 1
		if b.ID == 1184 {
			iterations = 1 + d.rng.IntN(3) // repeated signature block
		}
		for it := 0; it < iterations; it++ {
			for _, item := range b.Items {
				v := d.reportValue(item, j, tech, cu)
				j.Report = append(j.Report, reportEntry{ItemID: item.ID, CategoryID: b.ID, Iteration: int64(it), Category: b.Name, Item: item.Name, Value: v})
			}
		}
		if j.Status == 3 || j.Status == 4 {
			break // work in progress: only the first block is filled
		}
	}
	j.ReportModified = t
	if j.Status >= 5 {
		for k := 0; k < 1+d.rng.IntN(3); k++ {
			p := partIDs[d.rng.IntN(len(partIDs))]
			q := []string{"1", "2", "0.5", "2.5", "10", "1.9"}[d.rng.IntN(6)]
			j.Parts = append(j.Parts, jobPart{PartID: p, Quantity: q})
		}
	}
}

func (d *demo) reportValue(item blockItem, j *job, tech *user, cu *customer) string {
	switch item.Type {
	case itemSignature:
		return fmt.Sprintf("SIGN_%d", item.ID)
	case itemCompliance:
		return []string{"Yes", "Yes", "No"}[d.rng.IntN(3)]
	case itemList:
		return item.Values[d.rng.IntN(len(item.Values))]
	case itemDate:
		return j.RealBegin.Format("02/01/2006")
	case itemTime:
		return j.RealBegin.Add(time.Duration(j.Duration) * time.Minute).Format("15:04")
	case itemNumeric:
		return fmt.Sprintf("%d,%d", 2+d.rng.IntN(20), d.rng.IntN(10))
	case itemPicture:
		return "image.png"
	}
	switch item.Name {
	case "Print Name":
		return cu.Contact.FirstName + " " + cu.Contact.Name
	case "Position":
		return []string{"Gérant", "Responsable technique", "Encargado", "Manager"}[d.rng.IntN(4)]
	case "documentation":
		return "Notice remise au client"
	}
	return "RAS"
}

// photos attaches photos to a job: several "image.png" (iterations 0 and 1,
// as the reference shows) and a JPEG.
func (d *demo) photos(j *job) {
	n := 2 + d.rng.IntN(2)
	for k := 0; k < n; k++ {
		j.Photos = append(j.Photos, photo{Iteration: int64(k / 2), FileName: "image.png",
			Comment: []string{"a Comment", "photo1", "Avant intervention", "Après intervention"}[k%4],
			Data:    makePNG(d.rng.Uint32())})
	}
	j.Photos = append(j.Photos, photo{Iteration: 0, FileName: fmt.Sprintf("plaque_%d.jpg", j.Num),
		Comment: "Plaque signalétique", Data: makeJPEG(d.rng.Uint32())})
}

func (d *demo) invoices() {
	st := d.st
	jobs := st.jobsByNum()
	var done []*job
	for _, j := range jobs {
		if j.Status >= 5 && j.Status != statusCanceled {
			done = append(done, j)
		}
	}
	ref := done[0]
	p3, p11 := d.partByRef("p3"), d.partByRef("p11")
	lineP3 := invoiceLine{PartID: p3.ID, Description: "test description", Reference: "p3", Price: "30", Tax: "10", Quantity: "8.5", Discount: "50.3"}
	lineP11 := invoiceLine{PartID: p11.ID, Description: "***1 > part1", Reference: "p11", Price: "5.5", Tax: "50", Quantity: "10", Discount: "10"}
	lineP11b := lineP11
	lineP11b.Price = "10.25"
	due := demoDay(59, 0, 0)
	st.Seq["invoiceNum"] = 335
	add := func(kind string, status int64, j *job, cu *customer, days int, lines ...invoiceLine) {
		inv := &invoice{ID: st.next("invoice"), Num: st.next("invoiceNum"), Type: kind, Status: status,
			DueDate: due.AddDate(0, 0, days), Lines: lines, Modified: demoDay(days-20, 17, 0)}
		if j != nil {
			inv.JobID, inv.SiteID = j.ID, j.SiteID
		}
		if cu != nil {
			inv.CustomerID = cu.ID
		}
		st.Invoices[inv.ID] = inv
	}
	// 336, 337 and 338: the reference's three invoices (213.65, 213.65, 277.78).
	add("invoice", 0, ref, nil, 0, lineP3, lineP11)
	add("invoice", 0, ref, nil, 0, lineP3, lineP11)
	add("invoice", 0, ref, nil, 0, lineP3, lineP11b)
	for k, j := range done[1:min(len(done), 7)] {
		cu := st.Customers[j.CustomerID]
		var lines []invoiceLine
		for _, p := range j.Parts {
			pt := st.Parts[p.PartID]
			lines = append(lines, invoiceLine{PartID: pt.ID, Description: pt.Name, Reference: pt.Reference,
				Price: pt.Price, Tax: st.Taxes[pt.TaxID].Value, Quantity: p.Quantity, Discount: []string{"0", "5", "12.5"}[k%3]})
		}
		lines = append(lines, invoiceLine{Description: "Main d'œuvre / Mano de obra (h)", Price: "65", Tax: "20",
			Quantity: decimalText(math.Round(float64(j.Duration)/60*100) / 100), Discount: "0"})
		kind, status := "invoice", int64(k%4)
		if k%3 == 2 {
			kind, status = "quotation", int64(k%2)
		}
		add(kind, status, j, cu, k*7-14, lines...)
	}
	add("quotation", 0, nil, st.Customers[sortedKeys(st.Customers)[1]], 21,
		invoiceLine{Description: "Contrat de maintenance annuel", Price: "1250", Tax: "20", Quantity: "1", Discount: "7,5"},
	)
	// Keep decimal texts canonical (dot notation).
	for _, inv := range st.Invoices {
		for i := range inv.Lines {
			inv.Lines[i].Discount = strings.Replace(inv.Lines[i].Discount, ",", ".", 1)
		}
	}
}

func (d *demo) attachments() {
	st := d.st
	csv := "reference;quantité\nKAAQ3104A;2\nrefHi001;1\n"
	for _, j := range st.jobsByNum()[:2] {
		id := st.next("attachment")
		st.Attachments[id] = &attachment{ID: id, JobID: j.ID, FileName: fmt.Sprintf("pièces_%d.csv", j.Num),
			Data: []byte(csv), Created: j.Modified}
	}
	id := st.next("attachment")
	st.Attachments[id] = &attachment{ID: id, CustomerID: sortedKeys(st.Customers)[0], FileName: "contrat.pdf",
		Data: makePDF("Contrat de maintenance", []string{"Boulangerie Pâtisserie Lefèvre", "Durée : 12 mois"}), Created: demoDay(-100, 10, 0)}
}
