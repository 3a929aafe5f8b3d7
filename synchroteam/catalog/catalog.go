// Package catalog is the registry of what stbulk can import: one file per
// entity (customer.go, site.go, inventory.go, attachment.go...), each
// declaring everything about it — its fields and their aliases, its keys,
// the parents its rows name, how its rows are sent (one by one or in
// batches, and which rows must travel together), and how one record is read
// back by its key.
//
// The machinery that imports rows (pipeline), checks mapping files, writes
// the JSON Schema and the help text reads this registry; it never names an
// entity. Adding an entity is adding a file here with its Entity value and
// listing that value in registry below.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// Kind is the type of a field's value on the wire.
type Kind int

// The kinds of fields.
const (
	KindString   Kind = iota
	KindID            // an id: number or string on the wire, sent as text
	KindNumber        // a decimal
	KindInteger       // a whole number
	KindBool          // true or false
	KindDate          // yyyy-mm-dd
	KindDateTime      // yyyy-mm-dd hh:mm:ss
	KindList          // a list of strings
	KindFile          // the path of a local file whose content is sent
)

var kindNames = [...]string{"string", "id", "number", "integer", "boolean", "date", "date-time", "list", "file"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Field is one field of an entity, named as the API spells it. Nested
// fields are dotted paths: "position.latitude", "startLocation.fullAdress".
type Field struct {
	Name    string
	Kind    Kind
	Aliases []string // other names accepted for it (e.g. addressCity for adressCity)
	Doc     string
	// Min and Max bound a number field, as decimal texts ("-90", "90");
	// empty for fields without bounds.
	Min, Max string
	// ReadAs is where the entity's Details answer shows the field, when not
	// under its own name; "-" when it does not show it at all (a site's
	// customer, a user's password), so that it cannot be checked.
	ReadAs string
	// Fold: the API may write the value in another case (an email, a
	// language code): plan and verify compare it ignoring case.
	Fold bool
}

// Link says that a field of a child names a record of a parent entity: a
// site's customerMyId names a customer by its myId.
type Link struct {
	Field       string  // the child's field (a dotted path for nested ones)
	Parent      *Entity // the parent entity
	ParentField string  // the parent's field that holds the same value
}

// Payload is one record as sent: API field names, nested objects for
// dotted fields.
type Payload = map[string]any

// Item is one row's payload in a batch.
type Item struct {
	Row     int // the source row, for messages naming another row
	Payload Payload
}

// Entity is everything stbulk knows about one importable entity.
type Entity struct {
	Name     string // as written in mapping files: customer, site, part_price...
	Doc      string // one line, for help and docs
	Endpoint string // e.g. "Customer/Send"
	// Keys are the fields that identify an existing record, in order of
	// precedence. IDs are those of them that are Synchroteam ids: the API
	// creates a new record for an id it does not know, so only the others
	// (natural keys: myId, reference, login, num, name) make a send safe to
	// repeat. An entity without keys creates a record at every send.
	Keys []string
	IDs  []string
	// Label, for an entity without keys, names what a row sends in
	// reports and in the ledger of --changed-only (an attachment: its owner
	// and its file).
	Label        func(p Payload) string
	Required     []string // fields a new record must have
	Fields       []Field
	CustomFields bool   // accepts customFieldValues.<Name>
	Parents      []Link // the fields by which its rows name parent records
	// Prepare, when set, checks a row's payload beyond its fields (an
	// attachment names one owner) and completes it; its error rejects the
	// row.
	Prepare func(p Payload) error
	// Send writes one record and returns the id the API gives back. nil
	// for entities written in batches.
	Send func(ctx context.Context, c *synchroteam.Client, p Payload, keyed bool) (synchroteam.ID, error)
	// Batch, when set, writes the entity's rows in batches.
	Batch *Batch
	// Read reads one record back by a key (Details), or is nil when the API
	// cannot (see ReadBack).
	Read func(ctx context.Context, c *synchroteam.Client, by synchroteam.Lookup) (any, error)
	// ReadKeys are the keys Read accepts, in order of precedence.
	ReadKeys []string
}

// Batch is how an entity's rows are written several at a time.
type Batch struct {
	// Send writes the items in one request and returns each one's
	// outcome: errs[i] is nil when item i was applied.
	Send func(ctx context.Context, c *synchroteam.Client, items []Item) (errs []error)
	// Group, when set, keeps the rows of one group (one part in one depot)
	// in one request, all or none.
	Group *Group
}

// Grouping is the batch's group rule, nil when its rows are not grouped
// (or for a nil batch: an entity written one record at a time).
func (b *Batch) Grouping() *Group {
	if b == nil {
		return nil
	}
	return b.Group
}

// Group keeps rows together: their request sets a value from all of them at
// once, so a part of them alone would set a wrong one.
type Group struct {
	// Key is the group of a payload; false when the payload lacks what
	// names its group.
	Key func(p Payload) (string, bool)
	// Closed is why a row of a group that was already sent (with first, its
	// first payload, at row) is refused: a later request would replace it.
	Closed func(first Payload, row int) string
	// Spoiled is why the rows of a group are not sent when its row bad was
	// not valid.
	Spoiled func(bad int) string
	// Items, when set, are what a row adds to its group, each as
	// "field=value" (inventory: its serial numbers): two rows of a group
	// adding the same item write it twice. A row adding none is never the
	// same as another (quantities without serial numbers add up).
	Items func(p Payload) []string
}

// registry lists the entities. Their import order is not this order but a
// topological sort of their parent links (see Ordered); this order only
// breaks ties.
var registry = []*Entity{
	&activityType, &user, &customer, &site, &equipment, &part, &partPrice, &inventory, &job, &attachment,
}

// Names returns the names of the importable entities, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for _, e := range registry {
		names = append(names, e.Name)
	}
	sort.Strings(names)
	return names
}

