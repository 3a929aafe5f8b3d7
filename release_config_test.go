package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// .goreleaser.yaml and scripts/release.sh describe the same archives: CI
// builds them with the script (GoReleaser is not installed there), so the
// two must not drift. Same targets, build flags, ldflags and files.
func TestReleaseConfigMatchesScript(t *testing.T) {
	raw, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Env     []string `yaml:"env"`
			Goos    []string `yaml:"goos"`
			Goarch  []string `yaml:"goarch"`
			Flags   []string `yaml:"flags"`
			Ldflags []string `yaml:"ldflags"`
		} `yaml:"builds"`
		Archives []struct {
			Files []string `yaml:"files"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
			Algorithm    string `yaml:"algorithm"`
		} `yaml:"checksum"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 || len(cfg.Archives) != 1 {
		t.Fatalf(".goreleaser.yaml: version %d, %d builds, %d archives: want version 2, one of each", cfg.Version, len(cfg.Builds), len(cfg.Archives))
	}
	script, err := os.ReadFile(filepath.Join("scripts", "release.sh"))
	if err != nil {
		t.Fatal(err)
	}
	sh := string(script)
	b := cfg.Builds[0]

	var targets []string
	for _, goos := range b.Goos {
		for _, arch := range b.Goarch {
			targets = append(targets, goos+"/"+arch)
		}
	}
	m := regexp.MustCompile(`(?m)^targets=\$\{RELEASE_TARGETS:-"([^"]+)"\}`).FindStringSubmatch(sh)
	if m == nil {
		t.Fatal("scripts/release.sh: no default targets= line")
	}
	scriptTargets := strings.Fields(m[1])
	slices.Sort(targets)
	slices.Sort(scriptTargets)
	if !slices.Equal(targets, scriptTargets) {
		t.Errorf("targets: .goreleaser.yaml %v, scripts/release.sh %v", targets, scriptTargets)
	}

	if !slices.Contains(b.Env, "CGO_ENABLED=0") || !strings.Contains(sh, "CGO_ENABLED=0 ") {
		t.Errorf("both must build with CGO_ENABLED=0: %v", b.Env)
	}
	if !slices.Equal(b.Flags, []string{"-trimpath"}) || !strings.Contains(sh, "go build -trimpath ") {
		t.Errorf("both must build with -trimpath alone: %v", b.Flags)
	}

	// The ldflags, with GoReleaser's templates and the script's variables
	// made the same.
	want := strings.NewReplacer("{{.Version}}", "V", "{{.Commit}}", "C", "{{.Date}}", "D").Replace(strings.Join(b.Ldflags, " "))
	m = regexp.MustCompile(`(?m)^ldflags="([^"]+)"`).FindStringSubmatch(sh)
	if m == nil {
		t.Fatal("scripts/release.sh: no ldflags= line")
	}
	got := strings.NewReplacer("$version", "V", "$commit", "C", "$date", "D").Replace(m[1])
	if got != want {
		t.Errorf("ldflags: .goreleaser.yaml %q, scripts/release.sh %q", want, got)
	}

	// The files: the top folders and files the config archives, and the
	// script's extra=(...) list (LICENSE* is added by both when present).
	tops := map[string]bool{}
	for _, f := range cfg.Archives[0].Files {
		if strings.HasPrefix(f, "LICENSE") {
			continue
		}
		tops[strings.SplitN(f, "/", 2)[0]] = true
	}
	m = regexp.MustCompile(`(?m)^extra=\(([^)]*)\)`).FindStringSubmatch(sh)
	if m == nil {
		t.Fatal("scripts/release.sh: no extra=(...) line")
	}
	var cfgTops []string
	for k := range tops {
		cfgTops = append(cfgTops, k)
	}
	extra := strings.Fields(m[1])
	slices.Sort(cfgTops)
	slices.Sort(extra)
	if !slices.Equal(cfgTops, extra) {
		t.Errorf("archived files: .goreleaser.yaml %v, scripts/release.sh %v", cfgTops, extra)
	}
	// A folder's own files need a pattern of their own: in GoReleaser,
	// dir/**/* matches only files in its subfolders.
	for _, dir := range extra {
		if st, err := os.Stat(dir); err == nil && st.IsDir() && !slices.Contains(cfg.Archives[0].Files, dir+"/*") {
			t.Errorf(".goreleaser.yaml archives %s/**/* without %s/*: the files of %s/ itself would be left out", dir, dir, dir)
		}
	}

	if cfg.Checksum.NameTemplate != "checksums.txt" || cfg.Checksum.Algorithm != "sha256" || !strings.Contains(sh, "sha256sum") || !strings.Contains(sh, "> checksums.txt") {
		t.Errorf("checksums: .goreleaser.yaml %+v; both must write checksums.txt with SHA-256", cfg.Checksum)
	}
}
