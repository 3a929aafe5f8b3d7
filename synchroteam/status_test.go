package synchroteam

import "testing"

func TestStatusNames(t *testing.T) {
	t.Parallel()
	if JobStatusName(6) != "validated" || JobStatusName(9) != "" || InvoiceStatusName("Invoice", 3) != "paid" ||
		InvoiceStatusName("quotation", 3) != "" || BlockItemTypeName(8) != "picture" || BlockItemTypeName(6) != "" {
		t.Error("status names do not follow the reference")
	}
}
