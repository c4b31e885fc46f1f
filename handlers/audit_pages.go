package handlers

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/evidence"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

const auditPageSize = 50

// auditFilter is what the audit page's URL can say.
type auditFilter struct {
	Actor, Action, Target, Outcome, Since, Until string
	Page                                         int
}

func parseAuditFilter(v url.Values) (auditFilter, audit.Query, map[string]string) {
	f := auditFilter{Actor: strings.TrimSpace(v.Get("actor")), Action: strings.TrimSpace(v.Get("action")),
		Target: strings.TrimSpace(v.Get("target")), Outcome: v.Get("outcome"), Since: v.Get("since"), Until: v.Get("until")}
	f.Page, _ = strconv.Atoi(v.Get("page"))
	f.Page = pageNumber(f.Page)
	q := audit.Query{Actor: cut(f.Actor, 200), Action: cut(f.Action, 100), Limit: auditPageSize, Offset: (f.Page - 1) * auditPageSize}
	errs := map[string]string{}
	if f.Target != "" {
		// "customer", or "customer:<id>", or a bare id of any kind
		kind, id, ok := strings.Cut(f.Target, ":")
		switch {
		case ok:
			q.TargetType, q.TargetID = kind, id
		case slices.Contains(auditTargetTypes, f.Target):
			q.TargetType = f.Target
		default:
			q.TargetID = f.Target
		}
	}
	if slices.Contains([]string{outcomeSuccess, outcomeFailure, outcomeDenied, audit.OutcomeAttempted}, f.Outcome) {
		q.Outcome = f.Outcome
	} else {
		f.Outcome = ""
	}
	day := func(s, field string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			errs[field] = "Use a date such as 2026-11-26."
		}
		return t
	}
	q.Since = day(f.Since, "since")
	if until := day(f.Until, "until"); !until.IsZero() {
		q.Until = until.AddDate(0, 0, 1) // the whole day named
	}
	return f, q, errs
}

var auditTargetTypes = []string{"customer", "check", "session", "file", "user", "audit"}

func (f auditFilter) url(page int) string {
	v := url.Values{}
	for _, kv := range [][2]string{{"actor", f.Actor}, {"action", f.Action}, {"target", f.Target}, {"outcome", f.Outcome},
		{"since", f.Since}, {"until", f.Until}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/audit"
	}
	return "/audit?" + v.Encode()
}

// auditPage is the trail, newest first, filtered by actor, action, target, outcome and days.
func (a *App) auditPage(c echo.Context) error {
	f, q, errs := parseAuditFilter(c.QueryParams())
	m := views.AuditModel{Actor: f.Actor, Action: f.Action, Target: f.Target, Outcome: f.Outcome, Since: f.Since, Until: f.Until,
		Errors: errs, Now: time.Now()}
	if u, _ := userOf(c); u.Can(auth.ViewRetention) {
		m.RetentionURL = "/retention"
	}
	if u, _ := userOf(c); u.Can(auth.ManageWebhooks) && a.Webhooks != nil {
		m.WebhooksURL = "/webhooks"
	}
	if a.EvidenceKey != nil {
		m.EvidenceKey, m.EvidenceFingerprint = evidence.FormatPublicKey(a.EvidenceKey.Public()), evidence.Fingerprint(a.EvidenceKey.Public())
	}
	if len(errs) == 0 {
		rows, total, err := a.Audit.Events(c.Request().Context(), q)
		if err != nil {
			return err
		}
		pol := pii(c)
		for _, r := range rows {
			m.Rows = append(m.Rows, auditRow(r, pol))
		}
		m.Pager = views.NewPager(total, auditPageSize, f.Page, f.url)
		m.Total = total
	}
	export := f
	export.Page = 0
	m.ExportURL = "/audit/export.csv" + strings.TrimPrefix(export.url(1), "/audit")
	return render(c, http.StatusOK, views.AuditPage(a.page(c, "Audit trail"), m))
}

// auditExport is the filtered trail as CSV, every page; the export is itself in the trail.
func (a *App) auditExport(c echo.Context) error {
	f, q, errs := parseAuditFilter(c.QueryParams())
	if len(errs) > 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "The dates could not be read: use a date such as 2026-11-26.")
	}
	q.Limit, q.Offset = 0, 0
	if err := a.audit(c, auditEntry{Action: "audit.export", TargetType: "audit", Outcome: outcomeSuccess,
		Details: map[string]any{"query": f.url(1)}}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", contentDisposition("attachment", "audit-"+time.Now().UTC().Format("20060102-150405")+".csv"))
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"seq", "time", "actor_id", "actor_email", "role", "action", "target_type", "target_id", "client_ip",
		"request_id", "outcome", "details", "hash"})
	pol := pii(c)
	err := a.Audit.Each(c.Request().Context(), q, func(r audit.Entry) error {
		row := auditRow(r, pol) // its text is escaped already, and its client IP masked where it must be
		rec := []string{strconv.FormatInt(r.Seq, 10), r.Time.UTC().Format(time.RFC3339Nano), esc(r.ActorID), esc(r.ActorEmail),
			row.Role, row.Action, row.TargetType, row.TargetID, row.ClientIP, row.RequestID, row.Outcome, row.DetailsText, esc(r.Hash)}
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		return w.Write(rec)
	})
	w.Flush()
	if err != nil {
		a.log.Warn("audit export ended early", "err", err)
	}
	return nil
}

