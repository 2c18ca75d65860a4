package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pbxauth/pbxauth/internal/transport"
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
	MaxDelay    time.Duration // 0 means 5s; caps every wait, Retry-After included
}

// The retry defaults, used where a [RetryPolicy] field is zero.
const (
	DefaultMaxAttempts = transport.DefaultMaxAttempts // 4
	DefaultBaseDelay   = transport.DefaultBaseDelay   // 100ms
	DefaultMaxDelay    = transport.DefaultMaxDelay    // 5s
)

// DefaultLoginTimeout bounds a login shared by concurrent [Authenticator.Session]
// callers when Config.HTTPClient has no Timeout: the shared login ignores any
// one caller's cancel, so it needs a deadline of its own.
const DefaultLoginTimeout = 30 * time.Second

// Config is what [Open] and each provider's New take.
type Config struct {
	Endpoint          string        // API base URL; "" = the provider's default where it has one
	Credentials       Credentials   // the account to sign in with
	HTTPClient        *http.Client  // optional; its Transport (or http.DefaultTransport) is wrapped by the retrying transport
	Retry             RetryPolicy   // how transient failures are retried
	Logger            *slog.Logger  // optional; nil logs nothing
	AllowInsecureHTTP bool          // allow http:// to a host that is not loopback; never the default
	SessionTTL        time.Duration // optional; sets ExpiresAt = IssuedAt + TTL when the provider gives none

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

// EndpointURL checks c and returns the endpoint to talk to: c.Endpoint, or
// fallback when it is empty. It refuses a URL that does not parse, is not
// absolute http or https, carries user info, a query or a fragment, and plain
// http to a host that is not loopback unless AllowInsecureHTTP is set. It
// also refuses negative retry and TTL settings. Providers call it from New.
func (c Config) EndpointURL(fallback string) (*url.URL, error) {
	if err := c.checkNumbers(); err != nil {
		return nil, err
	}
	raw := c.Endpoint
	if raw == "" {
		raw = fallback
	}
	if raw == "" {
		return nil, errors.New("auth: Config.Endpoint is required for this provider")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// Not quoted: a URL that does not parse cannot be redacted.
		return nil, errors.New("auth: Config.Endpoint is not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("auth: Config.Endpoint %q: scheme must be https (or http to loopback)", u.Redacted())
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("auth: Config.Endpoint %q has no host", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("auth: Config.Endpoint %q carries user info; put credentials in Config.Credentials", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("auth: Config.Endpoint %q must not have a query or fragment", u.Redacted())
	case u.Scheme == "http" && !c.AllowInsecureHTTP && !IsLoopback(u.Hostname()):
		return nil, fmt.Errorf("auth: Config.Endpoint %q is plain http to a host that is not loopback: use https, or set AllowInsecureHTTP", u.Redacted())
	}
	return u, nil
}

func (c Config) checkNumbers() error {
	switch {
	case c.Retry.MaxAttempts < 0:
		return errors.New("auth: Config.Retry.MaxAttempts is negative")
	case c.Retry.BaseDelay < 0 || c.Retry.MaxDelay < 0:
		return errors.New("auth: Config.Retry delays must not be negative")
	case c.SessionTTL < 0:
		return errors.New("auth: Config.SessionTTL is negative")
	}
	return nil
}

// IsLoopback reports whether host (a name or an IP, without port) is
// "localhost" or a loopback address. Names are not resolved.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loginTimeout is the deadline of a shared login.
func (c Config) loginTimeout() time.Duration {
	if c.HTTPClient != nil && c.HTTPClient.Timeout > 0 {
		return c.HTTPClient.Timeout
	}
	return DefaultLoginTimeout
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}
