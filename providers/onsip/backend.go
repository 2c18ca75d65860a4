package onsip

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// formType is the Content-Type of every request the provider sends, as in
// the vendor's curl samples.
const formType = "application/x-www-form-urlencoded"

// backend is the Authenticator seen by its cache: the two documented
// actions. A type of its own keeps OpenSession and CloseSession out of the
// Authenticator's API.
type backend Authenticator

// OpenSession sends SessionCreate. OnSIP cannot renew a session in place:
// the cache logs prev out once the new session is held. The form is
// written in the documented order (Action, Username, Password) rather
// than url.Values' sorted one.
func (b *backend) OpenSession(ctx context.Context, call *provider.Caller, _ *auth.Session) (*auth.Session, bool, error) {
	creds := call.Credentials()
	form := "Action=SessionCreate&Username=" + url.QueryEscape(creds.Username) +
		"&Password=" + url.QueryEscape(creds.Password.Reveal())
	resp, err := b.post(ctx, call, auth.OpLogin, form)
	if err != nil {
		return nil, false, endpointHint(err)
	}
	s, err := decodeLogin(resp, creds.Username, creds.Password)
	return s, false, err
}

// CloseSession sends SessionDestroy for s. A 401 or 403 says the session
// is no longer accepted, which is what a logout wants.
func (b *backend) CloseSession(ctx context.Context, call *provider.Caller, s *auth.Session) error {
	resp, err := b.post(ctx, call, auth.OpLogout, "Action=SessionDestroy&SessionId="+url.QueryEscape(s.ID.Reveal()))
	if errors.Is(err, auth.ErrSessionExpired) {
		return nil
	}
	if err != nil {
		return err
	}
	return decodeLogout(resp, s.ID)
}

// post sends form to the endpoint through the Caller, which retries
// transient failures. The body is a *strings.Reader, so net/http sets
// GetBody and every retry replays it. Building the request cannot fail:
// the cache never passes a nil ctx (a Backend's context has a deadline),
// and the endpoint is the one New checked.
func (b *backend) post(ctx context.Context, call *provider.Caller, op, form string) (*provider.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, call.Endpoint(), strings.NewReader(form))
	req.Header.Set("Content-Type", formType)
	return call.Do(req, op)
}

// endpointHint explains a 404 at login: the endpoint is most likely not
// the API's URL.
func endpointHint(err error) error {
	var e *auth.Error
	if errors.As(err, &e) && e.StatusCode == http.StatusNotFound {
		e.Message = "Not Found: Config.Endpoint must be the OnSIP API's full URL, such as " + DefaultEndpoint
	}
	return err
}
