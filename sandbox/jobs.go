package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

// Job statuses.
const (
	statusCreated   = 0
	statusScheduled = 1
	statusValidated = 6
	statusCanceled  = 7
)

type jobIn struct {
	IDJob             synchroteam.ID   `json:"idJob"`
	ID                synchroteam.ID   `json:"id"`
	MyID              *text            `json:"myId"`
	Num               synchroteam.ID   `json:"num"`
	IDJobType         synchroteam.ID   `json:"idJobType"`
	NmJobType         *text            `json:"nmJobType"`
	IDCustomer        synchroteam.ID   `json:"idCustomer"`
	CustomerMyID      *text            `json:"customerMyId"`
	CustomerName      *text            `json:"customerName"`
	IDSite            synchroteam.ID   `json:"idSite"`
	SiteMyID          *text            `json:"siteMyId"`
	SiteName          *text            `json:"siteName"`
	IDEquipment       synchroteam.ID   `json:"idEquipment"`
	EquipmentMyID     *text            `json:"equipmentMyId"`
	NameEquipment     *text            `json:"nameEquipment"`
	IDUser            synchroteam.ID   `json:"idUser"`
	Login             *text            `json:"login"`
	Description       *text            `json:"description"`
	Priority          wholeNumber      `json:"priority"`
	Status            wholeNumber      `json:"status"`
	Duration          wholeNumber      `json:"duration"`
	ScheduledBegin    synchroteam.Time `json:"scheduledBeginDate"`
	ScheduledEnd      synchroteam.Time `json:"scheduledEndDate"`
	RealBegin         synchroteam.Time `json:"realBeginDate"`
	RealEnd           synchroteam.Time `json:"realEndDate"`
	GlobalAddress     *text            `json:"globalAddress"`
	ComplementAddress *text            `json:"complementAddress"`
	AdressStreet      *text            `json:"adressStreet"`
	AdressZIP         *text            `json:"adressZIP"`
	AdressCity        *text            `json:"adressCity"`
	AdressProvince    *text            `json:"adressProvince"`
	AdressCountry     *text            `json:"adressCountry"`
	contactIn
	CustomFieldValues []fieldValue         `json:"customFieldValues"`
	Parts             *[]jobPartIn         `json:"parts"`
	PartsList         *[]jobPartIn         `json:"partsList"`
	Report            []reportIn           `json:"report"`
	OtherTechnicians  *synchroteam.Strings `json:"otherTechnicians"`
	Position          *positionIn          `json:"position"`
	Tags              *synchroteam.Strings `json:"tags"`
}

type jobPartIn struct {
	ID        synchroteam.ID     `json:"id"`
	Reference *text              `json:"reference"`
	Quantity  synchroteam.Number `json:"quantity"`
}

type reportIn struct {
	ID         synchroteam.ID `json:"id"`
	IDCategory synchroteam.ID `json:"idCategory"`
	NmCategory *text          `json:"nmCategory"`
	NmItem     *text          `json:"nmItem"`
	Iteration  wholeNumber    `json:"iteration"`
	Value      *text          `json:"value"`
}

