package sandbox

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

type address struct {
	Address    string `json:"address,omitempty"`
	Complement string `json:"complement,omitempty"`
	Street     string `json:"street,omitempty"`
	ZIP        string `json:"zip,omitempty"`
	City       string `json:"city,omitempty"`
	Province   string `json:"province,omitempty"`
	Country    string `json:"country,omitempty"`
}

type contact struct {
	Name      string `json:"name,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Mobile    string `json:"mobile,omitempty"`
	Email     string `json:"email,omitempty"`
	Fax       string `json:"fax,omitempty"`
}

// position is kept as the decimal text it was given in.
type position struct {
	Lat string `json:"lat"`
	Lng string `json:"lng"`
}

// addressIn holds the address fields of customers and sites, with the
// reference's spellings ("adressStreet").
type addressIn struct {
	Address           *text `json:"address"`
	AddressComplement *text `json:"addressComplement"`
	AdressStreet      *text `json:"adressStreet"`
	AdressZIP         *text `json:"adressZIP"`
	AdressCity        *text `json:"adressCity"`
	AdressProvince    *text `json:"adressProvince"`
	AdressCountry     *text `json:"adressCountry"`
}

func (in *addressIn) apply(a *address) {
	set(&a.Address, in.Address)
	set(&a.Complement, in.AddressComplement)
	set(&a.Street, in.AdressStreet)
	set(&a.ZIP, in.AdressZIP)
	set(&a.City, in.AdressCity)
	set(&a.Province, in.AdressProvince)
	set(&a.Country, in.AdressCountry)
}

// changes reports whether the request sets any address field.
func (in *addressIn) changes() bool {
	return in.Address != nil || in.AdressStreet != nil || in.AdressZIP != nil || in.AdressCity != nil ||
		in.AdressProvince != nil || in.AdressCountry != nil
}

// contactIn holds the contact fields of customers, sites and jobs.
type contactIn struct {
	ContactName      *text `json:"contactName"`
	ContactFirstName *text `json:"contactFirstName"`
	ContactPhone     *text `json:"contactPhone"`
	ContactMobile    *text `json:"contactMobile"`
	ContactEmail     *text `json:"contactEmail"`
	ContactFax       *text `json:"contactFax"`
}

func (in *contactIn) apply(c *contact) {
	set(&c.Name, in.ContactName)
	set(&c.FirstName, in.ContactFirstName)
	set(&c.Phone, in.ContactPhone)
	set(&c.Mobile, in.ContactMobile)
	setTrim(&c.Email, in.ContactEmail)
	set(&c.Fax, in.ContactFax)
}

// Positions.

type positionIn struct {
	Latitude  synchroteam.Number `json:"latitude"`
	Longitude synchroteam.Number `json:"longitude"`
}

type positionOut struct {
	Latitude  string `json:"Latitude"`
	Longitude string `json:"Longitude"`
}

func (p *positionIn) read() (*position, error) {
	if p == nil || (p.Latitude.IsZero() && p.Longitude.IsZero()) {
		return nil, nil
	}
	lat, okLat, err := number("latitude", p.Latitude)
	if err != nil {
		return nil, err
	}
	lng, okLng, err := number("longitude", p.Longitude)
	if err != nil {
		return nil, err
	}
	if !okLat || !okLng {
		return nil, errors.New("a position needs both latitude and longitude")
	}
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return nil, fmt.Errorf("position %s,%s is out of range", decimalText(lat), decimalText(lng))
	}
	return &position{Lat: p.Latitude.String(), Lng: p.Longitude.String()}, nil
}

func posOut(p *position) *positionOut {
	if p == nil {
		return nil
	}
	return &positionOut{Latitude: p.Lat, Longitude: p.Lng}
}

// geocode places an address at a known city, as the service does when no
// position is given; nil when the city is not known.
func geocode(a address) *position {
	hay := strings.ToLower(a.City + " " + a.Address + " " + a.Street)
	for _, g := range gazetteer {
		if strings.Contains(hay, strings.ToLower(g.city)) {
			return &position{Lat: g.lat, Lng: g.lng}
		}
	}
	return nil
}

var gazetteer = []struct{ city, lat, lng string }{
	{"Falls Church", "38.8823", "-77.1711"},
	{"Beulah", "38.0752884", "-104.9868629"},
	{"New York", "40.7127753", "-74.0059728"},
	{"Chicago", "41.8781136", "-87.6297982"},
	{"Austin", "30.267153", "-97.7430608"},
	{"Paris", "48.856614", "2.3522219"},
	{"Lyon", "45.764043", "4.835659"},
	{"Marseille", "43.296482", "5.36978"},
	{"Bordeaux", "44.837789", "-0.57918"},
	{"Toulouse", "43.604652", "1.444209"},
	{"Nantes", "47.218371", "-1.553621"},
	{"Madrid", "40.4167754", "-3.7037902"},
	{"Barcelona", "41.3850639", "2.1734035"},
	{"Sevilla", "37.3890924", "-5.9844589"},
	{"Valencia", "39.4699075", "-0.3762881"},
	{"Bilbao", "43.2630126", "-2.9349852"},
}
