package main

import (
	cryptorand "crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/stbulk/stbulk/sandbox"
	"github.com/stbulk/stbulk/synchroteam"
)

// maxConcurrency bounds --concurrency: the rate limit, not the number of
// workers, sets the pace; a few dozen requests in flight cover any latency.
const maxConcurrency = 256

// newClient returns the client of a command that talks to the API: the
// real API with the credentials of cred's flags, the environment
// (SYNCHROTEAM_DOMAIN, SYNCHROTEAM_API_KEY or SYNCHROTEAM_API_KEY_FILE,
// SYNCHROTEAM_URL) and the selected profile, in that order (see
// resolveCredentials); or with useSandbox an in-process sandbox with demo
// data on a loopback port, said loudly (doing: "importing into"). Requests
// are paced evenly at rate per second: a burst as large as the server's
// would empty both buckets at the same moment and meet a 429. close stops
// the sandbox, if any.
//
// d, when not nil, gets the client's log records (rate cuts, pauses,
// quota, retries), and the key in use as a secret to keep out of them.
func newClient(useSandbox bool, cred credOptions, rate float64, std streams, doing string, d *display) (c *synchroteam.Client, close func(), err error) {
	pace := []synchroteam.Option{synchroteam.WithRate(rate)}
	if d != nil {
		pace = append(pace, synchroteam.WithLogger(d.log))
	}
	if !useSandbox {
		r, err := resolveCredentials(cred, os.Getenv)
		if err != nil {
			return nil, nil, err
		}
		if d != nil {
			d.red.add(r.domain, r.key) // a key from a file or a profile too
		}
		if line := r.describeProfile(); line != "" {
			fmt.Fprintln(std.err, line)
		}
		c, err := synchroteam.NewClient(append([]synchroteam.Option{synchroteam.WithBaseURL(r.url), synchroteam.WithCredentials(r.domain, r.key)}, pace...)...)
		if err != nil {
			return nil, nil, usageError{err}
		}
		return c, func() {}, nil
	}
	if set := cred.set(); len(set) > 0 {
		return nil, nil, usagef("--sandbox uses a local sandbox and its own credentials: drop %s", strings.Join(set, ", "))
	}
	key := make([]byte, 16)
	if _, err := cryptorand.Read(key); err != nil {
		return nil, nil, err
	}
	cfg := sandbox.Config{Domain: "sandbox", APIKey: hex.EncodeToString(key), Demo: true, Seed: 1}
	if d != nil {
		d.red.add(cfg.Domain, cfg.APIKey)
	}
	sb, err := sandbox.Start(cfg, "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("starting the sandbox: %w", err)
	}
	fmt.Fprintf(std.err, "*** SANDBOX: %s a local sandbox at %s with demo data, NOT Synchroteam ***\n", doing, sb.URL)
	c, err = synchroteam.NewClient(append([]synchroteam.Option{synchroteam.WithBaseURL(sb.URL), synchroteam.WithCredentials(cfg.Domain, cfg.APIKey)}, pace...)...)
	if err != nil {
		sb.Close()
		return nil, nil, err
	}
	return c, func() { sb.Close() }, nil
}
