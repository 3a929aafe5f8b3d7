package pipeline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// feed drives a batcher as produce does: valid rows are added, bad ones
// refused; it returns the row numbers of each job handed to the senders and
// the rows rejected with their reasons.
func feed(b *batcher, rows []struct {
	num        int
	depot, ref string
	bad        bool
}) (sent [][]int, rejected map[int]string) {
	results := make(chan result, 100)
	rejected = map[int]string{}
	take := func(js []job) {
		for _, j := range js {
			if len(j.rows) == 0 {
				continue
			}
			if j.refused != "" {
				for _, r := range j.rows {
					rejected[r.Num] = j.refused
				}
				continue
			}
			var nums []int
			for _, r := range j.rows {
				nums = append(nums, r.Num)
			}
			sent = append(sent, nums)
		}
	}
	for _, r := range rows {
		p := map[string]any{"depot": r.depot, "reference": r.ref, "quantity": "1"}
		row := readers.Row{Num: r.num}
		if r.bad {
			take(b.refuse(result{row: row, payload: p}))
			rejected[r.num] = "bad"
			continue
		}
		take(b.add(row, catalog.Item{Row: r.num, Payload: p}, results))
	}
	take(b.flush())
	close(results)
	for res := range results {
		rejected[res.row.Num] = res.reason
	}
	return sent, rejected
}

func TestBatcherKeepsGroupsWholeAndAllOrNone(t *testing.T) {
	t.Parallel()
	type row = struct {
		num        int
		depot, ref string
		bad        bool
	}
	inv, _ := catalog.Lookup("inventory")
	b := newBatcher(2, inv.Batch.Group)
	sent, rejected := feed(b, []row{
		{2, "stock", "A", false}, {3, "stock", "A", false}, {4, "stock", "A", false}, // one group of 3: never cut
		{5, "stock", "B", false}, {6, "stock", "B", true}, {7, "stock", "B", false}, // a bad row spoils B
		{8, "stock", "C", true}, {9, "stock", "C", false}, // a bad first row spoils C too
		{10, "stock", "D", false},
		{11, "stock", "A", false}, // A comes back after it was sent
		{12, "stock", "B", false}, // B comes back after it was refused
	})
	if diff := cmp.Diff([][]int{{2, 3, 4}, {10}}, sent); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for _, n := range []int{5, 7, 9} {
		if !strings.Contains(rejected[n], "of the same part and depot was not valid") {
			t.Errorf("row %d: %q, want it held back with its group", n, rejected[n])
		}
	}
	if !strings.Contains(rejected[11], "was already sent with row 2") {
		t.Errorf("row 11: %q", rejected[11])
	}
	if !strings.Contains(rejected[12], "row 6 of the same part") {
		t.Errorf("row 12: %q", rejected[12])
	}
}

func TestBatcherPlainBatches(t *testing.T) {
	t.Parallel()
	type row = struct {
		num        int
		depot, ref string
		bad        bool
	}
	b := newBatcher(2, nil)
	sent, _ := feed(b, []row{{2, "", "p1", false}, {3, "", "p1", false}, {4, "", "p2", false}})
	if diff := cmp.Diff([][]int{{2, 3}, {4}}, sent); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
