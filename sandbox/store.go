package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
)

// state is everything the server knows. All of it is guarded by Server.mu and
// is persisted as JSON by Save.
type state struct {
	Seq map[string]int64 `json:"seq"` // last id given per kind
	RNG *idSource        `json:"rng"` // GUIDs, job ids, public links

	Customers     map[int64]*customer     `json:"customers"`
	Sites         map[int64]*site         `json:"sites"`
	Equipment     map[int64]*equipment    `json:"equipment"`
	Parts         map[int64]*part         `json:"parts"`
	Categories    map[int64]*category     `json:"categories"`
	Taxes         map[int64]*tax          `json:"taxes"`
	Users         map[int64]*user         `json:"users"`
	Groups        map[int64]*group        `json:"groups"`
	ActivityTypes map[int64]*activityType `json:"activityTypes"`
	Activities    map[int64]*activity     `json:"activities"`
	Blocks        map[int64]*block        `json:"blocks"`
	JobTypes      map[int64]*jobType      `json:"jobTypes"`
	Jobs          map[string]*job         `json:"jobs"` // by idJob
	Invoices      map[int64]*invoice      `json:"invoices"`
	Depots        map[string]*depot       `json:"depots"`        // by id
	Stock         map[string]*stockLevel  `json:"stock"`         // by stockKey
	StockRequests map[string]*stockReq    `json:"stockRequests"` // by lower-case id
	Attachments   map[int64]*attachment   `json:"attachments"`
	CustomFields  map[int64]*customField  `json:"customFields"`

	idx indexes // rebuilt on load
}

// indexes are lookups by lower-cased keys.
type indexes struct {
	customerMyID, customerName, customerEmail index
	siteMyID, siteName                        index
	equipmentMyID, equipmentName              index
	partRef                                   index
	userLogin                                 index
	jobMyID                                   map[string]string
	jobNum                                    map[int64]string
}

// index maps a lower-cased key to the ids holding it, in increasing order.
type index map[string][]int64

