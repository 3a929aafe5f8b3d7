//go:build ignore

// Command gen writes the sample files that cannot be kept as plain UTF-8
// text: samples/customers-legacy.csv (windows-1252, ";"), and the workbooks
// samples/customers.xlsx (from samples/customers.csv) and samples/parts.xlsx.
//
// Run it from the repository's root after changing it or customers.csv:
//
//	go run samples/gen/main.go
package main

import (
	"encoding/csv"
	"flag"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

func main() {
	dir := flag.String("dir", "samples", "the samples folder")
	flag.Parse()
	if err := legacyCustomers(filepath.Join(*dir, "customers-legacy.csv")); err != nil {
		log.Fatal(err)
	}
	if err := customersWorkbook(filepath.Join(*dir, "customers.csv"), filepath.Join(*dir, "customers.xlsx")); err != nil {
		log.Fatal(err)
	}
	if err := partsWorkbook(filepath.Join(*dir, "parts.xlsx")); err != nil {
		log.Fatal(err)
	}
}

// legacyRows is an old ERP's customer export: the customers of
// customers.csv it shares, written the ERP's way (country codes, dd/MM/yyyy,
// decimal commas, oui/non, stray spaces and capitals), plus closed accounts
// and three bad rows (see samples/README.md).
var legacyRows = [][]string{
	{"CODE_CLIENT", "RAISON_SOCIALE", "ADRESSE_1", "ADRESSE_2", "CODE_POSTAL", "VILLE", "REGION", "CODE_PAYS", "PRENOM_CONTACT", "NOM_CONTACT", "TELEPHONE", "EMAIL", "SECTEUR", "CONTRAT", "DATE_CREATION", "FAMILLES", "LATITUDE", "LONGITUDE", "CLOS"},
	{"CLI-001", "  Boulangerie  Dupré ", "3 rue Mercière", "", "69002", "Lyon", "Rhône", "fr", "Élodie", "Dupré", "+33 4 78 42 10 11", "CONTACT@BOULANGERIE-DUPRE.EXAMPLE", "Alimentation", "O", "05/03/2012", "boulangerie|froid", "45,7640", "4,8357", "non"},
	{"CLI-002", "Pâtisserie Le Nœud Papillon", "18 rue de la Charité", "", "69002", "Lyon", "Rhône", "FR", "Zoë", "Marchand", "+33 4 78 37 22 40", "zoe.marchand@noeud-papillon.example", "Alimentation", "non", "14/09/2015", "pâtisserie", "45,7553", "4,8305", ""},
	{"CLI-003", "Hôtel des Célestins", "4 rue des Archers", "Bâtiment B", "69002", "Lyon", "Rhône", "FR", "François", "Garnier", "+33 4 72 56 08 98", "technique@hotel-celestins.example", "Hôtellerie", "oui", "02/11/2009", "Hôtel|Restaurant", "45,7597", "4,8320", "non"},
	{"CLI-090", "Quincaillerie Dupré Frères", "8 rue Paul Bert", "", "69003", "Lyon", "Rhône", "FR", "Marcel", "Dupré", "+33 4 78 60 11 22", "quincaillerie.dupre@wanadoo.example", "Commerce", "non", "12/01/1998", "quincaillerie", "45,7589", "4,8467", "oui"},
	{"CLI-004", "Brasserie Müller", "12 place Kléber", "", "67000", "Strasbourg", "Bas-Rhin", "FR", "Jürgen", "Müller", "+33 3 88 32 11 09", "accueil@brasserie-muller.example", "Restauration", "OUI", "21/06/2018", "restaurant|bière", "48,5833", "7,7458", "NON"},
	{"CLI-005", "Clinique Vétérinaire Saint-Éloi", "42 boulevard Longchamp", "", "13001", "Marseille", "Bouches-du-Rhône", "FR", "Benoît", "Roux", "+33 4 91 50 42 42", "accueil@veto-st-eloi.example", "Santé", "N", "15/01/2020", "santé", "43,3032", "5,3917", ""},
	{"CLI-006", "Restaurante Señor Pepe", "Calle de Toledo 41", "", "28005", "Madrid", "Madrid", "ES", "José", "Fernández", "+34 913 65 42 10", "reservas@senorpepe.example", "Restauración", "oui", "30/04/2016", "restaurante", "40,4115", "-3,7088", "non"},
	{"CLI-092", "Müller Kältetechnik GmbH", "Kaiser-Joseph-Straße 260", "", "79098", "Freiburg im Breisgau", "Baden-Württemberg", "DE", "Klaus", "Müller", "+49 761 38 42 90", "service@mueller-kaelte.example", "Industrie", "oui", "03/10/2017", "froid industriel", "47,9959", "7,8494", "non"},
	{"CLI-008", "Café Zoë", "9 quai Saint-Antoine", "", "69002", "Lyon", "Rhône", "FR", "Zoë", "Lambert", "+33 4 78 92 15 60", "bonjour@cafe-zoe.example", "Restauration", "", "01/10/2021", "café|terrasse", "45,7634", "4,8296", "non"},
	{"CLI-009", "Crèmerie des Halles", "102 cours Lafayette", "", "69003", "Lyon", "Rhône", "FR", "Aurélie", "Béranger", "+33 4 78 62 39 33", "contact@cremerie-halles.example", "Alimentation", "oui", "17/02/2014", "froid", "45,7628", "4,8500", "non"},
	{"CLI-093", "", "15 rue de la Barre", "", "69002", "Lyon", "Rhône", "FR", "Noël", "Dupré", "+33 4 78 37 00 01", "noel.dupre@orange.example", "Services", "non", "08/03/2005", "", "45,7565", "4,8351", "non"},
	{"CLI-010", "Boucherie Lefèvre & Fils", "25 rue d'Austerlitz", "", "69004", "Lyon", "Rhône", "FR", "Gaël", "Lefèvre", "+33 4 78 28 14 02", "gael@boucherie-lefevre.example", "Alimentation", "non", "3/5/2010", "boucherie|froid", "45,7749", "4,8316", "non"},
	{"CLI-011", "Hostal Peñalara", "Calle de Fuencarral 88", "2º izquierda", "28004", "Madrid", "Madrid", "es", "Íñigo", "Ibáñez", "+34 915 21 77 90", "recepcion@hostal-penalara.example", "Hostelería", "oui", "09/09/2019", "hostal", "40,4259", "-3,7011", "non"},
	{"CLI-091", "Bar Le Señor", "2 place Sathonay", "", "69001", "Lyon", "Rhône", "FR", "Zoé", "Vidal", "+33 4 78 28 55 55", "bar.lesenor@free.example", "Restauration", "non", "20/06/2003", "bar", "45,7690", "4,8300", "OUI"},
	{"CLI-013", "Blue Ridge Dental Care", "1420 Main Street", "Suite 200", "22980", "Waynesboro", "VA", "US", "Sarah", "O'Connor", "(540) 555-0134", "frontdesk@blueridgedental.example", "Health", "oui", "15/08/2022", "dental", "38,0685", "-78,8895", "non"},
	{"CLI-094", "Serrurerie Nœud Coulant", "44 rue Victor Hugo", "", "69002", "Lyon", "Rhône", "FR", "Anaïs", "Girard", "+33 4 78 38 21 21", "anais@serrurerie-noeud.example", "Services", "oui", "29/02/2023", "serrurerie", "45,7536", "4,8290", "non"},
	{"CLI-016", "Maple Street Bakery", "210 Maple St", "", "05401", "Burlington", "VT", "US", "Chloé", "Dubois", "(802) 555-0101", "hello@maplestreetbakery.example", "Food", "oui", "01/06/2013", "bakery", "44,4759", "-73,2121", "non"},
	{"CLI-019", "Chocolaterie Le Nœud d'Or", "Rue au Beurre 31", "", "1000", "Bruxelles", "Bruxelles-Capitale", "BE", "Zoë", "Janssens", "+32 2 511 20 20", "info@noeud-dor.example", "Alimentation", "oui", "05/05/2015", "chocolat", "50,8476", "4,3525", "non"},
	{"CLI-017", "Pharmacie du Rhône", "5 place Bellecour", "", "69002", "Lyon", "Rhône", "FR", "Hélène", "Moreau", "+33 4 78 37 51 12", "officine@pharmacie-rhone.example", "Santé", "oui", "19/12/2016", "santé", "45,7578", "4,8320", "non"},
}

// legacyCustomers writes legacyRows as the ERP did: windows-1252, ";",
// CRLF line ends, no quotes.
func legacyCustomers(path string) error {
	var b strings.Builder
	for _, r := range legacyRows {
		b.WriteString(strings.Join(r, ";"))
		b.WriteString("\r\n")
	}
	data, err := charmap.Windows1252.NewEncoder().Bytes([]byte(b.String()))
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// customersWorkbook copies customers.csv into a workbook with the same
// columns, as Excel would hold them: ZIP codes as text (leading zeros
// kept), coordinates as numbers, CustomerSince as date cells. Every row is
// copied as it is, the ragged one too: its extra value lands in a column
// without a header, which the reader rejects as the CSV reader rejects the
// extra field.
func customersWorkbook(csvPath, path string) error {
	in, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer in.Close()
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Customers"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy")})
	if err != nil {
		return err
	}
	header := recs[0]
	for i, rec := range recs {
		for j, v := range rec {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			name := ""
			if j < len(header) {
				name = header[j]
			}
			switch {
			case i > 0 && len(rec) == len(header) && (name == "Latitude" || name == "Longitude"):
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return err
				}
				err = f.SetCellFloat(sheet, cell, x, -1, 64)
				if err != nil {
					return err
				}
			case i > 0 && len(rec) == len(header) && name == "CustomerSince":
				t, err := time.Parse("2006-01-02", v)
				if err != nil {
					return err
				}
				if err := f.SetCellValue(sheet, cell, t); err != nil {
					return err
				}
				if err := f.SetCellStyle(sheet, cell, cell, dateStyle); err != nil {
					return err
				}
			default:
				if err := f.SetCellStr(sheet, cell, v); err != nil {
					return err
				}
			}
		}
	}
	return f.SaveAs(path)
}

