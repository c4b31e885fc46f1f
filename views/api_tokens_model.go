package views

import "time"

// APITokensModel is the API tokens page: the tokens, the form that creates one, and a token shown once.
type APITokensModel struct {
	Tokens    []APIToken
	FormName  string
	FormError string
	// Created is the token just made, shown this once.
	Created     string
	CreatedName string
}

// APIToken is one token as listed: never the token itself.
type APIToken struct {
	ID, Name, Prefix, Scope string
	CreatedBy               string
	Created, LastUsed       time.Time // LastUsed zero when never used
	Revoked                 time.Time // zero while valid
	RevokedBy               string
}
