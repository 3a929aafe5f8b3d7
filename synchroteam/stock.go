package synchroteam

import (
	"context"
	"encoding/json"
	"net/http"
)

// Depot is a stock depot.
type Depot struct {
	ID       ID     `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Default  Bool   `json:"flDefault,omitzero"`
	Provider Bool   `json:"flProvider,omitzero"`
}

// StockRequest is a replenishment request between two depots.
type StockRequest struct {
	ID          ID             `json:"id"`
	Destination StockDepotRef  `json:"destination"`
	Source      StockDepotRef  `json:"source"`
	IsDeleted   Bool           `json:"isDeleted,omitzero"`
	IsSent      Bool           `json:"isSent,omitzero"`
	IsUrgent    Bool           `json:"isUrgent,omitzero"`
	Part        StockPart      `json:"part"`
	Quantity    Number         `json:"quantity,omitzero"`
	User        StockRequestor `json:"user"`
}

// StockDepotRef names a depot in a stock request.
type StockDepotRef struct {
	ID   ID     `json:"idStock"`
	Name string `json:"nmStock"`
}

// StockPart is the part of a stock request.
type StockPart struct {
	Reference string `json:"codeProduit"`
	ID        ID     `json:"idPiece"`
	Name      string `json:"nmPiece"`
	Price     Number `json:"prixPiece,omitzero"`
}

// StockRequestor is the user who made a stock request.
type StockRequestor struct {
	ID        ID     `json:"idUser"`
	Login     string `json:"loginUser"`
	LastName  string `json:"nomUser"`
	FirstName string `json:"prenomUser"`
}

// StockRequestSearch holds the filters of StockRequest/Search.
type StockRequestSearch struct {
	IsUrgent      Bool `json:"isUrgent,omitzero"`
	IsDeleted     Bool `json:"isDeleted,omitzero"`
	IsSent        Bool `json:"isSent,omitzero"`
	ModifiedAfter Date `json:"modifiedAfter,omitzero"`
	CreatedAfter  Date `json:"createdAfter,omitzero"`
}

// StockRequestCompletion completes a replenishment request.
type StockRequestCompletion struct {
	ID        ID       `json:"id"`
	IsPartial Bool     `json:"isPartial,omitzero"`
	Quantity  Number   `json:"quantity,omitzero"`
	Serials   []string `json:"serials,omitempty"`
}

// StockRequestsService: StockRequest/Complete and StockRequest/Search.
type StockRequestsService service

// Search returns the replenishment requests matching the filter.
func (s *StockRequestsService) Search(ctx context.Context, filter *StockRequestSearch) ([]StockRequest, error) {
	var out []StockRequest
	if err := s.client.search(ctx, "StockRequest/Search", filter, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Complete completes a replenishment request and returns the number of
// requests completed. It is not repeated after an ambiguous failure.
func (s *StockRequestsService) Complete(ctx context.Context, c *StockRequestCompletion) (int, error) {
	if c == nil {
		return 0, errNilPayload
	}
	const endpoint = "StockRequest/Complete"
	var env envelope
	if err := s.client.do(ctx, call{method: http.MethodPut, path: apiPrefix + endpoint, body: c, endpoint: endpoint}, &env); err != nil {
		return 0, err
	}
	n, ok := env.codeInt()
	if !ok || n == 0 && env.message() != "" {
		return 0, env.reject(http.MethodPut, endpoint)
	}
	return int(n), nil
}

// DepotQuantities sets the quantities of parts in one depot.
type DepotQuantities struct {
	Depot string         `json:"depot"`
	Parts []PartQuantity `json:"parts"`
}

// PartQuantity is a part's quantity in a depot, with its serial numbers for
// a serializable part.
type PartQuantity struct {
	Reference string   `json:"reference"`
	Quantity  Number   `json:"quantity"`
	Serials   []string `json:"serials"`
}

// InventoryService: Inventory/Quantities.
type InventoryService service

// SetQuantities initializes part quantities per depot. When some are not
// applied the error is an *Error whose Items name the depot and reference
// (and the index of the depot in the request).
func (s *InventoryService) SetQuantities(ctx context.Context, depots []DepotQuantities) error {
	const endpoint = "Inventory/Quantities"
	// The API wants "serials": [] rather than null; the caller's slices are
	// left as they are.
	body := make([]DepotQuantities, len(depots))
	for i, d := range depots {
		body[i] = DepotQuantities{Depot: d.Depot, Parts: make([]PartQuantity, len(d.Parts))}
		for j, p := range d.Parts {
			if p.Serials == nil {
				p.Serials = []string{}
			}
			body[i].Parts[j] = p
		}
	}
	env, err := s.client.flag(ctx, http.MethodPut, endpoint, body, true, nil)
	if err == nil || env == nil {
		return err
	}
	e := env.reject(http.MethodPut, endpoint)
	for _, item := range inventoryErrors(env.Errors) {
		item.Index = matchDepot(depots, item)
		e.Items = append(e.Items, item)
	}
	if env.message() == "" && len(e.Items) > 0 {
		e.Message = "some quantities were not applied"
	}
	return e
}

// matchDepot finds the request entry an error names: the first entry of
// that depot holding that reference, else the first entry of that depot.
func matchDepot(depots []DepotQuantities, item ItemError) int {
	first := -1
	for i, d := range depots {
		if d.Depot != item.Depot {
			continue
		}
		if first < 0 {
			first = i
		}
		for _, p := range d.Parts {
			if item.Reference != "" && p.Reference == item.Reference {
				return i
			}
		}
	}
	return first
}

// inventoryErrors reads the errors member of Inventory/Quantities: a list of
// objects (depot, reference, quantity, message), a list of strings or a string.
func inventoryErrors(raw json.RawMessage) []ItemError {
	// The reference does not show this list; the reason is read under any
	// of the names APIs use for it.
	var objs []struct {
		Depot     string `json:"depot"`
		Reference string `json:"reference"`
		Quantity  Text   `json:"quantity"`
		Message   Text   `json:"message"`
		Msg       Text   `json:"msg"`
		Reason    Text   `json:"reason"`
		Error     Text   `json:"error"`
	}
	if json.Unmarshal(raw, &objs) == nil {
		out := make([]ItemError, 0, len(objs))
		for _, o := range objs {
			msg := string(o.Message)
			for _, alt := range []Text{o.Msg, o.Reason, o.Error} {
				if msg == "" {
					msg = string(alt)
				}
			}
			out = append(out, ItemError{Depot: o.Depot, Reference: o.Reference, Value: string(o.Quantity), Message: msg})
		}
		return out
	}
	if m := messageText(raw); m != "" {
		return []ItemError{{Message: m}}
	}
	return nil
}
