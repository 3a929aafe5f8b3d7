package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Fixtures is what an account holds before any import: what the API cannot
// create (custom field definitions, depots, job types, tax rates) and any
// records, each given as the body of its Send request and applied through
// that endpoint, so a fixture is checked as a request would be. A fixtures
// file is YAML or JSON (JSON is YAML); see docs/sandbox.md.
type Fixtures struct {
	Version int `yaml:"version"`
	// CustomFields names the custom fields defined per kind of record:
	// customer, site, equipment, job, user. A value for a field the account
	// does not define is refused, as Synchroteam refuses it.
	CustomFields map[string][]string `yaml:"customFields"`
	Depots       []FixtureDepot      `yaml:"depots"`
	JobTypes     []FixtureJobType    `yaml:"jobTypes"`
	Taxes        []FixtureTax        `yaml:"taxes"`
	// Records in the shape of their Send bodies, applied in this order.
	Users         []any `yaml:"users"`
	ActivityTypes []any `yaml:"activityTypes"`
	Customers     []any `yaml:"customers"`
	Sites         []any `yaml:"sites"`
	Equipment     []any `yaml:"equipment"`
	Parts         []any `yaml:"parts"`
	Jobs          []any `yaml:"jobs"`
}

// FixtureDepot is a stock depot: its id (as Inventory/Quantities names it)
// and name.
type FixtureDepot struct {
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	Default  bool   `yaml:"default"`
	Provider bool   `yaml:"provider"`
}

// FixtureJobType is a job type; id 0 takes the next free one.
type FixtureJobType struct {
	ID   int64  `yaml:"id"`
	Name string `yaml:"name"`
}

