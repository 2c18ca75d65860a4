package ipcortex_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
)

// TestLoginRequest: what each mode sends to /rest/auth/.
func TestLoginRequest(t *testing.T) {
	for _, tc := range []struct {
		name       string
		key        bool
		opts       []ipcortex.Option
		wantBody   string
		wantHeader string
	}{
		{name: "password", wantBody: `{"auth":{"type":"auth","username":"alice","password":"` + alicePassword + `"}}`},
		{name: "password ignores KeyInHeader", opts: []ipcortex.Option{ipcortex.KeyInHeader()},
			wantBody: `{"auth":{"type":"auth","username":"alice","password":"` + alicePassword + `"}}`},
		{name: "key in body", key: true, wantBody: `{"auth":{"type":"auth","key":"` + aliceKey + `"}}`},
		{name: "key in header", key: true, opts: []ipcortex.Option{ipcortex.KeyInHeader()},
			wantBody: `{"auth":{"type":"auth"}}`, wantHeader: "token auth=" + aliceKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newStub(t, http.StatusOK, `{"result":"success","user":{"id":1,"session":"s1"}}`)
			cfg := passwordConfig(srv.URL)
			if tc.key {
				cfg = keyConfig(srv.URL)
			}
			_, err := mustNew(t, cfg, tc.opts...).Login(context.Background())
			require.NoError(t, err)
			got := srv.got()
			require.Len(t, got, 1)
			assert.Equal(t, http.MethodPost, got[0].method)
			assert.Equal(t, "/rest/auth/", got[0].path)
			assert.Equal(t, "application/json", got[0].header.Get("Content-Type"))
			assertSecretJSON(t, "the login body", tc.wantBody, got[0].body)
			assertSecretText(t, "the Authorization header", tc.wantHeader, got[0].header.Get("Authorization"))
			assert.Empty(t, got[0].header.Get("Cookie"))
		})
	}
}

// wantSession is what a login should give, in the fields that vary.
type wantSession struct {
	id, userID, username string
	roles                []string
	perms                map[string]string
	attrs                map[string]string
}

