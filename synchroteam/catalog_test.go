package synchroteam

import "testing"

func TestLookupEntityReturnsACopy(t *testing.T) {
	t.Parallel()
	e, ok := LookupEntity("customer")
	if !ok {
		t.Fatal("no customer entity")
	}
	e.Keys[1] = "name"
	e.Fields[0].Name = "changed"
	again, _ := LookupEntity("customer")
	if again.Keys[1] != "myId" || again.Fields[0].Name != "id" {
		t.Errorf("a caller's change reached the catalog: %+v", again.Keys)
	}
}

func TestKeyedIgnoresIDs(t *testing.T) {
	t.Parallel()
	e, _ := LookupEntity("customer")
	for payload, want := range map[*map[string]any]bool{
		{"id": "12"}:                false,
		{"myId": "  "}:              false,
		{"myId": "C-1"}:             true,
		{"id": "12", "myId": "C-1"}: true,
	} {
		if got := e.Keyed(*payload); got != want {
			t.Errorf("Keyed(%v) = %v, want %v", *payload, got, want)
		}
	}
	job, _ := LookupEntity("job")
	if job.Keyed(map[string]any{"idJob": "265_1"}) || !job.Keyed(map[string]any{"num": int64(13473)}) {
		t.Error("job: idJob alone must not count, num must")
	}
}

func TestStatusNames(t *testing.T) {
	t.Parallel()
	if JobStatusName(6) != "validated" || JobStatusName(9) != "" || InvoiceStatusName("Invoice", 3) != "paid" ||
		InvoiceStatusName("quotation", 3) != "" || BlockItemTypeName(8) != "picture" || BlockItemTypeName(6) != "" {
		t.Error("status names do not follow the reference")
	}
}
