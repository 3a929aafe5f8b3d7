package htmlreport

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browser returns the path of a Chromium or Chrome on PATH, or skips t.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium, chromium-browser or google-chrome on PATH: the report is not checked in a browser (apt-get install chromium)")
	return ""
}

// box is the size of an element as laid out.
type box struct {
	Class  string  `json:"class"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

// TestInBrowser opens report.html in a headless Chromium from a file, as
// a person opening the run folder or an attachment would: the page asks
// for nothing over the network, and its title, its charts (laid out at a
// real size) and its numbers (visible text) are there.
func TestInBrowser(t *testing.T) {
	exe := browser(t)
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	r := sample()
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	page := (&url.URL{Scheme: "file", Path: path}).String()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // as root in a container, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1000, 1400),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	var mu sync.Mutex
	var requests []string
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		// Every request of the tab, from its start (chromedp enables the
		// Network domain of a tab it attaches).
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}))
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil { // starts the browser, outside the time measured
		t.Fatalf("starting %s: %v", exe, err)
	}

	start := time.Now()
	if err := chromedp.Do(bctx, chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("opening %s: %v", page, err)
	}
	title, err := chromedp.Run(bctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	visible, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	boxes, err := chromedp.Run(bctx, chromedp.Evaluate[[]box](`Array.from(document.querySelectorAll("svg.bar, svg.timeline")).map(s => {
		const r = s.getBoundingClientRect();
		return {class: s.getAttribute("class"), width: r.width, height: r.height};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("opened and read in %v", time.Since(start).Round(time.Millisecond))

	if title != r.Title {
		t.Errorf("title %q, want %q", title, r.Title)
	}
	mu.Lock()
	seen := append([]string(nil), requests...)
	mu.Unlock()
	if len(seen) == 0 {
		t.Error("no request was seen, not even the page's: the network is not watched")
	}
	for _, u := range seen {
		if u != page {
			t.Errorf("the page asked for %s", u)
		}
	}

	if len(boxes) != len(r.Mappings)+1 {
		t.Errorf("%d charts laid out, want %d: one a mapping and the timeline", len(boxes), len(r.Mappings)+1)
	}
	for _, b := range boxes {
		if b.Width < 100 || b.Height < 10 {
			t.Errorf("the chart %q is %.0f×%.0f pixels", b.Class, b.Width, b.Height)
		}
	}

	// The numbers a person reads, as text on the screen (innerText: what
	// is rendered, its line breaks as the layout puts them; spaces folded).
	shown := strings.Join(strings.Fields(visible), " ")
	for _, want := range []string{
		"API quota left 48,211 calls", "Duration 2m 30s",
		"sent 412 (75%)", "unchanged 120 (21.9%)", "rejected 5 (0.9%)", "skipped 3 (3.3%)",
		"price (column Prix HT): number: … is not a number",
		`First: price (column Prix HT): number: "12,3,4" is not a number`,
		"8: FILT-DESH-12",
		"4 answers 429 in 3 of the 150 bars; 2 rate cuts",
		"→ 3.5/s",
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if t.Failed() {
		if err := os.WriteFile(filepath.Join(dir, "text.txt"), []byte(visible), 0o644); err == nil {
			t.Logf("the page's text:\n%s", visible)
		}
	}
}
