package readers

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// A workbook's shared strings are held in blocks of sstBlock strings: a
// block is the end offset of each of its strings (4 bytes each) followed
// by their text. Blocks are kept in memory up to a budget (xlsxSSTMemory,
// in pages so that memory never holds two copies), and written past it to
// a temporary file, deleted as soon as it is created where the system
// allows it (so that nothing is left behind, even after kill -9), on Close
// elsewhere. Only the offset of each block stays in memory for those (8
// bytes per 32 strings); they are read back in runs of blocks, through a
// cache, not one read per cell. A string longer than the field limit is
// kept as a flag only (sstTooLong in its end offset): a cell that uses it
// is a row error.
const (
	sstBlock      = 32
	sstPage       = 4 << 20
	xlsxSSTMemory = 8 << 20  // bytes of shared-string blocks held in memory
	sstCacheBytes = 2 << 20  // bytes of spilled blocks held in the cache
	sstReadAhead  = 64 << 10 // bytes read at once from the file, at most

	sstTooLong   = 1 << 31  // flag of an end offset: the string is too long to be kept
	sstMaxString = 32 << 20 // longest string kept, whatever the field limit: a block stays under 2 GiB
)

type sharedStrings struct {
	n       int      // strings
	at      []uint64 // block b starts at at[b]: page<<32|offset in memory, or file offset
	inMem   int      // blocks in memory: those before the first spilled one
	pages   [][]byte
	memUsed int64
	budget  int64

	file   *os.File
	remove string // the file to delete on close, where it could not be at once
	w      *bufio.Writer
	size   int64 // bytes in the file

	// The block being filled.
	ends []uint32
	data []byte

	limit int   // the longest string kept
	bytes int64 // text of all strings

	cache sstCache
	hdr   []byte
}

func newSharedStrings(memory int64, fieldBytes int) *sharedStrings {
	return &sharedStrings{budget: memory, limit: min(fieldBytes, sstMaxString), ends: make([]uint32, 0, sstBlock)}
}

// add appends a string.
func (ss *sharedStrings) add(s []byte) error {
	end := uint32(len(ss.data) + len(s))
	if len(s) > ss.limit {
		end = uint32(len(ss.data)) | sstTooLong
	} else {
		ss.data = append(ss.data, s...)
	}
	ss.ends = append(ss.ends, end)
	ss.n++
	if len(ss.ends) == sstBlock {
		return ss.flush()
	}
	return nil
}

// flush stores the block being filled.
func (ss *sharedStrings) flush() error {
	if len(ss.ends) == 0 {
		return nil
	}
	size := 4*len(ss.ends) + len(ss.data)
	defer func() { ss.ends, ss.data = ss.ends[:0], ss.data[:0] }()
	if ss.file == nil && ss.memUsed+int64(size) <= ss.budget {
		page := len(ss.pages) - 1
		if page < 0 || len(ss.pages[page])+size > cap(ss.pages[page]) {
			// Pages grow with the table, up to sstPage: a small table
			// takes little memory.
			grow := min(max(ss.memUsed, 64<<10), sstPage, ss.budget-ss.memUsed)
			ss.pages = append(ss.pages, make([]byte, 0, max(grow, int64(size))))
			page++
		}
		p := ss.pages[page]
		ss.at = append(ss.at, uint64(page)<<32|uint64(len(p)))
		p = ss.appendBlock(p)
		ss.pages[page] = p
		ss.memUsed += int64(size)
		ss.inMem++
		return nil
	}
	if ss.file == nil {
		if err := ss.spill(); err != nil {
			return err
		}
	}
	ss.at = append(ss.at, uint64(ss.size))
	ss.hdr = ss.appendBlock(ss.hdr[:0])
	if _, err := ss.w.Write(ss.hdr); err != nil {
		return fmt.Errorf("writing shared strings to a temporary file: %w", err)
	}
	ss.size += int64(len(ss.hdr))
	return nil
}

func (ss *sharedStrings) appendBlock(b []byte) []byte {
	for _, e := range ss.ends {
		b = binary.LittleEndian.AppendUint32(b, e)
	}
	return append(b, ss.data...)
}

