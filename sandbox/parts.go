package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

type part struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Reference    string    `json:"reference"`
	Price        string    `json:"price"` // decimal text, dot notation
	TaxID        int64     `json:"taxId,omitempty"`
	CategoryID   int64     `json:"categoryId,omitempty"`
	MinQuantity  int64     `json:"minQuantity,omitempty"`
	Tracked      bool      `json:"tracked,omitempty"`
	Serializable bool      `json:"serializable,omitempty"`
	Modified     time.Time `json:"modified"`
}

type category struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type tax struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Value string `json:"value"` // percent, decimal text
}

func (st *state) indexPart(p *part, add bool) {
	op := index.remove
	if add {
		op = index.add
	}
	op(st.idx.partRef, p.Reference, p.ID)
}

// findPart resolves a part by id or reference.
func (st *state) findPart(what, id, reference string) (*part, error) {
	var found *part
	if id = strings.TrimSpace(id); id != "" {
		n, err := parseID(what+" id", id)
		if err != nil {
			return nil, err
		}
		if found = st.Parts[n]; found == nil {
			return nil, fmt.Errorf("%s: no part with id %q", what, id)
		}
	}
	if reference = strings.TrimSpace(reference); reference != "" {
		n, _ := st.idx.partRef.first(reference)
		byRef := st.Parts[n]
		switch {
		case byRef == nil:
			return nil, fmt.Errorf("%s: no part with reference %q", what, shorten(reference))
		case found != nil && found != byRef:
			return nil, fmt.Errorf("%s: the part's id and reference name different parts", what)
		}
		found = byRef
	}
	return found, nil
}

type partIn struct {
	ID           synchroteam.ID     `json:"id"`
	Name         *text              `json:"name"`
	Reference    *text              `json:"reference"`
	Price        synchroteam.Number `json:"price"`
	TaxID        synchroteam.ID     `json:"taxId"`
	CategoryID   synchroteam.ID     `json:"categoryId"`
	CategoryName *text              `json:"categoryName"`
	MinQuantity  wholeNumber        `json:"minQuantity"`
	Tracked      synchroteam.Bool   `json:"tracked"`
	Serializable synchroteam.Bool   `json:"serializable"`
}

// partOut is a part as Part/Details shows it: price and taxVal are strings;
// minQuantity, tracked and serializable are stored but not shown, as in the
// reference's example.
type partOut struct {
	CategoryID   *int64  `json:"categoryId"`
	CategoryName string  `json:"categoryName"`
	ID           int64   `json:"id"`
	Name         string  `json:"name"`
	Price        string  `json:"price"`
	Reference    string  `json:"reference"`
	TaxID        *int64  `json:"taxId"`
	TaxVal       *string `json:"taxVal"`
}

func (st *state) partOut(p *part) partOut {
	out := partOut{
		CategoryID: optID(p.CategoryID), ID: p.ID, Name: p.Name, Price: p.Price, Reference: p.Reference,
		TaxID: optID(p.TaxID),
	}
	if cat := st.Categories[p.CategoryID]; cat != nil {
		out.CategoryName = cat.Name
	}
	if t := st.Taxes[p.TaxID]; t != nil {
		v := t.Value
		out.TaxVal = &v
	}
	return out
}

// partsBy lists the ids of the parts whose reference or id is value.
func (s *Server) partsBy(c *call, by, value string) ([]int64, *answer) {
	st := s.st
	return recordsBy(c, by, value, func(id int64) bool { return st.Parts[id] != nil },
		map[string]index{"reference": st.idx.partRef})
}

// partDetails answers GET Part/Details?{reference|id}=value.
func (s *Server) partDetails(c *call) answer {
	ids, by, value, a := lookupRecords(c, s.partsBy, "reference", "id")
	if a != nil {
		return *a
	}
	if len(ids) == 0 {
		return c.notFound("part with %s %q not found", by, shorten(value))
	}
	return ok(s.st.partOut(s.st.Parts[ids[0]]))
}

