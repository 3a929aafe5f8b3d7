package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Job statuses.
const (
	statusCreated   = 0
	statusScheduled = 1
	statusValidated = 6
	statusCanceled  = 7
)

type job struct {
	ID             string           `json:"id"`
	MyID           string           `json:"myId,omitempty"`
	Num            int64            `json:"num"`
	JobTypeID      int64            `json:"jobTypeId,omitempty"`
	ReportID       int64            `json:"reportId,omitempty"`
	CustomerID     int64            `json:"customerId"`
	SiteID         int64            `json:"siteId,omitempty"`
	EquipmentID    int64            `json:"equipmentId,omitempty"`
	UserID         int64            `json:"userId,omitempty"`
	CreatorID      int64            `json:"creatorId,omitempty"`
	Description    string           `json:"description,omitempty"`
	Priority       int64            `json:"priority"`
	ScheduledBegin time.Time        `json:"scheduledBegin,omitzero"`
	ScheduledEnd   time.Time        `json:"scheduledEnd,omitzero"`
	RealBegin      time.Time        `json:"realBegin,omitzero"`
	RealEnd        time.Time        `json:"realEnd,omitzero"`
	Validated      time.Time        `json:"validated,omitzero"`
	ValidationUser int64            `json:"validationUser,omitempty"`
	Duration       int64            `json:"duration"`
	Addr           address          `json:"address"`
	Status         int64            `json:"status"`
	Contact        contact          `json:"contact"`
	PublicLink     string           `json:"publicLink"`
	Report         []reportEntry    `json:"report,omitempty"`
	Parts          []jobPart        `json:"parts,omitempty"`
	OtherTechs     []int64          `json:"otherTechnicians,omitempty"`
	Fields         map[int64]string `json:"fields,omitempty"`
	Pos            *position        `json:"position,omitempty"`
	Tags           []string         `json:"tags,omitempty"`
	Activities     []jobActivity    `json:"activities,omitempty"`
	Photos         []photo          `json:"photos,omitempty"`
	Modified       time.Time        `json:"modified"`
	ReportModified time.Time        `json:"reportModified,omitzero"`
}

type jobPart struct {
	PartID   int64  `json:"partId"`
	Quantity string `json:"quantity"` // decimal text
}

type jobActivity struct {
	UserID int64     `json:"userId"`
	Start  time.Time `json:"start"`
	Stop   time.Time `json:"stop"`
}

type jobType struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	ReportID int64   `json:"reportId"`
	Blocks   []int64 `json:"blocks,omitempty"` // the report's blocks, in order
}

func (st *state) indexJob(j *job, add bool) {
	if add {
		if j.MyID != "" {
			st.idx.jobMyID[key(j.MyID)] = j.ID
		}
		st.idx.jobNum[j.Num] = j.ID
		return
	}
	if j.MyID != "" && st.idx.jobMyID[key(j.MyID)] == j.ID {
		delete(st.idx.jobMyID, key(j.MyID))
	}
	if st.idx.jobNum[j.Num] == j.ID {
		delete(st.idx.jobNum, j.Num)
	}
}

// findJob resolves a job reference made of an idJob, a myId and a num.
func (st *state) findJob(what, id, myID, num string) (*job, error) {
	var found *job
	agree := func(j *job, how, v string) error {
		if j == nil {
			return fmt.Errorf("%s: no job with %s %q", what, how, shorten(v))
		}
		if found != nil && found != j {
			return fmt.Errorf("%s: the job's id, myId and num name different jobs", what)
		}
		found = j
		return nil
	}
	if id = strings.TrimSpace(id); id != "" {
		if err := agree(st.jobByID(id), "id", id); err != nil {
			return nil, err
		}
	}
	if myID = strings.TrimSpace(myID); myID != "" {
		if err := agree(st.Jobs[st.idx.jobMyID[key(myID)]], "myId", myID); err != nil {
			return nil, err
		}
	}
	if num = strings.TrimSpace(num); num != "" {
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: num %q is not a number", what, shorten(num))
		}
		if err := agree(st.Jobs[st.idx.jobNum[n]], "num", num); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// jobByID finds a job by idJob, ignoring letter case.
func (st *state) jobByID(id string) *job {
	if j := st.Jobs[id]; j != nil {
		return j
	}
	for k, j := range st.Jobs {
		if strings.EqualFold(k, id) {
			return j
		}
	}
	return nil
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
