package handlers

import (
	"slices"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
)

// customerDetail joins a customer with their sessions and checks from the snapshot, newest first.
func customerDetail(c *hive.Customer, snap *snapshot, pol piiPolicy) views.CustomerDetail {
	d := views.CustomerDetail{ID: c.ID, Name: c.FullName(), Email: pol.show(fromRecord, piiEmail, c.Email),
		Phone: pol.show(fromRecord, piiPhone, deref(c.Phone)), Gender: deref(c.Gender),
		DOB: pol.show(fromRecord, piiDOB, deref(c.DOB)), Created: c.CreatedAt, Updated: c.UpdatedAt, Now: time.Now()}
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
	for _, ch := range snap.checks {
		checkOf[ch.SessionID] = ch.ID
	}
	mine := map[string]bool{}
	for _, s := range snap.sessions {
		if s.CustomerID != c.ID {
			continue
		}
		mine[s.ID] = true
		checkID := deref(s.CheckID)
		if checkID == "" {
			checkID = checkOf[s.ID]
		}
		d.Sessions = append(d.Sessions, views.SessionRow{ID: s.ID, Status: string(s.Status), CheckID: checkID,
			Created: s.CreatedAt, Expires: s.ExpiresAt})
	}
	myChecks := map[string]bool{}
	for _, ch := range snap.checks {
		if mine[ch.SessionID] {
			d.Checks = append(d.Checks, checkRow(ch))
			myChecks[ch.ID] = true
		}
	}
	for _, f := range snap.files { // newest first, as Hive lists them
		if f.CheckID != nil && myChecks[*f.CheckID] && len(d.Images) < maxThumbnails {
			d.Images = append(d.Images, views.Thumbnail{ID: f.ID, Label: fileLabel(f.Type)})
		}
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
	{piiDOB, "Date of birth", func(c *hive.Customer) string { return deref(c.DOB) }},
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