// jobOut is a job as Jobs/Detail shows it: the keys of the reference's
// example with its spellings (RealBeginDate, ContactPhone, Activities,
// OtherTechnicians, parts, report). Fields of the field table that the
// example does not show (siteMyId, equipmentMyId, contact names and email,
// complementAddress, validationDate, validationUser, tags) are accepted by
// Jobs/Send and stored, but not shown.
type jobOut struct {
	ScheduledBeginDate *string          `json:"scheduledBeginDate"`
	ScheduledEndDate   *string          `json:"scheduledEndDate"`
	RealBeginDate      *string          `json:"RealBeginDate"`
	RealEndDate        *string          `json:"RealEndDate"`
	SiteName           string           `json:"siteName"`
	CustomerMyID       string           `json:"customerMyId"`
	Description        string           `json:"description"`
	IDCreator          int64            `json:"idCreator"`
	IDCustomer         int64            `json:"idCustomer"`
	IDEquipment        *int64           `json:"idEquipment"`
	IDJob              string           `json:"idJob"`
	IDJobType          *int64           `json:"idJobType"`
	IDReport           *int64           `json:"idReport"`
	IDSite             *int64           `json:"idSite"`
	IDUser             *int64           `json:"idUser"`
	Login              string           `json:"login"`
	NameEquipment      string           `json:"nameEquipment"`
	Priority           int64            `json:"priority"`
	ContactPhone       string           `json:"ContactPhone"`
	ContactMobile      string           `json:"contactMobile"`
	PublicLink         string           `json:"publicLink"`
	Status             int64            `json:"status"`
	Activities         []jobActivityOut `json:"Activities"`
	CustomFieldValues  []fieldValueOut  `json:"customFieldValues"`
	CustomerName       string           `json:"customerName"`
	Duration           int64            `json:"duration"`
	GlobalAddress      string           `json:"globalAddress"`
	AdressCity         string           `json:"adressCity"`
	AdressCountry      string           `json:"adressCountry"`
	AdressProvince     string           `json:"adressProvince"`
	AdressStreet       string           `json:"adressStreet"`
	AdressZIP          string           `json:"adressZIP"`
	MyID               string           `json:"myId"`
	Num                int64            `json:"num"`
	Parts              []jobPartOut     `json:"parts"`
	Position           *positionOut     `json:"position"`
	Report             []reportEntry    `json:"report"`
	OtherTechnicians   []string         `json:"OtherTechnicians"`
}

type jobActivityOut struct {
	IDUser int64   `json:"idUser"`
	Login  string  `json:"login"`
	Start  *string `json:"start"`
	Stop   *string `json:"stop"`
}

