package handlers

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
)

// customerLinks are a customer's sessions, checks and the newest files of those checks, newest
// first, from the console's copy of Hive.
type customerLinks struct {
	sessions []hive.Session
	checks   []readmodel.CheckEntry
	files    []readmodel.FileEntry
}

// linksOf reads a customer's sessions, checks and images from the console's copy.
func (a *App) linksOf(ctx context.Context, customerID string) (customerLinks, error) {
	var l customerLinks
	var err error
	if l.sessions, err = a.Read.SessionsOf(ctx, customerID); err != nil {
		return l, err
	}
	checks, err := a.Read.Checks(ctx, readmodel.CheckQuery{Customer: customerID, Sort: "created", Desc: true, Limit: 1000})
	if err != nil {
		return l, err
	}
	l.checks = checks.Rows
	files, err := a.Read.Files(ctx, readmodel.FileQuery{Customer: customerID, Limit: maxThumbnails})
	if err != nil {
		return l, err
	}
	l.files = files.Rows
	return l, nil
}

// customerDetail joins a customer with their sessions and checks, newest first.
func customerDetail(c *hive.Customer, links customerLinks, pol piiPolicy) views.CustomerDetail {
	d := views.CustomerDetail{ID: c.ID, Name: c.FullName(), Email: pol.show(fromRecord, piiEmail, c.Email),
		Phone: pol.show(fromRecord, piiPhone, deref(c.Phone)), Gender: deref(c.Gender),
		DOB: pol.show(fromRecord, piiDOB, documentDate(deref(c.DOB))), Created: c.CreatedAt, Updated: c.UpdatedAt, Now: time.Now()}
	d.Masked = !pol.clear(fromRecord)
	d.CanReveal = d.Masked && pol.reveal
	for _, f := range customerContact {
		d.Contact = append(d.Contact, views.RevealField{Target: "customer", TargetID: c.ID, Field: string(f.kind), Label: f.label,
			Value: pol.show(fromRecord, f.kind, f.value(c)), Masked: d.Masked, CanReveal: d.CanReveal, Mono: f.kind == piiPhone})
	}
	for k, v := range c.Metadata {
		d.Metadata = append(d.Metadata, views.KeyValue{Key: k, Value: v})
	}
	slices.SortFunc(d.Metadata, func(a, b views.KeyValue) int { return strings.Compare(a.Key, b.Key) })
	checkOf := map[string]string{} // a processing check is not on its session yet
	for _, e := range links.checks {
		checkOf[e.Check.SessionID] = e.Check.ID
	}
	for _, s := range links.sessions {
		checkID := deref(s.CheckID)
		if checkID == "" {
			checkID = checkOf[s.ID]
		}
		d.Sessions = append(d.Sessions, views.SessionRow{ID: s.ID, Status: string(s.Status), CheckID: checkID,
			Created: s.CreatedAt, Expires: s.ExpiresAt})
	}
	for _, ch := range links.checks {
		d.Checks = append(d.Checks, checkRow(ch))
	}
	for _, f := range links.files {
		d.Images = append(d.Images, views.Thumbnail{ID: f.ID, Label: fileLabel(f.Type)})
	}
	return d
}

// maxThumbnails bounds the customer page's images: the latest checks' are what a reviewer wants.
const maxThumbnails = 12

// customerContact are a customer record's classified fields, in the order the profile shows them.
var customerContact = []struct {
	kind  piiKind
	label string
	value func(*hive.Customer) string
}{
	{piiEmail, "Email", func(c *hive.Customer) string { return c.Email }},
	{piiPhone, "Phone", func(c *hive.Customer) string { return deref(c.Phone) }},
	{piiDOB, "Date of birth", func(c *hive.Customer) string { return documentDate(deref(c.DOB)) }}, // as reports write dates
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
