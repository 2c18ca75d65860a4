package transport_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// origins is a server with redirects to itself and elsewhere, and the
// elsewheres: another port (plain HTTP) and another scheme (TLS).
type origins struct {
	main, otherPort, otherTLS *server
	sameHits                  atomic.Int64
}

func newOrigins(t *testing.T) *origins {
	o := &origins{
		otherPort: newServer(t, statuses()),
		otherTLS:  &server{},
	}
	o.otherTLS.Server = httptest.NewTLSServer(o.otherTLS.handler(statuses()))
	t.Cleanup(o.otherTLS.Close)

	mux := http.NewServeMux()
	mux.HandleFunc("/same", func(w http.ResponseWriter, r *http.Request) {
		o.sameHits.Add(1)
		_, _ = io.WriteString(w, "same "+r.Header.Get("X-Session"))
	})
	to := func(target func() string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target(), http.StatusFound)
		}
	}
	hostPort := func() string { return o.main.Listener.Addr().String() }
	port := func() string { _, p, _ := strings.Cut(hostPort(), ":"); return p }
	mux.Handle("/to-same", to(func() string { return "/same" }))
	mux.Handle("/to-same-absolute", to(func() string { return "http://" + hostPort() + "/same" }))
	mux.Handle("/to-same-twice", to(func() string { return "/to-same" }))
	mux.Handle("/to-other-port", to(func() string { return o.otherPort.URL + "/" }))
	mux.Handle("/to-other-scheme", to(func() string { return "https://" + hostPort() + "/same" }))
	mux.Handle("/to-other-tls", to(func() string { return o.otherTLS.URL + "/" }))
	mux.Handle("/to-other-host", to(func() string { return "http://localhost:" + port() + "/same" }))
	mux.Handle("/to-same-then-other", to(func() string { return "/to-other-port" }))
	mux.Handle("/loop", to(func() string { return "/loop" }))
	o.main = newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) { mux.ServeHTTP(w, r) })
	return o
}

func (o *origins) client(t *testing.T, check func(*http.Request, []*http.Request) error) *http.Client {
	tr, _ := newTransport(newBase(t), policy)
	return &http.Client{Transport: tr, CheckRedirect: check}
}

func (o *origins) get(t *testing.T, c *http.Client, path string) (*http.Response, error) {
	req := newRequest(t, http.MethodGet, o.main.URL+path, nil)
	req.Header.Set("X-Session", "s3cr3t")
	return c.Do(req)
}

func TestSameOriginRedirects(t *testing.T) {
	o := newOrigins(t)
	c := o.client(t, transport.SameOriginRedirects)

	for _, path := range []string{"/to-same", "/to-same-absolute", "/to-same-twice"} {
		t.Run("followed "+path, func(t *testing.T) {
			before := o.sameHits.Load()
			resp, err := o.get(t, c, path)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "same s3cr3t", readBody(t, resp))
			assert.Equal(t, before+1, o.sameHits.Load())
		})
	}

	for name, path := range map[string]string{
		"other port":          "/to-other-port",
		"other scheme":        "/to-other-scheme",
		"other scheme & port": "/to-other-tls",
		"other host":          "/to-other-host",
		"other after same":    "/to-same-then-other",
	} {
		t.Run("not followed to "+name, func(t *testing.T) {
			before := o.sameHits.Load()
			resp, err := o.get(t, c, path)
			require.NoError(t, err, "the 3xx itself comes back")
			assert.Equal(t, http.StatusFound, resp.StatusCode)
			assert.NotEmpty(t, resp.Header.Get("Location"))
			readBody(t, resp)
			assert.Equal(t, before, o.sameHits.Load())
			assert.Zero(t, o.otherPort.hits.Load())
			assert.Zero(t, o.otherTLS.hits.Load())
		})
	}

	t.Run("stops after 10", func(t *testing.T) {
		before := o.main.hits.Load()
		resp, err := o.get(t, c, "/loop")
		if resp != nil {
			resp.Body.Close()
		}
		require.Error(t, err)
		assert.Contains(t, err.Error(), "stopped after 10 redirects")
		assert.EqualValues(t, 10, o.main.hits.Load()-before)
	})
}