func key(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (ix index) add(k string, id int64) {
	k = key(k)
	if k == "" {
		return
	}
	ids := ix[k]
	i := sort.Search(len(ids), func(i int) bool { return ids[i] >= id })
	if i < len(ids) && ids[i] == id {
		return
	}
	ids = append(ids, 0)
	copy(ids[i+1:], ids[i:])
	ids[i] = id
	ix[k] = ids
}

func (ix index) remove(k string, id int64) {
	k = key(k)
	ids := ix[k]
	for i, v := range ids {
		if v == id {
			ids = append(ids[:i], ids[i+1:]...)
			break
		}
	}
	if len(ids) == 0 {
		delete(ix, k)
	} else {
		ix[k] = ids
	}
}

func (ix index) get(k string) []int64 { return ix[key(k)] }

func (ix index) first(k string) (int64, bool) {
	ids := ix[key(k)]
	if len(ids) == 0 {
		return 0, false
	}
	return ids[0], true
}

func newState(seed int64) *state {
	st := &state{
		Seq:           map[string]int64{},
		RNG:           newIDSource(seed),
		Customers:     map[int64]*customer{},
		Sites:         map[int64]*site{},
		Equipment:     map[int64]*equipment{},
		Parts:         map[int64]*part{},
		Categories:    map[int64]*category{},
		Taxes:         map[int64]*tax{},
		Users:         map[int64]*user{},
		Groups:        map[int64]*group{},
		ActivityTypes: map[int64]*activityType{},
		Activities:    map[int64]*activity{},
		Blocks:        map[int64]*block{},
		JobTypes:      map[int64]*jobType{},
		Jobs:          map[string]*job{},
		Invoices:      map[int64]*invoice{},
		Depots:        map[string]*depot{},
		StockRequests: map[string]*stockReq{},
		Stock:         map[string]*stockLevel{},
		Attachments:   map[int64]*attachment{},
		CustomFields:  map[int64]*customField{},
	}
	for k, v := range seqStart {
		st.Seq[k] = v
	}
	// The account's tax rates: configured in the web application, not
	// through the API, so every account has them.
	for _, t := range []tax{{5, "TVA 20%", "20"}, {6, "TVA 10%", "10"}, {7, "TVA 5,5%", "5.5"}, {8, "Exonéré", "0"}, {37, "Sales tax", "14"}, {38, "IVA 21%", "21"}, {39, "Eco tax", "50"}} {
		t := t
		st.Taxes[t.ID] = &t
	}
	st.reindex()
	return st
}

// seqStart holds the last id given per kind in a new account, so that ids
// look like the reference's.
var seqStart = map[string]int64{
	"customer": 35600, "site": 62600, "equipment": 93900, "part": 35900, "category": 1530,
	"user": 54000, "group": 10, "activityType": 80, "activity": 118, "block": 1168, "item": 3420,
	"jobType": 628, "report": 780, "jobNum": 13400, "invoice": 900, "invoiceNum": 335,
	"attachment": 296, "customField": 181,
}

func (st *state) next(kind string) int64 {
	st.Seq[kind]++
	return st.Seq[kind]
}

// reindex rebuilds every index from the records.
func (st *state) reindex() {
	st.idx = indexes{
		customerMyID: index{}, customerName: index{}, customerEmail: index{},
		siteMyID: index{}, siteName: index{},
		equipmentMyID: index{}, equipmentName: index{},
		partRef: index{}, userLogin: index{},
		jobMyID: map[string]string{}, jobNum: map[int64]string{},
	}
	for _, c := range st.Customers {
		st.indexCustomer(c, true)
	}
	for _, x := range st.Sites {
		st.indexSite(x, true)
	}
	for _, e := range st.Equipment {
		st.indexEquipment(e, true)
	}
	for _, p := range st.Parts {
		st.idx.partRef.add(p.Reference, p.ID)
	}
	for _, u := range st.Users {
		st.idx.userLogin.add(u.Login, u.ID)
	}
	for _, j := range st.Jobs {
		st.indexJob(j, true)
	}
}

func (st *state) indexCustomer(c *customer, add bool) {
	op := index.remove
	if add {
		op = index.add
	}
	op(st.idx.customerMyID, c.MyID, c.ID)
	op(st.idx.customerName, c.Name, c.ID)
	op(st.idx.customerEmail, c.Contact.Email, c.ID)
}

func (st *state) indexSite(x *site, add bool) {
	op := index.remove
	if add {
		op = index.add
	}
	op(st.idx.siteMyID, x.MyID, x.ID)
	op(st.idx.siteName, x.Name, x.ID)
}

func (st *state) indexEquipment(e *equipment, add bool) {
	op := index.remove
	if add {
		op = index.add
	}
	op(st.idx.equipmentMyID, e.MyID, e.ID)
	op(st.idx.equipmentName, e.Name, e.ID)
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

// idSource is the seeded generator of GUIDs and job ids. It is persisted.
type idSource struct {
	pcg *rand.PCG
	rng *rand.Rand
}

func newIDSource(seed int64) *idSource {
	p := rand.NewPCG(uint64(seed), 0x1d5)
	return &idSource{pcg: p, rng: rand.New(p)}
}

func (s *idSource) MarshalJSON() ([]byte, error) {
	b, err := s.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return json.Marshal(b)
}

func (s *idSource) UnmarshalJSON(data []byte) error {
	var b []byte
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	p := &rand.PCG{}
	if err := p.UnmarshalBinary(b); err != nil {
		return err
	}
	s.pcg, s.rng = p, rand.New(p)
	return nil
}

// guid returns a random version 4 GUID in lower case.
func (s *idSource) guid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(s.rng.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// jobID returns an id shaped like the reference's "265_160719144323649":
// the creator's id, then a timestamp-like run of 15 digits.
func (s *idSource) jobID(creator int64, at time.Time) string {
	return fmt.Sprintf("%d_%s%03d", creator, at.Format("060102150405"), s.rng.IntN(1000))
}

// Records.

type address struct {
	Address    string `json:"address,omitempty"`
	Complement string `json:"complement,omitempty"`
	Street     string `json:"street,omitempty"`
	ZIP        string `json:"zip,omitempty"`
	City       string `json:"city,omitempty"`
	Province   string `json:"province,omitempty"`
	Country    string `json:"country,omitempty"`
}

type contact struct {
	Name      string `json:"name,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Mobile    string `json:"mobile,omitempty"`
	Email     string `json:"email,omitempty"`
	Fax       string `json:"fax,omitempty"`
}

// position is kept as the decimal text it was given in.
type position struct {
	Lat string `json:"lat"`
	Lng string `json:"lng"`
}

type customer struct {
	ID       int64            `json:"id"`
	MyID     string           `json:"myId,omitempty"`
	Name     string           `json:"name"`
	Addr     address          `json:"address"`
	Contact  contact          `json:"contact"`
	Fields   map[int64]string `json:"fields,omitempty"` // custom field id → value
	Pos      *position        `json:"position,omitempty"`
	Tags     []string         `json:"tags,omitempty"`
	Modified time.Time        `json:"modified"`
}

type site struct {
	ID         int64            `json:"id"`
	MyID       string           `json:"myId,omitempty"`
	Name       string           `json:"name"`
	CustomerID int64            `json:"customerId"`
	Addr       address          `json:"address"`
	Contact    contact          `json:"contact"`
	Fields     map[int64]string `json:"fields,omitempty"`
	Pos        *position        `json:"position,omitempty"`
	Tags       []string         `json:"tags,omitempty"`
	Modified   time.Time        `json:"modified"`
}

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

type part struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Reference    string    `json:"reference"`
	Price        string    `json:"price"` // decimal text, dot notation
	TaxID        int64     `json:"taxId,omitempty"`
	CategoryID   int64     `json:"categoryId,omitempty"`
	MinQuantity  int64     `json:"minQuantity,omitempty"`
	Tracked      bool      `json:"tracked,omitempty"`
	Serializable bool      `json:"serializable,omitempty"`
	Modified     time.Time `json:"modified"`
}

type category struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type tax struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Value string `json:"value"` // percent, decimal text
}

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

type activityType struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Color       string    `json:"color"`
	HasConflict bool      `json:"hasConflit"`
	Modified    time.Time `json:"modified"`
}

type activity struct {
	ID     int64     `json:"id"`
	Name   string    `json:"name"`
	Note   string    `json:"note,omitempty"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	UserID int64     `json:"userId"`
}

type block struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	Published bool        `json:"published"`
	Shared    bool        `json:"shared"`
	Items     []blockItem `json:"items"`
}

type blockItem struct {
	ID             int64    `json:"id"`
	Name           string   `json:"name"`
	Position       int      `json:"position"`
	ConditionItem  int64    `json:"conditionItem,omitempty"`
	ConditionValue string   `json:"conditionValue,omitempty"`
	Type           int      `json:"type"`
	Values         []string `json:"values,omitempty"`
	Mandatory      bool     `json:"mandatory,omitempty"`
}

type jobType struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	ReportID int64   `json:"reportId"`
	Blocks   []int64 `json:"blocks,omitempty"` // the report's blocks, in order
}

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

type reportEntry struct {
	ItemID     int64  `json:"id"`
	CategoryID int64  `json:"idCategory"`
	Iteration  int64  `json:"iteration"`
	Category   string `json:"nmCategory"`
	Item       string `json:"nmItem"`
	Value      string `json:"value"`
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

type photo struct {
	Iteration int64  `json:"iteration"`
	FileName  string `json:"fileName"`
	Comment   string `json:"comment,omitempty"`
	Data      []byte `json:"data"`
}

type invoice struct {
	ID         int64         `json:"id"`
	Num        int64         `json:"num"`
	Type       string        `json:"type"` // "invoice" or "quotation"
	Status     int64         `json:"status"`
	DueDate    time.Time     `json:"dueDate,omitzero"`
	JobID      string        `json:"jobId,omitempty"`
	CustomerID int64         `json:"customerId,omitempty"`
	SiteID     int64         `json:"siteId,omitempty"`
	Lines      []invoiceLine `json:"lines"`
	Modified   time.Time     `json:"modified"`
}

type invoiceLine struct {
	PartID      int64  `json:"partId,omitempty"`
	Description string `json:"description"`
	Reference   string `json:"reference"`
	Price       string `json:"price"` // decimal texts, dot notation
	Tax         string `json:"tax"`
	Quantity    string `json:"quantity"`
	Discount    string `json:"discount"`
}

type depot struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Default  bool   `json:"default,omitempty"`
	Provider bool   `json:"provider,omitempty"`
}

type stockLevel struct {
	DepotID  string   `json:"depotId"`
	PartID   int64    `json:"partId"`
	Quantity string   `json:"quantity"`
	Serials  []string `json:"serials,omitempty"`
}

type stockReq struct {
	ID       string    `json:"id"`
	DestID   string    `json:"destination"`
	SourceID string    `json:"source"`
	PartID   int64     `json:"partId"`
	Quantity int64     `json:"quantity"`
	Deleted  bool      `json:"deleted"`
	Sent     bool      `json:"sent"`
	Urgent   bool      `json:"urgent"`
	UserID   int64     `json:"userId"`
	Serials  []string  `json:"serials,omitempty"` // received so far
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

type attachment struct {
	ID         int64     `json:"id"`
	JobID      string    `json:"jobId,omitempty"`
	CustomerID int64     `json:"customerId,omitempty"`
	FileName   string    `json:"fileName"`
	Data       []byte    `json:"data"`
	Created    time.Time `json:"created"`
}

// customField is the definition of a custom field of one kind of record.
type customField struct {
	ID     int64  `json:"id"`
	Entity string `json:"entity"` // "customer", "site", "equipment", "job", "user"
	Name   string `json:"name"`
}

// Loose request values.

// text is a string field of a request body. Like the API, it also accepts a
// number or a boolean (a myId sent as 1234).
type text string

func (t *text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		*t = ""
		return nil
	}
	switch data[0] {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*t = text(s)
	case '{', '[':
		return errors.New("expected a string, got an object or a list")
	default:
		*t = text(data)
	}
	return nil
}

// set copies a present request field into dst.
func set(dst *string, src *text) {
	if src != nil {
		*dst = string(*src)
	}
}

// setTrim copies a present request field into dst, trimmed.
func setTrim(dst *string, src *text) {
	if src != nil {
		*dst = strings.TrimSpace(string(*src))
	}
}

func str(t *text) string {
	if t == nil {
		return ""
	}
	return strings.TrimSpace(string(*t))
}

// parseID reads a numeric record id.
func parseID(what, s string) (int64, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q is not a valid id", what, s)
	}
	return n, nil
}

