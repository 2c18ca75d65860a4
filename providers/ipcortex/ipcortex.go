package ipcortex

import (
	"context"

	"github.com/pbxauth/pbxauth/auth"
)

// Name is the provider's name in [auth.Open] and in Session.Provider.
const Name = "ipcortex"

// CookieName is the name of the cookie that carries an IPCortex session.
const CookieName = "Red60urne"

// Authenticator signs in to one IPCortex PBX account and holds the session.
// It implements [auth.Authenticator], and [auth.Authorizer],
// [auth.RefusalDetector] and [auth.Invalidator] for [auth.NewClient]. Make
// one with [New]; it is safe for concurrent use.
type Authenticator struct {
	cache   *auth.SessionCache // the shared session logic, over b
	backend *backend           // the IPCortex protocol
}

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
			// equal to nil: return a nil interface.
			return nil, err
		}
		return a, nil
	})
}

// New returns an Authenticator for the PBX at cfg.Endpoint (its base URL,
// such as "https://pbx.example.com"; a path is kept, with or without a
// trailing slash). cfg.Credentials needs an APIKey, which is then used
// instead of any Username and Password, or both a Username and a Password.
// Mistakes in cfg are plain errors that say what is wrong.
func New(cfg auth.Config, opts ...Option) (*Authenticator, error) {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	b, err := newBackend(cfg, o)
	if err != nil {
		return nil, err
	}
	return &Authenticator{cache: auth.NewSessionCache(Name, cfg, b), backend: b}, nil
}

// Login always opens a new session at the PBX (with an API key: checks the
// key again) and holds it, replacing any held one.
func (a *Authenticator) Login(ctx context.Context) (*auth.Session, error) {
	return a.cache.Login(ctx)
}

// Logout ends the held session at the PBX and forgets it; with none held it
// returns nil. A session the PBX no longer knows counts as ended. With an
// API key there is nothing to end: the session is forgotten without a
// request. When the PBX cannot be reached the session stays held and the
// error is returned.
func (a *Authenticator) Logout(ctx context.Context) error {
	return a.cache.Logout(ctx)
}

// Session returns the held session while it is usable, else one login shared
// by every concurrent caller. The returned Session is shared: treat it as
// read-only.
func (a *Authenticator) Session(ctx context.Context) (*auth.Session, error) {
	return a.cache.Session(ctx)
}

// Invalidate forgets s if it is still the held session and reports whether
// it was, so that many requests refused at once cause one new login.
func (a *Authenticator) Invalidate(s *auth.Session) bool {
	return a.cache.Invalidate(s)
}
