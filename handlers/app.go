// Package handlers is the console's HTTP layer: Echo handlers, one file per resource, every route in
// routes.go next to the permission it needs, one error handler and one render helper. It reaches Hive
// and staff accounts only through the small interfaces declared here.
package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/evidence"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/retention"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/webhooks"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Hive is what the handlers need of the Hive API; *hive.Client implements it.
type Hive interface {
	ListCustomers(ctx context.Context) (*hive.List[hive.Customer], error)
	GetCustomer(ctx context.Context, id string) (*hive.Customer, error)
	CreateCustomer(ctx context.Context, p hive.CustomerParams) (*hive.Customer, error)
	UpdateCustomer(ctx context.Context, id string, p hive.CustomerParams) (*hive.Customer, error)
	DeleteCustomer(ctx context.Context, id string) (*hive.Customer, error)
	ListSessions(ctx context.Context) (*hive.List[hive.Session], error)
	GetSession(ctx context.Context, id string) (*hive.Session, error)
	CreateSession(ctx context.Context, p hive.SessionParams) (*hive.SessionToken, error)
	DeleteSession(ctx context.Context, id string) error
	ListChecks(ctx context.Context) (*hive.List[hive.Check], error)
	GetCheck(ctx context.Context, id string) (*hive.Check, error)
	CreateCheck(ctx context.Context, sessionID string) (*hive.Check, error)
	DeleteCheck(ctx context.Context, id string) error
	ListFiles(ctx context.Context) (*hive.List[hive.File], error)
	GetFile(ctx context.Context, id string) (*hive.File, error)
	OpenFile(ctx context.Context, id string) (*hive.FileContent, error)
	GetReport(ctx context.Context, id string) (*hive.Report, error)
}

// Simulator plays the SDK in sandbox mode, so a new user can walk the whole flow in the browser.
// It is nil against the real Hive API.
type Simulator interface {
	Scenarios() []Scenario
	CompleteSession(ctx context.Context, sessionID, scenario string) error
}

// Scenario is an outcome the simulator can play.
type Scenario struct {
	Name, Title, Description, Result string
}

// Staff is what the handlers need of staff accounts; *auth.Service implements it.
type Staff interface {
	Authenticate(ctx context.Context, email, password string, client netip.Addr) (auth.User, error)
	SignedInUser(r *http.Request) (auth.User, *auth.WebSession, error)
	// StillSignedIn checks again, without counting as activity, a session SignedInUser accepted
	// earlier in a long request; auth.ErrUnauthenticated when it no longer holds.
	StillSignedIn(ctx context.Context, ws *auth.WebSession) (auth.User, error)
	// UserByEmail finds the account a single sign-on names; auth.ErrUserNotFound when none has it.
	UserByEmail(ctx context.Context, email string) (auth.User, error)
	Ping(ctx context.Context) error
}

// WebSessions start and end signed-in sessions; *auth.SessionStore implements it.
type WebSessions interface {
	Login(w http.ResponseWriter, r *http.Request, u auth.User) (*auth.WebSession, error)
	Logout(w http.ResponseWriter, r *http.Request) error
	// BeginSecondFactor, PendingSecondFactor and EndSecondFactor carry who passed the password step
	// to the second factor's, in this browser, for a few minutes.
	BeginSecondFactor(w http.ResponseWriter, u auth.User, next string) error
	PendingSecondFactor(r *http.Request) (userID, next string, err error)
	EndSecondFactor(w http.ResponseWriter)
	// BeginSingleSignOn and TakeSingleSignOn carry a single sign-on's state, nonce, PKCE verifier
	// and destination to the provider's callback, in this browser, once.
	BeginSingleSignOn(w http.ResponseWriter, st auth.OIDCState) error
	TakeSingleSignOn(w http.ResponseWriter, r *http.Request) (auth.OIDCState, error)
}

// Reviews keeps reviewers' decisions on checks, which Hive has no place for; *review.Ledger
// implements it.
type Reviews interface {
	Record(ctx context.Context, r review.Review, reasons []review.RejectReason) (review.Review, error)
	ForCheck(ctx context.Context, checkID string) ([]review.Review, error)
	Latest(ctx context.Context) (map[string]review.Review, error)
	LatestOf(ctx context.Context, checkIDs []string) (map[string]review.Review, error)
	ForCustomer(ctx context.Context, customerID string) ([]review.Review, error)
	// Claims: who works on which check (see review.Claim).
	Claim(ctx context.Context, checkID string, u auth.User) (review.Claim, error)
	Touch(ctx context.Context, checkID, userID string) error
	Release(ctx context.Context, checkID, userID string, anyone bool) (review.Claim, error)
	Assign(ctx context.Context, checkID string, to auth.User, by string) (review.Claim, error)
	ClaimOf(ctx context.Context, checkID string) (review.Claim, bool, error)
	ClaimsOf(ctx context.Context, checkIDs []string) (map[string]review.Claim, error)
	HeldSince() time.Time
}

