package synchroteam

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// memorySink keeps the files of an answer in memory, for tests.
type memorySink struct {
	files    []*bytes.Buffer
	restarts int
	fail     error // returned by the writers, when set
}

func (m *memorySink) Open(i int) (io.Writer, error) {
	if i != len(m.files) {
		return nil, fmt.Errorf("file %d opened after %d files", i, len(m.files))
	}
	m.files = append(m.files, &bytes.Buffer{})
	if m.fail != nil {
		return failWriter{m.fail}, nil
	}
	return m.files[i], nil
}

func (m *memorySink) Restart() { m.files = nil; m.restarts++ }

func (m *memorySink) contents() []string {
	var out []string
	for _, f := range m.files {
		out = append(out, f.String())
	}
	return out
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// TestPhotosToDecodesAsItReads: the images are decoded from the answer as
// the API and other senders write base64 in JSON, and the photos' other
// fields as Photos decodes them.
func TestPhotosToDecodesAsItReads(t *testing.T) {
	t.Parallel()
	data := "\x89PNG\r\n\x1a\n some image bytes \xff\xfe\xfb\xff\xbf?>"
	std := base64.StdEncoding.EncodeToString([]byte(data))
	if !strings.ContainsAny(std, "+/") {
		t.Fatalf("%q: the test wants + or / in the text", std)
	}
	escaped := strings.NewReplacer("/", `\/`, "+", `\u002B`, "=", `\u003d`).Replace(std)
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"std", `[{"fileName":"a.png","imageData":"` + std + `"}]`, []string{data}},
		{"raw", `[{"imageData":"` + base64.RawStdEncoding.EncodeToString([]byte(data)) + `"}]`, []string{data}},
		{"url", `[{"imageData":"` + base64.URLEncoding.EncodeToString([]byte(data)) + `"}]`, []string{data}},
		{"raw url", `[{"imageData":"` + base64.RawURLEncoding.EncodeToString([]byte(data)) + `"}]`, []string{data}},
		{"lines", `[{"imageData":"` + std[:8] + `\r\n` + std[8:16] + "\\n" + std[16:] + `"}]`, []string{data}},
		{"spaces", `[{"imageData":"` + std[:4] + " " + std[4:] + `"}]`, []string{data}},
		{"escapes", `[{"imageData":"` + escaped + `"}]`, []string{data}},
		{"image first", `[{"imageData":"` + std + `","fileName":"a.png"}]`, []string{data}},
		{"key case", `[{"ImageData":"` + std + `"}]`, []string{data}},
		{"null image", `[{"fileName":"a.png","imageData":null}]`, []string{""}},
		{"no image", `[{"fileName":"a.png"}]`, []string{""}},
		{"null photo", `[null]`, []string{""}},
		{"none", `[]`, nil},
		{"null", `null`, nil},
		{"several", " [ {\"imageData\" : \"" + b64s("one") + "\"} ,\n{\"imageData\":\"" + b64s("two") + "\"} ] \n", []string{"one", "two"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("GET /Api/v2/Jobs/Photos", reply(tc.body))
			sink := &memorySink{}
			photos, err := c.Jobs.PhotosTo(context.Background(), ByNum("7"), sink)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, sink.contents()); diff != "" {
				t.Errorf("images (-want +got):\n%s", diff)
			}
			// The other fields are those Photos reads, without the image.
			var want []Photo
			if err := json.Unmarshal([]byte(tc.body), &want); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				want[i].ImageData = ""
			}
			if diff := cmp.Diff(want, photos, scalarCmp, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("photos (-want +got):\n%s", diff)
			}
		})
	}
}

