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
	"github.com/pbxauth/pbxauth/auth/provider"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
)

// pbx is the endpoint of the Authorize tests, which send nothing.
const pbx = "https://pbx.example.com/sub/"

// sessionOnPBX is a held password session.
var sessionOnPBX = &auth.Session{Provider: ipcortex.Name, ID: "sid-1", UserID: "1"}

// request returns a request to url; a body that is not "" is replayable
// unless oneShot.
func request(t *testing.T, method, url, body string, oneShot bool, headers ...string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
		if oneShot {
			r = io.MultiReader(r) // hides the type: no GetBody
		}
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, r)
	require.NoError(t, err)
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Add(name, value)
	}
	return req
}

// readBody returns req's body, and checks GetBody gives the same again.
func readBody(t *testing.T, req *http.Request) string {
	t.Helper()
	if req.Body == nil {
		return ""
	}
	b, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	if req.GetBody != nil {
		again, err := req.GetBody()
		require.NoError(t, err)
		a, err := io.ReadAll(again)
		require.NoError(t, err)
		assert.Equal(t, string(b), string(a), "GetBody gives another body")
	}
	if req.ContentLength > 0 {
		assert.EqualValues(t, len(b), req.ContentLength)
	}
	return string(b)
}

func TestAuthorizeSession(t *testing.T) {
	a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: auth.Credentials{Username: "u", Password: "p"}})
	for _, tc := range []struct {
		name    string
		url     string
		headers []string
		want    string // the Cookie header
	}{
		{"no cookies", pbx + "rest/call/list", nil, "Red60urne=sid-1"},
		{"other path on the origin", "https://pbx.example.com/elsewhere", nil, "Red60urne=sid-1"},
		{"explicit default port, other case", "https://PBX.example.com:443/x", nil, "Red60urne=sid-1"},
		{"other cookies kept", pbx + "x", []string{"Cookie: a=1; b=\"two\""}, "a=1; b=\"two\"; Red60urne=sid-1"},
		{"stale session replaced", pbx + "x", []string{"Cookie: a=1; Red60urne=old; b=2"}, "a=1; b=2; Red60urne=sid-1"},
		{"two Cookie lines", pbx + "x", []string{"Cookie: Red60urne=old", "Cookie: c=3"}, "c=3; Red60urne=sid-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := request(t, http.MethodGet, tc.url, "", false, tc.headers...)
			require.NoError(t, a.Authorize(req, sessionOnPBX))
			assert.Equal(t, []string{tc.want}, req.Header.Values("Cookie"))
			assert.Empty(t, req.Header.Get("Authorization"))
		})
	}
	t.Run("no session", func(t *testing.T) {
		req := request(t, http.MethodGet, pbx, "", false)
		requireErrorIs(t, a.Authorize(req, nil), auth.ErrProtocol)
		requireErrorIs(t, a.Authorize(req, &auth.Session{}), auth.ErrProtocol)
		assert.Empty(t, req.Header.Values("Cookie"))
	})
}

// The origin of a request is auth.NewClient's to check, once for every
// provider: a request to another origin never reaches Authorize.
func TestClientRefusesOtherOrigins(t *testing.T) {
	for name, creds := range map[string]auth.Credentials{
		"session": {Username: "u", Password: alicePassword}, "key": {APIKey: aliceKey},
	} {
		c, err := auth.NewClient(mustNew(t, auth.Config{Endpoint: pbx, Credentials: creds}), nil)
		require.NoError(t, err)
		for _, url := range []string{
			"https://evil.example.com/sub/rest/x", "http://pbx.example.com/sub/", "https://pbx.example.com:8443/sub/",
			"https://pbx.example.com.evil.example/sub/",
		} {
			t.Run(name+" "+url, func(t *testing.T) {
				_, err := c.Post(url, "application/json", strings.NewReader(`{"a":1}`))
				e := requireErrorIs(t, err, auth.ErrProtocol)
				assert.Equal(t, auth.OpRequest, e.Op)
				assertNoSecret(t, "the error", e.Error(), creds.Password.Reveal(), creds.APIKey.Reveal())
			})
		}
	}
}

