package sandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
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
	st.setFields(&j.Fields, fields)
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
