package pipeline

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	return compile(t, Schema)
}

func compile(t *testing.T, schema func() ([]byte, error)) *jsonschema.Schema {
	t.Helper()
	raw, err := schema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("mapping.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("mapping.schema.json")
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return sch
}

// yamlAsJSON reads a mapping file as the JSON value an editor checks.
func yamlAsJSON(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchemaAcceptsWhatLoadAccepts(t *testing.T) {
	t.Parallel()
	sch := compileSchema(t)
	sources := map[string][]byte{"good": []byte(goodMapping), "duplicates": []byte("duplicates: last\n" + goodMapping),
		"limits": []byte("limits:\n  fields_per_row: 200\n  field_bytes: 64 KiB\n  row_bytes: 1048576\n  shared_strings: 1000\n  shared_string_bytes: 1gib\n  xml_depth: 30\n" + goodMapping)}
	files, _ := exampleFiles(false)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = b
	}
	for name, src := range sources {
		if _, err := Parse(name, src); err != nil {
			t.Errorf("%s does not load: %v", name, err)
			continue
		}
		if err := sch.Validate(yamlAsJSON(t, src)); err != nil {
			t.Errorf("%s loads but the schema refuses it: %v", name, err)
		}
	}
}

func TestSchemaRefusesMistakes(t *testing.T) {
	t.Parallel()
	sch := compileSchema(t)
	for name, src := range map[string]string{
		"unknown top key":        "version: 1\nimport: customer\nsorce: a.csv\nfields: {myId: A}\n",
		"unknown entity":         "version: 1\nimport: custmer\nfields: {myId: A}\n",
		"unknown duplicates":     "version: 1\nimport: customer\nduplicates: frist\nfields: {myId: A}\n",
		"unknown field":          "version: 1\nimport: customer\nfields: {nmae: A}\n",
		"two sources":            "version: 1\nimport: customer\nfields: {myId: {column: A, value: b}}\n",
		"bad transform":          "version: 1\nimport: customer\nfields: {myId: {column: A, transform: [numbr]}}\n",
		"custom field on a part": "version: 1\nimport: part\nfields: {reference: A, customFieldValues.X: B}\n",
		"size with a fraction":   "version: 1\nimport: customer\nlimits: {row_bytes: 1.5 MiB}\nfields: {myId: A}\n",
		"unknown limit":          "version: 1\nimport: customer\nlimits: {rows: 5}\nfields: {myId: A}\n",
	} {
		if err := sch.Validate(yamlAsJSON(t, []byte(src))); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

func TestExportSchema(t *testing.T) {
	t.Parallel()
	sch := compile(t, ExportSchema)
	files, err := exampleFiles(true)
	if err != nil || len(files) == 0 {
		t.Fatalf("no export examples: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(yamlAsJSON(t, b)); err != nil {
			t.Errorf("%s loads but the schema refuses it: %v", f, err)
		}
	}
	for _, tc := range brokenExportMappings {
		switch tc.name {
		case "empty", "bad date layout", "bad timezone", "escaping spreadsheet", "template going up", "same header twice",
			"csv options on xlsx", "decimal is the delimiter", "decimal comma, default delimiter", "main sheet left out",
			"bad filter date", "photos unknown field", "pdf with a photo field", "accounts on invoices", "journal without accounts", "journal bad rate":
			continue // checked by the loader only
		}
		if err := sch.Validate(yamlAsJSON(t, []byte(tc.src))); err == nil {
			t.Errorf("%s: the schema accepts it", tc.name)
		}
	}
}
