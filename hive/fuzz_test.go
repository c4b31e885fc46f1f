package hive

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
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

// The list fuzz targets share one property, checked by fuzzList: any input either fails with
// ErrBadResponse or decodes to a list whose every item is valid, whose total counts them, and which
// accounts for every item of the envelope — kept, or skipped with a reason naming a field.

// FuzzDecodeCustomerList fuzzes GET /customers answers.
func FuzzDecodeCustomerList(f *testing.F) {
	addListSeeds(f, apiref.Examples()[apiref.CustomerList].JSON, customerJSON)
	f.Fuzz(fuzzList[Customer])
}

// FuzzDecodeSessionList fuzzes GET /sessions answers.
func FuzzDecodeSessionList(f *testing.F) {
	addListSeeds(f, apiref.Examples()[apiref.SessionList].JSON, sessionJSON)
	f.Fuzz(fuzzList[Session])
}

// FuzzDecodeCheckList fuzzes GET /checks answers.
func FuzzDecodeCheckList(f *testing.F) {
	addListSeeds(f, apiref.Fixed(apiref.Examples()[apiref.CheckList].JSON), checkJSON)
	f.Add(apiref.Examples()[apiref.CheckList].JSON) // the reference's own, invalid JSON
	f.Fuzz(fuzzList[Check])
}

// FuzzDecodeFileList fuzzes GET /files answers.
func FuzzDecodeFileList(f *testing.F) {
	addListSeeds(f, apiref.Fixed(apiref.Examples()[apiref.FileList].JSON), objectJSON("/files"))
	f.Add(apiref.Examples()[apiref.FileList].JSON) // the reference's own, invalid JSON
	f.Fuzz(fuzzList[File])
}

// addListSeeds seeds a list target with the reference's example, and with lists that mix the
// valid object obj with invalid items: a short id, an unknown enum, an implausible time, a wrong
// type, and items that are not objects at all.
func addListSeeds(f *testing.F, example []byte, obj string) {
	f.Helper()
	f.Add(example)
	bad := []string{
		strings.Replace(obj, `"id":"`, `"id":"abc","x":"`, 1),
		strings.Replace(obj, `"status":"`, `"status":"exploded","x":"`, 1),
		strings.Replace(obj, `"created_at":`, `"created_at":253402300800,"x":`, 1),
		strings.Replace(obj, `"created_at":`, `"created_at":"soon","x":`, 1),
		strings.Replace(obj, `"id":"`, `"id":42,"x":"`, 1),
		`null`, `7`, `[]`, `{}`, `"` + chkID + `"`,
	}
	f.Add([]byte(`{"data":[` + obj + `,` + strings.Join(bad, ",") + `,` + obj + `],"meta":{"total":12}}`))
	for _, b := range bad {
		f.Add([]byte(`{"data":[` + b + `],"meta":{"total":1}}`))
	}
	f.Add([]byte(`{"data":[],"meta":{"total":-1}}`))
	f.Add([]byte(`{"data":{}}`))
}

func fuzzList[T any, P interface {
	*T
	validator
}](t *testing.T, data []byte) {
	var l List[T]
	err := decodeBody("fuzz", bytes.NewReader(data), 1<<20, &l)
	if err != nil {
		if !errors.Is(err, ErrBadResponse) {
			t.Fatalf("got %v, want ErrBadResponse", err)
		}
		return
	}
	if l.Meta.Total != len(l.Data) {
		t.Fatalf("meta.total %d, want len(data) %d", l.Meta.Total, len(l.Data))
	}
	for i := range l.Data {
		if err := P(&l.Data[i]).validate(); err != nil {
			t.Fatalf("item %d kept, but invalid: %v", i, err)
		}
	}
	for _, s := range l.skipped {
		var f *invalidField
		if !errors.As(s.err, &f) || fieldName(f.field) != f.field {
			t.Fatalf("item %d skipped for %v, want a reason naming a field", s.index, s.err)
		}
	}
	var raw struct {
		Data []json.RawMessage `json:"data"`
	}
	if json.Unmarshal(data, &raw) == nil && len(raw.Data) != len(l.Data)+len(l.skipped) {
		t.Fatalf("%d items in, %d kept and %d skipped", len(raw.Data), len(l.Data), len(l.skipped))
	}
}
