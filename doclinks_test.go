package main

import (
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
		a := headingAnchors(markdownLines(t, p))
		anchors[p] = a
		return a
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, page := range pages {
		for i, line := range markdownLines(t, page) {
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

// markdownLines returns the lines of a Markdown file, those inside code
// fences blank (so that line i is still the file's line i+1).
func markdownLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	fence := false
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
			lines[i] = ""
		}
		if fence {
			lines[i] = ""
		}
	}
	return lines
}

// headingAnchors are the anchors of the headings among lines, a repeated
// heading numbered as GitHub does (name, name-1, ...).
func headingAnchors(lines []string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, line := range lines {
		level := len(line) - len(strings.TrimLeft(line, "#"))
		if level == 0 || level > 6 || !strings.HasPrefix(line[level:], " ") {
			continue
		}
		a := headingAnchor(line[level+1:])
		if n := seen[a]; n > 0 {
			out[a+"-"+strconv.Itoa(n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
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
