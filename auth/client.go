package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// NewClient returns an *http.Client for the rest of a vendor's API: each
// request is sent on a clone (the caller's request is never changed)
// carrying a's current session the vendor's way, through the retrying
// transport. When the vendor refuses the session, the client drops it (only
// if it is still the one held, so that many refusals at once cost one new
// login), logs in again through a's shared cache, and sends the request once
// more if its body can be replayed; a second refusal is an [*Error] wrapping
// [ErrSessionExpired].
//
// a must implement [Authorizer]; it decides what a refusal looks like by
// implementing [RefusalDetector] (else 401 and 403 are refusals). base
// supplies the underlying Transport, Timeout and Jar (nil means defaults);
// it is not changed. Redirects are followed only to the same origin, so a
// session never reaches another server. Transient failures are retried with
// the default [RetryPolicy]; other answers, 5xx included, are the caller's
// to read, as with any http.Client.
func NewClient(a Authenticator, base *http.Client) (*http.Client, error) {
	az, ok := a.(Authorizer)
	if !ok {
		return nil, fmt.Errorf("auth: NewClient: %T does not implement auth.Authorizer", a)
	}
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &clientTransport{
		auth:       a,
		authorizer: az,
		next:       transport.New(next, transport.Policy{}, nil),
	}
	c.CheckRedirect = sameOriginThen(c.CheckRedirect)
	return c, nil
}

// sameOriginThen refuses redirects to another origin, then asks the
// caller's own policy, if any.
func sameOriginThen(theirs func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if err := transport.SameOriginRedirects(req, via); err != nil || theirs == nil {
			return err
		}
		return theirs(req, via)
	}
}

// clientTransport is the RoundTripper of [NewClient].
type clientTransport struct {
	auth       Authenticator
	authorizer Authorizer
	next       http.RoundTripper
}

func (t *clientTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	s, err := t.auth.Session(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(req, req.Body, s)
	if err != nil || !t.refused(resp) {
		return resp, err
	}
	status := resp.StatusCode
	discard(resp)
	t.drop(ctx, s)
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return nil, &Error{Provider: s.Provider, Op: OpRequest, StatusCode: status, Err: ErrSessionExpired,
			Message: "session refused; the request's body cannot be replayed after logging in again"}
	}
	if s, err = t.auth.Session(ctx); err != nil {
		return nil, err
	}
	body := req.Body
	if req.GetBody != nil {
		if body, err = req.GetBody(); err != nil {
			return nil, &Error{Provider: s.Provider, Op: OpRequest, Err: errors.Join(ErrProtocol, err)}
		}
	}
	if resp, err = t.send(req, body, s); err != nil || !t.refused(resp) {
		return resp, err
	}
	status = resp.StatusCode
	discard(resp)
	t.drop(ctx, s)
	return nil, &Error{Provider: s.Provider, Op: OpRequest, StatusCode: status, Err: ErrSessionExpired,
		Message: "session refused again after logging in again"}
}

// send authorizes a clone of req with s and body, and sends it.
func (t *clientTransport) send(req *http.Request, body io.ReadCloser, s *Session) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Body = body
	if err := t.authorizer.Authorize(r, s); err != nil {
		closeBody(r)
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, &Error{Provider: s.Provider, Op: OpRequest, Err: errors.Join(ErrProtocol, err)}
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, &Error{Provider: s.Provider, Op: OpRequest, Err: ctxErr}
		}
		return nil, &Error{Provider: s.Provider, Op: OpRequest, Err: errors.Join(ErrUnavailable, err)}
	}
	return resp, nil
}

// refused asks the authenticator whether resp refuses the session.
func (t *clientTransport) refused(resp *http.Response) bool {
	if d, ok := t.auth.(RefusalDetector); ok {
		return d.Refused(resp)
	}
	return RefusedStatus(resp.StatusCode)
}

// drop forgets s if it is still held; an authenticator that cannot say so
// is made to log in anew.
func (t *clientTransport) drop(ctx context.Context, s *Session) {
	if inv, ok := t.auth.(Invalidator); ok {
		inv.Invalidate(s)
		return
	}
	_, _ = t.auth.Login(ctx)
}

// CloseIdleConnections passes the call on, so the client's method works.
func (t *clientTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func closeBody(r *http.Request) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
}

// discard drains and closes a refused answer so its connection is reused.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxResponseSize))
	_ = resp.Body.Close()
}
