package sandbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for the photo checks
	_ "image/png"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// checkPDF checks the structure of a PDF file: header, trailer, startxref
// pointing at the xref table, and every xref entry pointing at its object.
func checkPDF(t *testing.T, data []byte) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(data, []byte("%%EOF\n")) {
		t.Fatalf("no PDF header or trailer")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no startxref")
	}
	off, _ := strconv.Atoi(string(m[1]))
	if off >= len(data) || !bytes.HasPrefix(data[off:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", off)
	}
	lines := strings.Split(string(data[off:]), "\n")
	count, _ := strconv.Atoi(strings.Fields(lines[1])[1])
	if count < 2 {
		t.Fatalf("xref has %d entries", count)
	}
	for i := 1; i < count; i++ {
		entry := lines[2+i]
		if len(entry)+1 != 20 { // each entry is 20 bytes with its end of line
			t.Errorf("xref entry %d %q is not 20 bytes", i, entry)
		}
		o, _ := strconv.Atoi(entry[:10])
		if !bytes.HasPrefix(data[o:], []byte(fmt.Sprintf("%d 0 obj\n", i))) {
			t.Errorf("xref entry %d points at %q", i, data[o:min(len(data), o+12)])
		}
	}
	// The content stream's /Length is right.
	lm := regexp.MustCompile(`/Length (\d+) >>\nstream\n`).FindSubmatchIndex(data)
	if lm == nil {
		t.Fatal("no content stream")
	}
	n, _ := strconv.Atoi(string(data[lm[2]:lm[3]]))
	if !bytes.HasPrefix(data[lm[1]+n:], []byte("endstream")) {
		t.Error("the stream /Length does not end at endstream")
	}
}

func TestMakePDF(t *testing.T) {
	t.Parallel()
	for _, lines := range [][]string{nil, {"Crêperie Ker Maëlle (Nantes) \\ 100 €"}, make([]string, 80)} {
		checkPDF(t, makePDF("Rapport d'intervention", lines))
	}
	if got := pdfString(`a(b)\é€☃`); got != `a\(b\)\\\351\200?` {
		t.Errorf("pdfString = %q", got)
	}
}

func TestDemoInvariants(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	jobs := mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Search", `{}`)).list(t)
	if len(jobs) < 50 {
		t.Fatalf("%d demo jobs, want at least 50", len(jobs))
	}
	for st := 0; st <= 7; st++ {
		if n := len(searchNums(t, s, fmt.Sprintf(`{"status":%d}`, st))); n == 0 {
			t.Errorf("no job with status %d", st)
		}
	}
	customers := mustOK(t, send(t, s, "GET", "/Api/v2/Customer/List", "")).list(t)
	if len(customers) < 12 {
		t.Errorf("%d customers", len(customers))
	}
	accents := false
	for _, c := range customers {
		if c["myId"] == "sCustomer08" {
			t.Error("the demo uses myId sCustomer08")
		}
		if strings.ContainsAny(c["name"].(string), "éèêëàâçôîïñúóÉ") {
			accents = true
		}
	}
	if !accents {
		t.Error("no customer name with accents")
	}
	if n := len(mustOK(t, send(t, s, "POST", "/Api/v2/Activities/Search", `{}`)).list(t)); n == 0 {
		t.Error("no activities")
	}

	var pngs, jpegs, iterated, signatures, otherTechs, partsUsed, withFields int
	for _, j := range jobs {
		id := j["id"].(string)
		d := mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/Detail?id="+id, "")).obj(t)
		for _, r := range d["report"].([]any) {
			e := r.(map[string]any)
			if fmt.Sprint(e["iteration"]) != "0" {
				iterated++
			}
			if v := e["value"].(string); strings.HasPrefix(v, "SIGN_") {
				if v != "SIGN_"+fmt.Sprint(e["id"]) {
					t.Errorf("signature value %q for item %v", v, e["id"])
				}
				signatures++
			}
		}
		if len(d["OtherTechnicians"].([]any)) > 0 {
			otherTechs++
		}
		if len(d["parts"].([]any)) > 0 {
			partsUsed++
		}
		for _, f := range d["customFieldValues"].([]any) {
			if f.(map[string]any)["value"] != "" {
				withFields++
				break
			}
		}
		for _, p := range mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/Photos?id="+id, "")).list(t) {
			data, err := base64.StdEncoding.DecodeString(p["imageData"].(string))
			if err != nil {
				t.Fatalf("photo of %s: %v", id, err)
			}
			_, kind, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("photo %v of %s does not decode: %v", p["fileName"], id, err)
			}
			name := p["fileName"].(string)
			switch {
			case kind == "png" && strings.HasSuffix(name, ".png"):
				pngs++
			case kind == "jpeg" && strings.HasSuffix(name, ".jpg"):
				jpegs++
			default:
				t.Errorf("photo %s is a %s", name, kind)
			}
		}
	}
	for what, n := range map[string]int{"PNG photos": pngs, "JPEG photos": jpegs, "report values with iteration > 0": iterated,
		"signatures": signatures, "jobs with other technicians": otherTechs, "jobs with parts": partsUsed, "jobs with custom field values": withFields} {
		if n == 0 {
			t.Errorf("no %s", what)
		}
	}
	// PDFs of a few jobs in each status are well formed.
	for _, j := range jobs[:10] {
		pdf := mustOK(t, send(t, s, "GET", "/Api/v2/Jobs/PDF?id="+j["id"].(string), "")).obj(t)
		data, err := base64.StdEncoding.DecodeString(pdf["pdfData"].(string))
		if err != nil {
			t.Fatal(err)
		}
		checkPDF(t, data)
	}
	s.mu.Lock()
	for _, a := range s.st.Attachments {
		if strings.HasSuffix(a.FileName, ".pdf") {
			checkPDF(t, a.Data)
		}
	}
	depots := len(s.st.Depots)
	lyon := s.st.depotByName("Entrepôt Lyon") != nil
	parts := len(s.st.Parts)
	s.mu.Unlock()
	if depots < 3 || !lyon || parts < 15 {
		t.Errorf("%d depots (Entrepôt Lyon: %v), %d parts", depots, lyon, parts)
	}
}

