package ipcortextest_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestURLHasNoTrailingSlash(t *testing.T) {
	srv := newServer(t)
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	assert.False(t, strings.HasSuffix(srv.URL, "/"))
	assert.Nil(t, srv.Certificate())
}

func TestLoginSuccess(t *testing.T) {
	srv := newServer(t)
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("alice", alicePassword))

	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	c := r.cookie()
	require.NotNil(t, c)
	assert.Regexp(t, hex32, c.Value)
	assert.Equal(t, "/", c.Path)
	assert.True(t, c.HttpOnly)
	assert.False(t, c.Secure, "plain HTTP server sets a Secure cookie")
	assert.Equal(t, []string{"Red60urne=" + c.Value + "; Path=/; HttpOnly"}, r.Header.Values("Set-Cookie"))

	want := fmt.Sprintf(`{"result":"success","user":{"id":123,"login":"alice","name":"Alice Smith",`+
		`"company":"acme","home":"acme","session":%q,"perms":{"admin":"yes","calls":"company"}}}`, c.Value)
	assert.JSONEq(t, want, string(r.body))
	// The id is a JSON number, as on the vendor's page.
	assert.Contains(t, string(r.body), `"id":123,`)
	assert.Equal(t, 1, srv.ActiveSessions())
}

func TestLoginWithoutPermsSendsEmptyObject(t *testing.T) {
	srv := newServer(t)
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("bob", bobPassword))
	user := r.doc(t)["user"].(map[string]any)
	assert.Equal(t, map[string]any{}, user["perms"])
	assert.Equal(t, "widgets", user["home"])
}

func TestLoginPathWithAndWithoutSlash(t *testing.T) {
	srv := newServer(t)
	for _, path := range []string{"/rest/auth/", "/rest/auth"} {
		r := post(t, srv.Client(), srv.URL+path, loginBody("alice", alicePassword))
		assert.Equal(t, "success", r.doc(t)["result"], path)
	}
	assert.Equal(t, 2, srv.Logins())
	assert.Equal(t, 2, srv.Calls("/rest/auth"))
	assert.Equal(t, 2, srv.Calls("/rest/auth/"))
	assert.Equal(t, 2, srv.ActiveSessions())
}

func TestLoginRefused(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(ipcortextest.User{Login: "keyonly"}) // no password: no password login
	for name, body := range map[string]string{
		"wrong password": loginBody("alice", "nope"),
		"unknown user":   loginBody("mallory", alicePassword),
		"other's pw":     loginBody("alice", bobPassword),
		"empty password": loginBody("keyonly", ""),
	} {
		t.Run(name, func(t *testing.T) {
			r := post(t, srv.Client(), srv.URL+"/rest/auth/", body)
			assert.Equal(t, http.StatusOK, r.StatusCode)
			assert.JSONEq(t, `{"result":"fail"}`, string(r.body))
			assert.Empty(t, r.Header.Values("Set-Cookie"))
		})
	}
	assert.Zero(t, srv.ActiveSessions())
}

func TestLoginWithKnownCookieReusesSession(t *testing.T) {
	srv := newServer(t)
	session := login(t, srv, "alice", alicePassword)

	// The page: "If a session cookie Red60urne is passed, then a login will
	// affect that existing session."
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("bob", bobPassword), sessionCookie(session))
	require.Equal(t, "success", r.doc(t)["result"])
	assert.Equal(t, session, r.cookie().Value)
	assert.Equal(t, session, r.doc(t)["user"].(map[string]any)["session"])
	assert.Equal(t, 1, srv.ActiveSessions())

	// The session now belongs to bob.
	r = post(t, srv.Client(), srv.URL+"/rest/call/list", "{}", sessionCookie(session))
	assert.JSONEq(t, `{"result":"success","data":{"path":"/rest/call/list","user":"bob"}}`, string(r.body))
}

func TestLoginWithUnknownCookieCreatesSession(t *testing.T) {
	srv := newServer(t)
	const stale = "0123456789abcdef0123456789abcdef"
	session := login(t, srv, "alice", alicePassword, sessionCookie(stale))
	assert.NotEqual(t, stale, session)
	assert.Regexp(t, hex32, session)
	assert.Equal(t, 1, srv.ActiveSessions())
}

