package pipeline

import (
	"encoding/binary"
	"hash/maphash"
)

// rowIndex maps texts to row numbers, as a map[string]int would, in memory
// the garbage collector has nothing to look at: the texts end to end in
// chunks of bytes, entries in blocks, and an open-addressing table of
// entries. The duplicate index of an input holds one text per record of
// it: for a million records, a map's million strings would be scanned at
// each collection, and weigh more. Chunks and blocks are never copied to
// grow: the memory grows by steps, not by doubling.
type rowIndex struct {
	seed   maphash.Seed
	chunks [][]byte     // each key's length (uvarint), then the key
	blocks [][]rowEntry // entries in the order added, entryBlock a block
	n      int          // entries
	slots  []uint32     // 1 + an entry's index; 0 for a free slot
	tags   []uint8      // the top byte of the hash of each slot's key
}

// rowEntry is a key, at chunk at>>32, offset at&0xffffffff, and its row.
type rowEntry struct {
	at  uint64
	row int
}

const (
	textChunk  = 1 << 20 // bytes of a chunk, unless a key needs more
	entryBlock = 1 << 13
)

func newRowIndex() *rowIndex {
	return &rowIndex{seed: maphash.MakeSeed(), slots: make([]uint32, 64), tags: make([]uint8, 64)}
}

// Len returns the number of keys.
func (x *rowIndex) Len() int { return x.n }

func (x *rowIndex) entry(i int) *rowEntry { return &x.blocks[i/entryBlock][i%entryBlock] }

// key returns the text of entry i.
func (x *rowIndex) key(i int) []byte {
	at := x.entry(i).at
	c := x.chunks[at>>32][at&0xffffffff:]
	n, w := binary.Uvarint(c)
	return c[w : w+int(n)]
}

// find returns the slot of key: the slot holding it, or the free slot where
// it goes, and the tag of key. Only a slot of the same tag is compared.
func (x *rowIndex) find(key []byte) (int, uint8) {
	h := maphash.Bytes(x.seed, key)
	tag := uint8(h >> 56)
	mask := len(x.slots) - 1
	i := int(h) & mask
	for {
		e := x.slots[i]
		if e == 0 || x.tags[i] == tag && string(x.key(int(e-1))) == string(key) {
			return i, tag
		}
		i = (i + 1) & mask
	}
}

// Get returns the row of key, and whether it is there.
func (x *rowIndex) Get(key []byte) (int, bool) {
	s, _ := x.find(key)
	if e := x.slots[s]; e != 0 {
		return x.entry(int(e - 1)).row, true
	}
	return 0, false
}

// Put sets the row of key, adding key when it is not there.
func (x *rowIndex) Put(key []byte, row int) {
	s, tag := x.find(key)
	if e := x.slots[s]; e != 0 {
		x.entry(int(e - 1)).row = row
		return
	}
	x.add(s, tag, key, row)
}

// Add returns the row of key when it is there; else it adds key with row.
func (x *rowIndex) Add(key []byte, row int) (int, bool) {
	s, tag := x.find(key)
	if e := x.slots[s]; e != 0 {
		return x.entry(int(e - 1)).row, true
	}
	x.add(s, tag, key, row)
	return 0, false
}

// add puts key, with row, in free slot s.
func (x *rowIndex) add(s int, tag uint8, key []byte, row int) {
	need := binary.MaxVarintLen64 + len(key)
	last := len(x.chunks) - 1
	if last < 0 || cap(x.chunks[last])-len(x.chunks[last]) < need {
		x.chunks = append(x.chunks, make([]byte, 0, max(textChunk, need)))
		last++
	}
	c := x.chunks[last]
	at := uint64(last)<<32 | uint64(len(c))
	c = binary.AppendUvarint(c, uint64(len(key)))
	x.chunks[last] = append(c, key...)
	if x.n%entryBlock == 0 {
		x.blocks = append(x.blocks, make([]rowEntry, entryBlock))
	}
	*x.entry(x.n) = rowEntry{at: at, row: row}
	x.n++
	x.slots[s], x.tags[s] = uint32(x.n), tag
	if 2*x.n > len(x.slots) {
		x.grow()
	}
}

// grow doubles the table, keeping it at most half full.
func (x *rowIndex) grow() {
	x.slots = make([]uint32, 2*len(x.slots))
	x.tags = make([]uint8, len(x.slots))
	mask := len(x.slots) - 1
	for n := range x.n {
		h := maphash.Bytes(x.seed, x.key(n))
		i := int(h) & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		x.slots[i], x.tags[i] = uint32(n+1), uint8(h>>56)
	}
}