// spill opens the temporary file the blocks past the memory budget go to.
func (ss *sharedStrings) spill() error {
	f, err := os.CreateTemp("", "stbulk-sst-*")
	if err != nil {
		return fmt.Errorf("a temporary file for the shared strings: %w", err)
	}
	if os.Remove(f.Name()) != nil {
		ss.remove = f.Name() // Windows: an open file cannot be deleted
	}
	ss.file = f
	ss.w = bufio.NewWriterSize(f, 1<<20)
	return nil
}

// done ends the loading.
func (ss *sharedStrings) done() error {
	if err := ss.flush(); err != nil {
		return err
	}
	ss.data = nil
	if ss.w != nil {
		if err := ss.w.Flush(); err != nil {
			return fmt.Errorf("writing shared strings to a temporary file: %w", err)
		}
		ss.w = nil
	}
	ss.cache.init(ss)
	return nil
}

func (ss *sharedStrings) close() error {
	if ss == nil || ss.file == nil {
		return nil
	}
	err := ss.file.Close()
	if ss.remove != "" {
		if rerr := os.Remove(ss.remove); err == nil {
			err = rerr
		}
	}
	ss.file = nil
	return err
}

// blockLen is the number of strings in block b.
func (ss *sharedStrings) blockLen(b int) int { return min(sstBlock, ss.n-b*sstBlock) }

// fileSpan is where spilled block b lies in the file.
func (ss *sharedStrings) fileSpan(b int) (off, size int64) {
	off = int64(ss.at[b])
	if b+1 < len(ss.at) {
		return off, int64(ss.at[b+1]) - off
	}
	return off, ss.size - off
}

// get returns string i, or tooLong for a string too long to be kept. The
// bytes are valid until the next call.
func (ss *sharedStrings) get(i int) (s []byte, tooLong bool, err error) {
	b, k := i/sstBlock, i%sstBlock
	cnt := ss.blockLen(b)
	var blk []byte
	if b < ss.inMem {
		page, off := ss.at[b]>>32, ss.at[b]&(1<<32-1)
		blk = ss.pages[page][off:]
	} else if blk, err = ss.cache.block(b); err != nil {
		return nil, false, err
	} else if blk == nil {
		return ss.cache.direct(b, k, cnt)
	}
	start, end := stringSpan(blk, k)
	if end&sstTooLong != 0 {
		return nil, true, nil
	}
	return blk[4*cnt+int(start) : 4*cnt+int(end)], false, nil
}

// stringSpan is where string k of a block lies in the block's text; the
// end keeps its sstTooLong flag.
func stringSpan(hdr []byte, k int) (start, end uint32) {
	end = binary.LittleEndian.Uint32(hdr[4*k:])
	if k > 0 {
		start = binary.LittleEndian.Uint32(hdr[4*(k-1):]) &^ sstTooLong
	}
	return start, end
}

// sstCache holds runs of spilled blocks read at once. A run is read from
// the block asked for on, up to readAhead bytes; when most runs serve one
// block (cells that use the strings in no order), runs shrink to one
// block, and grow again when they serve many. Which run holds a block is
// in slot (4 bytes per spilled block); the buffers of evicted runs are
// used again.
type sstCache struct {
	ss        *sharedStrings
	limit     int64   // bytes held
	slot      []int32 // slot[b-ss.inMem]: the index in ring of the run holding block b, or -1
	ring      []*sstRun
	hand      int
	held      int64
	spare     []*sstRun // evicted runs, to be used again
	readAhead int64
	lookups   int
	misses    int
}

type sstRun struct {
	first int
	buf   []byte
	offs  []int // offset in buf of each block of the run
	used  bool
}

func (c *sstCache) init(ss *sharedStrings) {
	c.ss = ss
	c.readAhead = sstReadAhead
	c.limit = sstCacheBytes
	c.slot = make([]int32, len(ss.at)-ss.inMem)
	for i := range c.slot {
		c.slot[i] = -1
	}
}

