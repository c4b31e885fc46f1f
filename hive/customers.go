package hive

import (
	"context"
	"net/http"
	"net/url"
)

// CustomerParams are the fields of a customer to create or update. A nil field is not sent; a
// pointer to "" is sent empty, which clears the field on update. Metadata entries are merged into
// the customer's metadata; an entry with an empty value removes that key.
type CustomerParams struct {
	Email      *string
	Phone      *string
	FirstName  *string
	MiddleName *string
	LastName   *string
	Gender     *string // "male" or "female"
	DOB        *string // dd-mm-yyyy
	Metadata   map[string]string
}

// String returns a pointer to s, for params.
func String(s string) *string { return &s }

// form encodes the params as the reference's curl examples do: -d email=… and metadata[key]=value.
func (p *CustomerParams) form() url.Values {
	v := url.Values{}
	set := func(key string, val *string) {
		if val != nil {
			v.Set(key, *val)
		}
	}
	set("email", p.Email)
	set("phone", p.Phone)
	set("first_name", p.FirstName)
	set("middle_name", p.MiddleName)
	set("last_name", p.LastName)
	set("gender", p.Gender)
	set("dob", p.DOB)
	for k, val := range p.Metadata {
		v.Set("metadata["+k+"]", val)
	}
	return v
}

// CreateCustomer creates a customer. Email is required by the API.
func (c *Client) CreateCustomer(ctx context.Context, p CustomerParams) (*Customer, error) {
	return object[Customer](ctx, c, request{method: http.MethodPost, op: "POST /customers", url: c.endpoint("customers"), form: p.form()})
}

// ListCustomers returns every customer, newest first, but those Hive sent unfit to use.
func (c *Client) ListCustomers(ctx context.Context) (*List[Customer], error) {
	return list[Customer](ctx, c, "GET /customers", "customers")
}

// GetCustomer retrieves one customer.
func (c *Client) GetCustomer(ctx context.Context, id string) (*Customer, error) {
	const op = "GET /customers/{id}"
	if err := checkID(op, "id", id); err != nil {
		return nil, err
	}
	return object[Customer](ctx, c, request{method: http.MethodGet, op: op, url: c.endpoint("customers", id)})
}

// UpdateCustomer changes the fields set in p and leaves the others alone (PATCH).
func (c *Client) UpdateCustomer(ctx context.Context, id string, p CustomerParams) (*Customer, error) {
	const op = "PATCH /customers/{id}"
	if err := checkID(op, "id", id); err != nil {
		return nil, err
	}
	return object[Customer](ctx, c, request{method: http.MethodPatch, op: op, url: c.endpoint("customers", id), form: p.form()})
}

// DeleteCustomer permanently deletes a customer with its sessions, checks, reports and files, and
// returns the deleted customer as Hive echoes it — or nil, with no error, when that echo is not fit
// to use (it is reported like any invalid object): the deletion happened either way, and callers
// must not be told otherwise.
func (c *Client) DeleteCustomer(ctx context.Context, id string) (*Customer, error) {
	const op = "DELETE /customers/{id}"
	if err := checkID(op, "id", id); err != nil {
		return nil, err
	}
	var out Customer
	r := request{method: http.MethodDelete, op: op, url: c.endpoint("customers", id)}
	if err := c.call(ctx, r, c.maxObject, &out); err != nil {
		return nil, err
	}
	if err := out.validate(); err != nil {
		c.reject(ctx, op, -1, err)
		return nil, nil
	}
	return &out, nil
}
