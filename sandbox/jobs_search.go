package sandbox

import (
	"strconv"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

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