func TestAuthorizeKey(t *testing.T) {
	header := "token auth=" + aliceKey
	key := `"key":"` + aliceKey + `"`
	large := `{"pad":"` + strings.Repeat("x", provider.MaxResponseSize) + `"}`
	for _, tc := range []struct {
		name       string
		inHeader   bool // KeyInHeader
		method     string
		body       string
		oneShot    bool // a body without GetBody
		headers    []string
		wantBody   string // JSON when it starts with '{', else exact
		wantHeader string
	}{
		{name: "GET: header", method: "GET", wantHeader: header},
		{name: "JSON body: merged", method: "POST", body: `{"filter":{"state":"up"},"n":1.50}`,
			headers:  []string{"Content-Type: application/json"},
			wantBody: `{"auth":{"type":"auth",` + key + `},"filter":{"state":"up"},"n":1.50}`},
		{name: "auth object merged", method: "POST", body: `{"auth":{"type":"old","scope":"x"},"a":[1]}`,
			wantBody: `{"auth":{"type":"auth",` + key + `,"scope":"x"},"a":[1]}`},
		{name: "auth not an object: replaced", method: "POST", body: `{"auth":"me"}`,
			wantBody: `{"auth":{"type":"auth",` + key + `}}`},
		{name: "object without Content-Type", method: "PUT", body: " \n\t{\"a\":\"<b>&\"}",
			wantBody: `{"a":"<b>&","auth":{"type":"auth",` + key + `}}`},
		{name: "one-shot body: merged, now replayable", method: "POST", body: `{"a":1}`, oneShot: true,
			wantBody: `{"a":1,"auth":{"type":"auth",` + key + `}}`},
		{name: "JSON array: header", method: "POST", body: `[1,2]`, headers: []string{"Content-Type: application/json"},
			wantBody: `[1,2]`, wantHeader: header},
		{name: "JSON null: header", method: "POST", body: `null`, headers: []string{"Content-Type: application/json"},
			wantBody: `null`, wantHeader: header},
		{name: "malformed object: header", method: "POST", body: `{"a":`, wantBody: `{"a":`, wantHeader: header},
		{name: "form: header", method: "POST", body: `a=1&b=2`, headers: []string{"Content-Type: application/x-www-form-urlencoded"},
			wantBody: `a=1&b=2`, wantHeader: header},
		{name: "one-shot form: header, body intact", method: "POST", body: strings.Repeat("z", 10000), oneShot: true,
			wantBody: strings.Repeat("z", 10000), wantHeader: header},
		{name: "KeyInHeader: header, body untouched", inHeader: true, method: "POST", body: `{"a":1}`,
			wantBody: `{"a":1}`, wantHeader: header},
		{name: "Authorization replaced", method: "GET", headers: []string{"Authorization: Basic eA=="}, wantHeader: header},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []ipcortex.Option
			if tc.inHeader {
				opts = append(opts, ipcortex.KeyInHeader())
			}
			a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: auth.Credentials{APIKey: aliceKey}}, opts...)
			req := request(t, tc.method, pbx+"rest/x", tc.body, tc.oneShot, tc.headers...)
			require.NoError(t, a.Authorize(req, &auth.Session{Provider: ipcortex.Name, UserID: "1"}))
			assertSecretText(t, "the Authorization header", tc.wantHeader, req.Header.Get("Authorization"))
			assert.Empty(t, req.Header.Values("Cookie"))
			got := readBody(t, req)
			if strings.HasPrefix(tc.wantBody, "{") && tc.wantHeader == "" {
				assertSecretJSON(t, "the body", tc.wantBody, got)
				assert.NotNil(t, req.GetBody, "a merged body is replayable")
			} else {
				assertSecretText(t, "the body", tc.wantBody, got)
			}
		})
	}
	t.Run("JSON over 1 MiB", func(t *testing.T) {
		a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: auth.Credentials{APIKey: aliceKey}})
		req := request(t, http.MethodPost, pbx, large, false)
		requireErrorIs(t, a.Authorize(req, &auth.Session{}), auth.ErrProtocol)
	})
}

// TestAuthorizeKeepsHTMLCharacters: a merged body carries the caller's
// strings as they were, not \u003c escapes.
func TestAuthorizeKeepsHTMLCharacters(t *testing.T) {
	a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: auth.Credentials{APIKey: "k&<>"}})
	req := request(t, http.MethodPost, pbx, `{"q":"<a href='x'>&amp;</a>"}`, false)
	require.NoError(t, a.Authorize(req, &auth.Session{}))
	got := readBody(t, req)
	assert.Contains(t, got, `"q":"<a href='x'>&amp;</a>"`)
	assert.True(t, strings.Contains(got, `"key":"k&<>"`), "the key is escaped")
}

// TestAuthorizeLeavesTheOriginalAlone: Authorize gets auth.NewClient's
// shallow copy of the caller's request, and changes only what is its own:
// the caller's request keeps its header and URL, and can still replay its
// body.
func TestAuthorizeLeavesTheOriginalAlone(t *testing.T) {
	for name, creds := range map[string]auth.Credentials{
		"session": {Username: "u", Password: "p"}, "key": {APIKey: aliceKey},
	} {
		t.Run(name, func(t *testing.T) {
			a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: creds})
			orig := request(t, http.MethodPost, pbx, `{"a":1}`, false, "Cookie: x=1", "Content-Type: application/json")
			url := orig.URL.String()
			try := *orig
			require.NoError(t, a.Authorize(&try, sessionOnPBX))
			assert.Equal(t, http.Header{"Cookie": {"x=1"}, "Content-Type": {"application/json"}}, orig.Header)
			assert.Equal(t, url, orig.URL.String())
			body, err := orig.GetBody()
			require.NoError(t, err)
			b, _ := io.ReadAll(body)
			assert.Equal(t, `{"a":1}`, string(b))
		})
	}
}