// decimalText returns the canonical dot text of a number.
func decimalText(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// number reads a loose decimal request value: ok is false when it is unset,
// err is set when it cannot be read.
func number(what string, n synchroteam.Number) (f float64, ok bool, err error) {
	if n.Invalid() {
		return 0, false, fmt.Errorf("%s %q is not a number", what, n.Raw())
	}
	f, ok = n.Float64()
	return f, ok, nil
}

// Dates.

const (
	layoutDMY       = "02/01/2006 15:04:05" // job dates, invoice due dates
	layoutMinutes   = "2006-01-02 15:04"    // activities
	layoutDateOnly  = "2006-01-02"
	endOfDayNanos   = 24*time.Hour - time.Nanosecond
	maxTextInErrors = 60
)

// dmy formats a job date, nil when unset.
func dmy(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(layoutDMY)
	return &s
}

// filterTime reads a date filter. A date without a time of day is the start
// of that day, or with endOfDay the end of it. ok is false when unset.
func filterTime(what string, t synchroteam.Time, endOfDay bool) (time.Time, bool, error) {
	if t.Invalid() {
		return time.Time{}, false, fmt.Errorf("%s %q is not a date (yyyy-mm-dd or yyyy-mm-dd hh:mm:ss)", what, shorten(t.Raw()))
	}
	v, ok := t.Time()
	if !ok {
		return time.Time{}, false, nil
	}
	if endOfDay && len(strings.TrimSpace(t.Raw())) <= len("2006-01-02") {
		v = v.Add(endOfDayNanos)
	}
	return v, true, nil
}

// queryTime reads a date filter from a query parameter.
func queryTime(what, s string) (time.Time, bool, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, false, nil
	}
	v, err := synchroteam.ParseTime(s)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%s %q is not a date (yyyy-mm-dd)", what, shorten(s))
	}
	return v, true, nil
}