// All returns the entities in import order, parents first. The entities are
// the caller's own copies.
func All() []*Entity {
	out := make([]*Entity, 0, len(registry))
	for _, e := range ordered {
		out = append(out, e.clone())
	}
	return out
}

// Lookup returns the entity of that name (as written in mapping files). It
// is the caller's own copy: changing it changes nothing else.
func Lookup(name string) (*Entity, bool) {
	for _, e := range registry {
		if strings.EqualFold(e.Name, name) {
			return e.clone(), true
		}
	}
	return nil, false
}

func (e *Entity) clone() *Entity {
	c := *e
	c.Keys = slices.Clone(e.Keys)
	c.IDs = slices.Clone(e.IDs)
	c.Required = slices.Clone(e.Required)
	c.Parents = slices.Clone(e.Parents)
	c.ReadKeys = slices.Clone(e.ReadKeys)
	c.Fields = make([]Field, len(e.Fields))
	for i, f := range e.Fields {
		f.Aliases = slices.Clone(f.Aliases)
		c.Fields[i] = f
	}
	return &c
}

// ordered is the registry in import order.
var ordered = mustOrder(registry)

// mustOrder sorts entities so that every parent comes before its children
// (Kahn's algorithm; among entities free at the same time, the registry's
// order). A cycle or a link to an unknown entity is a mistake in this
// package: it panics at start-up, and TestRegistry finds it first.
func mustOrder(all []*Entity) []*Entity {
	byName := map[string]*Entity{}
	for _, e := range all {
		byName[e.Name] = e
	}
	waiting := map[string]int{} // parents not yet placed
	for _, e := range all {
		for _, p := range e.parentNames() {
			if byName[p] == nil {
				panic(fmt.Sprintf("catalog: %s names a parent %q that is not in the registry", e.Name, p))
			}
			waiting[e.Name]++
		}
	}
	var out []*Entity
	placed := map[string]bool{}
	for len(out) < len(all) {
		progress := false
		for _, e := range all {
			if placed[e.Name] || waiting[e.Name] > 0 {
				continue
			}
			placed[e.Name], progress = true, true
			out = append(out, e)
			for _, c := range all {
				if slices.Contains(c.parentNames(), e.Name) {
					waiting[c.Name]--
				}
			}
			break // the next one is again the first free in registry order
		}
		if !progress {
			panic("catalog: the parent links of the entities make a cycle")
		}
	}
	return out
}

// parentNames are the entities e names through its links, each once.
func (e *Entity) parentNames() []string {
	var out []string
	for _, l := range e.Parents {
		if !slices.Contains(out, l.Parent.Name) {
			out = append(out, l.Parent.Name)
		}
	}
	return out
}

// Rank is the entity's place in import order: parents have lower ranks.
func Rank(name string) int {
	for i, e := range ordered {
		if e.Name == name {
			return i
		}
	}
	return len(ordered)
}

// ChildKeys are the fields by which the children of the entity name it
// (a customer's myId, id and name), in the order the children declare them.
func ChildKeys(name string) []string {
	var out []string
	for _, e := range ordered {
		for _, l := range e.Parents {
			if l.Parent.Name == name && !slices.Contains(out, l.ParentField) {
				out = append(out, l.ParentField)
			}
		}
	}
	return out
}

// Batched returns the names of the entities written in batches, in import
// order.
func Batched() []string {
	var out []string
	for _, e := range ordered {
		if e.Batch != nil {
			out = append(out, e.Name)
		}
	}
	return out
}

// Field finds a field by its API name or an alias, case-insensitively. For
// entities with custom fields, "customFieldValues.<Name>" is a field of
// kind string.
func (e *Entity) Field(name string) (Field, bool) {
	for _, f := range e.Fields {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
		for _, a := range f.Aliases {
			if strings.EqualFold(a, name) {
				return f, true
			}
		}
	}
	if cf, ok := CustomFieldName(name); ok && e.CustomFields && cf != "" {
		return Field{Name: "customFieldValues." + cf, Kind: KindString, Doc: "custom field " + cf}, true
	}
	return Field{}, false
}

