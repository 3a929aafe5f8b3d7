package readers

import (
	"io"
	"sync"
)

// asyncReader reads its source in another goroutine, a few chunks ahead:
// a worksheet is unpacked on one core while its rows are parsed, and used,
// on another. Close stops the goroutine.
type asyncReader struct {
	src  io.Reader
	full chan []byte // chunks read, in order
	free chan []byte // chunks to read into
	done chan struct{}
	once sync.Once
	err  error  // the source's error, set before full is closed
	buf  []byte // the chunk being read from
	cur  []byte // what is left of it
}

const (
	asyncChunk  = 256 << 10
	asyncChunks = 4
)

func newAsyncReader(src io.Reader) *asyncReader {
	a := &asyncReader{src: src, full: make(chan []byte, asyncChunks), free: make(chan []byte, asyncChunks), done: make(chan struct{})}
	for range asyncChunks {
		a.free <- make([]byte, asyncChunk)
	}
	go a.run()
	return a
}

func (a *asyncReader) run() {
	defer close(a.full)
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.done:
			return
		}
		n, err := 0, error(nil)
		for n < len(buf) && err == nil {
			var m int
			m, err = a.src.Read(buf[n:])
			n += m
		}
		if n > 0 {
			select {
			case a.full <- buf[:n]:
			case <-a.done:
				return
			}
		}
		if err != nil {
			a.err = err
			return
		}
	}
}

func (a *asyncReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.buf != nil {
			a.free <- a.buf[:cap(a.buf)]
			a.buf = nil
		}
		buf, ok := <-a.full
		if !ok {
			return 0, a.err
		}
		a.buf, a.cur = buf, buf
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops the reading goroutine and waits for it to end.
func (a *asyncReader) Close() error {
	a.once.Do(func() {
		close(a.done)
		for range a.full { // the goroutine closes full when it returns
		}
	})
	return nil
}
