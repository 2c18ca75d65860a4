package onsip_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// sessionIDPattern is onsiptest's session IDs: OnSIP's length and alphabet.
var sessionIDPattern = regexp.MustCompile(`^[a-z2-7]{26}$`)

func TestLoginAndLogout(t *testing.T) {
	srv := onsiptest.NewServer()
	t.Cleanup(srv.Close)
	userID := srv.AddUser(onsiptest.User{Username: user, Password: password, Roles: []string{"Organization Admin", "Account Admin"}})
	a := newAuthenticator(t, srv.URL)
	ctx := context.Background()

	s, err := a.Login(ctx)
	require.NoError(t, err)
	assert.True(t, sessionIDPattern.MatchString(s.ID.Reveal()), "ID is the server's SessionId")
	assert.Equal(t, userID, s.UserID)
	assert.Equal(t, user, s.Username)
	assert.Equal(t, []string{"Account Admin", "Organization Admin"}, s.Roles, "sorted")
	assert.Nil(t, s.Permissions)
	assert.Equal(t, onsip.Name, s.Provider)
	assert.False(t, s.IssuedAt.IsZero())
	assert.Equal(t, 1, srv.ActiveSessions())

	held, err := a.Session(ctx)
	require.NoError(t, err)
	assert.Same(t, s, held)

	require.NoError(t, a.Logout(ctx))
	assert.Zero(t, srv.ActiveSessions())
	assert.Equal(t, 1, srv.Logouts())
}

func TestLoginRefused(t *testing.T) {
	srv := onsiptest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddUser(onsiptest.User{Username: user, Password: "another password"})
	a := newAuthenticator(t, srv.URL)

	_, err := a.Login(context.Background())
	e := requireSentinel(t, err, auth.ErrInvalidCredentials)
	assert.Equal(t, auth.OpLogin, e.Op)
	assert.Equal(t, http.StatusOK, e.StatusCode)
	assert.Equal(t, "Authentication", e.Code)
	assert.Equal(t, "Authentication failed.", e.Message)
	assert.Equal(t, "onsip login: invalid credentials (HTTP 200): Authentication failed. [Authentication]", err.Error())
	assert.Equal(t, 1, srv.Requests(), "a refusal is not retried")
}

func TestLoginException(t *testing.T) {
	a, srv := start(t)
	srv.ExceptionNext(1)
	_, err := a.Login(context.Background())
	e := requireSentinel(t, err, auth.ErrUnavailable)
	assert.Equal(t, onsiptest.ExceptionText, e.Message)
	assert.Equal(t, 1, srv.Requests(), "an answered fault is not retried")
}

// recorder is a tiny OnSIP of the test's own: it answers every request with
// the next of its answers (the last one once they run out) and keeps what
// it was sent.
type recorder struct {
	*httptest.Server
	mu      sync.Mutex
	answers []answer
	got     []sent
}

type answer struct {
	status int
	body   string
}

type sent struct {
	method, path, contentType, body string
}

func newRecorder(t *testing.T, answers ...answer) *recorder {
	r := &recorder{answers: answers}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.got = append(r.got, sent{req.Method, req.URL.Path, req.Header.Get("Content-Type"), string(body)})
	a := r.answers[min(len(r.got), len(r.answers))-1]
	r.mu.Unlock()
	w.Header().Set("Content-Type", onsiptest.ContentType)
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (r *recorder) sent() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.got...)
}

func ok(body string) answer { return answer{http.StatusOK, body} }

// established is a successful SessionCreate answer for session id.
func established(id string) string {
	return response(`<Action><IsCompleted>true</IsCompleted></Action><Request><IsValid>true</IsValid></Request>` +
		`<Session><IsEstablished>true</IsEstablished><SessionId>` + id + `</SessionId><UserId>152255</UserId>` +
		`<Roles><Role><Name>Account Admin</Name></Role></Roles></Session>`)
}

// hidePassword replaces the encoded test password in a form, so the form
// can be compared and printed.
func hidePassword(form string) string {
	return strings.ReplaceAll(form, url.QueryEscape(password), "PASSWORD")
}

func TestLoginSendsTheDocumentedForm(t *testing.T) {
	srv := newRecorder(t, answer{http.StatusServiceUnavailable, ""}, ok(established("abc")),
		ok(string(readSample(t, "session-destroy.xml"))))
	a := newAuthenticator(t, srv.URL+"/api")
	_, err := a.Login(context.Background())
	require.NoError(t, err)

	got := srv.sent()
	require.Len(t, got, 2, "the 503 was retried")
	for _, r := range got {
		assert.Equal(t, http.MethodPost, r.method)
		assert.Equal(t, "/api", r.path)
		assert.Equal(t, "application/x-www-form-urlencoded", r.contentType)
		assert.Equal(t, "Action=SessionCreate&Username=john.doe%40example.onsip.com&Password=PASSWORD", hidePassword(r.body),
			"the form, in the documented order, replayed on the retry")
	}

	require.NoError(t, a.Logout(context.Background()))
	got = srv.sent()
	require.Len(t, got, 3)
	assert.Equal(t, sent{http.MethodPost, "/api", "application/x-www-form-urlencoded", "Action=SessionDestroy&SessionId=abc"}, got[2])
}

