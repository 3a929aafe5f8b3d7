package synchroteam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// Lookup names one record by one of its keys, for the Details, Delete,
// Photos, PDF, Validate and Cancel endpoints: ByID("35604"),
// ByMyID("sCustomer08"), ByNum("13473"), ...
type Lookup struct {
	Param string // the API's parameter name: id, myId, name, num, email, login, reference
	Value string
}

// ByID looks a record up by its id.
func ByID(id ID) Lookup { return Lookup{"id", string(id)} }

// ByMyID looks a record up by the caller's reference (myId).
func ByMyID(myID string) Lookup { return Lookup{"myId", myID} }

// ByName looks a record up by name (customers, sites, equipment).
func ByName(name string) Lookup { return Lookup{"name", name} }

// ByNum looks a job up by its number.
func ByNum(num string) Lookup { return Lookup{"num", num} }

// ByEmail looks a customer up by contact email.
func ByEmail(email string) Lookup { return Lookup{"email", email} }

// ByLogin looks a user up by login.
func ByLogin(login string) Lookup { return Lookup{"login", login} }

// ByReference looks a part up by its reference.
func ByReference(ref string) Lookup { return Lookup{"reference", ref} }

func (l Lookup) String() string { return l.Param + "=" + l.Value }

// query checks the lookup against the parameters an endpoint accepts.
func (l Lookup) query(endpoint string, accepted ...string) (url.Values, error) {
	if strings.TrimSpace(l.Value) == "" {
		return nil, fmt.Errorf("synchroteam: %s: empty %s", endpoint, l.Param)
	}
	for _, a := range accepted {
		if a == l.Param {
			return url.Values{l.Param: {l.Value}}, nil
		}
	}
	return nil, fmt.Errorf("synchroteam: %s accepts %s, not %q", endpoint, strings.Join(accepted, ", "), l.Param)
}

const apiPrefix = "/Api/v2/"

func (c *Client) get(ctx context.Context, endpoint string, q url.Values, out any) error {
	return c.do(ctx, call{method: http.MethodGet, path: apiPrefix + endpoint, query: q, safe: true, endpoint: endpoint}, out)
}

// search sends a read-only POST (searches and lists with a filter body).
func (c *Client) search(ctx context.Context, endpoint string, filter any, out any) error {
	// A nil *Filter arrives here as a non-nil interface: it would be sent as
	// "null" rather than as an empty filter.
	if v := reflect.ValueOf(filter); filter == nil || v.Kind() == reflect.Pointer && v.IsNil() {
		filter = struct{}{}
	}
	return c.do(ctx, call{method: http.MethodPost, path: apiPrefix + endpoint, body: filter, safe: true, endpoint: endpoint}, out)
}

// sendForID posts a create-or-update whose answer is {"code": <id>, "message": ""}.
// keyed tells whether the payload carries its upsert key (safe to repeat).
func (c *Client) sendForID(ctx context.Context, endpoint string, body any, keyed bool) (ID, error) {
	var env envelope
	err := c.do(ctx, call{method: http.MethodPost, path: apiPrefix + endpoint, body: body, safe: keyed, endpoint: endpoint}, &env)
	if err != nil {
		return "", err
	}
	id := scalarString(env.Code)
	if env.message() != "" || id == "" || id == "0" {
		return "", env.reject(http.MethodPost, endpoint)
	}
	return ID(id), nil
}

// count sends a request whose answer is {"code": <number of records affected>}.
// A message with a count of 0 (e.g. "The element to be deleted does not
// exist") is not an error: the count says what happened.
func (c *Client) count(ctx context.Context, method, endpoint string, q url.Values, body any) (int, error) {
	var env envelope
	if err := c.do(ctx, call{method: method, path: apiPrefix + endpoint, query: q, body: body, safe: true, endpoint: endpoint}, &env); err != nil {
		return 0, err
	}
	n, ok := env.codeInt()
	if !ok {
		return 0, env.reject(method, endpoint)
	}
	return int(n), nil
}

// flag sends a request whose answer has code 1 on success, 0 on failure.
// data, when not nil, receives the envelope's data member.
func (c *Client) flag(ctx context.Context, method, endpoint string, body any, safe bool, data any) (*envelope, error) {
	var env envelope
	if err := c.do(ctx, call{method: method, path: apiPrefix + endpoint, body: body, safe: safe, endpoint: endpoint}, &env); err != nil {
		return nil, err
	}
	if n, ok := env.codeInt(); !ok || n != 1 {
		return &env, env.reject(method, endpoint)
	}
	if data != nil && len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, data); err != nil {
			return &env, &Error{Method: method, Endpoint: endpoint, StatusCode: http.StatusOK, Message: "unreadable data: " + err.Error()}
		}
	}
	return &env, nil
}

var errNilPayload = errors.New("nil payload")

// hasKey reports whether a natural key (myId, reference, login, num, name)
// is given. Only such keys make a send safe to repeat: the API creates a new
// record for an id it does not know, so an id alone does not.
func hasKey(k string) bool { return strings.TrimSpace(k) != "" }
