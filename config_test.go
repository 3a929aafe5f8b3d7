package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stbulk/stbulk/synchroteam"
)

const (
	profileKey = "pr0file-k3y-5ecret"
	envKey     = "env-k3y-5ecret"
	flagKey    = "fl4g-k3y-5ecret"
	otherKey   = "0ther-k3y-5ecret"
)

// credFixture is a configuration folder: config.yaml with two profiles and
// the key files they name.
func credFixture(t *testing.T) (dir, config string) {
	t.Helper()
	dir = t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("test.key", profileKey+"\n", 0o600)
	write("flag.key", flagKey+"\n", 0o600)
	write("env.key", envKey+"\n", 0o600)
	write("open.key", profileKey+"\n", 0o644)
	config = write("config.yaml", `# profiles of the tests
default_profile: test
profiles:
  test:
    url: https://test.example.com
    domain: acme-test
    api_key_file: test.key # relative: to this file's folder
  prod:
    domain: acme
    api_key_env: ACME_PROD_KEY
  open:
    domain: acme
    api_key_file: open.key
`, 0o644)
	write("other.yaml", `profiles:
  other:
    url: https://other.example.com
    domain: other
    api_key_env: OTHER_KEY
`, 0o644)
	return dir, config
}

// TestCredentialPrecedence: command-line flags, then the environment, then
// the selected profile, then the defaults; for the URL, the domain and the
// key each.
func TestCredentialPrecedence(t *testing.T) {
	t.Parallel()
	dir, config := credFixture(t)
	home := t.TempDir() // no configuration file at the default place
	tests := []struct {
		name  string
		flags credOptions
		env   map[string]string
		want  resolvedCredentials // compared: url, domain, key, profile, the sources
	}{
		{
			name: "environment alone, no configuration file: the default URL",
			env:  map[string]string{"HOME": home, "SYNCHROTEAM_DOMAIN": "envdom", "SYNCHROTEAM_API_KEY": envKey},
			want: resolvedCredentials{url: synchroteam.DefaultURL, domain: "envdom", key: envKey, urlFrom: "default", domainFrom: "SYNCHROTEAM_DOMAIN", keyFrom: "SYNCHROTEAM_API_KEY"},
		},
		{
			name: "the key from SYNCHROTEAM_API_KEY_FILE",
			env:  map[string]string{"HOME": home, "SYNCHROTEAM_DOMAIN": "envdom", "SYNCHROTEAM_API_KEY_FILE": filepath.Join(dir, "env.key"), "SYNCHROTEAM_URL": "http://127.0.0.1:9"},
			want: resolvedCredentials{url: "http://127.0.0.1:9", domain: "envdom", key: envKey, urlFrom: "SYNCHROTEAM_URL", domainFrom: "SYNCHROTEAM_DOMAIN", keyFrom: "SYNCHROTEAM_API_KEY_FILE"},
		},
		{
			name:  "flags alone",
			flags: credOptions{domain: "flagdom", apiKeyFile: filepath.Join(dir, "flag.key"), url: "https://flag.example.com"},
			env:   map[string]string{"HOME": home},
			want:  resolvedCredentials{url: "https://flag.example.com", domain: "flagdom", key: flagKey, urlFrom: "--url", domainFrom: "--domain", keyFrom: "--api-key-file"},
		},
		{
			name:  "the default profile of --config: everything from it",
			flags: credOptions{config: config},
			env:   map[string]string{"HOME": home},
			want:  resolvedCredentials{url: "https://test.example.com", domain: "acme-test", key: profileKey, profile: "test", urlFrom: "profile", domainFrom: "profile", keyFrom: "profile"},
		},
		{
			name: "the configuration file of STBULK_CONFIG, profile of STBULK_PROFILE, key of api_key_env",
			env:  map[string]string{"HOME": home, "STBULK_CONFIG": config, "STBULK_PROFILE": "prod", "ACME_PROD_KEY": otherKey},
			want: resolvedCredentials{url: synchroteam.DefaultURL, domain: "acme", key: otherKey, profile: "prod", urlFrom: "default", domainFrom: "profile", keyFrom: "profile"},
		},
		{
			name:  "--profile before STBULK_PROFILE, --config before STBULK_CONFIG",
			flags: credOptions{config: config, profile: "test"},
			env:   map[string]string{"HOME": home, "STBULK_CONFIG": filepath.Join(dir, "other.yaml"), "STBULK_PROFILE": "other"},
			want:  resolvedCredentials{url: "https://test.example.com", domain: "acme-test", key: profileKey, profile: "test", urlFrom: "profile", domainFrom: "profile", keyFrom: "profile"},
		},
		{
			name: "the file at $XDG_CONFIG_HOME/stbulk/config.yaml",
			env:  map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdgWith(t, config), "STBULK_PROFILE": "prod", "ACME_PROD_KEY": otherKey},
			want: resolvedCredentials{url: synchroteam.DefaultURL, domain: "acme", key: otherKey, profile: "prod", urlFrom: "default", domainFrom: "profile", keyFrom: "profile"},
		},
		{
			name:  "the environment before the profile, field by field",
			flags: credOptions{config: config},
			env:   map[string]string{"HOME": home, "SYNCHROTEAM_DOMAIN": "envdom", "SYNCHROTEAM_API_KEY": envKey},
			want:  resolvedCredentials{url: "https://test.example.com", domain: "envdom", key: envKey, profile: "test", urlFrom: "profile", domainFrom: "SYNCHROTEAM_DOMAIN", keyFrom: "SYNCHROTEAM_API_KEY"},
		},
		{
			name:  "the flags before the environment and the profile",
			flags: credOptions{config: config, domain: "flagdom", apiKeyFile: filepath.Join(dir, "flag.key"), url: "https://flag.example.com"},
			env:   map[string]string{"HOME": home, "SYNCHROTEAM_DOMAIN": "envdom", "SYNCHROTEAM_API_KEY": envKey, "SYNCHROTEAM_URL": "https://env.example.com"},
			want:  resolvedCredentials{url: "https://flag.example.com", domain: "flagdom", key: flagKey, profile: "test", urlFrom: "--url", domainFrom: "--domain", keyFrom: "--api-key-file"},
		},
		{
			name:  "--api-key-file before both variables: not ambiguous",
			flags: credOptions{apiKeyFile: filepath.Join(dir, "flag.key")},
			env:   map[string]string{"HOME": home, "SYNCHROTEAM_DOMAIN": "envdom", "SYNCHROTEAM_API_KEY": envKey, "SYNCHROTEAM_API_KEY_FILE": filepath.Join(dir, "env.key")},
			want:  resolvedCredentials{url: synchroteam.DefaultURL, domain: "envdom", key: flagKey, urlFrom: "default", domainFrom: "SYNCHROTEAM_DOMAIN", keyFrom: "--api-key-file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveCredentials(tt.flags, func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			got.config = ""
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// xdgWith is an XDG_CONFIG_HOME whose stbulk/config.yaml is a copy of
// config, its key files beside it.
func xdgWith(t *testing.T, config string) string {
	t.Helper()
	xdg := t.TempDir()
	dir := filepath.Join(xdg, "stbulk")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return xdg
}

// TestCredentialErrors: each is a usage error (exit 2) that says what to
// do, and none holds a key.
func TestCredentialErrors(t *testing.T) {
	t.Parallel()
	dir, config := credFixture(t)
	home := t.TempDir()
	bad := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inline := bad("inline.yaml", "profiles:\n  prod:\n    domain: acme\n    api_key: "+otherKey+"\n")
	misspelt := bad("misspelt.yaml", "profiles:\n  prod:\n    domain: acme\n    api_key_fle: prod.key\n")
	topMisspelt := bad("top.yaml", "default_profle: prod\nprofiles: {}\n")
	pasted := bad("pasted.yaml", "profiles:\n  prod: "+otherKey+"\n")
	syntax := bad("syntax.yaml", "profiles:\n  prod:\n    domain: acme\n   url: [\n")
	both := bad("both.yaml", "profiles:\n  prod:\n    domain: acme\n    api_key_file: test.key\n    api_key_env: X\n")
	noDefault := bad("nodefault.yaml", "default_profile: staging\nprofiles:\n  prod:\n    domain: acme\n")
	noKey := bad("nokey.yaml", "profiles:\n  prod:\n    domain: acme\n")

	tests := []struct {
		name  string
		flags credOptions
		env   map[string]string
		want  []string
		unix  bool // the permission check, skipped on Windows
	}{
		{name: "both SYNCHROTEAM_API_KEY and SYNCHROTEAM_API_KEY_FILE", env: map[string]string{"SYNCHROTEAM_DOMAIN": "d", "SYNCHROTEAM_API_KEY": envKey, "SYNCHROTEAM_API_KEY_FILE": filepath.Join(dir, "env.key")},
			want: []string{"both SYNCHROTEAM_API_KEY and SYNCHROTEAM_API_KEY_FILE are set"}},
		{name: "unknown profile", flags: credOptions{config: config, profile: "staging"},
			want: []string{`unknown profile "staging" (--profile) in ` + config, "known: open, prod, test"}},
		{name: "unknown profile of STBULK_PROFILE", flags: credOptions{config: config}, env: map[string]string{"STBULK_PROFILE": "staging"},
			want: []string{`unknown profile "staging" (STBULK_PROFILE)`, "known: open, prod, test"}},
		{name: "a profile without a configuration file", flags: credOptions{profile: "prod"},
			want: []string{`profile "prod" (--profile): no configuration file at ` + filepath.Join(home, ".config", "stbulk", "config.yaml")}},
		{name: "--config that does not exist", flags: credOptions{config: filepath.Join(dir, "nope.yaml")},
			want: []string{"nope.yaml (--config) does not exist"}},
		{name: "a key in the configuration file", flags: credOptions{config: inline},
			want: []string{inline + `:4: profile "prod": api_key is refused`, "chmod 600", "api_key_file"}},
		{name: "a misspelt key of a profile", flags: credOptions{config: misspelt},
			want: []string{misspelt + ":4: unknown key api_key_fle (the keys are url, domain, api_key_file, api_key_env)"}},
		{name: "a misspelt key at the top", flags: credOptions{config: topMisspelt},
			want: []string{topMisspelt + ":1: unknown key default_profle (the keys are default_profile, profiles)"}},
		{name: "a key pasted as a profile", flags: credOptions{config: pasted},
			want: []string{pasted + ":2: cannot unmarshal !!str a value into main.profile"}},
		{name: "a syntax error", flags: credOptions{config: syntax}, want: []string{syntax + ":1: did not find expected key"}},
		{name: "api_key_file and api_key_env", flags: credOptions{config: both}, want: []string{`profile "prod" has both api_key_file and api_key_env`}},
		{name: "default_profile not a profile", flags: credOptions{config: noDefault}, want: []string{`default_profile "staging" is not one of its profiles (known: prod)`}},
		{name: "api_key_env not set", flags: credOptions{config: config, profile: "prod"},
			want: []string{`profile "prod" of ` + config + ": api_key_env names ACME_PROD_KEY, which is not set"}},
		{name: "a profile's key file readable by others", flags: credOptions{config: config, profile: "open"}, unix: true,
			want: []string{`profile "open" of ` + config, filepath.Join(dir, "open.key"), "permissions 0644", "chmod 600 " + filepath.Join(dir, "open.key")}},
		{name: "SYNCHROTEAM_API_KEY_FILE readable by others", env: map[string]string{"SYNCHROTEAM_DOMAIN": "d", "SYNCHROTEAM_API_KEY_FILE": filepath.Join(dir, "open.key")}, unix: true,
			want: []string{"SYNCHROTEAM_API_KEY_FILE: API key file " + filepath.Join(dir, "open.key"), "chmod 600"}},
		{name: "--api-key-file missing", flags: credOptions{apiKeyFile: filepath.Join(dir, "nope.key")}, env: map[string]string{"SYNCHROTEAM_DOMAIN": "d", "SYNCHROTEAM_API_KEY": envKey},
			want: []string{"--api-key-file: API key file " + filepath.Join(dir, "nope.key") + ": cannot open it"}},
		{name: "nothing at all", want: []string{"no domain: set SYNCHROTEAM_DOMAIN", "no API key: set SYNCHROTEAM_API_KEY or SYNCHROTEAM_API_KEY_FILE", "docs/credentials.md"}},
		{name: "a profile without a key", flags: credOptions{config: noKey, profile: "prod"}, want: []string{"no API key", `or complete profile "prod" of ` + noKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unix && runtime.GOOS == "windows" {
				t.Skip("the permission check is skipped on Windows")
			}
			env := map[string]string{"HOME": home}
			for k, v := range tt.env {
				env[k] = v
			}
			_, err := resolveCredentials(tt.flags, func(k string) string { return env[k] })
			if err == nil {
				t.Fatal("no error")
			}
			var ue usageError
			if !errors.As(err, &ue) || exitCode(err) != exitUsage {
				t.Errorf("%v: exit code %d, want %d", err, exitCode(err), exitUsage)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q\nhas no %q", err, w)
				}
			}
			for _, key := range []string{profileKey, envKey, flagKey, otherKey} {
				if strings.Contains(err.Error(), key) {
					t.Errorf("%q holds a key", err)
				}
			}
		})
	}
}

func TestDescribeProfile(t *testing.T) {
	t.Parallel()
	r := resolvedCredentials{url: "https://x", domain: "acme", key: profileKey, profile: "prod", config: "c.yaml", urlFrom: "default", domainFrom: "profile", keyFrom: "SYNCHROTEAM_API_KEY"}
	got := r.describeProfile()
	want := `stbulk: profile "prod" of c.yaml: domain acme at https://x (SYNCHROTEAM_API_KEY sets the API key)`
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if strings.Contains(got+r.String(), profileKey) {
		t.Error("the key is shown")
	}
	if (resolvedCredentials{}).describeProfile() != "" {
		t.Error("a line without a profile")
	}
}
