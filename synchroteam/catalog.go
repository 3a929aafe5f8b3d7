package synchroteam

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Kind is the type of a field's value on the wire.
type Kind int

// The kinds of fields.
const (
	KindString   Kind = iota
	KindID            // an id: number or string on the wire, sent as text
	KindNumber        // a decimal
	KindInteger       // a whole number
	KindBool          // true or false
	KindDate          // yyyy-mm-dd
	KindDateTime      // yyyy-mm-dd hh:mm:ss
	KindList          // a list of strings
)

var kindNames = [...]string{"string", "id", "number", "integer", "boolean", "date", "date-time", "list"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Field is one field of an entity, named as the API spells it. Nested
// fields are dotted paths: "position.latitude", "startLocation.fullAdress".
type Field struct {
	Name    string
	Kind    Kind
	Aliases []string // other names accepted for it (e.g. addressCity for adressCity)
	Doc     string
}

// Entity describes what can be written through one Send endpoint: its
// fields, its upsert keys and the fields a create needs.
type Entity struct {
	Name         string   // as written in mapping files: customer, site, part_price...
	Endpoint     string   // e.g. "Customer/Send"
	Keys         []string // fields that identify an existing record (upsert keys), in order of precedence
	Required     []string // fields a new record must have
	Fields       []Field
	CustomFields bool // accepts customFieldValues.<Name>
	Batch        bool // written in batches (Part/Prices, Inventory/Quantities)
}

// Field finds a field by its API name or an alias, case-insensitively. For
// entities with custom fields, "customFieldValues.<Name>" is a field of
// kind string.
func (e *Entity) Field(name string) (Field, bool) {
	for _, f := range e.Fields {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
		for _, a := range f.Aliases {
			if strings.EqualFold(a, name) {
				return f, true
			}
		}
	}
	if cf, ok := CustomFieldName(name); ok && e.CustomFields && cf != "" {
		return Field{Name: "customFieldValues." + cf, Kind: KindString, Doc: "custom field " + cf}, true
	}
	return Field{}, false
}

// FieldNames returns the API names of the entity's fields, for hints.
func (e *Entity) FieldNames() []string {
	names := make([]string, 0, len(e.Fields)+1)
	for _, f := range e.Fields {
		names = append(names, f.Name)
	}
	if e.CustomFields {
		names = append(names, "customFieldValues.<Name>")
	}
	return names
}

// CustomFieldName splits "customFieldValues.Sector" (any case of the prefix)
// into "Sector".
func CustomFieldName(path string) (string, bool) {
	const prefix = "customfieldvalues."
	if len(path) > len(prefix) && strings.EqualFold(path[:len(prefix)], prefix) {
		return path[len(prefix):], true
	}
	return "", false
}

// Keyed reports whether a payload carries one of the entity's natural
// upsert keys (myId, reference, login, num, name), so that repeating its
// send cannot create a duplicate. A Synchroteam id does not count: the API
// creates a new record for an id it does not know.
func (e *Entity) Keyed(payload map[string]any) bool {
	for _, k := range e.Keys {
		if k == "id" || k == "idJob" {
			continue
		}
		if v, ok := payload[k]; ok && !isEmptyValue(v) {
			return true
		}
	}
	return false
}

func isEmptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

var (
	addressFields = []Field{
		{Name: "address", Kind: KindString, Doc: "full address"},
		{Name: "addressComplement", Kind: KindString, Doc: "additional address information"},
		{Name: "adressStreet", Kind: KindString, Aliases: []string{"addressStreet"}, Doc: "street"},
		{Name: "adressZIP", Kind: KindString, Aliases: []string{"addressZIP", "addressZip", "zip"}, Doc: "zip code"},
		{Name: "adressCity", Kind: KindString, Aliases: []string{"addressCity", "city"}, Doc: "city"},
		{Name: "adressProvince", Kind: KindString, Aliases: []string{"addressProvince", "province"}, Doc: "province or state"},
		{Name: "adressCountry", Kind: KindString, Aliases: []string{"addressCountry", "country"}, Doc: "country"},
	}
	contactFields = []Field{
		{Name: "contactName", Kind: KindString, Aliases: []string{"contactLastName"}, Doc: "contact last name"},
		{Name: "contactFirstName", Kind: KindString, Doc: "contact first name"},
		{Name: "contactPhone", Kind: KindString, Doc: "contact phone"},
		{Name: "contactMobile", Kind: KindString, Doc: "contact mobile"},
		{Name: "contactEmail", Kind: KindString, Doc: "contact email"},
		{Name: "contactFax", Kind: KindString, Doc: "contact fax"},
	}
	positionFields = []Field{
		{Name: "position.latitude", Kind: KindNumber, Aliases: []string{"latitude"}, Doc: "latitude, -90 to 90"},
		{Name: "position.longitude", Kind: KindNumber, Aliases: []string{"longitude"}, Doc: "longitude"},
	}
)

func fields(groups ...[]Field) []Field {
	var out []Field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// entities is the catalog of what mapping files can import.
var entities = []*Entity{
	{
		Name: "customer", Endpoint: "Customer/Send", Keys: []string{"id", "myId"}, Required: []string{"name"}, CustomFields: true,
		Fields: fields([]Field{
			{Name: "id", Kind: KindID, Doc: "Synchroteam id (updates that customer)"},
			{Name: "myId", Kind: KindString, Doc: "your reference for the customer (upsert key)"},
			{Name: "name", Kind: KindString, Doc: "name"},
		}, addressFields, contactFields, positionFields, []Field{{Name: "tags", Kind: KindList, Doc: "tags"}}),
	},
	{
		Name: "site", Endpoint: "Site/Send", Keys: []string{"id", "myId"}, Required: []string{"name"}, CustomFields: true,
		Fields: fields([]Field{
			{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
			{Name: "myId", Kind: KindString, Doc: "your reference for the site (upsert key)"},
			{Name: "name", Kind: KindString, Doc: "name"},
			{Name: "customerId", Kind: KindID, Doc: "the customer's Synchroteam id"},
			{Name: "customerMyId", Kind: KindString, Doc: "the customer's myId"},
			{Name: "customerName", Kind: KindString, Doc: "the customer's name"},
		}, addressFields, contactFields, positionFields, []Field{{Name: "tags", Kind: KindList, Doc: "tags"}}),
	},
	{
		Name: "equipment", Endpoint: "Equipment/Send", Keys: []string{"id", "myId"}, Required: []string{"name"}, CustomFields: true,
		Fields: []Field{
			{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
			{Name: "myId", Kind: KindString, Doc: "your reference for the equipment (upsert key)"},
			{Name: "name", Kind: KindString, Doc: "name"},
			{Name: "customerId", Kind: KindID, Doc: "the customer's Synchroteam id"},
			{Name: "customerMyId", Kind: KindString, Doc: "the customer's myId"},
			{Name: "customerName", Kind: KindString, Doc: "the customer's name"},
			{Name: "siteId", Kind: KindID, Doc: "the site's Synchroteam id"},
			{Name: "siteMyId", Kind: KindString, Doc: "the site's myId"},
			{Name: "siteName", Kind: KindString, Doc: "the site's name"},
			{Name: "tags", Kind: KindList, Doc: "tags"},
		},
	},
	{
		Name: "part", Endpoint: "Part/Send", Keys: []string{"id", "reference"}, Required: []string{"name", "reference"},
		Fields: []Field{
			{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
			{Name: "reference", Kind: KindString, Aliases: []string{"ref"}, Doc: "part reference or code (upsert key)"},
			{Name: "name", Kind: KindString, Doc: "name"},
			{Name: "price", Kind: KindNumber, Doc: "billable price, taxes excluded"},
			{Name: "taxId", Kind: KindID, Doc: "id of the tax"},
			{Name: "categoryId", Kind: KindID, Doc: "id of the category"},
			{Name: "categoryName", Kind: KindString, Aliases: []string{"category"}, Doc: "name of the category"},
			{Name: "minQuantity", Kind: KindNumber, Doc: "minimum stock quantity"},
			{Name: "tracked", Kind: KindBool, Doc: "the part is tracked"},
			{Name: "serializable", Kind: KindBool, Doc: "the part is serializable"},
		},
	},
	{
		Name: "part_price", Endpoint: "Part/Prices", Keys: []string{"id", "reference"}, Required: []string{"price"}, Batch: true,
		Fields: []Field{
			{Name: "id", Kind: KindID, Doc: "the part's Synchroteam id"},
			{Name: "reference", Kind: KindString, Aliases: []string{"ref"}, Doc: "the part's reference"},
			{Name: "price", Kind: KindNumber, Doc: "the new price"},
		},
	},
	{
		Name: "inventory", Endpoint: "Inventory/Quantities", Keys: []string{"depot", "reference"}, Required: []string{"depot", "reference", "quantity"}, Batch: true,
		Fields: []Field{
			{Name: "depot", Kind: KindString, Doc: "name of the depot"},
			{Name: "reference", Kind: KindString, Aliases: []string{"ref"}, Doc: "the part's reference"},
			{Name: "quantity", Kind: KindNumber, Doc: "quantity in the depot"},
			{Name: "serials", Kind: KindList, Aliases: []string{"serial"}, Doc: "serial numbers (aggregated per part and depot)"},
		},
	},
	{
		Name: "user", Endpoint: "User/Send", Keys: []string{"id", "login"}, Required: []string{"login", "lastName"}, CustomFields: true,
		Fields: []Field{
			{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
			{Name: "login", Kind: KindString, Doc: "login (upsert key)"},
			{Name: "firstName", Kind: KindString, Aliases: []string{"fisrtName"}, Doc: "first name"},
			{Name: "lastName", Kind: KindString, Doc: "last name"},
			{Name: "password", Kind: KindString, Doc: "password"},
			{Name: "language", Kind: KindString, Doc: "EN, FR, ES, RO or CZ"},
			{Name: "email", Kind: KindString, Doc: "email"},
			{Name: "phone", Kind: KindString, Doc: "phone"},
			{Name: "profile", Kind: KindString, Doc: "technician, administrator or manager"},
			{Name: "skilledTrades", Kind: KindList, Doc: "skilled trades"},
			{Name: "groups", Kind: KindList, Doc: "groups"},
			{Name: "startLocation.fullAdress", Kind: KindString, Aliases: []string{"startLocation.fullAddress"}, Doc: "start address"},
			{Name: "startLocation.latitude", Kind: KindNumber, Doc: "start latitude"},
			{Name: "startLocation.longitude", Kind: KindNumber, Doc: "start longitude"},
		},
	},
	{
		Name: "activity_type", Endpoint: "ActivityType/Send", Keys: []string{"id", "name"}, Required: []string{"name"},
		Fields: []Field{
			{Name: "id", Kind: KindID, Doc: "Synchroteam id"},
			{Name: "name", Kind: KindString, Doc: "name (upsert key)"},
			{Name: "color", Kind: KindString, Aliases: []string{"colour"}, Doc: "color, hexadecimal RRGGBB"},
			{Name: "hasConflit", Kind: KindBool, Aliases: []string{"hasConflict"}, Doc: "can raise scheduling conflicts"},
		},
	},
	{
		Name: "job", Endpoint: "Jobs/Send", Keys: []string{"idJob", "myId", "num"}, CustomFields: true,
		Fields: fields([]Field{
			{Name: "idJob", Kind: KindID, Doc: "Synchroteam id"},
			{Name: "myId", Kind: KindString, Doc: "your reference for the job (upsert key)"},
			{Name: "num", Kind: KindInteger, Doc: "job number"},
			{Name: "idJobType", Kind: KindID, Doc: "job type id"},
			{Name: "nmJobType", Kind: KindString, Aliases: []string{"jobType"}, Doc: "job type name"},
			{Name: "idCustomer", Kind: KindID, Aliases: []string{"customerId"}, Doc: "customer id"},
			{Name: "customerMyId", Kind: KindString, Doc: "customer myId"},
			{Name: "customerName", Kind: KindString, Doc: "customer name"},
			{Name: "idSite", Kind: KindID, Aliases: []string{"siteId"}, Doc: "site id"},
			{Name: "siteMyId", Kind: KindString, Doc: "site myId"},
			{Name: "siteName", Kind: KindString, Doc: "site name"},
			{Name: "idEquipment", Kind: KindID, Aliases: []string{"equipmentId"}, Doc: "equipment id"},
			{Name: "equipmentMyId", Kind: KindString, Doc: "equipment myId"},
			{Name: "nameEquipment", Kind: KindString, Aliases: []string{"equipmentName"}, Doc: "equipment name"},
			{Name: "idUser", Kind: KindID, Aliases: []string{"userId"}, Doc: "technician's user id"},
			{Name: "login", Kind: KindString, Doc: "technician's login"},
			{Name: "description", Kind: KindString, Doc: "description"},
			{Name: "priority", Kind: KindInteger, Doc: "0 low, 1 medium, 2 high"},
			{Name: "status", Kind: KindInteger, Doc: "0 created ... 7 canceled"},
			{Name: "scheduledBeginDate", Kind: KindDateTime, Doc: "scheduled start"},
			{Name: "scheduledEndDate", Kind: KindDateTime, Doc: "scheduled end"},
			{Name: "duration", Kind: KindInteger, Doc: "minutes"},
			{Name: "globalAddress", Kind: KindString, Aliases: []string{"address"}, Doc: "address"},
			{Name: "complementAddress", Kind: KindString, Aliases: []string{"addressComplement"}, Doc: "additional address information"},
			{Name: "adressStreet", Kind: KindString, Aliases: []string{"addressStreet"}, Doc: "street"},
			{Name: "adressZIP", Kind: KindString, Aliases: []string{"addressZIP", "addressZip"}, Doc: "zip code"},
			{Name: "adressCity", Kind: KindString, Aliases: []string{"addressCity"}, Doc: "city"},
			{Name: "adressProvince", Kind: KindString, Aliases: []string{"addressProvince"}, Doc: "province"},
			{Name: "adressCountry", Kind: KindString, Aliases: []string{"addressCountry"}, Doc: "country"},
		}, contactFields[:5], positionFields, []Field{{Name: "tags", Kind: KindList, Doc: "tags"}}),
	},
}

// Entities returns the names of the importable entities, sorted.
func Entities() []string {
	names := make([]string, 0, len(entities))
	for _, e := range entities {
		names = append(names, e.Name)
	}
	sort.Strings(names)
	return names
}

// LookupEntity returns the entity of that name (as written in mapping
// files). It is the caller's own copy: changing it changes nothing else.
func LookupEntity(name string) (*Entity, bool) {
	for _, e := range entities {
		if strings.EqualFold(e.Name, name) {
			c := *e
			c.Keys = slices.Clone(e.Keys)
			c.Required = slices.Clone(e.Required)
			c.Fields = make([]Field, len(e.Fields))
			for i, f := range e.Fields {
				f.Aliases = slices.Clone(f.Aliases)
				c.Fields[i] = f
			}
			return &c, true
		}
	}
	return nil, false
}

// Upsert sends a payload built from the catalog (API field names, nested
// objects for dotted fields) to the entity's Send endpoint and returns the id
// the API gives back (the num for jobs). It serves the one-record entities;
// part_price and inventory go through Parts.SetPrices and
// Inventory.SetQuantities.
func (c *Client) Upsert(ctx context.Context, e *Entity, payload map[string]any) (ID, error) {
	if e.Batch {
		return "", fmt.Errorf("synchroteam: %s is written in batches (%s), not one by one", e.Name, e.Endpoint)
	}
	if e.Name == "activity_type" {
		var out ActivityType
		if _, err := c.flag(ctx, http.MethodPost, e.Endpoint, payload, e.Keyed(payload), &out); err != nil {
			return "", err
		}
		return out.ID, nil
	}
	return c.sendForID(ctx, e.Endpoint, payload, e.Keyed(payload))
}
