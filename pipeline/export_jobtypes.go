package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// jobTypesExport lists the job types jobs use. The API has no list of job
// types: they are read from the jobs (Jobs/Search, then Jobs/Detail of
// each), so a type no job of the search uses is not listed.
var jobTypesExport = exportKind{
	name: "jobtypes", item: "job type", fetch: fetchJobTypes,
	sheets: []sheetDef{{name: "JobTypes", fields: concat(fields(text, "typeId", "type"), fields(number, "jobs"),
		fields(date, "firstJobDate", "lastJobDate"))}},
	filters: []filterDef{{name: "dateFrom", typ: filterDate}, {name: "dateTo", typ: filterDate}},
}

// jobTypeUse is what the jobs read say of one job type.
type jobTypeUse struct {
	id          synchroteam.ID
	name        string
	jobs        int
	first, last time.Time // of the jobs' dates; zero when none has one
}

func fetchJobTypes(ctx context.Context, e *exporter) error {
	uses := map[string]*jobTypeUse{}
	err := e.eachJobDetail(ctx, func(ref synchroteam.JobRef, j *synchroteam.Job) {
		day, ok := jobDate(j)
		if !ok && (!j.ScheduledBegin.IsZero() || !j.RealBegin.IsZero()) {
			e.warn(jobKey(ref))("its date cannot be read: not in the first and last dates of its type")
		}
		key := jobTypeKey(j.JobTypeID, j.JobTypeName)
		u := uses[key]
		if u == nil {
			u = &jobTypeUse{id: j.JobTypeID, name: j.JobTypeName}
			uses[key] = u
		}
		u.jobs++
		if ok {
			if u.first.IsZero() || day.Before(u.first) {
				u.first = day
			}
			if u.last.IsZero() || day.After(u.last) {
				u.last = day
			}
		}
	})
	if err != nil {
		return err
	}
	e.setFound(len(uses))
	for key, u := range uses {
		r := newRecord(key)
		rw := row{"typeId": textCell(string(u.id)), "type": textCell(u.name), "jobs": writers.NumberCell(float64(u.jobs))}
		if !u.first.IsZero() {
			rw["firstJobDate"], rw["lastJobDate"] = writers.DateCell(u.first), writers.DateCell(u.last)
		}
		r.add("JobTypes", rw)
		if err := e.emit(r); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// eachJobDetail reads the Jobs/Detail of each job the dateFrom and dateTo
// filters find, concurrently, and gives it to use, one call at a time.
func (e *exporter) eachJobDetail(ctx context.Context, use func(ref synchroteam.JobRef, j *synchroteam.Job)) error {
	f := e.m.Filters
	refs, err := e.c.Jobs.Search(ctx, &synchroteam.JobSearch{DateFrom: optTime(f.time("dateFrom")), DateTo: optTime(f.time("dateTo"))})
	if err != nil {
		return e.searchFailed(ctx, "Jobs/Search", err)
	}
	var mu sync.Mutex
	return each(ctx, e, uniqueJobs(refs), jobKey, func(ctx context.Context, ref synchroteam.JobRef) error {
		j, err := e.c.Jobs.Get(ctx, jobLookup(ref))
		if err != nil {
			return fmt.Errorf("Jobs/Detail: %w", err)
		}
		mu.Lock()
		defer mu.Unlock()
		use(ref, j)
		return nil
	})
}

// jobTypeKey keys a job type by its id, or by its name when a job gives no
// id.
func jobTypeKey(id synchroteam.ID, name string) string {
	switch {
	case id != "":
		return string(id)
	case name != "":
		return "name:" + name
	}
	return "none"
}

// jobDate is the date of a job: its scheduled start, or its real start
// when it was not scheduled.
func jobDate(j *synchroteam.Job) (time.Time, bool) {
	for _, t := range []synchroteam.Time{j.ScheduledBegin, j.RealBegin} {
		if t.IsZero() {
			continue
		}
		if v, ok := t.Time(); ok {
			return v, true
		}
	}
	return time.Time{}, false
}