// auditRow is a record as the page shows it: details as short "key: value" text, with classified
// values in a customer update's diff masked for those who see records masked.
func auditRow(r audit.Entry, pol piiPolicy) views.AuditRow {
	row := views.AuditRow{Seq: r.Seq, Time: r.Time, Actor: auditActor(r), Role: esc(string(r.Role)), Action: esc(r.Action),
		TargetType: esc(r.TargetType), TargetID: esc(r.TargetID), ClientIP: esc(r.ClientIP), RequestID: esc(r.RequestID),
		Outcome: esc(r.Outcome), TargetURL: auditTargetURL(r.TargetType, r.TargetID)}
	if !pol.clear(fromRecord) {
		row.ClientIP = mask(piiIP, row.ClientIP)
	}
	row.DetailsText = esc(detailsText(r.Details, pol))
	return row
}

// auditActor names who acted: their email, or for an actor without one (the shell's
// "cli:<os user>@<host>") their id, shown visibly escaped.
func auditActor(r audit.Entry) string {
	if r.ActorEmail != "" {
		return esc(r.ActorEmail)
	}
	return esc(r.ActorID)
}

// esc shows any control or bidi character that a row stored before the trail cleaned its text (or
// written to the database by other means) may hold as a visible escape: the page and the CSV show
// what is there instead of letting it act.
func esc(s string) string { return audit.EscapeText(s) }

func auditTargetURL(kind, id string) string {
	if id == "" {
		return ""
	}
	switch kind {
	case "customer", "check", "session", "file", "user":
		return "/" + kind + "s/" + url.PathEscape(id)
	}
	return ""
}

// detailsText writes details as "key: value; key: value", sorted, a customer update's changes as
// "field: before → after".
func detailsText(d map[string]any, pol piiPolicy) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		if changes, ok := d[k].(map[string]any); ok && k == "changes" {
			fields := make([]string, 0, len(changes))
			for f := range changes {
				fields = append(fields, f)
			}
			slices.Sort(fields)
			for _, f := range fields {
				ch, _ := changes[f].(map[string]any)
				parts = append(parts, fmt.Sprintf("%s: %s → %s", f, diffSide(ch, "before", f, pol), diffSide(ch, "after", f, pol)))
			}
			continue
		}
		v, err := json.Marshal(d[k])
		s := string(v)
		if str, ok := d[k].(string); ok {
			s = str
		} else if err != nil {
			s = "?"
		}
		parts = append(parts, k+": "+s)
	}
	return strings.Join(parts, "; ")
}

// diffSide is one side of a changed field: its value, masked when the field is classified and the
// reader sees records masked, and the SHA-256 of the whole value when the diff cut it. A masked
// value's hash is left out: an email, a phone number or a date of birth is found from its hash by
// trying them all.
func diffSide(ch map[string]any, side, field string, pol piiPolicy) string {
	v, _ := ch[side].(string)
	sum, _ := ch[side+"_sha256"].(string)
	if kind, classified := classifiedField(field); classified && !pol.clear(fromRecord) {
		v, sum = mask(kind, v), ""
	}
	v = orNone(v)
	if sum != "" {
		v += " (sha256 " + sum + ")"
	}
	return v
}

func classifiedField(field string) (piiKind, bool) {
	switch field {
	case "email":
		return piiEmail, true
	case "phone":
		return piiPhone, true
	case "dob":
		return piiDOB, true
	}
	return "", false
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// auditHistory is a target's own rows, newest first, for its page; nil without the permission.
func (a *App) auditHistory(c echo.Context, kind, id string) ([]views.AuditRow, error) {
	if u, _ := userOf(c); !u.Can(auth.ViewAudit) {
		return nil, nil
	}
	rows, _, err := a.Audit.Events(c.Request().Context(), audit.Query{TargetType: kind, TargetID: id, Limit: 20})
	if err != nil {
		return nil, err
	}
	pol := pii(c)
	out := []views.AuditRow{}
	for _, r := range rows {
		out = append(out, auditRow(r, pol))
	}
	return out, nil
}
