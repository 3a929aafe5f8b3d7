package scaffold

// Synonyms exposes synonyms.txt to the tests of scaffold_test.
func Synonyms() struct{ Fields, Entities map[string][]string } {
	return struct{ Fields, Entities map[string][]string }{table.fields, table.entities}
}
