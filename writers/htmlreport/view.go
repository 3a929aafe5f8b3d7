package htmlreport

import (
	"cmp"
	"strconv"
)

// view is what the template shows: every text cleaned and formatted,
// every chart laid out.
type view struct {
	BarHeight int // of a bar's segments
	Title     string
	Facts     []fact
	Stopped   string
	Labels    []string // the outcomes of every mapping, in order of first appearance
	Overview  []overviewRow
	Total     overviewRow
	Mappings  []mappingView
	Timeline  timelineView
}

type fact struct{ Name, Value string }

type overviewRow struct {
	ID, Name string
	Cells    []string // one a label of view.Labels: "—" when the mapping has no such outcome
	Rows     string   // all the rows
}

type mappingView struct {
	ID, Name, Entity, Input string
	Total                   string
	Bar                     barChart
	Legend                  []legendItem
	Groups                  []groupView
	GroupRows               string // rows in the groups
	MoreGroups              string // "and 3 more groups (12 rows)", "" when all are shown
	Files                   []string
}

type legendItem struct{ Label, Count, Share, Colour string }

type groupView struct {
	Reason, First string // First is "" when it reads as Reason
	Count         string
	Other         bool
	Examples      []exampleView
	More          string // "and 212 more rows", ""
}

type exampleView struct{ Row, Key string }

func newView(r Report) view {
	v := view{BarHeight: barH, Title: clean(r.Title, maxName)}
	if v.Title == "" {
		v.Title = "stbulk " + cmp.Or(clean(r.Kind, maxName), "run")
	}
	v.Facts = facts(r)
	v.Stopped = clean(r.Stopped, maxReason)

	seen := map[string]int{}
	for _, m := range r.Mappings {
		for _, o := range m.Outcomes {
			l := clean(o.Label, maxName)
			if _, ok := seen[l]; !ok {
				seen[l] = len(v.Labels)
				v.Labels = append(v.Labels, l)
			}
		}
	}
	totals := make([]int, len(v.Labels))
	all := 0
	for i, m := range r.Mappings {
		id := "m" + strconv.Itoa(i+1)
		row := overviewRow{ID: id, Name: clean(m.Name, maxName), Cells: make([]string, len(v.Labels))}
		for j := range row.Cells {
			row.Cells[j] = "—" // no such outcome
		}
		n := 0
		for _, o := range m.Outcomes {
			j := seen[clean(o.Label, maxName)]
			row.Cells[j] = number(o.Count)
			totals[j] += o.Count
			n += o.Count
		}
		row.Rows = number(n)
		all += n
		v.Overview = append(v.Overview, row)
		v.Mappings = append(v.Mappings, newMappingView(id, m))
	}
	v.Total = overviewRow{Name: "All", Cells: make([]string, len(v.Labels)), Rows: number(all)}
	for j, n := range totals {
		v.Total.Cells[j] = number(n)
	}
	v.Timeline = newTimelineView(r.Timeline)
	return v
}

// facts are the lines of the report's heading.
func facts(r Report) []fact {
	started := "unknown"
	if !r.Started.IsZero() {
		started = r.Started.Format("2006-01-02 15:04:05 MST")
	}
	dry := "no"
	if r.DryRun {
		dry = "yes: nothing was written through the API"
	}
	quota := "not reported by the API"
	if r.Quota != nil {
		quota = number(*r.Quota) + " calls"
	}
	cuts := number(r.RateCuts)
	if r.RateCuts > 0 && r.LowestRate > 0 {
		cuts += ", down to " + rate(r.LowestRate) + " requests/s at the lowest"
	}
	fs := []fact{
		{"Command", cmp.Or(clean(r.Kind, maxName), "unknown")},
		{"Started", started},
		{"Duration", duration(r.Duration)},
	}
	if r.DryRun || r.Kind == "import" { // the other commands write nothing through the API
		fs = append(fs, fact{"Dry run", dry})
	}
	return append(fs, []fact{
		{"API requests", number(r.Requests)},
		{"Retries", number(r.Retries)},
		{"429 answers (too many requests)", number(r.RateLimited)},
		{"Rate cuts", cuts},
		{"API quota left", quota},
	}...)
}

func newMappingView(id string, m Mapping) mappingView {
	mv := mappingView{ID: id, Name: clean(m.Name, maxName), Entity: clean(m.Entity, maxName), Input: clean(m.Input, maxName)}
	total := 0
	for _, o := range m.Outcomes {
		total += max(o.Count, 0)
	}
	mv.Total = number(total)
	cols := colours(m.Outcomes)
	for i, o := range m.Outcomes {
		mv.Legend = append(mv.Legend, legendItem{
			Label: clean(o.Label, maxName), Count: number(o.Count), Share: percent(max(o.Count, 0), total), Colour: cols[i],
		})
	}
	mv.Bar = newBarChart(id, mv.Name, mv.Legend, m.Outcomes, cols, total)

	rows := 0
	for i, g := range m.ErrorGroups {
		rows += g.Count
		if i >= MaxGroupsShown {
			continue
		}
		gv := groupView{Reason: clean(g.Reason, maxReason), First: clean(g.First, maxReason), Count: number(g.Count), Other: g.Other}
		if gv.Other {
			gv.Reason = "Other reasons: too many different reasons to list each"
		}
		if gv.First == gv.Reason {
			gv.First = ""
		}
		for j, e := range g.Examples {
			if j == MaxExamplesShown {
				break
			}
			gv.Examples = append(gv.Examples, exampleView{Row: number(e.Row), Key: clean(e.Key, maxKey)})
		}
		if more := g.Count - len(gv.Examples); more > 0 {
			gv.More = "and " + number(more) + " more " + plural(more, "row", "rows")
		}
		mv.Groups = append(mv.Groups, gv)
	}
	mv.GroupRows = number(rows)
	if k := len(m.ErrorGroups) - MaxGroupsShown; k > 0 {
		left := 0
		for _, g := range m.ErrorGroups[MaxGroupsShown:] {
			left += g.Count
		}
		mv.MoreGroups = "and " + number(k) + " more " + plural(k, "group", "groups") + " (" + number(left) + " " + plural(left, "row", "rows") + ")"
	}
	for _, f := range m.Files {
		mv.Files = append(mv.Files, clean(f, maxName))
	}
	return mv
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
