package synchroteam

import (
	"context"
	"net/http"
	"net/url"
)

// Customer is a Synchroteam customer. Address fields keep the API's own
// spelling on the wire (adressCity, adressZIP, ...).
type Customer struct {
	ID                ID                 `json:"id,omitempty"`
	MyID              string             `json:"myId,omitempty"`
	Name              string             `json:"name,omitempty"`
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
	Sites             []Site             `json:"sites,omitempty"`
	Equipments        []Equipment        `json:"equipments,omitempty"`
	CustomFieldValues []CustomFieldValue `json:"customFieldValues,omitempty"`
	Position          *Position          `json:"position,omitempty"`
	Tags              Strings            `json:"tags,omitempty"`
}

// CustomFieldValue is the value of one custom field of a job, user,
// customer, site or piece of equipment, named by id or name.
type CustomFieldValue struct {
	ID    ID     `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Value Text   `json:"value"`
}

// Position is a GPS position. The API sends it as {"Latitude": "38.89", ...}.
type Position struct {
	Latitude  Number `json:"latitude,omitzero"`
	Longitude Number `json:"longitude,omitzero"`
}

// Ref names a customer, site or piece of equipment by id, myId or name, in
// search filters and in requests that attach to one.
type Ref struct {
	ID   ID     `json:"id,omitempty"`
	MyID string `json:"myId,omitempty"`
	Name string `json:"name,omitempty"`
}

// CustomersService: Customer/Details, Send, Delete, List.
type CustomersService service

// Get returns one customer: Customer/Details by name, id, myId or email.
func (s *CustomersService) Get(ctx context.Context, by Lookup) (*Customer, error) {
	q, err := by.query("Customer/Details", "name", "id", "myId", "email")
	if err != nil {
		return nil, err
	}
	var out Customer
	if err := s.client.get(ctx, "Customer/Details", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Send creates or updates a customer (by id or myId) and returns its id.
func (s *CustomersService) Send(ctx context.Context, c *Customer) (ID, error) {
	if c == nil {
		return "", errNilPayload
	}
	return s.client.sendForID(ctx, "Customer/Send", c, hasKey(c.MyID))
}

// Delete deletes the customers matching by (name, id or myId; every
// customer of that name) and returns how many were deleted.
func (s *CustomersService) Delete(ctx context.Context, by Lookup) (int, error) {
	q, err := by.query("Customer/Delete", "name", "id", "myId")
	if err != nil {
		return 0, err
	}
	return s.client.count(ctx, http.MethodDelete, "Customer/Delete", q, nil)
}

// List returns every customer (without custom fields), or those changed on
// or after changedFrom when it is set.
func (s *CustomersService) List(ctx context.Context, changedFrom Date) ([]Customer, error) {
	var q url.Values
	if !changedFrom.IsZero() {
		q = url.Values{"ChangedFrom": {changedFrom.String()}}
	}
	var out []Customer
	if err := s.client.get(ctx, "Customer/List", q, &out); err != nil {
		return nil, err
	}
	return out, nil
}
