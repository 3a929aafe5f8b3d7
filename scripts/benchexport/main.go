// Command benchexport serves the two endpoints a jobs export reads,
// Jobs/Search and Jobs/Detail (and, with -photos, Jobs/Photos and
// Jobs/PDF), for scripts/bench-export.sh: N jobs, each answered when asked
// and held nowhere, so that the memory measured is the export's alone. It
// serves sandbox/loadgen's jobs, as pipeline's BenchmarkExportReport does
// in process: address, contact, custom fields, parts and a report of 10
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
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"

	"github.com/stbulk/stbulk/sandbox/loadgen"
)

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
	log.Fatal(http.Serve(ln, loadgen.Jobs(*jobs, b64)))
}
