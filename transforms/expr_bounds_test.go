package transforms

import (
	"fmt"
	"testing"
)

func TestExprWorkIsBounded(t *testing.T) {
	t.Parallel()
	want := fmt.Sprintf("expression stopped: it does more than %d operations", maxOperations)
	for _, src := range []string{
		`let r = 1..900000; all(r, {all(r, {len(Name) > 0})})`,
		`let r = 1..900000; count(r, {any(r, {# < 0})}) > 0`,
		`any(1..1000, {any(1..1000, {any(1..1000, {Name == "x"})})})`,
	} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			f, err := NewFilter(src, []string{"Name"})
			if err != nil {
				t.Fatal(err)
			}
			// The budget's error is what shows the work was cut short: an
			// unbounded evaluation of these runs for hours. (No wall-clock
			// bound here: the machines running the tests are shared.)
			_, err = f.Match([]string{"Ada"}, 2)
			if err == nil || err.Error() != want {
				t.Errorf("error = %v, want %q", err, want)
			}
			// The runner is reused: a second row starts with a fresh budget.
			if _, err := f.Match([]string{"Ada"}, 3); err == nil || err.Error() != want {
				t.Errorf("second row: error = %v, want %q", err, want)
			}
		})
	}
}

func TestExprOrdinaryLoopsStillWork(t *testing.T) {
	t.Parallel()
	e, err := NewExpr(`let parts = split(Name, " "); join(map(filter(parts, {len(#) > 1}), {upper(#)}), "-")`, []string{"Name"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		v, err := e.Eval([]string{"ada b lovelace"}, 2+i)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.String(); got != "ADA-LOVELACE" {
			t.Errorf("Eval = %q", got)
		}
	}
	f, err := NewFilter(`all(1..1000, {any(1..50, {# > 0})}) and len(Name) > 0`, []string{"Name"})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := f.Match([]string{"Ada"}, 2); err != nil || !ok {
		t.Errorf("Match = %v, %v", ok, err)
	}
}
