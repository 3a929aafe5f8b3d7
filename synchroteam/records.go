package synchroteam

import (
	"context"
	"net/http"
)

// SendRecord posts a record built as a map of the API's field names (the
// payload of an import row) to a create-or-update endpoint whose answer is
// {"code": <id>, "message": ""}, and returns that id (the num for jobs).
// keyed tells whether the record carries a natural key (myId, reference,
// login, num), which alone makes the request safe to repeat.
func (c *Client) SendRecord(ctx context.Context, endpoint string, record map[string]any, keyed bool) (ID, error) {
	if record == nil {
		return "", errNilPayload
	}
	return c.sendForID(ctx, endpoint, record, keyed)
}

// SendRecord creates or updates an activity type given as a map of the
// API's field names and returns its id. keyed: the record carries its name.
func (s *ActivityTypesService) SendRecord(ctx context.Context, record map[string]any, keyed bool) (ID, error) {
	if record == nil {
		return "", errNilPayload
	}
	var out ActivityType
	if _, err := s.client.flag(ctx, http.MethodPost, "ActivityType/Send", record, keyed, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}
