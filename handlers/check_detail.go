package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/mrz"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// The console's display thresholds for the face scores: where the meters mark the line between a
// good and a doubtful score. Hive grades the scores itself; these only guide the reviewer's eye.
const (
	similarityThreshold = 0.6
	livenessThreshold   = 0.9
)

// check is the report viewer: the check, and once complete its report, the document data
// compared with the customer record, the MRZ validated by the console, face and device evidence.
func (a *App) check(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such check.")
	}
	ch, err := a.Hive.GetCheck(c.Request().Context(), id)
	if err != nil {
		return err
	}
	a.refreshCheck(c, ch)
	m, err := a.reportModel(c, ch, a.Hive)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ReportPage(a.page(c, "Check "+views.ShortID(id)), m))
}

// reportReader reads what the report viewer compares: Hive itself for a page, the shared reads of
// live streams for a stream.
type reportReader interface {
	GetReport(ctx context.Context, id string) (*hive.Report, error)
	GetCustomer(ctx context.Context, id string) (*hive.Customer, error)
}

// reportModel is everything the report viewer shows of a check: the report, the customer it is
// compared with, and the images when the user may open them.
func (a *App) reportModel(c echo.Context, ch *hive.Check, read reportReader) (views.ReportModel, error) {
	ctx := c.Request().Context()
	m := views.ReportModel{CheckID: ch.ID, SessionID: ch.SessionID, Status: string(ch.Status), Decision: deref(ch.Decision),
		Result: views.StatusProcessing, Created: ch.CreatedAt, OnlyIssues: c.QueryParam("only") == "issues", Now: time.Now()}
	m.CustomerID, m.CustomerName = a.checkCustomer(ctx, ch.SessionID)
	if u, _ := userOf(c); u.Can(auth.DeleteChecks) {
		m.CanDelete = true
	}
	if u, _ := userOf(c); u.Can(auth.DownloadEvidence) && a.EvidenceKey != nil {
		m.CanEvidence = true
	}
	if ch.Status != hive.CheckComplete {
		return m, nil
	}
	// The report and the customer it is compared with do not depend on each other.
	var cust *hive.Customer
	custDone := make(chan struct{})
	go func() {
		defer close(custDone)
		if m.CustomerID != "" {
			// A deleted customer leaves the report readable, with nothing to compare it with.
			if c, err := read.GetCustomer(ctx, m.CustomerID); err == nil {
				cust = c
			}
		}
	}()
	rep, err := read.GetReport(ctx, ch.ID)
	<-custDone
	if err != nil {
		return m, err
	}
	if e, ok, err := a.Read.Check(ctx, ch.ID); err == nil && (!ok || e.Result == "unknown") {
		// The copy has not read this report yet: it is stored once, here, rather than fetched again.
		a.writeThrough(c, "report.view", func(ctx context.Context) error { return a.Read.PutReport(ctx, ch, rep) })
	}
	if err := a.audit(c, auditEntry{Action: "report.view", TargetType: "check", TargetID: ch.ID, Outcome: outcomeSuccess,
		Details: map[string]any{"masked": !pii(c).clear(fromReport)}}); err != nil {
		return m, err
	}
	if cust != nil {
		m.CustomerName = orName(cust)
	}
	pol := pii(c)
	fillReport(&m, rep, cust, pol)
	m.Why = whyNotClear(ch, rep, m)
	if !pol.clear(fromReport) {
		m.RawMasked = true // the raw JSON would show everything; masked users do not get it
	} else if raw, err := json.MarshalIndent(rep, "", "  "); err == nil {
		m.RawJSON = string(raw)
	}
	if m.Review, err = a.reviewPanel(c, ch.ID, views.ReviewForm{}); err != nil {
		return m, err
	}
	if m.History, err = a.auditHistory(c, "check", ch.ID); err != nil {
		return m, err
	}
	if m.Notes, err = a.notesModel(c, notes.OnCheck, ch.ID, views.NotesModel{}); err != nil {
		return m, err
	}
	if m.Linked, err = a.linkedModel(c, "check", []string{ch.ID}, m.CustomerID); err != nil {
		return m, err
	}
	if m.Linked.AnyRejected() {
		// A ring with a rejected customer is a reason to look twice, whatever the report says.
		m.Why = append([]views.WhyItem{{Text: linkedRejectedReason, Href: "#linked", Status: views.StatusConsider,
			Detail: "They share this check's document, device or details: see Linked."}}, m.Why...)
	}
	st, err := a.caseState(ctx, ch.ID)
	if err != nil {
		return m, err
	}
	m.CaseVersion = st.version()
	if u, _ := userOf(c); u.Can(auth.DownloadFiles) {
		m.CanDownload = true
		if m.Images, err = a.checkImages(ctx, ch); err != nil {
			return m, err
		}
	}
	return m, nil
}

