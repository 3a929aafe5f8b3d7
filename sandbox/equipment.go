package sandbox

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

type equipment struct {
	ID         int64            `json:"id"`
	MyID       string           `json:"myId,omitempty"`
	Name       string           `json:"name"`
	CustomerID int64            `json:"customerId"`
	SiteID     int64            `json:"siteId,omitempty"`
	Fields     map[int64]string `json:"fields,omitempty"`
	Tags       []string         `json:"tags,omitempty"`
	Modified   time.Time        `json:"modified"`
}

func (st *state) indexEquipment(e *equipment, add bool) {
	op := index.remove
	if add {
		op = index.add
	}
	op(st.idx.equipmentMyID, e.MyID, e.ID)
	op(st.idx.equipmentName, e.Name, e.ID)
}

// findEquipment resolves an equipment reference like findCustomer.
func (st *state) findEquipment(what, id, myID, name string) (*equipment, error) {
	var found *equipment
	agree := func(e *equipment, how, v string) error {
		if e == nil {
			return fmt.Errorf("%s: no equipment with %s %q", what, how, shorten(v))
		}
		if found != nil && found != e {
			return fmt.Errorf("%s: the equipment's id, myId and name name different pieces of equipment", what)
		}
		found = e
		return nil
	}
	if id = strings.TrimSpace(id); id != "" {
		n, err := parseID(what+" id", id)
		if err != nil {
			return nil, err
		}
		if err := agree(st.Equipment[n], "id", id); err != nil {
			return nil, err
		}
	}
	if myID = strings.TrimSpace(myID); myID != "" {
		n, _ := st.idx.equipmentMyID.first(myID)
		if err := agree(st.Equipment[n], "myId", myID); err != nil {
			return nil, err
		}
	}
	if name = strings.TrimSpace(name); name != "" {
		if found != nil && strings.EqualFold(strings.TrimSpace(found.Name), name) {
			return found, nil
		}
		ids := st.idx.equipmentName.get(name)
		if len(ids) > 1 {
			return nil, fmt.Errorf("%s: %d pieces of equipment are named %q; give the id or myId", what, len(ids), shorten(name))
		}
		var e *equipment
		if len(ids) == 1 {
			e = st.Equipment[ids[0]]
		}
		if err := agree(e, "name", name); err != nil {
			return nil, err
		}
	}
	return found, nil
}

type equipmentIn struct {
	ID                synchroteam.ID       `json:"id"`
	MyID              *text                `json:"myId"`
	Name              *text                `json:"name"`
	CustomerID        synchroteam.ID       `json:"customerId"`
	CustomerMyID      *text                `json:"customerMyId"`
	CustomerName      *text                `json:"customerName"`
	SiteID            synchroteam.ID       `json:"siteId"`
	SiteMyID          *text                `json:"siteMyId"`
	SiteName          *text                `json:"siteName"`
	CustomFieldValues []fieldValue         `json:"customFieldValues"`
	Tags              *synchroteam.Strings `json:"tags"`
}

// equipmentOut is a piece of equipment as Equipment/Details and the lists
// show it.
type equipmentOut struct {
	CustomerID        int64           `json:"customerId"`
	CustomerMyID      string          `json:"customerMyId"`
	CustomerName      string          `json:"customerName"`
	MyID              string          `json:"myId"`
	Name              string          `json:"name"`
	SiteID            *int64          `json:"siteId"`
	SiteMyID          string          `json:"siteMyId"`
	SiteName          string          `json:"siteName"`
	ID                int64           `json:"id"`
	CustomFieldValues []fieldValueOut `json:"customFieldValues,omitzero"`
	Tags              []string        `json:"tags,omitzero"`
}

func (st *state) equipmentOut(e *equipment, details bool) equipmentOut {
	out := equipmentOut{CustomerID: e.CustomerID, MyID: e.MyID, Name: e.Name, ID: e.ID}
	if cu := st.Customers[e.CustomerID]; cu != nil {
		out.CustomerMyID, out.CustomerName = cu.MyID, cu.Name
	}
	if x := st.Sites[e.SiteID]; x != nil {
		id := x.ID
		out.SiteID, out.SiteMyID, out.SiteName = &id, x.MyID, x.Name
	}
	if details {
		out.CustomFieldValues = st.fieldsOut("equipment", e.Fields)
		out.Tags = append([]string{}, e.Tags...)
	}
	return out
}

// equipmentBy lists the ids of the pieces of equipment whose name, id or
// myId is value.
func (s *Server) equipmentBy(c *call, by, value string) ([]int64, *answer) {
	st := s.st
	return recordsBy(c, by, value, func(id int64) bool { return st.Equipment[id] != nil },
		map[string]index{"myId": st.idx.equipmentMyID, "name": st.idx.equipmentName})
}

// equipmentDetails answers GET Equipment/Details?{name|id|myId}=value.
func (s *Server) equipmentDetails(c *call) answer {
	ids, by, value, a := lookupRecords(c, s.equipmentBy, "name", "id", "myId")
	if a != nil {
		return *a
	}
	if len(ids) == 0 {
		return c.notFound("equipment with %s %q not found", by, shorten(value))
	}
	return ok(s.st.equipmentOut(s.st.Equipment[ids[0]], true))
}

// equipmentSend answers POST Equipment/Send: create or update by id or myId.
// The customer and the site are given by id, myId or name; a site alone
// decides the customer.
func (s *Server) equipmentSend(c *call) answer {
	var in equipmentIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	apply, err := s.prepareEquipment(&in, nil)
	if err != nil {
		return c.invalid("%v", err)
	}
	return ok(codeMessage{Code: apply().ID})
}

