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

// nameOf reads the cell that stands for a record in an invoice's row: a
// customer's or a site's name, a job's num.
type nameOf struct {
	what string // the record, in words, for messages
	read func(ctx context.Context, c *synchroteam.Client, id synchroteam.ID) (writers.Cell, error)
}

var (
	customerName = nameOf{"customer", func(ctx context.Context, c *synchroteam.Client, id synchroteam.ID) (writers.Cell, error) {
		cu, err := c.Customers.Get(ctx, synchroteam.ByID(id))
		if err != nil {
			return writers.Cell{}, err
		}
		return textCell(cu.Name), nil
	}}
	siteName = nameOf{"site", func(ctx context.Context, c *synchroteam.Client, id synchroteam.ID) (writers.Cell, error) {
		s, err := c.Sites.Get(ctx, synchroteam.ByID(id))
		if err != nil {
			return writers.Cell{}, err
		}
		return textCell(s.Name), nil
	}}
	// siteCustomer is the name of a site's customer: an invoice whose
	// idClient is null gets it from its site.
	siteCustomer = nameOf{"customer of site", func(ctx context.Context, c *synchroteam.Client, id synchroteam.ID) (writers.Cell, error) {
		s, err := c.Sites.Get(ctx, synchroteam.ByID(id))
		if err != nil {
			return writers.Cell{}, err
		}
		return customerByName(ctx, c, s.CustomerName, s.CustomerID)
	}}
	// jobCustomer is the name of a job's customer, for an invoice whose
	// idClient is null and whose site names none.
	jobCustomer = nameOf{"customer of job", func(ctx context.Context, c *synchroteam.Client, id synchroteam.ID) (writers.Cell, error) {
		j, err := c.Jobs.Get(ctx, synchroteam.ByID(id))
		if err != nil {
			return writers.Cell{}, err
		}
		return customerByName(ctx, c, j.CustomerName, j.CustomerID)
	}}
	jobNum = nameOf{"job", func(ctx context.Context, c *synchroteam.Client, id synchroteam.ID) (writers.Cell, error) {
		j, err := c.Jobs.Get(ctx, synchroteam.ByID(id))
		if err != nil {
			return writers.Cell{}, err
		}
		return idCell(string(j.Num)), nil
	}}
)

// customerByName returns name, or the name of the customer id when name is
// empty; an empty cell when neither is given.
func customerByName(ctx context.Context, c *synchroteam.Client, name string, id synchroteam.ID) (writers.Cell, error) {
	if name != "" || id == "" || id == "0" {
		return textCell(name), nil
	}
	return customerName.read(ctx, c, id)
}

func (n *names) get(ctx context.Context, of nameOf, id synchroteam.ID, warn func(string)) (writers.Cell, error) {
	if id == "" || id == "0" {
		return writers.Cell{}, nil
	}
	key := of.what + " " + string(id)
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
		ent.cell, ent.err = of.read(ctx, n.c, id)
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
			return writers.Cell{}, fmt.Errorf("%s %s: %w", of.what, id, ent.err)
		}
		warn(fmt.Sprintf("%s %s: %v", of.what, id, ent.err))
		return writers.Cell{}, nil
	}
	return ent.cell, nil
}