// ReadModel is the console's copy of Hive, which lists, search and queues read; *readmodel.Store
// implements it. Every change the console makes is written through to it.
type ReadModel interface {
	Customers(ctx context.Context, q readmodel.CustomerQuery) (readmodel.CustomerPage, error)
	Count(ctx context.Context, kind readmodel.Kind) (int, error)
	Checks(ctx context.Context, q readmodel.CheckQuery) (readmodel.CheckPage, error)
	Check(ctx context.Context, id string) (readmodel.CheckEntry, bool, error)
	Linked(ctx context.Context, checkIDs []string, customer string, crowd int) (readmodel.Linked, error)
	RelinkCustomer(ctx context.Context, customerID string) error
	Customer(ctx context.Context, id string) (readmodel.CustomerEntry, bool, error)
	Sessions(ctx context.Context, q readmodel.SessionQuery) (readmodel.SessionPage, error)
	SessionsOf(ctx context.Context, customerID string) ([]hive.Session, error)
	Session(ctx context.Context, id string) (hive.Session, bool, error)
	CountOpenSessions(ctx context.Context, now time.Time) (int, error)
	Files(ctx context.Context, q readmodel.FileQuery) (readmodel.FilePage, error)
	EachCustomer(ctx context.Context, q readmodel.CustomerQuery, fn func(readmodel.CustomerEntry) error) error
	Status(ctx context.Context) (readmodel.Status, error)
	PutCustomer(ctx context.Context, c *hive.Customer) error
	DeleteCustomer(ctx context.Context, id string) error
	PutSession(ctx context.Context, s *hive.Session) error
	DeleteSession(ctx context.Context, id string) error
	PutCheck(ctx context.Context, c *hive.Check) error
	DeleteCheck(ctx context.Context, id string) error
	PutReport(ctx context.Context, c *hive.Check, r *hive.Report) error
	PutFile(ctx context.Context, f *hive.File) error
	Concerns(ctx context.Context, checkIDs []string) (map[string][]readmodel.Node, error)
	QueueReasons(ctx context.Context, rule readmodel.QueueRule) (map[string]int, error)
	QueueTimes(ctx context.Context, rule readmodel.QueueRule, targets readmodel.ServiceTimes, now time.Time) (readmodel.QueueTimes, error)
	CheckDays(ctx context.Context, p readmodel.Period) (readmodel.CheckDays, error)
	TopConcerns(ctx context.Context, p readmodel.Period, limit int) ([]readmodel.PathCount, error)
	Decisions(ctx context.Context, p readmodel.Period, reviewer string) (readmodel.Decisions, error)
	QueueHistory(ctx context.Context, p readmodel.Period) ([]readmodel.QueuePoint, error)
	// Forget drops the totals counted a moment ago, after a change the copy derives from.
	Forget()
}

// Assets are the static files; *static.Assets implements it.
type Assets interface {
	Path(name string) string
	ServeHTTP(w http.ResponseWriter, r *http.Request)
}