// prepareEquipment checks a piece of equipment sent alone (parentSite nil),
// in the "equipments" of a site or, with parentCustomer, of a customer; the
// parent functions return the parent once it is stored. It changes nothing;
// the function it returns stores the equipment.
func (s *Server) prepareEquipment(in *equipmentIn, parentSite func() *site, parentCustomer ...func() *customer) (func() *equipment, error) {
	st := s.st
	var e *equipment
	if in.ID != "" {
		id, err := parseID("id", string(in.ID))
		if err != nil {
			return nil, err
		}
		e = st.Equipment[id]
	}
	if myID := str(in.MyID); myID != "" {
		n, found := st.idx.equipmentMyID.first(myID)
		switch {
		case e == nil && found:
			e = st.Equipment[n]
		case e != nil && found && n != e.ID:
			return nil, fmt.Errorf("myId %q is already used by equipment %d", shorten(myID), n)
		}
	}
	nested := parentSite != nil || len(parentCustomer) > 0
	var cu *customer
	var x *site
	if !nested {
		var err error
		if cu, err = st.findCustomer("customer", string(in.CustomerID), str(in.CustomerMyID), str(in.CustomerName)); err != nil {
			return nil, err
		}
		if x, err = st.findSite("site", string(in.SiteID), str(in.SiteMyID), str(in.SiteName)); err != nil {
			return nil, err
		}
		if x != nil {
			if cu != nil && x.CustomerID != cu.ID {
				return nil, fmt.Errorf("site %d does not belong to customer %d", x.ID, cu.ID)
			}
			cu = st.Customers[x.CustomerID]
		}
	}
	if e == nil {
		if str(in.Name) == "" {
			return nil, errors.New("the equipment's name is required")
		}
		if cu == nil && !nested {
			return nil, errors.New("the equipment's customer is required (customerId, customerMyId, customerName or a site)")
		}
	} else {
		if in.Name != nil && str(in.Name) == "" {
			return nil, errors.New("the equipment's name must not be empty")
		}
		if !nested && x == nil && cu != nil && cu.ID != e.CustomerID && e.SiteID != 0 {
			return nil, fmt.Errorf("equipment %d is on site %d of another customer; give the new site", e.ID, e.SiteID)
		}
	}
	fields, err := st.checkFields("equipment", in.CustomFieldValues)
	if err != nil {
		return nil, err
	}
	return func() *equipment {
		switch {
		case parentSite != nil:
			x = parentSite()
			cu = st.Customers[x.CustomerID]
		case len(parentCustomer) > 0:
			cu = parentCustomer[0]()
			if e != nil && e.CustomerID != cu.ID {
				e.SiteID = 0 // moved to another customer: off its old site
			}
		}
		if e == nil {
			e = &equipment{ID: st.next("equipment")}
			st.Equipment[e.ID] = e
		} else {
			st.indexEquipment(e, false)
		}
		if cu != nil {
			e.CustomerID = cu.ID
		}
		if x != nil {
			e.SiteID = x.ID
		}
		setTrim(&e.MyID, in.MyID)
		set(&e.Name, in.Name)
		if in.Tags != nil {
			e.Tags = append([]string(nil), (*in.Tags)...)
		}
		st.setFields(&e.Fields, fields)
		e.Modified = s.now()
		st.indexEquipment(e, true)
		return e
	}, nil
}

func (st *state) deleteEquipment(id int64) {
	if e := st.Equipment[id]; e != nil {
		st.indexEquipment(e, false)
		delete(st.Equipment, id)
	}
}

// equipmentDelete answers DELETE Equipment/Delete?{name|id|myId}=value.
func (s *Server) equipmentDelete(c *call) answer {
	ids, _, _, a := lookupRecords(c, s.equipmentBy, "name", "id", "myId")
	if a != nil {
		return *a
	}
	for _, id := range ids {
		s.st.deleteEquipment(id)
	}
	return ok(codeOnly{Code: int64(len(ids))})
}

// equipmentList answers GET Equipment/List/Customer/{id or name}/Site/{id or
// name}: the equipment of that customer on that site, as a list of lists (one
// per matching site) like the reference's example. A value that is the id of
// a record is taken as an id, else as a name.
func (s *Server) equipmentList(c *call) answer {
	st := s.st
	custIDs := map[int64]bool{}
	if id, err := parseID("", c.params[0]); err == nil && st.Customers[id] != nil {
		custIDs[id] = true
	} else {
		for _, id := range st.idx.customerName.get(c.params[0]) {
			custIDs[id] = true
		}
	}
	if len(custIDs) == 0 {
		return c.notFound("customer %q not found", shorten(c.params[0]))
	}
	siteIDs := map[int64]bool{}
	if id, err := parseID("", c.params[1]); err == nil && st.Sites[id] != nil && custIDs[st.Sites[id].CustomerID] {
		siteIDs[id] = true
	} else {
		for _, id := range st.idx.siteName.get(c.params[1]) {
			if custIDs[st.Sites[id].CustomerID] {
				siteIDs[id] = true
			}
		}
	}
	if len(siteIDs) == 0 {
		return c.notFound("site %q of customer %q not found", shorten(c.params[1]), shorten(c.params[0]))
	}
	// The reference's example is a list of lists: one list per site.
	out := [][]equipmentOut{}
	for _, sid := range sortedKeys(siteIDs) {
		list := []equipmentOut{}
		for _, id := range sortedKeys(st.Equipment) {
			if e := st.Equipment[id]; e.SiteID == sid && custIDs[e.CustomerID] {
				list = append(list, st.equipmentOut(e, false))
			}
		}
		out = append(out, list)
	}
	return ok(out)
}
