// Package scaffold writes a first mapping file for an input file: it reads
// the file as an import would (encoding, delimiter, sheet, title rows above
// the header), guesses the entity from the header, matches columns to the
// entity's fields (fuzzy matching plus a table of synonyms in six
// languages, synonyms.txt), and infers each field's transforms from a
// sample of values (dates, decimal commas, yes/no, lists, e-mails), with
// the evidence as comments.
//
// Every transform it writes is built with the transforms package first and
// applied to the sampled values; the entity's upsert key is always mapped,
// so the result loads and checks as it is.
package scaffold

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/stbulk/stbulk/synchroteam/catalog"
	"github.com/stbulk/stbulk/transforms"
)

// Options are what the user says about the input.
type Options struct {
	Entity string // the entity; "" guesses it from the header
	Sheet  string // the workbook's sheet; "" picks the one with the most data
}

// Draft is a mapping made for an input file.
type Draft struct {
	Table    *Table
	Entity   *catalog.Entity
	Given    bool     // the entity was given, not guessed
	Ranking  []Scored // every entity, best first
	Fields   []Field  // in column order
	Unmapped []int    // columns left out
	Notes    []string // what the user should check first
}

// Field is one mapped column.
type Field struct {
	Target catalog.Field
	Column int
	Rule   Rule
	Match  string // how the column was matched
}

// UnknownEntityError is an --entity the registry does not have.
type UnknownEntityError struct{ Name string }

