package hive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Report is the outcome of a check: an overall result and three sections of evidence — the identity
// document, the face, and the customer's device and network.
type Report struct {
	ID        string          `json:"id"`
	CheckID   string          `json:"check_id"`
	Version   int             `json:"version"`
	Result    Status          `json:"result"`
	Processed time.Time       `json:"processed"`
	Submitted time.Time       `json:"submitted"`
	Generated time.Time       `json:"generated"`
	Document  *DocumentReport `json:"document_report"`
	Facial    *FacialReport   `json:"facial_report"`
	Customer  *CustomerReport `json:"customer_report"`
}

// MarshalJSON writes the report exactly in the reference's shape and key order.
func (r Report) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID        string          `json:"id"`
		CheckID   string          `json:"check_id"`
		Version   int             `json:"version"`
		Result    Status          `json:"result"`
		Processed unixTime        `json:"processed"`
		Submitted unixTime        `json:"submitted"`
		Generated unixTime        `json:"generated"`
		Document  *DocumentReport `json:"document_report"`
		Facial    *FacialReport   `json:"facial_report"`
		Customer  *CustomerReport `json:"customer_report"`
	}{r.ID, r.CheckID, r.Version, r.Result, unixTime(r.Processed), unixTime(r.Submitted), unixTime(r.Generated),
		r.Document, r.Facial, r.Customer})
}

// UnmarshalJSON reads the reference's shape, timestamps in Unix seconds.
func (r *Report) UnmarshalJSON(b []byte) error {
	type plain Report
	return json.Unmarshal(b, &struct {
		*plain
		Processed *unixTime `json:"processed"`
		Submitted *unixTime `json:"submitted"`
		Generated *unixTime `json:"generated"`
	}{(*plain)(r), (*unixTime)(&r.Processed), (*unixTime)(&r.Submitted), (*unixTime)(&r.Generated)})
}

// Breakdown is one node of a report's tree of checks: its name as the API spells it, its status and
// its sub-checks. Sub-checks keep the API's order, and ones this package does not know are kept too,
// so a viewer can render everything Hive sends.
type Breakdown struct {
	Name      string
	Status    Status
	SubChecks []Breakdown
}

// SubCheck returns the direct sub-check called name, or nil.
func (b *Breakdown) SubCheck(name string) *Breakdown {
	if b == nil {
		return nil
	}
	return findBreakdown(b.SubChecks, name)
}

// MarshalJSON writes {"status": …, "<sub-check>": {…}, …} in order.
func (b Breakdown) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := writeNode(&buf, b.Status, b.SubChecks, nil); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalJSON reads a node: "status" and every member that is an object, in document order.
// Members that are neither (a future score, say) are ignored.
func (b *Breakdown) UnmarshalJSON(data []byte) error {
	*b = Breakdown{Name: b.Name}
	return readNode(data, &b.Status, &b.SubChecks, nil)
}

// Section is what the three parts of a report share: a status and the breakdowns under it.
type Section struct {
	Status     Status
	Breakdowns []Breakdown
}

// Breakdown returns the breakdown called name, or nil.
func (s *Section) Breakdown(name string) *Breakdown {
	if s == nil {
		return nil
	}
	return findBreakdown(s.Breakdowns, name)
}

// The breakdowns and sub-checks of the reference, by section. The API may send others; they are kept.
const (
	// Document section.
	BreakdownDataConsistency            = "data_consistency"
	BreakdownDataValidation             = "data_validation"
	BreakdownDocumentVisualAuthenticity = "document_visual_authenticity"
	// Facial section.
	BreakdownImageIntegrity     = "image_integrity"
	BreakdownFaceComparison     = "face_comparison"
	BreakdownVisualAuthenticity = "visual_authenticity"
	// Customer section.
	BreakdownIP                = "ip"
	BreakdownDeviceFingerprint = "device_fingerprint"
)

// DocumentReport is the evidence about the identity document.
type DocumentReport struct {
	Section
	Properties DocumentProperties
}

// DataConsistency compares the document's visual zone, MRZ and the customer record.
func (d *DocumentReport) DataConsistency() *Breakdown {
	return d.Breakdown(BreakdownDataConsistency)
}

// DataValidation checks formats and check digits.
func (d *DocumentReport) DataValidation() *Breakdown {
	return d.Breakdown(BreakdownDataValidation)
}

// VisualAuthenticity checks the template, fonts, face and security features.
func (d *DocumentReport) VisualAuthenticity() *Breakdown {
	return d.Breakdown(BreakdownDocumentVisualAuthenticity)
}