// checkStream watches a processing check and, when Hive completes it, replaces the page's body with
// the report — no reload, no polling from the browser. It ends then, when the page closes, when the
// viewer's session ends, or when the server shuts down, and holds no goroutine of its own.
func (a *App) checkStream(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such check.")
	}
	return a.liveStream(c, "check stream", func(sse *datastar.ServerSentEventGenerator) (bool, error) {
		// One read per tick for every viewer of the check (see liveReads), which also tells the
		// lists when it completes.
		ch, err := a.live.GetCheck(c.Request().Context(), id)
		if errors.Is(err, hive.ErrNotFound) {
			return true, nil // deleted meanwhile
		}
		if err != nil || ch.Status != hive.CheckComplete {
			return false, err
		}
		m, err := a.reportModel(c, ch, a.live)
		if err != nil {
			return false, err
		}
		_ = sse.PatchElementTempl(views.ReportBody(a.fragment(c), m))
		return true, nil
	})
}

// checkCustomer finds who a check is about: in the console's copy, or, for a session newer than
// the copy, from Hive. Not knowing leaves the page readable, without the link.
func (a *App) checkCustomer(ctx context.Context, sessionID string) (id, name string) {
	if s, ok, err := a.Read.Session(ctx, sessionID); err == nil && ok {
		id, name = s.CustomerID, s.FullName
		if e, ok, err := a.Read.Customer(ctx, id); err == nil && ok {
			name = orName(&e.Customer)
		}
		return id, name
	}
	if s, err := a.Hive.GetSession(ctx, sessionID); err == nil {
		return s.CustomerID, s.FullName
	}
	return "", ""
}

// fillReport puts the report into the model, with classified fields as pol shows them. The
// comparison with the customer record is made on the real values, then masked for display.
func fillReport(m *views.ReportModel, r *hive.Report, cust *hive.Customer, pol piiPolicy) {
	m.Result = viewStatus(r.Result)
	m.Submitted, m.Processed, m.Generated, m.Version = r.Submitted, r.Processed, r.Generated, r.Version
	if d := r.Document; d != nil {
		m.Sections = append(m.Sections, reportSection("document", "Document", d.Section, m.OnlyIssues))
		m.Properties = documentProperties(d.Properties, pol)
		m.Comparison = compareWithRecord(d.Properties, cust)
		for i := range m.Comparison {
			if r := &m.Comparison[i]; r.Field == "Date of birth" {
				r.Document = pol.show(fromReport, piiDOB, r.Document)
				r.Record = pol.show(fromRecord, piiDOB, r.Record)
				// Whether two values agree says something about each: a viewer who sees either
				// one masked learns neither, so the verdict is withheld too.
				if !pol.clear(fromReport) || !pol.clear(fromRecord) {
					r.Match, r.Hidden = false, true
				}
			}
		}
		m.MRZ = mrzView(d.Properties)
		if m.MRZ != nil && !pol.clear(fromReport) {
			m.MRZ.Lines, m.MRZ.Masked = nil, true
		}
	}
	if f := r.Facial; f != nil {
		m.Sections = append(m.Sections, reportSection("face", "Face", f.Section, m.OnlyIssues))
		m.Face = faceView(f.Properties)
	}
	if cr := r.Customer; cr != nil {
		m.Sections = append(m.Sections, reportSection("device", "Customer & device", cr.Section, m.OnlyIssues))
		for _, d := range []struct {
			title string
			dev   *hive.Device
		}{{"Mobile", cr.Properties.Mobile}, {"Desktop", cr.Properties.Desktop}} {
			if d.dev != nil {
				m.Devices = append(m.Devices, deviceView(d.title, d.dev, pol))
			}
		}
	}
}

