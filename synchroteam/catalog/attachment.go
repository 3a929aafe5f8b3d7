package catalog

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

// attachment adds a file to a job or a customer. The API creates an
// attachment at every send: it has no key, so a row is never sent twice
// by a retry, and a row whose outcome is unknown after a crash is reported
// rather than sent again.
var attachment = Entity{
	Name: "attachment", Doc: "files attached to jobs or customers; each row adds one",
	Endpoint: "Attachments/Send", Required: []string{"file"},
	Fields: []Field{
		{Name: "job.num", Kind: KindInteger, Aliases: []string{"jobNum"}, Doc: "the job's number"},
		{Name: "job.myId", Kind: KindString, Aliases: []string{"jobMyId"}, Doc: "the job's myId"},
		{Name: "job.id", Kind: KindID, Aliases: []string{"jobId"}, Doc: "the job's Synchroteam id"},
		{Name: "customer.myId", Kind: KindString, Aliases: []string{"customerMyId"}, Doc: "the customer's myId"},
		{Name: "customer.id", Kind: KindID, Aliases: []string{"customerId"}, Doc: "the customer's Synchroteam id"},
		{Name: "file", Kind: KindFile, Aliases: []string{"path"}, Doc: "the file to attach: a path relative to the input file's folder, or to the mapping's files: folder"},
		{Name: "fileName", Kind: KindString, Doc: "the attachment's name in Synchroteam (default: the file's name)"},
	},
	Parents: []Link{
		{"job.myId", &job, "myId"}, {"job.num", &job, "num"},
		{"customer.myId", &customer, "myId"}, {"customer.id", &customer, "id"},
	},
	Label:   labelAttachment,
	Prepare: prepareAttachment,
	Send:    sendAttachment,
}

// prepareAttachment checks that a row names one owner, and names the
// attachment after its file when the row does not.
func prepareAttachment(p Payload) error {
	job, onJob := p["job"].(map[string]any)
	_, onCustomer := p["customer"].(map[string]any)
	switch {
	case onJob && onCustomer:
		return errors.New("an attachment goes to a job or to a customer, not both")
	case !onJob && !onCustomer:
		return errors.New("no job (job.num, job.myId or job.id) and no customer (customer.myId or customer.id) to attach the file to")
	}
	if onJob && job["num"] != nil && job["myId"] != nil {
		return errors.New("give the job by one of job.num, job.myId or job.id")
	}
	f, ok := p["file"].(*File)
	if !ok {
		return errors.New("file: none given")
	}
	if text(p, "fileName") == "" {
		p["fileName"] = path.Base(f.Path)
	}
	return nil
}

// labelAttachment names an attachment by its owner and its file, e.g.
// "job.num=13420 file=photos/plate.jpg": with --changed-only, the same file
// attached to the same owner is not sent again.
func labelAttachment(p Payload) string {
	var parts []string
	for _, k := range []string{"job.num", "job.myId", "job.id", "customer.myId", "customer.id"} {
		if v, ok := Value(p, k); ok {
			parts = append(parts, k+"="+fmt.Sprint(v))
		}
	}
	if f, ok := p["file"].(*File); ok {
		parts = append(parts, "file="+f.Path)
	}
	return strings.Join(parts, " ")
}

func sendAttachment(ctx context.Context, c *synchroteam.Client, p Payload, _ bool) (synchroteam.ID, error) {
	f, ok := p["file"].(*File)
	if !ok || f.Open == nil {
		return "", errors.New("file: none given")
	}
	a := &synchroteam.AttachmentSend{FileName: text(p, "fileName")}
	if job, ok := p["job"].(map[string]any); ok {
		a.Job = &synchroteam.JobRef{ID: synchroteam.ID(text(job, "id")), MyID: text(job, "myId"), Num: synchroteam.ID(text(job, "num"))}
	}
	if cu, ok := p["customer"].(map[string]any); ok {
		a.Customer = &synchroteam.Ref{ID: synchroteam.ID(text(cu, "id")), MyID: text(cu, "myId")}
	}
	out, err := c.Attachments.SendFile(ctx, a, f.Size, f.Open)
	if err != nil {
		return "", err
	}
	return out.ID, nil
}