// MarshalJSON writes the section in order: status, breakdowns, properties.
func (d DocumentReport) MarshalJSON() ([]byte, error) {
	return marshalSection(d.Section, d.Properties)
}

// UnmarshalJSON reads the section, keeping breakdowns in order.
func (d *DocumentReport) UnmarshalJSON(b []byte) error {
	*d = DocumentReport{}
	return unmarshalSection(b, &d.Section, &d.Properties)
}

// DocumentProperties are the data read from the document. Hive sends them all as strings; dates are
// dd.mm.yyyy as printed on the document.
type DocumentProperties struct {
	DocumentTitle                  string `json:"document_title"`
	Year                           string `json:"year"`
	ICAOCode                       string `json:"icao_code"`
	CountryName                    string `json:"country_name"`
	DocumentClassCode              string `json:"document_class_code"`
	IssuingStateCode               string `json:"issuing_state_code"`
	DocumentNumber                 string `json:"document_number"`
	DateOfExpiry                   string `json:"date_of_expiry"`
	DateOfIssue                    string `json:"date_of_issue"`
	DateOfBirth                    string `json:"date_of_birth"`
	PlaceOfBirth                   string `json:"place_of_birth"`
	PersonalNumber                 string `json:"personal_number"`
	Surname                        string `json:"surname"`
	GivenNames                     string `json:"given_names"`
	Nationality                    string `json:"nationality"`
	Gender                         string `json:"gender"`
	SurnameAndGivenNames           string `json:"surname_and_given_names"`
	NationalityCode                string `json:"nationality_code"`
	MRZType                        string `json:"mrz_type"`
	MRZName                        string `json:"mrz_name"`
	IssuingStateName               string `json:"issuing_state_name"`
	MRZStrings                     string `json:"mrz_strings"` // lines separated by '^'
	DocumentNumberCheckDigit       string `json:"document_number_checkdigit"`
	DateOfBirthCheckDigit          string `json:"date_of_birth_checkdigit"`
	DateOfExpiryCheckDigit         string `json:"date_of_expiry_checkdigit"`
	FinalCheckDigit                string `json:"finalcheckdigit"`
	CardAccessNumber               string `json:"card_access_number"`
	MRZStringsWithCorrectChecksums string `json:"mrz_strings_with_correct_checksums"`
	Age                            string `json:"age"`
	MonthsToExpire                 string `json:"months_to_expire"`
}

// FacialReport is the evidence about the selfie and its match with the document photo.
type FacialReport struct {
	Section
	Properties FacialProperties
}

// ImageIntegrity grades the selfie's brightness and sharpness.
func (f *FacialReport) ImageIntegrity() *Breakdown { return f.Breakdown(BreakdownImageIntegrity) }

// FaceComparison grades the selfie against the document photo.
func (f *FacialReport) FaceComparison() *Breakdown { return f.Breakdown(BreakdownFaceComparison) }

// VisualAuthenticity grades liveness.
func (f *FacialReport) VisualAuthenticity() *Breakdown {
	return f.Breakdown(BreakdownVisualAuthenticity)
}

// MarshalJSON writes the section in order: status, breakdowns, properties.
func (f FacialReport) MarshalJSON() ([]byte, error) {
	return marshalSection(f.Section, f.Properties)
}

// UnmarshalJSON reads the section, keeping breakdowns in order.
func (f *FacialReport) UnmarshalJSON(b []byte) error {
	*f = FacialReport{}
	return unmarshalSection(b, &f.Section, &f.Properties)
}

// FacialProperties are the measurements of the selfie. Liveness and Similarity are 0–1 scores.
type FacialProperties struct {
	Gender     string   `json:"gender"`
	Emotions   []string `json:"emotions"`
	AgeRange   string   `json:"age_range"`
	Beard      bool     `json:"beard"`
	Mustache   bool     `json:"mustache"`
	Eyeglasses bool     `json:"eyeglasses"`
	Live       bool     `json:"live"`
	Liveness   float64  `json:"liveness"`
	FacesMatch bool     `json:"faces_match"`
	Similarity float64  `json:"similarity"`
	Brightness float64  `json:"brightness"`
	Sharpness  float64  `json:"sharpness"`
}

// CustomerReport is the evidence about the customer's network and devices.
type CustomerReport struct {
	Section
	Properties CustomerProperties
}

// IP grades the customer's address: Tor, VPN, proxies, spam lists.
func (c *CustomerReport) IP() *Breakdown { return c.Breakdown(BreakdownIP) }

