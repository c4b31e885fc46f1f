package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/nyaruka/phonenumbers"
)

// Limits the console checks before Hive sees a customer, matching what Hive enforces.
const (
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 500
	maxNameLen          = 100
	blankMetadataRows   = 3 // empty rows a form offers for new entries
)

// customerForm is a customer as a form sends it: every value as typed.
type customerForm struct {
	Email, Phone, FirstName, MiddleName, LastName, Gender, DOB string
	Metadata                                                   []views.KeyValue // in form order; empty keys are ignored
	Version                                                    string           // edit only: customerVersion of what the form was opened on
}

// readCustomerForm reads the fields and the metadata rows (meta_key_N / meta_value_N).
func readCustomerForm(v url.Values) customerForm {
	f := customerForm{
		Email: strings.TrimSpace(v.Get("email")), Phone: strings.TrimSpace(v.Get("phone")),
		FirstName: strings.TrimSpace(v.Get("first_name")), MiddleName: strings.TrimSpace(v.Get("middle_name")),
		LastName: strings.TrimSpace(v.Get("last_name")), Gender: v.Get("gender"), DOB: strings.TrimSpace(v.Get("dob")),
	}
	f.Version = v.Get("version")
	for i := 0; i < maxMetadataKeys+blankMetadataRows; i++ {
		k, val := strings.TrimSpace(v.Get(fmt.Sprintf("meta_key_%d", i))), v.Get(fmt.Sprintf("meta_value_%d", i))
		if k == "" && val == "" {
			continue
		}
		f.Metadata = append(f.Metadata, views.KeyValue{Key: k, Value: val})
	}
	return f
}

// formFromCustomer fills a form with a stored customer.
func formFromCustomer(c *hive.Customer) customerForm {
	f := customerForm{Email: c.Email, Phone: deref(c.Phone), FirstName: deref(c.FirstName), MiddleName: deref(c.MiddleName),
		LastName: deref(c.LastName), Gender: deref(c.Gender), DOB: deref(c.DOB), Version: customerVersion(c)}
	for k, v := range c.Metadata {
		f.Metadata = append(f.Metadata, views.KeyValue{Key: k, Value: v})
	}
	sort.Slice(f.Metadata, func(i, j int) bool { return f.Metadata[i].Key < f.Metadata[j].Key })
	return f
}

// Validate checks a new customer: every rule the console knows, before Hive sees it, with a message
// per bad field. It normalises the phone to E.164 on the way.
func (f *customerForm) Validate(now time.Time) map[string]string {
	errs := f.problems(now)
	if bad, _ := checkMetadata(f.Metadata, nil); bad != "" {
		errs["metadata"] = bad
	}
	if errs["phone"] == "" && f.Phone != "" {
		f.Phone, _ = normalisePhone(f.Phone)
	}
	return errs
}

// ValidateEdit checks an edit of stored, the customer as Hive holds it now. Only what the user
// changed is checked as strictly as a new customer: a field left as stored is never a reason to
// refuse the save, since Hive accepted it and real records hold values the console's stricter
// rules doubt (a phone number libphonenumber does not know, say). What the console would refuse in
// such a field comes back as a warning instead, and the field keeps its stored value exactly, so
// the save does not rewrite it. A field counts as left as stored when it equals the stored value
// as the form reads values: trimmed, and a phone by its digits, so spacing alone changes nothing.
// A changed phone that passes is normalised to E.164.
func (f *customerForm) ValidateEdit(stored customerForm, now time.Time) (errs, warnings map[string]string) {
	kept := map[string]bool{}
	for _, fd := range f.fields(&stored) {
		if *fd.now == strings.TrimSpace(*fd.was) || (fd.name == "phone" && phoneKey(*fd.now) == phoneKey(*fd.was)) {
			*fd.now, kept[fd.name] = *fd.was, true
		}
	}
	errs, warnings = map[string]string{}, map[string]string{}
	for field, msg := range f.problems(now) {
		if kept[field] {
			warnings[field] = msg
		} else {
			errs[field] = msg
		}
	}
	bad, doubtful := checkMetadata(f.Metadata, stored.metadataMap())
	if bad != "" {
		errs["metadata"] = bad
	}
	if doubtful != "" {
		warnings["metadata"] = doubtful
	}
	if !kept["phone"] && errs["phone"] == "" && f.Phone != "" {
		f.Phone, _ = normalisePhone(f.Phone)
	}
	return errs, warnings
}

