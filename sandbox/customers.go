package sandbox

import (
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// addressIn holds the address fields of customers and sites, with the
// reference's spellings ("adressStreet").
type addressIn struct {
	Address           *text `json:"address"`
	AddressComplement *text `json:"addressComplement"`
	AdressStreet      *text `json:"adressStreet"`
	AdressZIP         *text `json:"adressZIP"`
	AdressCity        *text `json:"adressCity"`
	AdressProvince    *text `json:"adressProvince"`
	AdressCountry     *text `json:"adressCountry"`
}

func (in *addressIn) apply(a *address) {
	set(&a.Address, in.Address)
	set(&a.Complement, in.AddressComplement)
	set(&a.Street, in.AdressStreet)
	set(&a.ZIP, in.AdressZIP)
	set(&a.City, in.AdressCity)
	set(&a.Province, in.AdressProvince)
	set(&a.Country, in.AdressCountry)
}

// contactIn holds the contact fields of customers, sites and jobs.
type contactIn struct {
	ContactName      *text `json:"contactName"`
	ContactFirstName *text `json:"contactFirstName"`
	ContactPhone     *text `json:"contactPhone"`
	ContactMobile    *text `json:"contactMobile"`
	ContactEmail     *text `json:"contactEmail"`
	ContactFax       *text `json:"contactFax"`
}

func (in *contactIn) apply(c *contact) {
	set(&c.Name, in.ContactName)
	set(&c.FirstName, in.ContactFirstName)
	set(&c.Phone, in.ContactPhone)
	set(&c.Mobile, in.ContactMobile)
	setTrim(&c.Email, in.ContactEmail)
	set(&c.Fax, in.ContactFax)
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

// codeOnly is the answer of deletes, validations and cancellations.
type codeOnly struct {
	Code int64 `json:"code"`
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

// lookupRecords reads the lookup parameter of a Details or Delete request
// (one of keys) and lists the ids of the records it names, with find (one
// of customersBy, sitesBy, …). The ids are a copy, safe to delete from the
// indexes they came from.
func lookupRecords(c *call, find func(c *call, by, value string) ([]int64, *answer), keys ...string) (ids []int64, by, value string, a *answer) {
	by, value, a = c.lookup(keys...)
	if a != nil {
		return nil, by, value, a
	}
	ids, a = find(c, by, value)
	if a != nil {
		return nil, by, value, a
	}
	return append([]int64(nil), ids...), by, value, nil
}

// recordsBy lists the ids of the records whose key by (id, or the name of
// an index) is value: a Details, Delete or list lookup. exists says whether
// an id names a record.
func recordsBy(c *call, by, value string, exists func(int64) bool, indexes map[string]index) ([]int64, *answer) {
	if by == "id" {
		id, err := parseID("id", value)
		if err != nil {
			a := c.invalid("%v", err)
			return nil, &a
		}
		if !exists(id) {
			return nil, nil
		}
		return []int64{id}, nil
	}
	return indexes[by].get(value), nil
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
	st.setFields("customer", &cu.Fields, fields)
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

// changes reports whether the request sets any address field.
func (in *addressIn) changes() bool {
	return in.Address != nil || in.AdressStreet != nil || in.AdressZIP != nil || in.AdressCity != nil ||
		in.AdressProvince != nil || in.AdressCountry != nil
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

// geocode places an address at a known city, as the service does when no
// position is given; nil when the city is not known.
func geocode(a address) *position {
	hay := strings.ToLower(a.City + " " + a.Address + " " + a.Street)
	for _, g := range gazetteer {
		if strings.Contains(hay, strings.ToLower(g.city)) {
			return &position{Lat: g.lat, Lng: g.lng}
		}
	}
	return nil
}

var gazetteer = []struct{ city, lat, lng string }{
	{"Falls Church", "38.8823", "-77.1711"},
	{"Beulah", "38.0752884", "-104.9868629"},
	{"New York", "40.7127753", "-74.0059728"},
	{"Chicago", "41.8781136", "-87.6297982"},
	{"Austin", "30.267153", "-97.7430608"},
	{"Paris", "48.856614", "2.3522219"},
	{"Lyon", "45.764043", "4.835659"},
	{"Marseille", "43.296482", "5.36978"},
	{"Bordeaux", "44.837789", "-0.57918"},
	{"Toulouse", "43.604652", "1.444209"},
	{"Nantes", "47.218371", "-1.553621"},
	{"Madrid", "40.4167754", "-3.7037902"},
	{"Barcelona", "41.3850639", "2.1734035"},
	{"Sevilla", "37.3890924", "-5.9844589"},
	{"Valencia", "39.4699075", "-0.3762881"},
	{"Bilbao", "43.2630126", "-2.9349852"},
}
