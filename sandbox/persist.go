package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	st.fillNil()
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
