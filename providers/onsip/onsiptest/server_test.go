package onsiptest_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// The contract suite drives the fake through this handle.
var _ authtest.Server = (*onsiptest.Server)(nil)

const (
	user     = "john.doe@example.onsip.com"
	password = "mysuperpassword"
)

// document is a Response document as a client would decode it.
type document struct {
	XMLName xml.Name `xml:"http://www.jnctn.net/ns/rest/2006-01 Response"`
	Context struct {
		Action struct {
			IsCompleted string
			Errors      []apiError `xml:"Errors>Error"`
		}
		Request struct {
			IsValid    string
			DateTime   string
			Duration   string
			Errors     []apiError  `xml:"Errors>Error"`
			Parameters []parameter `xml:"Parameters>Parameter"`
		}
		Session struct {
			IsEstablished string
			SessionID     string   `xml:"SessionId"`
			UserID        string   `xml:"UserId"`
			Roles         []string `xml:"Roles>Role>Name"`
		}
	}
	Result *struct {
		Elements []struct {
			XMLName xml.Name
		} `xml:",any"`
	}
}

type apiError struct {
	Parameter, Code, Message string
}

type parameter struct {
	Name, Value string
}

// resultNames lists the elements inside Result; nil when there is no Result.
func (d *document) resultNames() []string {
	if d.Result == nil {
		return nil
	}
	names := []string{}
	for _, e := range d.Result.Elements {
		names = append(names, e.XMLName.Local)
	}
	return names
}

// decode reads a successful answer (OnSIP refuses with 200 too) and
// decodes it, checking its headers and the DateTime and Duration formats.
func decode(t *testing.T, resp *http.Response) *document {
	t.Helper()
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/xml; charset=utf-8", resp.Header.Get("Content-Type"))
	var doc document
	require.NoError(t, xml.NewDecoder(resp.Body).Decode(&doc))
	_, err := time.Parse(time.RFC3339, doc.Context.Request.DateTime)
	assert.NoError(t, err, "DateTime")
	assert.Regexp(t, `^\d+$`, doc.Context.Request.Duration)
	return &doc
}

func post(t *testing.T, endpoint string, form url.Values) *document {
	t.Helper()
	resp, err := http.PostForm(endpoint, form)
	require.NoError(t, err)
	return decode(t, resp)
}

// postRaw sends body as written, so the parameters keep their order.
func postRaw(t *testing.T, endpoint, body string) *document {
	t.Helper()
	resp, err := http.Post(endpoint, "application/x-www-form-urlencoded", strings.NewReader(body))
	require.NoError(t, err)
	return decode(t, resp)
}

func login(t *testing.T, s *onsiptest.Server, username, password string) *document {
	t.Helper()
	return post(t, s.URL, url.Values{"Action": {"SessionCreate"}, "Username": {username}, "Password": {password}})
}

func newServer(t *testing.T) *onsiptest.Server {
	s := onsiptest.NewServer()
	t.Cleanup(s.Close)
	return s
}

var (
	dateTimeRE  = regexp.MustCompile(`<DateTime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00</DateTime>`)
	durationRE  = regexp.MustCompile(`<Duration>\d{1,3}</Duration>`)
	sessionIDRE = regexp.MustCompile(`<SessionId>[a-z0-9]{26}</SessionId>`)
)

// normalize replaces the parts of a document that change on every answer.
func normalize(body string) string {
	body = dateTimeRE.ReplaceAllString(body, "<DateTime>DATETIME</DateTime>")
	body = durationRE.ReplaceAllString(body, "<Duration>DURATION</Duration>")
	return sessionIDRE.ReplaceAllString(body, "<SessionId>SESSIONID</SessionId>")
}

