package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// Every relative link of the README and docs/ leads somewhere: to a file
// that exists and, with #anchor, to a heading of that file (as GitHub
// makes anchors of headings).
func TestDocLinksResolve(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	cli, _ := filepath.Glob(filepath.Join("docs", "cli", "*.md"))
	pages = append(append([]string{"README.md", filepath.Join("samples", "README.md")}, pages...), cli...)
	anchors := map[string]map[string]bool{}
	headingsOf := func(p string) map[string]bool {
		if a, ok := anchors[p]; ok {
			return a
		}
		a := map[string]bool{}
		for _, h := range markdownLines(t, p, true) {
			a[h] = true
		}
		anchors[p] = a
		return a
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, page := range pages {
		for i, line := range markdownLines(t, page, false) {
			for _, m := range link.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, frag, _ := strings.Cut(target, "#")
				file := page
				if path != "" {
					file = filepath.Join(filepath.Dir(page), path)
					st, err := os.Stat(file)
					if err != nil {
						t.Errorf("%s:%d: link to %s: no such file", page, i+1, target)
						continue
					}
					if st.IsDir() || !strings.HasSuffix(file, ".md") {
						continue
					}
				}
				if frag != "" && !headingsOf(file)[frag] {
					t.Errorf("%s:%d: link to %s: %s has no heading #%s", page, i+1, target, file, frag)
				}
			}
		}
	}
}

// markdownLines returns the lines of a Markdown file outside code fences
// (numbered from 0 as the file's, others blank), or with headings only the
// anchors of its headings.
func markdownLines(t *testing.T, path string, headings bool) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	seen := map[string]int{}
	fence := false
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
			line = ""
		}
		if fence {
			line = ""
		}
		if !headings {
			out = append(out, line)
			continue
		}
		level := len(line) - len(strings.TrimLeft(line, "#"))
		if level == 0 || level > 6 || !strings.HasPrefix(line[level:], " ") {
			continue
		}
		a := headingAnchor(line[level+1:])
		n := seen[a]
		seen[a]++
		if n > 0 {
			a += "-" + strconv.Itoa(n)
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// headingAnchor is GitHub's anchor of a heading: lower case, letters,
// digits, hyphens and underscores kept, spaces made hyphens.
func headingAnchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// The README says what stbulk is, how to install it and start, and links
// to the rest: the reference lives in docs/.
func TestReadmeIsShort(t *testing.T) {
	st, err := os.Stat("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 15*1024 {
		t.Errorf("README.md is %d bytes: keep it under 15 KiB, move reference text to docs/", st.Size())
	}
}
