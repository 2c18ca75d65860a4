package authtest

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
)

// concurrentRefusals is how many requests meet a forgotten session at once.
const concurrentRefusals = 100

// newClient returns auth.NewClient for f, or nil when f's authenticator is
// not an Authorizer (there is no client to test).
func newClient(t *testing.T, f *fixture) *http.Client {
	t.Helper()
	if _, ok := f.Authenticator.(auth.Authorizer); !ok {
		t.Log("the authenticator is not an auth.Authorizer: no client to test")
		return nil
	}
	if f.NewAPIRequest == nil {
		t.Fatal("Fixture.NewAPIRequest is required for an auth.Authorizer")
	}
	c, err := auth.NewClient(f.Authenticator, f.Config.HTTPClient)
	requireNoError(t, err, "NewClient")
	return c
}

// callAPI sends one API request through c and fails t unless the vendor
// accepted it.
func callAPI(t *testing.T, f *fixture, c *http.Client) error {
	req, err := f.NewAPIRequest(context.Background())
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("API call answered HTTP %d", resp.StatusCode)
	}
	if d, ok := f.Authenticator.(auth.RefusalDetector); ok && d.Refused(resp) {
		t.Error("the client returned an answer that refuses the session")
	}
	if b, err := io.ReadAll(resp.Body); err != nil || len(b) == 0 {
		t.Errorf("the API answer's body is not readable: %d bytes, %v", len(b), err)
	}
	return nil
}

func testClientRelogin(t *testing.T, f *fixture) {
	c := newClient(t, f)
	if c == nil {
		return
	}
	requireNoError(t, callAPI(t, f, c), "API call")
	if f.Server.Logins() != 1 {
		t.Fatalf("the first API call caused %d logins, want 1", f.Server.Logins())
	}
	s, err := f.Authenticator.Session(context.Background())
	requireNoError(t, err, "Session")

	f.Server.ForgetSessions()
	var wg sync.WaitGroup
	errs := make([]error, concurrentRefusals)
	for i := range concurrentRefusals {
		wg.Go(func() { errs[i] = callAPI(t, f, c) })
	}
	wg.Wait()
	for _, err := range errs {
		requireNoError(t, err, "API call after the server forgot the session")
	}
	want := 2
	if s.Stateless() {
		want = 1 // nothing to forget: no refusal, no login
	}
	if n := f.Server.Logins(); n != want {
		t.Fatalf("%d API calls refused at once caused %d logins in all, want %d", concurrentRefusals, n, want)
	}
}

func testClientLeavesRequestAlone(t *testing.T, f *fixture) {
	c := newClient(t, f)
	if c == nil {
		return
	}
	req, err := f.NewAPIRequest(context.Background())
	requireNoError(t, err, "NewAPIRequest")
	url, header := req.URL.String(), maps.Clone(req.Header)
	resp, err := c.Do(req)
	requireNoError(t, err, "API call")
	_ = resp.Body.Close()
	if req.URL.String() != url || len(req.Header) != len(header) {
		t.Fatal("the client changed the caller's request")
	}
	for k, v := range header {
		if len(req.Header[k]) != len(v) {
			t.Fatalf("the client changed the caller's header %s", k)
		}
	}
}

// testClientKeepsCredentialsOnOrigin: auth.NewClient refuses a request to
// another origin than the authenticator's endpoint before any credential
// is attached, and follows no redirect there.
func testClientKeepsCredentialsOnOrigin(t *testing.T, f *fixture) {
	c := newClient(t, f)
	if c == nil {
		return
	}
	var (
		mu   sync.Mutex
		seen []*http.Request
	)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Clone(context.Background()))
		mu.Unlock()
	}))
	defer other.Close()

	req, err := f.NewAPIRequest(context.Background())
	requireNoError(t, err, "NewAPIRequest")
	u, _ := url.Parse(other.URL)
	u.Path, u.RawQuery = req.URL.Path, req.URL.RawQuery
	req.URL, req.Host = u, ""
	if req.GetBody != nil {
		req.Body, _ = req.GetBody()
	}
	before := f.Server.Requests()
	_, err = c.Do(req)
	requireError(t, err, auth.ErrProtocol)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 0 {
		t.Fatal("a request for another origin reached it")
	}
	wantRequests(t, f.Server, before, 0, "a request refused for its origin")
}
