package ipcortex

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// Name is the provider's name in [auth.Open] and in Session.Provider.
const Name = "ipcortex"

// CookieName is the name of the cookie that carries an IPCortex session.
const CookieName = "Red60urne"

// Authenticator signs in to one IPCortex PBX account and holds the session.
// Its embedded *provider.Cache makes it an [auth.Authenticator] (Login,
// Logout, Session) and gives Endpoint, Refresh and Accepted; with
// Authorize and Refused it is an [auth.Authorizer], [auth.RefusalDetector]
// and [auth.Refresher] for [auth.NewClient]. Make one with [New]; it is
// safe for concurrent use.
type Authenticator struct {
	*provider.Cache
	// key is the API key, for Authorize; "" with a password.
	key  auth.Secret
	opts options
	// keyMember is the body member `"auth":{"type":"auth","key":KEY}` that
	// Authorize splices into a JSON body, made once; "" with a password.
	keyMember auth.Secret
}

var (
	_ auth.Authorizer      = (*Authenticator)(nil)
	_ auth.RefusalDetector = (*Authenticator)(nil)
	_ auth.Refresher       = (*Authenticator)(nil)
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

// New returns an Authenticator for the PBX at cfg.Endpoint: its base URL,
// such as "https://pbx.example.com" (a path is kept, with or without a
// trailing slash; pbxauth adds /rest/auth/). cfg.Credentials needs an
// APIKey, which is then used instead of any Username and Password, or both
// a Username and a Password. cfg.Options may hold "key_in_header" ("true"
// or "false"), the same as the option [KeyInHeader]. Mistakes in cfg are
// plain errors that say what is wrong.
func New(cfg auth.Config, opts ...Option) (*Authenticator, error) {
	var o options
	if err := o.read(cfg.Options); err != nil {
		return nil, fmt.Errorf("ipcortex: %w", err)
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if cfg.Endpoint == "" {
		return nil, errors.New("ipcortex: Config.Endpoint is required: the PBX's base URL, " +
			"such as https://pbx.example.com (IPCortex has no vendor-wide host)")
	}
	c := cfg.Credentials
	if c.APIKey == "" && (c.Username == "" || c.Password == "") {
		return nil, errors.New("ipcortex: Config.Credentials needs an APIKey, or both a Username and a Password")
	}
	if strings.ContainsFunc(c.APIKey.Reveal(), isControl) {
		// It would break the header, and no real key holds one.
		return nil, errors.New("ipcortex: Config.Credentials.APIKey holds a control character")
	}
	u, err := provider.Endpoint(cfg, "")
	if err != nil {
		return nil, fmt.Errorf("ipcortex: %w", err)
	}
	a := &Authenticator{key: c.APIKey, opts: o}
	if c.APIKey != "" {
		a.keyMember = auth.Secret(keyMember(c.APIKey.Reveal()))
	}
	a.Cache = provider.NewCache(Name, cfg, u, (*backend)(a))
	return a, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// stateless reports whether a signs in with an API key.
func (a *Authenticator) stateless() bool { return a.key != "" }
