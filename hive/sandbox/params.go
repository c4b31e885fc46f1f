package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/mail"
	"strings"
	"time"
)

// Limits on what a request may carry, as a real API would enforce them.
const (
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 500
	maxNameLen          = 100
	maxEmailLen         = 254
)

// params is a request body: plain fields and metadata entries, from a form (-d k=v,
// metadata[k]=v) or a JSON object. A field sent empty is present with "".
type params struct {
	fields        map[string]string
	metadata      map[string]string
	clearMetadata bool // "metadata=" (form) or "metadata": null (JSON): drop every key
}

// readParams parses the body as form or JSON according to its Content-Type, refusing parameters
// outside allowed.
func readParams(r *http.Request, allowed ...string) (params, error) {
	p := params{fields: map[string]string{}, metadata: map[string]string{}}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "application/json" {
		err = p.readJSON(r)
	} else {
		err = p.readForm(r)
	}
	if err != nil {
		return p, err
	}
	for k := range p.fields {
		if k == "metadata" {
			continue
		}
		if !contains(allowed, k) {
			return p, invalidRequest(k, "unknown parameter %q", k)
		}
	}
	if (len(p.metadata) > 0 || p.clearMetadata) && !contains(allowed, "metadata") {
		return p, invalidRequest("metadata", "unknown parameter %q", "metadata")
	}
	return p, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (p *params) readForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return err
		}
		return invalidRequest("", "the body is not valid form data")
	}
	for k, vs := range r.PostForm {
		v := vs[len(vs)-1]
		if key, ok := metadataKey(k); ok {
			if key == "" {
				return invalidRequest(k, "metadata keys look like metadata[key]")
			}
			p.metadata[key] = v
			continue
		}
		if k == "metadata" {
			if v != "" {
				return invalidRequest("metadata", "send metadata as metadata[key]=value")
			}
			p.clearMetadata = true
			continue
		}
		p.fields[k] = v
	}
	return nil
}

// metadataKey reads "metadata[key]".
func metadataKey(k string) (string, bool) {
	if !strings.HasPrefix(k, "metadata[") || !strings.HasSuffix(k, "]") {
		return "", false
	}
	key := k[len("metadata[") : len(k)-1]
	if strings.ContainsAny(key, "[]") {
		return "", true
	}
	return key, true
}

func (p *params) readJSON(r *http.Request) error {
	var body map[string]json.RawMessage
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&body); err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return err
		}
		return invalidRequest("", "the body is not a JSON object")
	}
	for k, raw := range body {
		if k == "metadata" {
			if string(raw) == "null" {
				p.clearMetadata = true
				continue
			}
			var m map[string]*string
			if err := json.Unmarshal(raw, &m); err != nil {
				return invalidRequest("metadata", "metadata must be an object of strings")
			}
			for mk, mv := range m {
				p.metadata[mk] = deref(mv)
			}
			continue
		}
		var v *string
		if err := json.Unmarshal(raw, &v); err != nil {
			return invalidRequest(k, "%s must be a string", k)
		}
		p.fields[k] = deref(v)
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// validEmail accepts a bare address (no display name) with a dotted domain.
func validEmail(s string) bool {
	if len(s) > maxEmailLen {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

// validPhone is plausibility, not truth: an optional +, then 7–15 digits, with spaces, dots, dashes
// and parentheses allowed between them.
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// checkDOB accepts dd-mm-yyyy: a real date, not in the future, not before 1900.
func checkDOB(s string, now time.Time) error {
	if len(s) != len("02-01-2006") {
		return fmt.Errorf("dob must be dd-mm-yyyy")
	}
	d, err := time.Parse("02-01-2006", s)
	if err != nil {
		return fmt.Errorf("dob must be a real date in dd-mm-yyyy format")
	}
	if d.After(now) {
		return fmt.Errorf("dob cannot be in the future")
	}
	if d.Year() < 1900 {
		return fmt.Errorf("dob cannot be before 1900")
	}
	return nil
}

// checkMetadata enforces the limits on the metadata a customer ends up with.
func checkMetadata(m map[string]string) error {
	if len(m) > maxMetadataKeys {
		return invalidField("metadata", "metadata may have at most %d keys", maxMetadataKeys)
	}
	for k, v := range m {
		if len(k) > maxMetadataKeyLen {
			return invalidField("metadata", "metadata keys may be at most %d characters", maxMetadataKeyLen)
		}
		if len(v) > maxMetadataValueLen {
			return invalidField("metadata", "metadata values may be at most %d characters", maxMetadataValueLen)
		}
	}
	return nil
}
