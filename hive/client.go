package hive

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the production Hive API.
const DefaultBaseURL = "https://api.hive.id"

// Defaults for Config's zero values.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultFileTimeout      = 60 * time.Second
	DefaultMaxResponseBytes = 256 << 20 // a list of every customer comes in one response
	DefaultMaxObjectBytes   = 4 << 20
	DefaultMaxFileBytes     = 32 << 20
	maxErrorBodyBytes       = 64 << 10
)

// Config configures a Client. Only the credentials are required.
type Config struct {
	BaseURL        string // DefaultBaseURL when empty; may carry a path prefix
	APIKey         string
	APISecret      Secret
	ApplicationKey string // used by CreateSession when its params leave the key empty

	// FilesHosts lists the hosts (with an optional :port) that file downloads may go to. Empty means
	// "files." + the API's domain, or the API host itself when it is a loopback sandbox.
	FilesHosts []string

	Timeout          time.Duration // per call, including retries; DefaultTimeout when zero
	FileTimeout      time.Duration // per file download, body included; DefaultFileTimeout when zero
	MaxResponseBytes int64         // cap on a list response; DefaultMaxResponseBytes when zero
	MaxObjectBytes   int64         // cap on a single-object response; DefaultMaxObjectBytes when zero
	MaxItemBytes     int64         // cap on one object of a streamed list; DefaultMaxItemBytes when zero
	MaxFileBytes     int64         // cap on a file's bytes; DefaultMaxFileBytes when zero
	Retry            RetryPolicy   // zero value: DefaultRetryPolicy
	Breaker          BreakerPolicy // per endpoint group; zero value: the defaults

	// HTTPClient, when set, sends API requests (not file downloads) instead of the client's own,
	// whose timeouts are tuned for the API.
	HTTPClient *http.Client
	// Observe, when set, is called after every HTTP attempt, for metrics. It must be fast.
	Observe func(Call)
	// InvalidItem, when set, is called with the operation (e.g. "GET /checks") for every object
	// Hive sent that the client will not use: a list item it skipped, or a single object it
	// refused. Each is also one warning line. It must be fast.
	InvalidItem func(op string)
	// Logger receives one debug line per attempt, without bodies or credentials. Discarded when nil.
	Logger *slog.Logger
}

// Call describes one HTTP attempt, for metrics.
type Call struct {
	Op       string        // e.g. "GET /customers/{id}", never an id
	Status   int           // 0 when no response arrived
	Duration time.Duration // until the response headers, or the failure
	Attempt  int           // 1 for the first try
}

// Client is a Hive API client, safe for concurrent use. Build it with New.
type Client struct {
	base           *url.URL
	apiKey         string
	apiSecret      Secret
	applicationKey string
	filesHosts     []string
	allowLoopback  bool
	timeout        time.Duration
	fileTimeout    time.Duration
	maxList        int64
	maxObject      int64
	maxItem        int64
	maxFile        int64
	retry          RetryPolicy
	http           *http.Client
	files          *http.Client
	observe        func(Call)
	invalidItem    func(op string)
	log            *slog.Logger
	tokens         *tokenSource
	breakers       *breakers
	now            func() time.Time
	sleep          func(context.Context, time.Duration) error // replaced in tests to observe backoff
}

// New checks cfg and builds a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(raw, "/"))
	if err == nil && base.User != nil {
		// Not raw: this error is printed at startup, and the URL's password would go with it.
		return nil, fmt.Errorf("hive: base URL %q: credentials go in the API key and secret, not the URL", base.Redacted())
	}
	if err != nil || base.Host == "" || base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("hive: base URL %q: want an absolute URL such as %s", raw, DefaultBaseURL)
	}
	loopback := isLoopbackHost(base.Hostname())
	switch {
	case base.Scheme == "https":
	case base.Scheme == "http" && loopback:
	default:
		return nil, fmt.Errorf("hive: base URL %q: the API requires https (plain http only for loopback)", raw)
	}
	if cfg.APIKey == "" || cfg.APISecret == "" {
		return nil, errors.New("hive: API key and secret are required")
	}
	hosts := cfg.FilesHosts
	if len(hosts) == 0 {
		hosts = []string{defaultFilesHost(base, loopback)}
	}
	c := &Client{
		base:           base,
		apiKey:         cfg.APIKey,
		apiSecret:      cfg.APISecret,
		applicationKey: cfg.ApplicationKey,
		filesHosts:     normalizeHosts(hosts),
		allowLoopback:  loopback,
		timeout:        orDefault(cfg.Timeout, DefaultTimeout),
		fileTimeout:    orDefault(cfg.FileTimeout, DefaultFileTimeout),
		maxList:        orDefault(cfg.MaxResponseBytes, DefaultMaxResponseBytes),
		maxObject:      orDefault(cfg.MaxObjectBytes, DefaultMaxObjectBytes),
		maxItem:        orDefault(cfg.MaxItemBytes, DefaultMaxItemBytes),
		maxFile:        orDefault(cfg.MaxFileBytes, DefaultMaxFileBytes),
		retry:          cfg.Retry.withDefaults(),
		breakers:       newBreakers(cfg.Breaker),
		http:           cfg.HTTPClient,
		observe:        cfg.Observe,
		invalidItem:    cfg.InvalidItem,
		log:            cfg.Logger,
		now:            time.Now,
		sleep:          sleep,
	}
	if c.http == nil {
		c.http = &http.Client{Transport: newAPITransport()}
	}
	c.files = newFilesClient(c.allowLoopback, nil)
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.tokens = &tokenSource{client: c}
	return c, nil
}

// String describes the client without credentials.
func (c *Client) String() string { return "hive.Client{" + c.base.String() + "}" }

// Format describes the client without credentials or tokens, whatever the verb.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// BaseURL returns the API's base URL.
func (c *Client) BaseURL() string { return c.base.String() }

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// newAPITransport sets every timeout explicitly: the zero http.Transport waits forever on a
// silent server.
func newAPITransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
		ForceAttemptHTTP2:     true,
	}
}

// isLoopbackHost reports whether host names this machine: "localhost" or a loopback IP literal.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultFilesHost is "files." + the API's registrable domain (api.hive.id → files.hive.id), or the
// API host itself for a loopback sandbox, which serves /downloads/ too.
func defaultFilesHost(base *url.URL, loopback bool) string {
	if loopback {
		return base.Host
	}
	host := base.Hostname()
	if i := strings.IndexByte(host, '.'); i >= 0 && strings.Count(host, ".") >= 2 {
		host = host[i+1:]
	}
	return "files." + host
}

func normalizeHosts(hosts []string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" {
			out = append(out, h)
		}
	}
	return out
}

// pingID is an id no object has: asking for it costs Hive one indexed lookup.
const pingID = "00000000-0000-0000-0000-000000000000"

// Ping checks that Hive is reachable and accepts the client's credentials, with one cheap
// authenticated request (a lookup of an id that does not exist, answered 404).
func (c *Client) Ping(ctx context.Context) error {
	if _, err := c.GetCheck(ctx, pingID); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}
