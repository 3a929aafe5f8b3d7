package sandbox

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type attachment struct {
	ID         int64     `json:"id"`
	JobID      string    `json:"jobId,omitempty"`
	CustomerID int64     `json:"customerId,omitempty"`
	FileName   string    `json:"fileName"`
	Data       []byte    `json:"data"`
	Created    time.Time `json:"created"`
}

type attachmentIn struct {
	Job      *ref  `json:"job"`
	Customer *ref  `json:"customer"`
	FileName *text `json:"fileName"`
	FileData *text `json:"fileData"`
}

// attachmentSend answers POST Attachments/Send: attach a file (base64) to a
// job (id, myId or num) or a customer (id or myId).
func (s *Server) attachmentSend(c *call) answer {
	var in attachmentIn
	if err := c.decode(&in, false); err != nil {
		return c.invalid("%v", err)
	}
	st := s.st
	name := str(in.FileName)
	if name == "" {
		return c.invalid("fileName is required")
	}
	if strings.ContainsAny(name, `/\`) {
		return c.invalid("fileName %q must not contain a path", shorten(name))
	}
	raw := strings.Join(strings.Fields(string(deref(in.FileData))), "")
	if raw == "" {
		return c.invalid("fileData is required (the file encoded as Base64)")
	}
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		if data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(raw, "=")); err != nil {
			return c.invalid("fileData is not Base64: %v", err)
		}
	}
	if in.Job.empty() && in.Customer.empty() {
		return c.invalid("give the job (id, myId or num) or the customer (id, myId or name) of the attachment")
	}
	a := &attachment{FileName: name, Data: data, Created: s.now()}
	if !in.Job.empty() {
		id, myID, num, given := in.Job.jobKeys()
		if !given {
			return c.invalid("job: give id, myId or num")
		}
		j, err := st.findJob("job", id, myID, num)
		if err != nil {
			return c.invalid("%v", err)
		}
		a.JobID = j.ID
	}
	if !in.Customer.empty() {
		id, myID, name, given := in.Customer.recordKeys()
		if !given {
			return c.invalid("customer: give id, myId or name")
		}
		cu, err := st.findCustomer("customer", id, myID, name)
		if err != nil {
			return c.invalid("%v", err)
		}
		a.CustomerID = cu.ID
	}
	a.ID = st.next("attachment")
	st.Attachments[a.ID] = a
	domain := s.cfg.Domain
	if domain == "" {
		domain = "sandbox"
	}
	link := fmt.Sprintf("https://%s.synchroteam.com/Attachments/Get/%d/%s", url.PathEscape(domain), a.ID, url.PathEscape(name))
	return ok(attachmentEnvelope{Data: &attachmentData{ID: strconv.FormatInt(a.ID, 10), URL: link}, Msg: []string{}, Result: "1"})
}
