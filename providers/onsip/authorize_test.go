package onsip_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip"
)

// testSession is a session with a made-up ID, for requests that go nowhere.
var testSession = &auth.Session{Provider: "onsip", ID: "sess1"}

func newRequest(t *testing.T, method, target, contentType string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

// readBody reads req's body, then checks that GetBody gives it again, as
// a retry or a replay after a new login would send it.
func readBody(t *testing.T, req *http.Request) string {
	t.Helper()
	require.NotNil(t, req.Body)
	b, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	require.NotNil(t, req.GetBody, "the body is replayable")
	again, err := req.GetBody()
	require.NoError(t, err)
	b2, err := io.ReadAll(again)
	require.NoError(t, err)
	assert.Equal(t, string(b), string(b2), "GetBody gives the same body")
	assert.Equal(t, int64(len(b)), req.ContentLength)
	return string(b)
}

func TestAuthorizeQuery(t *testing.T) {
	const endpoint = "https://api.onsip.com/api"
	a, err := newAuthenticatorAt(endpoint)
	require.NoError(t, err)
	for _, tc := range []struct {
		method, target, want string
	}{
		{http.MethodGet, endpoint, "SessionId=sess1"},
		{http.MethodGet, endpoint + "?Action=UserRead", "Action=UserRead&SessionId=sess1"},
		{http.MethodGet, endpoint + "?SessionId=old&Action=UserRead&SessionId=older", "Action=UserRead&SessionId=sess1"},
		{http.MethodHead, endpoint + "?Action=UserRead", "Action=UserRead&SessionId=sess1"},
		{http.MethodDelete, endpoint + "?Action=UserRead", "Action=UserRead&SessionId=sess1"},
		{"", endpoint + "?Action=UserRead", "Action=UserRead&SessionId=sess1"},
		{http.MethodGet, "https://API.onsip.com:443/other/path?a=b+c", "SessionId=sess1&a=b+c"},
	} {
		req := newRequest(t, http.MethodGet, tc.target, "", nil)
		req.Method = tc.method
		require.NoError(t, a.Authorize(req, testSession), tc.target)
		assert.Equal(t, tc.want, req.URL.RawQuery, tc.target)
		assert.Nil(t, req.Body, "no body added to a %s", tc.method)
	}
}

func TestAuthorizeForm(t *testing.T) {
	const endpoint = "https://api.onsip.com/api"
	a, err := newAuthenticatorAt(endpoint)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, method, contentType string
		body                      io.Reader
		want                      string
	}{
		{"form", http.MethodPost, "application/x-www-form-urlencoded", strings.NewReader("Action=UserRead&Name=a+b"),
			"Action=UserRead&Name=a+b&SessionId=sess1"},
		{"form with charset", http.MethodPost, "application/x-www-form-urlencoded; charset=utf-8",
			strings.NewReader("Action=UserRead"), "Action=UserRead&SessionId=sess1"},
		{"SessionId replaced", http.MethodPost, "application/x-www-form-urlencoded",
			strings.NewReader("SessionId=old&Action=UserRead"), "Action=UserRead&SessionId=sess1"},
		{"no body", http.MethodPost, "", nil, "SessionId=sess1"},
		{"body of unknown type", http.MethodPost, "", strings.NewReader("Action=UserRead"), "Action=UserRead&SessionId=sess1"},
		{"unknown length", http.MethodPost, "application/x-www-form-urlencoded",
			io.MultiReader(strings.NewReader("Action=User"), strings.NewReader("Read")), "Action=UserRead&SessionId=sess1"},
		{"PUT", http.MethodPut, "application/x-www-form-urlencoded", strings.NewReader("Action=UserEdit"),
			"Action=UserEdit&SessionId=sess1"},
		{"PATCH", http.MethodPatch, "", strings.NewReader("Action=UserEdit"), "Action=UserEdit&SessionId=sess1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(t, tc.method, endpoint+"?Keep=1", tc.contentType, tc.body)
			require.NoError(t, a.Authorize(req, testSession))
			assert.Equal(t, tc.want, readBody(t, req))
			assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
			assert.Equal(t, "Keep=1", req.URL.RawQuery, "the query is left alone")
		})
	}
}

