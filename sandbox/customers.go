package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

type customer struct {
	ID       int64            `json:"id"`
	MyID     string           `json:"myId,omitempty"`
	Name     string           `json:"name"`
	Addr     address          `json:"address"`
	Contact  contact          `json:"contact"`
	Fields   map[int64]string `json:"fields,omitempty"` // custom field id → value
	Pos      *position        `json:"position,omitempty"`
	Tags     []string         `json:"tags,omitempty"`
	Modified time.Time        `json:"modified"`
}

func (st *state) indexCustomer(c *customer, add bool) {
	op := index.remove
	if add {
		op = index.add
	}
	op(st.idx.customerMyID, c.MyID, c.ID)
	op(st.idx.customerName, c.Name, c.ID)
	op(st.idx.customerEmail, c.Contact.Email, c.ID)
}

// findCustomer resolves a customer reference made of an id, a myId and a
// name, any of them empty. It returns nil and no error when all are empty.
// Every part given must name the same customer.
func (st *state) findCustomer(what, id, myID, name string) (*customer, error) {
	var found *customer
	agree := func(c *customer, how, v string) error {
		if c == nil {
			return fmt.Errorf("%s: no customer with %s %q", what, how, shorten(v))
		}
		if found != nil && found != c {
			return fmt.Errorf("%s: the customer's id, myId and name name different customers", what)
		}
		found = c
		return nil
	}
	if id = strings.TrimSpace(id); id != "" {
		n, err := parseID(what+" id", id)
		if err != nil {
			return nil, err
		}
		if err := agree(st.Customers[n], "id", id); err != nil {
			return nil, err
		}
	}
	if myID = strings.TrimSpace(myID); myID != "" {
		n, _ := st.idx.customerMyID.first(myID)
		if err := agree(st.Customers[n], "myId", myID); err != nil {
			return nil, err
		}
	}
	if name = strings.TrimSpace(name); name != "" {
		ids := st.idx.customerName.get(name)
		if found != nil && found.Name != "" && strings.EqualFold(strings.TrimSpace(found.Name), name) {
			return found, nil
		}
		if len(ids) > 1 {
			return nil, fmt.Errorf("%s: %d customers are named %q; give the id or myId", what, len(ids), shorten(name))
		}
		var c *customer
		if len(ids) == 1 {
			c = st.Customers[ids[0]]
		}
		if err := agree(c, "name", name); err != nil {
			return nil, err
		}
	}
	return found, nil
}

type customerIn struct {
	ID   synchroteam.ID `json:"id"`
	MyID *text          `json:"myId"`
	Name *text          `json:"name"`
	addressIn
	contactIn
	CustomFieldValues []fieldValue         `json:"customFieldValues"`
	Position          *positionIn          `json:"position"`
	Tags              *synchroteam.Strings `json:"tags"`
	Sites             []siteIn             `json:"sites"`
	Equipments        []equipmentIn        `json:"equipments"`
}

// customerOut is a customer as Customer/Details and Customer/List show it:
// the keys of the reference's examples, no more (contactMobile is stored but
// not shown, as in the examples).
type customerOut struct {
	ID                int64           `json:"id"`
	Address           string          `json:"address"`
	AddressComplement string          `json:"addressComplement"`
	AdressCity        string          `json:"adressCity"`
	AdressCountry     string          `json:"adressCountry"`
	AdressProvince    string          `json:"adressProvince"`
	AdressStreet      string          `json:"adressStreet"`
	AdressZIP         string          `json:"adressZIP"`
	ContactEmail      string          `json:"contactEmail"`
	ContactFirstName  string          `json:"contactFirstName"`
	ContactFax        string          `json:"contactFax"`
	ContactPhone      string          `json:"contactPhone"`
	ContactName       string          `json:"contactName"`
	MyID              string          `json:"myId"`
	Name              string          `json:"name"`
	CustomFieldValues []fieldValueOut `json:"customFieldValues,omitzero"`
	Position          *positionOut    `json:"position"`
	Tags              []string        `json:"tags,omitzero"`
}

func (st *state) customerOut(c *customer, details bool) customerOut {
	out := customerOut{
		ID: c.ID, Address: c.Addr.Address, AddressComplement: c.Addr.Complement,
		AdressCity: c.Addr.City, AdressCountry: c.Addr.Country, AdressProvince: c.Addr.Province,
		AdressStreet: c.Addr.Street, AdressZIP: c.Addr.ZIP,
		ContactEmail: c.Contact.Email, ContactFirstName: c.Contact.FirstName, ContactFax: c.Contact.Fax,
		ContactPhone: c.Contact.Phone, ContactName: c.Contact.Name,
		MyID: c.MyID, Name: c.Name, Position: posOut(c.Pos),
	}
	if details {
		out.CustomFieldValues = st.fieldsOut("customer", c.Fields)
		out.Tags = append([]string{}, c.Tags...)
	}
	return out
}

// customerDetails answers GET Customer/Details?{name|id|myId|email}=value.
func (s *Server) customerDetails(c *call) answer {
	ids, name, value, a := lookupRecords(c, s.customersBy, "name", "id", "myId", "email")
	if a != nil {
		return *a
	}
	if len(ids) == 0 {
		return c.notFound("customer with %s %q not found", name, shorten(value))
	}
	return ok(s.st.customerOut(s.st.Customers[ids[0]], true))
}

