package synchroteam

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Job is a field-service job. The API sends some keys in other cases
// (RealBeginDate, ContactPhone, Activities, OtherTechnicians); decoding
// matches keys without regard to case.
type Job struct {
	ID                ID                 `json:"idJob,omitempty"`
	MyID              string             `json:"myId,omitempty"`
	Num               ID                 `json:"num,omitempty"`
	JobTypeID         ID                 `json:"idJobType,omitempty"`
	JobTypeName       string             `json:"nmJobType,omitempty"`
	CustomerID        ID                 `json:"idCustomer,omitempty"`
	CustomerMyID      string             `json:"customerMyId,omitempty"`
	CustomerName      string             `json:"customerName,omitempty"`
	SiteID            ID                 `json:"idSite,omitempty"`
	SiteMyID          string             `json:"siteMyId,omitempty"`
	SiteName          string             `json:"siteName,omitempty"`
	EquipmentID       ID                 `json:"idEquipment,omitempty"`
	EquipmentMyID     string             `json:"equipmentMyId,omitempty"`
	EquipmentName     string             `json:"nameEquipment,omitempty"`
	UserID            ID                 `json:"idUser,omitempty"`
	Login             string             `json:"login,omitempty"`
	CreatorID         ID                 `json:"idCreator,omitempty"`
	Description       string             `json:"description,omitempty"`
	Priority          Int                `json:"priority,omitzero"` // 0 low, 1 medium, 2 high
	ScheduledBegin    Time               `json:"scheduledBeginDate,omitzero"`
	ScheduledEnd      Time               `json:"scheduledEndDate,omitzero"`
	RealBegin         Time               `json:"realBeginDate,omitzero"`
	RealEnd           Time               `json:"realEndDate,omitzero"`
	ValidationDate    Time               `json:"validationDate,omitzero"`
	Duration          Int                `json:"duration,omitzero"` // minutes
	GlobalAddress     string             `json:"globalAddress,omitempty"`
	ComplementAddress string             `json:"complementAddress,omitempty"`
	AddressStreet     string             `json:"adressStreet,omitempty"`
	AddressZIP        string             `json:"adressZIP,omitempty"`
	AddressCity       string             `json:"adressCity,omitempty"`
	AddressProvince   string             `json:"adressProvince,omitempty"`
	AddressCountry    string             `json:"adressCountry,omitempty"`
	Status            Int                `json:"status,omitzero"` // see JobStatusName
	ValidationUser    ID                 `json:"validationUser,omitempty"`
	ReportID          ID                 `json:"idReport,omitempty"`
	ContactName       string             `json:"contactName,omitempty"`
	ContactFirstName  string             `json:"contactFirstName,omitempty"`
	ContactPhone      string             `json:"contactPhone,omitempty"`
	ContactMobile     string             `json:"contactMobile,omitempty"`
	ContactEmail      string             `json:"contactEmail,omitempty"`
	PublicLink        string             `json:"publicLink,omitempty"`
	Report            []ReportItem       `json:"report,omitempty"`
	Parts             []JobPart          `json:"parts,omitempty"`
	Activities        []JobActivity      `json:"activities,omitempty"`
	OtherTechnicians  Strings            `json:"otherTechnicians,omitempty"`
	CustomFieldValues []CustomFieldValue `json:"customFieldValues,omitempty"`
	Position          *Position          `json:"position,omitempty"`
	Tags              Strings            `json:"tags,omitempty"`
}

// JobStatusName names a job status: created, scheduled, synchronized,
// started, suspended, completed, validated, canceled ("" when unknown).
func JobStatusName(status int64) string {
	return nameOf(status, "created", "scheduled", "synchronized", "started", "suspended", "completed", "validated", "canceled")
}

func nameOf(i int64, names ...string) string {
	if i < 0 || i >= int64(len(names)) {
		return ""
	}
	return names[i]
}

// ReportItem is one filled item of a job's report. Iteration > 0 marks the
// repetitions of a repeatable block. When sending, an item is named by id, by
// nmItem, or by nmCategory and nmItem.
type ReportItem struct {
	ID           ID     `json:"id,omitempty"`
	CategoryID   ID     `json:"idCategory,omitempty"`
	Iteration    Int    `json:"iteration,omitzero"`
	CategoryName string `json:"nmCategory,omitempty"`
	ItemName     string `json:"nmItem,omitempty"`
	Value        Text   `json:"value"`
}

// JobPart is a part used on a job.
type JobPart struct {
	ID        ID     `json:"id,omitempty"`
	Reference string `json:"reference,omitempty"`
	Quantity  Number `json:"quantity,omitzero"`
}

// JobActivity is one period a technician worked on a job.
type JobActivity struct {
	UserID ID     `json:"idUser,omitempty"`
	Login  string `json:"login,omitempty"`
	Start  Time   `json:"start,omitzero"`
	Stop   Time   `json:"stop,omitzero"`
}

// JobRef names a job by id, myId or num.
type JobRef struct {
	ID   ID     `json:"id,omitempty"`
	MyID string `json:"myId,omitempty"`
	Num  ID     `json:"num,omitempty"`
}