func rawPost(t *testing.T, endpoint, body string) string {
	t.Helper()
	resp, err := http.Post(endpoint, "application/x-www-form-urlencoded", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// The answers match the vendor's samples (../testdata, verbatim from the
// protocol page) byte for byte, but for the values that change and the XML
// declaration, which the vendor's overview shows.
func TestSampleDocuments(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: "john.doe@example.com", Password: password})
	userIDRE := regexp.MustCompile(`<UserId>[0-9]+</UserId>`)
	same := func(sample, got string) {
		t.Helper()
		want, err := os.ReadFile(filepath.Join("..", "testdata", sample))
		require.NoError(t, err)
		got, ok := strings.CutPrefix(got, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
		require.True(t, ok, "the answer starts with the XML declaration")
		norm := func(doc string) string {
			return strings.TrimSpace(normalize(userIDRE.ReplaceAllString(doc, "<UserId>USERID</UserId>")))
		}
		assert.Equal(t, norm(string(want)), norm(got))
	}

	got := rawPost(t, s.URL, "Action=SessionCreate&Username=john.doe%40example.com&Password=mysuperpassword")
	same("session-create.xml", got)
	id := sessionIDRE.FindString(got)
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<SessionId>"), "</SessionId>")

	got = rawPost(t, s.URL, "Action=SessionDestroy&SessionId="+id)
	// The sample destroys a session of its own: put its ID where ours is.
	same("session-destroy.xml", strings.ReplaceAll(got, id, "25h4rmjvmubl7r7e1q73msbln2"))
}

func TestSessionCreate(t *testing.T) {
	s := newServer(t)
	userID := s.AddUser(onsiptest.User{Username: user, Password: password})

	doc := login(t, s, user, password)
	assert.Equal(t, "true", doc.Context.Action.IsCompleted)
	assert.Equal(t, "true", doc.Context.Request.IsValid)
	assert.Empty(t, doc.Context.Request.Errors)
	assert.Equal(t, "true", doc.Context.Session.IsEstablished)
	assert.Regexp(t, `^[a-z0-9]{26}$`, doc.Context.Session.SessionID)
	assert.Equal(t, userID, doc.Context.Session.UserID)
	assert.Equal(t, []string{"Account Admin"}, doc.Context.Session.Roles)
	assert.Equal(t, []string{"SessionCreate"}, doc.resultNames())

	again := login(t, s, user, password)
	assert.NotEqual(t, doc.Context.Session.SessionID, again.Context.Session.SessionID, "each login opens a new session")
	assert.Equal(t, 2, s.ActiveSessions())
	assert.Equal(t, 2, s.Logins())
	assert.Equal(t, 2, s.Requests())
	assert.Equal(t, 2, s.Calls("SessionCreate"))
}

func TestSessionCreateRefused(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})

	refused := func(t *testing.T, doc *document) {
		t.Helper()
		assert.Equal(t, "true", doc.Context.Request.IsValid)
		assert.Equal(t, "false", doc.Context.Action.IsCompleted)
		assert.Equal(t, []apiError{{"Password", "Authentication", "Authentication failed."}}, doc.Context.Action.Errors)
		assert.Equal(t, "false", doc.Context.Session.IsEstablished)
		assert.Empty(t, doc.Context.Session.SessionID)
		assert.Equal(t, []string{"SessionCreate"}, doc.resultNames())
	}
	t.Run("wrong password", func(t *testing.T) { refused(t, login(t, s, user, "wrong")) })
	t.Run("unknown user", func(t *testing.T) { refused(t, login(t, s, "jane@example.onsip.com", password)) })
	t.Run("username without domain", func(t *testing.T) { refused(t, login(t, s, "john.doe", password)) })
	t.Run("RejectCredentials", func(t *testing.T) {
		s.RejectCredentials(true)
		refused(t, login(t, s, user, password))
		s.RejectCredentials(false)
		assert.Equal(t, "true", login(t, s, user, password).Context.Session.IsEstablished)
	})
	assert.Equal(t, 1, s.ActiveSessions())
	assert.Equal(t, 5, s.Logins())
}

func TestSessionCreateMissingParameters(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	required := func(name string) apiError { return apiError{name, "Required", name + " is required."} }

	for _, tc := range []struct {
		name string
		form url.Values
		want []apiError
	}{
		{"no password", url.Values{"Username": {user}}, []apiError{required("Password")}},
		{"no username", url.Values{"Password": {password}}, []apiError{required("Username")}},
		{"empty username", url.Values{"Username": {""}, "Password": {password}}, []apiError{required("Username")}},
		{"neither", url.Values{}, []apiError{required("Username"), required("Password")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("Action", "SessionCreate")
			doc := post(t, s.URL, tc.form)
			assert.Equal(t, "false", doc.Context.Request.IsValid)
			assert.Equal(t, tc.want, doc.Context.Request.Errors)
			assert.Equal(t, "false", doc.Context.Action.IsCompleted)
			assert.Equal(t, "false", doc.Context.Session.IsEstablished)
			assert.Nil(t, doc.resultNames(), "an invalid request has no Result")
		})
	}
	assert.Zero(t, s.ActiveSessions())
	assert.Equal(t, 4, s.Logins())
}

