package sandbox

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

type site struct {
	ID         int64            `json:"id"`
	MyID       string           `json:"myId,omitempty"`
	Name       string           `json:"name"`
	CustomerID int64            `json:"customerId"`
	Addr       address          `json:"address"`
	Contact    contact          `json:"contact"`
	Fields     map[int64]string `json:"fields,omitempty"`
	Pos        *position        `json:"position,omitempty"`
	Tags       []string         `json:"tags,omitempty"`
	Modified   time.Time        `json:"modified"`
}

func (st *state) indexSite(x *site, add bool) {
	op := index.remove
	if add {
		op = index.add
	}
	op(st.idx.siteMyID, x.MyID, x.ID)
	op(st.idx.siteName, x.Name, x.ID)
}

// findSite resolves a site reference like findCustomer.
func (st *state) findSite(what, id, myID, name string) (*site, error) {
	var found *site
	agree := func(x *site, how, v string) error {
		if x == nil {
			return fmt.Errorf("%s: no site with %s %q", what, how, shorten(v))
		}
		if found != nil && found != x {
			return fmt.Errorf("%s: the site's id, myId and name name different sites", what)
		}
		found = x
		return nil
	}
	if id = strings.TrimSpace(id); id != "" {
		n, err := parseID(what+" id", id)
		if err != nil {
			return nil, err
		}
		if err := agree(st.Sites[n], "id", id); err != nil {
			return nil, err
		}
	}
	if myID = strings.TrimSpace(myID); myID != "" {
		n, _ := st.idx.siteMyID.first(myID)
		if err := agree(st.Sites[n], "myId", myID); err != nil {
			return nil, err
		}
	}
	if name = strings.TrimSpace(name); name != "" {
		if found != nil && strings.EqualFold(strings.TrimSpace(found.Name), name) {
			return found, nil
		}
		ids := st.idx.siteName.get(name)
		if len(ids) > 1 {
			return nil, fmt.Errorf("%s: %d sites are named %q; give the id or myId", what, len(ids), shorten(name))
		}
		var x *site
		if len(ids) == 1 {
			x = st.Sites[ids[0]]
		}
		if err := agree(x, "name", name); err != nil {
			return nil, err
		}
	}
	return found, nil
}

type siteIn struct {
	ID           synchroteam.ID `json:"id"`
	MyID         *text          `json:"myId"`
	Name         *text          `json:"name"`
	CustomerID   synchroteam.ID `json:"customerId"`
	CustomerMyID *text          `json:"customerMyId"`
	CustomerName *text          `json:"customerName"`
	addressIn
	contactIn
	CustomFieldValues []fieldValue         `json:"customFieldValues"`
	Position          *positionIn          `json:"position"`
	Tags              *synchroteam.Strings `json:"tags"`
	Equipments        []equipmentIn        `json:"equipments"`
}

// siteOut is a site as Site/Details shows it: the keys of the reference's
// example (no customer, no contactFirstName).
type siteOut struct {
	ID                int64           `json:"id"`
	MyID              string          `json:"myId"`
	Address           string          `json:"address"`
	AddressComplement string          `json:"addressComplement"`
	AdressCity        string          `json:"adressCity"`
	AdressCountry     string          `json:"adressCountry"`
	AdressProvince    string          `json:"adressProvince"`
	AdressStreet      string          `json:"adressStreet"`
	AdressZIP         string          `json:"adressZIP"`
	ContactEmail      string          `json:"contactEmail"`
	ContactFax        string          `json:"contactFax"`
	ContactMobile     string          `json:"contactMobile"`
	ContactName       string          `json:"contactName"`
	ContactPhone      string          `json:"contactPhone"`
	Name              string          `json:"name"`
	Equipments        []equipmentOut  `json:"equipments,omitzero"`
	CustomFieldValues []fieldValueOut `json:"customFieldValues,omitzero"`
	Position          *positionOut    `json:"position"`
	Tags              []string        `json:"tags,omitzero"`
}

