package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

type user struct {
	ID            int64            `json:"id"`
	FirstName     string           `json:"firstName,omitempty"`
	LastName      string           `json:"lastName,omitempty"`
	Login         string           `json:"login"`
	Password      string           `json:"password,omitempty"`
	Language      string           `json:"language,omitempty"`
	Email         string           `json:"email,omitempty"`
	Phone         string           `json:"phone,omitempty"`
	Profile       string           `json:"profile"`
	Fields        map[int64]string `json:"fields,omitempty"`
	SkilledTrades []string         `json:"skilledTrades,omitempty"`
	Groups        []int64          `json:"groups,omitempty"`
	Start         *startLocation   `json:"startLocation,omitempty"`
	Modified      time.Time        `json:"modified"`
}

type startLocation struct {
	FullAddress string `json:"fullAdress"`
	Latitude    string `json:"latitude"`
	Longitude   string `json:"longitude"`
}

type group struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func (st *state) indexUser(u *user, add bool) {
	op := index.remove
	if add {
		op = index.add
	}
	op(st.idx.userLogin, u.Login, u.ID)
}

// findUser resolves a user by id or login.
func (st *state) findUser(what, id, login string) (*user, error) {
	var found *user
	if id = strings.TrimSpace(id); id != "" {
		n, err := parseID(what+" id", id)
		if err != nil {
			return nil, err
		}
		if found = st.Users[n]; found == nil {
			return nil, fmt.Errorf("%s: no user with id %q", what, id)
		}
	}
	if login = strings.TrimSpace(login); login != "" {
		n, _ := st.idx.userLogin.first(login)
		u := st.Users[n]
		if u == nil {
			return nil, fmt.Errorf("%s: no user with login %q", what, shorten(login))
		}
		if found != nil && found != u {
			return nil, fmt.Errorf("%s: the user's id and login name different users", what)
		}
		found = u
	}
	return found, nil
}

var (
	profiles  = []string{"technician", "administrator", "manager"}
	languages = []string{"EN", "FR", "ES", "RO", "CZ"}
)

type userIn struct {
	ID                synchroteam.ID       `json:"id"`
	FirstName         *text                `json:"firstName"`
	LastName          *text                `json:"lastName"`
	Login             *text                `json:"login"`
	Password          *text                `json:"password"`
	Language          *text                `json:"language"`
	Email             *text                `json:"email"`
	Phone             *text                `json:"phone"`
	Profile           *text                `json:"profile"`
	CustomFieldValues []fieldValue         `json:"customFieldValues"`
	SkilledTrades     *synchroteam.Strings `json:"skilledTrades"`
	Groups            *synchroteam.Strings `json:"groups"`
	StartLocation     *startLocationIn     `json:"startLocation"`
}

type startLocationIn struct {
	FullAdress *text              `json:"fullAdress"`
	Latitude   synchroteam.Number `json:"latitude"`
	Longitude  synchroteam.Number `json:"longitude"`
}

// userOut is a user as User/Details shows it ("CustomFieldValues" with a
// capital C, as in the reference).
type userOut struct {
	ID                int64           `json:"id"`
	FirstName         string          `json:"firstName"`
	LastName          string          `json:"lastName"`
	Login             string          `json:"login"`
	Phone             string          `json:"phone"`
	Profile           string          `json:"profile"`
	Email             string          `json:"email"`
	Language          string          `json:"language"`
	Groups            []string        `json:"groups"`
	SkilledTrades     []string        `json:"skilledTrades"`
	StartLocation     *startLocation  `json:"startLocation"`
	CustomFieldValues []fieldValueOut `json:"CustomFieldValues"`
}

func (st *state) groupNames(u *user) []string {
	out := []string{}
	for _, id := range u.Groups {
		if g := st.Groups[id]; g != nil {
			out = append(out, g.Name)
		}
	}
	return out
}

func (st *state) userOut(u *user) userOut {
	return userOut{
		ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Login: u.Login, Phone: u.Phone,
		Profile: u.Profile, Email: u.Email, Language: u.Language, Groups: st.groupNames(u),
		SkilledTrades: append([]string{}, u.SkilledTrades...), StartLocation: u.Start,
		CustomFieldValues: st.fieldsOut("user", u.Fields),
	}
}

// userDetails answers GET User/Details?{login|id}=value.
func (s *Server) userDetails(c *call) answer {
	by, value, bad := c.lookup("login", "id")
	if bad != nil {
		return *bad
	}
	var u *user
	if by == "id" {
		id, err := parseID("id", value)
		if err != nil {
			return c.invalid("%v", err)
		}
		u = s.st.Users[id]
	} else if id, found := s.st.idx.userLogin.first(value); found {
		u = s.st.Users[id]
	}
	if u == nil {
		return c.notFound("user with %s %q not found", by, shorten(value))
	}
	return ok(s.st.userOut(u))
}

func oneOf(v string, allowed []string) (string, bool) {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, true
		}
	}
	return "", false
}

