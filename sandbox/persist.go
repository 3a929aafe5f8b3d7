package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// stateFileVersion is the format version of state files.
const stateFileVersion = 1

type stateFile struct {
	Version int    `json:"version"`
	State   *state `json:"state"`
}

// Save writes the whole state to Config.StateFile as JSON, atomically (a
// temporary file renamed over the old one). It does nothing when StateFile
// is empty.
func (s *Server) Save() error {
	if s.cfg.StateFile == "" {
		return nil
	}
	s.mu.Lock()
	data, err := json.Marshal(stateFile{Version: stateFileVersion, State: s.st})
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("sandbox: encoding the state: %w", err)
	}
	dir := filepath.Dir(s.cfg.StateFile)
	tmp, err := os.CreateTemp(dir, filepath.Base(s.cfg.StateFile)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sandbox: saving the state: %w", err)
	}
	defer os.Remove(tmp.Name()) // harmless after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("sandbox: saving the state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sandbox: saving the state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sandbox: saving the state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.cfg.StateFile); err != nil {
		return fmt.Errorf("sandbox: saving the state: %w", err)
	}
	return nil
}

// load reads Config.StateFile when it exists. It reports whether it did.
func (s *Server) load() (bool, error) {
	if s.cfg.StateFile == "" {
		return false, nil
	}
	data, err := os.ReadFile(s.cfg.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sandbox: reading the state: %w", err)
	}
	fresh := newState(s.cfg.Seed)
	f := stateFile{State: fresh}
	if err := json.Unmarshal(data, &f); err != nil {
		return false, fmt.Errorf("sandbox: state file %s: %w", s.cfg.StateFile, err)
	}
	if f.Version != stateFileVersion {
		return false, fmt.Errorf("sandbox: state file %s has version %d, want %d", s.cfg.StateFile, f.Version, stateFileVersion)
	}
	st := f.State
	if st == nil {
		return false, fmt.Errorf("sandbox: state file %s has no state (\"state\" is null)", s.cfg.StateFile)
	}
	st.fillNil()
	if err := st.check(); err != nil {
		return false, fmt.Errorf("sandbox: state file %s: %w", s.cfg.StateFile, err)
	}
	st.reindex()
	s.st = st
	return true, nil
}

// fillNil replaces maps a state file left out (null) with empty ones.
func (st *state) fillNil() {
	if st.Seq == nil {
		st.Seq = map[string]int64{}
	}
	for k, v := range seqStart {
		if st.Seq[k] < v {
			st.Seq[k] = v
		}
	}
	if st.RNG == nil {
		st.RNG = newIDSource(0)
	}
	initMap(&st.Customers)
	initMap(&st.Sites)
	initMap(&st.Equipment)
	initMap(&st.Parts)
	initMap(&st.Categories)
	initMap(&st.Taxes)
	initMap(&st.Users)
	initMap(&st.Groups)
	initMap(&st.ActivityTypes)
	initMap(&st.Activities)
	initMap(&st.Blocks)
	initMap(&st.JobTypes)
	initMap(&st.Invoices)
	initMap(&st.Attachments)
	initMap(&st.CustomFields)
	if st.Jobs == nil {
		st.Jobs = map[string]*job{}
	}
	if st.Depots == nil {
		st.Depots = map[string]*depot{}
	}
	if st.StockRequests == nil {
		st.StockRequests = map[string]*stockReq{}
	}
	if st.Stock == nil {
		st.Stock = map[string]*stockLevel{}
	}
}

func initMap[V any](m *map[int64]V) {
	if *m == nil {
		*m = map[int64]V{}
	}
}