func viewStatus(s hive.Status) views.Status { return views.Status(s).Normalized() }

func reportSection(key, title string, s hive.Section, onlyIssues bool) views.ReportSection {
	return views.ReportSection{Key: key, Title: title, Status: viewStatus(s.Status), Nodes: reportNodes(s.Breakdowns, onlyIssues)}
}

// reportNodes keeps the API's order and every sub-check, known or not. With onlyIssues, a clear
// leaf is dropped, and so is a clear branch with nothing but clear beneath it.
func reportNodes(list []hive.Breakdown, onlyIssues bool) []views.ReportNode {
	var out []views.ReportNode
	for _, b := range list {
		n := views.ReportNode{Name: b.Name, Label: checkLabel(b.Name), Status: viewStatus(b.Status),
			Children: reportNodes(b.SubChecks, onlyIssues)}
		if onlyIssues && n.Status == views.StatusClear && len(n.Children) == 0 {
			continue
		}
		out = append(out, n)
	}
	return out
}

// checkLabels are the names people read for the API's breakdowns and sub-checks; others are
// spelled out from their snake_case.
var checkLabels = map[string]string{
	"data_consistency":             "Data consistency",
	"data_validation":              "Data validation",
	"document_visual_authenticity": "Visual authenticity",
	"visual_authenticity":          "Visual authenticity",
	"image_integrity":              "Image integrity",
	"face_comparison":              "Face comparison",
	"device_fingerprint":           "Device fingerprint",
	"mrz":                          "MRZ",
	"ip":                           "IP address",
	"tor":                          "Tor",
	"vpn":                          "VPN",
	"surname_and_given_names":      "Full name",
	"spam_blacklist":               "Spam blacklists",
	"face_detection":               "Face detection",
}

func checkLabel(name string) string {
	if l, ok := checkLabels[name]; ok {
		return l
	}
	s := strings.TrimSpace(strings.ReplaceAll(name, "_", " "))
	if s == "" {
		return name
	}
	first, size := utf8.DecodeRuneInString(s) // Hive names them: the first letter may be several bytes
	return string(unicode.ToUpper(first)) + s[size:]
}

// documentDate turns the document's dd.mm.yyyy into "2 Jan 2020"; anything else is shown as sent.
func documentDate(s string) string {
	for _, layout := range []string{"02.01.2006", "02-01-2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2 Jan 2006")
		}
	}
	return s
}

func documentProperties(p hive.DocumentProperties, pol piiPolicy) []views.PropertyRow {
	title := p.DocumentTitle
	if p.MRZType != "" {
		title = strings.TrimSpace(title + " (" + p.MRZType + ")")
	}
	rows := []views.PropertyRow{
		{Label: "Document", Value: title},
		{Label: "Country", Value: joinNonEmpty(p.CountryName, p.IssuingStateCode)},
		{Label: "Number", Value: pol.show(fromReport, piiDocumentNumber, p.DocumentNumber), Mono: true},
		{Label: "Date of issue", Value: documentDate(p.DateOfIssue)},
		{Label: "Date of expiry", Value: documentDate(p.DateOfExpiry)},
		{Label: "Months to expiry", Value: p.MonthsToExpire},
		{Label: "Surname", Value: p.Surname},
		{Label: "Given names", Value: p.GivenNames},
		{Label: "Date of birth", Value: pol.show(fromReport, piiDOB, documentDate(p.DateOfBirth))},
		{Label: "Age", Value: p.Age},
		{Label: "Gender", Value: p.Gender},
		{Label: "Nationality", Value: joinNonEmpty(p.Nationality, p.NationalityCode)},
		{Label: "Personal number", Value: pol.show(fromReport, piiPersonalNumber, p.PersonalNumber), Mono: true},
	}
	out := rows[:0]
	for _, r := range rows {
		if r.Value != "" {
			out = append(out, r)
		}
	}
	return out
}

