package pipeline

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
	"github.com/stbulk/stbulk/writers/files"
)

// jobsExport reads jobs: Jobs/Search, then Jobs/Detail (and Photos, PDF)
// for each.
var jobsExport = exportKind{
	name: "jobs", item: "job", since: "changedFrom", files: true, fetch: fetchJobs,
	sheets: []sheetDef{
		{name: "Jobs", dynamic: []string{"customFieldValues.", "report."}, fields: concat(
			[]exportField{{"num", number}},
			fields(text, "id", "myId", "status", "type", "typeId", "priority", "description", "customerMyId", "customerName",
				"siteMyId", "siteName", "equipmentMyId", "equipmentName", "technician", "otherTechnicians"),
			fields(datetime, "scheduledBegin", "scheduledEnd", "realBegin", "realEnd", "validationDate"),
			[]exportField{{"duration", number}},
			fields(text, "globalAddress", "complementAddress", "adressStreet", "adressZIP", "adressCity", "adressProvince", "adressCountry"),
			fields(text, "contactName", "contactFirstName", "contactPhone", "contactMobile", "contactEmail"),
			positionFields, fields(text, "tags", "publicLink"),
			[]exportField{{"photos", number}},
		)},
		{name: "Report", fields: concat([]exportField{{"num", number}}, fields(text, "category", "item"),
			[]exportField{{"iteration", number}, {"value", text}})},
		{name: "Parts", fields: concat([]exportField{{"num", number}}, fields(text, "reference"),
			[]exportField{{"quantity", number}})},
	},
	filters: []filterDef{
		{name: "dateFrom", typ: filterDate}, {name: "dateTo", typ: filterDate},
		{name: "changedFrom", typ: filterDate}, {name: "reportChangedFrom", typ: filterDate},
		{name: "myId", typ: filterText}, {name: "user", typ: filterText},
		{name: "status", typ: filterChoice, choices: jobStatuses},
		{name: "customer", typ: filterRef}, {name: "site", typ: filterRef}, {name: "equipment", typ: filterRef},
	},
}

// jobStatuses names the statuses of jobs, by their number in the API.
var jobStatuses = []string{"created", "scheduled", "synchronized", "started", "suspended", "completed", "validated", "canceled"}

func fetchJobs(ctx context.Context, e *exporter) error {
	f := e.m.Filters
	search := &synchroteam.JobSearch{
		DateFrom: optTime(f.time("dateFrom")), DateTo: optTime(f.time("dateTo")),
		ChangedFrom: optTime(e.sinceOr("changedFrom")), ReportChangedFrom: optTime(f.time("reportChangedFrom")),
		MyID: f.text("myId"), UserName: f.text("user"),
		Customer: f.ref("customer"), Site: f.ref("site"), Equipment: f.ref("equipment"),
	}
	if s := f.text("status"); s != "" {
		search.Status = synchroteam.NewInt(int64(indexOf(jobStatuses, s)))
	}
	refs, err := e.c.Jobs.Search(ctx, search)
	if err != nil {
		return e.searchFailed(ctx, "Jobs/Search", err)
	}
	refs = uniqueJobs(refs)
	e.setFound(len(refs))
	return each(ctx, e, refs, jobKey, e.exportJob)
}

