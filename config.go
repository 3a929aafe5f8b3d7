// Credentials of the commands that talk to the API (import, plan, verify,
// export): command-line flags, the environment, and named profiles of a
// configuration file. docs/credentials.md is the user's description.

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/stbulk/stbulk/synchroteam"
)

// Environment variables of the configuration file and profile.
const (
	envConfig  = "STBULK_CONFIG"
	envProfile = "STBULK_PROFILE"
)

// credOptions are the credential flags of a command that talks to the API.
type credOptions struct {
	config     string
	profile    string
	url        string
	domain     string
	apiKeyFile string
}

func addCredentialFlags(cmd *cobra.Command, o *credOptions) {
	f := cmd.Flags()
	f.StringVar(&o.config, "config", "", "configuration file of the profiles (default $"+envConfig+", else $XDG_CONFIG_HOME/stbulk/config.yaml)")
	f.StringVar(&o.profile, "profile", "", "profile of the configuration file to use (default $"+envProfile+", else the file's default_profile)")
	f.StringVar(&o.url, "url", "", "API base URL (default $"+synchroteam.EnvURL+", else the profile's url, else "+synchroteam.DefaultURL+")")
	f.StringVar(&o.domain, "domain", "", "Synchroteam domain (default $"+synchroteam.EnvDomain+", else the profile's domain)")
	f.StringVar(&o.apiKeyFile, "api-key-file", "", "file holding the API key, readable by its owner only (default $"+synchroteam.EnvAPIKey+" or $"+synchroteam.EnvAPIKeyFile+", else the profile's key)")
	// Shell completion of --profile: the profiles of the configuration file.
	_ = cmd.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		path := o.config
		if path == "" {
			path = os.Getenv(envConfig)
		}
		if path == "" {
			path = defaultConfigPath(os.Getenv)
		}
		cfg, err := loadConfig(path)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		return cfg.profileNames(), cobra.ShellCompDirectiveNoFileComp
	})
}

// set names the credential flags given, for --sandbox to refuse them.
func (o credOptions) set() []string {
	var s []string
	for _, f := range []struct{ name, v string }{{"--config", o.config}, {"--profile", o.profile}, {"--url", o.url}, {"--domain", o.domain}, {"--api-key-file", o.apiKeyFile}} {
		if f.v != "" {
			s = append(s, f.name)
		}
	}
	return s
}

// configFile is the configuration file.
type configFile struct {
	DefaultProfile string              `yaml:"default_profile"`
	Profiles       map[string]*profile `yaml:"profiles"`

	path string
}

// profile is one named account. The key is never in the file: a file path
// or the name of an environment variable says where it is.
type profile struct {
	URL        string `yaml:"url"`
	Domain     string `yaml:"domain"`
	APIKeyFile string `yaml:"api_key_file"`
	APIKeyEnv  string `yaml:"api_key_env"`
	// APIKey is read only to refuse it, at its line, without its value.
	APIKey yaml.Node `yaml:"api_key"`
}

// defaultConfigPath is $XDG_CONFIG_HOME/stbulk/config.yaml, by default
// ~/.config/stbulk/config.yaml, on macOS too; on Windows, in the folder of
// os.UserConfigDir (%AppData%). "" when there is no home folder.
func defaultConfigPath(getenv func(string) string) string {
	if runtime.GOOS == "windows" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return ""
		}
		return filepath.Join(dir, "stbulk", "config.yaml")
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "stbulk", "config.yaml")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "stbulk", "config.yaml")
	}
	return ""
}

var (
	yamlLine    = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlUnknown = regexp.MustCompile(`^field (\S+) not found in type main\.(\w+)$`)
	yamlValue   = regexp.MustCompile("`[^`]*`")
)