// customersBy lists the ids of the customers whose name, id, myId or email is value.
func (s *Server) customersBy(c *call, by, value string) ([]int64, *answer) {
	st := s.st
	return recordsBy(c, by, value, func(id int64) bool { return st.Customers[id] != nil },
		map[string]index{"myId": st.idx.customerMyID, "email": st.idx.customerEmail, "name": st.idx.customerName})
}

// customerSend answers POST Customer/Send: create or update by id or myId.
// Sites listed in "sites" and pieces of equipment listed in "equipments" are
// created or updated for the customer. Nothing is stored unless all of it
// is valid.
func (s *Server) customerSend(c *call) answer {
	var in customerIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	var cu *customer
	if in.ID != "" {
		id, err := parseID("id", string(in.ID))
		if err != nil {
			return c.invalid("%v", err)
		}
		cu = st.Customers[id]
	}
	if myID := str(in.MyID); myID != "" {
		n, found := st.idx.customerMyID.first(myID)
		switch {
		case cu == nil && found:
			cu = st.Customers[n]
		case cu != nil && found && n != cu.ID:
			return c.invalid("myId %q is already used by customer %d", shorten(myID), n)
		}
	}
	if cu == nil && str(in.Name) == "" {
		return c.invalid("the customer's name is required")
	}
	if cu != nil && in.Name != nil && str(in.Name) == "" {
		return c.invalid("the customer's name must not be empty")
	}
	pos, err := in.Position.read()
	if err != nil {
		return c.invalid("%v", err)
	}
	fields, err := st.checkFields("customer", in.CustomFieldValues)
	if err != nil {
		return c.invalid("%v", err)
	}
	if err := distinctKeys(in.Sites, in.Equipments); err != nil {
		return c.invalid("%v", err)
	}
	parent := func() *customer { return cu }
	var sites []func() *site
	for i := range in.Sites {
		apply, err := s.prepareSite(&in.Sites[i], parent)
		if err != nil {
			return c.invalid("site %d: %v", i+1, err)
		}
		sites = append(sites, apply)
	}
	var equipment []func() *equipment
	for i := range in.Equipments {
		apply, err := s.prepareEquipment(&in.Equipments[i], nil, parent)
		if err != nil {
			return c.invalid("equipment %d: %v", i+1, err)
		}
		equipment = append(equipment, apply)
	}
	if cu == nil {
		cu = &customer{ID: st.next("customer")}
		st.Customers[cu.ID] = cu
	} else {
		st.indexCustomer(cu, false)
	}
	setTrim(&cu.MyID, in.MyID)
	set(&cu.Name, in.Name)
	in.addressIn.apply(&cu.Addr)
	in.contactIn.apply(&cu.Contact)
	if pos != nil {
		cu.Pos = pos
	} else if cu.Pos == nil || in.addressIn.changes() {
		cu.Pos = geocode(cu.Addr)
	}
	if in.Tags != nil {
		cu.Tags = append([]string(nil), (*in.Tags)...)
	}
	st.setFields(&cu.Fields, fields)
	cu.Modified = s.now()
	st.indexCustomer(cu, true)
	for _, apply := range sites {
		apply()
	}
	for _, apply := range equipment {
		apply()
	}
	return ok(codeMessage{Code: cu.ID})
}

// distinctKeys refuses nested sites or equipment that repeat an id or a
// myId: each would be created on its own.
func distinctKeys(sites []siteIn, equipment []equipmentIn) error {
	seen := map[string]bool{}
	check := func(kind string, id synchroteam.ID, myID *text) error {
		for _, k := range []string{"id " + string(id), "myId " + key(str(myID))} {
			if strings.HasSuffix(k, " ") {
				continue
			}
			if seen[kind+k] {
				return fmt.Errorf("two %s have the %s", kind, k)
			}
			seen[kind+k] = true
		}
		return nil
	}
	for _, x := range sites {
		if err := check("sites", x.ID, x.MyID); err != nil {
			return err
		}
		for _, e := range x.Equipments {
			if err := check("pieces of equipment", e.ID, e.MyID); err != nil {
				return err
			}
		}
	}
	for _, e := range equipment {
		if err := check("pieces of equipment", e.ID, e.MyID); err != nil {
			return err
		}
	}
	return nil
}

// customerDelete answers DELETE Customer/Delete?{name|id|myId}=value. Every
// customer with that name is deleted, with its sites and equipment.
func (s *Server) customerDelete(c *call) answer {
	ids, _, _, a := lookupRecords(c, s.customersBy, "name", "id", "myId")
	if a != nil {
		return *a
	}
	st := s.st
	for _, id := range ids {
		for _, sid := range sortedKeys(st.Sites) {
			if st.Sites[sid].CustomerID == id {
				st.deleteSite(sid)
			}
		}
		for _, eid := range sortedKeys(st.Equipment) {
			if st.Equipment[eid].CustomerID == id {
				st.deleteEquipment(eid)
			}
		}
		st.indexCustomer(st.Customers[id], false)
		delete(st.Customers, id)
	}
	return ok(codeOnly{Code: int64(len(ids))})
}

// customerList answers GET Customer/List[?ChangedFrom=yyyy-mm-dd]: every
// customer changed on or after ChangedFrom, without custom fields.
func (s *Server) customerList(c *call) answer {
	from, has, err := queryTime("ChangedFrom", c.query["changedfrom"])
	if err != nil {
		return c.invalid("%v", err)
	}
	out := []customerOut{}
	for _, id := range sortedKeys(s.st.Customers) {
		cu := s.st.Customers[id]
		if has && cu.Modified.Before(from) {
			continue
		}
		out = append(out, s.st.customerOut(cu, false))
	}
	return ok(out)
}