func shorten(s string) string {
	if len(s) > maxTextInErrors {
		return s[:maxTextInErrors] + "…"
	}
	return s
}

// Custom fields.

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
// named but not defined is defined on the fly; an unknown id is an error, and
// then nothing is changed.
func (st *state) applyFields(entity string, dst *map[int64]string, in []fieldValue) error {
	fields, err := st.checkFields(entity, in)
	if err != nil {
		return err
	}
	st.setFields(entity, dst, fields)
	return nil
}

// fieldSet is one custom field value checked by checkFields: the field's
// definition, or (nil) the name of a field to define.
type fieldSet struct {
	def   *customField
	name  string
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
			set.name = str(fv.Name)
		default:
			return nil, fmt.Errorf("custom field value %d has neither id nor name", i+1)
		}
		out = append(out, set)
	}
	return out, nil
}

// setFields applies values resolved by checkFields, defining the fields
// named but not yet defined. It cannot fail.
func (st *state) setFields(entity string, dst *map[int64]string, fields []fieldSet) {
	for _, f := range fields {
		def := f.def
		if def == nil {
			// Defined by an earlier value of the same request, or now.
			if def = st.fieldByName(entity, f.name); def == nil {
				def = &customField{ID: st.next("customField"), Entity: entity, Name: f.name}
				st.CustomFields[def.ID] = def
			}
		}
		if *dst == nil {
			*dst = map[int64]string{}
		}
		(*dst)[def.ID] = f.value
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

// Positions.

type positionIn struct {
	Latitude  synchroteam.Number `json:"latitude"`
	Longitude synchroteam.Number `json:"longitude"`
}

type positionOut struct {
	Latitude  string `json:"Latitude"`
	Longitude string `json:"Longitude"`
}

func (p *positionIn) read() (*position, error) {
	if p == nil || (p.Latitude.IsZero() && p.Longitude.IsZero()) {
		return nil, nil
	}
	lat, okLat, err := number("latitude", p.Latitude)
	if err != nil {
		return nil, err
	}
	lng, okLng, err := number("longitude", p.Longitude)
	if err != nil {
		return nil, err
	}
	if !okLat || !okLng {
		return nil, errors.New("a position needs both latitude and longitude")
	}
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return nil, fmt.Errorf("position %s,%s is out of range", decimalText(lat), decimalText(lng))
	}
	return &position{Lat: p.Latitude.String(), Lng: p.Longitude.String()}, nil
}

func posOut(p *position) *positionOut {
	if p == nil {
		return nil
	}
	return &positionOut{Latitude: p.Lat, Longitude: p.Lng}
}

// Record lookups used by several endpoints.

// findCustomer resolves a customer reference made of an id, a myId and a
// name, any of them empty. It returns nil and no error when all are empty.
// Every part given must name the same customer.
func (st *state) findCustomer(what, id, myID, name string) (*customer, error) {
	var found *customer
	agree := func(c *customer, how, v string) error {
		if c == nil {
			return fmt.Errorf("%s: no customer with %s %q", what, how, shorten(v))
		}
		if found != nil && found != c {
			return fmt.Errorf("%s: the customer's id, myId and name name different customers", what)
		}
		found = c
		return nil
	}
	if id = strings.TrimSpace(id); id != "" {
		n, err := parseID(what+" id", id)
		if err != nil {
			return nil, err
		}
		if err := agree(st.Customers[n], "id", id); err != nil {
			return nil, err
		}
	}
	if myID = strings.TrimSpace(myID); myID != "" {
		n, _ := st.idx.customerMyID.first(myID)
		if err := agree(st.Customers[n], "myId", myID); err != nil {
			return nil, err
		}
	}
	if name = strings.TrimSpace(name); name != "" {
		ids := st.idx.customerName.get(name)
		if found != nil && found.Name != "" && strings.EqualFold(strings.TrimSpace(found.Name), name) {
			return found, nil
		}
		if len(ids) > 1 {
			return nil, fmt.Errorf("%s: %d customers are named %q; give the id or myId", what, len(ids), shorten(name))
		}
		var c *customer
		if len(ids) == 1 {
			c = st.Customers[ids[0]]
		}
		if err := agree(c, "name", name); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// findSite resolves a site reference like findCustomer.
func (st *state) findSite(what, id, myID, name string) (*site, error) {
	var found *site
	agree := func(x *site, how, v string) error {
		if x == nil {
			return fmt.Errorf("%s: no site with %s %q", what, how, shorten(v))
		}
		if found != nil && found != x {
			return fmt.Errorf("%s: the site's id, myId and name name different sites", what)
		}
		found = x
		return nil
	}
	if id = strings.TrimSpace(id); id != "" {
		n, err := parseID(what+" id", id)
		if err != nil {
			return nil, err
		}
		if err := agree(st.Sites[n], "id", id); err != nil {
			return nil, err
		}
	}
	if myID = strings.TrimSpace(myID); myID != "" {
		n, _ := st.idx.siteMyID.first(myID)
		if err := agree(st.Sites[n], "myId", myID); err != nil {
			return nil, err
		}
	}
	if name = strings.TrimSpace(name); name != "" {
		if found != nil && strings.EqualFold(strings.TrimSpace(found.Name), name) {
			return found, nil
		}
		ids := st.idx.siteName.get(name)
		if len(ids) > 1 {
			return nil, fmt.Errorf("%s: %d sites are named %q; give the id or myId", what, len(ids), shorten(name))
		}
		var x *site
		if len(ids) == 1 {
			x = st.Sites[ids[0]]
		}
		if err := agree(x, "name", name); err != nil {
			return nil, err
		}
	}
	return found, nil
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

// findPart resolves a part by id or reference.
func (st *state) findPart(what, id, reference string) (*part, error) {
	var found *part
	if id = strings.TrimSpace(id); id != "" {
		n, err := parseID(what+" id", id)
		if err != nil {
			return nil, err
		}
		if found = st.Parts[n]; found == nil {
			return nil, fmt.Errorf("%s: no part with id %q", what, id)
		}
	}
	if reference = strings.TrimSpace(reference); reference != "" && found == nil {
		n, _ := st.idx.partRef.first(reference)
		if found = st.Parts[n]; found == nil {
			return nil, fmt.Errorf("%s: no part with reference %q", what, shorten(reference))
		}
	}
	return found, nil
}

// ref is a reference to a record by id, myId, name or num, as the
// reference's request bodies nest them ("customer": {"id": "", "myId": ""}).
type ref struct {
	ID   synchroteam.ID `json:"id"`
	MyID *text          `json:"myId"`
	Name *text          `json:"name"`
	Num  synchroteam.ID `json:"num"`
}

func (r *ref) empty() bool {
	return r == nil || (r.ID == "" && str(r.MyID) == "" && str(r.Name) == "" && r.Num == "")
}

// jobKeys returns the parts of a job reference (id, myId, num). given is
// false when none of them is set, whatever else the reference holds.
func (r *ref) jobKeys() (id, myID, num string, given bool) {
	id, myID, _, num = r.parts()
	id, myID, num = strings.TrimSpace(id), strings.TrimSpace(myID), strings.TrimSpace(num)
	return id, myID, num, id != "" || myID != "" || num != ""
}

// recordKeys returns the parts of a customer or site reference (id, myId,
// name). given is false when none of them is set, whatever else the
// reference holds.
func (r *ref) recordKeys() (id, myID, name string, given bool) {
	id, myID, name, _ = r.parts()
	id, myID, name = strings.TrimSpace(id), strings.TrimSpace(myID), strings.TrimSpace(name)
	return id, myID, name, id != "" || myID != "" || name != ""
}

func (r *ref) parts() (id, myID, name, num string) {
	if r == nil {
		return
	}
	return string(r.ID), str(r.MyID), str(r.Name), string(r.Num)
}

// notFound answers 404 with the route's envelope.
func (c *call) notFound(format string, args ...any) answer {
	return c.fail(404, format, args...)
}
