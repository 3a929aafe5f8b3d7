package writers

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes is the longest name, in bytes, that SafeName returns.
const maxNameBytes = 120

// maxExtBytes is the longest extension (without its dot) that SafeName and
// Unique keep when they shorten or number a name.
const maxExtBytes = 10

// manifestName is the manifest's file name inside a Folder.
const manifestName = "manifest.json"

// SafeName makes s a single safe file or folder name, on every OS:
//   - path separators / and \ become "_"; control characters (below 0x20,
//     0x7f and 0x80 to 0x9f) and the characters Windows refuses
//     (< > : " | ? *) become "_";
//   - leading and trailing spaces and dots are trimmed, so "." and ".."
//     never survive;
//   - names Windows reserves (CON, PRN, AUX, NUL, CONIN$, CONOUT$, COM0-9,
//     LPT0-9, COM¹²³, LPT¹²³), also with any extension and in any case, such
//     as "con.txt", get a "_" prefix;
//   - each byte of invalid UTF-8 becomes "_"; the result is cut to at most
//     120 bytes on a rune boundary, keeping the extension (the part after
//     the last dot) when it is at most 10 bytes long, so a long "x….jpg"
//     stays a .jpg;
//   - an empty result becomes "_".
//
// SafeName is idempotent: SafeName(SafeName(s)) == SafeName(s), and the
// same input always gives the same output.
func SafeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteByte('_')
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			b.WriteByte('_')
		case strings.ContainsRune(`/\<>:"|?*`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	name := strings.Trim(b.String(), " .")
	if name == "" {
		return "_"
	}
	name = cutName(name, maxNameBytes)
	if reservedName(name) {
		// The prefix makes the part before the first dot start with "_",
		// which no reserved name does, so cutting again cannot bring a
		// reserved name back.
		name = cutName("_"+name, maxNameBytes)
	}
	return name
}

// splitExt splits name into its stem and its extension: the last dot and
// what follows it, when that is 1 to maxExtBytes bytes long and the dot is
// not the first byte. Otherwise ext is empty.
func splitExt(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i-1 < 1 || len(name)-i-1 > maxExtBytes {
		return name, ""
	}
	return name[:i], name[i:]
}

// cutName shortens name, which has no leading or trailing space or dot, to
// at most max bytes on a rune boundary, keeping its extension, and trims
// the spaces and dots that the cut may leave at the end.
func cutName(name string, max int) string {
	if len(name) <= max {
		return name
	}
	stem, ext := splitExt(name)
	return strings.TrimRight(cutBytes(stem, max-len(ext))+ext, " .")
}

