package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildInfo(t *testing.T) {
	t.Parallel()
	vcs := &debug.BuildInfo{
		GoVersion: "go1.99.1",
		Main:      debug.Module{Path: "github.com/stbulk/stbulk", Version: "v0.0.0-20261202180000-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-02T18:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name                  string
		version, commit, date string
		info                  *debug.BuildInfo
		want                  buildInfo
		line                  string
	}{
		{
			name:    "set by ldflags: the build information does not mix in",
			version: "v1.2.3", commit: "fedcba9876543210", date: "2026-12-01T10:00:00Z", info: vcs,
			want: buildInfo{Version: "v1.2.3", Commit: "fedcba9876543210", Date: "2026-12-01T10:00:00Z", Go: "go1.99.1"},
			line: "stbulk v1.2.3 (commit fedcba987654, built 2026-12-01T10:00:00Z)",
		},
		{
			name: "not set: from the module and vcs settings",
			info: vcs,
			want: buildInfo{Version: "v0.0.0-20261202180000-0123456789ab+dirty", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-12-02T18:00:00Z", Modified: true, Go: "go1.99.1"},
			line: "stbulk v0.0.0-20261202180000-0123456789ab+dirty (commit 0123456789ab+modified, built 2026-12-02T18:00:00Z)",
		},
		{
			name:    "only the version set (go build -ldflags -X main.version)",
			version: "v2.0.0", info: &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: "(devel)"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}},
			want: buildInfo{Version: "v2.0.0", Commit: "abc", Go: "go1.99.1"},
			line: "stbulk v2.0.0 (commit abc)",
		},
		{
			name: "no build information at all",
			want: buildInfo{Version: "(unknown)"},
			line: "stbulk (unknown)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newBuildInfo(tt.version, tt.commit, tt.date, tt.info)
			if got.Platform == "" || got.Go == "" {
				t.Errorf("platform %q, go %q: want both", got.Platform, got.Go)
			}
			tt.want.Platform = got.Platform
			if tt.want.Go == "" {
				tt.want.Go = got.Go
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if l := got.line(); l != tt.line {
				t.Errorf("line %q, want %q", l, tt.line)
			}
			var out bytes.Buffer
			got.write(&out)
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != 6 || lines[0] != tt.line {
				t.Errorf("version printed %q", out.String())
			}
			if tt.want.Commit != "" && !strings.Contains(out.String(), "  commit:   "+tt.want.Commit) {
				t.Errorf("version printed %q: no full commit", out.String())
			}
		})
	}
}
