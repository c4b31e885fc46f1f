package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/hiveconsole/hiveconsole/webhooks"
	"github.com/labstack/echo/v4"
)

// Webhooks are the endpoints decisions are sent to; *webhooks.Store implements it.
type Webhooks interface {
	Endpoints(ctx context.Context) ([]webhooks.Endpoint, error)
	Endpoint(ctx context.Context, id string) (webhooks.Endpoint, error)
	Create(ctx context.Context, url string, events []string, createdBy string) (webhooks.Endpoint, string, error)
	SetEnabled(ctx context.Context, id string, on bool) error
	Rotate(ctx context.Context, id string, grace time.Duration) (string, error)
	SendTest(ctx context.Context, id string) (webhooks.Event, error)
	Redeliver(ctx context.Context, endpointID string, deliveryID int64) error
	Deliveries(ctx context.Context, endpointID string, limit int) ([]webhooks.Delivery, error)
}

// rotationGrace is how long a rotated-out secret keeps signing beside the new one.
const rotationGrace = 24 * time.Hour

// webhookTypes says what each event type is, for the form.
var webhookTypes = []views.WebhookType{
	{Name: webhooks.Approved, About: "a final approval"},
	{Name: webhooks.Rejected, About: "a final rejection, with its reason code"},
	{Name: webhooks.Resubmission, About: "the customer is asked to verify again"},
	{Name: webhooks.FirstStep, About: "four-eyes: an approval waiting for a second approver"},
	{Name: webhooks.Disputed, About: "four-eyes: a rejection of a check approved first"},
	{Name: webhooks.Deleted, About: "retention deleted a customer"},
}

func endpointView(e webhooks.Endpoint) views.WebhookEndpoint {
	return views.WebhookEndpoint{ID: e.ID, URL: e.URL, Events: e.Events, Enabled: e.Enabled, Config: e.Source == "config",
		CreatedBy: e.CreatedBy, Created: e.Created, OldUntil: e.OldUntil}
}

// errNoWebhooks answers the webhooks pages of a console built without them.
var errNoWebhooks = echo.NewHTTPError(http.StatusNotFound, "Webhooks are not set up on this console.")

// webhooksPage lists the endpoints, with the form that adds one.
func (a *App) webhooksPage(c echo.Context) error {
	if a.Webhooks == nil {
		return errNoWebhooks
	}
	return a.webhooksWith(c, http.StatusOK, views.WebhooksModel{FormEvents: defaultWebhookEvents()})
}

// defaultWebhookEvents are the events the form offers checked: the final decisions.
func defaultWebhookEvents() map[string]bool {
	return map[string]bool{webhooks.Approved: true, webhooks.Rejected: true, webhooks.Resubmission: true}
}

func (a *App) webhooksWith(c echo.Context, status int, m views.WebhooksModel) error {
	eps, err := a.Webhooks.Endpoints(c.Request().Context())
	if err != nil {
		return err
	}
	for _, e := range eps {
		m.Endpoints = append(m.Endpoints, endpointView(e))
	}
	m.Allow, m.Types = a.WebhookAllow.String(), webhookTypes
	if u, _ := userOf(c); u.Can(auth.ManageAPITokens) && a.APITokens != nil {
		m.TokensURL = "/api-tokens"
	}
	return render(c, status, views.WebhooksPage(a.page(c, "Webhooks"), m))
}

// addWebhook adds an endpoint and shows its secret once; a URL the allow-list refuses, or no event,
// keeps what was typed and says why.
func (a *App) addWebhook(c echo.Context) error {
	if a.Webhooks == nil {
		return errNoWebhooks
	}
	ctx := c.Request().Context()
	me, _ := userOf(c)
	url := strings.TrimSpace(c.FormValue("url"))
	form, _ := c.FormParams()
	events := form["events"]
	m := views.WebhooksModel{FormURL: url, FormEvents: map[string]bool{}}
	for _, e := range events {
		m.FormEvents[e] = true
	}
	eps, err := a.Webhooks.Endpoints(ctx)
	if err != nil {
		return err
	}
	if err := a.WebhookAllow.CheckURL(url); err != nil {
		m.FormError = err.Error() + "."
	} else if err := webhooks.CheckEvents(events); err != nil {
		m.FormError = "Events: " + err.Error() + "."
	}
	for _, e := range eps {
		if e.URL == url && m.FormError == "" {
			m.FormError = "There is an endpoint with this URL already."
		}
	}
	if m.FormError != "" {
		return a.webhooksWith(c, http.StatusUnprocessableEntity, m)
	}
	var (
		added  webhooks.Endpoint
		secret string
	)
	err = a.change(c, auditEntry{Action: "webhook.create", TargetType: "webhook", Details: map[string]any{"url": auditURL(url), "events": strings.Join(events, ",")}},
		func() (string, error) {
			added, secret, err = a.Webhooks.Create(ctx, url, events, me.Email)
			return added.ID, err
		})
	if err != nil {
		return err
	}
	created := views.WebhookSecret{EndpointID: added.ID, URL: url, Secret: secret}
	c.Response().Header().Set("Cache-Control", "no-store") // the secret is on this page alone
	return a.webhooksWith(c, http.StatusCreated, views.WebhooksModel{Created: &created, FormEvents: defaultWebhookEvents()})
}

