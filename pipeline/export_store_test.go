package pipeline

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/writers/files"
)

// TestRecordStoreReadsRecordsFiles: a records file is read whether it
// holds a record a line or is indented (as earlier versions wrote it);
// null records and records without a key are left out, and the last
// record of a key wins.
func TestRecordStoreReadsRecordsFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text string
		want       map[string][]string // key → files
	}{
		{"a record a line", "{\"records\": [\n" +
			`{"key":"1","rows":{"Jobs":[{"num":{"k":1,"n":1}}]},"files":["a.png"]},` + "\n" +
			`{"key":"2","rows":{"Jobs":[{"num":{"k":1,"n":2}}]}}` + "\n]}\n",
			map[string][]string{"1": {"a.png"}, "2": nil}},
		{"indented", `{
  "records": [
    {
      "key": "1",
      "rows": {
        "Jobs": [
          {
            "num": {
              "k": 1,
              "n": 1
            }
          }
        ]
      },
      "files": [
        "a.png"
      ]
    },
    {
      "key": "2",
      "rows": {}
    }
  ]
}
`, map[string][]string{"1": {"a.png"}, "2": nil}},
		{"nulls, no key, twice", `{"other":{"x":[1]},"records":[null,{"rows":{}},{"key":"1","rows":{},"files":["old"]},{"key":"1","rows":{},"files":["new"]}]}`,
			map[string][]string{"1": {"new"}}},
		{"no records", `{"records":null}`, map[string][]string{}},
		{"empty", `{}`, map[string][]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, stateDir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(recordsPath(dir, "m"), []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := openRecordStore(dir, "m")
			if err != nil {
				t.Fatal(err)
			}
			defer s.close()
			got := map[string][]string{}
			for key, at := range s.old {
				r := recordRef{key: key, at: at}
				sr, err := s.load(r)
				if err != nil {
					t.Fatalf("record %s: %v", key, err)
				}
				f, err := s.files(r)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(f, sr.files) {
					t.Errorf("record %s: files %q, loaded %q", key, f, sr.files)
				}
				got[key] = f
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecordStoreRefusesUnreadableFiles(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"not JSON":      `records`,
		"a list":        `[]`,
		"records text":  `{"records":"x"}`,
		"bad record":    `{"records":[{"key":1}]}`,
		"cut":           `{"records":[{"key":"1","rows":{}}`,
		"after the end": `{"records":[]}]`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, stateDir), 0o755); err != nil {
				t.Fatal(err)
			}
			p := recordsPath(dir, "m")
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := openRecordStore(dir, "m")
			if err == nil {
				s.close()
				t.Fatal("no error")
			}
			if want := p + ": unreadable ("; !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "remove it and export without --since") {
				t.Errorf("error %q, want it to start with %q and say what to do", err, want)
			}
		})
	}
}

// reportJobs answers Jobs/Search with the jobs nums, and Jobs/Detail for
// each with report items and custom fields that differ from job to job,
// so that the columns found in the data depend on every record.
func reportJobs(nums []int, edited int) map[string]string {
	routes := map[string]string{}
	var refs []string
	for _, n := range nums {
		refs = append(refs, fmt.Sprintf(`{"id":"_%d","num":"%d"}`, n, n))
		value := fmt.Sprintf("value of %d", n)
		if n == edited {
			value = "edited"
		}
		routes[fmt.Sprintf("GET /Api/v2/Jobs/Detail?num=%d", n)] = fmt.Sprintf(`{"idJob":"_%[1]d","num":"%[1]d","status":5,
			"customFieldValues":[{"id":1,"name":"Field %[2]d","value":"x"}],
			"report":[{"nmCategory":"Checks","nmItem":"Item %[3]d","iteration":0,"value":%[4]q},
			          {"nmCategory":"Checks","nmItem":"Item %[3]d","iteration":1,"value":"again"},
			          {"nmCategory":"Arrival","nmItem":"Time","iteration":0,"value":"8:00"}],
			"parts":[{"reference":"p%[1]d","quantity":%[1]d}]}`, n, n%3, 10-n%4, value)
	}
	routes["POST /Api/v2/Jobs/Search"] = "[" + strings.Join(refs, ",") + "]"
	return routes
}

// TestExportIncrementalWritesWhatAFullExportWrites: a folder kept up to
// date by --since last runs (its records file written indented, as an
// earlier version did) ends with the workbook a full export of the same
// jobs writes, and no temporary file.
func TestExportIncrementalWritesWhatAFullExportWrites(t *testing.T) {
	t.Parallel()
	all := []int{7, 12, 3, 100, 9, 41, 8}
	const src = "version: 1\nexport: jobs\nspreadsheet: jobs.xlsx\n"
	c, api := fakeClient(t, reportJobs(all, 0))
	inc := t.TempDir()
	if sum := exportOnce(t, c, src, inc, ExportOptions{Since: "last"}); sum.Exported != len(all) {
		t.Fatalf("first run: exported %d, want %d", sum.Exported, len(all))
	}
	// The records file as an earlier version wrote it: indented.
	p := recordsPath(inc, "m")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var recs struct {
		Records []json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(b), "\n"); len(recs.Records) != len(all) || got != len(all)+2 {
		t.Errorf("the records file holds %d records in %d lines, want %d in %d: a record a line", len(recs.Records), got, len(all), len(all)+2)
	}
	if err := files.WriteJSON(p, recs); err != nil {
		t.Fatal(err)
	}
	// Job 41 changes, job 5 is new: the search finds only them.
	api.mu.Lock()
	api.routes = reportJobs(append(all, 5), 41)
	api.routes["POST /Api/v2/Jobs/Search"] = `[{"id":"_41","num":"41"},{"id":"_5","num":"5"}]`
	api.mu.Unlock()
	sum := exportOnce(t, c, src, inc, ExportOptions{Since: "last"})
	if sum.Exported != 2 || sum.Kept != len(all)-1 {
		t.Errorf("incremental run: exported %d, kept %d; want 2, %d", sum.Exported, sum.Kept, len(all)-1)
	}
	full := t.TempDir()
	api.mu.Lock()
	api.routes = reportJobs(append(all, 5), 41)
	api.mu.Unlock()
	exportOnce(t, c, src, full, ExportOptions{})
	want, got := workbookCells(t, filepath.Join(full, "jobs.xlsx")), workbookCells(t, filepath.Join(inc, "jobs.xlsx"))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("incremental workbook (-full +incremental):\n%s", diff)
	}
	f, err := excelize.OpenFile(filepath.Join(full, "jobs.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if jobs, err := f.GetRows("Jobs"); err != nil || len(jobs) != len(all)+2 || jobs[1][0] != "3" || !slices.Contains(jobs[0], "Field 2") {
		t.Errorf("Jobs sheet %q (%v): want a header, jobs 3 … 100 in order, custom fields as columns", jobs, err)
	}
	for _, dir := range []string{inc, full} {
		if left := tempFiles(t, dir); len(left) > 0 {
			t.Errorf("%s: temporary files left: %q", dir, left)
		}
	}
}

// tempFiles lists the temporary files under dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(d.Name(), ".tmp") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
