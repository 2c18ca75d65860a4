package ipcortextest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

func TestFailNext(t *testing.T) {
	srv := newServer(t)
	srv.FailNext(2, http.StatusServiceUnavailable)
	for range 2 {
		r := post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("alice", alicePassword))
		assert.Equal(t, http.StatusServiceUnavailable, r.StatusCode)
		assert.Empty(t, r.body)
		assert.Empty(t, r.Header.Values("Set-Cookie"))
	}
	assert.Zero(t, srv.ActiveSessions(), "a faulted login opened a session")
	login(t, srv, "alice", alicePassword)
	assert.Equal(t, 3, srv.Requests())
	assert.Equal(t, 3, srv.Logins(), "faulted requests are counted")
}

func TestFailNextAppliesToEveryPath(t *testing.T) {
	srv := newServer(t)
	session := login(t, srv, "alice", alicePassword)
	srv.FailNext(3, http.StatusTooManyRequests)
	assert.Equal(t, 429, post(t, srv.Client(), srv.URL+"/rest/auth/logout", logoutBody, sessionCookie(session)).StatusCode)
	assert.Equal(t, 429, post(t, srv.Client(), srv.URL+"/rest/call/list", "{}", sessionCookie(session)).StatusCode)
	assert.Equal(t, 429, post(t, srv.Client(), srv.URL+"/nowhere", "").StatusCode)
	assert.Equal(t, 1, srv.ActiveSessions(), "a faulted logout ended the session")
	assert.Equal(t, 1, srv.Logouts())

	r := post(t, srv.Client(), srv.URL+"/rest/auth/logout", logoutBody, sessionCookie(session))
	assert.JSONEq(t, `{"result":"success"}`, string(r.body))
}

func TestFailNextQueuesInOrder(t *testing.T) {
	srv := newServer(t)
	srv.FailNext(2, http.StatusInternalServerError)
	srv.FailNext(1, http.StatusBadGateway)
	srv.FailNext(0, http.StatusServiceUnavailable) // adds nothing
	var got []int
	for range 4 {
		got = append(got, post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey)).StatusCode)
	}
	assert.Equal(t, []int{500, 500, 502, 200}, got)

	for _, status := range []int{0, 99, 101, 1000, -1} {
		assert.Panics(t, func() { srv.FailNext(1, status) }, "status %d", status)
	}
}

func TestClearFaults(t *testing.T) {
	srv := newServer(t)
	srv.FailNext(5, http.StatusBadGateway)
	srv.GarbageNext(2)
	srv.SetDelay(time.Minute)
	srv.ClearFaults()

	start := time.Now()
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
	assert.Less(t, time.Since(start), 30*time.Second, "the delay is cleared")
	assert.JSONEq(t, aliceKeyAnswer, string(r.body), "the pending answers are dropped")

	srv.GarbageNext(1)
	assert.False(t, json.Valid(post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey)).body),
		"answers asked for after ClearFaults are given")
}

func TestGarbageNext(t *testing.T) {
	srv := newServer(t)
	srv.GarbageNext(1)
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("alice", alicePassword))
	assert.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.NotEmpty(t, r.body)
	assert.False(t, json.Valid(r.body), "garbage is valid JSON: %q", r.body)
	assert.Empty(t, r.Header.Values("Set-Cookie"))
	assert.Zero(t, srv.ActiveSessions())

	r = post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("alice", alicePassword))
	assert.True(t, json.Valid(r.body))
	assert.Equal(t, 2, srv.Logins())
}

func TestOversizeNext(t *testing.T) {
	srv := newServer(t)
	srv.OversizeNext(2)
	for _, path := range []string{"/rest/auth/", "/rest/call/list"} {
		r := post(t, srv.Client(), srv.URL+path, loginBody("alice", alicePassword))
		assert.Equal(t, http.StatusOK, r.StatusCode)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, strconv.Itoa(authtest.OversizeBytes), r.Header.Get("Content-Length"))
		assert.Len(t, r.body, authtest.OversizeBytes)
		assert.Greater(t, len(r.body), 1<<20, "body not over 1 MiB")
		assert.True(t, strings.HasPrefix(string(r.body), `{"result":"success",`), "start %q", r.body[:40])
		assert.True(t, json.Valid(r.body))
	}
	assert.Zero(t, srv.ActiveSessions())
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
	assert.JSONEq(t, aliceKeyAnswer, string(r.body))
}

