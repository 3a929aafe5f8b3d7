package pipeline

import (
	"fmt"
	"strings"

	"github.com/stbulk/stbulk/synchroteam/catalog"
)

// EntityReference is the reference of the importable entities, in Markdown,
// made from the registry: docs/entities.md is this text (a test keeps it
// so).
func EntityReference() string {
	var b strings.Builder
	b.WriteString(`# Entities

What import mapping files can import (` + "`import:`" + `), in the order several mapping files are
imported: parents first. Made from the entity registry (` + "`synchroteam/catalog/`" + `); do not edit by hand:
` + "`go test ./pipeline -run TestEntityReference -update`" + ` writes it again.

`)
	for _, e := range catalog.All() {
		fmt.Fprintf(&b, "- [`%s`](#%s--%s): %s\n", e.Name, e.Name, anchor(e.Endpoint), e.Doc)
	}
	for _, e := range catalog.All() {
		fmt.Fprintf(&b, "\n## `%s` — `%s`\n\n%s.\n\n", e.Name, e.Endpoint, upperFirst(e.Doc))
		var facts []string
		switch {
		case len(e.Keys) == 0:
			facts = append(facts, "No upsert key: every row sent creates a record, and a row is never sent twice by a retry.")
		default:
			facts = append(facts, "Upsert keys (one must be mapped): "+codeList(e.Keys)+".")
			if len(e.IDs) > 0 {
				facts = append(facts, "Synchroteam ids ("+codeList(e.IDs)+") update a record but do not make a row safe to send again.")
			}
		}
		if len(e.Required) > 0 {
			facts = append(facts, "Required: "+codeList(e.Required)+".")
		}
		if e.CustomFields {
			facts = append(facts, "Custom fields: `customFieldValues.<Name>`.")
		}
		if e.Batch != nil {
			facts = append(facts, "Sent in batches (`batch_size`).")
			if e.Batch.Group != nil {
				facts = append(facts, "The rows of one group go in one request, all or none.")
			}
		}
		if len(e.Parents) > 0 {
			var ps []string
			for _, l := range e.Parents {
				ps = append(ps, fmt.Sprintf("`%s` → %s `%s`", l.Field, l.Parent.Name, l.ParentField))
			}
			facts = append(facts, "Parents (a row whose parent row failed in the same run is skipped): "+strings.Join(ps, ", ")+".")
		}
		if len(e.ReadKeys) > 0 {
			facts = append(facts, "Read back by "+codeList(e.ReadKeys)+".")
		} else {
			facts = append(facts, "The API cannot read its records back.")
		}
		b.WriteString(strings.Join(facts, " ") + "\n\n")
		b.WriteString("| field | kind | also accepted | meaning |\n| --- | --- | --- | --- |\n")
		for _, f := range e.Fields {
			doc := f.Doc
			switch {
			case f.ReadAs == "-" && len(e.ReadKeys) > 0:
				doc += " (not shown back: plan and verify do not check it)"
			case f.ReadAs != "":
				doc += fmt.Sprintf(" (shown back as `%s`)", f.ReadAs)
			}
			if f.Fold {
				doc += " (compared ignoring case)"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Name, f.Kind, codeList(f.Aliases), doc)
		}
	}
	return b.String()
}

func codeList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, ", ")
}

// anchor is the fragment GitHub gives a heading's text after the entity's
// name: "Customer/Send" → "customersend".
func anchor(s string) string {
	return strings.ToLower(strings.NewReplacer("/", "", " ", "-").Replace(s))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