// FixtureTax is a tax rate: Value is a percentage ("20", "5.5").
type FixtureTax struct {
	ID    int64  `yaml:"id"`
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

// customFieldKinds are the kinds of record custom fields are defined for.
var customFieldKinds = []string{"customer", "site", "equipment", "job", "user"}

// FixturesError is a fixtures file that cannot be read or applied.
type FixturesError struct {
	File string // "" for fixtures given in Config
	Err  error
}

func (e *FixturesError) Error() string {
	if e.File == "" {
		return "sandbox: fixtures: " + e.Err.Error()
	}
	return "sandbox: fixtures " + e.File + ": " + e.Err.Error()
}

func (e *FixturesError) Unwrap() error { return e.Err }

// fixtureSections are the top-level keys of a fixtures file.
var fixtureSections = []string{"version", "customFields", "depots", "jobTypes", "taxes",
	"users", "activityTypes", "customers", "sites", "equipment", "parts", "jobs"}

// goType matches the Go type names yaml puts in its messages.
var goType = regexp.MustCompile(` in type sandbox\.\w+`)

// LoadFixtures reads a fixtures file. Unknown keys are errors, so a
// misspelt section is not silently empty.
func LoadFixtures(path string) (*Fixtures, error) {
	fail := func(err error) (*Fixtures, error) { return nil, &FixturesError{File: path, Err: err} }
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FixturesError{Err: err}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fail(err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return fail(errors.New("the file must be a mapping of sections (version: 1, customFields:, depots:, ...)"))
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		k := top.Content[i]
		if !slices.Contains(fixtureSections, k.Value) {
			msg := fmt.Sprintf("line %d: unknown section %q (sections: %s)", k.Line, k.Value, strings.Join(fixtureSections, ", "))
			for _, name := range fixtureSections {
				if strings.EqualFold(strings.TrimSuffix(name, "s"), strings.TrimSuffix(k.Value, "s")) {
					msg = fmt.Sprintf("line %d: unknown section %q (did you mean %q?)", k.Line, k.Value, name)
				}
			}
			return fail(errors.New(msg))
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var fx Fixtures
	if err := dec.Decode(&fx); err != nil {
		return fail(errors.New(goType.ReplaceAllString(err.Error(), "")))
	}
	if fx.Version != 1 {
		return fail(fmt.Errorf("\"version: 1\" is required, got %d", fx.Version))
	}
	return &fx, nil
}

// applyFixtures adds fx to the server's state, reporting the first thing
// that cannot be added with its section and position.
func (s *Server) applyFixtures(fx *Fixtures) error {
	st := s.st
	for _, kind := range sortedStrings(fx.CustomFields) {
		if !slices.Contains(customFieldKinds, kind) {
			return fmt.Errorf("customFields: unknown kind of record %q (one of %s)", kind, strings.Join(customFieldKinds, ", "))
		}
		for i, name := range fx.CustomFields[kind] {
			name = strings.TrimSpace(name)
			if name == "" {
				return fmt.Errorf("customFields.%s[%d]: empty name", kind, i)
			}
			if st.fieldByName(kind, name) == nil {
				id := st.next("customField")
				st.CustomFields[id] = &customField{ID: id, Entity: kind, Name: name}
			}
		}
	}
	for i, d := range fx.Depots {
		if strings.TrimSpace(d.ID) == "" || strings.TrimSpace(d.Name) == "" {
			return fmt.Errorf("depots[%d]: a depot needs an id and a name", i)
		}
		if st.Depots[d.ID] != nil {
			return fmt.Errorf("depots[%d]: id %q is given twice", i, d.ID)
		}
		st.Depots[d.ID] = &depot{ID: d.ID, Name: d.Name, Default: d.Default, Provider: d.Provider}
	}
	for i, jt := range fx.JobTypes {
		if strings.TrimSpace(jt.Name) == "" {
			return fmt.Errorf("jobTypes[%d]: a job type needs a name", i)
		}
		id := jt.ID
		if id == 0 {
			id = st.next("jobType")
		} else if st.JobTypes[id] != nil {
			return fmt.Errorf("jobTypes[%d]: id %d is taken", i, id)
		}
		st.Seq["jobType"] = max(st.Seq["jobType"], id)
		st.JobTypes[id] = &jobType{ID: id, Name: jt.Name}
	}
	for i, t := range fx.Taxes {
		if t.ID <= 0 || strings.TrimSpace(t.Name) == "" {
			return fmt.Errorf("taxes[%d]: a tax rate needs an id and a name", i)
		}
		v := strings.Replace(strings.TrimSpace(t.Value), ",", ".", 1)
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 || f > 100 {
			return fmt.Errorf("taxes[%d]: value %q is not a percentage", i, t.Value)
		}
		st.Taxes[t.ID] = &tax{ID: t.ID, Name: t.Name, Value: v}
	}
	st.reindex()
	for _, sec := range []struct {
		name, endpoint string
		items          []any
	}{
		{"users", "User/Send", fx.Users},
		{"activityTypes", "ActivityType/Send", fx.ActivityTypes},
		{"customers", "Customer/Send", fx.Customers},
		{"sites", "Site/Send", fx.Sites},
		{"equipment", "Equipment/Send", fx.Equipment},
		{"parts", "Part/Send", fx.Parts},
		{"jobs", "Jobs/Send", fx.Jobs},
	} {
		for i, item := range sec.items {
			if err := s.send(sec.endpoint, item); err != nil {
				return fmt.Errorf("%s[%d]: %w", sec.name, i, err)
			}
		}
	}
	return nil
}

// send applies body to endpoint as a request would, without the network,
// the key, the rate limit or the quota.
func (s *Server) send(endpoint string, body any) error {
	var rt *route
	for _, r := range routes {
		if r.name == endpoint {
			rt = r
		}
	}
	if rt == nil {
		return fmt.Errorf("no endpoint %s", endpoint)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("not a request body: %w", err)
	}
	r, err := http.NewRequest(rt.method, "/Api/v2/"+endpoint, nil)
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/json")
	a := rt.handle(s, &call{r: r, route: rt, body: data, query: map[string]string{}})
	if a.status == http.StatusOK {
		return nil
	}
	msg, err := json.Marshal(a.body)
	if err != nil {
		return fmt.Errorf("%s answered %d", endpoint, a.status)
	}
	return errors.New(endpoint + " refused it: " + string(msg))
}
