package transport

import (
	"errors"
	"net/http"
)

// maxRedirects is net/http's own limit, kept for SameOriginRedirects.
const maxRedirects = 10

// NoRedirects is an http.Client CheckRedirect that follows none: the 3xx
// answer itself comes back, for the caller to refuse. A login carries
// credentials in its body, and a redirect is never part of a vendor's
// documented login.
func NoRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// SameOriginRedirects is an http.Client CheckRedirect that follows a redirect
// only to the origin (scheme, host and port) of the first request, so a
// session in a header, cookie, query or body never reaches another server.
// A redirect elsewhere comes back as the 3xx answer itself.
func SameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return errors.New("stopped after 10 redirects")
	}
	if len(via) > 0 && !SameOrigin(req.URL, Origin(via[0].URL)) {
		return http.ErrUseLastResponse
	}
	return nil
}