// FieldNames returns the API names of the entity's fields, for hints.
func (e *Entity) FieldNames() []string {
	names := make([]string, 0, len(e.Fields)+1)
	for _, f := range e.Fields {
		names = append(names, f.Name)
	}
	if e.CustomFields {
		names = append(names, "customFieldValues.<Name>")
	}
	return names
}

// CustomFieldName splits "customFieldValues.Sector" (any case of the prefix)
// into "Sector".
func CustomFieldName(path string) (string, bool) {
	const prefix = "customfieldvalues."
	if len(path) > len(prefix) && strings.EqualFold(path[:len(prefix)], prefix) {
		return path[len(prefix):], true
	}
	return "", false
}

// ErrKeyNUL is the error of a key field whose value holds a NUL byte.
var ErrKeyNUL = errors.New("a key must not hold a NUL character")

// CheckKey refuses a value holding a NUL byte in a field that identifies a
// record: one of the entity's keys or read keys, or a field naming a parent.
// Such a key would be cut or refused by the API and shown otherwise in
// reports. Other fields are not checked.
func (e *Entity) CheckKey(field, value string) error {
	if !strings.ContainsRune(value, 0) {
		return nil
	}
	key := slices.Contains(e.Keys, field) || slices.Contains(e.ReadKeys, field)
	for _, l := range e.Parents {
		key = key || l.Field == field
	}
	if key {
		return ErrKeyNUL
	}
	return nil
}

// Keyed reports whether a payload carries one of the entity's natural keys
// (myId, reference, login, num, name), so that repeating its send cannot
// create a duplicate. A Synchroteam id does not count: the API creates a new
// record for an id it does not know.
func (e *Entity) Keyed(p Payload) bool {
	for _, k := range e.Keys {
		if slices.Contains(e.IDs, k) {
			continue
		}
		if v, ok := Value(p, k); ok && !isEmptyValue(v) {
			return true
		}
	}
	return false
}

// Key returns the value of the first key a payload carries, as
// "field=value", for reports; for batched entities every key it carries
// (an inventory row is a depot and a reference); for an entity without
// keys, its Label.
func (e *Entity) Key(p Payload) string {
	if len(e.Keys) == 0 && e.Label != nil {
		return e.Label(p)
	}
	var parts []string
	for _, k := range e.Keys {
		if v, ok := Value(p, k); ok {
			s := valueText(v)
			if s == "" {
				continue
			}
			parts = append(parts, k+"="+s)
			if e.Batch == nil {
				break
			}
		}
	}
	return strings.Join(parts, " ")
}

// Identities name the records a row writes, for finding the rows of one
// input that write the same record: the pairs Key gives, values trimmed
// ("myId=CLI-001"; "reference=p11" for a part price); for an entity whose
// group has Items, one per item ("depot=stock reference=refHi001
// serial=SN-1"), none when the row adds none; for an entity without keys,
// its Label. None when the payload carries no key.
func (e *Entity) Identities(p Payload) []string {
	var key string
	if len(e.Keys) == 0 {
		if e.Label == nil {
			return nil
		}
		key = strings.TrimSpace(e.Label(p))
	} else {
		var buf [4]string
		parts := buf[:0]
		for _, k := range e.Keys {
			v, ok := Value(p, k)
			if !ok {
				continue
			}
			s := strings.TrimSpace(valueText(v))
			if s == "" {
				continue
			}
			parts = append(parts, k+"="+s)
			if e.Batch == nil {
				break
			}
		}
		key = strings.Join(parts, " ")
	}
	if key == "" {
		return nil
	}
	g := e.Batch.Grouping()
	if g == nil || g.Items == nil {
		return []string{key}
	}
	var out []string
	for _, it := range g.Items(p) {
		out = append(out, key+" "+it)
	}
	return out
}

// Value returns the value of a field of a payload, following dotted paths
// into nested objects.
func Value(p Payload, field string) (any, bool) {
	if v, ok := p[field]; ok {
		return v, v != nil
	}
	head, rest, nested := strings.Cut(field, ".")
	if !nested {
		return nil, false
	}
	obj, ok := p[head].(map[string]any)
	if !ok {
		return nil, false
	}
	return Value(obj, rest)
}

// valueText is a payload's value as fmt.Sprint writes it, without fmt for
// a text.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func isEmptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

// sendTo is the Send of an entity written through a create-or-update
// endpoint answering {"code": <id>}.
func sendTo(endpoint string) func(context.Context, *synchroteam.Client, Payload, bool) (synchroteam.ID, error) {
	return func(ctx context.Context, c *synchroteam.Client, p Payload, keyed bool) (synchroteam.ID, error) {
		return c.SendRecord(ctx, endpoint, p, keyed)
	}
}

// fields joins groups of fields.
func fields(groups ...[]Field) []Field { return slices.Concat(groups...) }