func b64s(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestPhotosToRefusesWhatIsNotPhotos: an answer that is not a list of
// photos with base64 images fails with an *Error naming the photo and the
// place, and is not retried.
func TestPhotosToRefusesWhatIsNotPhotos(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxField)
	for _, tc := range []struct {
		name, body, want string
	}{
		{"not base64", `[{"imageData":"` + b64s("one") + `"},{"imageData":"bm90 IGJh!c2U2NA=="}]`, "photo 2: imageData: not base64: '!' at byte 10 of its text"},
		{"padding", `[{"imageData":"QQ==QUJD"}]`, "photo 1: imageData: not base64: its padding (=) is misplaced"},
		{"unicode", `[{"imageData":"QUJ\u00e9"}]`, "photo 1: imageData: not base64: a character other than ASCII at byte 4 of its text"},
		{"cut base64", `[{"imageData":"QUJD` + `Q"}]`, "photo 1: imageData: not base64: its text of 5 characters ends within a group of four"},
		{"tab in base64", `[{"imageData":"QU\tJD"}]`, `photo 1: imageData: not base64: '\t' at byte 3 of its text`},
		{"control character", "[{\"imageData\":\"QU\tJD\"}]", `photo 1: imageData: at byte 18: control character '\t' in a string`},
		{"bad escape", `[{"imageData":"QU\xJD"}]`, `photo 1: imageData: at byte 19: invalid escape \x in a string`},
		{"number image", `[{"imageData":12}]`, "photo 1: imageData: at byte 15: want a base64 string, got a number"},
		{"image twice", `[{"imageData":"QUJD","imageData":"QUJD"}]`, "photo 1: at byte 34: imageData is given twice"},
		{"object", `{"code":0,"message":"no job"}`, "at byte 1: want a list of photos, got an object"},
		{"string photo", `["a.png"]`, "photo 1: at byte 2: want a photo (an object), got a string"},
		{"bad field", `[{"fileName":12}]`, "photo 1: json: cannot unmarshal number"},
		{"no key", `[{12:1}]`, "photo 1: at byte 3: invalid character '1' looking for a key"},
		{"no colon", `[{"fileName" "a"}]`, `photo 1: at byte 14: invalid character '"' after the key "fileName"`},
		{"no comma", `[{"fileName":"a" "comment":"b"}]`, `photo 1: at byte 18: invalid character '"' after a member`},
		{"between photos", `[{} {}]`, "at byte 5: invalid character '{' after photo 1"},
		{"trailing comma", `[{},]`, "photo 2: at byte 5: want a photo (an object), got ']'"},
		{"cut", `[{"fileName":"a.png","imageData":"QUJD`, "photo 1: imageData: unexpected EOF"},
		{"after", `[] []`, "at byte 4: '[' after the end of the JSON value"},
		{"long field", `[{"comment":"` + long + `"}]`, "photo 1: at byte 1048578: values longer than 1024 KiB in all"},
		{"unmatched", `[{"job":{"num":1]}]`, "photo 1: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			var calls atomic.Int32
			mux.HandleFunc("GET /Api/v2/Jobs/Photos", func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				answer(w, http.StatusOK, tc.body)
			})
			_, err := c.Jobs.PhotosTo(context.Background(), ByNum("7"), &memorySink{})
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != http.StatusOK {
				t.Fatalf("error %v (%T), want an *Error of a 200 answer", err, err)
			}
			if want := "unreadable response: " + tc.want; !strings.HasPrefix(e.Message, want) {
				t.Errorf("message %q, want it to start with %q", e.Message, want)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%d requests, want 1: a bad answer is not asked again", n)
			}
		})
	}
}

// TestPhotosToRetriesABrokenAnswer: when the connection breaks in the
// middle of an answer, the request is sent again and the sink restarts.
func TestPhotosToRetriesABrokenAnswer(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	body := `[{"fileName":"a.png","imageData":"` + b64s("one") + `"},{"fileName":"b.png","imageData":"` + b64s("two") + `"}]`
	var calls atomic.Int32
	mux.HandleFunc("GET /Api/v2/Jobs/Photos", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// Promise the whole body, send half of it, hang up.
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, body[:len(body)-20])
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(err)
			}
			conn.Close()
			return
		}
		answer(w, http.StatusOK, body)
	})
	sink := &memorySink{}
	photos, err := c.Jobs.PhotosTo(context.Background(), ByNum("7"), sink)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || sink.restarts != 1 {
		t.Errorf("%d requests, %d restarts; want 2 and 1", calls.Load(), sink.restarts)
	}
	if got := sink.contents(); len(photos) != 2 || strings.Join(got, ",") != "one,two" {
		t.Errorf("%d photos, images %q; want 2, [one two]", len(photos), got)
	}
}

