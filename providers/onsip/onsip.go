package onsip

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/pbxauth/pbxauth/auth"
)

// Name is the name the provider is registered under with auth.Register.
const Name = "onsip"

// DefaultEndpoint is the OnSIP API, used when Config.Endpoint is empty.
const DefaultEndpoint = "https://api.onsip.com/api"

// Authenticator signs in to one OnSIP account and holds its session. It is
// an auth.Authenticator, and also an auth.Authorizer, auth.RefusalDetector
// and auth.Invalidator, so auth.NewClient can use it. Safe for concurrent
// use. Make one with [New].
type Authenticator struct {
	// cache does everything that is not OnSIP's own: holding the session,
	// sharing logins, expiry. The methods below forward to it by name, so
	// that no other method of it becomes part of this type's API.
	cache *auth.SessionCache
	// endpoint is where the session may go: Authorize refuses any other
	// origin.
	endpoint *url.URL
}

// Compile-time checks that Authenticator is everything auth.NewClient
// looks for.
var (
	_ auth.Authenticator   = (*Authenticator)(nil)
	_ auth.Authorizer      = (*Authenticator)(nil)
	_ auth.RefusalDetector = (*Authenticator)(nil)
	_ auth.Invalidator     = (*Authenticator)(nil)
)

func init() {
	auth.Register(Name, func(cfg auth.Config) (auth.Authenticator, error) {
		a, err := New(cfg)
		if err != nil {
			// A nil *Authenticator in the interface would not compare
			// equal to nil.
			return nil, err
		}
		return a, nil
	})
}

// New returns an Authenticator for the account in cfg.Credentials: the full
// "user@domain" login name in Username and the password in Password. The
// endpoint is cfg.Endpoint, or [DefaultEndpoint] when that is empty. New
// sends nothing; it returns a plain error when cfg cannot work: no username
// or password, an API key (OnSIP has none), or an endpoint that
// auth.Config.EndpointURL refuses.
func New(cfg auth.Config) (*Authenticator, error) {
	creds := cfg.Credentials
	switch {
	case creds.APIKey != "":
		return nil, errors.New("onsip: OnSIP has no API keys: leave Config.Credentials.APIKey empty and set Username and Password")
	case creds.Username == "":
		return nil, errors.New(`onsip: Config.Credentials.Username is required (the full "user@domain" login name)`)
	case creds.Password == "":
		return nil, errors.New("onsip: Config.Credentials.Password is required")
	}
	endpoint, err := cfg.EndpointURL(DefaultEndpoint)
	if err != nil {
		return nil, fmt.Errorf("onsip: %w", err)
	}
	b := &backend{
		endpoint: endpoint.String(),
		username: creds.Username,
		password: creds.Password,
		caller:   auth.NewCaller(Name, cfg),
	}
	return &Authenticator{cache: auth.NewSessionCache(Name, cfg, b), endpoint: endpoint}, nil
}

// Login opens a new OnSIP session (Action=SessionCreate) and holds it,
// replacing any held one without logging it out. Refused credentials are
// an *auth.Error holding auth.ErrInvalidCredentials, with OnSIP's error code
// and message.
func (a *Authenticator) Login(ctx context.Context) (*auth.Session, error) {
	return a.cache.Login(ctx)
}

// Logout ends the held session at OnSIP (Action=SessionDestroy) and forgets
// it; with none held it returns nil at once. An answer that OnSIP no longer
// knows the session counts as success. When OnSIP cannot be reached the
// session stays held and the error is returned, so Logout can be tried
// again.
func (a *Authenticator) Logout(ctx context.Context) error {
	return a.cache.Logout(ctx)
}

// Session returns the held session while it is usable, else logs in once
// for all concurrent callers. The returned Session is shared: treat it as
// read-only.
func (a *Authenticator) Session(ctx context.Context) (*auth.Session, error) {
	return a.cache.Session(ctx)
}

// Invalidate forgets s if it is still the held session and reports whether
// it was, so that many requests refused at once cause one new login.
func (a *Authenticator) Invalidate(s *auth.Session) bool {
	return a.cache.Invalidate(s)
}
