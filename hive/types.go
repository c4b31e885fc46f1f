package hive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Customer is an individual who will be the subject of a verification check.
// Optional attributes are pointers: nil means the API sent null, a pointer to "" means it sent "".
type Customer struct {
	ID         string    `json:"id"`
	Email      string    `json:"email"`
	Phone      *string   `json:"phone"`
	FirstName  *string   `json:"first_name"`
	MiddleName *string   `json:"middle_name"`
	LastName   *string   `json:"last_name"`
	Gender     *string   `json:"gender"`
	DOB        *string   `json:"dob"` // dd-mm-yyyy, as the API sends it
	Metadata   Metadata  `json:"metadata"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// FullName joins the first, middle and last names that are set, in that order.
func (c *Customer) FullName() string {
	var b []byte
	for _, p := range []*string{c.FirstName, c.MiddleName, c.LastName} {
		if p == nil || *p == "" {
			continue
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, *p...)
	}
	return string(b)
}

// MarshalJSON writes the customer exactly in the reference's shape.
func (c Customer) MarshalJSON() ([]byte, error) {
	type plain Customer
	return json.Marshal(struct {
		plain
		CreatedAt unixTime `json:"created_at"`
		UpdatedAt unixTime `json:"updated_at"`
	}{plain(c), unixTime(c.CreatedAt), unixTime(c.UpdatedAt)})
}

// UnmarshalJSON reads the reference's shape, timestamps in Unix seconds.
func (c *Customer) UnmarshalJSON(b []byte) error {
	type plain Customer
	return json.Unmarshal(b, &struct {
		*plain
		CreatedAt *unixTime `json:"created_at"`
		UpdatedAt *unixTime `json:"updated_at"`
	}{(*plain)(c), (*unixTime)(&c.CreatedAt), (*unixTime)(&c.UpdatedAt)})
}

// Session lets a customer send personal data to Hive through an SDK. Its token is a JWT that expires
// 90 minutes after creation.
type Session struct {
	ID            string        `json:"id"`
	CustomerID    string        `json:"customer"`
	FullName      string        `json:"full_name"`
	Email         string        `json:"email"`
	ApplicationID string        `json:"application_id"`
	WorkspaceID   string        `json:"workspace_id"`
	Status        SessionStatus `json:"status"`
	ExpiresAt     time.Time     `json:"expires_at"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	CheckID       *string       `json:"check_id"`
}

// SessionStatus is where a session is in its life.
type SessionStatus string

// The session statuses Hive uses.
const (
	SessionCreated   SessionStatus = "created"
	SessionCompleted SessionStatus = "completed"
	SessionExpired   SessionStatus = "expired"
)

// MarshalJSON writes the session exactly in the reference's shape and key order.
func (s Session) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID            string        `json:"id"`
		CustomerID    string        `json:"customer"`
		FullName      string        `json:"full_name"`
		Email         string        `json:"email"`
		ApplicationID string        `json:"application_id"`
		WorkspaceID   string        `json:"workspace_id"`
		Status        SessionStatus `json:"status"`
		ExpiresAt     unixTime      `json:"expires_at"`
		CreatedAt     unixTime      `json:"created_at"`
		UpdatedAt     unixTime      `json:"updated_at"`
		CheckID       *string       `json:"check_id"`
	}{s.ID, s.CustomerID, s.FullName, s.Email, s.ApplicationID, s.WorkspaceID, s.Status,
		unixTime(s.ExpiresAt), unixTime(s.CreatedAt), unixTime(s.UpdatedAt), s.CheckID})
}

// UnmarshalJSON reads the reference's shape, timestamps in Unix seconds.
func (s *Session) UnmarshalJSON(b []byte) error {
	type plain Session
	return json.Unmarshal(b, &struct {
		*plain
		ExpiresAt *unixTime `json:"expires_at"`
		CreatedAt *unixTime `json:"created_at"`
		UpdatedAt *unixTime `json:"updated_at"`
	}{(*plain)(s), (*unixTime)(&s.ExpiresAt), (*unixTime)(&s.CreatedAt), (*unixTime)(&s.UpdatedAt)})
}