type jobPartOut struct {
	ID        int64       `json:"id"`
	Quantity  json.Number `json:"quantity"`
	Reference string      `json:"reference"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func (st *state) jobOut(j *job) jobOut {
	out := jobOut{
		ScheduledBeginDate: dmy(j.ScheduledBegin), ScheduledEndDate: dmy(j.ScheduledEnd),
		RealBeginDate: dmy(j.RealBegin), RealEndDate: dmy(j.RealEnd),
		Description: j.Description, IDCreator: j.CreatorID, IDCustomer: j.CustomerID,
		IDEquipment: optID(j.EquipmentID), IDJob: j.ID, IDJobType: optID(j.JobTypeID), IDReport: optID(j.ReportID),
		IDSite: optID(j.SiteID), IDUser: optID(j.UserID), Priority: j.Priority,
		ContactPhone: j.Contact.Phone, ContactMobile: j.Contact.Mobile, PublicLink: j.PublicLink, Status: j.Status,
		Activities: []jobActivityOut{}, CustomFieldValues: st.fieldsOut("job", j.Fields),
		Duration: j.Duration, GlobalAddress: j.Addr.Address,
		AdressCity: j.Addr.City, AdressCountry: j.Addr.Country, AdressProvince: j.Addr.Province,
		AdressStreet: j.Addr.Street, AdressZIP: j.Addr.ZIP, MyID: j.MyID, Num: j.Num,
		Parts: []jobPartOut{}, Position: posOut(j.Pos), Report: append([]reportEntry{}, j.Report...),
		OtherTechnicians: []string{},
	}
	if cu := st.Customers[j.CustomerID]; cu != nil {
		out.CustomerMyID, out.CustomerName = cu.MyID, cu.Name
	}
	if x := st.Sites[j.SiteID]; x != nil {
		out.SiteName = x.Name
	}
	if e := st.Equipment[j.EquipmentID]; e != nil {
		out.NameEquipment = e.Name
	}
	if u := st.Users[j.UserID]; u != nil {
		out.Login = u.Login
	}
	for _, a := range j.Activities {
		ao := jobActivityOut{IDUser: a.UserID, Start: dmy(a.Start), Stop: dmy(a.Stop)}
		if u := st.Users[a.UserID]; u != nil {
			ao.Login = u.Login
		}
		out.Activities = append(out.Activities, ao)
	}
	for _, p := range j.Parts {
		po := jobPartOut{ID: p.PartID, Quantity: json.Number(p.Quantity)}
		if pt := st.Parts[p.PartID]; pt != nil {
			po.Reference = pt.Reference
		}
		out.Parts = append(out.Parts, po)
	}
	for _, id := range j.OtherTechs {
		if u := st.Users[id]; u != nil {
			out.OtherTechnicians = append(out.OtherTechnicians, u.Login)
		}
	}
	return out
}

// jobBy finds the job named by a num, id or myId query parameter.
func (s *Server) jobBy(c *call) (*job, *answer) {
	by, value, bad := c.lookup("num", "id", "myId")
	if bad != nil {
		return nil, bad
	}
	var j *job
	switch by {
	case "num":
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil {
			a := c.invalid("num %q is not a number", shorten(value))
			return nil, &a
		}
		j = s.st.Jobs[s.st.idx.jobNum[n]]
	case "id":
		j = s.st.jobByID(strings.TrimSpace(value))
	default:
		j = s.st.Jobs[s.st.idx.jobMyID[key(value)]]
	}
	if j == nil {
		a := c.notFound("job with %s %q not found", by, shorten(value))
		return nil, &a
	}
	return j, nil
}

// jobDetail answers GET Jobs/Detail?{num|id|myId}=value.
func (s *Server) jobDetail(c *call) answer {
	j, a := s.jobBy(c)
	if a != nil {
		return *a
	}
	return ok(s.st.jobOut(j))
}

// jobSendReply is the answer of Jobs/Send: the job's num, and a null message.
type jobSendReply struct {
	Code    int64   `json:"code"`
	Message *string `json:"message"`
}

// jobSend answers POST Jobs/Send: create or update by idJob, myId or num.
func (s *Server) jobSend(c *call) answer {
	var in jobIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	now := s.now()
	idJob := strings.TrimSpace(string(in.IDJob))
	if idJob == "" {
		idJob = strings.TrimSpace(string(in.ID))
	}
	var j *job
	if idJob != "" {
		j = st.jobByID(idJob)
	}
	var num int64
	if n := strings.TrimSpace(string(in.Num)); n != "" {
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v <= 0 {
			return c.invalid("num %q is not a job number", shorten(n))
		}
		num = v
		if other := st.Jobs[st.idx.jobNum[v]]; other != nil {
			if j != nil && other != j {
				return c.invalid("num %d is already job %s", v, other.ID)
			}
			j = other
		}
	}
	if myID := str(in.MyID); myID != "" {
		if other := st.Jobs[st.idx.jobMyID[key(myID)]]; other != nil {
			if j != nil && other != j {
				return c.invalid("myId %q is already used by job %d", shorten(myID), other.Num)
			}
			j = other
		}
	}
	creating := j == nil
	if creating && idJob != "" && num == 0 && str(in.MyID) == "" {
		return c.invalid("no job with idJob %q", shorten(idJob))
	}

	// Parents.
	cu, err := st.findCustomer("customer", string(in.IDCustomer), str(in.CustomerMyID), str(in.CustomerName))
	if err != nil {
		return c.invalid("%v", err)
	}
	x, err := st.findSite("site", string(in.IDSite), str(in.SiteMyID), str(in.SiteName))
	if err != nil {
		return c.invalid("%v", err)
	}
	eq, err := st.findEquipment("equipment", string(in.IDEquipment), str(in.EquipmentMyID), str(in.NameEquipment))
	if err != nil {
		return c.invalid("%v", err)
	}
	if cu == nil && creating {
		switch {
		case x != nil:
			cu = st.Customers[x.CustomerID]
		case eq != nil:
			cu = st.Customers[eq.CustomerID]
		default:
			return c.invalid("the job's customer is required (idCustomer, customerMyId or customerName)")
		}
	}
	custID := int64(0)
	if cu != nil {
		custID = cu.ID
	} else if j != nil {
		custID = j.CustomerID
	}
	if x != nil && x.CustomerID != custID {
		return c.invalid("site %d does not belong to customer %d", x.ID, custID)
	}
	if eq != nil && eq.CustomerID != custID {
		return c.invalid("equipment %d does not belong to customer %d", eq.ID, custID)
	}
	tech, err := st.findUser("technician", string(in.IDUser), str(in.Login))
	if err != nil {
		return c.invalid("%v", err)
	}
	var jt *jobType
	if id := strings.TrimSpace(string(in.IDJobType)); id != "" {
		n, err := parseID("idJobType", id)
		if err != nil {
			return c.invalid("%v", err)
		}
		if jt = st.JobTypes[n]; jt == nil {
			return c.invalid("no job type with id %d", n)
		}
	}
	if name := str(in.NmJobType); name != "" {
		var byName *jobType
		for _, id := range sortedKeys(st.JobTypes) {
			if strings.EqualFold(strings.TrimSpace(st.JobTypes[id].Name), name) {
				byName = st.JobTypes[id]
				break
			}
		}
		if byName == nil {
			return c.invalid("no job type named %q", shorten(name))
		}
		if jt != nil && jt != byName {
			return c.invalid("idJobType %d and nmJobType %q name different job types", jt.ID, shorten(name))
		}
		jt = byName
	}
	var others []int64
	if in.OtherTechnicians != nil {
		for _, login := range *in.OtherTechnicians {
			u, err := st.findUser("other technician", "", login)
			if err != nil {
				return c.invalid("%v", err)
			}
			if u == nil {
				return c.invalid("other technician: give the login")
			}
			others = append(others, u.ID)
		}
	}

	// Scalars.
	var dates [4]time.Time
	var dateSet [4]bool
	for i, d := range []struct {
		name string
		v    synchroteam.Time
	}{{"scheduledBeginDate", in.ScheduledBegin}, {"scheduledEndDate", in.ScheduledEnd}, {"realBeginDate", in.RealBegin}, {"realEndDate", in.RealEnd}} {
		if d.v.Invalid() {
			return c.invalid("%s %q is not a date (yyyy-mm-dd hh:mm)", d.name, shorten(d.v.Raw()))
		}
		dates[i], dateSet[i] = d.v.Time()
	}
	begin, end := pick(dateSet[0], dates[0], j, func(j *job) time.Time { return j.ScheduledBegin }), pick(dateSet[1], dates[1], j, func(j *job) time.Time { return j.ScheduledEnd })
	if !begin.IsZero() && !end.IsZero() && end.Before(begin) {
		return c.invalid("scheduledEndDate is before scheduledBeginDate")
	}
	status, statusSet := in.Status.Int64()
	if statusSet && (status < 0 || status > 7) {
		return c.invalid("status %d is not a job status (0 to 7)", status)
	}
	priority, prioritySet := in.Priority.Int64()
	if prioritySet && (priority < 0 || priority > 2) {
		return c.invalid("priority %d is not 0 (low), 1 (medium) or 2 (high)", priority)
	}
	duration, durationSet := in.Duration.Int64()
	if durationSet && duration < 0 {
		return c.invalid("duration must not be negative")
	}
	pos, err := in.Position.read()
	if err != nil {
		return c.invalid("%v", err)
	}
	partsIn := in.Parts
	if partsIn == nil {
		partsIn = in.PartsList
	}
	var parts []jobPart
	if partsIn != nil {
		for i, p := range *partsIn {
			pt, err := st.findPart(fmt.Sprintf("part %d", i+1), string(p.ID), str(p.Reference))
			if err != nil {
				return c.invalid("%v", err)
			}
			if pt == nil {
				return c.invalid("part %d: give its id or reference", i+1)
			}
			q, okQ, err := number(fmt.Sprintf("part %d quantity", i+1), p.Quantity)
			if err != nil {
				return c.invalid("%v", err)
			}
			if !okQ || q < 0 {
				return c.invalid("part %d: the quantity must be a number of at least 0", i+1)
			}
			parts = append(parts, jobPart{PartID: pt.ID, Quantity: decimalText(q)})
		}
	}
	jtForReport := jt
	if jtForReport == nil && j != nil {
		jtForReport = st.JobTypes[j.JobTypeID]
	}
	report, err := st.resolveReport(jtForReport, in.Report)
	if err != nil {
		return c.invalid("%v", err)
	}
	fields, err := st.checkFields("job", in.CustomFieldValues)
	if err != nil {
		return c.invalid("%v", err)
	}

	// Apply.
	if creating {
		if num == 0 {
			num = st.next("jobNum")
			for st.idx.jobNum[num] != "" {
				num = st.next("jobNum")
			}
		}
		creator := st.creatorID()
		j = &job{ID: st.RNG.jobID(creator, now), Num: num, CreatorID: creator,
			PublicLink: "https://synchroteam.com/Jobs/PublicJob/" + st.RNG.guid()}
		for st.Jobs[j.ID] != nil {
			j.ID = st.RNG.jobID(creator, now)
		}
		st.Jobs[j.ID] = j
	} else {
		st.indexJob(j, false)
	}
	if cu != nil {
		j.CustomerID = cu.ID
	}
	if x != nil {
		j.SiteID = x.ID
	}
	if eq != nil {
		j.EquipmentID = eq.ID
	}
	if tech != nil {
		j.UserID = tech.ID
	}
	if jt != nil {
		j.JobTypeID, j.ReportID = jt.ID, jt.ReportID
	}
	setTrim(&j.MyID, in.MyID)
	set(&j.Description, in.Description)
	if prioritySet {
		j.Priority = priority
	}
	if durationSet {
		j.Duration = duration
	}
	for i, t := range []*time.Time{&j.ScheduledBegin, &j.ScheduledEnd, &j.RealBegin, &j.RealEnd} {
		if dateSet[i] {
			*t = dates[i]
		}
	}
	switch {
	case statusSet:
		j.Status = status
	case creating && j.UserID != 0 && !j.ScheduledBegin.IsZero():
		j.Status = statusScheduled
	case creating:
		j.Status = statusCreated
	}
	addrGiven := in.GlobalAddress != nil || in.AdressStreet != nil || in.AdressCity != nil || in.AdressZIP != nil
	set(&j.Addr.Address, in.GlobalAddress)
	set(&j.Addr.Complement, in.ComplementAddress)
	set(&j.Addr.Street, in.AdressStreet)
	set(&j.Addr.ZIP, in.AdressZIP)
	set(&j.Addr.City, in.AdressCity)
	set(&j.Addr.Province, in.AdressProvince)
	set(&j.Addr.Country, in.AdressCountry)
	if creating && strings.TrimSpace(j.Addr.Address) == "" && j.Addr.City == "" {
		// Like the service, a job without an address takes its site's or
		// customer's address and position.
		if x := st.Sites[j.SiteID]; x != nil {
			j.Addr, j.Pos = x.Addr, x.Pos
		} else if cu := st.Customers[j.CustomerID]; cu != nil {
			j.Addr, j.Pos = cu.Addr, cu.Pos
		}
	}
	in.contactIn.apply(&j.Contact)
	if pos != nil {
		j.Pos = pos
	} else if addrGiven {
		j.Pos = geocode(j.Addr)
	}
	if in.Tags != nil {
		j.Tags = append([]string(nil), (*in.Tags)...)
	}
	if in.OtherTechnicians != nil {
		j.OtherTechs = others
	}
	if partsIn != nil {
		j.Parts = parts
	}
	if len(report) > 0 {
		j.mergeReport(report)
		j.ReportModified = now
	}
	st.setFields("job", &j.Fields, fields)
	j.Modified = now
	st.indexJob(j, true)
	return ok(jobSendReply{Code: j.Num})
}

func pick(set bool, v time.Time, j *job, old func(*job) time.Time) time.Time {
	if set {
		return v
	}
	if j != nil {
		return old(j)
	}
	return time.Time{}
}

// creatorID is the user the API creates jobs as: the first administrator or
// manager of the account.
func (st *state) creatorID() int64 {
	for _, id := range sortedKeys(st.Users) {
		if p := st.Users[id].Profile; p == "administrator" || p == "manager" {
			return id
		}
	}
	return 0
}

// resolveReport matches report values to block items: by item id, or by item
// name (and category name when given), looking first in the job type's report.
func (st *state) resolveReport(jt *jobType, in []reportIn) ([]reportEntry, error) {
	var out []reportEntry
	for i, r := range in {
		var b *block
		var it *blockItem
		inBlocks := func(ids []int64, match func(*block, *blockItem) bool) {
			for _, bid := range ids {
				bl := st.Blocks[bid]
				if bl == nil {
					continue
				}
				for k := range bl.Items {
					if match(bl, &bl.Items[k]) {
						b, it = bl, &bl.Items[k]
						return
					}
				}
			}
		}
		var preferred []int64
		if jt != nil {
			preferred = jt.Blocks
		}
		all := sortedKeys(st.Blocks)
		switch {
		case r.ID != "":
			id, err := parseID(fmt.Sprintf("report value %d: item id", i+1), string(r.ID))
			if err != nil {
				return nil, err
			}
			m := func(_ *block, x *blockItem) bool { return x.ID == id }
			inBlocks(all, m)
			if it == nil {
				return nil, fmt.Errorf("report value %d: no report item with id %d", i+1, id)
			}
		case str(r.NmItem) != "":
			name, cat := str(r.NmItem), str(r.NmCategory)
			m := func(bl *block, x *blockItem) bool {
				return strings.EqualFold(strings.TrimSpace(x.Name), name) && (cat == "" || strings.EqualFold(strings.TrimSpace(bl.Name), cat))
			}
			inBlocks(preferred, m)
			if it == nil {
				inBlocks(all, m)
			}
			if it == nil {
				if cat != "" {
					return nil, fmt.Errorf("report value %d: no report item %q in category %q", i+1, shorten(name), shorten(cat))
				}
				return nil, fmt.Errorf("report value %d: no report item named %q", i+1, shorten(name))
			}
		default:
			return nil, fmt.Errorf("report value %d: give the item's id or nmItem", i+1)
		}
		iter, _ := r.Iteration.Int64()
		if iter < 0 {
			return nil, fmt.Errorf("report value %d: iteration must not be negative", i+1)
		}
		v := ""
		if r.Value != nil {
			v = string(*r.Value)
		}
		out = append(out, reportEntry{ItemID: it.ID, CategoryID: b.ID, Iteration: iter, Category: b.Name, Item: it.Name, Value: v})
	}
	return out, nil
}

// mergeReport sets report values: a value for an item and iteration already
// filled replaces it, others are added.
func (j *job) mergeReport(entries []reportEntry) {
next:
	for _, e := range entries {
		for k := range j.Report {
			if j.Report[k].ItemID == e.ItemID && j.Report[k].Iteration == e.Iteration {
				j.Report[k] = e
				continue next
			}
		}
		j.Report = append(j.Report, e)
	}
}

type jobSearchIn struct {
	DateFrom          synchroteam.Time `json:"dateFrom"`
	DateTo            synchroteam.Time `json:"dateTo"`
	ChangedFrom       synchroteam.Time `json:"changedFrom"`
	ReportChangedFrom synchroteam.Time `json:"reportChangedFrom"`
	MyID              *text            `json:"myId"`
	UserName          *text            `json:"userName"`
	UserID            synchroteam.ID   `json:"userId"`
	Status            wholeNumber      `json:"status"`
	Customer          *ref             `json:"customer"`
	Site              *ref             `json:"site"`
	Equipment         *ref             `json:"equipment"`
}

// jobSearchOut is one job found by Jobs/Search; num is a string there.
type jobSearchOut struct {
	ID   string `json:"id"`
	MyID string `json:"myId"`
	Num  string `json:"num"`
}

// refMatcher tells whether a record with an id, a myId and a name matches a
// search filter object; empty parts of the filter match anything.
func refMatcher(r *ref) (func(id int64, myID, name string) bool, error) {
	if r.empty() {
		return nil, nil
	}
	idText, myID, name, _ := r.parts()
	var id int64
	if idText != "" {
		n, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("id %q is not a number", shorten(idText))
		}
		id = n
	}
	return func(rid int64, rmyID, rname string) bool {
		if idText != "" && rid != id {
			return false
		}
		if myID != "" && !strings.EqualFold(rmyID, myID) {
			return false
		}
		if name != "" && !strings.EqualFold(strings.TrimSpace(rname), name) {
			return false
		}
		return true
	}, nil
}

// jobSearch answers POST Jobs/Search with every documented filter.
func (s *Server) jobSearch(c *call) answer {
	var in jobSearchIn
	if err := c.decode(&in, true); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	from, hasFrom, err := filterTime("dateFrom", in.DateFrom, false)
	if err != nil {
		return c.invalid("%v", err)
	}
	to, hasTo, err := filterTime("dateTo", in.DateTo, true)
	if err != nil {
		return c.invalid("%v", err)
	}
	changed, hasChanged, err := filterTime("changedFrom", in.ChangedFrom, false)
	if err != nil {
		return c.invalid("%v", err)
	}
	reportChanged, hasReport, err := filterTime("reportChangedFrom", in.ReportChangedFrom, false)
	if err != nil {
		return c.invalid("%v", err)
	}
	status, hasStatus := in.Status.Int64()
	var userID int64
	if id := strings.TrimSpace(string(in.UserID)); id != "" {
		if userID, err = parseID("userId", id); err != nil {
			return c.invalid("%v", err)
		}
	}
	matchCustomer, err := refMatcher(in.Customer)
	if err != nil {
		return c.invalid("customer: %v", err)
	}
	matchSite, err := refMatcher(in.Site)
	if err != nil {
		return c.invalid("site: %v", err)
	}
	matchEquipment, err := refMatcher(in.Equipment)
	if err != nil {
		return c.invalid("equipment: %v", err)
	}
	out := []jobSearchOut{}
	for _, j := range st.jobsByNum() {
		if hasStatus && j.Status != status {
			continue
		}
		if m := str(in.MyID); m != "" && !strings.EqualFold(j.MyID, m) {
			continue
		}
		if userID != 0 && j.UserID != userID {
			continue
		}
		if name := str(in.UserName); name != "" {
			u := st.Users[j.UserID]
			if u == nil || !strings.EqualFold(u.Login, name) {
				continue
			}
		}
		if hasChanged && j.Modified.Before(changed) {
			continue
		}
		if hasReport && (j.ReportModified.IsZero() || j.ReportModified.Before(reportChanged)) {
			continue
		}
		if hasFrom || hasTo {
			begin, end := j.span()
			if begin.IsZero() || (hasFrom && end.Before(from)) || (hasTo && begin.After(to)) {
				continue
			}
		}
		if matchCustomer != nil {
			cu := st.Customers[j.CustomerID]
			if cu == nil || !matchCustomer(cu.ID, cu.MyID, cu.Name) {
				continue
			}
		}
		if matchSite != nil {
			x := st.Sites[j.SiteID]
			if x == nil || !matchSite(x.ID, x.MyID, x.Name) {
				continue
			}
		}
		if matchEquipment != nil {
			e := st.Equipment[j.EquipmentID]
			if e == nil || !matchEquipment(e.ID, e.MyID, e.Name) {
				continue
			}
		}
		out = append(out, jobSearchOut{ID: j.ID, MyID: j.MyID, Num: strconv.FormatInt(j.Num, 10)})
	}
	return ok(out)
}

// span is when a job is planned, ongoing or done: its real dates when it has
// them, else its scheduled ones.
func (j *job) span() (begin, end time.Time) {
	begin, end = j.ScheduledBegin, j.ScheduledEnd
	if !j.RealBegin.IsZero() {
		begin = j.RealBegin
	}
	if !j.RealEnd.IsZero() {
		end = j.RealEnd
	}
	if end.IsZero() {
		end = begin
	}
	if begin.IsZero() {
		begin = end
	}
	return begin, end
}

// jobsByNum lists the jobs in increasing num order.
func (st *state) jobsByNum() []*job {
	nums := make(map[int64]*job, len(st.Jobs))
	for _, j := range st.Jobs {
		nums[j.Num] = j
	}
	out := make([]*job, 0, len(nums))
	for _, n := range sortedKeys(nums) {
		out = append(out, nums[n])
	}
	return out
}

// jobValidate answers PUT Jobs/Validate?{num|id|myId}=value: the job becomes
// validated (6); a canceled job is not validated (code 0).
func (s *Server) jobValidate(c *call) answer {
	return s.setJobStatus(c, statusValidated, statusCanceled)
}

// jobCancel answers PUT Jobs/Cancel?{num|id|myId}=value: the job becomes
// canceled (7); a validated job is not canceled (code 0).
func (s *Server) jobCancel(c *call) answer {
	return s.setJobStatus(c, statusCanceled, statusValidated)
}

func (s *Server) setJobStatus(c *call, to, refused int64) answer {
	j, a := s.jobBy(c)
	if a != nil {
		if a.status == http.StatusNotFound {
			return ok(codeOnly{Code: 0})
		}
		return *a
	}
	if j.Status == refused {
		return ok(codeOnly{Code: 0})
	}
	now := s.now()
	j.Status = to
	if to == statusValidated {
		j.Validated, j.ValidationUser = now, s.st.creatorID()
	}
	j.Modified = now
	return ok(codeOnly{Code: 1})
}

type photoOut struct {
	Job       photoJob `json:"job"`
	Iteration int64    `json:"iteration"`
	FileName  string   `json:"fileName"`
	Comment   string   `json:"comment"`
	ImageData string   `json:"imageData"`
}

type photoJob struct {
	ID   string `json:"id"`
	MyID string `json:"myId"`
	Num  int64  `json:"num"`
}

// jobPhotos answers GET Jobs/Photos?{num|id|myId}=value.
func (s *Server) jobPhotos(c *call) answer {
	j, a := s.jobBy(c)
	if a != nil {
		return *a
	}
	out := []photoOut{}
	for _, p := range j.Photos {
		out = append(out, photoOut{
			Job: photoJob{ID: j.ID, MyID: j.MyID, Num: j.Num}, Iteration: p.Iteration,
			FileName: p.FileName, Comment: p.Comment, ImageData: base64.StdEncoding.EncodeToString(p.Data),
		})
	}
	return ok(out)
}

type pdfOut struct {
	PDFData string `json:"pdfData"`
}

// jobPDF answers GET Jobs/PDF?{num|id|myId}=value with the job report as a PDF.
func (s *Server) jobPDF(c *call) answer {
	j, a := s.jobBy(c)
	if a != nil {
		return *a
	}
	return ok(pdfOut{PDFData: base64.StdEncoding.EncodeToString(jobReportPDF(s.st, j))})
}

type customFieldSendIn struct {
	CustomFieldValues []fieldValue `json:"customFieldValues"`
	Job               *ref         `json:"job"`
}

// customFieldSend answers POST CustomField/Send: set custom field values of a
// job given by id, myId or num.
func (s *Server) customFieldSend(c *call) answer {
	var in customFieldSendIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	if in.Job.empty() {
		return c.invalid("the job is required (Job: id, myId or num)")
	}
	id, myID, num, given := in.Job.jobKeys()
	if !given {
		return c.invalid("job: give id, myId or num")
	}
	j, err := s.st.findJob("job", id, myID, num)
	if err != nil {
		return c.invalid("%v", err)
	}
	if err := s.st.applyFields("job", &j.Fields, in.CustomFieldValues); err != nil {
		return c.invalid("%v", err)
	}
	j.Modified = s.now()
	return ok(codeMessage{Code: 1, Message: ""})
}

// wholeNumber is an integer field of a request (status, num, iteration):
// it reads as synchroteam.Int does, and a value that is not a whole number
// is refused, as the API refuses it.
type wholeNumber struct{ synchroteam.Int }

func (w *wholeNumber) UnmarshalJSON(data []byte) error {
	if err := w.Int.UnmarshalJSON(data); err != nil {
		return err
	}
	if w.Invalid() {
		return fmt.Errorf("integer: %q is not a whole number", w.Raw())
	}
	return nil
}
