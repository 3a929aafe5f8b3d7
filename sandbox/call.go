package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
)

// call is one request being answered.
type call struct {
	r      *http.Request
	route  *route
	params []string          // path parameters, decoded, original case
	query  map[string]string // lower-cased parameter name → first value
	qorder []string          // lower-cased parameter names in request order
	body   []byte
	// mu is the state lock, held while the handler runs; decode releases it
	// while it parses the body (every handler decodes before reading the
	// state), so a large body does not hold up other requests.
	mu *sync.Mutex
}

// answer is a handler's result: a status and a value rendered as JSON or XML.
type answer struct {
	status int
	body   any
}

func ok(body any) answer { return answer{http.StatusOK, body} }

// codeOnly is the answer of deletes, validations and cancellations.
type codeOnly struct {
	Code int64 `json:"code"`
}

// fail answers status with the route's error envelope carrying msg.
func (c *call) fail(status int, format string, args ...any) answer {
	return answer{status, c.route.failure(fmt.Sprintf(format, args...))}
}

// invalid answers 400 with the route's error envelope.
func (c *call) invalid(format string, args ...any) answer {
	return c.fail(http.StatusBadRequest, format, args...)
}

// notFound answers 404 with the route's envelope.
func (c *call) notFound(format string, args ...any) answer {
	return c.fail(404, format, args...)
}

// decode reads the JSON body into v. An empty body leaves v as it is when
// allowEmpty, and is an error otherwise.
func (c *call) decode(v any, allowEmpty bool) error {
	if c.mu != nil {
		c.mu.Unlock()
		defer c.mu.Lock()
	}
	body := bytes.TrimSpace(c.body)
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if len(body) == 0 {
		if allowEmpty {
			return nil
		}
		return errors.New("the request body is empty")
	}
	if isXML(c.r.Header.Get("Content-Type")) {
		converted, err := xmlToJSON(body, reflect.TypeOf(v).Elem())
		if err != nil {
			return err
		}
		body = converted
	}
	if err := json.Unmarshal(body, v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("malformed JSON body at offset %d: %v", syn.Offset, syn)
		case errors.As(err, &typ):
			where := typ.Field
			if where == "" {
				where = "the body"
			}
			return fmt.Errorf("malformed JSON body: %s must not be a JSON %s", where, typ.Value)
		default:
			return fmt.Errorf("malformed JSON body: %v", err)
		}
	}
	return nil
}

// maxQueryParams is the most parameters a query may have, as url.ParseQuery
// allows.
const maxQueryParams = 10000

// lowerQuery parses a raw query, keeping the first value of each parameter
// under its lower-cased name, and the lower-cased names in request order. A
// malformed query (a bad escape, a semicolon, too many parameters) is an
// error.
func lowerQuery(raw string) (map[string]string, []string, error) {
	out := map[string]string{}
	var order []string
	if raw == "" {
		return out, order, nil
	}
	if n := strings.Count(raw, "&") + 1; n > maxQueryParams {
		return nil, nil, fmt.Errorf("%d parameters, more than %d", n, maxQueryParams)
	}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		if strings.Contains(part, ";") {
			return nil, nil, fmt.Errorf("invalid semicolon separator in %q", shorten(part))
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return nil, nil, fmt.Errorf("parameter %q: %v", shorten(rawName), err)
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, nil, fmt.Errorf("parameter %q: %v", shorten(name), err)
		}
		k := strings.ToLower(name)
		if k == "" {
			continue
		}
		if _, seen := out[k]; seen {
			continue
		}
		out[k] = value
		order = append(order, k)
	}
	return out, order, nil
}

// lookup finds the first lookup parameter of the request among allowed (in
// request order). It answers an error when none is present.
func (c *call) lookup(allowed ...string) (name, value string, bad *answer) {
	for _, q := range c.qorder {
		for _, a := range allowed {
			if q == strings.ToLower(a) {
				return a, c.query[q], nil
			}
		}
	}
	a := c.invalid("expected one query parameter among %s", strings.Join(allowed, ", "))
	return "", "", &a
}
