package htmlreport

import "strings"

// Tone is how an outcome is coloured: outcomes of one tone share a hue,
// each a shade of it.
type Tone int

// The tones. ToneAuto picks one from the outcome's label: failed,
// rejected, "not as sent" and the like are ToneFailed; skipped and "not
// checkable" ToneHeld; filtered and duplicates ToneLeftOut; unchanged
// ToneSame; sent, created, updated, exported, "as sent" ToneDone; any
// other label ToneOther.
const (
	ToneAuto    Tone = iota
	ToneDone         // done as asked: sent, created, updated, exported
	ToneSame         // nothing to do: unchanged
	ToneLeftOut      // left out on purpose: filtered, duplicates
	ToneHeld         // held back by another row or unknown: skipped
	ToneFailed       // not done: rejected, failed
	ToneOther
)

// palettes are the shades of each tone, the first the strongest.
var palettes = map[Tone][]string{
	ToneDone:    {"#1b7f3b", "#52a865", "#95cf8f"},
	ToneSame:    {"#2f6fb0", "#77a6d6"},
	ToneLeftOut: {"#7d7d7d", "#b3b3b3"},
	ToneHeld:    {"#d99a00", "#f0c75e"},
	ToneFailed:  {"#c0282d", "#e8797c"},
	ToneOther:   {"#7b4fa0", "#00838f", "#a0522d", "#c2185b"},
}

// toneWords are looked for in a label, in this order: "not as sent" is
// ToneFailed before "sent" makes it ToneDone.
var toneWords = []struct {
	tone  Tone
	words []string
}{
	{ToneFailed, []string{"fail", "reject", "error", "not as", "differ", "mismatch", "missing", "not found"}},
	{ToneHeld, []string{"skip", "not checkable", "unknown", "pending"}},
	{ToneLeftOut, []string{"filter", "duplicate", "left out", "excluded"}},
	{ToneSame, []string{"unchanged", "same"}},
	{ToneDone, []string{"sent", "created", "updated", "export", "written", "match", "deleted"}},
}

// toneOf returns the tone of an outcome.
func toneOf(o Outcome) Tone {
	if o.Tone > ToneAuto && o.Tone <= ToneOther {
		return o.Tone
	}
	l := strings.ToLower(o.Label)
	for _, tw := range toneWords {
		for _, w := range tw.words {
			if strings.Contains(l, w) {
				return tw.tone
			}
		}
	}
	return ToneOther
}

// colours returns the colour of each outcome of a mapping: the shades of
// a tone go to its outcomes in order, and come round again past the last.
func colours(os []Outcome) []string {
	used := map[Tone]int{}
	out := make([]string, len(os))
	for i, o := range os {
		t := toneOf(o)
		p := palettes[t]
		out[i] = p[used[t]%len(p)]
		used[t]++
	}
	return out
}
