package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version, commit and date are set at build time, as the release builds do:
//
//	-ldflags "-X main.version=v1.2.3 -X main.commit=0123abc -X main.date=2026-12-02T18:00:00Z"
//
// Those left empty come from the build information Go records in the
// binary (the module's version, vcs.revision, vcs.time, vcs.modified).
var (
	version = ""
	commit  = ""
	date    = ""
)

// buildInfo is what stbulk version prints.
type buildInfo struct {
	Version  string
	Commit   string
	Date     string
	Modified bool // the work tree had changes not committed (from vcs.modified)
	Go       string
	Platform string
}

func newVersionCmd(std streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of stbulk, its commit, build date, Go version and platform",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			currentBuild().write(std.out)
			return nil
		},
	}
}

// currentBuild is the build information of this binary.
func currentBuild() buildInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return newBuildInfo(version, commit, date, info)
}

// newBuildInfo fills what the linker flags left empty from info (which may
// be nil).
func newBuildInfo(version, commit, date string, info *debug.BuildInfo) buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info != nil {
		if b.Version == "" {
			b.Version = info.Main.Version
		}
		if info.GoVersion != "" {
			b.Go = info.GoVersion
		}
		// The VCS settings complete the ldflags only when none were given:
		// a release build sets all three and is described by them alone.
		fromVCS := commit == "" && date == ""
		for _, s := range info.Settings {
			switch {
			case !fromVCS:
			case s.Key == "vcs.revision":
				b.Commit = s.Value
			case s.Key == "vcs.time":
				b.Date = s.Value
			case s.Key == "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "(unknown)"
	}
	return b
}

// line is the one-line form, printed by stbulk --version and first by
// stbulk version.
func (b buildInfo) line() string {
	s := "stbulk " + b.Version
	var extra string
	if b.Commit != "" {
		extra = "commit " + short(b.Commit)
		if b.Modified {
			extra += "+modified"
		}
	}
	if b.Date != "" {
		if extra != "" {
			extra += ", "
		}
		extra += "built " + b.Date
	}
	if extra != "" {
		s += " (" + extra + ")"
	}
	return s
}

func (b buildInfo) write(w io.Writer) {
	orUnknown := func(s string) string {
		if s == "" {
			return "(unknown)"
		}
		return s
	}
	c := orUnknown(b.Commit)
	if b.Modified {
		c += " (modified: built from a work tree with changes not committed)"
	}
	fmt.Fprintln(w, b.line())
	fmt.Fprintf(w, "  version:  %s\n", b.Version)
	fmt.Fprintf(w, "  commit:   %s\n", c)
	fmt.Fprintf(w, "  built:    %s\n", orUnknown(b.Date))
	fmt.Fprintf(w, "  go:       %s\n", b.Go)
	fmt.Fprintf(w, "  platform: %s\n", b.Platform)
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// buildVersion is the version with its commit and build date, for logs.
func buildVersion() string { return strings.TrimPrefix(currentBuild().line(), "stbulk ") }
