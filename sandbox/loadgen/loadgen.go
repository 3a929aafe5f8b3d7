// Package loadgen serves the endpoints a jobs export reads, with synthetic
// jobs made when they are asked for and held nowhere: the memory a
// benchmark measures against it is the client's. It checks no credentials:
// it is a load generator for benchmarks, not a sandbox.
package loadgen

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ReportItems is the number of report items of each job.
const ReportItems = 10

// Jobs answers Jobs/Search with n jobs (one in ten when the search asks
// for changes: changedFrom) and Jobs/Detail with a job as a technician
// fills it: address, contact, custom fields, parts and a report of
// ReportItems items, a block of them repeated. With b64 (a photo, in
// base64) it answers Jobs/Photos with 5 such photos and Jobs/PDF with a
// PDF of a quarter of it; without, Jobs/Photos with none.
func Jobs(n int, b64 string) http.Handler {
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
			for k := range ReportItems {
				if k > 0 {
					b.WriteString(",")
				}
				iteration, item := 0, k
				if k >= ReportItems-4 { // the last item, repeated: a repeatable block
					iteration, item = k-(ReportItems-4), ReportItems-4
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