func TestFailedLoginLeavesCookieSessionAlone(t *testing.T) {
	srv := newServer(t)
	session := login(t, srv, "alice", alicePassword)
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("bob", "wrong"), sessionCookie(session))
	assert.JSONEq(t, `{"result":"fail"}`, string(r.body))

	r = post(t, srv.Client(), srv.URL+"/rest/call/list", "", sessionCookie(session))
	assert.Equal(t, "alice", r.doc(t)["data"].(map[string]any)["user"])
}

func TestNewSessionsAreDistinct(t *testing.T) {
	srv := newServer(t)
	seen := map[string]bool{}
	for range 20 {
		s := login(t, srv, "alice", alicePassword)
		assert.False(t, seen[s], "session value repeated")
		seen[s] = true
	}
	assert.Equal(t, 20, srv.ActiveSessions())
}

const aliceKeyAnswer = `{"result":"success","user":{"id":123,"login":"alice","name":"Alice Smith",` +
	`"company":"acme","home":"acme","perms":{"admin":"yes","calls":"company"}}}`

func TestKeyLogin(t *testing.T) {
	srv := newServer(t)
	for name, r := range map[string]func() response{
		"body": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))
		},
		"header": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth/", logoutBody, "Authorization: token auth="+aliceKey)
		},
		"header, no body": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth", "", "Authorization: token auth="+aliceKey)
		},
		"body key wins over header": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey), "Authorization: token auth=wrong")
		},
		"key wins over username": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth/",
				`{"auth":{"type":"auth","username":"bob","password":"x","key":"`+aliceKey+`"}}`)
		},
	} {
		t.Run(name, func(t *testing.T) {
			resp := r()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.JSONEq(t, aliceKeyAnswer, string(resp.body))
			assert.Empty(t, resp.Header.Values("Set-Cookie"), "key auth is stateless")
		})
	}
	assert.Zero(t, srv.ActiveSessions())
	assert.Equal(t, 5, srv.Logins())
}

func TestKeyLoginRefused(t *testing.T) {
	srv := newServer(t)
	srv.AddAPIKey("orphan-key", "nobody") // owner never added
	for name, r := range map[string]func() response{
		"unknown key in body": func() response { return post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody("bogus")) },
		"unknown key in header": func() response {
			return post(t, srv.Client(), srv.URL+"/rest/auth/", "", "Authorization: token auth=bogus")
		},
		"key without owner": func() response { return post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody("orphan-key")) },
	} {
		t.Run(name, func(t *testing.T) {
			resp := r()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.JSONEq(t, `{"result":"fail"}`, string(resp.body))
			assert.Empty(t, resp.Header.Values("Set-Cookie"))
		})
	}
}

func TestKeyAddedBeforeOwner(t *testing.T) {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddAPIKey("k", "carol")
	srv.AddUser(ipcortextest.User{Login: "carol", Password: "pw"})
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody("k"))
	assert.Equal(t, "carol", r.doc(t)["user"].(map[string]any)["login"])
}

func TestAuthorizationHeaderForms(t *testing.T) {
	srv := newServer(t)
	for _, h := range []string{
		"token auth=" + aliceKey,
		"Token auth=" + aliceKey,
		"token AUTH=" + aliceKey,
		`token auth="` + aliceKey + `"`,
		"token other=1, auth=" + aliceKey,
	} {
		r := post(t, srv.Client(), srv.URL+"/rest/auth/", "", "Authorization: "+h)
		assert.JSONEq(t, aliceKeyAnswer, string(r.body), h)
	}
	for _, h := range []string{"Bearer " + aliceKey, "token " + aliceKey, "token key=" + aliceKey} {
		r := post(t, srv.Client(), srv.URL+"/rest/auth/", "", "Authorization: "+h)
		assert.Equal(t, http.StatusBadRequest, r.StatusCode, h)
	}
}

