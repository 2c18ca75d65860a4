package ipcortex_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/benchkit"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
)

// benchSession is the session the vendor-shaped server hands out.
const benchSession = "5f0c2b7e9a41d3386e1f0a9b7c2d4e61"

// loginUser is the "user" object of the login answer, as the vendor's page
// shows it.
const loginUser = `{"id":123,"login":"alice","name":"Alice Smith","company":"acme","home":"acme",` +
	`"session":"` + benchSession + `","perms":{"calls":"company","admin":"yes"}}`

// benchUser is the "user" object of the API answers: the fields the
// vendor's page shows, with a realistic list of permissions.
const benchUser = `{"id":123,"login":"alice","name":"Alice Smith","company":"acme","home":"acme",` +
	`"session":"` + benchSession + `","perms":{"admin":"company","calls":"company","callhistory":"company",` +
	`"contacts":"yes","voicemail":"yes","recordings":"company","queues":"company","hunt":"company",` +
	`"parking":"yes","presence":"yes","chat":"yes","fax":"yes","conference":"company","directory":"yes",` +
	`"devices":"company","lines":"company","phonebook":"yes","speeddials":"yes","reports":"company",` +
	`"billing":"company","provisioning":"company","firmware":"company","backups":"company",` +
	`"routes":"company","trunks":"company","dialplan":"company","ivr":"company","schedules":"company",` +
	`"sms":"yes","webrtc":"yes","softphone":"yes","mobile":"yes","wallboard":"company","agents":"company",` +
	`"callback":"yes","pickup":"yes"}}`

// apiAnswer is the answer to an API call, shaped like the vendor's
// {"result":"success","user":{...}} documents: about 900 bytes.
const apiAnswer = `{"result":"success","user":` + benchUser + `,"data":{"path":"/rest/call/list","calls":[]}}`

// apiCall is the body of the benchmarked API call.
const apiCall = `{"filter":{"state":"up","direction":"inbound"},"limit":50,"offset":0}`

// vendorServer answers as IPCortex does, with as little work of its own as
// it can, so the client's share of the time shows: /rest/auth/ logs in
// (the cookie with a password, none with a key), any other path answers
// apiAnswer to a request carrying the session cookie or the key, and
// "fail" to anything else.
func vendorServer(tb testing.TB) *httptest.Server {
	cookie := ipcortex.CookieName + "=" + benchSession
	key := []byte(`"key":"` + aliceKey + `"`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		w.Header()["Content-Type"] = []string{"application/json"}
		switch {
		case r.URL.Path == "/rest/auth/" && bytes.Contains(body, []byte(`"password":"`+alicePassword+`"`)):
			w.Header()["Set-Cookie"] = []string{cookie + "; Path=/; HttpOnly"}
			_, _ = io.WriteString(w, `{"result":"success","user":`+loginUser+`}`)
		case r.URL.Path == "/rest/auth/" && bytes.Contains(body, key):
			_, _ = io.WriteString(w, `{"result":"success","user":`+strings.Replace(loginUser, benchSession, "", 1)+`}`)
		case strings.Contains(r.Header.Get("Cookie"), cookie) || bytes.Contains(body, key):
			_, _ = io.WriteString(w, apiAnswer)
		default:
			_, _ = io.WriteString(w, `{"result":"fail","message":"authentication required"}`)
		}
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// benchClient is a client on a transport of http.DefaultTransport's
// settings, closed with tb.
func benchClient(tb testing.TB) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// clientModes are the ways BenchmarkClient authorizes its call: a
// password session (the Red60urne cookie) and an API key in the JSON body,
// each with what a hand-written client does for it.
var clientModes = []struct {
	name   string
	creds  auth.Credentials
	byHand func(req *http.Request) // what a hand-written client adds
	body   string                  // the body a hand-written client sends
}{
	{"cookie", auth.Credentials{Username: aliceLogin, Password: alicePassword},
		func(req *http.Request) { req.Header.Set("Cookie", ipcortex.CookieName+"="+benchSession) }, apiCall},
	{"key-in-body", auth.Credentials{APIKey: aliceKey}, func(*http.Request) {},
		`{"auth":{"type":"auth","key":"` + aliceKey + `"},` + apiCall[1:]},
}

// BenchmarkClient compares an IPCortex API call through auth.NewClient
// (the held session, the request's clone, Authorize, the retrying
// transport, Refused on a vendor-shaped answer) with the same request
// authorized by hand and sent on the same transport, in the same run.
// Between the two, Authorize+Refused is the provider's share alone:
// NewClient's work less the clone and the retrying transport. All read the
// whole answer. Beside the time on the clock each reports the process's
// CPU time (client and server alike) per call, which a shared machine
// moves far less.
func BenchmarkClient(b *testing.B) {
	for _, mode := range clientModes {
		b.Run(mode.name, func(b *testing.B) { benchkit.EachWay(b, clientWays(b, mode.creds, mode.byHand, mode.body)...) })
	}
}

// BenchmarkClientPaired makes BenchmarkClient's calls taking turns, call by
// call, in a rotating order, so that a machine whose speed changes during
// the run slows them all alike, and reports the time of Authorize+Refused
// and of NewClient against by hand's: "x-by-hand" ratios. The by-hand call
// runs twice per turn: "by-hand-again-x-by-hand" is the method's own noise,
// the spread two identical calls show, against which the others are read.
func BenchmarkClientPaired(b *testing.B) {
	for _, mode := range clientModes {
		b.Run(mode.name, func(b *testing.B) {
			ways := clientWays(b, mode.creds, mode.byHand, mode.body)
			benchkit.Paired(b, append(ways, benchkit.Way{Name: "by-hand-again", Do: ways[0].Do})...)
		})
	}
}

// clientWays starts a vendor-shaped server and returns the three ways
// to make the API call to it: by hand (byHand on a request with body
// byHandBody), then Authorize+Refused, then NewClient, both of these with
// creds. All share one transport.
func clientWays(b *testing.B, creds auth.Credentials, byHand func(*http.Request), byHandBody string) []benchkit.Way {
	srv := vendorServer(b)
	client := benchClient(b)
	url := srv.URL + "/rest/call/list"
	newAuthenticator := func() (*ipcortex.Authenticator, *auth.Session) {
		a := mustNew(b, auth.Config{Endpoint: srv.URL, HTTPClient: client, Credentials: creds})
		s, err := a.Session(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		return a, s
	}
	a, s := newAuthenticator()
	viaProvider := &http.Client{Transport: benchkit.ProviderOnly{Provider: a, Session: s, Next: client.Transport}}
	a, _ = newAuthenticator()
	viaNewClient, err := auth.NewClient(a, client)
	if err != nil {
		b.Fatal(err)
	}
	none := func(*http.Request) {}
	return []benchkit.Way{
		{Name: "by-hand", Do: poster(client, url, byHandBody, byHand)},
		{Name: "Authorize+Refused", Do: poster(viaProvider, url, apiCall, none)},
		{Name: "NewClient", Do: poster(viaNewClient, url, apiCall, none)},
	}
}

// poster returns a call that posts body to url through c, after
// authorize, reads the answer to its end, and fails b on any answer that
// is not a success.
func poster(c *http.Client, url, body string, authorize func(*http.Request)) func(b *testing.B) {
	want := []byte(`{"result":"success"`)
	var buf bytes.Buffer
	return func(b *testing.B) {
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		authorize(req)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		_, err = buf.ReadFrom(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !bytes.HasPrefix(buf.Bytes(), want) {
			b.Fatalf("HTTP %d, %d bytes, error %v", resp.StatusCode, buf.Len(), err)
		}
	}
}
