package writers

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/stbulk/stbulk/writers/files"
)

// manifestName is the manifest's file name inside a Folder.
const manifestName = "manifest.json"

// ManifestEntry is a file of a Folder.
type ManifestEntry struct {
	Path   string `json:"path"`   // slash-separated, relative to the folder
	Size   int64  `json:"size"`   // bytes
	SHA256 string `json:"sha256"` // hex, lower case
}

// manifestFile is the layout of manifest.json.
type manifestFile struct {
	Files []ManifestEntry `json:"files"`
}

// Folder is an output folder: files are written inside it only (through an
// os.Root, which refuses paths and symbolic links leading out of it),
// atomically, and recorded in its manifest. Its methods are safe for
// concurrent use by several goroutines.
type Folder struct {
	dir  string
	root *os.Root

	mu      sync.Mutex // guards entries and locks
	entries map[string]ManifestEntry
	locks   map[string]*pathLock

	saveMu sync.Mutex // serializes SaveManifest
}

// pathLock serializes the operations on one path; n counts its holders and
// waiters.
type pathLock struct {
	mu sync.Mutex
	n  int
}

// OpenFolder creates the folder root if needed and loads root/manifest.json
// if present. A manifest that cannot be read or is not valid is an error
// naming the file; a missing one is an empty manifest. Entries whose files
// no longer exist, or are no longer regular files inside the folder, are
// dropped; an entry whose file changed size is hashed again.
func OpenFolder(root string) (*Folder, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("open folder %s: %w", root, err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open folder %s: %w", root, err)
	}
	f := &Folder{dir: root, root: r, entries: map[string]ManifestEntry{}, locks: map[string]*pathLock{}}
	if err := f.load(); err != nil {
		_ = r.Close()
		return nil, err
	}
	return f, nil
}

// load reads the manifest into f.entries.
func (f *Folder) load() error {
	file := filepath.Join(f.dir, manifestName)
	data, err := f.root.ReadFile(manifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read manifest %s: %w", file, err)
	}
	var m manifestFile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("read manifest %s: %w", file, err)
	}
	if dec.More() {
		return fmt.Errorf("read manifest %s: text follows the JSON object", file)
	}
	for i, e := range m.Files {
		key, err := localPath(e.Path)
		switch {
		case err != nil:
			return fmt.Errorf("read manifest %s: file %d: %w", file, i+1, err)
		case key != e.Path:
			return fmt.Errorf("read manifest %s: file %d: path %q is not written in its clean form %q", file, i+1, e.Path, key)
		case e.Size < 0:
			return fmt.Errorf("read manifest %s: %s: the size %d is negative", file, key, e.Size)
		case !validSHA256(e.SHA256):
			return fmt.Errorf("read manifest %s: %s: %q is not a SHA-256 in lower-case hex", file, key, e.SHA256)
		}
		if _, dup := f.entries[key]; dup {
			return fmt.Errorf("read manifest %s: %s is listed twice", file, key)
		}
		f.entries[key] = e
	}
	for key, e := range f.entries {
		fi, err := f.root.Lstat(filepath.FromSlash(key))
		switch {
		case errors.Is(err, fs.ErrPermission):
			return fmt.Errorf("read manifest %s: %s: %w", file, key, err)
		case err != nil, !fi.Mode().IsRegular():
			delete(f.entries, key)
			continue
		case fi.Size() == e.Size:
			continue
		}
		e, err = f.hashFile(key)
		if err != nil {
			return fmt.Errorf("read manifest %s: %w", file, err)
		}
		f.entries[key] = e
	}
	return nil
}

// validSHA256 reports whether s is 64 lower-case hex digits.
func validSHA256(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// localPath checks that rel, a slash-separated path, names a file inside
// the folder other than the manifest (it is not empty, not absolute, does
// not go up with "..", does not end with "/"), and returns its clean
// slash-separated form.
func localPath(rel string) (string, error) {
	native := filepath.FromSlash(rel)
	if rel == "" || !filepath.IsLocal(native) {
		return "", fmt.Errorf("path %q is not a relative path inside the folder", rel)
	}
	key := filepath.ToSlash(filepath.Clean(native))
	if key == "." || strings.HasSuffix(rel, "/") {
		return "", fmt.Errorf("path %q names a folder, not a file", rel)
	}
	if strings.EqualFold(key, manifestName) {
		return "", fmt.Errorf("path %q is the folder's manifest", rel)
	}
	return key, nil
}

// Root returns the folder's path, as given to OpenFolder.
func (f *Folder) Root() string { return f.dir }

// lock locks the path key, compared without regard to case, and returns
// the function that unlocks it.
func (f *Folder) lock(key string) (unlock func()) {
	k := files.FoldKey(key)
	f.mu.Lock()
	l := f.locks[k]
	if l == nil {
		l = &pathLock{}
		f.locks[k] = l
	}
	l.n++
	f.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		f.mu.Lock()
		l.n--
		if l.n == 0 {
			delete(f.locks, k)
		}
		f.mu.Unlock()
	}
}