func TestBadLoginRequests(t *testing.T) {
	srv := newServer(t)
	for name, body := range map[string]string{
		"malformed JSON":      `{"auth":{"type":"auth",`,
		"not an object":       `["auth"]`,
		"trailing data":       `{"auth":{"type":"auth","key":"k"}} {}`,
		"empty body":          "",
		"no auth":             `{"user":"alice"}`,
		"null auth":           `{"auth":null}`,
		"auth not an object":  `{"auth":"alice"}`,
		"wrong type":          `{"auth":{"type":"login","username":"alice","password":"` + alicePassword + `"}}`,
		"missing type":        `{"auth":{"username":"alice","password":"` + alicePassword + `"}}`,
		"no username nor key": `{"auth":{"type":"auth","password":"` + alicePassword + `"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := post(t, srv.Client(), srv.URL+"/rest/auth/", body)
			assert.Equal(t, http.StatusBadRequest, r.StatusCode)
			doc := r.doc(t)
			assert.Equal(t, "fail", doc["result"])
			assert.NotEmpty(t, doc["message"])
			assert.False(t, strings.Contains(string(r.body), alicePassword), "a secret is in the text")
			assert.Empty(t, r.Header.Values("Set-Cookie"))
		})
	}
	assert.Zero(t, srv.ActiveSessions())
}

func TestOversizeRequestBody(t *testing.T) {
	srv := newServer(t)
	body := `{"auth":{"type":"auth","username":"alice","password":"` + strings.Repeat("x", 1<<20) + `"}}`
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
	assert.Equal(t, "fail", r.doc(t)["result"])
}

func TestAuthPathsNeedPOST(t *testing.T) {
	srv := newServer(t)
	for _, path := range []string{"/rest/auth/", "/rest/auth/logout"} {
		r := send(t, srv.Client(), http.MethodGet, srv.URL+path, "")
		assert.Equal(t, http.StatusMethodNotAllowed, r.StatusCode, path)
		assert.Equal(t, "POST", r.Header.Get("Allow"))
		assert.Equal(t, "fail", r.doc(t)["result"])
	}
	assert.Equal(t, 1, srv.Logins())
	assert.Equal(t, 1, srv.Logouts())
}

func TestLogout(t *testing.T) {
	srv := newServer(t)
	for _, path := range []string{"/rest/auth/logout", "/rest/auth/logout/"} {
		t.Run(path, func(t *testing.T) {
			session := login(t, srv, "alice", alicePassword)
			other := login(t, srv, "bob", bobPassword)
			require.Equal(t, 2, srv.ActiveSessions())

			r := post(t, srv.Client(), srv.URL+path, logoutBody, sessionCookie(session))
			assert.Equal(t, http.StatusOK, r.StatusCode)
			assert.JSONEq(t, `{"result":"success"}`, string(r.body))
			c := r.cookie()
			require.NotNil(t, c, "logout does not expire the cookie")
			assert.Negative(t, c.MaxAge, "cookie not expired")
			assert.Empty(t, c.Value)
			assert.Contains(t, r.Header.Get("Set-Cookie"), "Max-Age=0")
			assert.Equal(t, 1, srv.ActiveSessions())

			// The session is gone: a second logout and a call with it fail.
			r = post(t, srv.Client(), srv.URL+path, logoutBody, sessionCookie(session))
			assert.JSONEq(t, `{"result":"fail"}`, string(r.body))
			r = post(t, srv.Client(), srv.URL+"/rest/call/list", "{}", sessionCookie(session))
			assert.Equal(t, "fail", r.doc(t)["result"])

			// Other sessions are untouched.
			r = post(t, srv.Client(), srv.URL+"/rest/call/list", "{}", sessionCookie(other))
			assert.Equal(t, "success", r.doc(t)["result"])
			post(t, srv.Client(), srv.URL+path, logoutBody, sessionCookie(other))
			assert.Zero(t, srv.ActiveSessions())
		})
	}
	assert.Equal(t, 6, srv.Logouts())
	assert.Equal(t, 6, srv.Calls("/rest/auth/logout"))
	assert.Equal(t, 6, srv.Calls("/rest/auth/logout/"), "slash variants count together")
}

func TestLogoutWithoutSession(t *testing.T) {
	srv := newServer(t)
	for name, headers := range map[string][]string{
		"no cookie":      nil,
		"unknown cookie": {sessionCookie("0123456789abcdef0123456789abcdef")},
		"empty cookie":   {sessionCookie("")},
		"API key":        {"Authorization: token auth=" + aliceKey},
	} {
		t.Run(name, func(t *testing.T) {
			r := post(t, srv.Client(), srv.URL+"/rest/auth/logout", logoutBody, headers...)
			assert.Equal(t, http.StatusOK, r.StatusCode)
			assert.JSONEq(t, `{"result":"fail"}`, string(r.body))
			assert.Empty(t, r.Header.Values("Set-Cookie"))
		})
	}
}

func TestBadLogoutRequests(t *testing.T) {
	srv := newServer(t)
	session := login(t, srv, "alice", alicePassword)
	for name, body := range map[string]string{
		"malformed JSON": `{"auth":`,
		"no auth":        `{}`,
		"empty body":     "",
		"wrong type":     `{"auth":{"type":"logout"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := post(t, srv.Client(), srv.URL+"/rest/auth/logout", body, sessionCookie(session))
			assert.Equal(t, http.StatusBadRequest, r.StatusCode)
			assert.Equal(t, "fail", r.doc(t)["result"])
			assert.NotEmpty(t, r.doc(t)["message"])
		})
	}
	assert.Equal(t, 1, srv.ActiveSessions(), "a bad logout request ended the session")
}

func TestOtherAPI(t *testing.T) {
	srv := newServer(t)
	session := login(t, srv, "alice", alicePassword)
	const refused = `{"result":"fail","message":"authentication required"}`

	cases := []struct {
		name, method, path, body string
		headers                  []string
		want                     string
	}{
		{"session cookie", "POST", "/rest/call/list", "{}", []string{sessionCookie(session)},
			`{"result":"success","data":{"path":"/rest/call/list","user":"alice"}}`},
		{"GET with cookie", "GET", "/rest/call/list/", "", []string{sessionCookie(session)},
			`{"result":"success","data":{"path":"/rest/call/list/","user":"alice"}}`},
		{"cookie, body not JSON", "PUT", "/rest/x", "not json", []string{sessionCookie(session)},
			`{"result":"success","data":{"path":"/rest/x","user":"alice"}}`},
		{"key in body", "POST", "/rest/call/list", `{"auth":{"type":"auth","key":"` + aliceKey + `"},"filter":1}`, nil,
			`{"result":"success","data":{"path":"/rest/call/list","user":"alice"}}`},
		{"key in body, no type", "POST", "/rest/a/b", `{"auth":{"key":"` + aliceKey + `"}}`, nil,
			`{"result":"success","data":{"path":"/rest/a/b","user":"alice"}}`},
		{"key in header", "GET", "/rest/call/list", "", []string{"Authorization: token auth=" + aliceKey},
			`{"result":"success","data":{"path":"/rest/call/list","user":"alice"}}`},
		{"unknown cookie, good key", "POST", "/rest/call/list", "", []string{sessionCookie("stale"), "Authorization: token auth=" + aliceKey},
			`{"result":"success","data":{"path":"/rest/call/list","user":"alice"}}`},
		{"nothing", "POST", "/rest/call/list", "{}", nil, refused},
		{"unknown cookie", "POST", "/rest/call/list", "{}", []string{sessionCookie("stale")}, refused},
		{"unknown key in body", "POST", "/rest/call/list", keyBody("bogus"), nil, refused},
		{"unknown key in header", "GET", "/rest/call/list", "", []string{"Authorization: token auth=bogus"}, refused},
		{"password in body", "POST", "/rest/call/list", loginBody("alice", alicePassword), nil, refused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := send(t, srv.Client(), c.method, srv.URL+c.path, c.body, c.headers...)
			assert.Equal(t, http.StatusOK, r.StatusCode, "the vendor refuses with HTTP 200")
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.JSONEq(t, c.want, string(r.body))
		})
	}
	assert.Equal(t, 1, srv.ActiveSessions(), "the API opened sessions")
	assert.Equal(t, 1, srv.Logins(), "API calls counted as logins")
}

