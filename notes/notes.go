// Package notes keeps the threads of notes staff write on checks and customers, apart from review
// decisions ("called the customer, asked for a new photo"), and the inbox of each colleague a note
// mentions. Notes are never changed or deleted: a correction is a new note. The console records and
// reads them through one [Book], which [New] builds.
package notes

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
)

// MaxLen is the longest note, in characters.
const MaxLen = 2000

// The things a note is written on.
const (
	OnCheck    = "check"
	OnCustomer = "customer"
)

// Note is one note on a check or a customer.
type Note struct {
	ID                    int64
	TargetType, TargetID  string
	Body                  string // plain text, shown as text
	AuthorID, AuthorEmail string
	AuthorRole            auth.Role
	CreatedAt             time.Time
	Mentions              []string // the ids of the colleagues it mentions, given to Add
	// ErasedAt is when retention erased the note with its customer: Body is then "sha256:" and the
	// hex SHA-256 of the text it had. Zero for a note as written.
	ErasedAt time.Time
}

// Mention is a note in a colleague's inbox.
type Mention struct {
	Note Note
	Read bool
}

// Book is the notes kept in the console database. Build it with New.
type Book struct {
	db  *database.DB
	now func() time.Time
}

// New returns the notes kept in db; now is the clock (time.Now when nil).
func New(db *database.DB, now func() time.Time) *Book {
	if now == nil {
		now = time.Now
	}
	return &Book{db: db, now: now}
}

// mention is "@" and an email address in a note's text.
var mention = regexp.MustCompile(`@([A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)`)

// MentionedEmails lists, lower-cased and once each, the emails a note's text mentions with "@".
func MentionedEmails(body string) []string {
	var out []string
	for _, m := range mention.FindAllStringSubmatch(body, -1) {
		email := strings.ToLower(strings.TrimRight(m[1], "."))
		if !slices.Contains(out, email) {
			out = append(out, email)
		}
	}
	return out
}

