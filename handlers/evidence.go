package handlers

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/evidence"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// An evidence pack is one zip per completed check that stands without the console: the report,
// the check's images, the customer's record as Hive holds it now, the review decisions, the notes
// on the check and the customer, and the audit rows about them with their hashes, listed with
// their SHA-256 in a manifest the console signs (see package evidence). Downloading one is like
// revealing a field: the user says why, and the trail records it before a byte is sent. The pack's
// own audit row is inside it.

// evidence shows the form that asks why, or, with a reason, streams the pack.
func (a *App) evidence(c echo.Context) error {
	if a.EvidenceKey == nil {
		return echo.ErrNotFound
	}
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such check.")
	}
	ctx := c.Request().Context()
	ch, err := a.Hive.GetCheck(ctx, id)
	if err != nil {
		return err
	}
	m := views.EvidenceModel{CheckID: id, Fingerprint: evidence.Fingerprint(a.EvidenceKey.Public()),
		PublicKey: evidence.FormatPublicKey(a.EvidenceKey.Public()), Complete: ch.Status == hive.CheckComplete}
	m.CustomerID, m.CustomerName = a.checkCustomer(ctx, ch.SessionID)
	_, asked := c.QueryParams()["reason"]
	m.Reason = strings.Join(strings.Fields(c.QueryParam("reason")), " ")
	title := "Evidence pack for check " + views.ShortID(id)
	if !m.Complete {
		return render(c, http.StatusConflict, views.EvidencePage(a.page(c, title), m))
	}
	if !asked {
		return render(c, http.StatusOK, views.EvidencePage(a.page(c, title), m))
	}
	if m.Error = reasonProblem(m.Reason, "the pack"); m.Error != "" {
		return render(c, http.StatusUnprocessableEntity, views.EvidencePage(a.page(c, title), m))
	}
	rep, err := a.Hive.GetReport(ctx, id)
	if err != nil {
		return err
	}
	files, err := a.checkFiles(ctx, ch)
	if err != nil {
		return err
	}
	// The pack's own row goes first, so the pack holds the record of its making.
	if err := a.audit(c, auditEntry{Action: "check.evidence", TargetType: "check", TargetID: id, Outcome: outcomeSuccess,
		Details: map[string]any{"reason": m.Reason, "files": len(files)}}); err != nil {
		return err
	}
	me, _ := userOf(c)
	meta := evidence.Meta{CheckID: id, CustomerID: m.CustomerID, CreatedAt: time.Now().UTC(), CreatedBy: me.Email,
		Reason: m.Reason, Console: a.Version, BaseURL: a.BaseURL.String()}
	if head, ok, err := a.Audit.Head(ctx); err == nil && ok {
		meta.AuditHeadSeq, meta.AuditHeadHash = head.Seq, head.Hash
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="evidence-%s-%s.zip"`, id, meta.CreatedAt.Format("20060102T150405Z")))
	c.Response().WriteHeader(http.StatusOK)
	// From here the status is sent: a failure half-way leaves a zip that does not verify, and is
	// logged; nothing else can be said to the browser.
	pack := evidence.NewPack(c.Response(), *a.EvidenceKey, meta)
	err = a.fillPack(ctx, pack, ch, rep, files, m.CustomerID)
	if cerr := pack.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		a.log.Error("evidence pack cut short", slog.String("check", id), slog.Any("err", err))
	}
	return nil
}

// fillPack adds the check's evidence to the pack, images streamed from the files host.
func (a *App) fillPack(ctx context.Context, pack *evidence.Pack, ch *hive.Check, rep *hive.Report, files []hive.File, customerID string) error {
	if err := pack.AddJSON("check.json", ch); err != nil {
		return err
	}
	if err := pack.AddJSON("report.json", rep); err != nil {
		return err
	}
	if customerID != "" {
		cust, err := a.Hive.GetCustomer(ctx, customerID)
		switch {
		case errors.Is(err, hive.ErrNotFound):
			// deleted since: the pack says so by its absence, and the trail by its rows
		case err != nil:
			return err
		default:
			if err := pack.AddJSON("customer.json", cust); err != nil {
				return err
			}
		}
	}
	for i, f := range files {
		if err := a.packFile(ctx, pack, i+1, f); err != nil {
			return err
		}
	}
	decisions := []review.Review{}
	if a.Reviews != nil {
		got, err := a.Reviews.ForCheck(ctx, ch.ID)
		if err != nil {
			return err
		}
		decisions = append(decisions, got...)
	}
	if err := pack.AddJSON("decisions.json", decisions); err != nil {
		return err
	}
	if a.Notes != nil {
		onCheck, err := a.Notes.On(ctx, "check", ch.ID)
		if err != nil {
			return err
		}
		all := map[string]any{"check": onCheck}
		if customerID != "" {
			onCustomer, err := a.Notes.On(ctx, "customer", customerID)
			if err != nil {
				return err
			}
			all["customer"] = onCustomer
		}
		if err := pack.AddJSON("notes.json", all); err != nil {
			return err
		}
	}
	targets := []audit.Target{{Type: "check", ID: ch.ID}}
	if customerID != "" {
		targets = append(targets, audit.Target{Type: "customer", ID: customerID})
	}
	for _, f := range files {
		targets = append(targets, audit.Target{Type: "file", ID: f.ID})
	}
	rows := []audit.Row{}
	if err := a.Audit.RowsAbout(ctx, targets, func(r audit.Row) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		return err
	}
	return pack.AddJSON("audit.json", rows)
}

// packFile streams one of the check's files into the pack as files/<n>-<type><ext>, the extension
// from its first bytes as the file proxy decides it.
func (a *App) packFile(ctx context.Context, pack *evidence.Pack, n int, f hive.File) error {
	fc, err := a.Hive.OpenFile(ctx, f.ID)
	if err != nil {
		return err
	}
	defer fc.Body.Close()
	br := bufio.NewReaderSize(fc.Body, 32<<10)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	ext, ok := servedTypes[http.DetectContentType(head)]
	if !ok {
		ext = ".bin"
	}
	return pack.Add(fmt.Sprintf("files/%d-%s-%s%s", n, f.Type, f.ID, ext), br)
}
