package auth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// headerAuth carries memoryBackend's sessions in a header.
type headerAuth struct{ *provider.Cache }

func (headerAuth) Authorize(req *http.Request, s *auth.Session) error {
	req.Header = req.Header.Clone() // the caller's header is not ours to change
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("X-Session", s.ID.Reveal())
	return nil
}

// newHeaderAuth is a headerAuth for the server at endpoint.
func newHeaderAuth(t testing.TB, endpoint string, cfg auth.Config, b *memoryBackend) headerAuth {
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return headerAuth{provider.NewCache("memory", cfg, u, b)}
}

// gate is a server that accepts the sessions it is told to.
type gate struct {
	mu       sync.Mutex
	accepted map[string]bool
	bodies   []string
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.bodies = append(g.bodies, string(body))
	if !g.accepted[r.Header.Get("X-Session")] {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_, _ = w.Write([]byte("welcome"))
}

func (g *gate) accept(ids ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.accepted = map[string]bool{}
	for _, id := range ids {
		g.accepted[id] = true
	}
}

func newGate(t *testing.T) (*gate, *httptest.Server, *memoryBackend, *http.Client) {
	g := &gate{}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	b := &memoryBackend{}
	c, err := auth.NewClient(newHeaderAuth(t, srv.URL, auth.Config{}, b), nil)
	require.NoError(t, err)
	return g, srv, b, c
}

func TestNewClientNeedsAnAuthorizer(t *testing.T) {
	a := provider.NewCache("memory", auth.Config{}, &url.URL{Scheme: "https", Host: "x.example"}, &memoryBackend{})
	_, err := auth.NewClient(a, nil)
	assert.ErrorContains(t, err, "does not implement auth.Authorizer")
}

func TestClientReplaysAfterOneRelogin(t *testing.T) {
	g, srv, b, c := newGate(t)
	g.accept("session-2") // the first session is refused, the second accepted
	resp, err := c.Post(srv.URL, "text/plain", strings.NewReader("payload"))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "welcome", string(body))
	assert.EqualValues(t, 2, b.logins.Load())
	assert.Equal(t, []string{"payload", "payload"}, g.bodies, "the body is replayed")
}

// A request refused again right after a new login gets the vendor's
// answer: the refusal is the call's (no permission, say), and the ones
// after it cost no further login.
func TestClientRefusedAgainGetsTheAnswer(t *testing.T) {
	g, srv, b, c := newGate(t)
	g.accept()
	for range 100 {
		resp, err := c.Get(srv.URL)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	assert.EqualValues(t, 2, b.logins.Load(), "one re-login for 100 refused calls, not a loop")
	assert.Zero(t, b.logouts.Load(), "a refused session is not logged out")
}

func TestClientDoesNotReplayAnUnreplayableBody(t *testing.T) {
	g, srv, b, c := newGate(t)
	g.accept("session-2")
	req, err := http.NewRequest(http.MethodPost, srv.URL, io.NopCloser(strings.NewReader("once")))
	require.NoError(t, err)
	_, err = c.Do(req)
	assert.ErrorIs(t, err, auth.ErrSessionExpired)
	assert.Len(t, g.bodies, 1)
	_, _ = c.Get(srv.URL)
	assert.EqualValues(t, 2, b.logins.Load(), "the refused session was dropped all the same")
}

func TestClientLoginFailureIsAnAuthError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	b := &memoryBackend{loginErr: &auth.Error{Provider: "memory", Op: auth.OpLogin, Err: auth.ErrInvalidCredentials}}
	c, err := auth.NewClient(newHeaderAuth(t, srv.URL, auth.Config{}, b), nil)
	require.NoError(t, err)
	_, err = c.Get(srv.URL)
	var e *auth.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
}

func TestClientRedirectsStayOnOrigin(t *testing.T) {
	var leaked bool
	other := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		leaked = leaked || r.Header.Get("X-Session") != ""
	}))
	defer other.Close()
	g, srv, _, c := newGate(t)
	g.accept("session-1")
	mux := http.NewServeMux()
	mux.Handle("/", g)
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.URL, http.StatusFound) })
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/", http.StatusFound) })
	srv.Config.Handler = mux

	resp, err := c.Get(srv.URL + "/here")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "same-origin redirect followed")

	resp, err = c.Get(srv.URL + "/away")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode, "a redirect to another origin comes back as it is")
	assert.False(t, leaked)
}

func TestClientCancelled(t *testing.T) {
	_, srv, _, c := newGate(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	_, err := c.Do(req)
	assert.True(t, errors.Is(err, context.Canceled))
	var e *auth.Error
	assert.ErrorAs(t, err, &e)
}

// movingAuth is an authorizer whose Authorize sends the request elsewhere:
// NewClient must refuse it after Authorize too.
type movingAuth struct {
	headerAuth
	to *url.URL
}

func (m movingAuth) Authorize(req *http.Request, s *auth.Session) error {
	req.URL = m.to
	return m.headerAuth.Authorize(req, s)
}

func TestClientRefusesAnAuthorizeThatMovesTheRequest(t *testing.T) {
	var reached atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) }))
	defer other.Close()
	g, srv, _, _ := newGate(t)
	g.accept("session-1")
	to, _ := url.Parse(other.URL)
	c, err := auth.NewClient(movingAuth{newHeaderAuth(t, srv.URL, auth.Config{}, &memoryBackend{}), to}, nil)
	require.NoError(t, err)
	_, err = c.Get(srv.URL)
	var e *auth.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, auth.ErrProtocol)
	assert.Contains(t, e.Message, "Authorize sent the request to")
	assert.False(t, reached.Load(), "the session reached another origin")
}
