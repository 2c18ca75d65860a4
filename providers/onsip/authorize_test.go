package onsip_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
	"github.com/pbxauth/pbxauth/providers/onsip"
)

// formType is the Content-Type of a URL-encoded form.
const formType = "application/x-www-form-urlencoded"

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
		{http.MethodGet, "https://API.onsip.com:443/other/path?a=b+c", "a=b+c&SessionId=sess1"},
		{http.MethodGet, endpoint + "?b=2&a=%41&", "b=2&a=%41&SessionId=sess1"},
		{http.MethodGet, endpoint + "?Session%49d=old&b=2", "SessionId=sess1&b=2"},
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
		{"kept as written", http.MethodPost, "application/x-www-form-urlencoded", strings.NewReader("b=2&a=%41&c=d+e&"),
			"b=2&a=%41&c=d+e&SessionId=sess1"},
		{"escaped SessionId replaced", http.MethodPost, "application/x-www-form-urlencoded",
			strings.NewReader("Session%49d=old&b=2"), "SessionId=sess1&b=2"},
		{"empty body", http.MethodPost, "", strings.NewReader(""), "SessionId=sess1"},
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

// A call that names only read-only actions is marked safe to repeat, the
// way provider.Repeatable and net/http read it, unless its method or the
// caller's own mark says so already; the mark is not sent.
func TestAuthorizeMarksReads(t *testing.T) {
	const endpoint = "https://api.onsip.com/api"
	a, err := newAuthenticatorAt(endpoint)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, method, query, contentType, body string
		marked, repeatable                     bool
	}{
		{"read", http.MethodPost, "", formType, "Action=UserRead", true, true},
		{"browse", http.MethodPost, "", formType, "Action=UserBrowse&Page=2", true, true},
		{"escaped", http.MethodPost, "", formType, "Act%69on=User%52ead", true, true},
		{"in the query", http.MethodPost, "?Action=UserRead", formType, "Page=2", true, true},
		{"reads in both", http.MethodPost, "?Action=UserRead", formType, "Action=DomainBrowse", true, true},
		{"a write", http.MethodPost, "", formType, "Action=UserAdd", false, false},
		{"a read and a write", http.MethodPost, "", formType, "Action=UserRead&Action=UserDelete", false, false},
		{"a write in the query", http.MethodPost, "?Action=UserDelete", formType, "Action=UserRead", false, false},
		{"a broken query", http.MethodPost, "?Action=UserRead;", formType, "Action=UserRead", false, false},
		{"no action", http.MethodPost, "", formType, "Page=2", false, false},
		{"read in another case", http.MethodPost, "", formType, "Action=UserREAD", false, false},
		{"action key in another case", http.MethodPost, "", formType, "action=UserRead", false, false},
		{"body of another type", http.MethodPost, "?Action=UserRead", "application/json", `{"Action":"UserDelete"}`, false, false},
		// Methods the transport repeats anyway need no mark.
		{"GET with a read", http.MethodGet, "?Action=UserRead", "", "", false, true},
		{"DELETE with a read", http.MethodDelete, "?Action=UserRead", "", "", false, true},
		{"PUT with a read", http.MethodPut, "", formType, "Action=UserRead", false, true},
		{"PUT with a write", http.MethodPut, "", formType, "Action=UserEdit", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req := newRequest(t, tc.method, endpoint+tc.query, tc.contentType, body)
			require.NoError(t, a.Authorize(req, testSession))
			value, marked := req.Header["Idempotency-Key"]
			assert.Equal(t, tc.marked, marked)
			assert.Empty(t, value, "the mark has no value, so it is not sent")
			assert.NotContains(t, req.Header, "X-Idempotency-Key", "one mark, the shared one")
			assert.Equal(t, tc.repeatable, provider.Repeatable(req))
		})
	}
	t.Run("the caller's key kept", func(t *testing.T) {
		for _, key := range []string{"Idempotency-Key", "X-Idempotency-Key"} {
			req := newRequest(t, http.MethodPost, endpoint, formType, strings.NewReader("Action=UserRead"))
			req.Header.Set(key, "k1")
			require.NoError(t, a.Authorize(req, testSession))
			assert.Equal(t, http.Header{key: {"k1"}, "Content-Type": {formType}}, req.Header)
		}
	})
}

// The mark never reaches the server, nor changes the caller's request.
func TestAuthorizeMarkIsNotSent(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got <- r.Header.Clone() }))
	defer srv.Close()
	a, err := newAuthenticatorAt(srv.URL)
	require.NoError(t, err)
	orig := newRequest(t, http.MethodPost, srv.URL, formType, strings.NewReader("Action=UserRead"))
	req := new(http.Request)
	*req = *orig // NewClient's shallow copy
	require.NoError(t, a.Authorize(req, testSession))
	require.True(t, provider.Repeatable(req))
	assert.False(t, provider.Repeatable(orig), "the caller's request was marked")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	header := <-got
	assert.NotContains(t, header, "X-Idempotency-Key")
	assert.NotContains(t, header, "Idempotency-Key")
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

// isForm agrees with mime.ParseMediaType on every Content-Type.
func TestIsForm(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	for _, ct := range []string{
		"", formType, "Application/X-WWW-Form-URLEncoded", " " + formType + " ", formType + ";", formType + "; ",
		formType + "; charset=utf-8", formType + "; charset", formType + ";;", formType + "; a=1; a=2",
		formType + "x", "text/plain", "multipart/form-data; boundary=x", "application/json", "/", formType + "/x",
	} {
		req := &http.Request{Method: http.MethodPost, URL: &url.URL{Scheme: "https", Host: "api.onsip.com", Path: "/api"},
			Header: http.Header{"Content-Type": {ct}}, Body: io.NopCloser(strings.NewReader("Action=UserRead"))}
		require.NoError(t, a.Authorize(req, testSession), ct)
		mediaType, _, err := mime.ParseMediaType(ct)
		wantForm := ct == "" || err == nil && mediaType == formType
		assert.Equal(t, wantForm, req.URL.RawQuery == "", "Content-Type %q: the session in the body", ct)
	}
}
