package scaffold

import (
	_ "embed"
	"fmt"
	"strings"
)

// synonymsText is the table of header synonyms and entity words; see its
// first lines for the format.
//
//go:embed synonyms.txt
var synonymsText string

// table is synonyms.txt, read once at start-up; a mistake in it is a
// mistake in this package, which TestSynonymsTable finds first.
var table = mustTable(synonymsText)

// synonymTable holds the two sections of synonyms.txt.
type synonymTable struct {
	fields   map[string][]string // field, or entity:field → other names
	entities map[string][]string // entity → the words naming it
}

func mustTable(text string) synonymTable {
	t, err := parseTable(text)
	if err != nil {
		panic(err)
	}
	return t
}

func parseTable(text string) (synonymTable, error) {
	t := synonymTable{fields: map[string][]string{}, entities: map[string][]string{}}
	var section map[string][]string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case line == "[fields]":
			section = t.fields
			continue
		case line == "[entities]":
			section = t.entities
			continue
		}
		key, list, ok := strings.Cut(line, ": ")
		if !ok || section == nil || strings.TrimSpace(key) == "" {
			return t, fmt.Errorf("synonyms.txt:%d: want \"key: name | name\" under [fields] or [entities], got %q", i+1, line)
		}
		for _, w := range strings.Split(list, "|") {
			if w = strings.TrimSpace(w); w != "" {
				section[key] = append(section[key], w)
			}
		}
	}
	return t, nil
}

// stopWords are dropped from headers before matching.
var stopWords = []string{"de", "du", "des", "la", "le", "les", "l", "d", "of", "the", "del", "der", "die", "das", "di", "da", "do", "dos", "el", "los", "en"}

// numberWords, alone or before "°", "º", "#", ".", stand for "number":
// "N° client", "No. client", "Nr. Kunde", "# client" are "num client".
var numberWords = []string{"n", "no", "nr", "nro", "num", "numero", "number", "nb", "nummer", "#"}
