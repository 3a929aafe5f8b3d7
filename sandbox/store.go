package sandbox

import (
	"encoding/json"
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
		st.indexPart(p, true)
	}
	for _, u := range st.Users {
		st.indexUser(u, true)
	}
	for _, j := range st.Jobs {
		st.indexJob(j, true)
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

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// Record lookups used by several endpoints.

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

// lookupRecords reads the lookup parameter of a Details or Delete request
// (one of keys) and lists the ids of the records it names, with find (one
// of customersBy, sitesBy, …). The ids are a copy, safe to delete from the
// indexes they came from.
func lookupRecords(c *call, find func(c *call, by, value string) ([]int64, *answer), keys ...string) (ids []int64, by, value string, a *answer) {
	by, value, a = c.lookup(keys...)
	if a != nil {
		return nil, by, value, a
	}
	ids, a = find(c, by, value)
	if a != nil {
		return nil, by, value, a
	}
	return append([]int64(nil), ids...), by, value, nil
}

// recordsBy lists the ids of the records whose key by (id, or the name of
// an index) is value: a Details, Delete or list lookup. exists says whether
// an id names a record.
func recordsBy(c *call, by, value string, exists func(int64) bool, indexes map[string]index) ([]int64, *answer) {
	if by == "id" {
		id, err := parseID("id", value)
		if err != nil {
			a := c.invalid("%v", err)
			return nil, &a
		}
		if !exists(id) {
			return nil, nil
		}
		return []int64{id}, nil
	}
	return indexes[by].get(value), nil
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
