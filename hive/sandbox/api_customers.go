package sandbox

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

var customerFields = []string{"email", "phone", "first_name", "middle_name", "last_name", "gender", "dob", "metadata"}

// applyCustomer sets the fields present in p on c, validating each. On create an empty optional
// field stays null; on update an empty field clears it. Email can never be empty.
func (s *Server) applyCustomer(c *hive.Customer, p params, create bool) error {
	now := s.now()
	for _, name := range customerFields[1:7] {
		v, ok := p.fields[name]
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if err := checkCustomerField(name, v, now); err != nil {
			return err
		}
		var val *string
		if v != "" {
			if name == "gender" {
				v = strings.ToLower(v)
			}
			val = &v
		}
		*customerField(c, name) = val
	}
	if email, ok := p.fields["email"]; ok || create {
		email = strings.TrimSpace(email)
		switch {
		case email == "" && create:
			return invalidRequest("email", "email is required")
		case email == "":
			return invalidField("email", "email cannot be cleared")
		case !validEmail(email):
			return invalidField("email", "email is not a valid address")
		}
		c.Email = email
	}
	if p.clearMetadata || c.Metadata == nil {
		c.Metadata = hive.Metadata{}
	}
	for k, v := range p.metadata {
		if v == "" {
			delete(c.Metadata, k) // an empty value removes the key
			continue
		}
		c.Metadata[k] = v
	}
	return checkMetadata(c.Metadata)
}

func checkCustomerField(name, v string, now time.Time) error {
	if v == "" {
		return nil
	}
	switch name {
	case "phone":
		if !validPhone(v) {
			return invalidField("phone", "phone is not a plausible phone number")
		}
	case "gender":
		if g := strings.ToLower(v); g != "male" && g != "female" {
			return invalidField("gender", "gender must be male or female")
		}
	case "dob":
		if err := checkDOB(v, now); err != nil {
			return invalidField("dob", "%s", err.Error())
		}
	default:
		if len(v) > maxNameLen {
			return invalidField(name, "%s may be at most %d characters", name, maxNameLen)
		}
	}
	return nil
}

func customerField(c *hive.Customer, name string) **string {
	switch name {
	case "phone":
		return &c.Phone
	case "first_name":
		return &c.FirstName
	case "middle_name":
		return &c.MiddleName
	case "last_name":
		return &c.LastName
	case "gender":
		return &c.Gender
	}
	return &c.DOB
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(r, customerFields...)
	if err != nil {
		return err
	}
	now := s.now()
	c := hive.Customer{ID: s.newID(), CreatedAt: now, UpdatedAt: now}
	if err := s.applyCustomer(&c, p, true); err != nil {
		return err
	}
	err = s.store.tx(r.Context(), func(tx *sql.Tx) error { return insertCustomer(r.Context(), tx, c, 0) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	return streamList(w, r, s.listStall, s.store.eachCustomerJSON)
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.customer(r.Context(), r.PathValue("id"))
	if errors.Is(err, errNotFound) {
		return notFound("customer")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(r, customerFields...)
	if err != nil {
		return err
	}
	c, err := s.store.updateCustomer(r.Context(), r.PathValue("id"), func(c *hive.Customer) error {
		if err := s.applyCustomer(c, p, false); err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		return nil
	})
	if errors.Is(err, errNotFound) {
		return notFound("customer")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.deleteCustomer(r.Context(), r.PathValue("id"))
	if errors.Is(err, errNotFound) {
		return notFound("customer")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
