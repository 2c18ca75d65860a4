package onsip_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// These tests hold the wire-safety rules on a real loopback connection to
// the fake OnSIP API: no repeated side effect, no secret in an error, no
// crash.

// post sends form through c to endpoint.
func post(t *testing.T, c *http.Client, endpoint string, form url.Values) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// A write action whose connection is lost after the API read it reaches
// the API exactly once, and the error says it may have been carried out.
func TestLostWriteIsNotSentAgain(t *testing.T) {
	a, srv := start(t)
	c, err := auth.NewClient(a, nil)
	require.NoError(t, err)
	_, err = a.Session(t.Context())
	require.NoError(t, err)
	srv.DropNext(1)
	_, err = post(t, c, srv.URL, url.Values{"Action": {"UserAdd"}, "Username": {"new.user"}})
	require.Error(t, err)
	assert.ErrorIs(t, err, auth.ErrUnavailable)
	assert.Contains(t, err.Error(), "may have been carried out")
	assert.Equal(t, 1, srv.Calls("UserAdd"), "a user that may have been added is never added twice")
}

// A 502 or 504 to a write action comes back as it is; a 503 is tried
// again.
func TestGatewayAnswersToAWrite(t *testing.T) {
	a, srv := start(t)
	c, err := auth.NewClient(a, nil)
	require.NoError(t, err)
	_, err = a.Session(t.Context())
	require.NoError(t, err)
	for _, code := range []int{http.StatusBadGateway, http.StatusGatewayTimeout} {
		srv.FailNext(1, code)
		before := srv.Calls("UserAdd")
		resp, err := post(t, c, srv.URL, url.Values{"Action": {"UserAdd"}})
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, code, resp.StatusCode)
		assert.Equal(t, 1, srv.Calls("UserAdd")-before)
	}
	srv.FailNext(2, http.StatusServiceUnavailable)
	resp, err := post(t, c, srv.URL, url.Values{"Action": {"UserAdd"}})
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// A server that redirects to a URL carrying the session, again and again,
// or that then drops the connection: the session reaches no error text
// (http.Client quotes the URL of the hop that failed; the client follows
// redirects itself, so http.Client never sees one).
func TestRedirectsCarryingTheSessionLeakNothing(t *testing.T) {
	a, srv := start(t)
	s, err := a.Session(t.Context())
	require.NoError(t, err)
	var hops int
	var mu sync.Mutex
	redirecting := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hops++
		mu.Unlock()
		http.Redirect(w, r, "/api?"+r.URL.RawQuery+"&Echo="+url.QueryEscape(r.URL.RawQuery), http.StatusFound)
	})
	c, err := auth.NewClient(a, nil)
	require.NoError(t, err)

	srv.AnswerNext(100, redirecting)
	resp, err := c.Get(srv.URL + "?Action=UserRead")
	require.NoError(t, err, "a redirect loop ends with the last redirect, as a response")
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, 11, hops, "the first request and ten redirects")
	srv.ClearFaults()

	srv.AnswerNext(1, redirecting)
	srv.DropNext(20) // every try of the redirected GET, net/http's own retries included
	_, err = c.Get(srv.URL + "?Action=UserRead")
	require.Error(t, err)
	assert.False(t, provider.Contains(err.Error(), s.ID), "the error quotes the session")
	assert.False(t, strings.Contains(err.Error(), "SessionId"), "the error names the session's parameter")
}

// A server that echoes the request line, query and all, in a malformed
// answer: net/http quotes it, the error does not.
func TestEchoedRequestLineLeaksNothing(t *testing.T) {
	a, srv := start(t)
	s, err := a.Session(t.Context())
	require.NoError(t, err)
	c, err := auth.NewClient(a, nil)
	require.NoError(t, err)
	srv.AnswerNext(10, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		defer conn.Close()
		_, _ = fmt.Fprintf(buf, "HTTP/1.1 2%s0 %s\r\n\r\n", r.RequestURI, r.RequestURI)
		_ = buf.Flush()
	}))
	_, err = c.Get(srv.URL + "?Action=UserRead")
	require.Error(t, err)
	assert.False(t, provider.Contains(err.Error(), s.ID), "the error quotes the session")
}