// loadConfig reads the configuration file at path. Errors name the file
// and line (file:line: ...) and never a value of the file.
func loadConfig(path string) (*configFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg := &configFile{path: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, configYAMLError(path, err)
	}
	var problems []string
	names := cfg.profileNames()
	for _, name := range names {
		p := cfg.Profiles[name]
		if p == nil {
			problems = append(problems, fmt.Sprintf("%s: profile %q is empty", path, name))
			continue
		}
		if !p.APIKey.IsZero() {
			problems = append(problems, fmt.Sprintf("%s:%d: profile %q: api_key is refused: a key written in the configuration file is read by whoever can read the file, and copied with it; put the key in a file readable by you only (chmod 600) and name it with api_key_file, or name an environment variable with api_key_env", path, p.APIKey.Line, name))
		}
		if p.APIKeyFile != "" && p.APIKeyEnv != "" {
			problems = append(problems, fmt.Sprintf("%s: profile %q has both api_key_file and api_key_env: keep one", path, name))
		}
	}
	if cfg.DefaultProfile != "" && cfg.Profiles[cfg.DefaultProfile] == nil && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("%s: default_profile %q is not one of its profiles (%s)", path, cfg.DefaultProfile, knownProfiles(names)))
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return cfg, nil
}

// configYAMLError turns the decoder's errors into file:line: messages,
// without the values it quotes (a key pasted in the wrong place).
func configYAMLError(path string, err error) error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		m = yamlValue.ReplaceAllString(m, "a value")
		line := ""
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			line, m = ":"+sub[1], sub[2]
		}
		if sub := yamlUnknown.FindStringSubmatch(m); sub != nil {
			known := "default_profile, profiles"
			if sub[2] == "profile" {
				known = "url, domain, api_key_file, api_key_env"
			}
			m = fmt.Sprintf("unknown key %s (the keys are %s)", sub[1], known)
		}
		out = append(out, path+line+": "+strings.TrimPrefix(m, "yaml: "))
	}
	return errors.New(strings.Join(out, "\n"))
}

