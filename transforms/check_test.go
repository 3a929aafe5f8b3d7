package transforms

import (
	"strings"
	"testing"
)

func TestChecks(t *testing.T) {
	t.Parallel()
	colors := []any{"red", "green", "blue"}
	tests := []struct {
		name    string
		arg     any
		in      Value
		wantErr string // "" when the value passes
	}{
		{name: "required", in: Text("x")},
		{name: "required", in: Text(""), wantErr: "required: value is empty"},
		{name: "required", in: Text(" \u00a0"), wantErr: "required: value is empty"},
		{name: "required", in: List(nil), wantErr: "required: value is empty"},
		{name: "required", in: List([]string{"a"})},

		{name: "email", in: Text("jean.dupont@example.fr")},
		{name: "email", in: Text("")},
		{name: "email", in: Text("jean dupont@example.fr"), wantErr: `email: "jean dupont@example.fr" is not a valid address`},
		{name: "email", in: Text("Jean <jean@example.fr>"), wantErr: `email: "Jean <jean@example.fr>" is not a bare address; keep only "jean@example.fr"`},
		{name: "email", in: Text("<jean@example.fr>"), wantErr: `email: "<jean@example.fr>" is not a bare address; keep only "jean@example.fr"`},
		{name: "email", in: Text("jean@localhost"), wantErr: `email: "jean@localhost" has no domain name after @`},
		{name: "email", in: Text("jean.example.fr"), wantErr: `email: "jean.example.fr" is not a valid address`},
		{name: "email", in: List([]string{"a@b.fr", "nope"}), wantErr: `item 2: email: "nope" is not a valid address`},

		{name: "regex", arg: `[A-Z]{3}-\d+`, in: Text("ABC-12")},
		{name: "regex", arg: `[A-Z]{3}-\d+`, in: Text("xABC-12"), wantErr: `regex: "xABC-12" does not match [A-Z]{3}-\d+`},
		{name: "regex", arg: `a|b`, in: Text("ab"), wantErr: `regex: "ab" does not match a|b`},
		{name: "regex", arg: map[string]any{"pattern": `\d{5}`, "message": "a postcode has 5 digits"}, in: Text("7500"), wantErr: `regex: "7500": a postcode has 5 digits`},

		{name: "one_of", arg: colors, in: Text("green")},
		{name: "one_of", arg: colors, in: Text("Green"), wantErr: `one_of: "Green" is not one of "red", "green", "blue" (did you mean "green"?)`},
		{name: "one_of", arg: colors, in: Text("purple"), wantErr: `one_of: "purple" is not one of "red", "green", "blue"`},
		{name: "one_of", arg: map[string]any{"values": colors, "ignore_case": true}, in: Text("BLUE")},

		{name: "max_length", arg: 5, in: Text("Élodi")},
		{name: "max_length", arg: 50, in: Text(strings.Repeat("é", 63)), wantErr: "max_length 50: value has 63 characters"},
		{name: "min_length", arg: 2, in: Text("é"), wantErr: "min_length 2: value has 1 character"},

		{name: "min", arg: 0, in: Text("0")},
		{name: "min", arg: 0, in: Text("-3,5"), wantErr: "min 0: value -3.5 is less than 0"},
		{name: "max", arg: 99.5, in: Text("1 000"), wantErr: "max 99.5: value 1000 is more than 99.5"},
		{name: "max", arg: 100, in: Text("abc"), wantErr: `max 100: "abc" is not a number (unexpected 'a')`},
		{name: "max", arg: 100, in: Text("")},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.in.String(), func(t *testing.T) {
			t.Parallel()
			c, err := NewCheck(tt.name, tt.arg)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Check(tt.in)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check(%q) = %v, want nil", tt.in, err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("Check(%q) = %v, want %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestChecksFirstFailure(t *testing.T) {
	t.Parallel()
	req, _ := NewCheck("required", nil)
	maxLen, _ := NewCheck("max_length", 3)
	cs := Checks{req, maxLen}
	if err := cs.Check(Text("abcd")); err == nil || err.Error() != "max_length 3: value has 4 characters" {
		t.Errorf("got %v", err)
	}
	if err := cs.Check(Text("")); err == nil || err.Error() != "required: value is empty" {
		t.Errorf("got %v", err)
	}
	if err := cs.Check(Text("abc")); err != nil {
		t.Errorf("got %v", err)
	}
}

// min and max read the number transform's own output ("45.764") as the
// number it is, so that a range check can follow a number transform.
func TestBoundsReadCanonicalNumbers(t *testing.T) {
	t.Parallel()
	chain, err := New("number", map[string]any{"decimal": ","})
	if err != nil {
		t.Fatal(err)
	}
	lo, _ := NewCheck("min", -90)
	hi, _ := NewCheck("max", 90)
	for in, wantErr := range map[string]bool{"45,764": false, "-89,5": false, "90,001": true, "1 234,5": true} {
		v, err := chain.Apply(Text(in))
		if err != nil {
			t.Fatalf("number(%q): %v", in, err)
		}
		err = Checks{lo, hi}.Check(v)
		if (err != nil) != wantErr {
			t.Errorf("%q → %q: check error %v, want error %v", in, v.String(), err, wantErr)
		}
	}
}