// What a server other than onsiptest may send: each answer signs in or
// refuses as OnSIP means it.
func TestLoginVariations(t *testing.T) {
	for _, tc := range []struct {
		name     string
		path     string // where the server answers; "" means /api
		endpoint string // the configured endpoint's path
		body     string
		want     error // nil: signed in
		code     string
	}{
		{"no namespace", "", "/api", `<Response><Context><Session><IsEstablished>true</IsEstablished>` +
			`<SessionId>abc</SessionId></Session></Context></Response>`, nil, ""},
		{"no XML declaration", "", "/api", strings.TrimPrefix(established("abc"), `<?xml version="1.0" encoding="UTF-8"?>`), nil, ""},
		{"CRLF line ends", "", "/api", strings.ReplaceAll(established("abc"), ">", ">\r\n  "), nil, ""},
		{"trailing slash endpoint", "/api/", "/api/", established("abc"), nil, ""},
		{"one error", "", "/api", response(wrongPassword), auth.ErrInvalidCredentials, "Authentication"},
		{"many errors", "", "/api", response(`<Action><IsCompleted>false</IsCompleted><Errors>` +
			`<Error><Parameter>Password</Parameter><Code>Expired</Code><Message>Password expired.</Message></Error>` +
			`<Error><Parameter>Username</Parameter><Code>Locked</Code><Message>Account locked.</Message></Error>` +
			`</Errors></Action>` + notEstablished), auth.ErrInvalidCredentials, "Expired"},
		{"Request IsValid false", "", "/api", response(`<Request><IsValid>false</IsValid><Errors><Error>` +
			`<Parameter>Username</Parameter><Code>Invalid</Code><Message>Username is not valid.</Message></Error>` +
			`</Errors></Request>` + notEstablished), auth.ErrInvalidCredentials, "Invalid"},
		{"Action errors only, no Session", "", "/api", response(`<Action><Errors><Error><Parameter>Password</Parameter>` +
			`</Error></Errors></Action>`), auth.ErrInvalidCredentials, "Password"},
		{"HTML error page", "", "/api", "<html><body>502</body></html>", auth.ErrProtocol, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/api"
			}
			mux := http.NewServeMux()
			mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/xml")
				_, _ = io.WriteString(w, tc.body)
			})
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)

			s, err := newAuthenticator(t, srv.URL+tc.endpoint).Login(context.Background())
			if tc.want == nil {
				require.NoError(t, err)
				assert.True(t, s.ID == "abc", "ID")
				return
			}
			e := requireSentinel(t, err, tc.want)
			assert.Equal(t, tc.code, e.Code)
		})
	}
}

// A server that echoes the clear password, in its parameters and in its
// error message, does not get it into any text of the error.
func TestLoginEchoedPasswordDoesNotLeak(t *testing.T) {
	srv := newRecorder(t, ok(response(`<Action><IsCompleted>false</IsCompleted><Errors><Error>`+
		`<Parameter>Password</Parameter><Code>Authentication</Code>`+
		`<Message>Password `+password+` is wrong.</Message></Error></Errors></Action>`+
		`<Request><IsValid>true</IsValid><Parameters>`+
		`<Parameter><Name>Username</Name><Value>`+user+`</Value></Parameter>`+
		`<Parameter><Name>Password</Name><Value>`+password+`</Value></Parameter>`+
		`</Parameters></Request>`+notEstablished)))
	a := newAuthenticator(t, srv.URL)
	_, err := a.Login(context.Background())
	e := requireSentinel(t, err, auth.ErrInvalidCredentials)
	assert.Equal(t, "Password [REDACTED] is wrong.", e.Message)
	for i, text := range []string{err.Error(), fmt.Sprintf("%v %+v %#v %q", err, err, err, err), e.Code, e.Message} {
		noSecret(t, fmt.Sprintf("error text #%d", i), text, password)
	}
	_, err = a.Session(context.Background())
	require.Error(t, err)
	noSecret(t, "Session's error", err.Error(), password)
}

func TestLogoutOutcomes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		logout answer
		want   error // nil: logged out
	}{
		{"destroyed", ok(string(readSample(t, "session-destroy.xml"))), nil},
		{"unknown session", ok(response(`<Request><IsValid>false</IsValid><Errors><Error><Parameter>SessionId</Parameter>` +
			`<Code>Invalid</Code><Message>Session is not valid.</Message></Error></Errors></Request>` + notEstablished)), nil},
		{"HTTP 401", answer{http.StatusUnauthorized, ""}, nil},
		{"HTTP 403", answer{http.StatusForbidden, ""}, nil},
		{"HTTP 500", answer{http.StatusInternalServerError, ""}, auth.ErrUnavailable},
		{"HTTP 503 throughout", answer{http.StatusServiceUnavailable, ""}, auth.ErrUnavailable},
		{"HTTP 404", answer{http.StatusNotFound, ""}, auth.ErrProtocol},
		{"exception", ok(exception("<![CDATA[Internal error]]>")), auth.ErrUnavailable},
		{"still established", ok(established("abc")), auth.ErrProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, ok(established("abc")), tc.logout)
			a := newAuthenticator(t, srv.URL)
			s, err := a.Login(ctx)
			require.NoError(t, err)

			err = a.Logout(ctx)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			e := requireSentinel(t, err, tc.want)
			assert.Equal(t, auth.OpLogout, e.Op)
			noSecret(t, "the error", err.Error(), s.ID)
			held, err := a.Session(ctx)
			require.NoError(t, err)
			assert.Same(t, s, held, "a failed Logout keeps the session")
		})
	}
}

func TestLogoutOfForgottenSession(t *testing.T) {
	a, srv := start(t)
	_, err := a.Login(context.Background())
	require.NoError(t, err)
	srv.ForgetSessions()
	require.NoError(t, a.Logout(context.Background()))
	assert.Equal(t, 1, srv.Logouts())
}
