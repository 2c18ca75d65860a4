package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// NewClient returns an *http.Client for the rest of a vendor's API. Each
// request it sends carries a's current session the vendor's way, and goes
// through the same retrying transport, retry budget and connection pool as
// a's logins, with a's RetryPolicy, Logger and Hooks. The caller's request
// is never changed.
//
// A request to another origin (scheme, host, port) than a's Endpoint is
// refused, with an *[Error] holding [ErrProtocol], before any credential
// is attached; redirects are followed only to that origin. When the vendor
// refuses the session, the client logs in again once for every request
// refused at the same time, and sends the request again if its body can
// be replayed. A request refused again right after that is answered as the
// vendor answered it: the refusal is the call's (no permission, say), not
// the session's, and costs no further login.
//
// Transient failures are retried only where that cannot repeat a side
// effect: a POST whose connection was lost after it was sent fails with
// [ErrUnavailable] and says it may have been carried out. Mark a request
// safe to repeat with an Idempotency-Key header. Other answers, 5xx
// included, are the caller's to read, as with any http.Client.
//
// a must implement [Authorizer]; it decides what a refusal looks like by
// implementing [RefusalDetector]. base supplies the Timeout, Jar,
// CheckRedirect (asked about each redirect within the origin) and, to
// override a's, the Transport; nil means a's Config.HTTPClient. base is not
// changed. The client follows redirects in its Transport, not through
// http.Client, so that no error quotes a URL the server wrote; a cookie Jar
// is applied to the first hop only.
func NewClient(a Authenticator, base *http.Client) (*http.Client, error) {
	az, ok := a.(Authorizer)
	if !ok {
		return nil, fmt.Errorf("auth: NewClient: %T does not implement auth.Authorizer", a)
	}
	u, err := url.Parse(az.Endpoint())
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("auth: NewClient: %T's Endpoint is not an http(s) URL", a)
	}
	origin := transport.Origin(u)
	var c *http.Client
	if sc, ok := a.(interface {
		HTTPClient(*http.Client) *http.Client
	}); ok {
		c = sc.HTTPClient(base)
	} else {
		c = &http.Client{}
		if base != nil {
			*c = *base
		}
		next := c.Transport
		if next == nil {
			next = transport.DefaultBase
		}
		// The zero Policy: the Transport applies the defaults itself.
		c.Transport = &transport.Transport{Base: next, Budget: transport.BudgetFor(next, origin)}
	}
	t := &clientTransport{authorizer: az, origin: origin, next: c.Transport, provider: u.Hostname(),
		checkRedirect: c.CheckRedirect}
	t.detector, _ = a.(RefusalDetector)
	t.refresher, _ = a.(Refresher)
	if p, ok := a.(interface{ Provider() string }); ok {
		t.provider = p.Provider()
	}
	c.Transport = t
	c.CheckRedirect = noRedirects // followed by t, within the origin
	return c, nil
}

// clientTransport is the RoundTripper of [NewClient].
type clientTransport struct {
	authorizer Authorizer
	detector   RefusalDetector // nil: 401 and 403 refuse
	refresher  Refresher       // nil: a refusal makes a Login
	origin     string          // where credentials may go
	provider   string          // for errors
	next       http.RoundTripper
	// checkRedirect is the caller's own redirect policy, asked about each
	// redirect within the origin; nil follows up to ten.
	checkRedirect func(*http.Request, []*http.Request) error
}

// RoundTrip sends req with the session, logging in again once if the
// vendor refused it, and follows redirects within the endpoint's origin.
func (t *clientTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.roundTrip(req)
	if err != nil {
		return nil, err
	}
	return t.followRedirects(req, resp)
}

// roundTrip is one hop of RoundTrip.
func (t *clientTransport) roundTrip(req *http.Request) (*http.Response, error) {
	if !transport.SameOrigin(req.URL, t.origin) {
		closeBody(req)
		return nil, &Error{Provider: t.provider, Op: OpRequest, Err: ErrProtocol,
			Message: "request to " + originOf(req.URL) + " refused: credentials go only to " + t.origin}
	}
	ctx := req.Context()
	s, err := t.authorizer.Session(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(req, req.Body, s)
	if err != nil {
		return nil, err
	}
	if !t.refused(resp) {
		t.accepted(s)
		return resp, nil
	}
	next, err := t.refresh(ctx, s)
	switch {
	case err != nil:
		transport.Drain(resp.Body)
		return nil, err
	case next == s:
		return resp, nil // refused right after a new login: the call's answer
	}
	status := resp.StatusCode
	transport.Drain(resp.Body)
	body := req.Body
	if req.GetBody != nil {
		if body, err = req.GetBody(); err != nil {
			return nil, &Error{Provider: s.Provider, Op: OpRequest, Err: ErrProtocol,
				Message: "the request's GetBody failed: it cannot be sent again after logging in again"}
		}
	} else if body != nil && body != http.NoBody {
		return nil, &Error{Provider: s.Provider, Op: OpRequest, StatusCode: status, Err: ErrSessionExpired,
			Message: "session refused and renewed, but the request's body cannot be replayed: send it again"}
	}
	resp, err = t.send(req, body, next)
	if err == nil && !t.refused(resp) {
		t.accepted(next)
	}
	// Refused again right after a new login: the refusal is the call's,
	// and its answer is the caller's to read.
	return resp, err
}

// send authorizes a shallow copy of req with s and body, and sends it.
func (t *clientTransport) send(req *http.Request, body io.ReadCloser, s *Session) (*http.Response, error) {
	r := new(http.Request)
	*r = *req
	r.Body = body
	if err := t.authorizer.Authorize(r, s); err != nil {
		closeBody(r)
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, &Error{Provider: s.Provider, Op: OpRequest, Err: ErrProtocol, Message: "the provider could not put the session on the request"}
	}
	if r.URL != req.URL && !transport.SameOrigin(r.URL, t.origin) {
		// Checked again when Authorize gave the request another URL: it
		// must not send the session elsewhere.
		closeBody(r)
		return nil, &Error{Provider: s.Provider, Op: OpRequest, Err: ErrProtocol,
			Message: "the provider's Authorize sent the request to " + originOf(r.URL) + ": refused, credentials go only to " + t.origin}
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, &Error{Provider: s.Provider, Op: OpRequest, Err: ctxErr}
		}
		return nil, &Error{Provider: s.Provider, Op: OpRequest, Err: transport.Describe(err, req.URL.Hostname())}
	}
	return resp, nil
}

// refused asks the authorizer whether resp refuses the session.
func (t *clientTransport) refused(resp *http.Response) bool {
	if t.detector != nil {
		return t.detector.Refused(resp)
	}
	return transport.RefusedStatus(resp.StatusCode)
}

// refresh gets the session to try again with after s was refused.
func (t *clientTransport) refresh(ctx context.Context, s *Session) (*Session, error) {
	if t.refresher != nil {
		return t.refresher.Refresh(ctx, s)
	}
	return t.authorizer.Login(ctx)
}

func (t *clientTransport) accepted(s *Session) {
	if t.refresher != nil {
		t.refresher.Accepted(s)
	}
}

// CloseIdleConnections passes the call on, so the client's method works.
func (t *clientTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// originOf writes u's origin for an error: no user info, path or query.
func originOf(u *url.URL) string {
	if u == nil {
		return "no URL"
	}
	return transport.Origin(u)
}

func closeBody(r *http.Request) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
}
