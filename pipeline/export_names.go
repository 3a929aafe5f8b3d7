package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// names looks up the names of customers and sites and the nums of jobs,
// once each, for every goroutine of a run.
type names struct {
	c  *synchroteam.Client
	mu sync.Mutex
	m  map[string]*nameEntry
}

type nameEntry struct {
	done chan struct{}
	cell writers.Cell
	err  error
}

func (n *names) get(ctx context.Context, kind string, id synchroteam.ID, warn func(string)) (writers.Cell, error) {
	if id == "" || id == "0" {
		return writers.Cell{}, nil
	}
	key := kind + " " + string(id)
	n.mu.Lock()
	if n.m == nil {
		n.m = map[string]*nameEntry{}
	}
	ent, ok := n.m[key]
	if !ok {
		ent = &nameEntry{done: make(chan struct{})}
		n.m[key] = ent
	}
	n.mu.Unlock()
	if !ok {
		ent.cell, ent.err = n.lookup(ctx, kind, id)
		close(ent.done)
	} else {
		select {
		case <-ent.done:
		case <-ctx.Done():
			return writers.Cell{}, ctx.Err()
		}
	}
	if ent.err != nil {
		// A record that is gone leaves its name empty; any other failure
		// fails the item, to be read again by the next run.
		if !errors.Is(ent.err, synchroteam.ErrNotFound) || ctx.Err() != nil {
			return writers.Cell{}, fmt.Errorf("%s %s: %w", kind, id, ent.err)
		}
		warn(fmt.Sprintf("%s %s: %v", kind, id, ent.err))
		return writers.Cell{}, nil
	}
	return ent.cell, nil
}

func (n *names) lookup(ctx context.Context, kind string, id synchroteam.ID) (writers.Cell, error) {
	switch kind {
	case "customer":
		c, err := n.c.Customers.Get(ctx, synchroteam.ByID(id))
		if err != nil {
			return writers.Cell{}, err
		}
		return textCell(c.Name), nil
	case "site":
		s, err := n.c.Sites.Get(ctx, synchroteam.ByID(id))
		if err != nil {
			return writers.Cell{}, err
		}
		return textCell(s.Name), nil
	}
	j, err := n.c.Jobs.Get(ctx, synchroteam.ByID(id))
	if err != nil {
		return writers.Cell{}, err
	}
	return idCell(string(j.Num)), nil
}
