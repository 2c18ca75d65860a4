package onsip

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
)

// formType is the Content-Type of every request the provider sends, as in
// the vendor's curl samples.
const formType = "application/x-www-form-urlencoded"

// backend speaks the two documented actions; auth.SessionCache does the
// rest.
type backend struct {
	endpoint string
	username string
	password auth.Secret
	caller   *auth.Caller
}

// Login sends SessionCreate. The form is written in the documented order
// (Action, Username, Password) rather than url.Values' sorted one.
func (b *backend) Login(ctx context.Context) (*auth.Session, error) {
	form := "Action=SessionCreate&Username=" + url.QueryEscape(b.username) +
		"&Password=" + url.QueryEscape(b.password.Reveal())
	resp, err := b.post(ctx, auth.OpLogin, form)
	if err != nil {
		return nil, err
	}
	return decodeLogin(resp, b.username, b.password)
}

// Logout sends SessionDestroy for s. A 401 or 403 says the session is no
// longer accepted, which is what Logout wants.
func (b *backend) Logout(ctx context.Context, s *auth.Session) error {
	resp, err := b.post(ctx, auth.OpLogout, "Action=SessionDestroy&SessionId="+url.QueryEscape(s.ID.Reveal()))
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
// GetBody and every retry replays it.
func (b *backend) post(ctx context.Context, op, form string) (*auth.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.endpoint, strings.NewReader(form))
	if err != nil {
		// The endpoint was checked by New, so only a nil ctx gets here.
		return nil, &auth.Error{Provider: Name, Op: op, Err: errors.Join(auth.ErrProtocol, err)}
	}
	req.Header.Set("Content-Type", formType)
	return b.caller.Do(req, op)
}