// decimal reads "1234,5600" as an exact decimal.
func decimal(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(strings.Replace(s, ",", ".", 1))
	if !ok {
		t.Fatalf("%q is not a decimal", s)
	}
	return r
}

func TestDemoInvoices(t *testing.T) {
	t.Parallel()
	s := demoServer(t)
	r := mustOK(t, send(t, s, "POST", "/Api/v2/Invoices/List", `{}`))
	l := r.list(t)
	kinds := map[string]int{}
	for _, inv := range l {
		kinds[inv["type"].(string)]++
		sum := new(big.Rat)
		for _, li := range inv["lines"].([]any) {
			line := li.(map[string]any)
			for _, k := range []string{"price", "quantity", "discount", "tax"} {
				if !regexp.MustCompile(`^-?\d+,\d\d$`).MatchString(line[k].(string)) {
					t.Errorf("invoice %v line %s = %q, want two decimals after a comma", inv["num"], k, line[k])
				}
			}
			sum.Add(sum, decimal(t, line["total"].(string)))
		}
		if total := decimal(t, fmt.Sprint(inv["total"])); total.Cmp(sum) != 0 {
			t.Errorf("invoice %v: total %v, lines add up to %s", inv["num"], inv["total"], sum.FloatString(4))
		}
	}
	if kinds["Invoice"] == 0 || kinds["Quotation"] == 0 {
		t.Errorf("kinds %v", kinds)
	}
	// The reference's three invoices, to the digit.
	body := string(r.body)
	for _, want := range []string{
		`"num":336,"status":0,"total":213.6500,"type":"Invoice"`,
		`"num":337,"status":0,"total":213.6500,"type":"Invoice"`,
		`"num":338,"status":0,"total":277.7800,"type":"Invoice"`,
		`"price":"30,00","quantity":"8,50","reference":"p3","tax":"10,00","totalLine":null,"total":"139,4000"`,
		`"price":"5,50","quantity":"10,00","reference":"p11","tax":"50,00","totalLine":null,"total":"74,2500"`,
		`"price":"10,25","quantity":"10,00","reference":"p11","tax":"50,00","totalLine":null,"total":"138,3800"`,
		`"dueDate":"02/05/2024 00:00:00","idClient":null`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("Invoices/List lacks %s", want)
		}
	}
}

func TestDemoIsDeterministic(t *testing.T) {
	t.Parallel()
	dump := func(seed int64) string {
		s := newServer(t, Config{Demo: true, Seed: seed})
		var b strings.Builder
		for _, p := range []string{"/Api/v2/Jobs/Detail?num=13430", "/Api/v2/Jobs/Photos?num=13473", "/Api/v2/Customer/List"} {
			b.Write(mustOK(t, send(t, s, "GET", p, "")).body)
		}
		b.Write(mustOK(t, send(t, s, "POST", "/Api/v2/Jobs/Search", `{}`)).body)
		b.Write(mustOK(t, send(t, s, "POST", "/Api/v2/StockRequest/Search", `{}`)).body)
		return b.String()
	}
	first, again := dump(7), dump(7)
	if first != again {
		t.Error("the same seed gives different demo data")
	}
	if first == dump(8) {
		t.Error("the seed does not change the demo data")
	}
}