// entry returns the manifest entry of key.
func (f *Folder) entry(key string) (ManifestEntry, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[key]
	return e, ok
}

// setEntry records e in the manifest.
func (f *Folder) setEntry(e ManifestEntry) {
	f.mu.Lock()
	f.entries[e.Path] = e
	f.mu.Unlock()
}

// WriteFile writes what r yields to rel, a slash-separated relative path
// such as files.Template.Expand returns, which must satisfy
// filepath.IsLocal and must not be the manifest. Parent folders are
// created. The data streams
// into a temporary file in the target's folder while its SHA-256 and size
// are computed. If the target is a regular file with the same content (its
// manifest hash is trusted when the recorded size matches the file's size,
// else the file is hashed), the temporary file is removed and the target
// is left untouched: changed is false. Otherwise the temporary file is
// renamed over the target: changed is true. On any error the temporary file
// is removed and the target is untouched. The file is recorded in the
// manifest. Paths that lead out of the folder, also through a symbolic
// link, are refused.
func (f *Folder) WriteFile(rel string, r io.Reader) (changed bool, err error) {
	key, err := localPath(rel)
	if err != nil {
		return false, fmt.Errorf("write: %w", err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("write %s: %w", key, err)
		}
	}()
	if r == nil {
		return false, errors.New("no data to write")
	}
	defer f.lock(key)()
	dir, err := f.mkdirFor(key)
	if err != nil {
		return false, err
	}
	s, err := f.spool(dir)
	if err != nil {
		return false, err
	}
	defer s.Discard()
	if _, err := io.Copy(s, r); err != nil {
		return false, err
	}
	return s.place(key)
}