// block returns spilled block b, or nil when it is too large to be cached.
func (c *sstCache) block(b int) ([]byte, error) {
	c.lookups++
	if c.lookups == 4096 {
		switch {
		case c.misses > c.lookups/2:
			c.readAhead = max(c.readAhead/4, 1)
		case c.misses < c.lookups/20:
			c.readAhead = min(c.readAhead*2, sstReadAhead)
		}
		c.lookups, c.misses = 0, 0
	}
	if i := c.slot[b-c.ss.inMem]; i >= 0 {
		r := c.ring[i]
		r.used = true
		return r.buf[r.offs[b-r.first]:], nil
	}
	c.misses++
	off, size := c.ss.fileSpan(b)
	if size > c.limit/8 {
		return nil, nil
	}
	// The run: block b and those after it not cached, within readAhead
	// bytes.
	last, total := b, size
	for last+1 < len(c.ss.at) && last+1-b < 4096 && c.slot[last+1-c.ss.inMem] < 0 {
		_, s := c.ss.fileSpan(last + 1)
		if total+s > c.readAhead {
			break
		}
		last++
		total += s
	}
	c.evict(total)
	r := c.newRun(b, last, total)
	if _, err := c.ss.file.ReadAt(r.buf, off); err != nil {
		return nil, fmt.Errorf("reading shared strings back from a temporary file: %w", err)
	}
	for k := b; k <= last; k++ {
		o, _ := c.ss.fileSpan(k)
		r.offs[k-b] = int(o - off)
		c.slot[k-c.ss.inMem] = int32(len(c.ring))
	}
	c.ring = append(c.ring, r)
	c.held += total
	return r.buf[r.offs[0]:], nil
}

// reset makes r a run of blocks first to last, of size bytes.
func (r *sstRun) reset(first, last int, size int64) {
	r.first, r.used = first, false
	r.buf = r.buf[:size]
	r.offs = r.offs[:last-first+1]
}

// newRun returns a run for blocks first to last, of size bytes, made of an
// evicted one's memory when one is large enough.
func (c *sstCache) newRun(first, last int, size int64) *sstRun {
	for i := len(c.spare) - 1; i >= 0 && i >= len(c.spare)-8; i-- {
		if r := c.spare[i]; int64(cap(r.buf)) >= size && cap(r.offs) > last-first {
			c.spare = append(c.spare[:i], c.spare[i+1:]...)
			r.reset(first, last, size)
			return r
		}
	}
	return &sstRun{first: first, buf: make([]byte, size), offs: make([]int, last-first+1)}
}

// evict drops runs, least recently used first (a clock), until need more
// bytes fit.
func (c *sstCache) evict(need int64) {
	for c.held+need > c.limit && len(c.ring) > 0 {
		c.hand %= len(c.ring)
		r := c.ring[c.hand]
		if r.used {
			r.used = false
			c.hand++
			continue
		}
		c.setSlots(r, -1)
		c.held -= int64(len(r.buf))
		last := len(c.ring) - 1
		c.ring[c.hand] = c.ring[last]
		c.ring[last] = nil
		c.ring = c.ring[:last]
		if c.hand < last {
			c.setSlots(c.ring[c.hand], int32(c.hand))
		}
		if len(c.spare) == 64 {
			c.spare = c.spare[1:]
		}
		c.spare = append(c.spare, r)
	}
}

func (c *sstCache) setSlots(r *sstRun, i int32) {
	for k := range r.offs {
		c.slot[r.first+k-c.ss.inMem] = i
	}
}

// direct reads string k of a block too large for the cache: its offsets,
// then its text.
func (c *sstCache) direct(b, k, cnt int) ([]byte, bool, error) {
	off, _ := c.ss.fileSpan(b)
	hdr := make([]byte, 4*cnt)
	if _, err := c.ss.file.ReadAt(hdr, off); err != nil {
		return nil, false, fmt.Errorf("reading shared strings back from a temporary file: %w", err)
	}
	start, end := stringSpan(hdr, k)
	if end&sstTooLong != 0 {
		return nil, true, nil
	}
	s := make([]byte, end-start)
	if _, err := c.ss.file.ReadAt(s, off+int64(4*cnt)+int64(start)); err != nil {
		return nil, false, fmt.Errorf("reading shared strings back from a temporary file: %w", err)
	}
	return s, false, nil
}

