package auth

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"runtime"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// Config is everything the auth package is told by the console's configuration. Zero fields take
// the defaults named on each.
type Config struct {
	// BaseURL is the console's public URL. When it is https, the session cookie is Secure and named
	// with the __Host- prefix.
	BaseURL string
	// SessionKeys sign session cookies, newest first; see LoadSessionKeys. Required.
	SessionKeys [][]byte
	// IdleTimeout ends a session after this long without a request (default 30 minutes).
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after sign-in, however active (default 12 hours).
	AbsoluteTimeout time.Duration
	// TouchInterval is how stale a session's last-seen time may get before a request records it
	// (default 1 minute): one write per minute per session instead of one per request.
	TouchInterval time.Duration
	// HashParams are the argon2id parameters for new hashes (default DefaultHashParams, also the floor).
	HashParams HashParams
	// HashConcurrency bounds concurrent argon2id computations (default GOMAXPROCS, at most 8): each
	// takes ~19 MiB and a core for tens of milliseconds.
	HashConcurrency int
	// PairThrottle slows failed sign-ins against one account from one address, AccountThrottle
	// against one account from anywhere, gently (see DelayPolicy); AddressThrottle limits one address
	// across every account. Defaults: DefaultPairThrottle, DefaultAccountThrottle and
	// DefaultAddressThrottle.
	// TrustedProxies are the proxies whose X-Forwarded-For is believed for the address a web session
	// records at sign-in (see ClientIP); none: the peer's address.
	TrustedProxies  []netip.Prefix
	PairThrottle    DelayPolicy
	AccountThrottle DelayPolicy
	AddressThrottle ThrottlePolicy
	// MFAKey seals staff members' TOTP secrets at rest (AES-256-GCM): exactly 32 bytes; see
	// LoadMFAKey. Without it (nil) the methods that need a secret — BeginTOTP, PendingTOTP,
	// ConfirmTOTP and VerifySecondFactor — answer ErrMFAUnavailable, so configurations and tests that
	// never use a second factor leave it out. HasTOTP, RecoveryCodesLeft and ResetTOTP need no key
	// and work regardless: a staff member who enrolled is still asked for a code (and refused) when
	// the key is missing, never let in on the password alone.
	MFAKey []byte
	// Now is the clock (default time.Now); tests inject one to expire sessions and throttles.
	Now func() time.Time
	// Logger receives warnings; it never gets a password, hash, token or email (default: discard).
	Logger *slog.Logger

	// cheapHashing lets this package's own tests hash below DefaultHashParams, where the cost of a
	// hash is not what they test: under the race detector a production hash takes a second. Nothing
	// outside the package can set it.
	cheapHashing bool
}

// Service is staff identity for the console and the CLI: users, sign-in, throttling and web sessions.
type Service struct {
	store     Store
	hasher    *hasher
	policy    *passwordPolicy
	sessions  *SessionStore
	pair      DelayPolicy
	account   DelayPolicy
	address   ThrottlePolicy
	mfa       cipher.AEAD   // seals TOTP secrets; nil without Config.MFAKey
	passkeys  *passkeyParty // nil when the base URL allows no passkeys
	now       func() time.Time
	log       *slog.Logger
	dummyHash string // verified against when the email is unknown, so that path costs the same
}

// NewService builds the Service on the console database. The first in the process with its hash
// parameters hashes one dummy password, so it takes as long as a sign-in.
func NewService(ctx context.Context, db *database.DB, cfg Config) (*Service, error) {
	return newService(ctx, &sqlStore{db: db}, cfg)
}

// newService is NewService over any Store, for tests that make the store fail.
func newService(ctx context.Context, store Store, cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("auth: base URL: %w", err)
	}
	s := &Service{
		store:   store,
		hasher:  newHasher(cfg.HashParams, cfg.HashConcurrency),
		policy:  newPasswordPolicy(),
		pair:    cfg.PairThrottle,
		account: cfg.AccountThrottle,
		address: cfg.AddressThrottle,
		now:     cfg.Now,
		log:     cfg.Logger,
	}
	if s.mfa, err = newSecretSealer(cfg.MFAKey); err != nil {
		return nil, err
	}
	if s.passkeys, err = newPasskeyParty(base); err != nil {
		return nil, err
	}
	s.sessions = newSessionStore(store, cfg.SessionKeys, base.Scheme == "https", cfg.IdleTimeout,
		cfg.AbsoluteTimeout, cfg.TouchInterval, cfg.Now, cfg.Logger)
	s.sessions.proxies = cfg.TrustedProxies
	if s.dummyHash, err = s.hasher.dummy(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (c Config) withDefaults() (Config, error) {
	if len(c.SessionKeys) == 0 {
		return c, errors.New("auth: no session signing keys (see LoadSessionKeys)")
	}
	for i, k := range c.SessionKeys {
		if len(k) < minSessionKeyLen {
			return c, fmt.Errorf("auth: session key %d is %d bytes; at least %d needed", i+1, len(k), minSessionKeyLen)
		}
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = 12 * time.Hour
	}
	if c.TouchInterval <= 0 {
		c.TouchInterval = time.Minute
	}
	c.TouchInterval = min(c.TouchInterval, c.IdleTimeout/2) // a short idle timeout must still see activity
	if c.HashParams == (HashParams{}) {
		c.HashParams = DefaultHashParams()
	}
	if !c.HashParams.atLeast(DefaultHashParams()) && !c.cheapHashing {
		return c, fmt.Errorf("auth: argon2id parameters %+v are below the minimum %+v", c.HashParams, DefaultHashParams())
	}
	if c.HashConcurrency <= 0 {
		c.HashConcurrency = min(runtime.GOMAXPROCS(0), 8)
	}
	if len(c.MFAKey) == 0 {
		c.MFAKey = nil
	} else if len(c.MFAKey) != mfaKeyLen {
		return c, fmt.Errorf("auth: MFA key is %d bytes; exactly %d needed (see LoadMFAKey)", len(c.MFAKey), mfaKeyLen)
	}
	c.PairThrottle = c.PairThrottle.withDefaults(DefaultPairThrottle())
	c.AccountThrottle = c.AccountThrottle.withDefaults(DefaultAccountThrottle())
	c.AddressThrottle = c.AddressThrottle.withDefaults(DefaultAddressThrottle())
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c, nil
}

// Sessions is the web session store, for the session middleware and the sign-in handlers.
func (s *Service) Sessions() *SessionStore { return s.sessions }

// Ping reports whether the console database answers; for /readyz.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// PurgeExpired deletes expired web sessions and the throttle rows that no longer hold anything: idle
// for longer than any policy remembers a failure (a day by default), delaying nobody, and not
// marking an address the account signs in from. Run it now and then; nothing depends on it for
// security: expiry is checked on every load, and a policy ignores failures it has forgotten.
func (s *Service) PurgeExpired(ctx context.Context) error {
	if _, err := s.sessions.PurgeExpired(ctx); err != nil {
		return err
	}
	now := s.now()
	_, err := s.store.DeleteStaleThrottles(ctx, now.Add(-s.throttleMemory()), now)
	return err
}

// throttleMemory is how long the longest-remembering throttle policy keeps a failure.
func (s *Service) throttleMemory() time.Duration {
	return max(s.pair.Forget, s.account.Forget, s.address.Window, s.address.MaxLockout)
}
