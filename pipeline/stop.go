package pipeline

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

// InterruptGrace is how long requests in flight may finish after an interrupt.
const InterruptGrace = 10 * time.Second

// stop is how a run ends before the end of its inputs: an interrupt (its
// parent context ends), or a stop the run decides (a fatal API error,
// --max-errors, a report it cannot write).
//
// Once stopped, no row is handed to a sender and no request starts; the
// rows left are recorded as not sent. Requests already on the wire are not
// cut by a stop: they finish and their outcome is recorded. After an
// interrupt they get InterruptGrace, then they are cut too.
type stop struct {
	reading context.Context // ends at an interrupt or a stop
	halt    context.CancelFunc
	wire    context.Context // carries the requests on the wire
	cut     context.CancelFunc
	done    chan struct{}

	mu  sync.Mutex
	why string // why the run stopped; "" when it was interrupted or goes on
	err error  // what the run returns for it (nil for --max-errors)
	log io.Writer
}

func newStop(ctx context.Context, log io.Writer) *stop {
	s := &stop{done: make(chan struct{}), log: log}
	s.reading, s.halt = context.WithCancel(ctx)
	s.wire, s.cut = context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		select {
		case <-ctx.Done():
		case <-s.done:
			return
		}
		t := time.NewTimer(InterruptGrace)
		defer t.Stop()
		select {
		case <-t.C:
			s.cut()
		case <-s.done:
		}
	}()
	return s
}

// now stops the run for why; err is what the run returns for it. The
// first stop wins.
func (s *stop) now(why string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.why != "" {
		return
	}
	s.why, s.err = why, err
	s.halt()
	if s.log != nil {
		fmt.Fprintf(s.log, "stopping: %s\n", why)
	}
}

// halted reports whether the run stopped or was interrupted.
func (s *stop) halted() bool { return s.reading.Err() != nil }

// reason is why the run stopped, "" when it did not (or was interrupted).
func (s *stop) reason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.why
}

// fatal is the error the run returns for its stop, if any.
func (s *stop) fatal() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// calls is the context of requests: their waits (for the rate limiter,
// before a retry) end with a stop, while a request on the wire goes on.
func (s *stop) calls() context.Context {
	return synchroteam.WithWireContext(s.reading, s.wire)
}

// close releases the grace timer once every request has ended.
func (s *stop) close() {
	close(s.done)
	s.cut()
	s.halt()
}
