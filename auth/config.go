package auth

import (
	"log/slog"
	"net/http"
	"time"
)

// Credentials are what a provider checks at login.
type Credentials struct {
	Username string
	Password Secret
	APIKey   Secret // IPCortex "Auth Key" tokens; when set it is used instead of Username/Password
}

// RetryPolicy says how often and how patiently a transient failure is retried.
// The zero value means the defaults.
type RetryPolicy struct {
	MaxAttempts int           // tries in all, the first included; 0 means 4; 1 means never retry
	BaseDelay   time.Duration // 0 means 100ms; backoff is exponential with full jitter
	MaxDelay    time.Duration // 0 means 5s; caps every wait: a longer Retry-After is not waited for
}

// The retry defaults, used where a [RetryPolicy] field is zero.
const (
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 100 * time.Millisecond
	DefaultMaxDelay    = 5 * time.Second
)

// DefaultLoginTimeout is the login deadline when Config.HTTPClient has no
// Timeout: Login, Logout and Session all end within it, even when the
// caller's context has no deadline (a login shared by concurrent Session
// callers ignores any one caller's cancel, so it needs a deadline of its
// own).
const DefaultLoginTimeout = 30 * time.Second

// Config is what [Open] and each provider's New take.
type Config struct {
	// Endpoint is where the provider signs in; "" means the provider's
	// default where it has one. Its meaning is the provider's: OnSIP's is
	// the API's full URL (default https://api.onsip.com/api); IPCortex's is
	// the PBX's base URL (https://pbx.example.com), required.
	Endpoint string
	// Credentials are the account to sign in with.
	Credentials Credentials
	// HTTPClient is optional. Its Transport is wrapped by the retrying
	// transport; without one, a process-wide transport with a connection
	// pool sized for many tenants per vendor host is used. Its Timeout
	// bounds each request and is the login deadline. Its Jar and
	// CheckRedirect are never used for sign-in.
	HTTPClient *http.Client
	// Retry says how transient failures are retried.
	Retry RetryPolicy
	// Logger is optional; nil logs nothing. Nothing secret is logged.
	Logger *slog.Logger
	// AllowInsecureHTTP allows http:// to a host that is not loopback, for
	// a PBX on a private network. Never the default: credentials then
	// cross the network in clear.
	AllowInsecureHTTP bool
	// SessionTTL is optional: it sets ExpiresAt = IssuedAt + SessionTTL
	// when the provider gives none, so sessions are renewed before a
	// vendor's unannounced expiry.
	SessionTTL time.Duration

	// Options are provider settings by name, so that they travel through
	// Open: IPCortex takes "key_in_header" ("true" or "false"). A provider
	// refuses a name it does not know, and its error lists the names it
	// knows.
	Options map[string]string
	// Store shares sessions with the application's other replicas: one
	// login per account across the fleet. nil keeps sessions in this
	// process.
	Store SessionStore
	// Hooks observe logins, refusals, retries and store events; nil
	// observes nothing.
	Hooks *Hooks
}
