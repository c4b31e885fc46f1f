package views

import "time"

// WebhooksModel is the webhooks page: the endpoints, the form that adds one, and a secret shown once.
type WebhooksModel struct {
	Endpoints []WebhookEndpoint
	Allow     string // HIVECONSOLE_WEBHOOK_ALLOW as set; "" allows nothing
	Types     []WebhookType
	// The form, kept as typed when refused.
	FormURL    string
	FormEvents map[string]bool
	FormError  string
	// Created is the endpoint just added, with its secret, shown this once.
	Created *WebhookSecret
	// TokensURL is the API tokens page, for those who may manage them; "" for others.
	TokensURL string
}

// WebhookType is an event type with what it means.
type WebhookType struct{ Name, About string }

// WebhookEndpoint is one endpoint in a list or on its page.
type WebhookEndpoint struct {
	ID, URL   string
	Events    []string
	Enabled   bool
	Config    bool // named by HIVECONSOLE_WEBHOOK_URL: changed there, not here
	CreatedBy string
	Created   time.Time
	OldUntil  time.Time // while the old secret still signs; zero otherwise
}

// WebhookSecret is a secret shown once, after the endpoint's creation or a rotation.
type WebhookSecret struct {
	EndpointID, URL, Secret string
	Rotated                 bool
	OldUntil                time.Time
}

// WebhookModel is one endpoint's page: what it is, its buttons, and its delivery log.
type WebhookModel struct {
	Endpoint   WebhookEndpoint
	Deliveries []WebhookDelivery
	Secret     *WebhookSecret // a rotation's new secret, shown once
}

// WebhookDelivery is one event's delivery to the endpoint, with its newest attempt.
type WebhookDelivery struct {
	ID                      int64
	EventID, EventType      string
	Created                 time.Time
	State                   string // pending, delivered or failed
	Attempts                int
	NextAt                  time.Time
	Tried                   bool
	LastAt                  time.Time
	LastStatus              int
	LastDuration            time.Duration
	LastError, LastResponse string
}
