package pipeline

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// rowIndex answers as a map[string]int does, through its growths, for keys
// that share prefixes, differ by a byte, are empty or long.
func TestRowIndexAsMap(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	x := newRowIndex()
	want := map[string]int{}
	key := func() string {
		switch rng.IntN(6) {
		case 0:
			return ""
		case 1:
			return fmt.Sprintf("myid=cli-%07d", rng.IntN(5000))
		case 2:
			return fmt.Sprintf("depot=d%d reference=r%d", rng.IntN(30), rng.IntN(30))
		case 3:
			return string([]byte{byte(rng.IntN(4)), byte(rng.IntN(256))})
		case 4:
			return fmt.Sprintf("%0*d", 1+rng.IntN(200), rng.IntN(50))
		}
		return fmt.Sprintf("k%d", rng.IntN(20000))
	}
	for i := range 100_000 {
		k := key()
		switch rng.IntN(4) {
		case 0:
			got, ok := x.Get([]byte(k))
			w, wok := want[k]
			if got != w || ok != wok {
				t.Fatalf("Get(%q) = %d, %v; want %d, %v", k, got, ok, w, wok)
			}
			continue
		case 1:
			got, ok := x.Add([]byte(k), i)
			w, wok := want[k]
			if got != w || ok != wok {
				t.Fatalf("Add(%q) = %d, %v; want %d, %v", k, got, ok, w, wok)
			}
			if !wok {
				want[k] = i
			}
			continue
		}
		x.Put([]byte(k), i)
		want[k] = i
	}
	if x.Len() != len(want) {
		t.Fatalf("Len() = %d, want %d", x.Len(), len(want))
	}
	for k, w := range want {
		if got, ok := x.Get([]byte(k)); !ok || got != w {
			t.Fatalf("Get(%q) = %d, %v; want %d", k, got, ok, w)
		}
	}
	if 2*x.Len() > len(x.slots) {
		t.Errorf("%d keys in %d slots: more than half full", x.Len(), len(x.slots))
	}
}

// Keys fill several chunks, one key longer than a chunk, and many blocks
// of entries.
func TestRowIndexChunks(t *testing.T) {
	t.Parallel()
	x := newRowIndex()
	long := strings.Repeat("x", textChunk+10)
	var keys []string
	for i := range 3 * entryBlock {
		keys = append(keys, fmt.Sprintf("%0300d", i))
		if i == entryBlock/2 {
			keys = append(keys, long, long+"y")
		}
	}
	for i, k := range keys {
		x.Put([]byte(k), i)
	}
	if len(x.chunks) < 4 || len(x.blocks) < 3 {
		t.Fatalf("%d chunks, %d blocks: the test does not fill several", len(x.chunks), len(x.blocks))
	}
	for i, k := range keys {
		if got, ok := x.Get([]byte(k)); !ok || got != i {
			t.Fatalf("Get(key %d, %d bytes) = %d, %v", i, len(k), got, ok)
		}
	}
	if _, ok := x.Get([]byte(long[1:])); ok {
		t.Error("a key never added is found")
	}
}

// The index folds names as strings.ToLower does.
func TestDupIndexFoldsAsToLower(t *testing.T) {
	t.Parallel()
	x := newDupIndex(DuplicatesError, true)
	for _, id := range []string{"", "myId=CLI-0001", "MYID=ÉCOLE-ß", "reference=İstanbul", "a\xffB", "ǅ", "ABC xyz 09_-"} {
		if got, want := string(x.name(id)), strings.ToLower(id); got != want {
			t.Errorf("name(%q) = %q, want %q", id, got, want)
		}
	}
	x = newDupIndex(DuplicatesError, false)
	if got := string(x.name("Label/A.PDF")); got != "Label/A.PDF" {
		t.Errorf("name without folding = %q", got)
	}
}
