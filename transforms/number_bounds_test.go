package transforms

import (
	"strings"
	"testing"
)

func TestNumberKeepsDigitsIntegerFitsIn64Bits(t *testing.T) {
	t.Parallel()
	tiny := "0." + strings.Repeat("0", 324) + "49"
	for _, tt := range []struct{ name, in, want, err string }{
		{name: "number", in: "12345678901234567.89", want: "12345678901234567.89"},
		{name: "number", in: "12 345 678 901 234 567,89", want: "12345678901234567.89"},
		{name: "number", in: "1234567890123456789", want: "1234567890123456789"},
		{name: "number", in: "4.9e-325", want: tiny},
		{name: "number", in: "99999999999999999999", want: "99999999999999999999"},
		{name: "integer", in: "1234567890123456789", want: "1234567890123456789"},
		{name: "integer", in: "9 223 372 036 854 775 807", want: "9223372036854775807"},
		{name: "integer", in: "-9223372036854775808", want: "-9223372036854775808"},
		{name: "integer", in: "9223372036854775808", err: `integer: "9223372036854775808" is beyond the 64-bit range of whole numbers`},
		{name: "integer", in: "1E308", err: `integer: "1E308" is beyond the 64-bit range of whole numbers`},
	} {
		tr, err := New(tt.name, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := tr.Apply(Text(tt.in))
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("%s(%q) = %q, %v; want error %q", tt.name, tt.in, v.String(), err, tt.err)
		case tt.err == "" && (err != nil || v.String() != tt.want):
			t.Errorf("%s(%q) = %q, %v; want %q", tt.name, tt.in, v.String(), err, tt.want)
		}
	}
}
