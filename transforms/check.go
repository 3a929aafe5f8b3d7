package transforms

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Check validates a value after its transforms. A Check is safe for
// concurrent use. Empty values pass every check but required; a list passes
// when each of its items passes. The error says what to fix, e.g.
// "max_length 50: value has 63 characters".
type Check interface {
	Check(Value) error
}

// Checks runs several checks and returns the first failure.
type Checks []Check

// Check runs every check on v.
func (cs Checks) Check(v Value) error {
	for _, c := range cs {
		if err := c.Check(v); err != nil {
			return err
		}
	}
	return nil
}

var checkNames = []string{"required", "email", "regex", "one_of", "min_length", "max_length", "min", "max"}

// CheckNames returns the names NewCheck accepts, sorted.
func CheckNames() []string { return slices.Sorted(slices.Values(checkNames)) }

// NewCheck builds the check called name from its argument as decoded from
// YAML (see New). The argument shape of each check is described in the
// package documentation. Errors about the argument are *ArgError values.
func NewCheck(name string, arg any) (Check, error) {
	switch name {
	case "required":
		if err := noArg(name, arg); err != nil {
			return nil, err
		}
		return requiredCheck{}, nil
	case "email":
		if err := noArg(name, arg); err != nil {
			return nil, err
		}
		return textCheck{checkEmail}, nil
	case "regex":
		return newRegexCheck(arg)
	case "one_of":
		return newOneOf(arg)
	case "min_length", "max_length":
		return newLengthCheck(name, arg)
	case "min", "max":
		return newBound(name, arg)
	}
	msg := fmt.Sprintf("unknown check %q", name)
	if s := Suggest(name, checkNames); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return nil, fmt.Errorf("%s; checks are %s", msg, strings.Join(CheckNames(), ", "))
}

type requiredCheck struct{}

func (requiredCheck) Check(v Value) error {
	if v.IsEmpty() {
		return fmt.Errorf("required: value is empty")
	}
	return nil
}

// textCheck checks a non-empty text, or each item of a list.
type textCheck struct{ f func(string) error }

func (c textCheck) Check(v Value) error {
	if !v.IsList() {
		if isBlank(v.text) {
			return nil
		}
		return c.f(v.text)
	}
	for i, it := range v.items {
		if isBlank(it) {
			continue
		}
		if err := c.f(it); err != nil {
			return itemError(i, err)
		}
	}
	return nil
}

// checkEmail accepts a bare address (no display name, no angle brackets)
// whose domain has a dot.
func checkEmail(s string) error {
	if at, ok := plainAddress(s); ok {
		// net/mail reads such an address as it is: no need to ask it.
		if !strings.Contains(s[at+1:], ".") {
			return fmt.Errorf("email: %q has no domain name after @", s)
		}
		return nil
	}
	return checkEmailMail(s)
}

// checkEmailMail is checkEmail through net/mail, for any text.
func checkEmailMail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return fmt.Errorf("email: %q is not a valid address", s)
	}
	if a.Name != "" || a.Address != s {
		return fmt.Errorf("email: %q is not a bare address; keep only %q", s, a.Address)
	}
	at := strings.LastIndexByte(s, '@')
	if !strings.Contains(s[at+1:], ".") {
		return fmt.Errorf("email: %q has no domain name after @", s)
	}
	return nil
}

// plainAddress reports whether s is an address that net/mail reads as a
// bare address equal to s, and where its "@" is: ASCII only, a local part
// and a domain that are each atoms (RFC 5322 atext) joined by single dots,
// not starting or ending with a dot. Other texts, valid or not, are left to
// net/mail.
func plainAddress(s string) (int, bool) {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return 0, false
	}
	if !dotAtom(s[:at]) || !dotAtom(s[at+1:]) {
		return 0, false
	}
	return at, true
}

// dotAtom reports whether s is ASCII atext characters in runs joined by
// single dots, without a dot at either end.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if s[i-1] == '.' {
				return false
			}
			continue
		}
		if c >= utf8.RuneSelf || !atext[c] {
			return false
		}
	}
	return true
}

// atext marks the ASCII characters of RFC 5322's atext, as net/mail reads
// atoms: the visible characters but the specials ()<>[]:;@\,".
var atext = func() (t [utf8.RuneSelf]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !strings.ContainsRune(`()<>[]:;@\,".`, c)
	}
	return t
}()