// joinNonEmpty writes "Estonia (EST)", or whichever of the two is set.
func joinNonEmpty(name, code string) string {
	switch {
	case name == "" || strings.EqualFold(name, code):
		return code
	case code == "":
		return name
	}
	return name + " (" + code + ")"
}

// mrzView splits the zone into lines, validates its check digits and marks, character by
// character, where the printed zone differs from the one Hive corrected.
func mrzView(p hive.DocumentProperties) *views.MRZView {
	lines := mrz.Split(p.MRZStrings)
	if len(lines) == 0 {
		return nil
	}
	corrected := mrz.Split(p.MRZStringsWithCorrectChecksums)
	v := mrz.Validate(lines)
	out := &views.MRZView{Format: string(v.Format), Problems: v.Problems}
	for i, l := range lines {
		var want string
		if i < len(corrected) {
			want = corrected[i]
		}
		line := mrzLine(l, want)
		for _, r := range line.Runs {
			out.Differs = out.Differs || r.Differs
		}
		out.Lines = append(out.Lines, line)
	}
	for _, c := range v.Checks {
		out.Digits = append(out.Digits, views.MRZDigit{Field: checkLabel(c.Field), Printed: string(c.Printed),
			Computed: string(c.Computed), OK: c.OK()})
	}
	return out
}

// mrzLine groups got into runs that match want or differ from it; without a corrected line to
// compare with, nothing is marked.
func mrzLine(got, want string) views.MRZLine {
	var line views.MRZLine
	for i := 0; i < len(got); i++ {
		differs := want != "" && (i >= len(want) || got[i] != want[i])
		if n := len(line.Runs); n > 0 && line.Runs[n-1].Differs == differs {
			line.Runs[n-1].Text += got[i : i+1]
			continue
		}
		line.Runs = append(line.Runs, views.MRZRun{Text: got[i : i+1], Differs: differs})
	}
	return line
}

func faceView(p hive.FacialProperties) views.FaceView {
	yesNo := map[bool]string{true: "Yes", false: "No"}
	return views.FaceView{
		Scores: []views.Score{
			{Label: "Face similarity", Value: p.Similarity, Threshold: similarityThreshold},
			{Label: "Liveness", Value: p.Liveness, Threshold: livenessThreshold},
		},
		Facts: []views.PropertyRow{
			{Label: "Faces match", Value: yesNo[p.FacesMatch]},
			{Label: "Live person", Value: yesNo[p.Live]},
			{Label: "Age range", Value: p.AgeRange},
			{Label: "Gender", Value: p.Gender},
			{Label: "Emotions", Value: strings.Join(p.Emotions, ", ")},
			{Label: "Brightness", Value: fmt.Sprintf("%.1f", p.Brightness)},
			{Label: "Sharpness", Value: fmt.Sprintf("%.1f", p.Sharpness)},
			{Label: "Beard, mustache, glasses", Value: yesNo[p.Beard] + ", " + yesNo[p.Mustache] + ", " + yesNo[p.Eyeglasses]},
		},
	}
}

func deviceView(title string, d *hive.Device, pol piiPolicy) views.DeviceView {
	var coords string
	if d.Latitude != 0 || d.Longitude != 0 {
		coords = pol.show(fromReport, piiCoordinates, fmt.Sprintf("%.4f, %.4f", d.Latitude, d.Longitude))
	}
	rows := []views.PropertyRow{
		{Label: "IP address", Value: pol.show(fromReport, piiIP, d.IP), Mono: true},
		{Label: "Country", Value: d.Country},
		{Label: "Coordinates", Value: coords, Mono: true},
		{Label: "Connection", Value: d.Type},
		{Label: "Platform", Value: joinNonEmpty(d.Platform, d.OS)},
		{Label: "Browser", Value: strings.TrimSpace(d.Browser + " " + d.BrowserVersion)},
		{Label: "Language", Value: d.RegionLanguage},
		{Label: "Timezone", Value: d.RegionTimezone},
		{Label: "Screen", Value: d.ScreenResolution},
		{Label: "Fraud score", Value: fmt.Sprint(d.FraudScore)},
		{Label: "Proxy score", Value: fmt.Sprint(d.ProxyScore)},
		{Label: "Spam lists", Value: spamLists(d.SpamNumber)},
		{Label: "Device hash", Value: pol.show(fromReport, piiDeviceHash, d.DeviceHash), Mono: true},
		{Label: "User agent", Value: d.UserAgent, Mono: true},
	}
	out := rows[:0]
	for _, r := range rows {
		if r.Value != "" {
			out = append(out, r)
		}
	}
	return views.DeviceView{Title: title, Rows: out}
}

