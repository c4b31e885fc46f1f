package handlers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// Notes keeps the notes staff write on checks and customers and the inbox of mentions;
// *notes.Book implements it.
type Notes interface {
	Add(ctx context.Context, n notes.Note) (notes.Note, error)
	On(ctx context.Context, targetType, targetID string) ([]notes.Note, error)
	OnAny(ctx context.Context, targetType string, targetIDs []string) ([]notes.Note, error)
	Latest(ctx context.Context, targetType, targetID string) (int64, error)
	Inbox(ctx context.Context, userID string, limit int) ([]notes.Mention, error)
	Unread(ctx context.Context, userID string) (int, error)
	MarkRead(ctx context.Context, userID string) error
}

// notesModel is the thread on a check or a customer for its page; form carries what was typed and
// why it was refused.
func (a *App) notesModel(c echo.Context, targetType, targetID string, form views.NotesModel) (views.NotesModel, error) {
	m := form
	m.Action, m.Now = "/"+targetType+"s/"+targetID+"/notes", time.Now()
	if a.Notes == nil {
		return m, nil
	}
	u, _ := userOf(c)
	m.CanWrite = u.Can(auth.WriteNotes)
	list, err := a.Notes.On(c.Request().Context(), targetType, targetID)
	if err != nil {
		return m, err
	}
	m.Notes = make([]views.NoteView, 0, len(list))
	for _, n := range list {
		m.Notes = append(m.Notes, views.NoteView{Body: n.Body, Author: n.AuthorEmail, Role: string(n.AuthorRole), At: n.CreatedAt, Erased: !n.ErasedAt.IsZero()})
	}
	return m, nil
}

// addCheckNote adds a note to the check in the path.
func (a *App) addCheckNote(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such check.")
	}
	ch, err := a.Hive.GetCheck(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return a.addNote(c, notes.OnCheck, id, func(form views.NotesModel) error {
		m, err := a.reportModel(c, ch, a.Hive)
		if err != nil {
			return err
		}
		if m.Notes, err = a.notesModel(c, notes.OnCheck, id, form); err != nil {
			return err
		}
		p := a.page(c, "Check "+views.ShortID(id))
		p.URL = "/checks/" + id
		return render(c, http.StatusUnprocessableEntity, views.ReportPage(p, m))
	})
}

// addCustomerNote adds a note to the customer in the path.
func (a *App) addCustomerNote(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such customer.")
	}
	if _, err := a.Hive.GetCustomer(c.Request().Context(), id); err != nil {
		return err
	}
	return a.addNote(c, notes.OnCustomer, id, func(form views.NotesModel) error {
		return a.customerPage(c, http.StatusUnprocessableEntity, form)
	})
}

// addNote stores a note from the form and returns to its page; a refused note comes back on the page
// (refuse renders it) with what was typed and why. Every "@email" must name a colleague, whose
// inbox then holds the note. The trail records who wrote on what and whom they mentioned, not the
// text, which may hold personal data.
func (a *App) addNote(c echo.Context, targetType, targetID string, refuse func(views.NotesModel) error) error {
	ctx := c.Request().Context()
	body := c.FormValue("body")
	u, _ := userOf(c)
	if err := notes.Validate(body); err != nil {
		return refuse(views.NotesModel{Body: body, Error: "The note " + fieldErrors(err)["body"]})
	}
	var mentioned []string
	if emails := notes.MentionedEmails(body); len(emails) > 0 {
		staff, err := a.StaffAdmin.ListUsers(ctx)
		if err != nil {
			return err
		}
		byEmail := map[string]auth.User{}
		for _, s := range staff {
			if !s.Disabled {
				byEmail[s.Email] = s
			}
		}
		var unknown []string
		for _, e := range emails {
			if s, ok := byEmail[e]; ok {
				mentioned = append(mentioned, s.ID)
			} else {
				unknown = append(unknown, e)
			}
		}
		if len(unknown) > 0 {
			return refuse(views.NotesModel{Body: body, Error: "No enabled colleague has the email " + strings.Join(unknown, ", ") +
				": correct the mention, or leave out the @."})
		}
	}
	details := map[string]any{"mentions": len(mentioned)}
	err := a.mutate(c, auditEntry{Action: "note.add", TargetType: targetType, TargetID: targetID, Details: details}, func() error {
		_, err := a.Notes.Add(ctx, notes.Note{TargetType: targetType, TargetID: targetID, Body: body, AuthorID: u.ID,
			AuthorEmail: u.Email, AuthorRole: u.Role, Mentions: mentioned})
		return err
	})
	if errs := fieldErrors(err); errs != nil {
		return refuse(views.NotesModel{Body: body, Error: "The note " + errs["body"]})
	}
	if err != nil {
		return err
	}
	if targetType == notes.OnCheck && a.Reviews != nil {
		_ = a.Reviews.Touch(ctx, targetID, u.ID) // work on a check keeps its writer's claim
	}
	a.flash(c, "success", "Note added.")
	return redirect(c, "/"+targetType+"s/"+targetID+"#notes")
}

// inbox lists the notes that mention the signed-in user and marks them read.
func (a *App) inbox(c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := userOf(c)
	m := views.InboxModel{Now: time.Now()}
	if a.Notes != nil {
		list, err := a.Notes.Inbox(ctx, u.ID, 200)
		if err != nil {
			return err
		}
		for _, it := range list {
			n := it.Note
			item := views.InboxItem{NoteView: views.NoteView{Body: n.Body, Author: n.AuthorEmail, Role: string(n.AuthorRole), At: n.CreatedAt, Erased: !n.ErasedAt.IsZero()},
				Href: "/" + n.TargetType + "s/" + n.TargetID + "#notes", Target: n.TargetType + " " + views.ShortID(n.TargetID), Unread: !it.Read}
			m.Mentions = append(m.Mentions, item)
		}
		if err := a.Notes.MarkRead(ctx, u.ID); err != nil {
			return err
		}
	}
	return render(c, http.StatusOK, views.InboxPage(a.page(c, "Inbox"), m))
}