// newRegexCheck: "pattern" or {pattern: "...", message: "..."}. The
// pattern must match the whole value.
func newRegexCheck(arg any) (Check, error) {
	pat, msg := "", ""
	if s, ok := arg.(string); ok {
		pat = s
	} else if o, ok := asOptions("regex", arg); ok {
		if err := o.check("pattern", "message"); err != nil {
			return nil, err
		}
		var err error
		if pat, _, err = o.str("pattern"); err != nil {
			return nil, err
		}
		if msg, _, err = o.str("message"); err != nil {
			return nil, err
		}
	} else {
		return nil, argErr("regex", "", `the argument is a pattern or a map {pattern: "...", message: "..."}, got %s`, kindOf(arg))
	}
	if pat == "" {
		return nil, argErr("regex", "", "pattern is missing")
	}
	re, err := regexp.Compile(`^(?:` + pat + `)$`)
	if err != nil {
		key := ""
		if _, ok := arg.(string); !ok {
			key = "pattern"
		}
		return nil, argErr("regex", key, "bad pattern %q: %s", pat, regexpReason(err))
	}
	return textCheck{func(s string) error {
		if re.MatchString(s) {
			return nil
		}
		if msg != "" {
			return fmt.Errorf("regex: %q: %s", s, msg)
		}
		return fmt.Errorf("regex: %q does not match %s", s, pat)
	}}, nil
}

// newOneOf: [a, b, ...] or {values: [...], ignore_case: true}.
func newOneOf(arg any) (Check, error) {
	var values []string
	ignoreCase := false
	if o, ok := asOptions("one_of", arg); ok {
		if err := o.check("values", "ignore_case"); err != nil {
			return nil, err
		}
		var err error
		var has bool
		if values, has, err = o.list("values"); err != nil {
			return nil, err
		}
		if !has {
			return nil, argErr("one_of", "", "values is missing")
		}
		if ignoreCase, err = o.boolean("ignore_case"); err != nil {
			return nil, err
		}
	} else {
		l, ok := arg.([]any)
		if !ok {
			return nil, argErr("one_of", "", "the argument is a list of values or a map {values: [...], ignore_case: true}, got %s", kindOf(arg))
		}
		var err error
		if values, err = stringList("one_of", "", l); err != nil {
			return nil, err
		}
	}
	if len(values) == 0 {
		return nil, argErr("one_of", "", "the list of values is empty")
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	hint := strings.Join(quoted[:min(len(quoted), 10)], ", ")
	if len(quoted) > 10 {
		hint += fmt.Sprintf(", … %d in all", len(quoted))
	}
	return textCheck{func(s string) error {
		for _, v := range values {
			if s == v || (ignoreCase && strings.EqualFold(s, v)) {
				return nil
			}
		}
		msg := fmt.Sprintf("one_of: %q is not one of %s", s, hint)
		if sug := Suggest(s, values); sug != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", sug)
		}
		return fmt.Errorf("%s", msg)
	}}, nil
}

func newLengthCheck(name string, arg any) (Check, error) {
	f, ok := asFloat(arg)
	if _, isText := arg.(string); isText || !ok || f < 0 || f != float64(int(f)) {
		return nil, argErr(name, "", "the argument is a number of characters, got %s", describe(arg))
	}
	n := int(f)
	return textCheck{func(s string) error {
		c := utf8.RuneCountInString(s)
		if (name == "max_length" && c > n) || (name == "min_length" && c < n) {
			unit := "characters"
			if c == 1 {
				unit = "character"
			}
			return fmt.Errorf("%s %d: value has %d %s", name, n, c, unit)
		}
		return nil
	}}, nil
}

// canonicalNumber is how the number transform writes a number.
var canonicalNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// newBound builds min and max: the value, read as a number, must be at least
// / at most the limit. A value written as the number transform writes it
// ("45.764") is read as such; any other as by the number transform without
// options.
func newBound(name string, arg any) (Check, error) {
	limit, ok := asFloat(arg)
	if !ok {
		return nil, argErr(name, "", "the argument is a number, got %s", describe(arg))
	}
	ls := strconv.FormatFloat(limit, 'f', -1, 64)
	return textCheck{func(s string) error {
		n := strings.TrimSpace(s)
		if !canonicalNumber.MatchString(n) {
			var err error
			if n, err = parseNumber(s, numberFormat{}); err != nil {
				return fmt.Errorf("%s %s: %w", name, ls, err)
			}
		}
		f, _ := strconv.ParseFloat(n, 64)
		switch {
		case name == "min" && f < limit:
			return fmt.Errorf("min %s: value %s is less than %s", ls, n, ls)
		case name == "max" && f > limit:
			return fmt.Errorf("max %s: value %s is more than %s", ls, n, ls)
		}
		return nil
	}}, nil
}