// loadSharedStrings reads a shared-strings part: each <si>'s text (its <t>,
// or the <t> of its rich-text runs <r>; phonetic runs <rPh> left out), with
// Excel's _xHHHH_ escapes decoded. It reads the part to its end, so that a
// damaged part fails its checksum here. The context is checked as it goes.
func loadSharedStrings(ctx context.Context, r io.Reader, part string, lim Limits, memory int64) (*sharedStrings, error) {
	sc := newXMLScanner(r, lim.XMLDepth)
	sc.ctx = ctx
	ss := newSharedStrings(memory, lim.FieldBytes)
	keep := ss.limit + 1 // enough to tell a string too long
	fail := func(err error) (*sharedStrings, error) {
		_ = ss.close()
		return nil, err
	}
	for {
		start, err := sc.next()
		if err == io.EOF {
			return ss, ss.done() // no <sst>: no strings
		}
		if err != nil {
			return fail(err)
		}
		if start && sc.is("sst") {
			break
		}
	}
	top := sc.depth()
	var text []byte
	for !sc.empty {
		start, err := sc.next()
		if err != nil {
			return fail(sc.eofInside(err))
		}
		if !start {
			if sc.depth() < top {
				break
			}
			continue
		}
		if !sc.is("si") {
			if err := sc.skip(); err != nil {
				return fail(err)
			}
			continue
		}
		if ss.n >= lim.SharedStrings {
			return fail(&limitError{what: fmt.Sprintf("%s holds more than %d strings", part, lim.SharedStrings), key: "shared_strings", whole: true})
		}
		if text, err = richText(sc, text[:0], keep); err != nil {
			return fail(err)
		}
		ss.bytes += int64(len(text))
		if ss.bytes > lim.SharedStringBytes {
			return fail(&limitError{what: fmt.Sprintf("%s holds more than %s of text", part, byteSize(lim.SharedStringBytes)), key: "shared_string_bytes", whole: true})
		}
		if err := ss.add(bstrDecode(text)); err != nil {
			return fail(err)
		}
	}
	// Read to the end: the zip reader checks the part's checksum there.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fail(err)
	}
	if err := ss.done(); err != nil {
		return fail(err)
	}
	return ss, nil
}

// richText appends the text of a string item (<si>, or a cell's <is>) to
// dst: its <t>, then the <t> of each run <r>; anything else, phonetic runs
// (<rPh>) included, is skipped. It reads the item's end tag. Text past
// limit bytes is not kept.
func richText(sc *xmlScanner, dst []byte, limit int) ([]byte, error) {
	if sc.empty {
		return dst, nil
	}
	top := sc.depth()
	base := len(dst)
	for {
		start, err := sc.next()
		if err != nil {
			return dst, sc.eofInside(err)
		}
		if !start {
			if sc.depth() < top {
				return dst, nil
			}
			continue
		}
		switch {
		case sc.is("t") && sc.depth() == top+1,
			sc.is("t") && sc.depth() == top+2 && parentIs(sc, "r"):
			if dst, _, err = sc.text(dst, max(limit-(len(dst)-base), 0)); err != nil {
				return dst, err
			}
		case sc.is("r") && sc.depth() == top+1:
			// Its <t> is read above; its properties are skipped below.
		default:
			if err := sc.skip(); err != nil {
				return dst, err
			}
		}
	}
}

// parentIs reports whether the element enclosing the current one is name.
func parentIs(sc *xmlScanner, name string) bool {
	if sc.empty {
		return len(sc.stack) > 0 && string(localName(sc.stack[len(sc.stack)-1])) == name
	}
	return len(sc.stack) > 1 && string(localName(sc.stack[len(sc.stack)-2])) == name
}

// limitError is a limit of Limits passed; key names it in a mapping.
type limitError struct {
	what  string
	key   string
	whole bool // what names the part
}

func (e *limitError) Error() string {
	return fmt.Sprintf("%s (a limit: limits.%s in the mapping raises it)", e.what, e.key)
}
