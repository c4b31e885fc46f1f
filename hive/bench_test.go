package hive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hiveconsole/hiveconsole/internal/apiref"
	"time"
)

// customerListJSON builds a list response of n customers shaped like the reference's.
func customerListJSON(tb testing.TB, n int) []byte {
	tb.Helper()
	list := List[Customer]{Meta: ListMeta{Total: n}}
	for i := range n {
		first, last := fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i)
		c := Customer{
			ID:        fmt.Sprintf("%08x-4245-4eca-835c-4a160b93b030", i),
			Email:     fmt.Sprintf("customer%d@example.com", i),
			FirstName: &first, LastName: &last,
			Metadata:  Metadata{"plan": "gold", "external_id": fmt.Sprint(i)},
			CreatedAt: time.Unix(1602241760+int64(i), 0), UpdatedAt: time.Unix(1602241760+int64(i), 0),
		}
		if i%3 == 0 {
			c.Phone = String("+447700900123")
		}
		list.Data = append(list.Data, c)
	}
	b, err := json.Marshal(list)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkDecodeCustomerList10k decodes a 10,000-customer list as ListCustomers does.
func BenchmarkDecodeCustomerList10k(b *testing.B) {
	body := customerListJSON(b, 10_000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var out List[Customer]
		if err := decodeBody("GET /customers", bytes.NewReader(body), DefaultMaxResponseBytes, &out); err != nil {
			b.Fatal(err)
		}
		if len(out.Data) != 10_000 {
			b.Fatalf("got %d customers", len(out.Data))
		}
	}
}

// BenchmarkDecodeReport decodes the reference's full report.
func BenchmarkDecodeReport(b *testing.B) {
	body := apiref.Examples()[apiref.Report].JSON
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var r Report
		if err := decodeBody("GET /checks/{id}/report", bytes.NewReader(body), DefaultMaxObjectBytes, &r); err != nil {
			b.Fatal(err)
		}
	}
}
