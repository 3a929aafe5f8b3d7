// Command benchcsv writes the customers CSV that scripts/bench.sh imports
// in a dry run and gives to Miller: n rows of 10 comma-separated UTF-8
// columns, with decimal commas (quoted: "47,2126") and ";"-separated tag
// lists, the same bytes for the same -rows and -seed. About 1 % of
// the rows have an email without a dot in its domain, which the mapping's
// email check rejects.
//
//	go run ./scripts/benchcsv -rows 1000000 -o customers.csv
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

var (
	first  = []string{"boulangerie", "pâtisserie", "hôtel", "brasserie", "café", "épicerie", "crèmerie", "société", "garage", "pharmacie"}
	second = []string{"dupré", "des célestins", "müller", "le nœud papillon", "françois", "de l'étoile", "saint-éloi", "bérénice", "du lœss", "núñez"}
	street = []string{"rue mercière", "rue de la charité", "place kléber", "avenue jean-jaurès", "quai saint-antoine", "boulevard des brotteaux", "chemin des écoliers", "impasse du château"}
	city   = []string{"Lyon", "Villeurbanne", "Strasbourg", "Saint-Étienne", "Besançon", "Orléans", "Nîmes", "Périgueux", "Clermont-Ferrand", "Évry"}
	tags   = []string{"boulangerie", "froid", "hôtel", "restaurant", "bière", "pâtisserie", "maintenance", "contrat"}
	slug   = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "â", "a", "ô", "o", "î", "i", "ü", "u", "ç", "c", "œ", "oe", "ñ", "n", "ú", "u", " ", "", "'", "")
)

func main() {
	rows := flag.Int("rows", 1_000_000, "rows to write (besides the header)")
	seed := flag.Uint64("seed", 1, "seed of the random choices")
	out := flag.String("o", "", "the file to write (required)")
	flag.Parse()
	if *out == "" || *rows < 1 {
		fmt.Fprintln(os.Stderr, "usage: benchcsv -rows N -o FILE")
		os.Exit(2)
	}
	if err := write(*out, *rows, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "benchcsv:", err)
		os.Exit(1)
	}
}

func write(path string, n int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	rng := rand.New(rand.NewPCG(seed, 0xbe5c))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	rec := []string{"code", "name", "street", "zip", "city", "email", "phone", "lat", "lng", "tags"}
	if err := w.Write(rec); err != nil {
		f.Close()
		return err
	}
	var list []string
	for i := range n {
		a, b := pick(first), pick(second)
		name := a + "  " + b
		if rng.IntN(3) == 0 {
			name = " " + strings.ToUpper(name) + " "
		}
		email := fmt.Sprintf(" Contact.%d@%s.example", i+1, slug.Replace(b))
		if rng.IntN(100) == 0 {
			email = fmt.Sprintf("ventas%d@ferreteria-nunez", i+1) // no dot in the domain
		}
		list = list[:0]
		for range 1 + rng.IntN(3) {
			list = append(list, pick(tags))
		}
		if rng.IntN(4) == 0 {
			list[0] = strings.ToUpper(list[0])
		}
		rec[0] = fmt.Sprintf("CLI-%07d", i+1)
		rec[1] = name
		rec[2] = fmt.Sprintf("%d %s", 1+rng.IntN(200), pick(street))
		rec[3] = fmt.Sprintf("%05d", 1000+rng.IntN(94000))
		rec[4] = pick(city)
		rec[5] = email
		rec[6] = fmt.Sprintf("+33 %d %02d %02d %02d %02d", 1+rng.IntN(9), rng.IntN(100), rng.IntN(100), rng.IntN(100), rng.IntN(100))
		rec[7] = strings.Replace(strconv.FormatFloat(43+rng.Float64()*6, 'f', 4, 64), ".", ",", 1)
		rec[8] = strings.Replace(strconv.FormatFloat(-1+rng.Float64()*8, 'f', 4, 64), ".", ",", 1)
		rec[9] = strings.Join(list, ";")
		if err := w.Write(rec); err != nil {
			f.Close()
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