func (st *state) siteOut(x *site, details bool) siteOut {
	out := siteOut{
		ID: x.ID, MyID: x.MyID, Address: x.Addr.Address, AddressComplement: x.Addr.Complement,
		AdressCity: x.Addr.City, AdressCountry: x.Addr.Country, AdressProvince: x.Addr.Province,
		AdressStreet: x.Addr.Street, AdressZIP: x.Addr.ZIP,
		ContactEmail: x.Contact.Email, ContactFax: x.Contact.Fax,
		ContactMobile: x.Contact.Mobile, ContactName: x.Contact.Name, ContactPhone: x.Contact.Phone,
		Name: x.Name, Position: posOut(x.Pos),
	}
	if details {
		out.Equipments = []equipmentOut{}
		for _, id := range sortedKeys(st.Equipment) {
			if e := st.Equipment[id]; e.SiteID == x.ID {
				out.Equipments = append(out.Equipments, st.equipmentOut(e, false))
			}
		}
		out.CustomFieldValues = st.fieldsOut("site", x.Fields)
		out.Tags = append([]string{}, x.Tags...)
	}
	return out
}

// sitesBy lists the ids of the sites whose name, id or myId is value.
func (s *Server) sitesBy(c *call, by, value string) ([]int64, *answer) {
	st := s.st
	return recordsBy(c, by, value, func(id int64) bool { return st.Sites[id] != nil },
		map[string]index{"myId": st.idx.siteMyID, "name": st.idx.siteName})
}

// siteDetails answers GET Site/Details?{name|id|myId}=value.
func (s *Server) siteDetails(c *call) answer {
	ids, by, value, a := lookupRecords(c, s.sitesBy, "name", "id", "myId")
	if a != nil {
		return *a
	}
	if len(ids) == 0 {
		return c.notFound("site with %s %q not found", by, shorten(value))
	}
	return ok(s.st.siteOut(s.st.Sites[ids[0]], true))
}

// siteSend answers POST Site/Send: create or update by id or myId. The
// customer is given by customerId, customerMyId or customerName. Pieces of
// equipment listed in "equipments" are created or updated on the site.
func (s *Server) siteSend(c *call) answer {
	var in siteIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	apply, err := s.prepareSite(&in, nil)
	if err != nil {
		return c.invalid("%v", err)
	}
	return ok(codeMessage{Code: apply().ID})
}

// prepareSite checks a site sent alone (parent nil) or in the "sites" of a
// customer (parent returns that customer once it is stored). It changes
// nothing; the function it returns stores the site and its equipment.
func (s *Server) prepareSite(in *siteIn, parent func() *customer) (func() *site, error) {
	st := s.st
	var x *site
	if in.ID != "" {
		id, err := parseID("id", string(in.ID))
		if err != nil {
			return nil, err
		}
		x = st.Sites[id]
	}
	if myID := str(in.MyID); myID != "" {
		n, found := st.idx.siteMyID.first(myID)
		switch {
		case x == nil && found:
			x = st.Sites[n]
		case x != nil && found && n != x.ID:
			return nil, fmt.Errorf("myId %q is already used by site %d", shorten(myID), n)
		}
	}
	var cu *customer
	if parent == nil {
		var err error
		if cu, err = st.findCustomer("customer", string(in.CustomerID), str(in.CustomerMyID), str(in.CustomerName)); err != nil {
			return nil, err
		}
	}
	if x == nil {
		if str(in.Name) == "" {
			return nil, errors.New("the site's name is required")
		}
		if cu == nil && parent == nil {
			return nil, errors.New("the site's customer is required (customerId, customerMyId or customerName)")
		}
	} else if in.Name != nil && str(in.Name) == "" {
		return nil, errors.New("the site's name must not be empty")
	}
	pos, err := in.Position.read()
	if err != nil {
		return nil, err
	}
	fields, err := st.checkFields("site", in.CustomFieldValues)
	if err != nil {
		return nil, err
	}
	var target *site
	var equipment []func() *equipment
	for i := range in.Equipments {
		apply, err := s.prepareEquipment(&in.Equipments[i], func() *site { return target })
		if err != nil {
			return nil, fmt.Errorf("equipment %d: %w", i+1, err)
		}
		equipment = append(equipment, apply)
	}
	return func() *site {
		if parent != nil {
			cu = parent()
		}
		if x == nil {
			x = &site{ID: st.next("site")}
			st.Sites[x.ID] = x
		} else {
			st.indexSite(x, false)
		}
		if cu != nil && cu.ID != x.CustomerID {
			x.CustomerID = cu.ID
			for _, e := range st.Equipment {
				if e.SiteID == x.ID {
					e.CustomerID = cu.ID
				}
			}
		}
		setTrim(&x.MyID, in.MyID)
		set(&x.Name, in.Name)
		in.addressIn.apply(&x.Addr)
		in.contactIn.apply(&x.Contact)
		if pos != nil {
			x.Pos = pos
		} else if x.Pos == nil || in.addressIn.changes() {
			x.Pos = geocode(x.Addr)
		}
		if in.Tags != nil {
			x.Tags = append([]string(nil), (*in.Tags)...)
		}
		st.setFields(&x.Fields, fields)
		x.Modified = s.now()
		st.indexSite(x, true)
		target = x
		for _, apply := range equipment {
			apply()
		}
		return x
	}, nil
}

