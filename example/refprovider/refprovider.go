// Package refprovider is a complete pbxauth provider for a made-up vendor,
// "ref", written the way a provider outside this module would be: it
// imports only public packages (auth, auth/provider, and auth/authtest for
// its fake server). docs/writing-a-provider.md walks through it, and its
// test runs the contract suite on it.
//
// The ref protocol: POST /login {"user","password"} answers
// {"ok":true,"session":"..."} or {"ok":false,"message":"..."}; POST /logout
// with the header X-Session answers {"ok":true}, or {"ok":false} when the
// session is unknown; any other path is the vendor's API, which answers 401
// without a live session in X-Session.
package refprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// Name is the provider's name in auth.Open.
const Name = "ref"

// sessionHeader carries the session on every request.
const sessionHeader = "X-Session"

// Authenticator signs in to one ref account. The embedded *provider.Cache
// does everything that is not the vendor's own, and keeps the endpoint and
// the credentials; Authorize adds how a session rides on a request, which
// makes it an auth.Authorizer. The vendor refuses sessions with 401,
// NewClient's default, so it needs no Refused.
type Authenticator struct {
	*provider.Cache
}

func init() {
	auth.Register(Name, func(cfg auth.Config) (auth.Authenticator, error) {
		a, err := New(cfg)
		if err != nil {
			return nil, err // not a nil *Authenticator in a non-nil interface
		}
		return a, nil
	})
}

// New checks cfg and returns an Authenticator. Config.Endpoint is the
// vendor's base URL and is required; the vendor takes no options.
func New(cfg auth.Config) (*Authenticator, error) {
	if cfg.Credentials.Username == "" || cfg.Credentials.Password == "" {
		return nil, errors.New("ref: Config.Credentials needs a Username and a Password")
	}
	if err := provider.CheckOptions(cfg.Options); err != nil {
		return nil, fmt.Errorf("ref: %w", err)
	}
	u, err := provider.Endpoint(cfg, "")
	if err != nil {
		return nil, fmt.Errorf("ref: %w", err)
	}
	return &Authenticator{Cache: provider.NewCache(Name, cfg, u, backend{})}, nil
}

// Authorize puts s in the X-Session header. req is NewClient's shallow
// copy of the caller's request: it gets a header of its own before the
// change.
func (a *Authenticator) Authorize(req *http.Request, s *auth.Session) error {
	provider.OwnHeader(req, 1).Set(sessionHeader, s.ID.Reveal())
	return nil
}

// backend speaks the vendor's sign-in protocol for the cache. It keeps
// nothing: the Caller it is given holds the endpoint and the credentials.
type backend struct{}

// answer is every document the vendor sends.
type answer struct {
	OK      *bool  `json:"ok"`
	Session string `json:"session"`
	Message string `json:"message"`
}

// OpenSession logs in. The vendor cannot renew a session in place, so it
// never reports renewed: the cache logs the replaced session out.
func (b backend) OpenSession(ctx context.Context, call *provider.Caller, _ *auth.Session) (*auth.Session, bool, error) {
	creds := call.Credentials()
	ans, resp, err := b.post(ctx, call, auth.OpLogin, "login", map[string]string{"user": creds.Username, "password": creds.Password.Reveal()}, "")
	switch {
	case err != nil:
		return nil, false, err
	case !*ans.OK:
		return nil, false, &auth.Error{Provider: Name, Op: auth.OpLogin, StatusCode: resp.StatusCode, Err: auth.ErrInvalidCredentials,
			Message: provider.Clean(ans.Message, creds.Password)}
	case ans.Session == "":
		return nil, false, &auth.Error{Provider: Name, Op: auth.OpLogin, StatusCode: resp.StatusCode, Err: auth.ErrProtocol,
			Message: "the answer has no session"}
	}
	return &auth.Session{ID: auth.Secret(ans.Session), Username: creds.Username}, false, nil
}

// CloseSession logs s out; {"ok":false} means it was gone already, which
// is success.
func (b backend) CloseSession(ctx context.Context, call *provider.Caller, s *auth.Session) error {
	_, _, err := b.post(ctx, call, auth.OpLogout, "logout", struct{}{}, s.ID)
	if errors.Is(err, auth.ErrSessionExpired) {
		return nil
	}
	return err
}

// post sends body as JSON to path under the endpoint with the Caller, which
// retries, limits and classifies, and decodes the answer. Every failure is
// an *auth.Error, building the request included.
func (b backend) post(ctx context.Context, call *provider.Caller, op, path string, body any, session auth.Secret) (answer, *provider.Response, error) {
	var ans answer
	payload, err := json.Marshal(body)
	var req *http.Request
	if err == nil {
		target := strings.TrimSuffix(call.Endpoint(), "/") + "/" + path
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	}
	if err != nil {
		return ans, nil, &auth.Error{Provider: Name, Op: op, Err: auth.ErrProtocol, Message: "cannot build the request"}
	}
	req.Header.Set("Content-Type", "application/json")
	if session != "" {
		req.Header.Set(sessionHeader, session.Reveal())
	}
	resp, err := call.Do(req, op)
	if err != nil {
		return ans, nil, err
	}
	if json.Unmarshal(resp.Body, &ans) != nil || ans.OK == nil {
		return ans, resp, &auth.Error{Provider: Name, Op: op, StatusCode: resp.StatusCode, Err: auth.ErrProtocol,
			Message: "the answer is not a ref document"}
	}
	return ans, resp, nil
}
