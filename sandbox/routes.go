package sandbox

import (
	"net/url"
	"strings"
)

// route is one endpoint of the reference.
type route struct {
	method   string
	name     string // as the reference spells it, e.g. "Customer/Details"
	handle   func(*Server, *call) answer
	envelope func(msg string) any // the endpoint's error body
}

// Error envelopes, one per family of endpoints.

type codeMessage struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
}

func codeMessageEnvelope(msg string) any { return codeMessage{0, msg} }

type activityTypeEnvelope struct {
	Code int64              `json:"code"`
	Data *activityTypeReply `json:"data"`
	Msg  string             `json:"msg"`
}

func activityTypeFailure(msg string) any { return activityTypeEnvelope{Code: 0, Msg: msg} }

type attachmentEnvelope struct {
	Data   *attachmentData `json:"data"`
	Msg    []string        `json:"msg"`
	Result string          `json:"result"`
}

type attachmentData struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

func attachmentFailure(msg string) any {
	return attachmentEnvelope{Msg: []string{msg}, Result: "0"}
}

type invoiceEnvelope struct {
	Code    int64        `json:"code"`
	Message *string      `json:"message"`
	Data    *invoiceData `json:"data"`
}

type invoiceData struct {
	Num         int64 `json:"num"`
	NumberLines int   `json:"numberLines"`
}

func invoiceFailure(msg string) any { return invoiceEnvelope{Code: 0, Message: &msg} }

type inventoryError struct {
	Depot     *string `json:"depot"`
	Reference *string `json:"reference"`
	Reason    string  `json:"reason"`
}

type inventoryEnvelope struct {
	Code   int64 `json:"code"`
	Errors any   `json:"errors"` // "" on success, a list of inventoryError otherwise
}

func inventoryFailure(msg string) any {
	return inventoryEnvelope{Code: 0, Errors: []inventoryError{{Reason: msg}}}
}

type priceError struct {
	ID        *string `json:"id"`
	Price     *string `json:"price"`
	Reference *string `json:"reference"`
}

type pricesEnvelope struct {
	Code    int64        `json:"code"`
	Errors  []priceError `json:"errors"`
	Message string       `json:"message,omitempty"`
}

func pricesFailure(msg string) any {
	return pricesEnvelope{Code: 0, Errors: []priceError{}, Message: msg}
}

// routes lists the 39 endpoints of the reference.
var routes = []*route{
	{method: "POST", name: "Activities/Search", handle: (*Server).activitiesSearch},
	{method: "POST", name: "ActivityType/Send", handle: (*Server).activityTypeSend, envelope: activityTypeFailure},
	{method: "POST", name: "ActivityType/Search", handle: (*Server).activityTypeSearch},
	{method: "DELETE", name: "ActivityType/Delete", handle: (*Server).activityTypeDelete, envelope: activityTypeFailure},
	{method: "POST", name: "Attachments/Send", handle: (*Server).attachmentSend, envelope: attachmentFailure},
	{method: "GET", name: "SharedBlocks/List", handle: (*Server).sharedBlocksList},
	{method: "GET", name: "Customer/Details", handle: (*Server).customerDetails},
	{method: "POST", name: "Customer/Send", handle: (*Server).customerSend},
	{method: "DELETE", name: "Customer/Delete", handle: (*Server).customerDelete},
	{method: "GET", name: "Customer/List", handle: (*Server).customerList},
	{method: "POST", name: "CustomField/Send", handle: (*Server).customFieldSend},
	{method: "GET", name: "Equipment/Details", handle: (*Server).equipmentDetails},
	{method: "POST", name: "Equipment/Send", handle: (*Server).equipmentSend},
	{method: "DELETE", name: "Equipment/Delete", handle: (*Server).equipmentDelete},
	{method: "GET", name: "Equipment/List/Customer/*/Site/*", handle: (*Server).equipmentList},
	{method: "GET", name: "Jobs/Detail", handle: (*Server).jobDetail},
	{method: "POST", name: "Jobs/Send", handle: (*Server).jobSend},
	{method: "POST", name: "Jobs/Search", handle: (*Server).jobSearch},
	{method: "PUT", name: "Jobs/Validate", handle: (*Server).jobValidate},
	{method: "GET", name: "Jobs/Photos", handle: (*Server).jobPhotos},
	{method: "GET", name: "Jobs/PDF", handle: (*Server).jobPDF},
	{method: "PUT", name: "Jobs/Cancel", handle: (*Server).jobCancel},
	{method: "POST", name: "Invoices/Send", handle: (*Server).invoiceSend, envelope: invoiceFailure},
	{method: "POST", name: "Invoices/List", handle: (*Server).invoiceList},
	{method: "GET", name: "Site/Details", handle: (*Server).siteDetails},
	{method: "POST", name: "Site/Send", handle: (*Server).siteSend},
	{method: "DELETE", name: "Site/Delete", handle: (*Server).siteDelete},
	{method: "GET", name: "Site/List/byCustomer/id/*", handle: (*Server).siteListByCustomerID},
	{method: "GET", name: "Site/List/byCustomer/myId/*", handle: (*Server).siteListByCustomerMyID},
	{method: "PUT", name: "StockRequest/Complete", handle: (*Server).stockRequestComplete},
	{method: "POST", name: "StockRequest/Search", handle: (*Server).stockRequestSearch},
	{method: "PUT", name: "Inventory/Quantities", handle: (*Server).inventoryQuantities, envelope: inventoryFailure},
	{method: "POST", name: "Part/Send", handle: (*Server).partSend},
	{method: "DELETE", name: "Part/Delete", handle: (*Server).partDelete},
	{method: "PUT", name: "Part/Prices", handle: (*Server).partPrices, envelope: pricesFailure},
	{method: "GET", name: "Part/Details", handle: (*Server).partDetails},
	{method: "GET", name: "User/Details", handle: (*Server).userDetails},
	{method: "POST", name: "User/Search", handle: (*Server).userSearch},
	{method: "POST", name: "User/Send", handle: (*Server).userSend},
}

// failure returns the route's error body for msg.
func (r *route) failure(msg string) any {
	if r.envelope == nil {
		return codeMessageEnvelope(msg)
	}
	return r.envelope(msg)
}

// match finds the route of a URL. Both /Api/v2/X and /v2/X are accepted, in
// any letter case; a trailing slash is ignored. Path parameters keep their case.
func match(u *url.URL) (*route, []string, bool) {
	var segs []string
	for _, s := range strings.Split(u.EscapedPath(), "/") {
		if s == "" {
			continue
		}
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
		segs = append(segs, s)
	}
	if len(segs) > 0 && strings.EqualFold(segs[0], "api") {
		segs = segs[1:]
	}
	if len(segs) == 0 || !strings.EqualFold(segs[0], "v2") {
		return nil, nil, false
	}
	segs = segs[1:]
next:
	for _, r := range routes {
		pattern := strings.Split(strings.ToLower(r.name), "/")
		if len(pattern) != len(segs) {
			continue
		}
		var params []string
		for i, p := range pattern {
			if p == "*" {
				params = append(params, segs[i])
				continue
			}
			if strings.ToLower(segs[i]) != p {
				continue next
			}
		}
		return r, params, true
	}
	return nil, nil, false
}