// Config is everything New needs.
type Config struct {
	BaseURL        *url.URL
	Sandbox        bool   // demo data on the embedded sandbox: the top bar says so, loudly
	HiveHost       string // shown in the environment badge when not in sandbox mode
	TrustedProxies []netip.Prefix
	Hive           Hive
	HivePing       func(context.Context) error // readiness: can Hive be reached?
	// HiveUnreachable says whether the Hive client has stopped asking Hive after repeated failures,
	// for the overview's warning; nil means Hive is taken to be up.
	HiveUnreachable func() bool
	Staff           Staff
	StaffAdmin      StaffAdmin
	Sessions        WebSessions
	SecondFactor    SecondFactor    // staff's authenticator codes; nil: sign-in asks for the password only
	MFARequired     auth.MFAPolicy  // roles that must have a second factor: set it up right after the password
	Passkeys        Passkeys        // staff's passkeys; nil offers none
	AccountSessions AccountSessions // staff's own web sessions on their Security page; nil lists none
	Reviews         Reviews
	Notes           Notes                  // notes on checks and customers, and the inbox; nil shows none
	Audit           Auditor                // required: the console does nothing it cannot record
	Read            ReadModel              // required: the lists read it
	RejectReasons   []review.RejectReason  // offered when rejecting; review.DefaultRejectReasons when empty
	Queue           readmodel.QueueRule    // which completed checks wait for a reviewer; readmodel.DefaultQueueRule when empty
	FourEyes        review.FourEyes        // which approvals need a second approver; the zero value: none
	ServiceTimes    readmodel.ServiceTimes // targets for deciding queued checks, by result; none when empty
	LinkedCrowd     int                    // other customers sharing an identifier past which it is counted, not listed (default 20)
	Assets          Assets
	Simulator       Simulator // sandbox mode only
	Metrics         *Metrics
	Logger          *slog.Logger
	BodyLimit       string        // Echo size, "1M" when empty
	LiveInterval    time.Duration // how often live streams re-read Hive; 2 s when zero
	// MaxStreamsPerSession and MaxStreams cap the live streams one web session, and the whole
	// process, may hold open (8 and 1000 when zero); past them a stream is refused with 429.
	MaxStreamsPerSession, MaxStreams int

	// SingleSignOn signs staff in through an OpenID Connect provider (nil: passwords only), and
	// PasswordSignIn says who may still use a password (the zero value: everyone).
	SingleSignOn   SingleSignOn
	PasswordSignIn auth.PasswordSignIn

	// EvidenceKey signs checks' evidence packs (nil: none are offered); Version is the console's
	// version, which packs record.
	EvidenceKey *evidence.Key
	Version     string
	// Holds are legal holds on customers; nil offers none. Retention is the policy the retention
	// page plans with Planner (nil: no page).
	Holds     Holds
	Retention retention.Policy
	Planner   Planner
	// RetentionEvery is how often serve applies Retention (0: only the command does), for the page.
	RetentionEvery time.Duration
	// Webhooks are the endpoints decisions are sent to (nil: no webhooks pages); WebhookAllow is
	// where they may point (HIVECONSOLE_WEBHOOK_ALLOW).
	Webhooks     Webhooks
	WebhookAllow webhooks.Allow
	// APITokens are the read API's tokens and what it reads (nil: no read API and no tokens page).
	APITokens APITokens
}

// App holds the handlers' dependencies. Build it with New.
type App struct {
	Config
	echo     *echo.Echo
	log      *slog.Logger
	metrics  *Metrics
	cop      *http.CrossOriginProtection
	https    bool
	shutdown chan struct{} // closed when the server stops: live streams end
	stopOnce sync.Once
	access   map[string]Access // "METHOD /path" → the route's rule, for streams that check it again
	streams  *streamGate
	live     *liveReads // Hive reads shared by every stream watching the same thing
	// apiLimits rate-limits the read API per token.
	apiLimits apiLimiters
}

// New builds the Echo application with every route, middleware and the error handler.
func New(cfg Config) (*App, error) {
	a := &App{Config: cfg, log: cfg.Logger, metrics: cfg.Metrics, cop: http.NewCrossOriginProtection(),
		https: cfg.BaseURL.Scheme == "https", shutdown: make(chan struct{}),
		streams: newStreamGate(cfg.MaxStreamsPerSession, cfg.MaxStreams)}
	a.live = newLiveReads(cfg.Hive, a.liveInterval(), a.checkCompleted)
	if cfg.Read == nil {
		return nil, errors.New("handlers: a ReadModel is required: the lists read it")
	}
	if cfg.Audit == nil {
		return nil, errors.New("handlers: an Auditor is required: the console does nothing it cannot record")
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.metrics == nil {
		a.metrics = NewMetrics()
	}
	if a.LinkedCrowd <= 0 {
		a.LinkedCrowd = 20
	}
	limit := cfg.BodyLimit
	if limit == "" {
		limit = "1M"
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.handleError
	e.Use(requestID, a.securityHeaders, a.accessLog)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			a.log.Error("panic", slog.String("route", c.Path()), slog.String("request_id", requestIDOf(c)),
				slog.Any("err", err), slog.String("stack", string(stack)))
			return err
		}}))
	e.Use(middleware.BodyLimit(limit), a.crossOrigin)
	a.echo = e
	a.register(e)
	return a, nil
}

// ServeHTTP serves the console.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.echo.ServeHTTP(w, r) }

// Echo exposes the router, for tests that walk its routes.
func (a *App) Echo() *echo.Echo { return a.echo }

// Shutdown ends live streams; call it when the server starts shutting down.
func (a *App) Shutdown() { a.stopOnce.Do(func() { close(a.shutdown) }) }