// endpoint reads the :id endpoint, 404 when there is none.
func (a *App) endpoint(c echo.Context) (webhooks.Endpoint, error) {
	if a.Webhooks == nil {
		return webhooks.Endpoint{}, errNoWebhooks
	}
	e, err := a.Webhooks.Endpoint(c.Request().Context(), c.Param("id"))
	if errors.Is(err, webhooks.ErrNotFound) {
		return e, echo.NewHTTPError(http.StatusNotFound, "There is no such webhook endpoint.")
	}
	return e, err
}

// webhookPage is one endpoint with its delivery log.
func (a *App) webhookPage(c echo.Context) error {
	e, err := a.endpoint(c)
	if err != nil {
		return err
	}
	return a.webhookWith(c, e, nil)
}

func (a *App) webhookWith(c echo.Context, e webhooks.Endpoint, secret *views.WebhookSecret) error {
	dl, err := a.Webhooks.Deliveries(c.Request().Context(), e.ID, 50)
	if err != nil {
		return err
	}
	m := views.WebhookModel{Endpoint: endpointView(e), Secret: secret}
	for _, d := range dl {
		v := views.WebhookDelivery{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Created: d.Created, State: d.State,
			Attempts: d.Attempts, NextAt: d.NextAt}
		if d.Last != nil {
			v.Tried, v.LastAt, v.LastStatus, v.LastDuration, v.LastError, v.LastResponse = true, d.Last.At, d.Last.Status, d.Last.Duration, d.Last.Error, d.Last.Response
		}
		m.Deliveries = append(m.Deliveries, v)
	}
	status := http.StatusOK
	if secret != nil {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return render(c, status, views.WebhookPage(a.page(c, "Webhook"), m))
}

// configured refuses changes to the endpoint configuration names: they are made there.
func configured(e webhooks.Endpoint) error {
	if e.Source == "config" {
		return echo.NewHTTPError(http.StatusConflict, "This endpoint is set by HIVECONSOLE_WEBHOOK_URL: change it there.")
	}
	return nil
}

func (a *App) enableWebhook(c echo.Context) error  { return a.toggleWebhook(c, true) }
func (a *App) disableWebhook(c echo.Context) error { return a.toggleWebhook(c, false) }

func (a *App) toggleWebhook(c echo.Context, on bool) error {
	e, err := a.endpoint(c)
	if err != nil {
		return err
	}
	if err := configured(e); err != nil {
		return err
	}
	action := "webhook.disable"
	if on {
		action = "webhook.enable"
	}
	if err := a.mutate(c, auditEntry{Action: action, TargetType: "webhook", TargetID: e.ID, Details: map[string]any{"url": auditURL(e.URL)}}, func() error {
		return a.Webhooks.SetEnabled(c.Request().Context(), e.ID, on)
	}); err != nil {
		return err
	}
	if on {
		a.flash(c, "success", "The endpoint is enabled: what waited is sent now.")
	} else {
		a.flash(c, "success", "The endpoint is disabled: its events wait, and go when it is enabled again.")
	}
	return redirect(c, "/webhooks/"+e.ID)
}

// rotateWebhook gives the endpoint a new secret, shown once; the old one signs too for a day.
func (a *App) rotateWebhook(c echo.Context) error {
	e, err := a.endpoint(c)
	if err != nil {
		return err
	}
	if err := configured(e); err != nil {
		return err
	}
	var secret string
	if err := a.mutate(c, auditEntry{Action: "webhook.rotate", TargetType: "webhook", TargetID: e.ID, Details: map[string]any{"url": auditURL(e.URL)}}, func() error {
		secret, err = a.Webhooks.Rotate(c.Request().Context(), e.ID, rotationGrace)
		return err
	}); err != nil {
		return err
	}
	if e, err = a.endpoint(c); err != nil {
		return err
	}
	return a.webhookWith(c, e, &views.WebhookSecret{EndpointID: e.ID, URL: e.URL, Secret: secret, Rotated: true, OldUntil: e.OldUntil})
}

// testWebhook queues a test event to the endpoint.
func (a *App) testWebhook(c echo.Context) error {
	e, err := a.endpoint(c)
	if err != nil {
		return err
	}
	if err := a.mutate(c, auditEntry{Action: "webhook.test", TargetType: "webhook", TargetID: e.ID, Details: map[string]any{"url": auditURL(e.URL)}}, func() error {
		_, err := a.Webhooks.SendTest(c.Request().Context(), e.ID)
		return err
	}); err != nil {
		return err
	}
	a.flash(c, "success", "A test event is on its way: its delivery shows below within seconds.")
	return redirect(c, "/webhooks/"+e.ID)
}

// redeliverWebhook sends one delivery again now.
func (a *App) redeliverWebhook(c echo.Context) error {
	e, err := a.endpoint(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("delivery"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such delivery.")
	}
	err = a.mutate(c, auditEntry{Action: "webhook.redeliver", TargetType: "webhook", TargetID: e.ID, Details: map[string]any{"delivery": id}}, func() error {
		return a.Webhooks.Redeliver(c.Request().Context(), e.ID, id)
	})
	if errors.Is(err, webhooks.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such delivery.")
	}
	if errors.Is(err, webhooks.ErrSending) {
		return echo.NewHTTPError(http.StatusConflict, "The delivery is being sent right now: its outcome shows in a moment.")
	}
	if err != nil {
		return err
	}
	a.flash(c, "success", "The delivery is sent again now.")
	return redirect(c, "/webhooks/"+e.ID)
}

// auditURL is an endpoint's URL as the trail keeps it: without its query and fragment, where a
// receiver may carry a token that must not stay in an append-only record.
func auditURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.User, u.Fragment = nil, ""
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}
