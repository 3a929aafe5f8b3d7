package synchroteam

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Invoice is an invoice or a quotation. Amounts arrive as "139,4000" or
// 213.65 and due dates as "02/05/2018 00:00:00"; Number and Time read both
// and keep what they cannot read.
type Invoice struct {
	ID         ID            `json:"id,omitempty"`
	Num        ID            `json:"num,omitempty"`
	JobID      ID            `json:"idJob,omitempty"`
	CustomerID ID            `json:"idClient,omitempty"`
	SiteID     ID            `json:"idSite,omitempty"`
	Type       string        `json:"type,omitempty"`   // "Invoice" or "Quotation"
	Status     Int           `json:"status,omitzero"`  // see InvoiceStatusName
	DueDate    Time          `json:"dueDate,omitzero"` // payment date
	Total      Number        `json:"total,omitzero"`
	Lines      []InvoiceLine `json:"lines,omitempty"`
}

// InvoiceStatusName names the status of an invoice (draft, sent, late,
// paid) or of a quotation (draft, sent); "" when unknown.
func InvoiceStatusName(typ string, status int64) string {
	if strings.EqualFold(typ, "quotation") {
		return nameOf(status, "draft", "sent")
	}
	return nameOf(status, "draft", "sent", "late", "paid")
}

// InvoiceLine is one line of an invoice or quotation. Tax and Discount are
// percentages.
type InvoiceLine struct {
	PartID      ID     `json:"idPart,omitempty"`
	Description string `json:"description,omitempty"`
	Reference   string `json:"reference,omitempty"`
	Price       Number `json:"price,omitzero"`
	Tax         Number `json:"tax,omitzero"`
	Quantity    Number `json:"quantity,omitzero"`
	Discount    Number `json:"discount,omitzero"`
	Total       Number `json:"total,omitzero"`
	TotalLine   Number `json:"totalLine,omitzero"`
}

// InvoiceSend is the body of Invoices/Send.
type InvoiceSend struct {
	Type     string        `json:"type"`             // "invoice" or "quotation"
	Action   string        `json:"action,omitempty"` // "add" appends the lines, "replace" replaces them
	Status   Int           `json:"status,omitzero"`
	Num      ID            `json:"num,omitempty"` // an existing num updates, a new one creates
	DueDate  Date          `json:"dueDate,omitzero"`
	Job      *JobRef       `json:"job,omitempty"`
	Customer *Ref          `json:"customer,omitempty"`
	Lines    []InvoiceLine `json:"lines,omitempty"`
}

// InvoiceResult is the answer of Invoices/Send.
type InvoiceResult struct {
	Num         ID  `json:"num"`
	NumberLines Int `json:"numberLines"`
}

// InvoiceFilter holds the filters of Invoices/List.
type InvoiceFilter struct {
	ChangedFrom Date    `json:"changedFrom,omitzero"`
	Job         *JobRef `json:"job,omitempty"`
	Customer    *Ref    `json:"customer,omitempty"`
	Site        *Ref    `json:"site,omitempty"`
}

// InvoicesService: Invoices/Send and Invoices/List.
type InvoicesService service

// Send creates an invoice or quotation, or updates the lines of an existing
// one. Only a "replace" of a given num is safe to repeat; an "add" or a send
// without num is never retried after an ambiguous failure.
//
// The reference says code is 1 on success and 0 with a message on error, yet
// its own success example answers code 0 with data: an answer is taken as a
// success when it carries no message and names the num in data.
func (s *InvoicesService) Send(ctx context.Context, inv *InvoiceSend) (*InvoiceResult, error) {
	if inv == nil {
		return nil, errNilPayload
	}
	const endpoint = "Invoices/Send"
	var env envelope
	safe := inv.Action == "replace" && inv.Num != ""
	if err := s.client.do(ctx, call{method: http.MethodPost, path: apiPrefix + endpoint, body: inv, safe: safe, endpoint: endpoint}, &env); err != nil {
		return nil, err
	}
	var res InvoiceResult
	if len(env.Data) > 0 {
		if err := json.Unmarshal(env.Data, &res); err != nil {
			return nil, &Error{Method: http.MethodPost, Endpoint: endpoint, StatusCode: http.StatusOK, Message: "unreadable data: " + err.Error()}
		}
	}
	if env.message() != "" || res.Num == "" {
		return nil, env.reject(http.MethodPost, endpoint)
	}
	return &res, nil
}

// List returns the invoices and quotations matching the filter.
func (s *InvoicesService) List(ctx context.Context, filter *InvoiceFilter) ([]Invoice, error) {
	var out []Invoice
	if err := s.client.search(ctx, "Invoices/List", filter, &out); err != nil {
		return nil, err
	}
	return out, nil
}