func TestSessionDestroy(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	id := login(t, s, user, password).Context.Session.SessionID

	doc := post(t, s.URL, url.Values{"Action": {"SessionDestroy"}, "SessionId": {id}})
	assert.Equal(t, "true", doc.Context.Request.IsValid)
	assert.Equal(t, "true", doc.Context.Action.IsCompleted)
	assert.Equal(t, "false", doc.Context.Session.IsEstablished)
	assert.Equal(t, []string{"SessionDestroy"}, doc.resultNames())
	assert.Zero(t, s.ActiveSessions())

	invalidSession := []apiError{{"SessionId", "Invalid", "Session is not valid."}}
	for name, form := range map[string]url.Values{
		"destroyed": {"SessionId": {id}},
		"unknown":   {"SessionId": {"h68kucpnejdv2jm3bq2cmhikp5"}},
		"missing":   {},
	} {
		t.Run(name, func(t *testing.T) {
			form.Set("Action", "SessionDestroy")
			doc := post(t, s.URL, form)
			assert.Equal(t, "false", doc.Context.Request.IsValid)
			assert.Equal(t, invalidSession, doc.Context.Request.Errors)
			assert.Equal(t, "false", doc.Context.Action.IsCompleted)
			assert.Equal(t, "false", doc.Context.Session.IsEstablished)
		})
	}
	assert.Equal(t, 4, s.Logouts())
	assert.Equal(t, 1, s.Logins())
	assert.Equal(t, 5, s.Requests())
}

func TestOtherActions(t *testing.T) {
	s := newServer(t)
	userID := s.AddUser(onsiptest.User{Username: user, Password: password, Roles: []string{"Account Admin", "Organization Admin"}})
	id := login(t, s, user, password).Context.Session.SessionID

	doc := post(t, s.URL, url.Values{"Action": {"UserRead"}, "SessionId": {id}})
	assert.Equal(t, "true", doc.Context.Request.IsValid)
	assert.Equal(t, "true", doc.Context.Action.IsCompleted)
	assert.Equal(t, "true", doc.Context.Session.IsEstablished)
	assert.Equal(t, id, doc.Context.Session.SessionID)
	assert.Equal(t, userID, doc.Context.Session.UserID)
	assert.Equal(t, []string{"Account Admin", "Organization Admin"}, doc.Context.Session.Roles)
	assert.Equal(t, []string{"UserRead"}, doc.resultNames())

	// The session may travel in the query string while the rest is a form.
	doc = post(t, s.URL+"?SessionId="+id, url.Values{"Action": {"AccountRead"}})
	assert.Equal(t, "true", doc.Context.Action.IsCompleted)
	assert.Equal(t, []string{"AccountRead"}, doc.resultNames())

	invalidSession := []apiError{{"SessionId", "Invalid", "Session is not valid."}}
	for name, form := range map[string]url.Values{
		"unknown": {"SessionId": {"h68kucpnejdv2jm3bq2cmhikp5"}},
		"missing": {},
	} {
		t.Run(name, func(t *testing.T) {
			form.Set("Action", "UserRead")
			doc := post(t, s.URL, form)
			assert.Equal(t, "false", doc.Context.Request.IsValid)
			assert.Equal(t, invalidSession, doc.Context.Request.Errors)
			assert.Equal(t, "false", doc.Context.Action.IsCompleted)
			assert.Equal(t, "false", doc.Context.Session.IsEstablished)
			assert.Nil(t, doc.resultNames())
		})
	}
	assert.Equal(t, 3, s.Calls("UserRead"))
	assert.Equal(t, 1, s.Calls("AccountRead"))
	assert.Zero(t, s.Logouts())
	assert.Equal(t, 1, s.ActiveSessions(), "other actions neither open nor close sessions")
}

func TestForgetSessions(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	old := login(t, s, user, password).Context.Session.SessionID
	s.ForgetSessions()
	assert.Zero(t, s.ActiveSessions())

	doc := post(t, s.URL, url.Values{"Action": {"UserRead"}, "SessionId": {old}})
	assert.Equal(t, "false", doc.Context.Request.IsValid)
	assert.Equal(t, "SessionId", doc.Context.Request.Errors[0].Parameter)
	doc = post(t, s.URL, url.Values{"Action": {"SessionDestroy"}, "SessionId": {old}})
	assert.Equal(t, "false", doc.Context.Request.IsValid)

	fresh := login(t, s, user, password).Context.Session.SessionID
	doc = post(t, s.URL, url.Values{"Action": {"UserRead"}, "SessionId": {fresh}})
	assert.Equal(t, "true", doc.Context.Action.IsCompleted, "sessions issued later work")
}

