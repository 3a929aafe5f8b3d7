package transforms

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRows runs what a typical import does to each row — three
// transform chains, a where filter and a computed address — over one
// million rows, and reports the time per row.
func BenchmarkRows(b *testing.B) {
	columns := []string{"CODE", "COMPANY", "STREET", "ZIP", "CITY", "STATUS", "PRICE", "CREATED"}
	rows := make([][]string, 1000)
	for i := range rows {
		rows[i] = []string{
			fmt.Sprintf("C%05d", i), fmt.Sprintf("  SOCIÉTÉ  N°%d ", i), fmt.Sprintf("%d rue de la Paix", i%200),
			fmt.Sprintf("%05d", 75000+i%20), "Paris", []string{"open", "closed"}[i%2],
			fmt.Sprintf("%d %03d,%02d", i%50, i%1000, i%100), fmt.Sprintf("%02d/%02d/2024", i%28+1, i%12+1),
		}
	}
	chain := func(steps ...Transform) Chain { return Chain(steps) }
	must := func(t Transform, err error) Transform {
		if err != nil {
			b.Fatal(err)
		}
		return t
	}
	name := chain(must(New("squash", nil)), must(New("title", nil)))
	price := chain(must(New("trim", nil)), must(New("number", map[string]any{"decimal": ","})))
	created := chain(must(New("date", "dd/MM/yyyy")))
	where, err := NewFilter(`STATUS != "closed"`, columns)
	if err != nil {
		b.Fatal(err)
	}
	address, err := NewExpr(`join(", ", STREET, ZIP + " " + CITY)`, columns)
	if err != nil {
		b.Fatal(err)
	}

	const n = 1_000_000
	b.ReportAllocs()
	start := time.Now()
	iterations := 0
	for b.Loop() {
		iterations++
		for i := range n {
			row := rows[i%len(rows)]
			ok, err := where.Match(row, i+2)
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				continue
			}
			for _, f := range []struct {
				c Chain
				s string
			}{{name, row[1]}, {price, row[6]}, {created, row[7]}} {
				if _, err := f.c.Apply(Text(f.s)); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := address.Eval(row, i+2); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(iterations*n), "ns/row")
}