func ptr[T any](v T) *T { return &v }

// partsWorkbook writes a parts catalogue as a buyer keeps it: a notes sheet
// first, the parts on sheet "Articles" with some prices typed as numbers and
// others pasted as French text ("1 234,50"), oui/non flags, and an
// end-of-series date on discontinued parts.
func partsWorkbook(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Lisez-moi"); err != nil {
		return err
	}
	if err := f.SetCellStr("Lisez-moi", "A1", "Catalogue articles — mis à jour par les achats. Les prix sont HT."); err != nil {
		return err
	}
	const sheet = "Articles"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy")})
	if err != nil {
		return err
	}
	priceStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`#,##0.00\ "€"`)})
	if err != nil {
		return err
	}
	header := []any{"Référence", "Désignation", "Catégorie", "Prix HT", "Stock mini", "Suivi stock", "Sérialisé", "Fin de série", "Fournisseur"}
	type part struct {
		ref, name, category string
		price               any // float64: a number cell; string: a text cell
		min                 int
		tracked, serial     string
		end                 string // yyyy-mm-dd: a date cell
		supplier            string
	}
	parts := []part{
		{"VENT-EC-250", "Ventilateur EC Ø250 mm", "Ventilation", "1 234,50", 1, "oui", "non", "", "Müller Lüftungstechnik"},
		{"CTA-FILT-G4", "Filtre G4 592×592", "Ventilation", 18.9, 10, "oui", "non", "", "Airép"},
		{"KAAQ3104A", "Compresseur Copeland", "Climatisation", 712.4, 1, "oui", "non", "", "Emerson"},
		{"refHi001", "Carte électronique chaudière", "Chauffage", "229,90", 2, "oui", "oui", "", "Hydrotherm"},
		{"ZR48-KCE", "Compresseur scroll Copeland ZR48", "Climatisation", "1 589,00", 0, "oui", "oui", "", "Emerson"},
		{"VASE-18L", "Vase d'expansion 18 L", "Chauffage", 42.5, 2, "oui", "non", "", "Zilmet"},
		{"FILT-DESH-12", "Filtre déshydrateur 1/2\"", "Climatisation", "12,3,4", 5, "oui", "non", "", "Danfoss"},
		{"ELV-12-MUL", "Électrovanne Müller 1/2\"", "Plomberie", 64.0, 2, "OUI", "NON", "", "Müller"},
		{"CABLE-3G25", "Câble H07RN-F 3G2,5 (m)", "Électricité", "2,15", 50, "non", "non", "", "Nexans"},
		{"THERM-ZOE", "", "Chauffage", 99.0, 1, "oui", "non", "", "Zoë Électronique"},
		{"DET-TN2", "Détendeur thermostatique Danfoss TN2", "Climatisation", "86,40", 1, "oui", "non", "", "Danfoss"},
		{"NOEUD-RAC-15", "Nœud de raccordement cuivre 15 mm", "Plomberie", 3.75, 20, "x", "", "", "Comap"},
		{"PAC-SEN-09", "Sonde extérieure Señor Frío", "Climatisation", "27,00", 2, "parfois", "non", "", "Señor Frío S.L."},
		{"JT-20", "Joint torique 20 mm", "Plomberie", 0.9, 100, "non", "non", "", "Comap"},
		{"OLD-VAN-4V", "Vanne 4 voies (ancienne série)", "Chauffage", 120.0, 0, "oui", "non", "2021-06-30", "Honeywell"},
		{"POMPE-REL", "Pompe de relevage Sanicondens", "Plomberie", "149,00", 1, "oui", "non", "", "SFA"},
		{"GAZ-R410A", "Gaz réfrigérant R410A (kg)", "Climatisation", 58.6, 5, "oui", "non", "", "Climalife"},
		{"DISJ-20A", "Disjoncteur 20 A", "Électricité", "13,80", 5, "oui", "non", "", "Legrand"},
		{"TUBE-CU-12", "Tube cuivre recuit 12 mm (couronne 25 m)", "Plomberie", "1 045,00", 1, "oui", "non", "", "KME"},
		{"OLD-THERM-01", "Thermostat mécanique", "Chauffage", 25.0, 0, "non", "non", "2019-12-31", "Honeywell"},
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	for i, p := range parts {
		r := i + 2
		cell := func(col string) string { return col + strconv.Itoa(r) }
		row := []any{p.ref, p.name, p.category, nil, p.min, p.tracked, p.serial, nil, p.supplier}
		if err := f.SetSheetRow(sheet, cell("A"), &row); err != nil {
			return err
		}
		switch v := p.price.(type) {
		case float64:
			if err := f.SetCellFloat(sheet, cell("D"), v, -1, 64); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cell("D"), cell("D"), priceStyle); err != nil {
				return err
			}
		case string:
			if err := f.SetCellStr(sheet, cell("D"), v); err != nil {
				return err
			}
		}
		if p.end != "" {
			t, err := time.Parse("2006-01-02", p.end)
			if err != nil {
				return err
			}
			if err := f.SetCellValue(sheet, cell("H"), t); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cell("H"), cell("H"), dateStyle); err != nil {
				return err
			}
		}
	}
	return f.SaveAs(path)
}