// deleteSite removes a site; its equipment stays with the customer.
func (st *state) deleteSite(id int64) {
	x := st.Sites[id]
	if x == nil {
		return
	}
	for _, e := range st.Equipment {
		if e.SiteID == id {
			e.SiteID = 0
		}
	}
	st.indexSite(x, false)
	delete(st.Sites, id)
}

// siteDelete answers DELETE Site/Delete?{name|id|myId}=value.
func (s *Server) siteDelete(c *call) answer {
	ids, _, _, a := lookupRecords(c, s.sitesBy, "name", "id", "myId")
	if a != nil {
		return *a
	}
	for _, id := range ids {
		s.st.deleteSite(id)
	}
	return ok(codeOnly{Code: int64(len(ids))})
}

// siteListOut is a site as the lists by customer show it.
type siteListOut struct {
	ID                int64  `json:"id"`
	MyID              string `json:"myId"`
	Address           string `json:"address"`
	AddressComplement string `json:"addressComplement"`
	AdressCity        string `json:"adressCity"`
	AdressCountry     string `json:"adressCountry"`
	AdressProvince    string `json:"adressProvince"`
	AdressStreet      string `json:"adressStreet"`
	AdressZIP         string `json:"adressZIP"`
	ContactEmail      string `json:"contactEmail"`
	ContactFax        string `json:"contactFax"`
	ContactMobile     string `json:"contactMobile"`
	ContactName       string `json:"contactName"`
	ContactPhone      string `json:"contactPhone"`
	Name              string `json:"name"`
	CustomerName      string `json:"customerName"`
}

func (s *Server) sitesOfCustomer(cu *customer) []siteListOut {
	out := []siteListOut{}
	for _, id := range sortedKeys(s.st.Sites) {
		x := s.st.Sites[id]
		if x.CustomerID != cu.ID {
			continue
		}
		out = append(out, siteListOut{
			ID: x.ID, MyID: x.MyID, Address: x.Addr.Address, AddressComplement: x.Addr.Complement,
			AdressCity: x.Addr.City, AdressCountry: x.Addr.Country, AdressProvince: x.Addr.Province,
			AdressStreet: x.Addr.Street, AdressZIP: x.Addr.ZIP,
			ContactEmail: x.Contact.Email, ContactFax: x.Contact.Fax, ContactMobile: x.Contact.Mobile,
			ContactName: x.Contact.Name, ContactPhone: x.Contact.Phone, Name: x.Name, CustomerName: cu.Name,
		})
	}
	return out
}

// siteListByCustomerID answers GET Site/List/byCustomer/id/{id}.
func (s *Server) siteListByCustomerID(c *call) answer {
	id, err := parseID("customer id", c.params[0])
	if err != nil {
		return c.invalid("%v", err)
	}
	cu := s.st.Customers[id]
	if cu == nil {
		return c.notFound("customer with id %q not found", c.params[0])
	}
	return ok(s.sitesOfCustomer(cu))
}

// siteListByCustomerMyID answers GET Site/List/byCustomer/myId/{myId}.
func (s *Server) siteListByCustomerMyID(c *call) answer {
	id, found := s.st.idx.customerMyID.first(c.params[0])
	if !found {
		return c.notFound("customer with myId %q not found", shorten(c.params[0]))
	}
	return ok(s.sitesOfCustomer(s.st.Customers[id]))
}