func TestForgetSessions(t *testing.T) {
	srv := newServer(t)
	s1 := login(t, srv, "alice", alicePassword)
	login(t, srv, "bob", bobPassword)
	srv.ForgetSessions()
	assert.Zero(t, srv.ActiveSessions())

	r := post(t, srv.Client(), srv.URL+"/rest/call/list", "{}", sessionCookie(s1))
	assert.JSONEq(t, `{"result":"fail","message":"authentication required"}`, string(r.body))
	r = post(t, srv.Client(), srv.URL+"/rest/auth/logout", logoutBody, sessionCookie(s1))
	assert.JSONEq(t, `{"result":"fail"}`, string(r.body))

	// Users and keys stay; a login with the forgotten cookie opens a new session.
	s2 := login(t, srv, "alice", alicePassword, sessionCookie(s1))
	assert.NotEqual(t, s1, s2)
	r = post(t, srv.Client(), srv.URL+"/rest/call/list", keyBody(aliceKey))
	assert.Equal(t, "success", r.doc(t)["result"])
}

func TestUnknownPath(t *testing.T) {
	srv := newServer(t)
	for _, path := range []string{"/", "/auth/", "/rest", "/restful/auth"} {
		r := post(t, srv.Client(), srv.URL+path, loginBody("alice", alicePassword))
		assert.Equal(t, http.StatusNotFound, r.StatusCode, path)
	}
	assert.Equal(t, 4, srv.Requests())
	assert.Zero(t, srv.Logins())
	assert.Equal(t, 1, srv.Calls("/"))
	assert.Equal(t, 1, srv.Calls("/auth"))
}

