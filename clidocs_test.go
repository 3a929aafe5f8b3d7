package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

var updateDocs = flag.Bool("update", false, "rewrite the generated references in docs/")

// The CLI reference (docs/cli, Markdown) and the man pages (docs/man) are
// generated from the commands' own help: they cannot drift from it. -update
// writes them again; a file of a command that no longer exists is removed.
func TestGeneratedCLIReference(t *testing.T) {
	for dir, files := range cliReference(t) {
		if *updateDocs {
			writeGenerated(t, dir, files)
		}
		old, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range old {
			if _, ok := files[filepath.Base(p)]; !ok {
				t.Errorf("%s is of no command (go test . -run TestGeneratedCLIReference -update)", p)
			}
		}
		for name, want := range files {
			p := filepath.Join(dir, name)
			got, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("%s is missing (go test . -run TestGeneratedCLIReference -update)", p)
				continue
			}
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("%s is stale (go test . -run TestGeneratedCLIReference -update):\n%s", p, diff)
			}
		}
	}
}

// cliReference returns the generated files by folder and name.
func cliReference(t *testing.T) map[string]map[string]string {
	t.Helper()
	root := newRootCmd(streams{out: io.Discard, err: io.Discard})
	// cobra adds these when the command runs
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	md, man := map[string]string{}, map[string]string{}
	// The man page's date would change the file every month: it is left
	// empty, as roff allows.
	thDate := regexp.MustCompile(`(?m)^(\.TH "[^"]*" "[^"]*") "[^"]*"`)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != root {
			return
		}
		c.DisableAutoGenTag = true
		base := strings.ReplaceAll(c.CommandPath(), " ", "_")
		var b bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &b, func(s string) string { return s }); err != nil {
			t.Fatal(err)
		}
		md[base+".md"] = b.String()
		b.Reset()
		header := &doc.GenManHeader{Title: strings.ToUpper(strings.ReplaceAll(c.CommandPath(), " ", "-")), Section: "1", Source: "stbulk", Manual: "stbulk manual"}
		if err := doc.GenMan(c, header, &b); err != nil {
			t.Fatal(err)
		}
		man[strings.ReplaceAll(c.CommandPath(), " ", "-")+".1"] = thDate.ReplaceAllString(b.String(), `$1 ""`)
		cmds := c.Commands()
		slices.SortFunc(cmds, func(a, b *cobra.Command) int { return strings.Compare(a.Name(), b.Name()) })
		for _, sub := range cmds {
			walk(sub)
		}
	}
	walk(root)
	return map[string]map[string]string{filepath.Join("docs", "cli"): md, filepath.Join("docs", "man"): man}
}

func writeGenerated(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A man page is roff: its title line, then its sections.
func TestManPagesAreRoff(t *testing.T) {
	for name, text := range cliReference(t)[filepath.Join("docs", "man")] {
		if !strings.HasPrefix(strings.TrimPrefix(text, ".nh\n"), `.TH "`) || !strings.Contains(text, ".SH NAME") || !strings.Contains(text, ".SH SYNOPSIS") {
			t.Errorf("%s does not start as a man page: %.80q", name, text)
		}
	}
}
