package sandbox

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
)

type reportEntry struct {
	ItemID     int64  `json:"id"`
	CategoryID int64  `json:"idCategory"`
	Iteration  int64  `json:"iteration"`
	Category   string `json:"nmCategory"`
	Item       string `json:"nmItem"`
	Value      string `json:"value"`
}

type reportIn struct {
	ID         synchroteam.ID `json:"id"`
	IDCategory synchroteam.ID `json:"idCategory"`
	NmCategory *text          `json:"nmCategory"`
	NmItem     *text          `json:"nmItem"`
	Iteration  wholeNumber    `json:"iteration"`
	Value      *text          `json:"value"`
}

// resolveReport matches report values to block items: by item id, or by item
// name (and category name when given), looking first in the job type's report.
func (st *state) resolveReport(jt *jobType, in []reportIn) ([]reportEntry, error) {
	var out []reportEntry
	for i, r := range in {
		var b *block
		var it *blockItem
		inBlocks := func(ids []int64, match func(*block, *blockItem) bool) {
			for _, bid := range ids {
				bl := st.Blocks[bid]
				if bl == nil {
					continue
				}
				for k := range bl.Items {
					if match(bl, &bl.Items[k]) {
						b, it = bl, &bl.Items[k]
						return
					}
				}
			}
		}
		var preferred []int64
		if jt != nil {
			preferred = jt.Blocks
		}
		all := sortedKeys(st.Blocks)
		switch {
		case r.ID != "":
			id, err := parseID(fmt.Sprintf("report value %d: item id", i+1), string(r.ID))
			if err != nil {
				return nil, err
			}
			m := func(_ *block, x *blockItem) bool { return x.ID == id }
			inBlocks(all, m)
			if it == nil {
				return nil, fmt.Errorf("report value %d: no report item with id %d", i+1, id)
			}
		case str(r.NmItem) != "":
			name, cat := str(r.NmItem), str(r.NmCategory)
			m := func(bl *block, x *blockItem) bool {
				return strings.EqualFold(strings.TrimSpace(x.Name), name) && (cat == "" || strings.EqualFold(strings.TrimSpace(bl.Name), cat))
			}
			inBlocks(preferred, m)
			if it == nil {
				inBlocks(all, m)
			}
			if it == nil {
				if cat != "" {
					return nil, fmt.Errorf("report value %d: no report item %q in category %q", i+1, shorten(name), shorten(cat))
				}
				return nil, fmt.Errorf("report value %d: no report item named %q", i+1, shorten(name))
			}
		default:
			return nil, fmt.Errorf("report value %d: give the item's id or nmItem", i+1)
		}
		iter, _ := r.Iteration.Int64()
		if iter < 0 {
			return nil, fmt.Errorf("report value %d: iteration must not be negative", i+1)
		}
		v := ""
		if r.Value != nil {
			v = string(*r.Value)
		}
		out = append(out, reportEntry{ItemID: it.ID, CategoryID: b.ID, Iteration: iter, Category: b.Name, Item: it.Name, Value: v})
	}
	return out, nil
}

// mergeReport sets report values: a value for an item and iteration already
// filled replaces it, others are added.
func (j *job) mergeReport(entries []reportEntry) {
next:
	for _, e := range entries {
		for k := range j.Report {
			if j.Report[k].ItemID == e.ItemID && j.Report[k].Iteration == e.Iteration {
				j.Report[k] = e
				continue next
			}
		}
		j.Report = append(j.Report, e)
	}
}

type photo struct {
	Iteration int64  `json:"iteration"`
	FileName  string `json:"fileName"`
	Comment   string `json:"comment,omitempty"`
	Data      []byte `json:"data"`
}

type photoOut struct {
	Job       photoJob `json:"job"`
	Iteration int64    `json:"iteration"`
	FileName  string   `json:"fileName"`
	Comment   string   `json:"comment"`
	ImageData string   `json:"imageData"`
}

type photoJob struct {
	ID   string `json:"id"`
	MyID string `json:"myId"`
	Num  int64  `json:"num"`
}

// jobPhotos answers GET Jobs/Photos?{num|id|myId}=value.
func (s *Server) jobPhotos(c *call) answer {
	j, a := s.jobBy(c)
	if a != nil {
		return *a
	}
	out := []photoOut{}
	for _, p := range j.Photos {
		out = append(out, photoOut{
			Job: photoJob{ID: j.ID, MyID: j.MyID, Num: j.Num}, Iteration: p.Iteration,
			FileName: p.FileName, Comment: p.Comment, ImageData: base64.StdEncoding.EncodeToString(p.Data),
		})
	}
	return ok(out)
}

type pdfOut struct {
	PDFData string `json:"pdfData"`
}

// jobPDF answers GET Jobs/PDF?{num|id|myId}=value with the job report as a PDF.
func (s *Server) jobPDF(c *call) answer {
	j, a := s.jobBy(c)
	if a != nil {
		return *a
	}
	return ok(pdfOut{PDFData: base64.StdEncoding.EncodeToString(jobReportPDF(s.st, j))})
}