func TestCounts(t *testing.T) {
	srv := newServer(t)
	session := login(t, srv, "alice", alicePassword)                       // login 1
	post(t, srv.Client(), srv.URL+"/rest/auth", loginBody("alice", "bad")) // login 2
	post(t, srv.Client(), srv.URL+"/rest/auth/", keyBody(aliceKey))        // login 3: key check
	post(t, srv.Client(), srv.URL+"/rest/call/list", "{}", sessionCookie(session))
	post(t, srv.Client(), srv.URL+"/rest/call/list/", "{}", sessionCookie(session))
	post(t, srv.Client(), srv.URL+"/rest/auth/logout", logoutBody, sessionCookie(session))
	post(t, srv.Client(), srv.URL+"/nowhere", "")

	assert.Equal(t, 7, srv.Requests())
	assert.Equal(t, 3, srv.Logins())
	assert.Equal(t, 1, srv.Logouts())
	assert.Equal(t, 3, srv.Calls("/rest/auth"))
	assert.Equal(t, 2, srv.Calls("/rest/call/list"))
	assert.Equal(t, 2, srv.Calls("/rest/call/list/"))
	assert.Equal(t, 1, srv.Calls("/rest/auth/logout/"))
	assert.Equal(t, 1, srv.Calls("/nowhere"))
	assert.Zero(t, srv.Calls("/rest/other"))
	assert.Zero(t, srv.ActiveSessions())
}

func TestCookieJarFlow(t *testing.T) {
	for name, newSrv := range map[string]func() *ipcortextest.Server{
		"http": ipcortextest.NewServer, "https": ipcortextest.NewTLSServer,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newSrv()
			defer srv.Close()
			addUsers(srv)
			jar, err := cookiejar.New(nil)
			require.NoError(t, err)
			c := srv.Client()
			c.Jar = jar

			r := post(t, c, srv.URL+"/rest/auth/", loginBody("alice", alicePassword))
			require.Equal(t, "success", r.doc(t)["result"])
			u, err := url.Parse(srv.URL)
			require.NoError(t, err)
			require.Len(t, jar.Cookies(u), 1)

			r = post(t, c, srv.URL+"/rest/call/list", "{}")
			assert.Equal(t, "success", r.doc(t)["result"])

			r = post(t, c, srv.URL+"/rest/auth/logout", logoutBody)
			assert.JSONEq(t, `{"result":"success"}`, string(r.body))
			assert.Empty(t, jar.Cookies(u), "the jar kept the expired cookie")

			r = post(t, c, srv.URL+"/rest/call/list", "{}")
			assert.Equal(t, "fail", r.doc(t)["result"])
			r = post(t, c, srv.URL+"/rest/auth/logout", logoutBody)
			assert.JSONEq(t, `{"result":"fail"}`, string(r.body))
		})
	}
}

