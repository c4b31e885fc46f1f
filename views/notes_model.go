package views

import "time"

// NotesModel is the thread of notes on a check or a customer, newest first, and the form that adds
// one.
type NotesModel struct {
	Action   string // where the form posts: /checks/{id}/notes or /customers/{id}/notes
	Notes    []NoteView
	CanWrite bool
	Body     string // what was typed, when a note was refused
	Error    string // why it was refused
	Now      time.Time
}

// NoteView is one note.
type NoteView struct {
	Body, Author, Role string
	At                 time.Time
	Erased             bool // retention erased the text with its customer; Body is its SHA-256
}

// InboxModel is the notes that mention the signed-in user, newest first.
type InboxModel struct {
	Mentions []InboxItem
	Now      time.Time
}

// InboxItem is one note in the inbox, with the page it was written on.
type InboxItem struct {
	NoteView
	Href, Target string // the check's or customer's page, and what it is ("check 1a2b3c4d")
	Unread       bool
}