func (c *configFile) profileNames() []string {
	names := make([]string, 0, len(c.Profiles))
	for n := range c.Profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func knownProfiles(names []string) string {
	if len(names) == 0 {
		return "it has none"
	}
	return "known: " + strings.Join(names, ", ")
}

// resolvedCredentials are the URL, domain and key a command uses, and
// where each came from.
type resolvedCredentials struct {
	url, domain, key string
	// profile is the profile used ("" for none), of the file config.
	profile, config string
	// from: the source of url, domain and key: a flag, a variable,
	// "profile" or "default".
	urlFrom, domainFrom, keyFrom string
}

// String describes the credentials without the key.
func (r resolvedCredentials) String() string {
	return fmt.Sprintf("domain %q at %s (key from %s)", r.domain, r.url, r.keyFrom)
}

// resolveCredentials applies the precedence, for each of the URL, the
// domain and the key: command-line flags, then the environment (read with
// getenv), then the selected profile, then the default (the URL only).
// Every error is a usage error and names no key.
func resolveCredentials(o credOptions, getenv func(string) string) (resolvedCredentials, error) {
	var r resolvedCredentials
	path, explicit := o.config, "--config"
	if path == "" {
		path, explicit = getenv(envConfig), envConfig
	}
	if path == "" {
		path, explicit = defaultConfigPath(getenv), ""
	}
	var cfg *configFile
	if path != "" {
		c, err := loadConfig(path)
		switch {
		case err == nil:
			cfg = c
		case errors.Is(err, fs.ErrNotExist) && explicit == "":
			// No configuration file at the default place: profiles are optional.
		case errors.Is(err, fs.ErrNotExist):
			return r, usagef("configuration file %s (%s) does not exist", path, explicit)
		default:
			return r, usageError{err}
		}
	}

	name, chosenBy := o.profile, "--profile"
	if name == "" {
		name, chosenBy = getenv(envProfile), envProfile
	}
	if name == "" && cfg != nil {
		name, chosenBy = cfg.DefaultProfile, "default_profile"
	}
	var p *profile
	if name != "" {
		if cfg == nil {
			where := "no configuration file: pass --config or set " + envConfig
			if path != "" {
				where = "no configuration file at " + path
			}
			return r, usagef("profile %q (%s): %s", name, chosenBy, where)
		}
		p = cfg.Profiles[name]
		if p == nil {
			return r, usagef("unknown profile %q (%s) in %s: %s", name, chosenBy, cfg.path, knownProfiles(cfg.profileNames()))
		}
		r.profile, r.config = name, cfg.path
	} else {
		p = &profile{}
	}

	r.url, r.urlFrom = first(o.url, "--url", getenv(synchroteam.EnvURL), synchroteam.EnvURL, p.URL, "profile")
	if r.url == "" {
		r.url, r.urlFrom = synchroteam.DefaultURL, "default"
	}
	r.domain, r.domainFrom = first(o.domain, "--domain", getenv(synchroteam.EnvDomain), synchroteam.EnvDomain, p.Domain, "profile")

	switch envKey, err := synchroteam.KeyFromEnv(getenv); {
	case o.apiKeyFile != "":
		key, err := synchroteam.ReadKeyFile(o.apiKeyFile)
		if err != nil {
			return r, usagef("--api-key-file: %w", err)
		}
		r.key, r.keyFrom = key, "--api-key-file"
	case err != nil:
		return r, usageError{err}
	case envKey != "":
		r.key, r.keyFrom = envKey, synchroteam.EnvAPIKey
		if getenv(synchroteam.EnvAPIKeyFile) != "" {
			r.keyFrom = synchroteam.EnvAPIKeyFile
		}
	case p.APIKeyFile != "":
		file := p.APIKeyFile
		if rest, ok := strings.CutPrefix(file, "~/"); ok {
			if h := getenv("HOME"); h != "" {
				file = filepath.Join(h, rest)
			}
		} else if !filepath.IsAbs(file) {
			file = filepath.Join(filepath.Dir(cfg.path), file)
		}
		key, err := synchroteam.ReadKeyFile(file)
		if err != nil {
			return r, usagef("profile %q of %s: %w", name, cfg.path, err)
		}
		r.key, r.keyFrom = key, "profile"
	case p.APIKeyEnv != "":
		r.key, r.keyFrom = strings.TrimSpace(getenv(p.APIKeyEnv)), "profile"
		if r.key == "" {
			return r, usagef("profile %q of %s: api_key_env names %s, which is not set", name, cfg.path, p.APIKeyEnv)
		}
	}

	var missing []string
	if strings.TrimSpace(r.domain) == "" {
		missing = append(missing, fmt.Sprintf("no domain: set %s, pass --domain", synchroteam.EnvDomain))
	}
	if r.key == "" {
		missing = append(missing, fmt.Sprintf("no API key: set %s or %s, pass --api-key-file", synchroteam.EnvAPIKey, synchroteam.EnvAPIKeyFile))
	}
	if len(missing) > 0 {
		hint := " or choose a profile (--profile)"
		switch {
		case r.profile != "":
			hint = fmt.Sprintf(" or complete profile %q of %s", r.profile, r.config)
		case cfg == nil:
			hint = " or write a profile in " + orDefault(path, "a configuration file") + " (see docs/credentials.md)"
		}
		return r, usagef("%s", strings.Join(missing, "; ")+hint)
	}
	return r, nil
}

// first returns the first non-empty value of (value, source) pairs.
func first(pairs ...string) (value, from string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] != "" {
			return pairs[i], pairs[i+1]
		}
	}
	return "", ""
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// describeProfile is the line a command prints when a profile is used:
// which, from which file, and what the flags or the environment override.
func (r resolvedCredentials) describeProfile() string {
	if r.profile == "" {
		return ""
	}
	s := fmt.Sprintf("stbulk: profile %q of %s: domain %s at %s", r.profile, r.config, r.domain, r.url)
	var over []string
	for _, f := range []struct{ what, from string }{{"url", r.urlFrom}, {"domain", r.domainFrom}, {"API key", r.keyFrom}} {
		if f.from != "profile" && f.from != "default" {
			over = append(over, f.from+" sets the "+f.what)
		}
	}
	if len(over) > 0 {
		s += " (" + strings.Join(over, ", ") + ")"
	}
	return s
}
