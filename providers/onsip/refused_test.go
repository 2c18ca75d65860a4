package onsip_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sessionRefused is OnSIP's answer to a request whose SessionId it does not
// know, as onsiptest writes it.
var sessionRefused = response(`<Action><IsCompleted>false</IsCompleted></Action><Request><IsValid>false</IsValid>` +
	`<Errors><Error><Parameter>SessionId</Parameter><Code>Invalid</Code><Message>Session is not valid.</Message></Error></Errors>` +
	`</Request>` + notEstablished)

// fetch gets an answer of status, contentType and body over loopback HTTP.
func fetch(t *testing.T, status int, contentType, body string) *http.Response {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = []string{contentType} // "" too: no sniffing
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestRefused(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	huge := strings.Repeat("<Pad>padding</Pad>", 1<<16) // over 1 MiB
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		want        bool
	}{
		{"HTTP 401", http.StatusUnauthorized, "text/plain", "no", true},
		{"HTTP 403", http.StatusForbidden, "", "", true},
		{"unknown session, HTTP 200", http.StatusOK, "text/xml; charset=utf-8", sessionRefused, true},
		{"unknown session, no namespace", http.StatusOK, "application/xml",
			`<Response><Context><Request><Errors><Error><Parameter>SessionId</Parameter></Error></Errors></Request></Context></Response>`, true},
		{"unknown session, in Action, any case", http.StatusOK, "text/xml",
			response(`<Action><Errors><Error><Parameter> SESSIONID </Parameter></Error></Errors></Action>`), true},
		{"one of many errors", http.StatusOK, "text/xml", response(`<Request><Errors>` +
			`<Error><Parameter>Action</Parameter></Error><Error><Parameter>SessionId</Parameter></Error></Errors></Request>`), true},
		{"labelled HTML", http.StatusOK, "text/html; charset=UTF-8", sessionRefused, true},
		{"not labelled", http.StatusOK, "", sessionRefused, true},
		{"HTTP 500 with a refusal", http.StatusInternalServerError, "text/xml", sessionRefused, true},
		{"large Result after the Context", http.StatusOK, "text/xml", strings.Replace(sessionRefused,
			"<Result><SessionCreate/></Result>", "<Result>"+huge+"</Result>", 1), true},

		{"success", http.StatusOK, "text/xml", established("abc"), false},
		{"an error on another parameter", http.StatusOK, "text/xml",
			response(`<Request><Errors><Error><Parameter>Action</Parameter></Error></Errors></Request>`), false},
		{"SessionId only echoed", http.StatusOK, "text/xml", response(`<Request><Parameters><Parameter>` +
			`<Name>SessionId</Name><Value>x</Value></Parameter></Parameters></Request>`), false},
		{"exception", http.StatusOK, "text/xml", exception("SessionId"), false},
		{"garbage", http.StatusOK, "text/xml", "upstream connect error\n", false},
		{"cut short", http.StatusOK, "text/xml", sessionRefused[:150], false},
		{"JSON", http.StatusOK, "application/json", sessionRefused, false},
		{"over 1 MiB before the Context", http.StatusOK, "text/xml",
			strings.Replace(sessionRefused, "<Context>", huge+"<Context>", 1), false},
		{"HTTP 404", http.StatusNotFound, "text/plain", "not found", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := fetch(t, tc.status, tc.contentType, tc.body)
			assert.Equal(t, tc.want, a.Refused(resp))
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.True(t, string(got) == tc.body, "the caller reads the whole body, as sent (%d of %d bytes)", len(got), len(tc.body))
		})
	}
}

// Refused reads no further than the Context: a Result still on its way
// does not hold it up.
func TestRefusedReadsOnlyTheContext(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	head, tail, _ := strings.Cut(sessionRefused, "<Result>")
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, head)
		w.(http.Flusher).Flush()
		<-release
		_, _ = io.WriteString(w, "<Result>"+tail)
	}))
	defer srv.Close()
	defer close(release)

	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	done := make(chan bool)
	go func() { done <- a.Refused(resp) }()
	select {
	case refused := <-done:
		assert.True(t, refused)
	case <-time.After(5 * time.Second):
		t.Fatal("Refused waited for the rest of the body")
	}
}

// The body Refused puts back closes the original.
func TestRefusedBodyClosesTheOriginal(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	body := &closeRecorder{Reader: strings.NewReader(sessionRefused)}
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: body}
	require.True(t, a.Refused(resp))
	require.NoError(t, resp.Body.Close())
	assert.True(t, body.closed)
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error {
	c.closed = true
	return nil
}

// After onsiptest forgets the session, its answer to the next request is
// recognised as a refusal, and the caller can still read it.
func TestRefusedAgainstServer(t *testing.T) {
	a, srv := start(t)
	s, err := a.Session(context.Background())
	require.NoError(t, err)
	call := func() *http.Response {
		req := newRequest(t, http.MethodPost, srv.URL, "application/x-www-form-urlencoded", strings.NewReader("Action=UserRead"))
		require.NoError(t, a.Authorize(req, s))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	resp := call()
	assert.False(t, a.Refused(resp), "a live session")
	srv.ForgetSessions()
	resp = call()
	assert.True(t, a.Refused(resp), "a forgotten session")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(body), "<Parameter>SessionId</Parameter>")
	assert.Contains(t, string(body), "</Response>")
}