// userSend answers POST User/Send: create or update by id or login. Groups
// named but unknown are created.
func (s *Server) userSend(c *call) answer {
	var in userIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	var u *user
	if in.ID != "" {
		id, err := parseID("id", string(in.ID))
		if err != nil {
			return c.invalid("%v", err)
		}
		u = st.Users[id]
	}
	if login := str(in.Login); login != "" {
		n, found := st.idx.userLogin.first(login)
		switch {
		case u == nil && found:
			u = st.Users[n]
		case u != nil && found && n != u.ID:
			return c.invalid("login %q is already used by user %d", shorten(login), n)
		}
	}
	if u == nil && str(in.Login) == "" {
		return c.invalid("the user's login is required")
	}
	if u != nil && in.Login != nil && str(in.Login) == "" {
		return c.invalid("the user's login must not be empty")
	}
	profile, language := "", ""
	if p := str(in.Profile); p != "" {
		var valid bool
		if profile, valid = oneOf(p, profiles); !valid {
			return c.invalid("profile %q is not one of technician, administrator, manager", shorten(p))
		}
	}
	if l := str(in.Language); l != "" {
		var valid bool
		if language, valid = oneOf(l, languages); !valid {
			return c.invalid("language %q is not one of EN, FR, ES, RO, CZ", shorten(l))
		}
	}
	if e := str(in.Email); e != "" && !strings.Contains(e, "@") {
		return c.invalid("email %q is not an email address", shorten(e))
	}
	var start *startLocation
	if in.StartLocation != nil {
		pos, err := (&positionIn{Latitude: in.StartLocation.Latitude, Longitude: in.StartLocation.Longitude}).read()
		if err != nil {
			return c.invalid("startLocation: %v", err)
		}
		start = &startLocation{FullAddress: string(deref(in.StartLocation.FullAdress))}
		if pos != nil {
			start.Latitude, start.Longitude = pos.Lat, pos.Lng
		}
	}
	fields, err := st.checkFields("user", in.CustomFieldValues)
	if err != nil {
		return c.invalid("%v", err)
	}
	if u == nil {
		u = &user{ID: st.next("user"), Profile: "technician", Language: "EN"}
		st.Users[u.ID] = u
	} else {
		st.indexUser(u, false)
	}
	set(&u.FirstName, in.FirstName)
	set(&u.LastName, in.LastName)
	setTrim(&u.Login, in.Login)
	set(&u.Password, in.Password)
	set(&u.Phone, in.Phone)
	setTrim(&u.Email, in.Email)
	if profile != "" {
		u.Profile = profile
	}
	if language != "" {
		u.Language = language
	}
	if start != nil {
		u.Start = start
	}
	if in.SkilledTrades != nil {
		u.SkilledTrades = uniq(*in.SkilledTrades)
	}
	if in.Groups != nil {
		u.Groups = nil
		for _, name := range uniq(*in.Groups) {
			u.Groups = append(u.Groups, st.groupID(name))
		}
	}
	st.setFields(&u.Fields, fields)
	u.Modified = s.now()
	st.indexUser(u, true)
	return ok(codeMessage{Code: u.ID})
}

// groupID returns the id of the group named name, creating it if needed.
func (st *state) groupID(name string) int64 {
	for _, id := range sortedKeys(st.Groups) {
		if strings.EqualFold(st.Groups[id].Name, name) {
			return id
		}
	}
	g := &group{ID: st.next("group"), Name: name}
	st.Groups[g.ID] = g
	return g.ID
}

type userSearchIn struct {
	Group         *ref                `json:"group"`
	SkilledTrades synchroteam.Strings `json:"skilledTrades"`
}

type userSearchOut struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
}

// userSearch answers POST User/Search: users of a group (by id or name)
// having every skilled trade given.
func (s *Server) userSearch(c *call) answer {
	var in userSearchIn
	if err := c.decode(&in, true); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	var groupID int64
	filterGroup := !in.Group.empty()
	if filterGroup {
		id, _, name, _ := in.Group.parts()
		if id != "" {
			n, err := parseID("group id", id)
			if err != nil {
				return c.invalid("%v", err)
			}
			groupID = n
			if g := st.Groups[n]; g == nil || (name != "" && !strings.EqualFold(g.Name, name)) {
				groupID = -1
			}
		} else {
			groupID = -1
			for _, gid := range sortedKeys(st.Groups) {
				if strings.EqualFold(st.Groups[gid].Name, name) {
					groupID = gid
				}
			}
		}
	}
	out := []userSearchOut{}
	for _, id := range sortedKeys(st.Users) {
		u := st.Users[id]
		if filterGroup && !containsID(u.Groups, groupID) {
			continue
		}
		if !hasAll(u.SkilledTrades, in.SkilledTrades) {
			continue
		}
		out = append(out, userSearchOut{ID: u.ID, Login: u.Login})
	}
	return ok(out)
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

func hasAll(have, want []string) bool {
next:
	for _, w := range want {
		for _, h := range have {
			if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(w)) {
				continue next
			}
		}
		return false
	}
	return true
}