// TestPhotosToSinkFailure: a file that cannot be written fails the call
// with that error, not as the API's.
func TestPhotosToSinkFailure(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /Api/v2/Jobs/Photos", reply(`[{"imageData":"`+b64s("one")+`"}]`))
	full := errors.New("no space left on device")
	_, err := c.Jobs.PhotosTo(context.Background(), ByNum("7"), &memorySink{fail: full})
	var e *Error
	if !errors.Is(err, full) || errors.As(err, &e) {
		t.Errorf("error %v, want the sink's own", err)
	}
}

func TestPDFTo(t *testing.T) {
	t.Parallel()
	pdf := "%PDF-1.4 fake \xff\xfe"
	enc := base64.RawStdEncoding.EncodeToString([]byte(pdf))
	for _, tc := range []struct {
		name, body, want, err string
	}{
		{"padded", `{"pdfData":"` + b64s(pdf) + `"}`, pdf, ""},
		{"wrapped", `{"pdfData":"` + enc[:8] + `\r\n` + enc[8:] + `"}`, pdf, ""},
		{"other keys", `{"code":1,"data":{"a":[1,"]"]},"PDFDATA":"` + b64s(pdf) + `","message":""}`, pdf, ""},
		{"missing", `{"code":1}`, "", ""},
		{"null", `{"pdfData":null}`, "", ""},
		{"not base64", `{"pdfData":"not base64!"}`, "", "unreadable response: pdfData: not base64: '!' at byte 11 of its text"},
		{"a list", `[]`, "", "unreadable response: at byte 1: want an object holding pdfData, got a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("GET /Api/v2/Jobs/PDF", reply(tc.body))
			sink := &memorySink{}
			err := c.Jobs.PDFTo(context.Background(), ByNum("7"), sink)
			if tc.err != "" {
				var e *Error
				if !errors.As(err, &e) || e.Message != tc.err {
					t.Errorf("error %v, want an *Error with the message %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sink.contents(); len(got) != 1 || got[0] != tc.want {
				t.Errorf("files %q, want [%q]", got, tc.want)
			}
		})
	}
}

// imageTwice tells whether a photo of a list decoding reads gives its
// imageData twice (the last one counts when decoding, while reading as
// the answer arrives refuses it).
func imageTwice(t *testing.T, body string) bool {
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		dec := json.NewDecoder(bytes.NewReader(p))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			continue
		}
		n := 0
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			if strings.EqualFold(key.(string), "imageData") {
				n++
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
		}
		if n > 1 {
			return true
		}
	}
	return false
}

// FuzzReadPhotos: the streamed reading never panics, and reads what
// decoding the whole answer reads (Photos, then Bytes) whenever that
// succeeds, but for an image given twice, which it refuses.
func FuzzReadPhotos(f *testing.F) {
	f.Add(`[{"job":{"num":1},"iteration":0,"fileName":"a.png","comment":"c","imageData":"` + b64s("one") + `"}]`)
	f.Add(`[{"imageData":"QU JD\r\n"},null,{}]`)
	f.Add(`[{"imageData":"QUJ\u0044","fileName":"x\"y"}]`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, body string) {
		sink := &memorySink{}
		photos, err := readPhotos(strings.NewReader(body), sink)
		var want []Photo
		if json.Unmarshal([]byte(body), &want) != nil {
			return
		}
		var images []string
		for _, p := range want {
			b, err := p.Bytes()
			if err != nil {
				return
			}
			images = append(images, string(b))
		}
		if err != nil {
			if !imageTwice(t, body) {
				t.Fatalf("%q: %v; decoding it whole reads %d photos", body, err, len(want))
			}
			return
		}
		for i := range want {
			want[i].ImageData = ""
		}
		if diff := cmp.Diff(want, photos, scalarCmp, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%q: photos (-whole +streamed):\n%s", body, diff)
		}
		if diff := cmp.Diff(images, sink.contents(), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%q: images (-whole +streamed):\n%s", body, diff)
		}
	})
}