func TestBadAction(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		action string
		want   apiError
	}{
		{"", apiError{"Action", "Required", "Action is required."}},
		{"User Read", apiError{"Action", "Invalid", "Action is not valid."}},
		{"<UserRead/>", apiError{"Action", "Invalid", "Action is not valid."}},
		{"1UserRead", apiError{"Action", "Invalid", "Action is not valid."}},
		{"Us\u00e9rRead", apiError{"Action", "Invalid", "Action is not valid."}},
		{strings.Repeat("A", 65), apiError{"Action", "Invalid", "Action is not valid."}},
	} {
		t.Run(tc.action, func(t *testing.T) {
			doc := post(t, s.URL, url.Values{"Action": {tc.action}})
			assert.Equal(t, "false", doc.Context.Request.IsValid)
			assert.Equal(t, []apiError{tc.want}, doc.Context.Request.Errors)
			assert.Equal(t, "false", doc.Context.Action.IsCompleted)
			assert.Nil(t, doc.resultNames())
		})
	}
	doc := post(t, s.URL, url.Values{"Username": {user}})
	assert.Equal(t, "Action", doc.Context.Request.Errors[0].Parameter)
	assert.Equal(t, 2, s.Calls(""))
}

func TestParametersEchoedInOrder(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	doc := postRaw(t, s.URL+"?Extra=query", "Password=mysuperpassword&Username=john.doe%40example.onsip.com&Action=SessionCreate&Foo=bar")
	assert.Equal(t, "true", doc.Context.Session.IsEstablished)
	assert.Equal(t, []parameter{
		{"Password", "******"},
		{"Username", user},
		{"Action", "SessionCreate"},
		{"Foo", "bar"},
		{"Extra", "query"},
	}, doc.Context.Request.Parameters)
}

func TestUntrustedTextIsEscaped(t *testing.T) {
	s := newServer(t)
	odd := `a<b>&"c'd]]>@example.onsip.com`
	s.AddUser(onsiptest.User{Username: odd, Password: password})
	doc := login(t, s, odd, password)
	assert.Equal(t, "true", doc.Context.Session.IsEstablished)
	assert.Contains(t, doc.Context.Request.Parameters, parameter{"Username", odd})

	// Bytes XML cannot carry are replaced, so the document stays well-formed.
	doc = post(t, s.URL, url.Values{"Action": {"UserRead"}, "SessionId": {"\x00\x01\xff</Value>"}})
	assert.Equal(t, "false", doc.Context.Request.IsValid)
	assert.Equal(t, "\uFFFD\uFFFD\uFFFD</Value>", doc.Context.Request.Parameters[1].Value)
}

