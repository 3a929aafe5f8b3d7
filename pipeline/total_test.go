package pipeline

import (
	"context"
	"sync"
	"testing"
)

// TestRunTotalsTheRows: Total tells, for each CSV mapping, as many rows as
// the run then reads, before Run returns.
func TestRunTotalsTheRows(t *testing.T) {
	t.Parallel()
	for _, name := range exampleNames(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			maps := loadExamples(t, name)
			var mu sync.Mutex
			totals := map[*Mapping]int{}
			sum, err := Run(context.Background(), maps, Options{DryRun: true, OutDir: t.TempDir(),
				Total: func(m *Mapping, rows int) {
					mu.Lock()
					defer mu.Unlock()
					totals[m] = rows
				}})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, ms := range sum.Mappings {
				var m *Mapping
				for _, mm := range maps {
					if mm.File == ms.Mapping {
						m = mm
					}
				}
				got, ok := totals[m]
				if !ok {
					t.Logf("%s: no total (not a CSV source, or no dimension)", ms.Mapping)
					continue
				}
				if got != ms.Read {
					t.Errorf("%s: total %d, read %d", ms.Mapping, got, ms.Read)
				}
			}
		})
	}
}