func (e *UnknownEntityError) Error() string {
	msg := fmt.Sprintf("unknown entity %q: use one of %s", e.Name, strings.Join(catalog.Names(), ", "))
	if s := transforms.Suggest(e.Name, catalog.Names()); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// Make reads the input and drafts its mapping.
func Make(input string, opts Options) (*Draft, error) {
	var given *catalog.Entity
	if opts.Entity != "" {
		e, ok := catalog.Lookup(opts.Entity)
		if !ok {
			return nil, &UnknownEntityError{opts.Entity}
		}
		given = e
	}
	t, err := Read(input, opts.Sheet)
	if err != nil {
		return nil, err
	}
	return draft(t, given)
}

func draft(t *Table, given *catalog.Entity) (*Draft, error) {
	d := &Draft{Table: t, Ranking: Guess(t.Header)}
	switch {
	case given != nil:
		d.Entity, d.Given = given, true
	case len(d.Ranking) > 0 && d.Ranking[0].Matched > 0:
		d.Entity = d.Ranking[0].Entity
	default:
		return nil, fmt.Errorf("%s: no column matches a field of any entity (columns: %s): name the entity with --entity", t.Path, strings.Join(t.Header, ", "))
	}
	e := d.Entity
	taken := map[int]bool{}
	for _, p := range Assign(e, t.Header) {
		f, _ := e.Field(p.Field)
		d.Fields = append(d.Fields, Field{Target: f, Column: p.Column, Match: fmt.Sprintf("matched %q (%.2f)", p.Via, p.Score)})
		taken[p.Column] = true
	}
	d.proposeParents(taken)
	if err := d.ensureKey(taken); err != nil {
		return nil, err
	}
	if err := d.ensureRequired(); err != nil {
		return nil, err
	}
	for i := range d.Fields {
		d.Fields[i].Rule = d.rule(d.Fields[i])
	}
	sort.Slice(d.Fields, func(a, b int) bool { return d.Fields[a].Column < d.Fields[b].Column })
	for c := range t.Header {
		if !taken[c] {
			d.Unmapped = append(d.Unmapped, c)
		}
	}
	return d, nil
}

func (d *Draft) mapped(name string) bool {
	return slices.ContainsFunc(d.Fields, func(f Field) bool { return strings.EqualFold(f.Target.Name, name) })
}

// rule infers a field's rule and adds what its role requires.
func (d *Draft) rule(f Field) Rule {
	e := d.Entity
	vals := values(d.Table.Rows, f.Column)
	r := infer(f.Target, vals)
	natural := d.naturalKeys()
	if slices.Contains(natural, f.Target.Name) || slices.Contains(e.Required, f.Target.Name) {
		r.Required = true
	}
	if slices.Contains(e.Keys, f.Target.Name) {
		note := "upsert key"
		if e.Batch == nil {
			note += ": " + distinctNote(d.Table.Rows, f.Column)
		}
		r.Evidence = append([]string{note}, r.Evidence...)
	}
	for _, l := range e.Parents {
		if l.Field == f.Target.Name {
			r.Evidence = append(r.Evidence, fmt.Sprintf("names its %s by %s: import the %s file first", l.Parent.Name, l.ParentField, l.Parent.Name))
		}
	}
	return r
}

func distinctNote(rows [][]string, c int) string {
	vals := values(rows, c)
	seen := map[string]bool{}
	for _, v := range vals {
		seen[strings.TrimSpace(v)] = true
	}
	empty := len(rows) - len(vals)
	s := fmt.Sprintf("%d distinct of %d sampled values", len(seen), len(vals))
	if empty > 0 {
		s += fmt.Sprintf(", %d empty", empty)
	}
	return s
}

// naturalKeys are the entity's keys that are not Synchroteam ids.
func (d *Draft) naturalKeys() []string {
	var out []string
	for _, k := range d.Entity.Keys {
		if !slices.Contains(d.Entity.IDs, k) {
			out = append(out, k)
		}
	}
	return out
}

// proposeParents maps a column left over whose header names a parent
// entity ("Client", "Site") to the link field its values look like: codes
// to the parent's key, names to its name.
func (d *Draft) proposeParents(taken map[int]bool) {
	for c, h := range d.Table.Header {
		if taken[c] {
			continue
		}
		ws := words(h)
		vals := values(d.Table.Rows, c)
		if len(vals) == 0 {
			continue
		}
		codes := share(vals, codeLike)*10 >= len(vals)*9
		for _, l := range d.Entity.Parents {
			if d.mapped(l.Field) || !slices.ContainsFunc(table.entities[l.Parent.Name], func(w string) bool { return slices.Contains(ws, w) }) {
				continue
			}
			f, ok := d.Entity.Field(l.Field)
			if !ok || f.Kind == catalog.KindID {
				continue
			}
			parentKey := slices.Contains(l.Parent.Keys, l.ParentField)
			if codes != parentKey {
				continue
			}
			what := "names"
			if codes {
				what = "codes"
			}
			d.Fields = append(d.Fields, Field{Target: f, Column: c,
				Match: fmt.Sprintf("its header names a %s and its values look like %s", l.Parent.Name, what)})
			taken[c] = true
			break
		}
	}
}

// ensureKey maps the upsert key when no column matched one: the column
// whose sampled values are all present and distinct, code-like first.
func (d *Draft) ensureKey(taken map[int]bool) error {
	e := d.Entity
	if len(e.Keys) == 0 || slices.ContainsFunc(e.Keys, d.mapped) {
		return nil
	}
	natural := d.naturalKeys()
	if len(natural) == 0 {
		return fmt.Errorf("%s: no column names a key of %s (%s)", d.Table.Path, e.Name, strings.Join(e.Keys, ", "))
	}
	best, bestScore := -1, 0
	for c := range d.Table.Header {
		if taken[c] {
			continue
		}
		vals := values(d.Table.Rows, c)
		seen := map[string]bool{}
		for _, v := range vals {
			seen[strings.TrimSpace(v)] = true
		}
		if len(vals) == 0 || len(vals) < len(d.Table.Rows) || len(seen) < len(vals) {
			continue
		}
		score := 2
		if share(vals, codeLike) == len(vals) {
			score = 3
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	if best < 0 {
		return fmt.Errorf("%s: no column can be the upsert key of %s (one of %s): none is named like one, and no column left has a distinct value in every sampled row; add one, or give --entity",
			d.Table.Path, e.Name, strings.Join(natural, ", "))
	}
	f, _ := e.Field(natural[0])
	d.Fields = append(d.Fields, Field{Target: f, Column: best,
		Match: "no column is named like a key: this one has a distinct value in every sampled row; check that it identifies a record"})
	taken[best] = true
	d.Notes = append(d.Notes, fmt.Sprintf("the upsert key %s is column %q, chosen for its distinct values: check it", natural[0], d.Table.Header[best]))
	return nil
}

// ensureRequired refuses to draft a batched entity without the fields the
// mapping loader requires of it.
func (d *Draft) ensureRequired() error {
	e := d.Entity
	if e.Batch == nil {
		return nil
	}
	var missing []string
	for _, r := range e.Required {
		if !d.mapped(r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: %s needs a column for %s, and none matched (columns: %s): rename the column, or write that field by hand",
			d.Table.Path, e.Name, strings.Join(missing, " and "), strings.Join(d.Table.Header, ", "))
	}
	return nil
}