// SessionToken is what creating a session returns: the JWT an SDK is initialised with. It is
// redacted when printed or logged; read Token to hand it to the SDK.
type SessionToken struct {
	Token string `json:"session_token"`
}

// String redacts the token.
func (t SessionToken) String() string { return "hive.SessionToken{[redacted]}" }

// Format redacts the token whatever the verb.
func (t SessionToken) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue redacts the token in structured logs.
func (t SessionToken) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Check is a verification run on a completed session. Decision and ReportID stay nil while it is
// processing.
type Check struct {
	ID        string      `json:"id"`
	SessionID string      `json:"session_id"`
	Status    CheckStatus `json:"status"`
	Decision  *string     `json:"decision"`
	ReportID  *string     `json:"report"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// CheckStatus is where a check is in its processing.
type CheckStatus string

// The check statuses: a check is created processing and becomes complete once its report exists.
const (
	CheckProcessing CheckStatus = "processing"
	CheckComplete   CheckStatus = "complete"
)

// The decisions Hive records on a completed check; a processing check has none (null).
const (
	DecisionApproved = "approved"
	DecisionReview   = "review"
	DecisionDeclined = "declined"
)

// MarshalJSON writes the check exactly in the reference's shape.
func (c Check) MarshalJSON() ([]byte, error) {
	type plain Check
	return json.Marshal(struct {
		plain
		CreatedAt unixTime `json:"created_at"`
		UpdatedAt unixTime `json:"updated_at"`
	}{plain(c), unixTime(c.CreatedAt), unixTime(c.UpdatedAt)})
}

// UnmarshalJSON reads the reference's shape, timestamps in Unix seconds.
func (c *Check) UnmarshalJSON(b []byte) error {
	type plain Check
	return json.Unmarshal(b, &struct {
		*plain
		CreatedAt *unixTime `json:"created_at"`
		UpdatedAt *unixTime `json:"updated_at"`
	}{(*plain)(c), (*unixTime)(&c.CreatedAt), (*unixTime)(&c.UpdatedAt)})
}

// File is an image stored by Hive: an identity document or the customer's face.
type File struct {
	ID        string    `json:"id"`
	Type      FileType  `json:"type"`
	Metadata  Metadata  `json:"metadata"`
	URL       string    `json:"url"`
	CheckID   *string   `json:"check"`
	CreatedAt time.Time `json:"created_at"`
}

// FileType says what an image shows.
type FileType string

// The file types the console knows; others are kept verbatim.
const (
	FilePortrait      FileType = "portrait"
	FileDocumentFront FileType = "document_front"
	FileDocumentBack  FileType = "document_back"
)

// MarshalJSON writes the file exactly in the reference's shape.
func (f File) MarshalJSON() ([]byte, error) {
	type plain File
	return json.Marshal(struct {
		plain
		CreatedAt unixTime `json:"created_at"`
	}{plain(f), unixTime(f.CreatedAt)})
}

// UnmarshalJSON reads the reference's shape, timestamps in Unix seconds.
func (f *File) UnmarshalJSON(b []byte) error {
	type plain File
	return json.Unmarshal(b, &struct {
		*plain
		CreatedAt *unixTime `json:"created_at"`
	}{(*plain)(f), (*unixTime)(&f.CreatedAt)})
}

// Metadata is a set of key-value pairs attached to a customer or a file. A nil Metadata is JSON null;
// an empty one is {}. Values that the API sends as numbers or booleans are kept as their JSON text.
type Metadata map[string]string

// errMetadata marks metadata that is not an object of plain values.
var errMetadata = errors.New("metadata")

// UnmarshalJSON accepts an object whose values are strings, numbers, booleans or null.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*m = nil
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("%w: %w", errMetadata, err)
	}
	out := make(Metadata, len(raw))
	for k, v := range raw {
		switch {
		case len(v) > 0 && v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("%w %q: %w", errMetadata, k, err)
			}
			out[k] = s
		case bytes.Equal(v, []byte("null")):
			out[k] = ""
		case len(v) > 0 && (v[0] == '{' || v[0] == '['):
			return fmt.Errorf("%w %q: nested values are not supported", errMetadata, k)
		default:
			out[k] = string(v)
		}
	}
	*m = out
	return nil
}
