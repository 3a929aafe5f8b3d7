package pipeline

import "hash/maphash"

// rowIndex maps texts to row numbers, as a map[string]int would, in memory
// the garbage collector has nothing to look at: the texts end to end in one
// byte slice, and an open-addressing table of their positions. The
// duplicate index of an input holds one text per record of it: for a
// million records, a map's million strings would be scanned at each
// collection, and weigh more.
type rowIndex struct {
	seed  maphash.Seed
	text  []byte     // the keys, end to end, in the order added
	ents  []rowEntry // in the order added
	slots []uint32   // 1 + an index in ents; 0 for a free slot
}

// rowEntry is a key, text[off:] up to the next entry's off, and its row.
type rowEntry struct {
	off int
	row int
}

func newRowIndex() *rowIndex {
	return &rowIndex{seed: maphash.MakeSeed(), slots: make([]uint32, 64)}
}

// Len returns the number of keys.
func (x *rowIndex) Len() int { return len(x.ents) }

// key returns the text of entry i.
func (x *rowIndex) key(i int) []byte {
	end := len(x.text)
	if i+1 < len(x.ents) {
		end = x.ents[i+1].off
	}
	return x.text[x.ents[i].off:end]
}

// find returns the slot of key: the slot holding it, or the free slot where
// it goes.
func (x *rowIndex) find(key string) int {
	mask := len(x.slots) - 1
	i := int(maphash.String(x.seed, key)) & mask
	for {
		e := x.slots[i]
		if e == 0 || string(x.key(int(e-1))) == key {
			return i
		}
		i = (i + 1) & mask
	}
}

// Get returns the row of key, and whether it is there.
func (x *rowIndex) Get(key string) (int, bool) {
	e := x.slots[x.find(key)]
	if e == 0 {
		return 0, false
	}
	return x.ents[e-1].row, true
}

// Put sets the row of key, adding key when it is not there.
func (x *rowIndex) Put(key string, row int) {
	s := x.find(key)
	if e := x.slots[s]; e != 0 {
		x.ents[e-1].row = row
		return
	}
	x.ents = append(x.ents, rowEntry{off: len(x.text), row: row})
	x.text = append(x.text, key...)
	x.slots[s] = uint32(len(x.ents))
	if 2*len(x.ents) > len(x.slots) {
		x.grow()
	}
}

// grow doubles the table, keeping it at most half full.
func (x *rowIndex) grow() {
	x.slots = make([]uint32, 2*len(x.slots))
	mask := len(x.slots) - 1
	for n := range x.ents {
		i := int(maphash.Bytes(x.seed, x.key(n))) & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = uint32(n + 1)
	}
}