// check validates a loaded state: no null record, every record stored under
// its own id, and every reference the server keeps consistent (a site's or
// a piece of equipment's customer, an equipment's site, a stock level's
// depot, a job's technicians and type, ...) names an existing record.
// References the server itself may leave dangling (a job, an invoice or an
// attachment whose customer, site, equipment or part was deleted; a stock
// level or a replenishment request of a deleted part) are accepted: every
// reader checks them.
func (st *state) check() error {
	if err := checkIDs("customers", st.Customers, func(r *customer) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("sites", st.Sites, func(r *site) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("equipment", st.Equipment, func(r *equipment) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("parts", st.Parts, func(r *part) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("categories", st.Categories, func(r *category) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("taxes", st.Taxes, func(r *tax) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("users", st.Users, func(r *user) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("groups", st.Groups, func(r *group) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("activityTypes", st.ActivityTypes, func(r *activityType) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("activities", st.Activities, func(r *activity) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("blocks", st.Blocks, func(r *block) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("jobTypes", st.JobTypes, func(r *jobType) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("invoices", st.Invoices, func(r *invoice) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("attachments", st.Attachments, func(r *attachment) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkIDs("customFields", st.CustomFields, func(r *customField) int64 { return r.ID }); err != nil {
		return err
	}
	if err := checkKeys("jobs", st.Jobs, func(r *job) string { return r.ID }); err != nil {
		return err
	}
	if err := checkKeys("depots", st.Depots, func(r *depot) string { return r.ID }); err != nil {
		return err
	}
	if err := checkKeys("stock", st.Stock, func(r *stockLevel) string { return stockKey(r.DepotID, r.PartID) }); err != nil {
		return err
	}
	if err := checkKeys("stockRequests", st.StockRequests, func(r *stockReq) string { return strings.ToLower(r.ID) }); err != nil {
		return err
	}

	dangling := func(where string, k any, field string, v any) error {
		return fmt.Errorf("%s[%q]: %s %v names no record", where, fmt.Sprint(k), field, v)
	}
	for _, id := range sortedKeys(st.Sites) {
		if x := st.Sites[id]; st.Customers[x.CustomerID] == nil {
			return dangling("sites", id, "customerId", x.CustomerID)
		}
	}
	for _, id := range sortedKeys(st.Equipment) {
		e := st.Equipment[id]
		if st.Customers[e.CustomerID] == nil {
			return dangling("equipment", id, "customerId", e.CustomerID)
		}
		if e.SiteID != 0 && st.Sites[e.SiteID] == nil {
			return dangling("equipment", id, "siteId", e.SiteID)
		}
	}
	for _, id := range sortedKeys(st.Parts) {
		p := st.Parts[id]
		if p.TaxID != 0 && st.Taxes[p.TaxID] == nil {
			return dangling("parts", id, "taxId", p.TaxID)
		}
		if p.CategoryID != 0 && st.Categories[p.CategoryID] == nil {
			return dangling("parts", id, "categoryId", p.CategoryID)
		}
	}
	for _, id := range sortedKeys(st.Users) {
		for _, g := range st.Users[id].Groups {
			if st.Groups[g] == nil {
				return dangling("users", id, "group", g)
			}
		}
	}
	for _, id := range sortedKeys(st.Activities) {
		if a := st.Activities[id]; st.Users[a.UserID] == nil {
			return dangling("activities", id, "userId", a.UserID)
		}
	}
	for _, id := range sortedKeys(st.JobTypes) {
		for _, b := range st.JobTypes[id].Blocks {
			if st.Blocks[b] == nil {
				return dangling("jobTypes", id, "block", b)
			}
		}
	}
	for _, id := range sortedStrings(st.Jobs) {
		j := st.Jobs[id]
		if j.JobTypeID != 0 && st.JobTypes[j.JobTypeID] == nil {
			return dangling("jobs", id, "jobTypeId", j.JobTypeID)
		}
		for _, u := range append([]int64{j.UserID, j.CreatorID, j.ValidationUser}, j.OtherTechs...) {
			if u != 0 && st.Users[u] == nil {
				return dangling("jobs", id, "user", u)
			}
		}
	}
	for _, id := range sortedKeys(st.Invoices) {
		if inv := st.Invoices[id]; inv.JobID != "" && st.Jobs[inv.JobID] == nil {
			return dangling("invoices", id, "jobId", strconv.Quote(inv.JobID))
		}
	}
	for _, id := range sortedKeys(st.Attachments) {
		if a := st.Attachments[id]; a.JobID != "" && st.Jobs[a.JobID] == nil {
			return dangling("attachments", id, "jobId", strconv.Quote(a.JobID))
		}
	}
	for _, k := range sortedStrings(st.Stock) {
		// A deleted part's stock stays, as in Synchroteam.
		if l := st.Stock[k]; st.Depots[l.DepotID] == nil {
			return dangling("stock", k, "depotId", strconv.Quote(l.DepotID))
		}
	}
	// Custom field values name a field defined for their kind of record.
	fields := func(where, entity string, k any, values map[int64]string) error {
		for _, f := range sortedKeys(values) {
			if d := st.CustomFields[f]; d == nil || d.Entity != entity {
				return dangling(where, k, entity+" custom field", f)
			}
		}
		return nil
	}
	for _, id := range sortedKeys(st.Customers) {
		if err := fields("customers", "customer", id, st.Customers[id].Fields); err != nil {
			return err
		}
	}
	for _, id := range sortedKeys(st.Sites) {
		if err := fields("sites", "site", id, st.Sites[id].Fields); err != nil {
			return err
		}
	}
	for _, id := range sortedKeys(st.Equipment) {
		if err := fields("equipment", "equipment", id, st.Equipment[id].Fields); err != nil {
			return err
		}
	}
	for _, id := range sortedKeys(st.Users) {
		if err := fields("users", "user", id, st.Users[id].Fields); err != nil {
			return err
		}
	}
	for _, id := range sortedStrings(st.Jobs) {
		if err := fields("jobs", "job", id, st.Jobs[id].Fields); err != nil {
			return err
		}
	}
	for _, k := range sortedStrings(st.StockRequests) {
		r := st.StockRequests[k]
		if r.DestID != "" && st.Depots[r.DestID] == nil {
			return dangling("stockRequests", k, "destination", strconv.Quote(r.DestID))
		}
		if r.SourceID != "" && st.Depots[r.SourceID] == nil {
			return dangling("stockRequests", k, "source", strconv.Quote(r.SourceID))
		}
		if r.UserID != 0 && st.Users[r.UserID] == nil {
			return dangling("stockRequests", k, "userId", r.UserID)
		}
	}
	return nil
}

// checkIDs reports a null record or one stored under another id than its own.
func checkIDs[V any](what string, m map[int64]*V, id func(*V) int64) error {
	for _, k := range sortedKeys(m) {
		r := m[k]
		if r == nil {
			return fmt.Errorf("%s[\"%d\"] is null", what, k)
		}
		if got := id(r); got != k {
			return fmt.Errorf("%s[\"%d\"] has id %d", what, k, got)
		}
	}
	return nil
}

// checkKeys is checkIDs for maps keyed by text.
func checkKeys[V any](what string, m map[string]*V, key func(*V) string) error {
	for _, k := range sortedStrings(m) {
		r := m[k]
		if r == nil {
			return fmt.Errorf("%s[%q] is null", what, k)
		}
		if got := key(r); got != k {
			return fmt.Errorf("%s[%q] is stored under %q, want %q", what, k, k, got)
		}
	}
	return nil
}

func sortedStrings[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