// Validate checks a note's text: once trimmed, 1..2000 characters without control characters other
// than line breaks and tabs. The problem comes back as auth.ValidationErrors on the field "body".
func Validate(body string) error {
	body = strings.TrimSpace(body)
	msg := ""
	switch {
	case body == "":
		msg = "is required"
	case !utf8.ValidString(body):
		msg = "must be valid text"
	case utf8.RuneCountInString(body) > MaxLen:
		msg = fmt.Sprintf("must be at most %d characters", MaxLen)
	case strings.ContainsFunc(body, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		msg = "must not contain control characters"
	}
	if msg == "" {
		return nil
	}
	return auth.ValidationErrors{&auth.FieldError{Field: "body", Message: msg}}
}

// Add validates n's text, stamps it with the book's clock, and stores it with one inbox entry for each
// colleague in n.Mentions (the author's own mention aside). It returns the note as stored.
func (b *Book) Add(ctx context.Context, n Note) (Note, error) {
	if err := Validate(n.Body); err != nil {
		return Note{}, err
	}
	n.Body = strings.TrimSpace(n.Body)
	if (n.TargetType != OnCheck && n.TargetType != OnCustomer) || n.TargetID == "" || len(n.TargetID) > 100 ||
		n.AuthorID == "" || n.AuthorEmail == "" {
		return Note{}, errors.New("notes: add: a target, its id and the author are required")
	}
	n.CreatedAt = b.now().UTC().Truncate(time.Second)
	err := b.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, b.db.Q(`INSERT INTO notes (target_type, target_id, body, author_id, author_email,
			author_role, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), n.TargetType, n.TargetID, n.Body, n.AuthorID,
			n.AuthorEmail, string(n.AuthorRole), database.Unix(n.CreatedAt)).Scan(&n.ID)
		if err != nil {
			return fmt.Errorf("notes: add: %w", err)
		}
		for _, id := range slices.Compact(slices.Sorted(slices.Values(n.Mentions))) {
			if id == n.AuthorID {
				continue
			}
			if _, err := tx.ExecContext(ctx, b.db.Q(`INSERT INTO note_mentions (note_id, user_id) VALUES (?, ?)`), n.ID, id); err != nil {
				return fmt.Errorf("notes: mention: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Note{}, err
	}
	return n, nil
}

const noteColumns = `n.id, n.target_type, n.target_id, n.body, n.author_id, n.author_email, n.author_role, n.created_at, n.erased_at`

func scanNote(s database.Scanner, extra ...any) (Note, error) {
	var n Note
	var role string
	var created int64
	var erased sql.NullInt64
	if err := s.Scan(append([]any{&n.ID, &n.TargetType, &n.TargetID, &n.Body, &n.AuthorID, &n.AuthorEmail, &role, &created, &erased}, extra...)...); err != nil {
		return Note{}, fmt.Errorf("notes: read note: %w", err)
	}
	n.AuthorRole, n.CreatedAt, n.ErasedAt = auth.Role(role), database.FromUnix(created), database.FromNullUnix(erased)
	return n, nil
}

// On returns the notes on one check or customer, newest first; an empty slice when there are none.
func (b *Book) On(ctx context.Context, targetType, targetID string) ([]Note, error) {
	return b.OnAny(ctx, targetType, []string{targetID})
}

// OnAny returns the notes on any of several checks or customers, newest first.
func (b *Book) OnAny(ctx context.Context, targetType string, targetIDs []string) ([]Note, error) {
	out := []Note{}
	if len(targetIDs) == 0 {
		return out, nil
	}
	args := append([]any{targetType}, database.Anys(targetIDs)...)
	rows, err := b.db.Query(ctx, `SELECT `+noteColumns+` FROM notes n WHERE n.target_type = ? AND n.target_id IN (`+
		database.Placeholders(len(targetIDs))+`) ORDER BY n.created_at DESC, n.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("notes: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Erase replaces the text of every note on the customer and on their checks with its SHA-256
// ("sha256:" and 64 hex digits), once, and returns how many it erased. The notes keep who wrote them,
// when, and on what; the hash still shows, to whoever holds a copy of a text, that it was this one.
// Erasing again changes nothing.
func (b *Book) Erase(ctx context.Context, customerID string, checkIDs []string) (int, error) {
	var (
		where = `(target_type = 'customer' AND target_id = ?)`
		args  = []any{customerID}
	)
	if len(checkIDs) > 0 {
		where += ` OR (target_type = 'check' AND target_id IN (` + database.Placeholders(len(checkIDs)) + `))`
		args = append(args, database.Anys(checkIDs)...)
	}
	now := database.Unix(b.now())
	erased := 0
	err := b.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, b.db.Q(`SELECT id, body FROM notes WHERE erased_at IS NULL AND (`+where+`)`), args...)
		if err != nil {
			return fmt.Errorf("notes: find notes to erase: %w", err)
		}
		type text struct {
			id   int64
			body string
		}
		var found []text
		for rows.Next() {
			var t text
			if err := rows.Scan(&t.id, &t.body); err != nil {
				rows.Close()
				return fmt.Errorf("notes: find notes to erase: %w", err)
			}
			found = append(found, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("notes: find notes to erase: %w", err)
		}
		for _, t := range found {
			if _, err := tx.ExecContext(ctx, b.db.Q(`UPDATE notes SET body = ?, erased_at = ? WHERE id = ? AND erased_at IS NULL`),
				ErasedText(t.body), now, t.id); err != nil {
				return fmt.Errorf("notes: erase a note: %w", err)
			}
		}
		erased = len(found)
		return nil
	})
	return erased, err
}

// ErasedText is what an erased text becomes: "sha256:" and the hex SHA-256 of its bytes.
func ErasedText(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Latest is the id of the newest note on one check or customer, 0 when there is none: what live
// pages compare to see whether someone wrote one.
func (b *Book) Latest(ctx context.Context, targetType, targetID string) (int64, error) {
	var id sql.NullInt64
	err := b.db.QueryRow(ctx, `SELECT max(id) FROM notes WHERE target_type = ? AND target_id = ?`, targetType, targetID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("notes: latest: %w", err)
	}
	return id.Int64, nil
}

// Inbox returns the newest notes that mention userID (at most limit), unread ones marked so.
func (b *Book) Inbox(ctx context.Context, userID string, limit int) ([]Mention, error) {
	rows, err := b.db.Query(ctx, `SELECT `+noteColumns+`, m.read_at IS NOT NULL FROM note_mentions m
		JOIN notes n ON n.id = m.note_id WHERE m.user_id = ? ORDER BY n.id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("notes: inbox: %w", err)
	}
	defer rows.Close()
	out := []Mention{}
	for rows.Next() {
		var m Mention
		if m.Note, err = scanNote(rows, &m.Read); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Unread counts the notes that mention userID and that they have not seen in their inbox.
func (b *Book) Unread(ctx context.Context, userID string) (int, error) {
	var n int
	if err := b.db.QueryRow(ctx, `SELECT count(*) FROM note_mentions WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("notes: unread: %w", err)
	}
	return n, nil
}

// MarkRead marks every note that mentions userID read, as opening the inbox does.
func (b *Book) MarkRead(ctx context.Context, userID string) error {
	if _, err := b.db.Exec(ctx, `UPDATE note_mentions SET read_at = ? WHERE user_id = ? AND read_at IS NULL`,
		database.Unix(b.now()), userID); err != nil {
		return fmt.Errorf("notes: mark read: %w", err)
	}
	return nil
}
