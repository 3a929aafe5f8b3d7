package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"stbulk": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts of testdata/script: the real
// binary, and a sandbox started by the script itself on a free port ($PORT).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			port, err := freePort()
			if err != nil {
				return err
			}
			env.Setenv("PORT", strconv.Itoa(port))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"api":     cmdAPI,
			"waitfor": cmdWaitFor,
			"burst":   cmdBurst,
		},
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// cmdAPI sends one request and prints "HTTP <status>", the headers named
// with -show, and the body:
//
//	api [-u domain:key] [-accept VALUE] [-show Header] METHOD URL [BODYFILE]
func cmdAPI(ts *testscript.TestScript, neg bool, args []string) {
	var user, accept string
	var show []string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args) > 1 {
		switch args[0] {
		case "-u":
			user = args[1]
		case "-accept":
			accept = args[1]
		case "-show":
			show = append(show, args[1])
		default:
			ts.Fatalf("api: unknown flag %s", args[0])
		}
		args = args[2:]
	}
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: api [-u domain:key] [-accept V] [-show H] METHOD URL [BODYFILE]")
	}
	var body io.Reader
	if len(args) == 3 {
		body = strings.NewReader(ts.ReadFile(args[2]))
	}
	req, err := http.NewRequest(args[0], args[1], body)
	ts.Check(err)
	if user != "" {
		d, k, _ := strings.Cut(user, ":")
		req.SetBasicAuth(d, k)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "HTTP %d\n", resp.StatusCode)
	for _, h := range show {
		fmt.Fprintf(ts.Stdout(), "%s: %s\n", h, resp.Header.Get(h))
	}
	fmt.Fprintf(ts.Stdout(), "%s\n", bytes.TrimSpace(b))
	if failed := resp.StatusCode >= 400; failed != neg {
		ts.Fatalf("api %s %s: HTTP %d", args[0], args[1], resp.StatusCode)
	}
}

// cmdBurst sends N GET requests in quick succession and prints how many
// were answered 429 and whether each 429 carried Retry-After:
//
//	burst N domain:key URL
func cmdBurst(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: burst N domain:key URL")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	d, k, _ := strings.Cut(args[1], ":")
	limited, withRetryAfter := 0, 0
	for i := 0; i < n; i++ {
		req, err := http.NewRequest(http.MethodGet, args[2], nil)
		ts.Check(err)
		req.SetBasicAuth(d, k)
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") != "" {
				withRetryAfter++
			}
		}
	}
	fmt.Fprintf(ts.Stdout(), "requests: %d\n429: %d\nretry-after on every 429: %v\n", n, limited, limited == withRetryAfter)
}

// cmdWaitFor waits until host:port accepts connections (10 s at most).
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfor host:port")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", args[0], 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfor %s: %v", args[0], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, exitOK},
		{"usage", usagef("bad flag"), exitUsage},
		{"wrapped usage", fmt.Errorf("sandbox: %w", usagef("bad")), exitUsage},
		{"interrupted", fmt.Errorf("run: %w", context.Canceled), exitInterrupted},
		{"fatal", errors.New("API unreachable"), exitFatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{"sandbox", "--fail-rate", "2", "--domain", "d", "--api-key", "k"},
		{"sandbox", "--rate", "-1", "--domain", "d", "--api-key", "k"},
		{"sandbox", "--no-such-flag"},
		{"version", "extra"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			if code := run(context.Background(), args, streams{&out, &errOut}); code != exitUsage {
				t.Errorf("exit code %d, want %d; stderr: %s", code, exitUsage, errOut.String())
			}
			if !strings.Contains(errOut.String(), "stbulk:") {
				t.Errorf("stderr %q does not explain the error", errOut.String())
			}
		})
	}
}

func TestSandboxNeedsCredentials(t *testing.T) {
	t.Setenv("SYNCHROTEAM_DOMAIN", "")
	t.Setenv("SYNCHROTEAM_API_KEY", "")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"sandbox", "--addr", "127.0.0.1:0"}, streams{&out, &errOut})
	if code != exitUsage || !strings.Contains(errOut.String(), "no domain") {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming the missing domain", code, errOut.String())
	}
}