// mkdirFor creates the folders of key and returns its folder
// (slash-separated, "." for the top).
func (f *Folder) mkdirFor(key string) (string, error) {
	dir := path.Dir(key)
	if dir != "." {
		if err := f.root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// Spool is a file of a Folder written before its name is known: its data
// goes to a temporary file at the top of the folder while its size and
// SHA-256 are computed, and Commit puts it in place. A Spool is used by one
// goroutine.
type Spool struct {
	f    *Folder
	tmp  *os.File
	name string // of tmp, below the root
	h    hash.Hash
	size int64
	done bool // committed or discarded
}

// Spool starts a file whose name is not known yet. Write its data, then
// Commit or Discard it.
func (f *Folder) Spool() (*Spool, error) {
	s, err := f.spool(".")
	if err != nil {
		return nil, fmt.Errorf("spool in %s: %w", f.dir, err)
	}
	return s, nil
}

func (f *Folder) spool(dir string) (*Spool, error) {
	tmp, name, err := f.createTemp(dir)
	if err != nil {
		return nil, err
	}
	return &Spool{f: f, tmp: tmp, name: name, h: sha256.New()}, nil
}

// Write adds p to the file's data.
func (s *Spool) Write(p []byte) (int, error) {
	if s.done {
		return 0, errors.New("write to a spool committed or discarded")
	}
	n, err := s.tmp.Write(p)
	s.h.Write(p[:n])
	s.size += int64(n)
	return n, err
}

// Commit puts the data written at rel as WriteFile puts its data there:
// the target is left untouched when it holds that content already
// (changed is false); the file is recorded in the manifest. On any error
// the data is dropped and the target is untouched. The spool takes no more
// data.
func (s *Spool) Commit(rel string) (changed bool, err error) {
	defer s.Discard()
	key, err := localPath(rel)
	if err != nil {
		return false, fmt.Errorf("write: %w", err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("write %s: %w", key, err)
		}
	}()
	if s.done {
		return false, errors.New("the spool was committed or discarded")
	}
	defer s.f.lock(key)()
	if _, err := s.f.mkdirFor(key); err != nil {
		return false, err
	}
	return s.place(key)
}

// place renames the spool's file to key (locked), unless key holds that
// content already.
func (s *Spool) place(key string) (bool, error) {
	if err := files.Finish(s.tmp); err != nil {
		return false, err
	}
	e := ManifestEntry{Path: key, Size: s.size, SHA256: hex.EncodeToString(s.h.Sum(nil))}
	same, err := s.f.sameContent(key, e)
	if err != nil {
		return false, err
	}
	if same {
		s.f.setEntry(e)
		return false, nil
	}
	if err := s.f.root.Rename(s.name, filepath.FromSlash(key)); err != nil {
		return false, err
	}
	s.done = true
	s.f.setEntry(e)
	return true, nil
}

// Discard drops the data written, unless it was committed; it does nothing
// a second time.
func (s *Spool) Discard() {
	if s.done {
		return
	}
	s.done = true
	_ = s.tmp.Close()
	_ = s.f.root.Remove(s.name)
}

// createTemp creates a new, empty temporary file in the folder dir
// (slash-separated, "." for the top) and returns it with its name.
func (f *Folder) createTemp(dir string) (*os.File, string, error) {
	for range 10 {
		name := filepath.FromSlash(path.Join(dir, ".stbulk-"+rand.Text()+".tmp"))
		file, err := f.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		return file, name, nil
	}
	return nil, "", errors.New("cannot create a temporary file with a new name")
}

// sameContent reports whether the regular file at key has the size and
// SHA-256 of e. A missing target, or one that is not a regular file, is
// not the same.
func (f *Folder) sameContent(key string, e ManifestEntry) (bool, error) {
	fi, err := f.root.Lstat(filepath.FromSlash(key))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !fi.Mode().IsRegular() || fi.Size() != e.Size {
		return false, nil
	}
	if old, ok := f.entry(key); ok && old.Size == fi.Size() && old.SHA256 != "" {
		return old.SHA256 == e.SHA256, nil
	}
	cur, err := f.hashFile(key)
	if err != nil {
		return false, err
	}
	return cur.SHA256 == e.SHA256, nil
}

// hashFile reads the regular file at key and returns its entry.
func (f *Folder) hashFile(key string) (ManifestEntry, error) {
	file, err := f.root.Open(filepath.FromSlash(key))
	if err != nil {
		return ManifestEntry{}, err
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return ManifestEntry{}, err
	}
	if !fi.Mode().IsRegular() {
		return ManifestEntry{}, fmt.Errorf("%s is not a regular file", key)
	}
	h := sha256.New()
	n, err := io.Copy(h, file)
	if err != nil {
		return ManifestEntry{}, fmt.Errorf("read %s: %w", key, err)
	}
	return ManifestEntry{Path: key, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Record adds to the manifest the file that another writer put at rel, a
// slash-separated relative path, hashing it. The file must be a regular
// file (not a symbolic link) inside the folder.
func (f *Folder) Record(rel string) error {
	key, err := localPath(rel)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	defer f.lock(key)()
	fi, err := f.root.Lstat(filepath.FromSlash(key))
	if err != nil {
		return fmt.Errorf("record %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("record %s: not a regular file (%s)", key, fi.Mode().Type())
	}
	e, err := f.hashFile(key)
	if err != nil {
		return fmt.Errorf("record %s: %w", key, err)
	}
	f.setEntry(e)
	return nil
}

// Manifest returns the entries, sorted by path.
func (f *Folder) Manifest() []ManifestEntry {
	f.mu.Lock()
	out := make([]ManifestEntry, 0, len(f.entries))
	for _, e := range f.entries {
		out = append(out, e)
	}
	f.mu.Unlock()
	slices.SortFunc(out, func(a, b ManifestEntry) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// SaveManifest writes root/manifest.json atomically (temporary file, then
// rename): {"files":[...]} sorted by path, indented with two spaces,
// ending with a newline. The manifest never lists itself.
func (f *Folder) SaveManifest() (err error) {
	f.saveMu.Lock()
	defer f.saveMu.Unlock()
	defer func() {
		if err != nil {
			err = fmt.Errorf("save manifest %s: %w", filepath.Join(f.dir, manifestName), err)
		}
	}()
	tmp, tmpName, err := f.createTemp(".")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			_ = tmp.Close()
			_ = f.root.Remove(tmpName)
		}
	}()
	w := bufio.NewWriterSize(tmp, 64<<10)
	if err := writeManifest(w, f.Manifest()); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := files.Finish(tmp); err != nil {
		return err
	}
	if err := f.root.Rename(tmpName, manifestName); err != nil {
		return err
	}
	keep = true
	return nil
}

// writeManifest writes a manifestFile of entries to w as an encoder set
// to indent with two spaces writes it, an entry at a time.
func writeManifest(w io.Writer, entries []ManifestEntry) error {
	if len(entries) == 0 {
		_, err := io.WriteString(w, "{\n  \"files\": []\n}\n")
		return err
	}
	if _, err := io.WriteString(w, "{\n  \"files\": ["); err != nil {
		return err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	for i, e := range entries {
		b.Reset()
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		if err := enc.Encode(e); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // the encoder's newline
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n  ]\n}\n")
	return err
}

// Close releases the folder's os.Root. Later writes fail.
func (f *Folder) Close() error {
	if err := f.root.Close(); err != nil {
		return fmt.Errorf("close folder %s: %w", f.dir, err)
	}
	return nil
}

// Remove deletes the file rel (a slash-separated relative path) from the
// folder and from the manifest. A file already gone is not an error.
func (f *Folder) Remove(rel string) error {
	p, err := localPath(rel)
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	key := p
	unlock := f.lock(key)
	defer unlock()
	if err := f.root.Remove(filepath.FromSlash(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", key, err)
	}
	f.mu.Lock()
	delete(f.entries, key)
	f.mu.Unlock()
	return nil
}
