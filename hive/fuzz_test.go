package hive

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/hiveconsole/hiveconsole/internal/apiref"
)

// FuzzDecodeReport: any input either decodes or fails with a typed error — never a panic — and what
// decodes encodes to JSON that decodes to the same report.
func FuzzDecodeReport(f *testing.F) {
	f.Add(apiref.Examples()[apiref.Report].JSON)
	f.Add([]byte(`{"document_report":{"status":"x","a":{"b":{"c":{}}}}}`))
	f.Add([]byte(`{"facial_report":{"properties":{"emotions":null}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Report
		err := decodeBody("fuzz", bytes.NewReader(data), 1<<20, &r)
		if err != nil {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("got %v, want ErrBadResponse", err)
			}
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		var again Report
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-decode: %v\n%s", err, out)
		}
		out2, _ := json.Marshal(again)
		if !reflect.DeepEqual(out, out2) {
			t.Fatalf("round trip unstable:\n%s\n%s", out, out2)
		}
	})
}
