package pipeline

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// parents remembers the keys of the rows that did not make it, per
// "entity.field", with where they came from: a child row naming one of
// them (a site of a customer that failed) is skipped rather than sent to
// fail. The collector writes it while the reader checks rows against it.
type parents struct {
	mu     sync.RWMutex
	failed map[string]map[string]string
}

func newParents() *parents { return &parents{failed: map[string]map[string]string{}} }

// remember records the keys by which children name a row that did not
// make it.
func (ps *parents) remember(e *catalog.Entity, input string, res result) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, f := range catalog.ChildKeys(e.Name) {
		raw, ok := catalog.Value(res.payload, f)
		v := fmt.Sprint(raw)
		if !ok || v == "" {
			continue
		}
		k := e.Name + "." + f
		if ps.failed[k] == nil {
			ps.failed[k] = map[string]string{}
		}
		if _, seen := ps.failed[k][v]; !seen {
			ps.failed[k][v] = fmt.Sprintf("%s row %d", filepath.Base(input), res.row.Num)
		}
	}
}

// orphan returns why a row must be skipped because its parent failed, or "".
func (ps *parents) orphan(e *catalog.Entity, p Payload) string {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	for _, link := range e.Parents {
		v, ok := catalog.Value(p, link.Field)
		if !ok {
			continue
		}
		if where, failed := ps.failed[link.Parent.Name+"."+link.ParentField][fmt.Sprint(v)]; failed {
			return fmt.Sprintf("skipped: its %s %s=%v was not imported (%s)", link.Parent.Name, link.ParentField, v, where)
		}
	}
	return ""
}