// JobSearch holds the filters of Jobs/Search; unset filters are left out.
type JobSearch struct {
	DateFrom          Time   `json:"dateFrom,omitzero"`
	DateTo            Time   `json:"dateTo,omitzero"`
	ChangedFrom       Time   `json:"changedFrom,omitzero"`
	ReportChangedFrom Time   `json:"reportChangedFrom,omitzero"`
	MyID              string `json:"myId,omitempty"`
	UserName          string `json:"userName,omitempty"`
	UserID            ID     `json:"userId,omitempty"`
	Status            Int    `json:"status,omitzero"`
	Customer          *Ref   `json:"customer,omitempty"`
	Site              *Ref   `json:"site,omitempty"`
	Equipment         *Ref   `json:"equipment,omitempty"`
}

// Photo is a photo taken on a job. ImageData is base64; see Bytes.
type Photo struct {
	Job       JobRef `json:"job"`
	Iteration Int    `json:"iteration,omitzero"`
	FileName  string `json:"fileName"`
	Comment   string `json:"comment"`
	ImageData string `json:"imageData"`
}

// Bytes decodes the photo's image data.
func (p *Photo) Bytes() ([]byte, error) { return decodeBase64(p.ImageData) }

// decodeBase64 reads standard or URL-safe base64, padded or not, ignoring
// line breaks.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' {
			return -1
		}
		return r
	}, s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("data is not base64 (%d characters)", len(s))
}

// JobsService: Jobs/Detail, Send, Search, Validate, Photos, PDF, Cancel.
type JobsService service

var jobLookups = []string{"num", "id", "myId"}

// Get returns one job: Jobs/Detail by num, id or myId.
func (s *JobsService) Get(ctx context.Context, by Lookup) (*Job, error) {
	q, err := by.query("Jobs/Detail", jobLookups...)
	if err != nil {
		return nil, err
	}
	var out Job
	if err := s.client.get(ctx, "Jobs/Detail", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Send creates or updates a job (by idJob, myId or num) and returns its num.
func (s *JobsService) Send(ctx context.Context, j *Job) (ID, error) {
	if j == nil {
		return "", errNilPayload
	}
	return s.client.sendForID(ctx, "Jobs/Send", j, hasKey(j.MyID) || hasKey(string(j.Num)))
}

// Search returns the keys (id, myId, num) of the jobs matching the filter.
func (s *JobsService) Search(ctx context.Context, filter *JobSearch) ([]JobRef, error) {
	var out []JobRef
	if err := s.client.search(ctx, "Jobs/Search", filter, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Validate validates a job and returns the number of jobs validated.
func (s *JobsService) Validate(ctx context.Context, by Lookup) (int, error) {
	q, err := by.query("Jobs/Validate", jobLookups...)
	if err != nil {
		return 0, err
	}
	return s.client.count(ctx, http.MethodPut, "Jobs/Validate", q, nil)
}

// Cancel cancels a job and returns the number of jobs canceled.
func (s *JobsService) Cancel(ctx context.Context, by Lookup) (int, error) {
	q, err := by.query("Jobs/Cancel", jobLookups...)
	if err != nil {
		return 0, err
	}
	return s.client.count(ctx, http.MethodPut, "Jobs/Cancel", q, nil)
}

// Photos returns the photos of a job.
func (s *JobsService) Photos(ctx context.Context, by Lookup) ([]Photo, error) {
	q, err := by.query("Jobs/Photos", jobLookups...)
	if err != nil {
		return nil, err
	}
	var out []Photo
	if err := s.client.get(ctx, "Jobs/Photos", q, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// PhotosTo reads the photos of a job as Photos does, but decodes the image
// of each into the writer sink opens for it as the answer arrives: no image
// is held in memory, and the photos returned have no ImageData. A photo
// without image data gets an empty file. Image data that is not base64
// (standard or URL-safe, padded or not, line breaks and spaces ignored)
// fails the call with an *Error naming the photo.
func (s *JobsService) PhotosTo(ctx context.Context, by Lookup, sink DataSink) ([]Photo, error) {
	q, err := by.query("Jobs/Photos", jobLookups...)
	if err != nil {
		return nil, err
	}
	var out []Photo
	err = s.client.streamed(ctx, "Jobs/Photos", q, sink, func(r io.Reader) (err error) {
		out, err = readPhotos(r, sink)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PDF returns the job's report as PDF bytes.
func (s *JobsService) PDF(ctx context.Context, by Lookup) ([]byte, error) {
	q, err := by.query("Jobs/PDF", jobLookups...)
	if err != nil {
		return nil, err
	}
	var out struct {
		PDFData string `json:"pdfData"`
	}
	if err := s.client.get(ctx, "Jobs/PDF", q, &out); err != nil {
		return nil, err
	}
	b, err := decodeBase64(out.PDFData)
	if err != nil {
		return nil, &Error{Method: http.MethodGet, Endpoint: "Jobs/PDF", StatusCode: http.StatusOK, Message: "pdfData: " + err.Error()}
	}
	return b, nil
}

// PDFTo reads the job's report as PDF does, but decodes it into the writer
// sink opens (file 0) as the answer arrives.
func (s *JobsService) PDFTo(ctx context.Context, by Lookup, sink DataSink) error {
	q, err := by.query("Jobs/PDF", jobLookups...)
	if err != nil {
		return err
	}
	return s.client.streamed(ctx, "Jobs/PDF", q, sink, func(r io.Reader) error { return readPDF(r, sink) })
}