// formField is one single-valued field of the form, by the name its messages go under.
type formField struct {
	name     string
	now, was *string
}

// fields pairs each single-valued field of f with the same field of other.
func (f *customerForm) fields(other *customerForm) []formField {
	return []formField{
		{"email", &f.Email, &other.Email}, {"phone", &f.Phone, &other.Phone},
		{"first_name", &f.FirstName, &other.FirstName}, {"middle_name", &f.MiddleName, &other.MiddleName},
		{"last_name", &f.LastName, &other.LastName}, {"gender", &f.Gender, &other.Gender}, {"dob", &f.DOB, &other.DOB},
	}
}

// problems checks the rules of the single-valued fields as they stand, changing nothing: a message
// per field that breaks one.
func (f customerForm) problems(now time.Time) map[string]string {
	errs := map[string]string{}
	if msg := checkEmail(f.Email); msg != "" {
		errs["email"] = msg
	}
	if f.Phone != "" {
		if _, msg := normalisePhone(f.Phone); msg != "" {
			errs["phone"] = msg
		}
	}
	for field, v := range map[string]string{"first_name": f.FirstName, "middle_name": f.MiddleName, "last_name": f.LastName} {
		if len([]rune(v)) > maxNameLen {
			errs[field] = fmt.Sprintf("Use at most %d characters.", maxNameLen)
		}
	}
	if f.Gender != "" && f.Gender != "male" && f.Gender != "female" {
		errs["gender"] = "Choose male or female, or leave it empty."
	}
	if f.DOB != "" {
		if msg := checkDOB(f.DOB, now); msg != "" {
			errs["dob"] = msg
		}
	}
	return errs
}

// metadataMap is the form's metadata as Hive holds it: keys with a value.
func (f customerForm) metadataMap() map[string]string {
	m := map[string]string{}
	for _, kv := range f.Metadata {
		if kv.Value != "" {
			m[kv.Key] = kv.Value
		}
	}
	return m
}

// phoneKey is what two spellings of one phone number share: the number without the spaces, dots,
// dashes and brackets people write between its digits, and with + for a leading 00. Anything else
// typed stays, so a key never hides a real change.
func phoneKey(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("-.()", r) {
			return -1
		}
		return r
	}, s)
	if rest, ok := strings.CutPrefix(s, "00"); ok {
		return "+" + rest
	}
	return s
}

func checkEmail(s string) string {
	if s == "" {
		return "Enter the customer's email address."
	}
	a, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	if err != nil || a.Address != s || at < 1 || !strings.Contains(s[at+1:], ".") || len(s) > 254 {
		return "Enter an email address like name@example.com."
	}
	return ""
}

// normalisePhone parses a number in international form and returns it as E.164.
func normalisePhone(s string) (string, string) {
	const msg = "Enter the number in international form, starting with + and the country code, like +44 7400 123456."
	if !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "00") {
		return "", msg
	}
	n, err := phonenumbers.Parse(strings.Replace(s, "00", "+", 1), "")
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return "", msg
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", "That is not a valid number for its country. Check the digits."
	}
	return phonenumbers.Format(n, phonenumbers.E164), ""
}

func checkDOB(s string, now time.Time) string {
	d, err := time.Parse("02-01-2006", s)
	switch {
	case len(s) != 10 || err != nil:
		return "Enter a real date as dd-mm-yyyy, like 24-12-1969."
	case d.After(now):
		return "A date of birth cannot be in the future."
	case d.Year() < 1900:
		return "Enter a date after 1900."
	}
	return ""
}

