package views

// CustomerForm is the create and edit form, with what was typed and a message per bad field.
type CustomerForm struct {
	ID                                                         string // empty when creating
	Email, Phone, FirstName, MiddleName, LastName, Gender, DOB string
	Metadata                                                   []KeyValue        // existing rows, then blank ones
	Version                                                    string            // the stored version the form edits
	Errors                                                     map[string]string // what stops the save, by field
	Warnings                                                   map[string]string // stored values the console doubts, kept unless changed
	Conflict                                                   *Conflict         // the customer changed since the form was opened
}

// Conflict shows the user's version and the stored one side by side.
type Conflict struct {
	Rows []ConflictRow
}

// ConflictRow is one field that differs.
type ConflictRow struct {
	Field, Mine, Theirs string
}

// DeleteCustomerModel is the delete confirmation.
type DeleteCustomerModel struct {
	ID, Name, Email string
	Impact          DeleteImpact
	Typed, Error    string
}

// DeleteImpact is what deleting a customer also deletes.
type DeleteImpact struct {
	Sessions, Checks, Reports int
}
