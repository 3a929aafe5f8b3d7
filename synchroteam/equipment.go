package synchroteam

import (
	"context"
	"net/http"
	"net/url"
)

// Equipment is a piece of equipment at a customer's site.
type Equipment struct {
	ID                ID                 `json:"id,omitempty"`
	MyID              string             `json:"myId,omitempty"`
	Name              string             `json:"name,omitempty"`
	CustomerName      string             `json:"customerName,omitempty"`
	CustomerID        ID                 `json:"customerId,omitempty"`
	CustomerMyID      string             `json:"customerMyId,omitempty"`
	SiteName          string             `json:"siteName,omitempty"`
	SiteID            ID                 `json:"siteId,omitempty"`
	SiteMyID          string             `json:"siteMyId,omitempty"`
	CustomFieldValues []CustomFieldValue `json:"customFieldValues,omitempty"`
	Tags              Strings            `json:"tags,omitempty"`
}

// EquipmentService: Equipment/Details, Send, Delete, List/Customer/{}/Site/{}.
type EquipmentService service

// Get returns one piece of equipment: Equipment/Details by name, id or myId.
func (s *EquipmentService) Get(ctx context.Context, by Lookup) (*Equipment, error) {
	q, err := by.query("Equipment/Details", "name", "id", "myId")
	if err != nil {
		return nil, err
	}
	var out Equipment
	if err := s.client.get(ctx, "Equipment/Details", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Send creates or updates a piece of equipment (by id or myId) and returns its id.
func (s *EquipmentService) Send(ctx context.Context, e *Equipment) (ID, error) {
	if e == nil {
		return "", errNilPayload
	}
	return s.client.sendForID(ctx, "Equipment/Send", e, hasKey(e.MyID))
}

// Delete deletes the equipment matching by (name, id or myId) and returns how many.
func (s *EquipmentService) Delete(ctx context.Context, by Lookup) (int, error) {
	q, err := by.query("Equipment/Delete", "name", "id", "myId")
	if err != nil {
		return 0, err
	}
	return s.client.count(ctx, http.MethodDelete, "Equipment/Delete", q, nil)
}

// ListByCustomerSite returns the equipment of a customer's site; customer
// and site are each an id or a name.
func (s *EquipmentService) ListByCustomerSite(ctx context.Context, customer, site string) ([]Equipment, error) {
	endpoint := "Equipment/List/Customer/" + url.PathEscape(customer) + "/Site/" + url.PathEscape(site)
	var raw []rawList[Equipment]
	if err := s.client.get(ctx, endpoint, nil, &raw); err != nil {
		return nil, err
	}
	var out []Equipment
	for _, r := range raw {
		out = append(out, r...)
	}
	return out, nil
}
