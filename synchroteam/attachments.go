package synchroteam

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// AttachmentSend is the body of Attachments/Send: a file attached to a job
// or a customer. FileData is sent as base64.
type AttachmentSend struct {
	Job      *JobRef `json:"job,omitempty"`
	Customer *Ref    `json:"customer,omitempty"`
	FileName string  `json:"fileName"`
	FileData []byte  `json:"fileData"`
}

// Attachment is what Attachments/Send returns.
type Attachment struct {
	ID  ID     `json:"id"`
	URL string `json:"url"`
}

// AttachmentsService: Attachments/Send.
type AttachmentsService service

// Send uploads an attachment. It creates a new attachment each time, so it
// is never repeated after an ambiguous failure.
func (s *AttachmentsService) Send(ctx context.Context, a *AttachmentSend) (*Attachment, error) {
	if a == nil {
		return nil, errNilPayload
	}
	return s.post(ctx, call{body: a})
}

// post sends an Attachments/Send call (its body, or its stream) and reads
// the attachment it made.
func (s *AttachmentsService) post(ctx context.Context, cl call) (*Attachment, error) {
	const endpoint = "Attachments/Send"
	cl.method, cl.path, cl.endpoint = http.MethodPost, apiPrefix+endpoint, endpoint
	var out struct {
		envelope
		Data Attachment `json:"data"`
	}
	if err := s.client.do(ctx, cl, &out); err != nil {
		return nil, err
	}
	if scalarString(out.Result) != "1" || out.message() != "" {
		e := out.reject(http.MethodPost, endpoint)
		e.Code = scalarString(out.Result)
		return nil, e
	}
	return &out.Data, nil
}

// SendFile uploads an attachment whose content open reads: it is encoded
// as Base64 while it is sent, so the file is never held in memory whole.
// open is called again for each attempt; size is the file's size. a's
// FileData is not used. Like Send, it is never repeated after an ambiguous
// failure.
func (s *AttachmentsService) SendFile(ctx context.Context, a *AttachmentSend, size int64, open func() (io.ReadCloser, error)) (*Attachment, error) {
	if a == nil || open == nil {
		return nil, errNilPayload
	}
	head := *a
	head.FileData = nil
	b, err := json.Marshal(struct {
		Job      *JobRef `json:"job,omitempty"`
		Customer *Ref    `json:"customer,omitempty"`
		FileName string  `json:"fileName"`
	}{head.Job, head.Customer, head.FileName})
	if err != nil {
		return nil, err
	}
	prefix := append(b[:len(b)-1:len(b)-1], `,"fileData":"`...)
	const suffix = `"}`
	stream := func() (io.ReadCloser, int64, error) {
		f, err := open()
		if err != nil {
			return nil, 0, err
		}
		pr, pw := io.Pipe()
		go func() {
			defer f.Close()
			enc := base64.NewEncoder(base64.StdEncoding, pw)
			_, err := io.Copy(enc, f)
			if err == nil {
				err = enc.Close()
			}
			pw.CloseWithError(err)
		}()
		r := io.MultiReader(bytes.NewReader(prefix), pr, strings.NewReader(suffix))
		n := int64(len(prefix)) + int64(base64.StdEncoding.EncodedLen(int(size))) + int64(len(suffix))
		return readCloser{r, pr}, n, nil
	}
	return s.post(ctx, call{stream: stream})
}

// readCloser reads r; closing it closes c (ending the encoder of a body
// the transport stopped reading).
type readCloser struct {
	io.Reader
	c io.Closer
}

func (r readCloser) Close() error { return r.c.Close() }

// Block is a report block (category) with its items.
type Block struct {
	ID        ID          `json:"id"`
	Name      string      `json:"name"`
	Published Bool        `json:"flPublished,omitzero"`
	Shared    Bool        `json:"flShared,omitzero"`
	Items     []BlockItem `json:"items"`
}

// BlockItem is one item of a report block.
type BlockItem struct {
	ID             ID      `json:"idItem"`
	Name           string  `json:"name"`
	CategoryID     ID      `json:"idCategory"`
	Position       Int     `json:"positionNumber,omitzero"`
	ConditionItem  ID      `json:"conditionItem,omitempty"`  // idItem it depends on, "" or "0" for none
	ConditionValue Text    `json:"conditionValue,omitempty"` // value of ConditionItem that shows this item
	Type           Int     `json:"idTypeItem,omitzero"`      // see BlockItemTypeName
	ValueList      Strings `json:"valueList,omitempty"`
	Mandatory      Bool    `json:"mandatory,omitzero"`
}

// BlockItemTypeName names an item type by its idTypeItem: compliance, list,
// text, date, time, numeric, signature, picture ("" when unknown).
func BlockItemTypeName(t int64) string {
	return nameOf(t, "compliance", "list", "text", "date", "time", "numeric", "", "signature", "picture")
}

// BlocksService: SharedBlocks/List.
type BlocksService service

// ListShared returns the shared blocks.
func (s *BlocksService) ListShared(ctx context.Context) ([]Block, error) {
	var out []Block
	if err := s.client.get(ctx, "SharedBlocks/List", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// CustomFieldsSend is the body of CustomField/Send: values for a job's
// custom fields (the API spells these two keys with capitals).
type CustomFieldsSend struct {
	CustomFieldValues []CustomFieldValue `json:"CustomFieldValues"`
	Job               JobRef             `json:"Job"`
}

// CustomFieldsService: CustomField/Send.
type CustomFieldsService service

// Send updates custom field values of a job.
func (s *CustomFieldsService) Send(ctx context.Context, v *CustomFieldsSend) error {
	if v == nil {
		return errNilPayload
	}
	_, err := s.client.flag(ctx, http.MethodPost, "CustomField/Send", v, true, nil)
	return err
}