func TestNoRedirects(t *testing.T) {
	o := newOrigins(t)
	c := o.client(t, transport.NoRedirects)

	for _, path := range []string{"/to-same", "/to-other-port", "/to-other-tls"} {
		t.Run(path, func(t *testing.T) {
			resp, err := o.get(t, c, path)
			require.NoError(t, err)
			assert.Equal(t, http.StatusFound, resp.StatusCode)
			readBody(t, resp)
			assert.Zero(t, o.sameHits.Load())
			assert.Zero(t, o.otherPort.hits.Load())
			assert.Zero(t, o.otherTLS.hits.Load())
		})
	}
	assert.EqualValues(t, 3, o.main.hits.Load())
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://api.example.com/a", "https://api.example.com/b?x=1", true},
		{"https://api.example.com/", "https://api.example.com:443/", true},
		{"http://api.example.com/", "http://api.example.com:80/", true},
		{"http://API.Example.COM/", "http://api.example.com/", true},
		{"HTTPS://api.example.com/", "https://api.example.com:443/", true},
		{"http://[::1]/", "http://[::1]:80/", true},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/x", true},
		{"http://u:p@api.example.com/", "http://api.example.com/", true},

		{"http://api.example.com/", "https://api.example.com/", false},
		{"http://api.example.com:443/", "https://api.example.com/", false},
		{"https://api.example.com:80/", "http://api.example.com/", false},
		{"https://api.example.com/", "https://api.example.com:8443/", false},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8081/", false},
		{"http://127.0.0.1:8080/", "http://localhost:8080/", false},
		{"https://api.example.com/", "https://api.example.com.evil.test/", false},
		{"https://api.example.com/", "https://evil.test/", false},
		{"http://[::1]/", "http://[::2]/", false},
		{"wss://api.example.com/", "wss://api.example.com/", true},
		{"wss://api.example.com/", "wss://api.example.com:443/", false}, // no default port known
		{"wss://api.example.com/", "https://api.example.com/", false},
	} {
		a, b := mustRequest(t, tc.a), mustRequest(t, tc.b)
		assert.Equal(t, tc.want, transport.SameOrigin(a.URL, transport.Origin(b.URL)), "%s vs %s", tc.a, tc.b)
		assert.Equal(t, tc.want, transport.SameOrigin(b.URL, transport.Origin(a.URL)), "%s vs %s", tc.b, tc.a)
	}
}

func TestOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.onsip.com/api":        "https://api.onsip.com:443",
		"HTTPS://API.OnSIP.com:443/api/":   "https://api.onsip.com:443",
		"http://127.0.0.1:8080/x?y=1":      "http://127.0.0.1:8080",
		"http://[::1]/":                    "http://[::1]:80",
		"https://u:p@pbx.example.com:8443": "https://pbx.example.com:8443",
	} {
		assert.Equal(t, want, transport.Origin(mustRequest(t, raw).URL), raw)
	}
	assert.False(t, transport.SameOrigin(nil, "https://api.onsip.com:443"))
	assert.False(t, transport.SameOrigin(mustRequest(t, "https://api.onsip.com/").URL, "not an origin"))
}

func mustRequest(t *testing.T, raw string) *http.Request {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return &http.Request{URL: u}
}

func TestSameOriginRedirectsDirect(t *testing.T) {
	first := mustRequest(t, "https://api.example.com/login")
	assert.NoError(t, transport.SameOriginRedirects(first, nil), "the first request")
	assert.NoError(t, transport.SameOriginRedirects(mustRequest(t, "https://api.example.com:443/next"), []*http.Request{first}))
	assert.ErrorIs(t, transport.SameOriginRedirects(mustRequest(t, "https://other.example.com/"), []*http.Request{first}), http.ErrUseLastResponse)
	// Compared with the first request, not the last hop.
	hop := mustRequest(t, "https://other.example.com/")
	assert.ErrorIs(t, transport.SameOriginRedirects(mustRequest(t, "https://other.example.com/x"), []*http.Request{first, hop}), http.ErrUseLastResponse)
	assert.ErrorIs(t, transport.NoRedirects(first, []*http.Request{first}), http.ErrUseLastResponse)
}
