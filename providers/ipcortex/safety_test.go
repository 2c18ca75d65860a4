package ipcortex_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
)

// These tests hold the wire-safety rules on a real loopback connection to
// the fake PBX: no repeated side effect, no orphan session, no crash.

// postJSON posts body to path through c and returns the answer's status
// and body.
func postJSON(t *testing.T, c *http.Client, url, body string, header ...string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), nil
}

// An API call the PBX refuses for want of permission looks like a lost
// session (IPCortex answers "fail" either way): 100 such calls cost at
// most one login more, and never leave a session open.
func TestRefusedActionsCostOneLogin(t *testing.T) {
	srv := newServer(t)
	a := mustNew(t, passwordConfig(srv.URL))
	c, err := auth.NewClient(a, nil)
	require.NoError(t, err)
	srv.DenyCalls(true)
	for range 100 {
		status, body, err := postJSON(t, c, srv.URL+"/rest/call/hangup", `{"call":1}`)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, "permission denied", "the vendor's answer reaches the caller")
	}
	assert.LessOrEqual(t, srv.Logins(), 2, "logins for 100 refused calls")
	assert.LessOrEqual(t, srv.ActiveSessions(), 1)
	require.NoError(t, a.Logout(context.Background()))
	assert.Zero(t, srv.ActiveSessions(), "the final Logout ends the session")

	// With permission back, calls succeed on the same session.
	srv.DenyCalls(false)
	_, body, err := postJSON(t, c, srv.URL+"/rest/call/list", `{}`)
	require.NoError(t, err)
	assert.Contains(t, body, `"result":"success"`)
}

// A POST whose connection is lost after the PBX read it reaches the PBX
// exactly once, and the error says it may have been carried out.
func TestLostPostIsNotSentAgain(t *testing.T) {
	for name, cfg := range map[string]func(string) auth.Config{"password": passwordConfig, "key": keyConfig} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t)
			cfg := cfg(srv.URL)
			cfg.Retry = auth.RetryPolicy{MaxAttempts: 4, BaseDelay: 1, MaxDelay: 1}
			c, err := auth.NewClient(mustNew(t, cfg), nil)
			require.NoError(t, err)
			_, _, err = postJSON(t, c, srv.URL+"/rest/call/list", `{}`) // signs in
			require.NoError(t, err)

			srv.DropNext(1)
			_, _, err = postJSON(t, c, srv.URL+"/rest/call/dial", `{"number":"+15551234"}`)
			e := requireErrorIs(t, err, auth.ErrUnavailable)
			assert.Contains(t, e.Error(), "may have been carried out")
			assert.Equal(t, 1, srv.Calls("/rest/call/dial"), "a call that may have been placed is never placed again")

			// Marked safe to repeat, it is sent again.
			srv.DropNext(1)
			status, _, err := postJSON(t, c, srv.URL+"/rest/call/dial", `{"number":"+15551234"}`, "Idempotency-Key", "k-1")
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, 3, srv.Calls("/rest/call/dial"))
		})
	}
}

// A 502 or 504 to a POST comes back as it is; a 503 (the PBX declined to
// act) is tried again.
func TestGatewayAnswersToAPost(t *testing.T) {
	srv := newServer(t)
	cfg := passwordConfig(srv.URL)
	cfg.Retry = auth.RetryPolicy{MaxAttempts: 4, BaseDelay: 1, MaxDelay: 1}
	c, err := auth.NewClient(mustNew(t, cfg), nil)
	require.NoError(t, err)
	_, _, err = postJSON(t, c, srv.URL+"/rest/call/list", `{}`)
	require.NoError(t, err)

	for _, code := range []int{http.StatusBadGateway, http.StatusGatewayTimeout} {
		srv.FailNext(1, code)
		before := srv.Requests()
		status, _, err := postJSON(t, c, srv.URL+"/rest/call/dial", `{}`)
		require.NoError(t, err)
		assert.Equal(t, code, status)
		assert.Equal(t, 1, srv.Requests()-before)
	}
	srv.FailNext(2, http.StatusServiceUnavailable)
	status, _, err := postJSON(t, c, srv.URL+"/rest/call/dial", `{}`)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
}
