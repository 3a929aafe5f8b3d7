package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// MaxFileSize is the largest file a field of kind file sends: 20 MiB
// (about 27 MiB once encoded as Base64).
const MaxFileSize = 20 << 20

// fileTypes are the types of files sent without the mapping naming them:
// images and PDFs, by extension, with the content type their first bytes
// must show ("" when the content is not checked).
var fileTypes = map[string]string{
	"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
	"webp": "image/webp", "bmp": "image/bmp", "tif": "", "tiff": "", "heic": "", "pdf": "application/pdf",
}

// fileFolder is where the files a mapping's rows name are read: the
// mapping's files: folder, or its input's folder. A path can never leave it
// (.., an absolute path, a symbolic link out of it).
type fileFolder struct {
	dir   string
	root  *os.Root
	types []string // the extensions the mapping allows besides fileTypes
}

// openFiles opens the folder of the mapping's files, for an input read from
// input, when its entity has a field of kind file.
func (m *Mapping) openFiles(input string) error {
	if !hasFileField(m.Entity) {
		return nil
	}
	dir := m.FilesDir
	if dir == "" {
		dir = filepath.Dir(input)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return Problems{{File: m.File, Msg: "files: " + pathError(err) + ": " + dir}}
	}
	m.files = &fileFolder{dir: dir, root: root, types: m.FileTypes}
	return nil
}

// closeFiles closes the folder of the mapping's files, if open.
func (m *Mapping) closeFiles() {
	if m.files != nil {
		m.files.root.Close()
		m.files = nil
	}
}

func hasFileField(e *catalog.Entity) bool {
	return slices.ContainsFunc(e.Fields, func(f catalog.Field) bool { return f.Kind == catalog.KindFile })
}

// file checks the file a row names and returns it as a payload value: it
// exists in the folder, is a regular file, is neither empty nor larger than
// MaxFileSize, and is of a type allowed (its content agreeing with its
// extension for images and PDFs).
func (ff *fileFolder) file(name string) (*catalog.File, error) {
	if ff == nil {
		return nil, errors.New("no folder to read files from: the mapping is not bound to an input")
	}
	rel := path.Clean(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	if path.IsAbs(rel) || filepath.IsAbs(name) || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, fmt.Errorf("%q is outside the folder of the files (%s): name a file inside it", name, ff.dir)
	}
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(rel), "."))
	want, known := fileTypes[ext]
	if !known && !slices.Contains(ff.types, ext) {
		what := "files without an extension are"
		if ext != "" {
			what = "." + ext + " files are"
		}
		return nil, fmt.Errorf("%q: %s not sent: images and PDFs are, and the types the mapping names in file_types", name, what)
	}
	f, err := ff.root.Open(rel)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%q is not in %s", name, ff.dir)
		}
		// A symbolic link out of the folder is refused here too.
		return nil, fmt.Errorf("%q cannot be read inside %s: %v", name, ff.dir, pathError(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("%q cannot be read: %v", name, pathError(err))
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%q is not a file", name)
	case fi.Size() == 0:
		return nil, fmt.Errorf("%q is empty", name)
	case fi.Size() > MaxFileSize:
		return nil, fmt.Errorf("%q is %.1f MiB: files of more than %d MiB are not sent", name, float64(fi.Size())/(1<<20), MaxFileSize>>20)
	}
	h := sha256.New()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("%q cannot be read: %v", name, err)
	}
	if got := http.DetectContentType(head[:n]); want != "" && got != want {
		return nil, fmt.Errorf("%q is not a %s file: its content is %s", name, strings.ToUpper(ext), strings.Split(got, ";")[0])
	}
	h.Write(head[:n])
	size, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("%q cannot be read: %v", name, err)
	}
	root := ff.root
	return &catalog.File{
		Path: rel, Size: int64(n) + size, SHA256: hex.EncodeToString(h.Sum(nil)),
		Open: func() (io.ReadCloser, error) { return root.Open(rel) },
	}, nil
}

// pathError is err without the path an *fs.PathError repeats.
func pathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
