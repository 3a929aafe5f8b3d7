package synchroteam

import (
	"context"
	"net/http"
	"net/url"
)

// Site is a customer's site.
type Site struct {
	ID                ID                 `json:"id,omitempty"`
	MyID              string             `json:"myId,omitempty"`
	Name              string             `json:"name,omitempty"`
	CustomerID        ID                 `json:"customerId,omitempty"`
	CustomerMyID      string             `json:"customerMyId,omitempty"`
	CustomerName      string             `json:"customerName,omitempty"`
	Address           string             `json:"address,omitempty"`
	AddressComplement string             `json:"addressComplement,omitempty"`
	AddressStreet     string             `json:"adressStreet,omitempty"`
	AddressZIP        string             `json:"adressZIP,omitempty"`
	AddressCity       string             `json:"adressCity,omitempty"`
	AddressProvince   string             `json:"adressProvince,omitempty"`
	AddressCountry    string             `json:"adressCountry,omitempty"`
	ContactName       string             `json:"contactName,omitempty"`
	ContactFirstName  string             `json:"contactFirstName,omitempty"`
	ContactPhone      string             `json:"contactPhone,omitempty"`
	ContactMobile     string             `json:"contactMobile,omitempty"`
	ContactEmail      string             `json:"contactEmail,omitempty"`
	ContactFax        string             `json:"contactFax,omitempty"`
	Equipments        []Equipment        `json:"equipments,omitempty"`
	CustomFieldValues []CustomFieldValue `json:"customFieldValues,omitempty"`
	Position          *Position          `json:"position,omitempty"`
	Tags              Strings            `json:"tags,omitempty"`
}

// SitesService: Site/Details, Send, Delete, List/byCustomer.
type SitesService service

// Get returns one site: Site/Details by name, id or myId.
func (s *SitesService) Get(ctx context.Context, by Lookup) (*Site, error) {
	q, err := by.query("Site/Details", "name", "id", "myId")
	if err != nil {
		return nil, err
	}
	var out Site
	if err := s.client.get(ctx, "Site/Details", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Send creates or updates a site (by id or myId) and returns its id.
func (s *SitesService) Send(ctx context.Context, site *Site) (ID, error) {
	if site == nil {
		return "", errNilPayload
	}
	return s.client.sendForID(ctx, "Site/Send", site, hasKey(site.MyID))
}

// Delete deletes the sites matching by (name, id or myId) and returns how many.
func (s *SitesService) Delete(ctx context.Context, by Lookup) (int, error) {
	q, err := by.query("Site/Delete", "name", "id", "myId")
	if err != nil {
		return 0, err
	}
	return s.client.count(ctx, http.MethodDelete, "Site/Delete", q, nil)
}

// ListByCustomer returns the sites of a customer given by id or myId
// (Site/List/byCustomer/id/{id} or .../myId/{myId}).
func (s *SitesService) ListByCustomer(ctx context.Context, customer Lookup) ([]Site, error) {
	if _, err := customer.query("Site/List/byCustomer", "id", "myId"); err != nil {
		return nil, err
	}
	endpoint := "Site/List/byCustomer/" + customer.Param + "/" + url.PathEscape(customer.Value)
	var out []Site
	if err := s.client.get(ctx, endpoint, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}
