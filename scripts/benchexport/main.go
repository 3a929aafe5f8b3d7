// Command benchexport serves the two endpoints a jobs export reads,
// Jobs/Search and Jobs/Detail (and, with -photos, Jobs/Photos and
// Jobs/PDF), for scripts/bench-export.sh: N jobs, each answered when asked
// and held nowhere, so that the memory measured is the export's alone. It
// answers as pipeline's BenchmarkExportReport and BenchmarkExportPhotos
// do: jobs with address, contact, custom fields, parts and a report of 10
// items (a block of them repeated); with -photos, 5 photos of -photo-size
// bytes and a PDF each.
//
//	go run ./scripts/benchexport -jobs 100000 -addr 127.0.0.1:0
//
// It prints "listening on http://ADDR" and serves until killed. It checks
// no credentials: it is a load generator, not a sandbox.
package main

import (
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
)

// reportItems is the number of report items of each job.
const reportItems = 10

func main() {
	jobs := flag.Int("jobs", 10000, "jobs the search finds")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	photos := flag.Bool("photos", false, "answer Jobs/Photos with 5 photos and Jobs/PDF with a PDF")
	photoSize := flag.Int("photo-size", 256<<10, "bytes of each photo (the PDF has a quarter)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	os.Stdout.Sync()
	var b64 string
	if *photos {
		rng := rand.New(rand.NewPCG(1, 2))
		img := make([]byte, *photoSize)
		for i := range img {
			img[i] = byte(rng.Uint32())
		}
		b64 = base64.StdEncoding.EncodeToString(img)
	}
	log.Fatal(http.Serve(ln, handler(*jobs, b64)))
}

func handler(n int, b64 string) http.Handler {
	categories := []string{"Arrival", "Checks", "Measures", "Sign Off"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		num := r.URL.Query().Get("num")
		switch r.URL.Path {
		case "/Api/v2/Jobs/Search":
			filter, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			step := 1
			if strings.Contains(string(filter), "changedFrom") {
				step = 10 // one job in ten changed since the last run
			}
			fmt.Fprint(w, "[")
			for i := 0; i < n; i += step {
				if i > 0 {
					fmt.Fprint(w, ",")
				}
				fmt.Fprintf(w, `{"id":"265_%d","myId":"ref-%d","num":"%d"}`, i, i, 100000+i)
			}
			fmt.Fprint(w, "]")
		case "/Api/v2/Jobs/Detail":
			var b strings.Builder
			fmt.Fprintf(&b, `{"scheduledBeginDate":"19/07/2016 14:43:00","scheduledEndDate":"19/07/2016 16:43:00",
"RealBeginDate":"19/07/2016 14:50:00","RealEndDate":"19/07/2016 16:16:00",
"siteName":"Site of customer %[1]s","customerMyId":"C-%[1]s","customerName":"Boulangerie Dupré %[1]s",
"description":"Annual maintenance of the cold room and its compressor, job %[1]s","idCreator":265,"idCustomer":8386,
"idEquipment":93929,"idJob":"265_%[1]s","idJobType":629,"nmJobType":"Maintenance","idReport":781,"idSite":62611,
"idUser":1551,"login":"techtest","nameEquipment":"Cold room CF-62033","priority":1,
"ContactPhone":"+12125875967","contactMobile":"+19293358480","contactName":"Dupré","contactFirstName":"Anne",
"publicLink":"https://synchroteam.com/Jobs/PublicJob/afb5853-3ec6-46ea-bc9c-%[1]s","status":5,
"customFieldValues":[{"name":"sector","value":"Food","id":182},{"name":"contract","value":"GOLD-%[1]s","id":185},{"name":"zone","value":"North","id":186}],
"duration":86,"globalAddress":"6605 Fisher Avenue, Falls Church, VA 22046, United States","adressCity":"Falls Church",
"adressCountry":"United States","adressProvince":"Virginia","adressStreet":"6605 Fisher Avenue","adressZIP":"22046",
"myId":"ref-%[1]s","num":%[1]s,
"parts":[{"id":34454,"quantity":2,"reference":"ACCROCHE FIX CF62033"},{"id":35947,"quantity":10,"reference":"111-a"}],
"position":{"Latitude":"43.9695148","Longitude":"-99.90181310000"},
"OtherTechnicians":["steven","ann"],"report":[`, num)
			for k := range reportItems {
				if k > 0 {
					b.WriteString(",")
				}
				iteration, item := 0, k
				if k >= reportItems-4 { // the last item, repeated: a repeatable block
					iteration, item = k-(reportItems-4), reportItems-4
				}
				fmt.Fprintf(&b, `{"id":%d,"idCategory":%d,"iteration":%d,"nmCategory":%q,"nmItem":"Item %d","value":"Value %d of job %s, checked"}`,
					3400+item, 1160+item%len(categories), iteration, categories[item%len(categories)], item, k, num)
			}
			b.WriteString("]}")
			io.WriteString(w, b.String())
		case "/Api/v2/Jobs/Photos":
			if b64 == "" {
				io.WriteString(w, "[]")
				return
			}
			io.WriteString(w, "[")
			for k := range 5 {
				if k > 0 {
					io.WriteString(w, ",")
				}
				// Without the job's reference, which the export does not
				// read: it asked for the photos of one job.
				io.WriteString(w, `{"iteration":0,"fileName":"image.png","comment":"","imageData":"`)
				io.WriteString(w, b64)
				io.WriteString(w, `"}`)
			}
			io.WriteString(w, "]")
		case "/Api/v2/Jobs/PDF":
			io.WriteString(w, `{"pdfData":"`)
			io.WriteString(w, b64[:len(b64)/4])
			io.WriteString(w, `"}`)
		default:
			http.NotFound(w, r)
		}
	})
}
