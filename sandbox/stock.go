package sandbox

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

type depot struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Default  bool   `json:"default,omitempty"`
	Provider bool   `json:"provider,omitempty"`
}

type stockLevel struct {
	DepotID  string   `json:"depotId"`
	PartID   int64    `json:"partId"`
	Quantity string   `json:"quantity"`
	Serials  []string `json:"serials,omitempty"`
}

type stockReq struct {
	ID       string    `json:"id"`
	DestID   string    `json:"destination"`
	SourceID string    `json:"source"`
	PartID   int64     `json:"partId"`
	Quantity int64     `json:"quantity"`
	Deleted  bool      `json:"deleted"`
	Sent     bool      `json:"sent"`
	Urgent   bool      `json:"urgent"`
	UserID   int64     `json:"userId"`
	Serials  []string  `json:"serials,omitempty"` // received so far
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

type inventoryIn struct {
	Depot *text             `json:"depot"`
	Parts []inventoryPartIn `json:"parts"`
}

type inventoryPartIn struct {
	Reference *text               `json:"reference"`
	Quantity  synchroteam.Number  `json:"quantity"`
	Serials   synchroteam.Strings `json:"serials"`
}

func (st *state) depotByName(name string) *depot {
	ids := make([]string, 0, len(st.Depots))
	for id := range st.Depots {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if strings.EqualFold(strings.TrimSpace(st.Depots[id].Name), strings.TrimSpace(name)) {
			return st.Depots[id]
		}
	}
	return nil
}

func stockKey(depotID string, partID int64) string { return fmt.Sprintf("%s|%d", depotID, partID) }

// stockLevel returns the stock of a part in a depot, creating it at 0.
func (st *state) stockLevel(depotID string, partID int64) *stockLevel {
	k := stockKey(depotID, partID)
	if l := st.Stock[k]; l != nil {
		return l
	}
	l := &stockLevel{DepotID: depotID, PartID: partID, Quantity: "0"}
	st.Stock[k] = l
	return l
}

// inventoryQuantities answers PUT Inventory/Quantities: set the quantity (or
// the serial numbers) of parts in depots. Lines that cannot be applied are
// listed in errors with the depot, reference and reason; the others are applied.
func (s *Server) inventoryQuantities(c *call) answer {
	var in []inventoryIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	var errs []inventoryError
	fail := func(d, r, format string, args ...any) {
		dd, rr := d, r
		errs = append(errs, inventoryError{Depot: &dd, Reference: &rr, Reason: fmt.Sprintf(format, args...)})
	}
	for _, dep := range in {
		name := str(dep.Depot)
		d := st.depotByName(name)
		for _, p := range dep.Parts {
			ref := str(p.Reference)
			switch {
			case d == nil:
				fail(name, ref, "no depot named %q", shorten(name))
				continue
			case ref == "":
				fail(name, ref, "the part's reference is required")
				continue
			}
			n, found := st.idx.partRef.first(ref)
			if !found {
				fail(name, ref, "no part with reference %q", shorten(ref))
				continue
			}
			q, hasQ, err := number("quantity", p.Quantity)
			if err != nil {
				fail(name, ref, "%v", err)
				continue
			}
			serials := uniq(p.Serials)
			switch {
			case !hasQ && len(serials) == 0:
				fail(name, ref, "give a quantity or serial numbers")
				continue
			case hasQ && q < 0:
				fail(name, ref, "quantity %s must not be negative", decimalText(q))
				continue
			case hasQ && len(p.Serials) > 0 && int(q) != len(p.Serials):
				fail(name, ref, "quantity %s does not match the %d serial numbers", decimalText(q), len(p.Serials))
				continue
			}
			l := st.stockLevel(d.ID, n)
			if len(serials) > 0 {
				// The quantity is kept as sent: the reference's own example
				// sends quantity 6 with six serial numbers, one of them twice.
				// The serial numbers are kept once each.
				l.Serials = serials
				if hasQ {
					l.Quantity = decimalText(q)
				} else {
					l.Quantity = fmt.Sprint(len(serials))
				}
			} else {
				l.Serials = nil
				l.Quantity = decimalText(q)
			}
		}
	}
	if len(errs) > 0 {
		return ok(inventoryEnvelope{Code: 0, Errors: errs})
	}
	return ok(inventoryEnvelope{Code: 1, Errors: ""})
}

type stockSearchIn struct {
	IsUrgent      synchroteam.Bool `json:"isUrgent"`
	IsDeleted     synchroteam.Bool `json:"isDeleted"`
	IsSent        synchroteam.Bool `json:"isSent"`
	ModifiedAfter synchroteam.Time `json:"modifiedAfter"`
	CreatedAfter  synchroteam.Time `json:"createdAfter"`
}

// stockReqOut is a replenishment request as StockRequest/Search shows it.
type stockReqOut struct {
	Destination stockOut     `json:"destination"`
	ID          string       `json:"id"`
	IsDeleted   bool         `json:"isDeleted"`
	IsSent      bool         `json:"isSent"`
	IsUrgent    bool         `json:"isUrgent"`
	Part        stockPartOut `json:"part"`
	Quantity    int64        `json:"quantity"`
	Source      stockOut     `json:"source"`
	User        stockUserOut `json:"user"`
}

type stockOut struct {
	IDStock string `json:"idStock"`
	NmStock string `json:"nmStock"`
}

type stockPartOut struct {
	CodeProduit string      `json:"codeProduit"`
	IDPiece     int64       `json:"idPiece"`
	NmPiece     string      `json:"nmPiece"`
	PrixPiece   json.Number `json:"prixPiece"`
}

type stockUserOut struct {
	IDUser     int64  `json:"idUser"`
	LoginUser  string `json:"loginUser"`
	NomUser    string `json:"nomUser"`
	PrenomUser string `json:"prenomUser"`
}

func (st *state) stockReqOut(r *stockReq) stockReqOut {
	out := stockReqOut{ID: r.ID, IsDeleted: r.Deleted, IsSent: r.Sent, IsUrgent: r.Urgent, Quantity: r.Quantity}
	if d := st.Depots[r.DestID]; d != nil {
		out.Destination = stockOut{d.ID, d.Name}
	}
	if d := st.Depots[r.SourceID]; d != nil {
		out.Source = stockOut{d.ID, d.Name}
	}
	out.Part = stockPartOut{IDPiece: r.PartID, PrixPiece: "0"}
	if p := st.Parts[r.PartID]; p != nil {
		out.Part = stockPartOut{CodeProduit: p.Reference, IDPiece: p.ID, NmPiece: p.Name, PrixPiece: json.Number(p.Price)}
	}
	out.User = stockUserOut{IDUser: r.UserID}
	if u := st.Users[r.UserID]; u != nil {
		out.User = stockUserOut{IDUser: u.ID, LoginUser: u.Login, NomUser: strings.ToUpper(u.LastName), PrenomUser: u.FirstName}
	}
	return out
}

// stockRequestSearch answers POST StockRequest/Search. Each filter left
// empty ("") does not filter.
func (s *Server) stockRequestSearch(c *call) answer {
	var in stockSearchIn
	if err := c.decode(&in, true); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	modified, hasModified, err := filterTime("modifiedAfter", in.ModifiedAfter, false)
	if err != nil {
		return c.invalid("%v", err)
	}
	created, hasCreated, err := filterTime("createdAfter", in.CreatedAfter, false)
	if err != nil {
		return c.invalid("%v", err)
	}
	ids := make([]string, 0, len(st.StockRequests))
	for id := range st.StockRequests {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := st.StockRequests[ids[i]], st.StockRequests[ids[j]]
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return a.ID < b.ID
	})
	out := []stockReqOut{}
	for _, id := range ids {
		r := st.StockRequests[id]
		if v, isSet := in.IsUrgent.Value(); isSet && r.Urgent != v {
			continue
		}
		if v, isSet := in.IsDeleted.Value(); isSet && r.Deleted != v {
			continue
		}
		if v, isSet := in.IsSent.Value(); isSet && r.Sent != v {
			continue
		}
		if hasModified && r.Modified.Before(modified) {
			continue
		}
		if hasCreated && r.Created.Before(created) {
			continue
		}
		out = append(out, st.stockReqOut(r))
	}
	return ok(out)
}

