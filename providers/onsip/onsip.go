package onsip

import (
	"errors"
	"fmt"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// Name is the name the provider is registered under with auth.Register.
const Name = "onsip"

// DefaultEndpoint is the OnSIP API, used when Config.Endpoint is empty.
const DefaultEndpoint = "https://api.onsip.com/api"

// Authenticator signs in to one OnSIP account and holds its session. Its
// embedded *provider.Cache makes it an auth.Authenticator (Login, Logout,
// Session) and gives Endpoint, Refresh and Accepted; with Authorize and
// Refused it is an auth.Authorizer, auth.RefusalDetector and
// auth.Refresher, everything auth.NewClient needs. Safe for concurrent
// use. Make one with [New].
type Authenticator struct {
	*provider.Cache
}

// Compile-time checks that Authenticator is everything auth.NewClient
// looks for.
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
			// equal to nil.
			return nil, err
		}
		return a, nil
	})
}

// New returns an Authenticator for the account in cfg.Credentials: the full
// "user@domain" login name in Username and the password in Password.
// cfg.Endpoint is the API's full URL; empty means [DefaultEndpoint]. OnSIP
// takes no Config.Options. New sends nothing; it returns a plain error when
// cfg cannot work: no username or password, an API key (OnSIP has none), an
// option, or an endpoint that provider.Endpoint refuses.
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
	if err := provider.CheckOptions(cfg.Options); err != nil {
		return nil, fmt.Errorf("onsip: %w", err)
	}
	endpoint, err := provider.Endpoint(cfg, DefaultEndpoint)
	if err != nil {
		return nil, fmt.Errorf("onsip: %w", err)
	}
	a := new(Authenticator)
	a.Cache = provider.NewCache(Name, cfg, endpoint, (*backend)(a))
	return a, nil
}
