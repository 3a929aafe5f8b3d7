package synchroteam

import (
	"context"
	"net/http"
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
	const endpoint = "Attachments/Send"
	var out struct {
		envelope
		Data Attachment `json:"data"`
	}
	if err := s.client.do(ctx, call{method: http.MethodPost, path: apiPrefix + endpoint, body: a, endpoint: endpoint}, &out); err != nil {
		return nil, err
	}
	if scalarString(out.Result) != "1" || out.message() != "" {
		e := out.reject(http.MethodPost, endpoint)
		e.Code = scalarString(out.Result)
		return nil, e
	}
	return &out.Data, nil
}

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