// checkImages lists a check's uploaded images, document first, as file-proxy URLs.
// The console's copy answers; only a check newer than the copy costs a list from Hive.
func (a *App) checkImages(ctx context.Context, ch *hive.Check) ([]views.ReportImage, error) {
	files, err := a.checkFiles(ctx, ch)
	if err != nil {
		return nil, err
	}
	var out []views.ReportImage
	for _, f := range files {
		out = append(out, views.ReportImage{Label: fileLabel(f.Type), URL: "/files/" + f.ID + "/content", Kind: string(f.Type)})
	}
	return out, nil
}

// checkFiles are the check's files, the document's front, the portrait and the document's back
// first, in that order.
func (a *App) checkFiles(ctx context.Context, ch *hive.Check) ([]hive.File, error) {
	checkID := ch.ID
	page, err := a.Read.Files(ctx, readmodel.FileQuery{CheckID: checkID, Limit: 100})
	if err != nil {
		return nil, err
	}
	var files []hive.File
	for _, e := range page.Rows {
		files = append(files, e.File)
	}
	if len(files) == 0 && a.filesMayLag(ctx, ch) {
		// A check that changed after the copy's last pass over the files began: Hive's list has
		// them. Hive lists every file at once, so one read serves every viewer of the moment, and
		// the check's files are written through for the next.
		list, err := sharedRead(a.live, ctx, "files", func(ctx context.Context) ([]hive.File, error) {
			l, err := a.Hive.ListFiles(ctx)
			if err != nil {
				return nil, err
			}
			return l.Data, nil
		})
		if err != nil {
			return nil, err
		}
		for _, f := range list {
			if f.CheckID != nil && *f.CheckID == checkID {
				files = append(files, f)
				a.writeThroughCtx(ctx, "file.seen", func(ctx context.Context) error { return a.Read.PutFile(ctx, &f) })
			}
		}
	}
	rank := map[hive.FileType]int{hive.FileDocumentFront: 0, hive.FilePortrait: 1, hive.FileDocumentBack: 2}
	var out []hive.File
	for _, f := range files {
		if f.CheckID != nil && *f.CheckID == checkID {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, iok := rank[out[i].Type]
		rj, jok := rank[out[j].Type]
		if !iok {
			ri = 9
		}
		if !jok {
			rj = 9
		}
		return ri < rj
	})
	return out, nil
}

// filesMayLag says whether the copy's files may miss a check's: the check changed after the last
// complete pass over the files began. Before the first pass over them completes, they come with it:
// reading Hive's whole list for every report viewed meanwhile would cost more than the wait.
func (a *App) filesMayLag(ctx context.Context, ch *hive.Check) bool {
	st, err := a.Read.Status(ctx)
	if err != nil {
		return false
	}
	for _, k := range st.Kinds {
		if k.Kind == readmodel.Files && !k.CompletedAt.IsZero() {
			return ch.UpdatedAt.After(k.CompletedAt.Add(-k.Duration - time.Minute))
		}
	}
	return false
}

// reportJSON downloads a completed check's report as the API sent it (the client keeps every
// field and its order), named after the check. It holds every classified field, so only roles that
// see reports in clear get it.
func (a *App) reportJSON(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such check.")
	}
	rep, err := a.Hive.GetReport(c.Request().Context(), id)
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := a.audit(c, auditEntry{Action: "report.download", TargetType: "check", TargetID: id, Outcome: outcomeSuccess}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", contentDisposition("attachment", "report-"+id+".json"))
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/json", append(raw, '\n'))
}

// spamLists says how many spam lists know the address; nothing when the API did not say.
func spamLists(n int) string {
	switch {
	case n <= 0:
		return "none"
	case n == 1:
		return "on 1 list"
	}
	return fmt.Sprintf("on %d lists", n)
}
