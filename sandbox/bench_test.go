package sandbox

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

func benchSend(b *testing.B, s *Server, method, path, body string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", basic(testDomain, testKey))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

func BenchmarkCustomerSend(b *testing.B) {
	s, _ := New(Config{Domain: testDomain, APIKey: testKey, DailyQuota: 1 << 30})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		benchSend(b, s, "POST", "/Api/v2/Customer/Send", fmt.Sprintf(`{"myId":"B-%d","name":"Client %d","adressCity":"Lyon"}`, i, i))
	}
}

func BenchmarkInventoryQuantities(b *testing.B) {
	s, _ := New(Config{Domain: testDomain, APIKey: testKey, Demo: true, DailyQuota: 1 << 30})
	body := `[{"depot":"stock","parts":[{"reference":"KAAQ3104A","quantity":3},{"reference":"JT-20","quantity":"12"}]}]`
	for b.Loop() {
		benchSend(b, s, "PUT", "/Api/v2/Inventory/Quantities", body)
	}
}

func BenchmarkJobSearch(b *testing.B) {
	s, _ := New(Config{Domain: testDomain, APIKey: testKey, Demo: true, DailyQuota: 1 << 30})
	for b.Loop() {
		benchSend(b, s, "POST", "/Api/v2/Jobs/Search", `{"status":5}`)
	}
}
