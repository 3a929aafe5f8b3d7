package synchroteam

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func writeKeyFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "api-key")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // the umask does not apply
		t.Fatal(err)
	}
	return p
}

func TestReadKeyFile(t *testing.T) {
	t.Parallel()
	for _, content := range []string{testKey, testKey + "\n", testKey + "\r\n", "  " + testKey + " \n"} {
		got, err := ReadKeyFile(writeKeyFile(t, content, 0o600))
		if err != nil || got != testKey {
			t.Errorf("%q: %q, %v", content, got, err)
		}
	}
	if got, err := ReadKeyFile(writeKeyFile(t, testKey+"\n", 0o400)); err != nil || got != testKey {
		t.Errorf("mode 0400: %q, %v", got, err)
	}

	bad := []struct {
		name    string
		path    string
		want    []string
		windows bool // also refused on Windows
	}{
		{"readable by the group", writeKeyFile(t, testKey+"\n", 0o640), []string{"permissions 0640", "group or others", "chmod 600 "}, false},
		{"readable by others", writeKeyFile(t, testKey+"\n", 0o604), []string{"permissions 0604", "chmod 600 "}, false},
		{"world writable", writeKeyFile(t, testKey+"\n", 0o622), []string{"permissions 0622", "chmod 600 "}, false},
		{"empty", writeKeyFile(t, "", 0o600), []string{"empty"}, true},
		{"a newline only", writeKeyFile(t, "\n", 0o600), []string{"empty"}, true},
		{"two lines", writeKeyFile(t, testKey+"\n"+testKey+"\n", 0o600), []string{"more than one line"}, true},
		{"missing", filepath.Join(t.TempDir(), "nope"), []string{"cannot open it"}, true},
		{"a folder", t.TempDir(), []string{"not a regular file"}, true},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && !tt.windows {
				t.Skip("the permission check is skipped on Windows")
			}
			_, err := ReadKeyFile(tt.path)
			var ke *KeyFileError
			if !errors.As(err, &ke) {
				t.Fatalf("%v (%T), want a *KeyFileError", err, err)
			}
			msg := err.Error()
			for _, w := range append(tt.want, tt.path) {
				if !strings.Contains(msg, w) {
					t.Errorf("%q: no %q", msg, w)
				}
			}
			if strings.Contains(tt.want[len(tt.want)-1], "chmod 600") && !strings.HasSuffix(msg, "chmod 600 "+tt.path) {
				t.Errorf("%q: does not end with the command to run", msg)
			}
			assertErrorHasNoSecret(t, tt.name, err, testKey)
		})
	}
}

// Not parallel: it sets environment variables.
func TestFromEnvKeyFile(t *testing.T) {
	t.Setenv(EnvDomain, testDomain)
	t.Setenv(EnvAPIKey, "")
	t.Setenv(EnvURL, "")
	t.Setenv(EnvAPIKeyFile, writeKeyFile(t, testKey+"\n", 0o600))
	c, err := NewClient(FromEnv()...)
	if err != nil || c.auth.key != testKey || c.Domain() != testDomain {
		t.Fatalf("client %v, %v", c, err)
	}

	t.Setenv(EnvAPIKey, "another-key-1234")
	_, err = NewClient(FromEnv()...)
	if !errors.Is(err, ErrAmbiguousKey) {
		t.Errorf("both set: %v, want ErrAmbiguousKey", err)
	}
	assertErrorHasNoSecret(t, "both set", err, testKey)
	assertErrorHasNoSecret(t, "both set", err, "another-key-1234")

	t.Setenv(EnvAPIKey, "")
	if runtime.GOOS != "windows" {
		p := writeKeyFile(t, testKey+"\n", 0o644)
		t.Setenv(EnvAPIKeyFile, p)
		_, err = NewClient(FromEnv()...)
		if err == nil || !strings.Contains(err.Error(), EnvAPIKeyFile) || !strings.Contains(err.Error(), "chmod 600 "+p) {
			t.Errorf("readable key file: %v", err)
		}
		assertErrorHasNoSecret(t, "readable key file", err, testKey)
	}
}
