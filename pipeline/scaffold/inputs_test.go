package scaffold_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// The test inputs of testdata/: files as exports from other tools write
// them. They are written by writeInputs (go test -run TestGolden -update)
// and kept in the repository.

// erpFR is an old French ERP's customer export: windows-1252, ";", CRLF, a
// title line and a blank line above the header, addresses quoted over two
// lines, zip codes with leading zeros, dd/MM/yyyy dates, oui/non flags,
// decimal commas.
var erpFR = strings.Join([]string{
	"Export clients - société Climatec - 12/03/2024",
	"",
	"N° client;Société;Adresse;Code postal;Localité;Pays;Téléphone;Portable;Courriel;Date création;Actif;Latitude;Longitude;Familles",
	`C0001;Boulangerie Dupré;"3 rue Mercière` + "\r\n" + `Bâtiment B";69002;Lyon;France;04 78 42 10 11;06 12 34 56 78;Contact@Dupre.example;05/03/2012;oui;45,7640;4,8357;boulangerie|froid`,
	`C0002;Pâtisserie Le Nœud;18 rue de la Charité;69002;Lyon;France;04 78 37 22 40;;zoe@noeud.example;14/09/2015;non;45,7553;4,8305;pâtisserie`,
	`C0003;Hôtel des Célestins;"4 rue des Archers` + "\r\n" + `2e étage";69002;Lyon;France;04 72 56 08 98;06 98 76 54 32;technique@celestins.example;02/11/2009;oui;45,7597;4,8320;hôtel|restaurant`,
	`C0004;Garage Martin & Fils;12 avenue Jean Jaurès;01000;Bourg-en-Bresse;France;04 74 22 11 00;;garage.martin@example.fr;21/06/2018;oui;46,2052;5,2255;garage`,
	`C0005;Fromagerie Zoë;5 place du Marché;01100;Oyonnax;France;04 74 77 00 12;;fromagerie-zoe@example.fr;30/01/2020;non;46,2561;5,6556;froid`,
	`C0006;Café de la Gare;1 place de la Gare;38000;Grenoble;France;04 76 00 00 01;06 00 00 00 01;cafe.gare@example.fr;07/07/2007;oui;45,1911;5,7147;café`,
}, "\r\n") + "\r\n"

// kundenDE is a German customer list as Excel's "Unicode text" saves it:
// UTF-16 LE with a byte order mark, TAB between fields.
var kundenDE = strings.Join([]string{
	"Kundennummer\tFirma\tStraße\tPLZ\tOrt\tLand\tTelefon\tE-Mail\tAnsprechpartner\tVorname\tBreitengrad\tLängengrad",
	"K-1001\tMüller Kältetechnik GmbH\tHauptstraße 5\t01067\tDresden\tDeutschland\t+49 351 123456\tinfo@mueller-kaelte.example\tMüller\tJürgen\t51,0504\t13,7373",
	"K-1002\tBäckerei Schmidt\tLindenweg 12\t80331\tMünchen\tDeutschland\t+49 89 765432\tbackstube@schmidt.example\tSchmidt\tAnna\t48,1374\t11,5755",
	"K-1003\tHotel Zur Post\tPostplatz 1\t04109\tLeipzig\tDeutschland\t+49 341 99887\trezeption@zurpost.example\tWagner\tPeter\t51,3397\t12,3731",
	"K-1004\tFleischerei Weber\tMarktstraße 3\t50667\tKöln\tDeutschland\t+49 221 55443\tweber@fleischerei.example\tWeber\tKlaus\t50,9375\t6,9603",
}, "\r\n") + "\r\n"

// articulosES is a Spanish parts catalogue: UTF-8, ";", prices with
// thousands points and decimal commas, sí/no flags.
var articulosES = strings.Join([]string{
	"Referencia;Descripción;Categoría;Precio;Stock mínimo;Serializado",
	"BOMBA-COND;Bomba de condensados;Bombas;1.234,50;2;no",
	"COMP-ZR48;Compresor Copeland ZR48;Compresores;712,40;1;sí",
	"FILT-12;Filtro deshidratador 12;Filtros;12,30;10;no",
	"VALV-EXP;Válvula de expansión;Válvulas;89,00;4;no",
	"TERM-PRG;Termostato programable;Control;149,90;3;sí",
}, "\n") + "\n"

// magazzinoIT is an Italian stock list: UTF-8, ",", one row per serial
// number for serialized parts.
var magazzinoIT = strings.Join([]string{
	"Magazzino,Codice articolo,Quantità,Numero di serie",
	"Milano,COMP-ZR48,1,SN-0001",
	"Milano,COMP-ZR48,1,SN-0002",
	"Milano,FILT-12,25,",
	"Roma,VALV-EXP,4,",
	"Roma,TERM-PRG,\"2,5\",",
}, "\n") + "\n"

func writeInputs(t *testing.T, dir string) {
	t.Helper()
	cp, err := charmap.Windows1252.NewEncoder().String(erpFR)
	if err != nil {
		t.Fatal(err)
	}
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(kundenDE)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"erp-clients-fr.csv": cp,
		"kunden-de.txt":      u16,
		"articulos-es.csv":   articulosES,
		"magazzino-it.csv":   magazzinoIT,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeWorkbook(t, filepath.Join(dir, "equipements.xlsx"))
}

// writeWorkbook writes an equipment workbook: a notes sheet first, then the
// data sheet with two title rows and a blank row above its header, serial
// numbers with leading zeros as text, installation dates as date cells.
func writeWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Notes"))
	notes := []string{"Parc installé au 31/12/2023", "Une ligne par équipement.", "Les numéros de série gardent leurs zéros.", "Contact : service technique"}
	for i, n := range notes {
		must(f.SetCellValue("Notes", "A"+itoa(i+1), n))
	}
	_, err := f.NewSheet("Parc")
	must(err)
	must(f.SetCellValue("Parc", "A1", "Parc d'équipements"))
	must(f.SetCellValue("Parc", "A2", "Exporté le 12/03/2024"))
	header := []any{"Code équipement", "Désignation", "Code client", "Code site", "N° de série", "Date d'installation", "Étiquettes"}
	must(f.SetSheetRow("Parc", "A4", &header))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	rows := [][]any{
		{"EQ-001", "Chaudière murale", "C0001", "S-001", "000123", 45000, "chauffage;gaz"},
		{"EQ-002", "Climatiseur split", "C0001", "S-002", "004567", 44562, "clim"},
		{"EQ-003", "Chambre froide", "C0002", "S-003", "010203", 43831, "froid"},
		{"EQ-004", "Pompe à chaleur", "C0003", "S-004", "000999", 44927, "chauffage;pac"},
	}
	for i, r := range rows {
		cell := "A" + itoa(5+i)
		must(f.SetSheetRow("Parc", cell, &r))
		must(f.SetCellStyle("Parc", "F"+itoa(5+i), "F"+itoa(5+i), dateStyle))
	}
	must(f.SaveAs(path))
}

func itoa(i int) string { return strconv.Itoa(i) }
