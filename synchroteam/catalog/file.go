package catalog

import "io"

// File is the value of a field of kind file in a payload: a local file
// whose content is sent. In payloads.jsonl, the journal and the ledger it
// stands as its path, size and SHA-256, so that a file changed since is a
// payload changed.
type File struct {
	Path   string `json:"path"` // as the row names it, with forward slashes
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Open reads the file, each time from its start: a request retried
	// sends it again without holding it in memory.
	Open func() (io.ReadCloser, error) `json:"-"`
}
