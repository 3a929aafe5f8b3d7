package synchroteam

import "context"

// User is a Synchroteam user (technician, manager or administrator).
type User struct {
	ID                ID                 `json:"id,omitempty"`
	FirstName         string             `json:"firstName,omitempty"`
	LastName          string             `json:"lastName,omitempty"`
	Login             string             `json:"login,omitempty"`
	Password          string             `json:"password,omitempty"`
	Language          string             `json:"language,omitempty"` // EN, FR, ES, RO, CZ
	Email             string             `json:"email,omitempty"`
	Phone             string             `json:"phone,omitempty"`
	Profile           string             `json:"profile,omitempty"` // technician, administrator, manager
	CustomFieldValues []CustomFieldValue `json:"customFieldValues,omitempty"`
	SkilledTrades     Strings            `json:"skilledTrades,omitempty"`
	Groups            Strings            `json:"groups,omitempty"`
	StartLocation     *StartLocation     `json:"startLocation,omitempty"`
}

// StartLocation is where a user's day starts (the API spells fullAdress).
type StartLocation struct {
	FullAddress string `json:"fullAdress,omitempty"`
	Latitude    Number `json:"latitude,omitzero"`
	Longitude   Number `json:"longitude,omitzero"`
}

// UserSearch holds the filters of User/Search.
type UserSearch struct {
	Group         *GroupRef `json:"group,omitempty"`
	SkilledTrades string    `json:"skilledTrades,omitempty"`
}

// GroupRef names a group by id or name.
type GroupRef struct {
	ID   ID     `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// UserKey is what User/Search returns for each user.
type UserKey struct {
	ID    ID     `json:"id"`
	Login string `json:"login"`
}

// UsersService: User/Details, Search, Send.
type UsersService service

// Get returns one user: User/Details by login or id.
func (s *UsersService) Get(ctx context.Context, by Lookup) (*User, error) {
	q, err := by.query("User/Details", "login", "id")
	if err != nil {
		return nil, err
	}
	var out User
	if err := s.client.get(ctx, "User/Details", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Search returns the id and login of the users matching the filter.
func (s *UsersService) Search(ctx context.Context, filter *UserSearch) ([]UserKey, error) {
	var out []UserKey
	if err := s.client.search(ctx, "User/Search", filter, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Send creates or updates a user (by id or login) and returns its id.
func (s *UsersService) Send(ctx context.Context, u *User) (ID, error) {
	if u == nil {
		return "", errNilPayload
	}
	return s.client.sendForID(ctx, "User/Send", u, hasKey(u.Login))
}