func TestPathsAndMethods(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	q := url.Values{"Action": {"SessionCreate"}, "Username": {user}, "Password": {password}}.Encode()

	for _, endpoint := range []string{s.URL, s.URL + "/"} {
		doc := post(t, endpoint, url.Values{"Action": {"SessionCreate"}, "Username": {user}, "Password": {password}})
		assert.Equal(t, "true", doc.Context.Session.IsEstablished, endpoint)
		resp, err := http.Get(endpoint + "?" + q)
		require.NoError(t, err)
		assert.Equal(t, "true", decode(t, resp).Context.Session.IsEstablished, "GET "+endpoint)
	}

	status := func(method, target string) *http.Response {
		req, err := http.NewRequest(method, target, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	resp := status(http.MethodPut, s.URL+"?"+q)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET, POST", resp.Header.Get("Allow"))
	assert.Equal(t, http.StatusNotFound, status(http.MethodPost, strings.TrimSuffix(s.URL, "/api")+"/webapi?"+q).StatusCode)
	assert.Equal(t, http.StatusNotFound, status(http.MethodGet, s.URL+"/v2?"+q).StatusCode)

	assert.Equal(t, 4, s.Logins(), "only requests to the API log in")
	assert.Equal(t, 7, s.Requests())
	assert.Equal(t, 4, s.ActiveSessions())
}

func TestMalformedBodies(t *testing.T) {
	s := newServer(t)
	resp, err := http.Post(s.URL, "application/x-www-form-urlencoded", strings.NewReader("Action=%zz"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	resp, err = http.Post(s.URL, "application/x-www-form-urlencoded", strings.NewReader("Action="+strings.Repeat("A", 1<<20)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, 2, s.Requests())
}

// The vendor's JavaScript sample posts a FormData: multipart/form-data.
func TestMultipartForm(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range [][2]string{{"Action", "SessionCreate"}, {"Username", user}, {"Password", password}} {
		require.NoError(t, mw.WriteField(f[0], f[1]))
	}
	require.NoError(t, mw.Close())
	resp, err := http.Post(s.URL, mw.FormDataContentType(), &body)
	require.NoError(t, err)
	doc := decode(t, resp)
	assert.Equal(t, "true", doc.Context.Session.IsEstablished)
	assert.Equal(t, []parameter{{"Action", "SessionCreate"}, {"Username", user}, {"Password", "******"}}, doc.Context.Request.Parameters)
}

func TestAddUser(t *testing.T) {
	s := newServer(t)
	ids := map[string]bool{}
	for i := range 5 {
		id := s.AddUser(onsiptest.User{Username: fmt.Sprintf("user%d@example.onsip.com", i), Password: password})
		assert.Regexp(t, `^[1-9][0-9]*$`, id)
		ids[id] = true
	}
	assert.Len(t, ids, 5, "user IDs are unique")

	// Adding a username again changes its password and roles, not its ID.
	id := s.AddUser(onsiptest.User{Username: user, Password: "old"})
	open := login(t, s, user, "old").Context.Session.SessionID
	assert.Equal(t, id, s.AddUser(onsiptest.User{Username: user, Password: "new", Roles: []string{"Standard User"}}))
	assert.Equal(t, "false", login(t, s, user, "old").Context.Session.IsEstablished)
	doc := login(t, s, user, "new")
	assert.Equal(t, id, doc.Context.Session.UserID)
	assert.Equal(t, []string{"Standard User"}, doc.Context.Session.Roles)
	doc = post(t, s.URL, url.Values{"Action": {"UserRead"}, "SessionId": {open}})
	assert.Equal(t, []string{"Standard User"}, doc.Context.Session.Roles, "open sessions see the new roles")
}

func TestTLS(t *testing.T) {
	s := onsiptest.NewTLSServer()
	defer s.Close()
	s.AddUser(onsiptest.User{Username: user, Password: password})
	require.True(t, strings.HasPrefix(s.URL, "https://127.0.0.1:"), s.URL)
	require.True(t, strings.HasSuffix(s.URL, "/api"), s.URL)
	require.NotNil(t, s.Certificate())

	_, err := http.PostForm(s.URL, url.Values{"Action": {"SessionCreate"}})
	require.Error(t, err, "the default client does not trust the test certificate")

	resp, err := s.Client().PostForm(s.URL, url.Values{"Action": {"SessionCreate"}, "Username": {user}, "Password": {password}})
	require.NoError(t, err)
	assert.Equal(t, "true", decode(t, resp).Context.Session.IsEstablished)
}

func TestPlainServer(t *testing.T) {
	s := newServer(t)
	assert.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"), s.URL)
	assert.True(t, strings.HasSuffix(s.URL, "/api"), s.URL)
	assert.Nil(t, s.Certificate())
	s.Close() // a second Close, after the Cleanup one, is harmless
}

func TestConcurrentUse(t *testing.T) {
	s := newServer(t)
	const n = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]bool{}
	for i := range n {
		wg.Go(func() {
			username := fmt.Sprintf("user%d@example.onsip.com", i%4)
			s.AddUser(onsiptest.User{Username: username, Password: password})
			doc := login(t, s, username, password)
			id := doc.Context.Session.SessionID
			mu.Lock()
			seen[id] = true
			mu.Unlock()
			doc = post(t, s.URL, url.Values{"Action": {"UserRead"}, "SessionId": {id}})
			assert.Equal(t, "true", doc.Context.Action.IsCompleted)
			_ = s.Requests() + s.ActiveSessions() + s.Calls("UserRead")
			doc = post(t, s.URL, url.Values{"Action": {"SessionDestroy"}, "SessionId": {id}})
			assert.Equal(t, "true", doc.Context.Action.IsCompleted)
		})
	}
	wg.Wait()
	assert.Len(t, seen, n, "session IDs are unique")
	assert.Equal(t, n, s.Logins())
	assert.Equal(t, n, s.Logouts())
	assert.Equal(t, n, s.Calls("UserRead"))
	assert.Equal(t, 3*n, s.Requests())
	assert.Zero(t, s.ActiveSessions())
}