func TestFaultOrder(t *testing.T) {
	srv := newServer(t)
	srv.OversizeNext(1)
	srv.GarbageNext(1)
	srv.FailNext(1, http.StatusServiceUnavailable)
	srv.GarbageNext(1)

	kinds := make([]string, 0, 5)
	for range 5 {
		r := post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
		switch {
		case r.StatusCode == http.StatusServiceUnavailable:
			kinds = append(kinds, "fail")
		case !json.Valid(r.body):
			kinds = append(kinds, "garbage")
		case len(r.body) > 1<<20:
			kinds = append(kinds, "oversize")
		default:
			kinds = append(kinds, r.doc(t)["result"].(string))
		}
	}
	assert.Equal(t, []string{"oversize", "garbage", "fail", "garbage", "success"}, kinds, "answers are given in the order asked for")
	assert.Equal(t, 5, srv.Requests())
	assert.Equal(t, 5, srv.Logins())
}

func TestSetDelay(t *testing.T) {
	srv := newServer(t)
	const d = 100 * time.Millisecond
	srv.SetDelay(d)
	start := time.Now()
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
	assert.GreaterOrEqual(t, time.Since(start), d)
	assert.JSONEq(t, aliceKeyAnswer, string(r.body))

	srv.SetDelay(0)
	start = time.Now()
	post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
	assert.Less(t, time.Since(start), d)
}

func TestSetDelayThenFault(t *testing.T) {
	srv := newServer(t)
	srv.SetDelay(50 * time.Millisecond)
	srv.FailNext(1, http.StatusGatewayTimeout)
	start := time.Now()
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
	assert.Equal(t, http.StatusGatewayTimeout, r.StatusCode)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "faults are delayed too")
}

func TestSetDelayEndsWithRequestContext(t *testing.T) {
	srv := newServer(t)
	srv.SetDelay(time.Hour)
	srv.FailNext(1, http.StatusInternalServerError)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/rest/auth/", strings.NewReader(keyBody(aliceKey)))
	require.NoError(t, err)
	start := time.Now()
	_, err = srv.Client().Do(req)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, 1, srv.Logins())

	// The handler gave up too: with the delay off, the next request gets the
	// pending fault, which the abandoned request did not use up.
	srv.SetDelay(0)
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
	assert.Equal(t, http.StatusInternalServerError, r.StatusCode)

	start = time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 2*time.Second, "Close waited for an abandoned request")
}

func TestCloseEndsDelayedAnswers(t *testing.T) {
	srv := ipcortextest.NewServer()
	addUsers(srv)
	srv.SetDelay(time.Hour)

	errc := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Post(srv.URL+"/rest/auth/", "application/json", strings.NewReader(keyBody(aliceKey)))
		if err == nil {
			resp.Body.Close()
			err = errors.New("got an answer: " + resp.Status)
		}
		errc <- err
	}()
	require.Eventually(t, func() bool { return srv.Requests() == 1 }, 5*time.Second, time.Millisecond)

	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 2*time.Second, "Close waited out the delay")
	select {
	case err := <-errc:
		assert.Error(t, err, "a request cut off by Close got no error")
	case <-time.After(5 * time.Second):
		t.Fatal("request still waiting after Close")
	}
}

func TestRejectCredentials(t *testing.T) {
	srv := newServer(t)
	session := login(t, srv, "alice", alicePassword)
	srv.RejectCredentials(true)

	for name, r := range map[string]func() response{
		"password": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("alice", alicePassword))
		},
		"password with cookie": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("alice", alicePassword), sessionCookie(session))
		},
		"key in body": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
		},
		"key in header": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth/", "", "Authorization: token auth="+aliceKey)
		},
	} {
		t.Run(name, func(t *testing.T) {
			resp := r()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.JSONEq(t, `{"result":"fail"}`, string(resp.body))
			assert.Empty(t, resp.Header.Values("Set-Cookie"))
		})
	}

	// API keys are refused on the rest of the API too; sessions stay valid.
	r := post(t, srv.Client(), srv.URL+"/rest/call/list", keyBody(aliceKey))
	assert.JSONEq(t, `{"result":"fail","message":"authentication required"}`, string(r.body))
	r = post(t, srv.Client(), srv.URL+"/rest/call/list", "{}", sessionCookie(session))
	assert.Equal(t, "success", r.doc(t)["result"])
	assert.Equal(t, 1, srv.ActiveSessions())

	srv.RejectCredentials(false)
	login(t, srv, "alice", alicePassword)
	r = post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
	assert.JSONEq(t, aliceKeyAnswer, string(r.body))
}

func TestFaultsWithZeroOrNegativeCount(t *testing.T) {
	srv := newServer(t)
	srv.GarbageNext(-1)
	srv.OversizeNext(0)
	srv.FailNext(-3, http.StatusInternalServerError)
	srv.SetDelay(-time.Second)
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
	assert.JSONEq(t, aliceKeyAnswer, string(r.body))
}