func TestTLS(t *testing.T) {
	srv := ipcortextest.NewTLSServer()
	defer srv.Close()
	addUsers(srv)
	assert.True(t, strings.HasPrefix(srv.URL, "https://127.0.0.1:"), srv.URL)
	assert.False(t, strings.HasSuffix(srv.URL, "/"))
	require.NotNil(t, srv.Certificate())

	r := post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("alice", alicePassword))
	require.NotNil(t, r.TLS)
	c := r.cookie()
	require.NotNil(t, c)
	assert.True(t, c.Secure)
	assert.True(t, c.HttpOnly)
	assert.Equal(t, []string{"Red60urne=" + c.Value + "; Path=/; HttpOnly; Secure"}, r.Header.Values("Set-Cookie"))

	r = post(t, srv.Client(), srv.URL+"/rest/auth/logout", logoutBody, sessionCookie(c.Value))
	assert.JSONEq(t, `{"result":"success"}`, string(r.body))
	assert.True(t, r.cookie().Secure)

	// A client that does not trust the test certificate is refused.
	_, err := http.Post(srv.URL+"/rest/auth/", "application/json", strings.NewReader(keyBody(aliceKey)))
	assert.Error(t, err)
}

func TestAddUser(t *testing.T) {
	srv := ipcortextest.NewServer()
	defer srv.Close()

	perms := map[string]string{"calls": "yes"}
	srv.AddUser(ipcortextest.User{Login: "u1", Password: "p1", Perms: perms})
	srv.AddUser(ipcortextest.User{Login: "u2", Password: "p2"})
	perms["calls"] = "changed" // the server keeps its own copy

	r := post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("u1", "p1"))
	u1 := r.doc(t)["user"].(map[string]any)
	assert.Equal(t, map[string]any{"calls": "yes"}, u1["perms"])
	r = post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("u2", "p2"))
	u2 := r.doc(t)["user"].(map[string]any)
	assert.NotZero(t, u1["id"])
	assert.NotEqual(t, u1["id"], u2["id"], "assigned ids collide")

	// Adding a user again replaces it.
	srv.AddUser(ipcortextest.User{ID: 9, Login: "u1", Password: "new"})
	r = post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("u1", "p1"))
	assert.Equal(t, "fail", r.doc(t)["result"])
	r = post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody("u1", "new"))
	assert.EqualValues(t, 9, r.doc(t)["user"].(map[string]any)["id"])

	assert.Panics(t, func() { srv.AddUser(ipcortextest.User{Password: "p"}) })
	assert.Panics(t, func() { srv.AddAPIKey("", "u1") })
}

func TestStringHidesSecrets(t *testing.T) {
	srv := newServer(t)
	login(t, srv, "alice", alicePassword)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, srv)
		assert.Contains(t, out, srv.URL)
		assert.False(t, strings.Contains(out, alicePassword), format)
		assert.False(t, strings.Contains(out, aliceKey), format)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := newServer(t)
	const workers, rounds = 16, 10
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			c := srv.Client()
			for range rounds {
				// Errors are reported with assert, which is safe off the test goroutine.
				resp, err := c.Post(srv.URL+"/rest/auth/", "application/json",
					strings.NewReader(loginBody("alice", alicePassword)))
				if !assert.NoError(t, err) {
					return
				}
				resp.Body.Close()
				var session string
				for _, ck := range resp.Cookies() {
					session = ck.Value
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/rest/call/list", strings.NewReader("{}"))
				req.AddCookie(&http.Cookie{Name: ipcortextest.CookieName, Value: session})
				if resp, err = c.Do(req); assert.NoError(t, err) {
					resp.Body.Close()
				}
				req, _ = http.NewRequest(http.MethodPost, srv.URL+"/rest/auth/logout", strings.NewReader(logoutBody))
				req.AddCookie(&http.Cookie{Name: ipcortextest.CookieName, Value: session})
				if resp, err = c.Do(req); assert.NoError(t, err) {
					resp.Body.Close()
				}
				// Readers and setters race with the requests above.
				_ = srv.Requests() + srv.Logins() + srv.Logouts() + srv.ActiveSessions() + srv.Calls("/rest/auth")
				srv.RejectCredentials(false)
				srv.SetDelay(0)
				srv.GarbageNext(0)
				srv.AddUser(ipcortextest.User{Login: fmt.Sprintf("user%d", i), Password: "pw"})
				srv.AddAPIKey(fmt.Sprintf("key%d", i), fmt.Sprintf("user%d", i))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, workers*rounds*3, srv.Requests())
	assert.Equal(t, workers*rounds, srv.Logins())
	assert.Equal(t, workers*rounds, srv.Logouts())
	assert.Equal(t, workers*rounds, srv.Calls("/rest/call/list"))
	assert.Zero(t, srv.ActiveSessions())
}