// cutBytes returns the longest prefix of s that has at most n bytes and
// ends on a rune boundary.
func cutBytes(s string, n int) string {
	if n >= len(s) {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// reservedName reports whether Windows treats name as a device: the part
// before its first dot, without trailing spaces, is a reserved device name
// in any case.
func reservedName(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.TrimRight(stem, " ")
	switch strings.ToUpper(stem) {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) < 4 {
		return false
	}
	if p := strings.ToUpper(stem[:3]); p != "COM" && p != "LPT" {
		return false
	}
	switch stem[3:] {
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
		return true
	}
	return false
}

// Template is a path template such as
// "photos/{customerName}/{num}/{iteration}-{fileName}": literal text and
// {field} placeholders, with "/" separating folders. Use ParseTemplate to
// make one.
type Template struct {
	text   string
	elems  [][]templatePart
	fields []string
}

// templatePart is literal text, or a placeholder when field is set.
type templatePart struct {
	lit   string
	field string
}

// ParseTemplate checks the template s and returns it. s must not be empty;
// it must be relative (no leading "/" or "\", no drive letter such as
// "C:"); its literal text must have no "." or ".." element and no empty
// element ("a//b", a trailing "/"); braces must be balanced, not nested;
// field names are made of letters, digits, "_" and ".". A template without
// placeholders is allowed. Errors give the 1-based character position of
// the problem.
func ParseTemplate(s string) (*Template, error) {
	if s == "" {
		return nil, errors.New("path template is empty")
	}
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("path template %q is not valid UTF-8", s)
	}
	if s[0] == '/' || s[0] == '\\' {
		return nil, fmt.Errorf("path template %q starts with %q: it must be a path relative to the output folder", s, s[:1])
	}
	if len(s) >= 2 && s[1] == ':' && (s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z') {
		return nil, fmt.Errorf("path template %q starts with the drive %q: it must be a path relative to the output folder", s, s[:2])
	}
	t := &Template{text: s}
	var (
		parts     []templatePart
		lit       strings.Builder
		name      strings.Builder
		inField   bool
		open      int // position of the "{" of the current placeholder
		elemStart = 1 // position of the first character of the current element
		pos       = 0
		seen      = map[string]bool{}
	)
	endElem := func(at int) error {
		if lit.Len() > 0 {
			parts = append(parts, templatePart{lit: lit.String()})
			lit.Reset()
		}
		switch {
		case len(parts) == 0 && at > len([]rune(s)):
			return fmt.Errorf("path template %q ends with \"/\": the last element is empty", s)
		case len(parts) == 0:
			return fmt.Errorf("path template %q has an empty folder name at character %d (\"//\")", s, at)
		case len(parts) == 1 && parts[0].field == "" && (parts[0].lit == "." || parts[0].lit == ".."):
			return fmt.Errorf("path template %q has a %q folder at character %d: folders \".\" and \"..\" are not allowed", s, parts[0].lit, elemStart)
		}
		t.elems = append(t.elems, parts)
		parts = nil
		return nil
	}
	for _, r := range s {
		pos++
		switch {
		case r == '{' && inField:
			return nil, fmt.Errorf("path template %q: \"{\" at character %d is inside the placeholder opened at character %d", s, pos, open)
		case r == '{':
			if lit.Len() > 0 {
				parts = append(parts, templatePart{lit: lit.String()})
				lit.Reset()
			}
			inField, open = true, pos
			name.Reset()
		case r == '}' && !inField:
			return nil, fmt.Errorf("path template %q: \"}\" at character %d has no matching \"{\"", s, pos)
		case r == '}':
			if name.Len() == 0 {
				return nil, fmt.Errorf("path template %q: the placeholder at character %d has no field name", s, open)
			}
			f := name.String()
			parts = append(parts, templatePart{field: f})
			if !seen[f] {
				seen[f] = true
				t.fields = append(t.fields, f)
			}
			inField = false
		case inField:
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '.' {
				return nil, fmt.Errorf("path template %q: %q at character %d is not allowed in the field name of the placeholder at character %d (use letters, digits, \"_\" and \".\")", s, r, pos, open)
			}
			name.WriteRune(r)
		case r == '/':
			if err := endElem(pos); err != nil {
				return nil, err
			}
			elemStart = pos + 1
		default:
			lit.WriteRune(r)
		}
	}
	if inField {
		return nil, fmt.Errorf("path template %q: \"{\" at character %d is never closed", s, open)
	}
	if err := endElem(pos + 1); err != nil {
		return nil, err
	}
	return t, nil
}

// String returns the template as written.
func (t *Template) String() string {
	if t == nil {
		return ""
	}
	return t.text
}

// Fields returns the placeholder names, in order of first appearance,
// without duplicates.
func (t *Template) Fields() []string {
	if t == nil {
		return nil
	}
	return slices.Clone(t.fields)
}

// Expand fills the placeholders with value(name) and returns a
// slash-separated relative path. Each path element, after substitution,
// goes through SafeName, so a value such as "a/b" or "../x" can neither add
// a folder level nor go up. The result always satisfies filepath.IsLocal.
// A nil value function fills every placeholder with "".
func (t *Template) Expand(value func(field string) string) string {
	if t == nil || len(t.elems) == 0 {
		return "_"
	}
	out := make([]string, len(t.elems))
	var b strings.Builder
	for i, e := range t.elems {
		b.Reset()
		for _, p := range e {
			switch {
			case p.field == "":
				b.WriteString(p.lit)
			case value != nil:
				b.WriteString(value(p.field))
			}
		}
		out[i] = SafeName(b.String())
	}
	return strings.Join(out, "/")
}

// Unique makes the names of one group distinct, deterministically. The
// first occurrence of a name keeps it; the k-th occurrence of a name equal
// to an earlier one (compared without regard to case, as Windows and macOS
// folders do) becomes "name-k.ext", the number going before the extension
// of the last element, or a higher k when that name is taken by another
// name of the group. The result never has two names equal without regard
// to case. A numbered last element keeps within 120 bytes by shortening its
// stem.
func Unique(paths []string) []string {
	out := make([]string, len(paths))
	taken := make(map[string]bool, len(paths))
	for _, p := range paths {
		taken[caseKey(p)] = true
	}
	count := make(map[string]int, len(paths))
	used := make(map[string]bool, len(paths))
	for i, p := range paths {
		key := caseKey(p)
		count[key]++
		if !used[key] {
			used[key] = true
			out[i] = p
			continue
		}
		for k := count[key]; ; k++ {
			c := numbered(p, k)
			ck := caseKey(c)
			if !taken[ck] && !used[ck] {
				used[ck] = true
				out[i] = c
				break
			}
		}
	}
	return out
}

// numbered puts "-k" before the extension of the last element of the
// slash-separated path p.
func numbered(p string, k int) string {
	dir, base := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, base = p[:i+1], p[i+1:]
	}
	stem, ext := splitExt(base)
	suffix := "-" + strconv.Itoa(k)
	if len(stem)+len(suffix)+len(ext) > maxNameBytes {
		stem = cutBytes(stem, maxNameBytes-len(suffix)-len(ext))
	}
	return dir + stem + suffix + ext
}

// caseKey maps s to a key that is equal for strings equal under Unicode
// simple case folding, as strings.EqualFold compares them.
func caseKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}

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
	k := caseKey(key)
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
// such as Template.Expand returns, which must satisfy filepath.IsLocal and
// must not be the manifest. Parent folders are created. The data streams
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

	name := filepath.FromSlash(key)
	dir := path.Dir(key)
	if dir != "." {
		if err := f.root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return false, err
		}
	}
	tmp, tmpName, err := f.createTemp(dir)
	if err != nil {
		return false, err
	}
	keep := false
	defer func() {
		if !keep {
			_ = tmp.Close()
			_ = f.root.Remove(tmpName)
		}
	}()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return false, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	e := ManifestEntry{Path: key, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))}

	same, err := f.sameContent(key, e)
	if err != nil {
		return false, err
	}
	if same {
		f.setEntry(e)
		return false, nil
	}
	if err := f.root.Rename(tmpName, name); err != nil {
		return false, err
	}
	keep = true
	f.setEntry(e)
	return true, nil
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
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(manifestFile{Files: f.Manifest()}); err != nil {
		return err
	}
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
	if _, err := tmp.Write(b.Bytes()); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := f.root.Rename(tmpName, manifestName); err != nil {
		return err
	}
	keep = true
	return nil
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