// partSend answers POST Part/Send: create or update by id or reference.
// A category named but unknown is created; a tax id must exist.
func (s *Server) partSend(c *call) answer {
	var in partIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	var p *part
	if in.ID != "" {
		id, err := parseID("id", string(in.ID))
		if err != nil {
			return c.invalid("%v", err)
		}
		p = st.Parts[id]
	}
	if r := str(in.Reference); r != "" {
		n, found := st.idx.partRef.first(r)
		switch {
		case p == nil && found:
			p = st.Parts[n]
		case p != nil && found && n != p.ID:
			return c.invalid("reference %q is already used by part %d", shorten(r), n)
		}
	}
	if p == nil {
		if str(in.Name) == "" {
			return c.invalid("the part's name is required")
		}
		if str(in.Reference) == "" {
			return c.invalid("the part's reference is required")
		}
	} else {
		if in.Name != nil && str(in.Name) == "" {
			return c.invalid("the part's name must not be empty")
		}
		if in.Reference != nil && str(in.Reference) == "" {
			return c.invalid("the part's reference must not be empty")
		}
	}
	price, hasPrice, err := number("price", in.Price)
	if err != nil {
		return c.invalid("%v", err)
	}
	if hasPrice && price < 0 {
		return c.invalid("price %s must not be negative", decimalText(price))
	}
	var taxID int64
	if t := strings.TrimSpace(string(in.TaxID)); t != "" && t != "0" {
		if taxID, err = parseID("taxId", t); err != nil {
			return c.invalid("%v", err)
		}
		if st.Taxes[taxID] == nil {
			return c.invalid("no tax with id %d", taxID)
		}
	}
	var cat *category
	if cid := strings.TrimSpace(string(in.CategoryID)); cid != "" && cid != "0" {
		id, err := parseID("categoryId", cid)
		if err != nil {
			return c.invalid("%v", err)
		}
		if cat = st.Categories[id]; cat == nil {
			return c.invalid("no part category with id %d", id)
		}
	} else if name := str(in.CategoryName); name != "" {
		for _, id := range sortedKeys(st.Categories) {
			if strings.EqualFold(st.Categories[id].Name, name) {
				cat = st.Categories[id]
				break
			}
		}
		if cat == nil {
			cat = &category{ID: st.next("category"), Name: name}
			st.Categories[cat.ID] = cat
		}
	}
	minQ, hasMin := in.MinQuantity.Int64()
	if hasMin && minQ < 0 {
		return c.invalid("minQuantity must not be negative")
	}
	if p == nil {
		p = &part{ID: st.next("part"), Price: "0"}
		st.Parts[p.ID] = p
	} else {
		st.indexPart(p, false)
	}
	set(&p.Name, in.Name)
	setTrim(&p.Reference, in.Reference)
	if hasPrice {
		p.Price = decimalText(price)
	}
	if taxID != 0 {
		p.TaxID = taxID
	}
	if cat != nil {
		p.CategoryID = cat.ID
	}
	if hasMin {
		p.MinQuantity = minQ
	}
	if v, isSet := in.Tracked.Value(); isSet {
		p.Tracked = v
	}
	if v, isSet := in.Serializable.Value(); isSet {
		p.Serializable = v
	}
	p.Modified = s.now()
	st.indexPart(p, true)
	return ok(codeOnly{Code: p.ID})
}

// partDelete answers DELETE Part/Delete?{reference|id}=value.
func (s *Server) partDelete(c *call) answer {
	ids, _, _, a := lookupRecords(c, s.partsBy, "reference", "id")
	if a != nil {
		return *a
	}
	for _, id := range ids {
		s.st.indexPart(s.st.Parts[id], false)
		delete(s.st.Parts, id)
	}
	return ok(codeOnly{Code: int64(len(ids))})
}

type priceIn struct {
	ID        synchroteam.ID     `json:"id"`
	Reference *text              `json:"reference"`
	Price     synchroteam.Number `json:"price"`
}

// partPrices answers PUT Part/Prices: each item names a part by id or
// reference and gives its new price. Items that cannot be applied (unknown
// part, missing, unreadable or negative price) are echoed in errors; the
// others are applied.
func (s *Server) partPrices(c *call) answer {
	var in []priceIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	now := s.now()
	failed := []priceError{}
	for _, item := range in {
		pt, err := st.findPart("item", string(item.ID), str(item.Reference))
		price, hasPrice, perr := number("price", item.Price)
		if err != nil || pt == nil || perr != nil || !hasPrice || price < 0 {
			failed = append(failed, echoPrice(item))
			continue
		}
		pt.Price = decimalText(price)
		pt.Modified = now
	}
	if len(failed) > 0 {
		return ok(pricesEnvelope{Code: 0, Errors: failed})
	}
	return ok(pricesEnvelope{Code: 1, Errors: failed})
}

func echoPrice(item priceIn) priceError {
	var e priceError
	if item.ID != "" {
		id := string(item.ID)
		e.ID = &id
	}
	if !item.Price.IsZero() {
		p := item.Price.Raw()
		e.Price = &p
	}
	if item.Reference != nil {
		r := string(*item.Reference)
		e.Reference = &r
	}
	return e
}
