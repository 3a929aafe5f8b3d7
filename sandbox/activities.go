package sandbox

import (
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

type activity struct {
	ID     int64     `json:"id"`
	Name   string    `json:"name"`
	Note   string    `json:"note,omitempty"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	UserID int64     `json:"userId"`
}

type activitySearchIn struct {
	DateFrom     synchroteam.Time `json:"dateFrom"`
	DateTo       synchroteam.Time `json:"dateTo"`
	LoginUser    *text            `json:"loginUser"`
	Name         *text            `json:"name"`
	NameActivity *text            `json:"nameActivity"`
}

// activityOut is an activity as Activities/Search shows it, with the
// reference's "fisrtName" and "Groups" (a comma-separated string).
type activityOut struct {
	DtEnd        string          `json:"dtEnd"`
	DtStart      string          `json:"dtStart"`
	IDActivity   int64           `json:"idActivity"`
	NmActivity   string          `json:"nmActivity"`
	NoteActivity string          `json:"noteActivity"`
	User         activityUserOut `json:"user"`
}

type activityUserOut struct {
	Groups    string `json:"Groups"`
	FisrtName string `json:"fisrtName"`
	ID        int64  `json:"id"`
	LastName  string `json:"lastName"`
	Login     string `json:"login"`
}

// activitiesSearch answers POST Activities/Search: activities that overlap
// dateFrom..dateTo, of the user loginUser, named name (or nameActivity, as
// the reference's sample sends it).
func (s *Server) activitiesSearch(c *call) answer {
	var in activitySearchIn
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
	name := str(in.Name)
	if name == "" {
		name = str(in.NameActivity)
	}
	login := str(in.LoginUser)
	out := []activityOut{}
	for _, id := range sortedKeys(st.Activities) {
		a := st.Activities[id]
		u := st.Users[a.UserID]
		if login != "" && (u == nil || !strings.EqualFold(u.Login, login)) {
			continue
		}
		if name != "" && !strings.EqualFold(strings.TrimSpace(a.Name), name) {
			continue
		}
		if (hasFrom && a.End.Before(from)) || (hasTo && a.Start.After(to)) {
			continue
		}
		o := activityOut{
			DtEnd: a.End.Format(layoutMinutes), DtStart: a.Start.Format(layoutMinutes),
			IDActivity: a.ID, NmActivity: a.Name, NoteActivity: a.Note, User: activityUserOut{ID: a.UserID},
		}
		if u != nil {
			o.User = activityUserOut{
				Groups: strings.Join(st.groupNames(u), ","), FisrtName: u.FirstName,
				ID: u.ID, LastName: u.LastName, Login: u.Login,
			}
		}
		out = append(out, o)
	}
	return ok(out)
}

type activityType struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Color       string    `json:"color"`
	HasConflict bool      `json:"hasConflit"`
	Modified    time.Time `json:"modified"`
}

type activityTypeIn struct {
	ID         synchroteam.ID   `json:"id"`
	Name       *text            `json:"name"`
	Color      *text            `json:"color"`
	HasConflit synchroteam.Bool `json:"hasConflit"`
}

// activityTypeReply is an activity type as ActivityType/Send and Search show it.
type activityTypeReply struct {
	Color      string `json:"color"`
	HasConflit bool   `json:"hasConflit"`
	ID         int64  `json:"id"`
	Name       string `json:"name"`
}

func activityTypeOut(t *activityType) activityTypeReply {
	return activityTypeReply{Color: t.Color, HasConflit: t.HasConflict, ID: t.ID, Name: t.Name}
}

// parseColor checks a "RRGGBB" color (a leading # is dropped).
func parseColor(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(s) != 6 {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return "", false
		}
	}
	return s, true
}

func (st *state) activityTypeByName(name string) *activityType {
	for _, id := range sortedKeys(st.ActivityTypes) {
		if strings.EqualFold(strings.TrimSpace(st.ActivityTypes[id].Name), strings.TrimSpace(name)) {
			return st.ActivityTypes[id]
		}
	}
	return nil
}

// activityTypeSend answers POST ActivityType/Send: update the type with that
// id, else the one with that name, else create one (an unknown id is not an
// error: the reference's sample sends id 2541 and gets id 84 back).
func (s *Server) activityTypeSend(c *call) answer {
	var in activityTypeIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	var t *activityType
	if id := strings.TrimSpace(string(in.ID)); id != "" {
		n, err := parseID("id", id)
		if err != nil {
			return c.invalid("%v", err)
		}
		t = st.ActivityTypes[n]
	}
	name := str(in.Name)
	if other := st.activityTypeByName(name); name != "" && other != nil {
		if t != nil && other != t {
			return c.invalid("the name %q is already used by activity type %d", shorten(name), other.ID)
		}
		t = other
	}
	if t == nil && name == "" {
		return c.invalid("the activity type's name is required")
	}
	if t != nil && in.Name != nil && name == "" {
		return c.invalid("the activity type's name must not be empty")
	}
	col := ""
	if in.Color != nil && str(in.Color) != "" {
		var valid bool
		if col, valid = parseColor(str(in.Color)); !valid {
			return c.invalid("color %q is not an RRGGBB color", shorten(str(in.Color)))
		}
	}
	if t == nil {
		t = &activityType{ID: st.next("activityType"), Color: "3A87AD"}
		st.ActivityTypes[t.ID] = t
	}
	if name != "" {
		t.Name = name
	}
	if col != "" {
		t.Color = col
	}
	if v, isSet := in.HasConflit.Value(); isSet {
		t.HasConflict = v
	}
	t.Modified = s.now()
	reply := activityTypeOut(t)
	return ok(activityTypeEnvelope{Code: 1, Data: &reply, Msg: ""})
}

// activityTypeSearch answers POST ActivityType/Search. The filters given (id,
// color, name, hasConflit; "" does not filter) are alternatives: a type
// matching any of them is listed. This is how the reference's example answers
// four types of color 777777 to the name "Type activitdy 7" that none has.
func (s *Server) activityTypeSearch(c *call) answer {
	var in activityTypeIn
	if err := c.decode(&in, true); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	var id int64
	if v := strings.TrimSpace(string(in.ID)); v != "" {
		n, err := parseID("id", v)
		if err != nil {
			return c.invalid("%v", err)
		}
		id = n
	}
	col := strings.TrimPrefix(str(in.Color), "#")
	name := str(in.Name)
	conflict, hasConflict := in.HasConflit.Value()
	out := []activityTypeReply{}
	for _, k := range sortedKeys(st.ActivityTypes) {
		t := st.ActivityTypes[k]
		filtered := id != 0 || col != "" || name != "" || hasConflict
		matched := (id != 0 && t.ID == id) || (col != "" && strings.EqualFold(t.Color, col)) ||
			(name != "" && strings.EqualFold(strings.TrimSpace(t.Name), name)) ||
			(hasConflict && t.HasConflict == conflict)
		if filtered && !matched {
			continue
		}
		out = append(out, activityTypeOut(t))
	}
	return ok(out)
}

type activityTypeDeleteReply struct {
	Code int64  `json:"code"`
	Msg  string `json:"msg"`
}

// activityTypeDelete answers DELETE ActivityType/Delete with a JSON body
// {"name", "id"}: the types with that id, or else with that name, are deleted.
func (s *Server) activityTypeDelete(c *call) answer {
	var in activityTypeIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	var doomed []int64
	if v := strings.TrimSpace(string(in.ID)); v != "" {
		n, err := parseID("id", v)
		if err != nil {
			return c.invalid("%v", err)
		}
		if st.ActivityTypes[n] != nil {
			doomed = append(doomed, n)
		}
	} else if name := str(in.Name); name != "" {
		for _, k := range sortedKeys(st.ActivityTypes) {
			if strings.EqualFold(strings.TrimSpace(st.ActivityTypes[k].Name), name) {
				doomed = append(doomed, k)
			}
		}
	} else {
		return c.invalid("give the id or the name of the activity type to delete")
	}
	if len(doomed) == 0 {
		return ok(activityTypeDeleteReply{Code: 0, Msg: "The element to be deleted does not exist"})
	}
	for _, k := range doomed {
		delete(st.ActivityTypes, k)
	}
	return ok(activityTypeDeleteReply{Code: int64(len(doomed)), Msg: ""})
}
