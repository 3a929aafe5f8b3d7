package catalog

import (
	"errors"
	"fmt"

	"github.com/stbulk/stbulk/synchroteam"
)

// text is a payload's field as text, "" when it is missing.
func text(p Payload, field string) string {
	if v, ok := p[field]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// number is a payload's field as a number.
func number(p Payload, field string) (synchroteam.Number, error) {
	n, err := synchroteam.ParseNumber(text(p, field))
	if err != nil {
		return n, fmt.Errorf("%s: %w", field, err)
	}
	return n, nil
}

// spread records a batch request's error on its payloads: the items the API
// names fail with their own message; when it names none (the whole request
// failed), or names one that cannot be matched (rows gives nothing), every
// payload sent fails with the request's error.
func spread(errs []error, sent []int, err error, rows func(synchroteam.ItemError) []int) {
	if err == nil {
		return
	}
	var apiErr *synchroteam.Error
	if errors.As(err, &apiErr) && len(apiErr.Items) > 0 {
		type named struct {
			i    int
			item synchroteam.ItemError
		}
		var all []named
		matched := true
		for _, item := range apiErr.Items {
			idx := rows(item)
			if len(idx) == 0 {
				matched = false
				break
			}
			for _, i := range idx {
				all = append(all, named{i, item})
			}
		}
		if matched {
			for _, n := range all {
				errs[n.i] = itemError(apiErr, n.item)
			}
			return
		}
	}
	for _, i := range sent {
		errs[i] = err
	}
}

// itemError is the message of one failed item of a batch.
func itemError(e *synchroteam.Error, item synchroteam.ItemError) error {
	msg := item.Message
	if msg == "" {
		msg = "not applied"
	}
	if item.Value != "" {
		msg += " (value " + item.Value + ")"
	}
	return fmt.Errorf("%s: %s", e.Endpoint, msg)
}
