package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/sandbox"
)

// writeCustomers writes a customer mapping file and its CSV input of n
// rows in dir, and returns the mapping's path.
func writeCustomers(t *testing.T, dir, name string, n int) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"Code", "Name", "City"})
	for i := range n {
		_ = w.Write([]string{fmt.Sprintf("%s-%03d", strings.ToUpper(name), i), fmt.Sprintf("Client %s %d", name, i), "Lyon"})
	}
	w.Flush()
	if err := os.WriteFile(filepath.Join(dir, name+".csv"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	mapping := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(mapping, []byte("version: 1\nimport: customer\nsource: "+name+".csv\nfields:\n  myId: Code\n  name: Name\n  adressCity: City\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return mapping
}

// TestLogsNeverShowTheKey: an import against a sandbox that answers 429s
// and 503s, with every record logged (debug), in text and in JSON, shows
// the API key nowhere, nor the Basic token made of it; nor does one whose
// key is refused. The records have a date-time and a level, and the rate
// cuts and retries are among them.
func TestLogsNeverShowTheKey(t *testing.T) {
	const domain, key = "acme", "k3y-n3ver-logged-7d1e"
	sb, err := sandbox.Start(sandbox.Config{Domain: domain, APIKey: key, LimitRate: 0.15, FailRate: 0.1, Seed: 3}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	mapping := writeCustomers(t, dir, "customers", 40)
	t.Setenv("SYNCHROTEAM_URL", sb.URL)
	t.Setenv("SYNCHROTEAM_DOMAIN", domain)
	token := base64.StdEncoding.EncodeToString([]byte(domain + ":" + key))
	secrets := []string{key, token}
	dateTime := regexp.MustCompile(`^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) level=(DEBUG|INFO|WARN|ERROR) msg=`)
	for _, tc := range []struct {
		format, key string
		code        int
		file        bool // the key from SYNCHROTEAM_API_KEY_FILE
	}{{"text", key, exitOK, false}, {"json", key, exitOK, false}, {"text", "wr0ng-" + key, exitFatal, false}, {"json", "wr0ng-" + key, exitFatal, false},
		{"text", key, exitOK, true}, {"json", "wr0ng-" + key, exitFatal, true}} {
		name := "right key"
		if tc.code != exitOK {
			name = "key refused"
		}
		if tc.file {
			name += " from a file"
		}
		// (not the key in the name: the test's folders are named after it)
		t.Run(tc.format+"/"+name, func(t *testing.T) {
			t.Setenv("SYNCHROTEAM_API_KEY", tc.key)
			t.Setenv("SYNCHROTEAM_API_KEY_FILE", "")
			if tc.file {
				keyFile := filepath.Join(t.TempDir(), "api-key")
				if err := os.WriteFile(keyFile, []byte(tc.key+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				t.Setenv("SYNCHROTEAM_API_KEY", "")
				t.Setenv("SYNCHROTEAM_API_KEY_FILE", keyFile)
			}
			var out, errOut bytes.Buffer
			args := []string{"import", mapping, "--out", filepath.Join(t.TempDir(), "run"), "--rate", "100",
				"--log-format", tc.format, "--log-level", "debug"}
			code := execute(context.Background(), args, streams{out: &out, err: &errOut})
			all := out.String() + errOut.String()
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\n%s", code, tc.code, all)
			}
			for _, s := range append(secrets, tc.key, base64.StdEncoding.EncodeToString([]byte(domain+":"+tc.key))) {
				if strings.Contains(all, s) {
					t.Fatalf("%q is in the output:\n%s", s, all)
				}
			}
			records := 0
			for _, line := range strings.Split(strings.TrimSpace(errOut.String()), "\n") {
				if strings.HasPrefix(line, "stbulk: ") {
					continue // the error line, for people
				}
				records++
				if tc.format == "text" {
					if !dateTime.MatchString(line) {
						t.Errorf("not a text record with a date-time and a level: %q", line)
					}
					continue
				}
				var rec struct {
					Time, Level, Msg string
				}
				if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Time == "" || rec.Level == "" || rec.Msg == "" {
					t.Errorf("not a JSON record with time, level and msg: %q (%v)", line, err)
				}
			}
			if records < 3 {
				t.Errorf("%d records:\n%s", records, errOut.String())
			}
			want := []string{"import started", "import finished", "rate cut", "retrying", "requests"}
			if tc.code != exitOK {
				want = []string{"import started", "import stopped", "authentication refused"}
			}
			for _, w := range want {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("no %q in the log:\n%s", w, errOut.String())
				}
			}
		})
	}
}

// TestLogFlags: a format or level that is none is a usage error (exit 2),
// from the flag or the environment; the environment sets the format.
func TestLogFlags(t *testing.T) {
	dir := t.TempDir()
	mapping := writeCustomers(t, dir, "customers", 3)
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := execute(context.Background(), args, streams{out: &out, err: &errOut})
		return code, errOut.String()
	}
	runs := 0
	dry := func(extra ...string) []string {
		runs++
		return append([]string{"import", mapping, "--dry-run", "--out", filepath.Join(dir, fmt.Sprint("run", runs))}, extra...)
	}
	for _, tc := range []struct {
		env  [2]string
		args []string
		want string
	}{
		{args: []string{"--log-format", "xml"}, want: `--log-format "xml": use text or json`},
		{args: []string{"--log-level", "loud"}, want: `--log-level "loud": use debug, info, warn or error`},
		{env: [2]string{envLogFormat, "yaml"}, want: `--log-format "yaml"`},
		{env: [2]string{envLogLevel, "chatty"}, want: `--log-level "chatty"`},
	} {
		t.Setenv(envLogFormat, "")
		t.Setenv(envLogLevel, "")
		if tc.env[0] != "" {
			t.Setenv(tc.env[0], tc.env[1])
		}
		code, stderr := run(dry(tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want exit 2 with %q", tc.env, tc.args, code, stderr, tc.want)
		}
	}
	t.Setenv(envLogLevel, "")
	t.Setenv(envLogFormat, "json")
	code, stderr := run(dry()...)
	if code != exitOK || !strings.HasPrefix(stderr, `{"time":"`) || !strings.Contains(stderr, `"msg":"import finished"`) {
		t.Errorf("STBULK_LOG_FORMAT=json: exit %d, stderr:\n%s", code, stderr)
	}
	// --quiet keeps the warnings and errors only: a clean run logs nothing.
	t.Setenv(envLogFormat, "")
	if code, stderr := run(dry("-q")...); code != exitOK || stderr != "" {
		t.Errorf("--quiet: exit %d, stderr %q", code, stderr)
	}
	// unless a level is asked for
	if code, stderr := run(dry("-q", "--log-level", "info")...); code != exitOK || !strings.Contains(stderr, "level=INFO msg=\"import finished\"") {
		t.Errorf("--quiet --log-level info: exit %d, stderr %q", code, stderr)
	}
}

// On a terminal, the records the bar and the summary already tell are left
// out; lines of text, warnings and errors are written.
func TestPlainHandlerOnATerminal(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(&plainHandler{w: &b, level: slog.LevelInfo})
	log.Info("import started", "version", "v1", "mappings", "a.yaml")
	log.Info("importing customer from a.csv (a.yaml)")
	log.Info("requests", "requests", 21, "retries", 0)
	log.Warn("the API limited the rate: rate cut, every request paused", "rate", 8.4)
	log.Warn("import finished, not everything done", "read", 24, "sent", 21)
	log.Error("import stopped", "error", "authentication refused")
	log.Debug("retrying", "attempt", 2)
	want := `importing customer from a.csv (a.yaml)
warning: the API limited the rate: rate cut, every request paused rate=8.4
warning: import finished, not everything done read=24 sent=21
error: import stopped error="authentication refused"
`
	if b.String() != want {
		t.Errorf("on a terminal:\n%s\nwant:\n%s", b.String(), want)
	}
}

// plan and verify log as import does: off a terminal, records with a
// date-time and a level, what they read back, and never the key.
func TestPlanAndVerifyLog(t *testing.T) {
	const domain, key = "acme", "pl4n-k3y-never-logged"
	sb, err := sandbox.Start(sandbox.Config{Domain: domain, APIKey: key}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	mapping := writeCustomers(t, dir, "customers", 5)
	t.Setenv("SYNCHROTEAM_URL", sb.URL)
	t.Setenv("SYNCHROTEAM_DOMAIN", domain)
	t.Setenv("SYNCHROTEAM_API_KEY", key)
	run := filepath.Join(dir, "run")
	for _, tc := range []struct {
		args []string
		want string // a record's message
	}{
		{[]string{"plan", mapping, "--out", filepath.Join(dir, "plan"), "--rate", "100"}, "reading back customer records"},
		{[]string{"import", mapping, "--out", run, "--rate", "100", "-q"}, ""},
		{[]string{"verify", run, "--rate", "100"}, "reading back the customer records sent"},
	} {
		var out, errOut bytes.Buffer
		code := execute(context.Background(), append(tc.args, "--log-format", "json"), streams{out: &out, err: &errOut})
		if code != exitOK {
			t.Fatalf("%v: exit code %d\n%s%s", tc.args, code, out.String(), errOut.String())
		}
		if strings.Contains(out.String()+errOut.String(), key) {
			t.Fatalf("%v: the key is in the output", tc.args)
		}
		if tc.want == "" {
			continue
		}
		found := false
		for _, line := range strings.Split(strings.TrimSpace(errOut.String()), "\n") {
			var rec struct{ Time, Level, Msg string }
			if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Time == "" || rec.Level == "" {
				t.Errorf("%s: not a JSON record with a time and a level: %q", tc.args[0], line)
			}
			found = found || strings.HasPrefix(rec.Msg, tc.want)
		}
		if !found {
			t.Errorf("%s: no record %q in:\n%s", tc.args[0], tc.want, errOut.String())
		}
	}
}
