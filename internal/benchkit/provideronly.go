package benchkit

import (
	"errors"
	"net/http"

	"github.com/pbxauth/pbxauth/auth"
)

// ProviderOnly is what auth.NewClient asks of a provider and nothing more:
// Authorize on the request itself (no copy), the base transport (no
// retries), and Refused on the answer. For benchmarks only: a RoundTripper
// must not change its request.
type ProviderOnly struct {
	Provider interface {
		auth.Authorizer
		auth.RefusalDetector
	}
	Session *auth.Session
	Next    http.RoundTripper
}

// RoundTrip authorizes req with the session and sends it; a refused
// session is an error.
func (p ProviderOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := p.Provider.Authorize(req, p.Session); err != nil {
		return nil, err
	}
	resp, err := p.Next.RoundTrip(req)
	if err == nil && p.Provider.Refused(resp) {
		_ = resp.Body.Close()
		return nil, errors.New("session refused")
	}
	return resp, err
}
