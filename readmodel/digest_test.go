package readmodel

import (
	"reflect"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

// TestDigestSeesEveryField: a change to any field of what Hive sends (a field added later too)
// changes the digest, so a pass rewrites the row; nil and empty differ; map order does not count.
func TestDigestSeesEveryField(t *testing.T) {
	for _, zero := range []any{&hive.Customer{}, &hive.Session{}, &hive.Check{}, &hive.File{}} {
		typ := reflect.TypeOf(zero).Elem()
		base := digest(zero)
		for i := range typ.NumField() {
			f := typ.Field(i)
			v := reflect.New(typ)
			field := v.Elem().Field(i)
			switch {
			case f.Type == reflect.TypeFor[time.Time]():
				field.Set(reflect.ValueOf(time.Unix(1, 0)))
			case f.Type.Kind() == reflect.String:
				field.SetString("x")
			case f.Type.Kind() == reflect.Pointer: // nil and "" differ
				field.Set(reflect.New(f.Type.Elem()))
			case f.Type.Kind() == reflect.Map: // nil and empty differ
				field.Set(reflect.MakeMap(f.Type))
			default:
				t.Fatalf("%s.%s: a field of a kind the test does not set", typ.Name(), f.Name)
			}
			if digest(v.Interface()) == base {
				t.Errorf("%s.%s changed, the digest did not", typ.Name(), f.Name)
			}
		}
	}
	a := &hive.Customer{Metadata: hive.Metadata{"a": "1", "b": "2", "c": "3"}}
	b := &hive.Customer{Metadata: hive.Metadata{"c": "3", "a": "1", "b": "2"}}
	if digest(a) != digest(b) {
		t.Error("the same metadata gives two digests")
	}
	// Lengths keep fields apart: moving text from one field to the next is a change.
	if digest(&hive.Customer{ID: "ab", Email: "c"}) == digest(&hive.Customer{ID: "a", Email: "bc"}) {
		t.Error("shifting text between fields keeps the digest")
	}
}
