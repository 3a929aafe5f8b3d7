package sandbox

import (
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// customField is the definition of a custom field of one kind of record.
type customField struct {
	ID     int64  `json:"id"`
	Entity string `json:"entity"` // "customer", "site", "equipment", "job", "user"
	Name   string `json:"name"`
}

// fieldValue is a custom field value in a request.
type fieldValue struct {
	ID    synchroteam.ID `json:"id"`
	Name  *text          `json:"name"`
	Value *text          `json:"value"`
}

// fieldValueOut is a custom field value in a response.
type fieldValueOut struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	ID    int64  `json:"id"`
}

// applyFields sets custom field values of a record of kind entity. A field
// the account does not define, by id or by name, is an error, and then
// nothing is changed.
func (st *state) applyFields(entity string, dst *map[int64]string, in []fieldValue) error {
	fields, err := st.checkFields(entity, in)
	if err != nil {
		return err
	}
	st.setFields(dst, fields)
	return nil
}

// fieldSet is one custom field value checked by checkFields, with the
// field's definition.
type fieldSet struct {
	def   *customField
	value string
}

// checkFields validates custom field values without changing anything, and
// resolves them for setFields.
func (st *state) checkFields(entity string, in []fieldValue) ([]fieldSet, error) {
	out := make([]fieldSet, 0, len(in))
	for i, fv := range in {
		set := fieldSet{}
		if fv.Value != nil {
			set.value = string(*fv.Value)
		}
		switch {
		case fv.ID != "":
			id, err := parseID("custom field id", string(fv.ID))
			if err != nil {
				return nil, err
			}
			def := st.CustomFields[id]
			if def == nil || def.Entity != entity {
				return nil, fmt.Errorf("custom field id %d does not exist for %s records", id, entity)
			}
			set.def = def
		case str(fv.Name) != "":
			set.def = st.fieldByName(entity, str(fv.Name))
			if set.def == nil {
				return nil, st.unknownField(entity, str(fv.Name))
			}
		default:
			return nil, fmt.Errorf("custom field value %d has neither id nor name", i+1)
		}
		out = append(out, set)
	}
	return out, nil
}

// unknownField is the error for a custom field name the account does not
// define for entity: Synchroteam refuses a value for a field that was
// never created in its web application.
func (st *state) unknownField(entity, name string) error {
	var names []string
	for _, id := range sortedKeys(st.CustomFields) {
		if f := st.CustomFields[id]; f.Entity == entity {
			names = append(names, fmt.Sprintf("%q", f.Name))
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("custom field %q does not exist: no custom field is defined for %s records", shorten(name), entity)
	}
	return fmt.Errorf("custom field %q does not exist for %s records (defined: %s)", shorten(name), entity, strings.Join(names, ", "))
}

// setFields applies values resolved by checkFields. It cannot fail.
func (st *state) setFields(dst *map[int64]string, fields []fieldSet) {
	for _, f := range fields {
		if *dst == nil {
			*dst = map[int64]string{}
		}
		(*dst)[f.def.ID] = f.value
	}
}

func (st *state) fieldByName(entity, name string) *customField {
	for _, id := range sortedKeys(st.CustomFields) {
		if f := st.CustomFields[id]; f.Entity == entity && strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// fieldsOut lists every custom field defined for entity with the record's
// value ("" when unset), as the job detail of the reference shows.
func (st *state) fieldsOut(entity string, values map[int64]string) []fieldValueOut {
	out := []fieldValueOut{}
	for _, id := range sortedKeys(st.CustomFields) {
		if f := st.CustomFields[id]; f.Entity == entity {
			out = append(out, fieldValueOut{Name: f.Name, Value: values[id], ID: id})
		}
	}
	return out
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