// DeviceFingerprint grades the device's fingerprint.
func (c *CustomerReport) DeviceFingerprint() *Breakdown {
	return c.Breakdown(BreakdownDeviceFingerprint)
}

// MarshalJSON writes the section in order: status, breakdowns, properties.
func (c CustomerReport) MarshalJSON() ([]byte, error) {
	return marshalSection(c.Section, c.Properties)
}

// UnmarshalJSON reads the section, keeping breakdowns in order.
func (c *CustomerReport) UnmarshalJSON(b []byte) error {
	*c = CustomerReport{}
	return unmarshalSection(b, &c.Section, &c.Properties)
}

// CustomerProperties describe the devices used during the session. Email and Phone are objects whose
// content the reference does not document; they are kept as sent.
type CustomerProperties struct {
	Email   RawObject `json:"email"`
	Phone   RawObject `json:"phone"`
	Mobile  *Device   `json:"mobile"`
	Desktop *Device   `json:"desktop"`
}

// RawObject is a JSON object kept member by member, undecoded.
type RawObject map[string]json.RawMessage

// Device is what Hive learnt about one device and its network.
type Device struct {
	FraudScore       int     `json:"fraud_score"`
	ProxyScore       int     `json:"proxy_score"`
	DeviceHash       string  `json:"device_hash"`
	Platform         string  `json:"platform"`
	OS               string  `json:"os"`
	UserAgent        string  `json:"user_agent"`
	Browser          string  `json:"browser"`
	BrowserVersion   string  `json:"browser_version"`
	RegionLanguage   string  `json:"region_language"`
	RegionTimezone   string  `json:"region_timezone"`
	ScreenResolution string  `json:"screen_resolution"`
	ScreenColorDepth int     `json:"screen_color_depth"`
	ScreenPixelRatio float64 `json:"screen_pixel_ratio"`
	IP               string  `json:"ip"`
	Country          string  `json:"country"`
	Type             string  `json:"type"`
	Latitude         float64 `json:"latitude"`
	Longitude        float64 `json:"longitude"`
	SpamNumber       int     `json:"spam_number"`
}

func findBreakdown(list []Breakdown, name string) *Breakdown {
	for i := range list {
		if list[i].Name == name {
			return &list[i]
		}
	}
	return nil
}

func marshalSection(s Section, props any) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeNode(&buf, s.Status, s.Breakdowns, props); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func unmarshalSection(b []byte, s *Section, props any) error {
	return readNode(b, &s.Status, &s.Breakdowns, props)
}

// writeNode writes {"status":…, children…, "properties":…}; props is skipped when nil.
func writeNode(buf *bytes.Buffer, status Status, children []Breakdown, props any) error {
	st, err := json.Marshal(string(status))
	if err != nil {
		return err
	}
	buf.WriteString(`{"status":`)
	buf.Write(st)
	for _, c := range children {
		name, err := json.Marshal(c.Name)
		if err != nil {
			return err
		}
		buf.WriteByte(',')
		buf.Write(name)
		buf.WriteByte(':')
		if err := writeNode(buf, c.Status, c.SubChecks, nil); err != nil {
			return err
		}
	}
	if props != nil {
		p, err := json.Marshal(props)
		if err != nil {
			return err
		}
		buf.WriteString(`,"properties":`)
		buf.Write(p)
	}
	buf.WriteByte('}')
	return nil
}

var errNotObject = errors.New("want a JSON object")

// readNode reads an object's members in document order: "status" into status, "properties" into props
// (when props is not nil), and every other member whose value is an object into children.
func readNode(data []byte, status *Status, children *[]Breakdown, props any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil {
		return err
	} else if tok == nil {
		return nil // null: an empty node
	} else if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errNotObject
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		switch {
		case key == "status":
			if err := json.Unmarshal(raw, status); err != nil {
				return fmt.Errorf("status: %w", err)
			}
		case key == "properties" && props != nil:
			if err := json.Unmarshal(raw, props); err != nil {
				return fmt.Errorf("properties: %w", err)
			}
		case len(raw) > 0 && raw[0] == '{':
			child := Breakdown{Name: key}
			if err := child.UnmarshalJSON(raw); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if prev := findBreakdown(*children, key); prev != nil {
				*prev = child // a repeated key: the last one wins, as encoding/json does
			} else {
				*children = append(*children, child)
			}
		}
	}
	_, err := dec.Token()
	return err
}