// checkMetadata returns the first problem with the rows, as bad when the user made it and as
// doubtful when it lies in a stored entry left as it was (key and value as in stored) or in a count
// the user did not raise. A key that appears twice is always the user's doing.
func checkMetadata(rows []views.KeyValue, stored map[string]string) (bad, doubtful string) {
	note := func(msg string, theirs bool) {
		switch {
		case theirs && doubtful == "":
			doubtful = msg
		case !theirs && bad == "":
			bad = msg
		}
	}
	seen := map[string]bool{}
	n := 0
	for _, kv := range rows {
		v, ok := stored[kv.Key]
		asStored := ok && v == kv.Value
		switch {
		case seen[kv.Key]:
			note(fmt.Sprintf("The key %q appears twice.", kv.Key), false)
		case kv.Key == "":
			note("Every value needs a key.", asStored)
		case len(kv.Key) > maxMetadataKeyLen:
			note(fmt.Sprintf("Keys may be at most %d characters.", maxMetadataKeyLen), asStored)
		case strings.ContainsAny(kv.Key, "[]"):
			note("Keys cannot contain [ or ].", asStored)
		case len(kv.Value) > maxMetadataValueLen:
			note(fmt.Sprintf("Values may be at most %d characters.", maxMetadataValueLen), asStored)
		}
		seen[kv.Key] = true
		if kv.Value != "" {
			n++
		}
	}
	if n > maxMetadataKeys {
		note(fmt.Sprintf("At most %d metadata entries.", maxMetadataKeys), stored != nil && n <= len(stored))
	}
	return bad, doubtful
}

// createParams is every field that has a value.
func (f customerForm) createParams() hive.CustomerParams {
	p := hive.CustomerParams{Email: hive.String(f.Email), Metadata: map[string]string{}}
	set := func(dst **string, v string) {
		if v != "" {
			*dst = hive.String(v)
		}
	}
	set(&p.Phone, f.Phone)
	set(&p.FirstName, f.FirstName)
	set(&p.MiddleName, f.MiddleName)
	set(&p.LastName, f.LastName)
	set(&p.Gender, f.Gender)
	set(&p.DOB, f.DOB)
	for _, kv := range f.Metadata {
		if kv.Value != "" {
			p.Metadata[kv.Key] = kv.Value
		}
	}
	return p
}

// updateParams is only what changed from the stored customer (PATCH): a field emptied on purpose
// is sent empty, which clears it; a metadata key removed or emptied is sent empty, which deletes
// it. changed is false when there is nothing to send.
func (f customerForm) updateParams(c *hive.Customer) (p hive.CustomerParams, changed bool) {
	diff := func(dst **string, now string, was *string) {
		if now != deref(was) {
			*dst, changed = hive.String(now), true
		}
	}
	if f.Email != c.Email {
		p.Email, changed = hive.String(f.Email), true
	}
	diff(&p.Phone, f.Phone, c.Phone)
	diff(&p.FirstName, f.FirstName, c.FirstName)
	diff(&p.MiddleName, f.MiddleName, c.MiddleName)
	diff(&p.LastName, f.LastName, c.LastName)
	diff(&p.Gender, f.Gender, c.Gender)
	diff(&p.DOB, f.DOB, c.DOB)
	p.Metadata = map[string]string{}
	kept := map[string]bool{}
	for _, kv := range f.Metadata {
		kept[kv.Key] = kv.Value != ""
		if kv.Value != c.Metadata[kv.Key] {
			p.Metadata[kv.Key] = kv.Value
		}
	}
	for k := range c.Metadata {
		if !kept[k] {
			p.Metadata[k] = ""
		}
	}
	if len(p.Metadata) > 0 {
		changed = true
	} else {
		p.Metadata = nil
	}
	return p, changed
}

// view is the form as the template shows it, with blank rows for new metadata.
func (f customerForm) view(errs, warnings map[string]string) views.CustomerForm {
	v := views.CustomerForm{Email: f.Email, Phone: f.Phone, FirstName: f.FirstName, MiddleName: f.MiddleName,
		LastName: f.LastName, Gender: f.Gender, DOB: f.DOB, Version: f.Version, Errors: errs, Warnings: warnings}
	v.Metadata = append(v.Metadata, f.Metadata...)
	for range blankMetadataRows {
		v.Metadata = append(v.Metadata, views.KeyValue{})
	}
	return v
}

// customerVersion identifies a stored customer's state: its update time and its content, because
// Hive's timestamps have one-second resolution and two saves can share a second.
func customerVersion(c *hive.Customer) string {
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