type stockCompleteIn struct {
	ID        *text               `json:"id"`
	IsPartial synchroteam.Bool    `json:"isPartial"`
	Quantity  synchroteam.Number  `json:"quantity"`
	Serials   synchroteam.Strings `json:"serials"`
}

// stockRequestComplete answers PUT StockRequest/Complete: the parts are
// moved from the source depot to the destination and the request's
// remaining quantity goes down (to 0 unless isPartial; a partial quantity
// above what remains is refused with 400). The code is the
// number of requests completed: 0 when the id is unknown or the request deleted.
func (s *Server) stockRequestComplete(c *call) answer {
	var in stockCompleteIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	id := strings.ToLower(str(in.ID))
	if id == "" {
		return c.invalid("the replenishment request's id is required")
	}
	q, hasQ, err := number("quantity", in.Quantity)
	if err != nil {
		return c.invalid("%v", err)
	}
	if hasQ && (q <= 0 || q != float64(int64(q))) {
		return c.invalid("quantity %s must be a whole number above 0", decimalText(q))
	}
	partial := in.IsPartial.True()
	if partial && !hasQ && len(in.Serials) == 0 {
		return c.invalid("a partial completion needs the quantity received")
	}
	r := st.StockRequests[id]
	if r == nil || r.Deleted {
		return ok(codeOnly{Code: 0})
	}
	delivered := r.Quantity
	if hasQ {
		delivered = int64(q)
	} else if len(in.Serials) > 0 {
		delivered = int64(len(in.Serials))
	}
	if partial {
		// The reference does not say what a partial completion of more than
		// what remains does; it is refused rather than leaving a negative
		// remaining quantity.
		if delivered > r.Quantity {
			return c.invalid("the partial quantity %d is more than the %d remaining on request %s", delivered, r.Quantity, r.ID)
		}
		r.Quantity -= delivered
	} else {
		r.Quantity = 0
	}
	r.Serials = append(r.Serials, uniq(in.Serials)...)
	r.Sent = true
	r.Modified = s.now()
	if delivered > 0 {
		moveStock(st, r.SourceID, r.DestID, r.PartID, delivered, uniq(in.Serials))
	}
	return ok(codeOnly{Code: 1})
}

func moveStock(st *state, from, to string, partID, n int64, serials []string) {
	if st.Depots[from] != nil {
		l := st.stockLevel(from, partID)
		l.Quantity = decimalText(rat2f(l.Quantity) - float64(n))
		l.Serials = without(l.Serials, serials)
	}
	if st.Depots[to] != nil {
		l := st.stockLevel(to, partID)
		l.Quantity = decimalText(rat2f(l.Quantity) + float64(n))
		l.Serials = uniq(append(l.Serials, serials...))
	}
}

func rat2f(s string) float64 {
	f, _ := rat(s).Float64()
	return f
}

func without(list, drop []string) []string {
	gone := map[string]bool{}
	for _, d := range drop {
		gone[d] = true
	}
	var out []string
	for _, s := range list {
		if !gone[s] {
			out = append(out, s)
		}
	}
	return out
}
