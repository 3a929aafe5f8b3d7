package synchroteam

import (
	"context"
	"net/http"
)

// Activity is a period of a user's time that is not a job (holiday,
// sickness, training).
type Activity struct {
	ID    ID           `json:"idActivity"`
	Name  string       `json:"nmActivity"`
	Note  string       `json:"noteActivity"`
	Start Time         `json:"dtStart,omitzero"`
	End   Time         `json:"dtEnd,omitzero"`
	User  ActivityUser `json:"user"`
}

// ActivityUser is the user of an activity (the API spells fisrtName).
type ActivityUser struct {
	ID        ID      `json:"id"`
	Login     string  `json:"login"`
	FirstName string  `json:"fisrtName"`
	LastName  string  `json:"lastName"`
	Groups    Strings `json:"Groups"`
}

// ActivitySearch holds the filters of Activities/Search.
type ActivitySearch struct {
	DateFrom     Date   `json:"dateFrom,omitzero"`
	DateTo       Date   `json:"dateTo,omitzero"`
	LoginUser    string `json:"loginUser,omitempty"`
	NameActivity string `json:"nameActivity,omitempty"`
}

// ActivitiesService: Activities/Search.
type ActivitiesService service

// Search returns the activities matching the filter.
func (s *ActivitiesService) Search(ctx context.Context, filter *ActivitySearch) ([]Activity, error) {
	var out []Activity
	if err := s.client.search(ctx, "Activities/Search", filter, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ActivityType is a kind of activity (the API spells hasConflit).
type ActivityType struct {
	ID          ID     `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Color       string `json:"color,omitempty"`
	HasConflict Bool   `json:"hasConflit,omitzero"`
}

// ActivityTypesService: ActivityType/Send, Search, Delete.
type ActivityTypesService service

// Send creates or updates an activity type (by id or name) and returns it as stored.
func (s *ActivityTypesService) Send(ctx context.Context, t *ActivityType) (*ActivityType, error) {
	if t == nil {
		return nil, errNilPayload
	}
	var out ActivityType
	if _, err := s.client.flag(ctx, http.MethodPost, "ActivityType/Send", t, hasKey(t.Name), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Search returns the activity types matching the filter (any field set).
func (s *ActivityTypesService) Search(ctx context.Context, filter *ActivityType) ([]ActivityType, error) {
	var out []ActivityType
	if err := s.client.search(ctx, "ActivityType/Search", filter, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Delete deletes an activity type by id or name and returns how many were
// deleted (0 when none exists).
func (s *ActivityTypesService) Delete(ctx context.Context, id ID, name string) (int, error) {
	body := struct {
		Name string `json:"name"`
		ID   ID     `json:"id"`
	}{name, id}
	return s.client.count(ctx, http.MethodDelete, "ActivityType/Delete", nil, body)
}
