package synchroteam

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// EnvAPIKeyFile names a file holding the API key, read by FromEnv in place
// of SYNCHROTEAM_API_KEY (setting both is refused as ambiguous).
const EnvAPIKeyFile = "SYNCHROTEAM_API_KEY_FILE"

// maxKeyFile bounds what ReadKeyFile reads: a key is a few dozen bytes.
const maxKeyFile = 64 << 10

// KeyFileError is a key file that cannot be used. Its message names the
// file and why, never what the file holds.
type KeyFileError struct {
	Path   string
	Reason string
	Err    error // the underlying error, if any (an *fs.PathError names the path only)
}

func (e *KeyFileError) Error() string { return "API key file " + e.Path + ": " + e.Reason }
func (e *KeyFileError) Unwrap() error { return e.Err }

// ReadKeyFile returns the API key held by the file at path: its content
// less the trailing newline (and spaces). As ssh does with a private key, a
// file that the group or others may read is refused, naming the fix (chmod
// 600); on Windows, whose permissions are ACLs that the mode bits do not
// show, that check is skipped. An empty file, a file of more than one line
// and anything but a regular file are refused too.
func ReadKeyFile(path string) (string, error) {
	if path == "" {
		return "", &KeyFileError{Path: `""`, Reason: "no file named"}
	}
	f, err := os.Open(path)
	if err != nil {
		return "", &KeyFileError{Path: path, Reason: "cannot open it: " + reason(err), Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", &KeyFileError{Path: path, Reason: "cannot read it: " + reason(err), Err: err}
	}
	if !fi.Mode().IsRegular() {
		return "", &KeyFileError{Path: path, Reason: "not a regular file"}
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return "", &KeyFileError{Path: path, Reason: fmt.Sprintf(
			"its permissions %04o let the group or others read it: a key must be readable by its owner only; run: chmod 600 %s", perm, path)}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return "", &KeyFileError{Path: path, Reason: "cannot read it: " + reason(err), Err: err}
	}
	if len(data) > maxKeyFile {
		return "", &KeyFileError{Path: path, Reason: fmt.Sprintf("more than %d KiB: not an API key", maxKeyFile>>10)}
	}
	key := strings.TrimSpace(string(data))
	switch {
	case key == "":
		return "", &KeyFileError{Path: path, Reason: "it is empty: write the API key in it (Configuration, Authentication Key)"}
	case strings.ContainsAny(key, "\r\n"):
		return "", &KeyFileError{Path: path, Reason: "it holds more than one line: it must hold the API key alone"}
	}
	return key, nil
}

// reason is the cause of a file error without the path the message adds.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ErrAmbiguousKey is SYNCHROTEAM_API_KEY and SYNCHROTEAM_API_KEY_FILE both
// set: which one is meant cannot be told, and a wrong guess sends a key to
// the wrong account.
var ErrAmbiguousKey = errors.New("synchroteam: both " + EnvAPIKey + " and " + EnvAPIKeyFile + " are set: unset one of them")

// KeyFromEnv returns the API key of the environment read by getenv:
// SYNCHROTEAM_API_KEY, or the content of the file SYNCHROTEAM_API_KEY_FILE
// names. Neither set gives "" and no error; both set is ErrAmbiguousKey.
func KeyFromEnv(getenv func(string) string) (string, error) {
	key, file := getenv(EnvAPIKey), getenv(EnvAPIKeyFile)
	switch {
	case key != "" && file != "":
		return "", ErrAmbiguousKey
	case file != "":
		k, err := ReadKeyFile(file)
		if err != nil {
			return "", fmt.Errorf("%s: %w", EnvAPIKeyFile, err)
		}
		return k, nil
	}
	return key, nil
}
