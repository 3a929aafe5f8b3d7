package synchroteam

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// SendFile streams the file as Base64 inside the JSON body, with its exact
// Content-Length, and opens it again for a retry.
func TestSendFileStreams(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	data := bytes.Repeat([]byte("0123456789\x00\xff"), 100_000) // 1.2 MB, not text
	var calls, opens atomic.Int32
	mux.HandleFunc("POST /Api/v2/Attachments/Send", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		if r.ContentLength != int64(len(body)) {
			t.Errorf("Content-Length %d, body %d bytes", r.ContentLength, len(body))
		}
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var got struct {
			Job      JobRef `json:"job"`
			FileName string `json:"fileName"`
			FileData []byte `json:"fileData"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("body is not JSON: %v", err)
		}
		if got.Job.Num != "13420" || got.FileName != "plate.jpg" || !bytes.Equal(got.FileData, data) {
			t.Errorf("job %+v, name %q, %d bytes of data", got.Job, got.FileName, len(got.FileData))
		}
		io.WriteString(w, `{"data": {"id": "297", "url": "https://x/297"}, "msg": [], "result": "1"}`)
	})
	open := func() (io.ReadCloser, error) {
		opens.Add(1)
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	a, err := c.Attachments.SendFile(context.Background(), &AttachmentSend{Job: &JobRef{Num: "13420"}, FileName: "plate.jpg"}, int64(len(data)), open)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "297" || calls.Load() != 2 || opens.Load() != 2 {
		t.Errorf("id %s, %d requests, %d opens: want 297, 2, 2", a.ID, calls.Load(), opens.Load())
	}
}

// A file that cannot be opened is an error of its own, not a stop of the
// run, and nothing is sent.
func TestSendFileUnreadable(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	gone := errors.New("file vanished")
	_, err := c.Attachments.SendFile(context.Background(), &AttachmentSend{Customer: &Ref{MyID: "C1"}, FileName: "a.pdf"}, 10,
		func() (io.ReadCloser, error) { return nil, gone })
	if !errors.Is(err, gone) || errors.Is(err, ErrNotStarted) || !strings.Contains(err.Error(), "Attachments/Send") {
		t.Errorf("err = %v", err)
	}
}
