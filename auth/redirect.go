package auth

import (
	"net/http"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// NewClient's clients follow redirects inside their RoundTripper rather
// than letting http.Client do it: http.Client quotes the URL of the hop
// that failed in its errors, and a redirect's URL is the server's to write
// (it may echo the session in a query). Followed here, a redirect never
// leaves the endpoint's origin and no error names its URL; http.Client
// only ever sees the caller's own request.

// maxRedirects is net/http's own limit.
const maxRedirects = 10

// noRedirects keeps http.Client from following any redirect: the
// clientTransport has followed those it should.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// redirect returns the request that follows resp, an answer to req, the
// way net/http would follow it (301, 302 and 303 become a GET without a
// body, but a HEAD stays a HEAD; 307 and 308 repeat the method and body),
// or nil when it is not to be followed: not a redirect, no usable
// Location, another origin, or a body that cannot be sent again.
func (t *clientTransport) redirect(req *http.Request, resp *http.Response) *http.Request {
	var method string
	var body bool
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther:
		method = http.MethodGet
		if req.Method == http.MethodHead {
			method = http.MethodHead
		}
	case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		method, body = req.Method, true
		if req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
			return nil
		}
	default:
		return nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil
	}
	u, err := req.URL.Parse(loc)
	if err != nil || !transport.SameOrigin(u, t.origin) {
		return nil
	}
	next, err := http.NewRequestWithContext(req.Context(), method, u.String(), nil)
	if err != nil {
		return nil
	}
	next.Header = req.Header.Clone()
	if body {
		next.GetBody, next.ContentLength = req.GetBody, req.ContentLength
		if req.GetBody != nil {
			if next.Body, err = req.GetBody(); err != nil {
				return nil
			}
		}
	} else {
		next.Header.Del("Content-Type")
		next.Header.Del("Content-Length")
	}
	return next
}

// followRedirects follows the redirects of resp, the answer to req, within
// the endpoint's origin and net/http's limit of ten, asking the caller's
// own CheckRedirect, if any, about each. A redirect it does not follow
// comes back as it is.
func (t *clientTransport) followRedirects(req *http.Request, resp *http.Response) (*http.Response, error) {
	var via []*http.Request
	for len(via) < maxRedirects {
		next := t.redirect(req, resp)
		if next == nil {
			return resp, nil
		}
		via = append(via, req)
		if t.checkRedirect != nil {
			if err := t.checkRedirect(next, via); err != nil {
				closeBody(next)
				if err == http.ErrUseLastResponse {
					return resp, nil
				}
				transport.Drain(resp.Body)
				return nil, &Error{Provider: t.provider, Op: OpRequest, StatusCode: resp.StatusCode, Err: ErrProtocol,
					Message: "the client's CheckRedirect refused a redirect"}
			}
		}
		transport.Drain(resp.Body)
		var err error
		if resp, err = t.roundTrip(next); err != nil {
			return nil, err
		}
		req = next
	}
	return resp, nil
}