// A body that is not a URL-encoded form is left alone; the session goes
// into the query, where OnSIP reads it too.
func TestAuthorizeOtherBodies(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	var multi bytes.Buffer
	mw := multipart.NewWriter(&multi)
	require.NoError(t, mw.WriteField("Action", "UserRead"))
	require.NoError(t, mw.Close())
	for contentType, body := range map[string]string{
		mw.FormDataContentType(): multi.String(),
		"application/json":       `{"Action":"UserRead"}`,
	} {
		req := newRequest(t, http.MethodPost, "https://api.onsip.com/api", contentType, strings.NewReader(body))
		require.NoError(t, a.Authorize(req, testSession))
		assert.Equal(t, "SessionId=sess1", req.URL.RawQuery, contentType)
		got, err := io.ReadAll(req.Body)
		require.NoError(t, err)
		assert.Equal(t, body, string(got), contentType)
		assert.Equal(t, contentType, req.Header.Get("Content-Type"))
	}
}

func TestAuthorizeRefuses(t *testing.T) {
	const endpoint = "https://api.onsip.com/api"
	a, err := newAuthenticatorAt(endpoint)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, method, target string
		body                 string
		session              *auth.Session
	}{
		{"a query that is not URL-encoded", http.MethodGet, endpoint + "?Action=%zz", "", testSession},
		{"a body that is not URL-encoded", http.MethodPost, endpoint, "Action=%zz", testSession},
		{"a body over 1 MiB", http.MethodPost, endpoint, "Action=" + strings.Repeat("x", 1<<20), testSession},
		{"no session", http.MethodGet, endpoint, "", nil},
		{"a session without ID", http.MethodGet, endpoint, "", &auth.Session{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(t, tc.method, tc.target, "", strings.NewReader(tc.body))
			err := a.Authorize(req, tc.session)
			e := requireSentinel(t, err, auth.ErrProtocol)
			assert.Equal(t, auth.OpRequest, e.Op)
			assert.False(t, strings.Contains(req.URL.RawQuery, "sess1"), "a secret is in the text")
			noSecret(t, "the error", err.Error(), testSession.ID)
		})
	}
}

// Authorize changes only the clone it is given: the caller's request keeps
// its URL, header and body.
func TestAuthorizeChangesOnlyTheClone(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		body := []byte("Action=UserRead")
		req := newRequest(t, method, "https://api.onsip.com/api?Action=UserRead", "application/x-www-form-urlencoded",
			bytes.NewReader(body))
		clone := req.Clone(context.Background())
		clone.Body, _ = req.GetBody()
		require.NoError(t, a.Authorize(clone, testSession))
		assert.Equal(t, "Action=UserRead", req.URL.RawQuery, method)
		assert.Equal(t, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, req.Header, method)
		assert.Equal(t, int64(len(body)), req.ContentLength, method)
		got, err := io.ReadAll(req.Body)
		require.NoError(t, err)
		assert.Equal(t, "Action=UserRead", string(got), method)
	}
}

// Authorized requests reach onsiptest's other actions with the session.
func TestAuthorizeAgainstServer(t *testing.T) {
	a, srv := start(t)
	s, err := a.Session(context.Background())
	require.NoError(t, err)
	for _, req := range []*http.Request{
		newRequest(t, http.MethodPost, srv.URL, "application/x-www-form-urlencoded", strings.NewReader("Action=UserRead")),
		newRequest(t, http.MethodGet, srv.URL+"?Action=UserRead", "", nil),
	} {
		require.NoError(t, a.Authorize(req, s))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var doc struct {
			IsCompleted string `xml:"Context>Action>IsCompleted"`
		}
		require.NoError(t, xml.NewDecoder(resp.Body).Decode(&doc))
		resp.Body.Close()
		assert.Equal(t, "true", doc.IsCompleted, req.Method)
	}
	assert.Equal(t, 2, srv.Calls("UserRead"))
}

// newAuthenticatorAt returns an authenticator for endpoint that the test
// never lets send anything.
func newAuthenticatorAt(endpoint string) (*onsip.Authenticator, error) {
	return onsip.New(auth.Config{Endpoint: endpoint, Credentials: auth.Credentials{Username: user, Password: password}})
}