// TestLoginAnswers: the variations an independent PBX may answer with.
func TestLoginAnswers(t *testing.T) {
	const user = `"user":{"id":7,"login":"alice","session":"body-session"}`
	plain := wantSession{id: "body-session", userID: "7", username: "alice", perms: map[string]string{}}
	with := func(change func(*wantSession)) wantSession {
		w := plain
		change(&w)
		return w
	}
	for _, tc := range []struct {
		name    string
		key     bool
		status  int
		body    string
		headers []string
		want    wantSession
		wantErr error
	}{
		{name: "session in the body only", body: `{"result":"success",` + user + `}`, want: plain},
		{name: "session in the cookie only", body: `{"result":"success","user":{"id":7,"login":"alice"}}`,
			headers: []string{"Set-Cookie: Red60urne=cookie-session; Path=/; HttpOnly"},
			want:    with(func(w *wantSession) { w.id = "cookie-session" })},
		{name: "cookie wins over the body", body: `{"result":"success",` + user + `}`,
			headers: []string{"Set-Cookie: other=x", "Set-Cookie: Red60urne=cookie-session"},
			want:    with(func(w *wantSession) { w.id = "cookie-session" })},
		{name: "empty cookie: the body's", body: `{"result":"success",` + user + `}`,
			headers: []string{"Set-Cookie: Red60urne=; Max-Age=0"}, want: plain},
		{name: "id as a string", body: `{"result":"success","user":{"id":"7","login":"alice","session":"body-session"}}`, want: plain},
		{name: "id as a float", body: `{"result":"success","user":{"id":7.0,"login":"alice","session":"body-session"}}`, want: plain},
		{name: "id in exponent form", body: `{"result":"success","user":{"id":0.7e1,"login":"alice","session":"body-session"}}`, want: plain},
		{name: "extra fields", body: `{"result":"success","version":"6.4","extra":{"a":[1,2]},` +
			`"user":{"id":7,"login":"alice","session":"body-session","email":"a@example.com","flags":[true]}}`, want: plain},
		{name: "null perms", body: `{"result":"success","user":{"id":7,"login":"alice","session":"body-session","perms":null}}`, want: plain},
		{name: "perms, company and home", body: `{"result":"success","user":{"id":7,"login":"alice","name":"Alice",` +
			`"session":"body-session","company":"acme","home":"","perms":{"b":"yes","a":"company"}}}`,
			want: with(func(w *wantSession) {
				w.roles = []string{"a", "b"}
				w.perms = map[string]string{"a": "company", "b": "yes"}
				w.attrs = map[string]string{"company": "acme"}
			})},
		{name: "no login: the configured username", body: `{"result":"success","user":{"id":7,"session":"body-session"}}`, want: plain},
		{name: "key: session and cookie ignored", key: true, body: `{"result":"success",` + user + `}`,
			headers: []string{"Set-Cookie: Red60urne=cookie-session"}, want: with(func(w *wantSession) { w.id = "" })},

		{name: "fail", body: `{"result":"fail"}`, wantErr: auth.ErrInvalidCredentials},
		{name: "fail, odd user", body: `{"result":"fail","user":"nobody","message":7}`, wantErr: auth.ErrInvalidCredentials},
		{name: "fail with 401", status: 401, body: `{"result":"fail"}`, wantErr: auth.ErrInvalidCredentials},
		{name: "403", status: 403, body: ``, wantErr: auth.ErrInvalidCredentials},
		{name: "key: fail", key: true, body: `{"result":"fail"}`, wantErr: auth.ErrInvalidCredentials},
		{name: "500", status: 500, body: `{"result":"fail"}`, wantErr: auth.ErrUnavailable},
		{name: "404", status: 404, body: `not found`, wantErr: auth.ErrProtocol},
		{name: "not JSON", body: `<html>proxy error</html>`, wantErr: auth.ErrProtocol},
		{name: "not an object", body: `["success"]`, wantErr: auth.ErrProtocol},
		{name: "no result", body: `{"user":{"id":7,"session":"s"}}`, wantErr: auth.ErrProtocol},
		{name: "other result", body: `{"result":"pending","user":{"id":7,"session":"s"}}`, wantErr: auth.ErrProtocol},
		{name: "result not a string", body: `{"result":true,"user":{"id":7,"session":"s"}}`, wantErr: auth.ErrProtocol},
		{name: "no user", body: `{"result":"success"}`, wantErr: auth.ErrProtocol},
		{name: "null user", body: `{"result":"success","user":null}`, wantErr: auth.ErrProtocol},
		{name: "no id", body: `{"result":"success","user":{"session":"s"}}`, wantErr: auth.ErrProtocol},
		{name: "fractional id", body: `{"result":"success","user":{"id":7.5,"session":"s"}}`, wantErr: auth.ErrProtocol},
		{name: "id not a number", body: `{"result":"success","user":{"id":"seven","session":"s"}}`, wantErr: auth.ErrProtocol},
		{name: "perm not a string", body: `{"result":"success","user":{"id":7,"session":"s","perms":{"a":1}}}`, wantErr: auth.ErrProtocol},
		{name: "no session", body: `{"result":"success","user":{"id":7}}`, wantErr: auth.ErrProtocol},
		{name: "session unfit for a cookie", body: `{"result":"success","user":{"id":7,"session":"a b;c"}}`, wantErr: auth.ErrProtocol},
		{name: "over 1 MiB", body: `{"result":"success","pad":"` + strings.Repeat("x", provider.MaxResponseSize) + `"}`, wantErr: auth.ErrProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status := tc.status
			if status == 0 {
				status = http.StatusOK
			}
			srv := newStub(t, status, tc.body, tc.headers...)
			cfg := passwordConfig(srv.URL)
			if tc.key {
				cfg = keyConfig(srv.URL)
			}
			s, err := mustNew(t, cfg).Login(context.Background())
			if tc.wantErr != nil {
				e := requireErrorIs(t, err, tc.wantErr)
				assert.Equal(t, auth.OpLogin, e.Op)
				assert.Equal(t, status, e.StatusCode)
				assert.Nil(t, s)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ipcortex.Name, s.Provider)
			assert.Equal(t, tc.want.id, s.ID.Reveal())
			assert.Equal(t, tc.want.id == "", s.Stateless())
			assert.Equal(t, tc.want.userID, s.UserID)
			assert.Equal(t, tc.want.username, s.Username)
			assert.Equal(t, tc.want.roles, s.Roles)
			assert.Equal(t, tc.want.perms, s.Permissions)
			assert.Equal(t, tc.want.attrs, s.Attributes)
			assert.False(t, s.IssuedAt.IsZero())
		})
	}
}

// TestLoginRefusalMessageIsRedacted: the PBX's message is kept, with the
// password and key taken out, since vendors echo what they are sent.
func TestLoginRefusalMessageIsRedacted(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    func(string) auth.Config
		secret string
	}{{"password", passwordConfig, alicePassword}, {"key", keyConfig, aliceKey}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newStub(t, http.StatusOK, `{"result":"fail","message":"`+tc.secret+` is wrong"}`)
			_, err := mustNew(t, tc.cfg(srv.URL)).Login(context.Background())
			e := requireErrorIs(t, err, auth.ErrInvalidCredentials)
			assert.Equal(t, auth.Redacted+" is wrong", e.Message)
			assertNoSecret(t, "the error", err.Error(), tc.secret)
		})
	}
}

// TestLoginUnexpectedTextIsBounded: vendor text in an error is redacted,
// then cut short.
func TestLoginUnexpectedTextIsBounded(t *testing.T) {
	srv := newStub(t, http.StatusOK, `{"result":"`+alicePassword+strings.Repeat("é", 500)+`"}`)
	_, err := mustNew(t, passwordConfig(srv.URL)).Login(context.Background())
	e := requireErrorIs(t, err, auth.ErrProtocol)
	assertNoSecret(t, "the error", err.Error(), alicePassword)
	assert.Less(t, len(e.Message), 300)
	assert.True(t, strings.HasSuffix(e.Message, `…"`), "cut at a rune boundary and marked")
}