// uniqueJobs drops the jobs a search lists again (its pages overlapping),
// so that each job's files are written once.
func uniqueJobs(refs []synchroteam.JobRef) []synchroteam.JobRef {
	seen := make(map[string]bool, len(refs))
	out := refs[:0:0]
	for _, r := range refs {
		k := jobKey(r)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

func indexOf(choices []string, s string) int {
	for i, c := range choices {
		if c == s {
			return i
		}
	}
	return -1
}

func jobKey(r synchroteam.JobRef) string {
	switch {
	case r.Num != "":
		return "job " + string(r.Num)
	case r.MyID != "":
		return "job myId " + r.MyID
	}
	return "job id " + string(r.ID)
}

func jobLookup(r synchroteam.JobRef) synchroteam.Lookup {
	switch {
	case r.Num != "":
		return synchroteam.Lookup{Param: "num", Value: string(r.Num)}
	case r.ID != "":
		return synchroteam.ByID(r.ID)
	}
	return synchroteam.ByMyID(r.MyID)
}

func (e *exporter) exportJob(ctx context.Context, ref synchroteam.JobRef) error {
	by := jobLookup(ref)
	j, err := e.c.Jobs.Get(ctx, by)
	if err != nil {
		return fmt.Errorf("Jobs/Detail: %w", err)
	}
	if j.Num != "" {
		by = synchroteam.Lookup{Param: "num", Value: string(j.Num)}
	}
	key := string(j.Num)
	if key == "" {
		key = "id:" + string(j.ID)
	}
	warn := e.warn("job " + key)
	r := newRecord(key)
	rw := jobRow(j, warn)
	vals := jobValues(j)
	if e.m.Photos != nil {
		images := &spools{folder: e.folder}
		defer images.discard()
		photos, err := e.c.Jobs.PhotosTo(ctx, by, images)
		if err != nil {
			return fmt.Errorf("Jobs/Photos: %w", err)
		}
		files, err := e.writePhotos("job "+key, vals, photos, images.files)
		if err != nil {
			return err
		}
		r.Files = append(r.Files, files...)
		rw["photos"] = writers.NumberCell(float64(len(photos)))
	}
	if e.m.PDF != nil {
		doc := &spools{folder: e.folder}
		defer doc.discard()
		if err := e.c.Jobs.PDFTo(ctx, by, doc); err != nil {
			return fmt.Errorf("Jobs/PDF: %w", err)
		}
		if len(doc.files) != 1 {
			return fmt.Errorf("Jobs/PDF: %d documents read, want 1", len(doc.files))
		}
		rel := e.m.PDF.Expand(func(f string) string { return capValue(f, vals[f]) })
		if reservedName(rel) {
			return fmt.Errorf("PDF: the name %q is the export's own file", rel)
		}
		rel, err = e.claim(rel, "job "+key)
		if err != nil {
			return fmt.Errorf("PDF: %w", err)
		}
		changed, err := doc.files[0].Commit(rel)
		if err != nil {
			return fmt.Errorf("PDF: %w", err)
		}
		e.wrote(changed)
		r.Files = append(r.Files, rel)
	}
	r.add("Jobs", rw)
	for _, it := range j.Report {
		it := it
		r.add("Report", row{"num": idCell(string(j.Num)), "category": textCell(it.CategoryName), "item": textCell(it.ItemName),
			"iteration": intCell(it.Iteration, "report item "+it.ItemName+" iteration", warn), "value": textCell(string(it.Value))})
	}
	for _, p := range j.Parts {
		r.add("Parts", row{"num": idCell(string(j.Num)), "reference": textCell(p.Reference),
			"quantity": numberCell(p.Quantity, "part "+p.Reference+" quantity", warn)})
	}
	return e.emit(r)
}

func jobRow(j *synchroteam.Job, warn func(string)) row {
	rw := row{
		"num": idCell(string(j.Num)), "id": textCell(string(j.ID)), "myId": textCell(j.MyID),
		"status": statusCell(j.Status, synchroteam.JobStatusName, warn), "type": textCell(j.JobTypeName), "typeId": textCell(string(j.JobTypeID)),
		"description":  textCell(j.Description),
		"customerMyId": textCell(j.CustomerMyID), "customerName": textCell(j.CustomerName),
		"siteMyId": textCell(j.SiteMyID), "siteName": textCell(j.SiteName),
		"equipmentMyId": textCell(j.EquipmentMyID), "equipmentName": textCell(j.EquipmentName),
		"technician": textCell(j.Login), "otherTechnicians": textCell(strings.Join(j.OtherTechnicians, ", ")),
		"scheduledBegin": timeCell(j.ScheduledBegin, datetime, "scheduledBeginDate", warn),
		"scheduledEnd":   timeCell(j.ScheduledEnd, datetime, "scheduledEndDate", warn),
		"realBegin":      timeCell(j.RealBegin, datetime, "realBeginDate", warn),
		"realEnd":        timeCell(j.RealEnd, datetime, "realEndDate", warn),
		"validationDate": timeCell(j.ValidationDate, datetime, "validationDate", warn),
		"duration":       intCell(j.Duration, "duration", warn),
		"globalAddress":  textCell(j.GlobalAddress), "complementAddress": textCell(j.ComplementAddress),
		"adressStreet": textCell(j.AddressStreet), "adressZIP": textCell(j.AddressZIP), "adressCity": textCell(j.AddressCity),
		"adressProvince": textCell(j.AddressProvince), "adressCountry": textCell(j.AddressCountry),
		"contactName": textCell(j.ContactName), "contactFirstName": textCell(j.ContactFirstName),
		"contactPhone": textCell(j.ContactPhone), "contactMobile": textCell(j.ContactMobile), "contactEmail": textCell(j.ContactEmail),
		"tags": textCell(strings.Join(j.Tags, ", ")), "publicLink": textCell(j.PublicLink),
	}
	if j.Priority.Invalid() {
		rw["priority"] = textCell(j.Priority.Raw())
		warn(fmt.Sprintf("priority %q is not a number: kept as text", j.Priority.Raw()))
	}
	if p, ok := j.Priority.Int64(); ok {
		if p >= 0 && p <= 2 {
			rw["priority"] = textCell([]string{"low", "medium", "high"}[p])
		} else {
			rw["priority"] = textCell(fmt.Sprint(p))
			warn(fmt.Sprintf("priority %d is not low (0), medium (1) or high (2): kept as a number", p))
		}
	}
	positionCells(rw, j.Position, warn)
	customCells(rw, j.CustomFieldValues)
	for _, it := range j.Report {
		name := it.CategoryName + " / " + it.ItemName
		if n, _ := it.Iteration.Int64(); n > 0 {
			name += fmt.Sprintf(" [%d]", n)
		}
		rw["report."+name] = textCell(string(it.Value))
	}
	return rw
}

// jobValues are the fields file name templates can use.
func jobValues(j *synchroteam.Job) map[string]string {
	st, _ := j.Status.Int64()
	day := func(t synchroteam.Time) string {
		if v, ok := t.Time(); ok {
			return v.Format("2006-01-02")
		}
		return ""
	}
	return map[string]string{
		"num": string(j.Num), "id": string(j.ID), "myId": j.MyID,
		"customerName": j.CustomerName, "customerMyId": j.CustomerMyID,
		"siteName": j.SiteName, "siteMyId": j.SiteMyID, "equipmentName": j.EquipmentName,
		"technician": j.Login, "status": synchroteam.JobStatusName(st), "type": j.JobTypeName, "typeId": string(j.JobTypeID),
		"scheduledDate": day(j.ScheduledBegin), "realDate": day(j.RealBegin),
	}
}

// spools is where the files of an answer (Jobs/Photos, Jobs/PDF) are
// decoded as it is read: temporary files of the output folder, put in
// place under their names once the whole answer is read.
type spools struct {
	folder *writers.Folder
	files  []*writers.Spool
}

func (s *spools) Open(i int) (io.Writer, error) {
	if i != len(s.files) {
		return nil, fmt.Errorf("file %d of the answer opened after %d files", i+1, len(s.files))
	}
	f, err := s.folder.Spool()
	if err != nil {
		return nil, err
	}
	s.files = append(s.files, f)
	return f, nil
}

func (s *spools) Restart() { s.discard() }

// discard drops the files not put in place.
func (s *spools) discard() {
	for _, f := range s.files {
		f.Discard()
	}
	s.files = nil
}

// writePhotos puts a job's photos, decoded into data, in place. Names are
// made distinct within the job in the API's order, so the same job
// exported again gets the same names.
func (e *exporter) writePhotos(owner string, vals map[string]string, photos []synchroteam.Photo, data []*writers.Spool) ([]string, error) {
	if len(data) != len(photos) {
		return nil, fmt.Errorf("Jobs/Photos: %d photos read, but %d images", len(photos), len(data))
	}
	paths := make([]string, len(photos))
	for i, p := range photos {
		v := func(f string) string {
			switch f {
			case "iteration":
				n, _ := p.Iteration.Int64()
				return fmt.Sprint(n)
			case "index":
				return fmt.Sprint(i + 1)
			case "fileName":
				if blankName(p.FileName) {
					return fmt.Sprintf("photo-%d", i+1)
				}
				return p.FileName
			case "comment":
				return p.Comment
			}
			return vals[f]
		}
		paths[i] = e.m.Photos.Expand(func(f string) string { return capValue(f, v(f)) })
	}
	paths = files.Unique(paths)
	for i := range photos {
		if reservedName(paths[i]) {
			return nil, fmt.Errorf("photo %d: the name %q is the export's own file", i+1, paths[i])
		}
		var err error
		if paths[i], err = e.claim(paths[i], owner); err != nil {
			return nil, fmt.Errorf("photo %d: %w", i+1, err)
		}
		changed, err := data[i].Commit(paths[i])
		if err != nil {
			return nil, fmt.Errorf("photo %d (%q): %w", i+1, photos[i].FileName, err)
		}
		e.wrote(changed)
	}
	return paths, nil
}

// maxValueBytes bounds a value put in a file name (but num and id), so
// that a long customer name cannot push the job's num out of a name cut to
// writers' 120 bytes.
const maxValueBytes = 60

func capValue(field, s string) string {
	if field == "num" || field == "id" || len(s) <= maxValueBytes {
		return s
	}
	ext := path.Ext(s)
	if len(ext) > 10 || len(ext) == len(s) {
		ext = ""
	}
	stem := s[:len(s)-len(ext)]
	cut := maxValueBytes - len(ext)
	for cut > 0 && !utf8.RuneStart(stem[cut]) {
		cut--
	}
	return stem[:cut] + ext
}

// blankName reports whether a file name from the API names nothing once
// made safe: empty, or only dots and spaces ("", ".", "..", " . ").
func blankName(s string) bool {
	return strings.TrimFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) }) == ""
}
