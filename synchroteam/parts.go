package synchroteam

import (
	"context"
	"encoding/json"
	"net/http"
)

// Part is a stock part.
type Part struct {
	ID           ID     `json:"id,omitempty"`
	Name         string `json:"name,omitempty"`
	Reference    string `json:"reference,omitempty"`
	Price        Number `json:"price,omitzero"` // billable price, taxes excluded
	TaxID        ID     `json:"taxId,omitempty"`
	TaxValue     Number `json:"taxVal,omitzero"`
	CategoryID   ID     `json:"categoryId,omitempty"`
	CategoryName string `json:"categoryName,omitempty"`
	Quantity     Number `json:"quantity,omitzero"` // only in a job's parts
	MinQuantity  Number `json:"minQuantity,omitzero"`
	Tracked      Bool   `json:"tracked,omitzero"`
	Serializable Bool   `json:"serializable,omitzero"`
}

// PartPrice sets the price of a part named by id or reference.
type PartPrice struct {
	ID        ID     `json:"id,omitempty"`
	Reference string `json:"reference,omitempty"`
	Price     Number `json:"price"`
}

// PartsService: Part/Send, Delete, Prices, Details.
type PartsService service

// Get returns one part: Part/Details by reference or id.
func (s *PartsService) Get(ctx context.Context, by Lookup) (*Part, error) {
	q, err := by.query("Part/Details", "reference", "id")
	if err != nil {
		return nil, err
	}
	var out Part
	if err := s.client.get(ctx, "Part/Details", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Send creates or updates a part (by id or reference) and returns its id.
func (s *PartsService) Send(ctx context.Context, p *Part) (ID, error) {
	if p == nil {
		return "", errNilPayload
	}
	return s.client.sendForID(ctx, "Part/Send", p, hasKey(p.Reference))
}

// Delete deletes a part by reference or id and returns how many were deleted.
func (s *PartsService) Delete(ctx context.Context, by Lookup) (int, error) {
	q, err := by.query("Part/Delete", "reference", "id")
	if err != nil {
		return 0, err
	}
	return s.client.count(ctx, http.MethodDelete, "Part/Delete", q, nil)
}

// SetPrices updates the prices of several parts in one request. When some are
// not applied, the error is an *Error whose Items name them with their index
// in prices; the others were applied.
func (s *PartsService) SetPrices(ctx context.Context, prices []PartPrice) error {
	const endpoint = "Part/Prices"
	env, err := s.client.flag(ctx, http.MethodPut, endpoint, prices, true, nil)
	if err == nil {
		return nil
	}
	if env == nil {
		return err
	}
	var failed []PartPrice
	if json.Unmarshal(env.Errors, &failed) != nil || len(failed) == 0 {
		return err
	}
	e := env.reject(http.MethodPut, endpoint)
	if env.message() == "" {
		e.Message = "some prices were not applied"
	}
	for _, f := range failed {
		e.Items = append(e.Items, ItemError{
			Index: matchPrice(prices, f), ID: string(f.ID), Reference: f.Reference, Value: f.Price.Raw(),
			Message: "not applied (unknown part or invalid price)",
		})
	}
	return e
}

// matchPrice finds the request item the API echoes as failed.
func matchPrice(prices []PartPrice, f PartPrice) int {
	for i, p := range prices {
		if f.ID != "" && p.ID == f.ID || f.Reference != "" && p.Reference == f.Reference {
			return i
		}
	}
	return -1
}
