package provider_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/transport"
)

// countingVendor is a RoundTripper of a func type, which Go cannot compare
// or use as a map key, answering every request itself as Acme would and
// counting them.
type countingVendor func(*http.Request) (*http.Response, error)

func (f countingVendor) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func newCountingVendor(n *atomic.Int64) countingVendor {
	return func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{},
			Body: io.NopCloser(strings.NewReader(`{"session":"s-1"}`)), Request: r}, nil
	}
}

// A Config.HTTPClient whose Transport is a func type is accepted (its
// settings and budget are the cache's own, not shared), so choosing the
// transport of auth.NewClient must not compare it either: that panicked
// with "comparing uncomparable type".
func TestUncomparableTransport(t *testing.T) {
	var configured, other atomic.Int64
	a, err := NewAcme(auth.Config{HTTPClient: &http.Client{Transport: newCountingVendor(&configured)},
		Credentials: auth.Credentials{Username: "jo", Password: "pw"}})
	require.NoError(t, err)
	_, err = a.Session(context.Background())
	require.NoError(t, err)
	require.Equal(t, int64(1), configured.Load(), "the login went through Config.HTTPClient's transport")

	for _, tc := range []struct {
		name string
		base *http.Client
		sent *atomic.Int64
	}{
		{"Config.HTTPClient", nil, &configured},
		{"a client with another func transport", &http.Client{Transport: newCountingVendor(&other)}, &other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, err := auth.NewClient(a, tc.base)
			require.NoError(t, err)
			before := tc.sent.Load()
			resp, err := client.Get(a.Endpoint() + "/calls")
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, before+1, tc.sent.Load(), "the call went through the expected transport")
		})
	}

	// The account's own transport keeps the account's budget, which its
	// logins spend; another transport has a budget of its own.
	budget := func(base *http.Client) *transport.Budget {
		return a.HTTPClient(base).Transport.(*transport.Transport).Budget
	}
	assert.Same(t, budget(nil), budget(nil), "API calls through Config.HTTPClient share the account's budget")
	assert.NotSame(t, budget(nil), budget(&http.Client{Transport: newCountingVendor(&other)}))
}
