package onsip_test

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
	"github.com/pbxauth/pbxauth/providers/onsip"
)

// benchSessionID is the session the vendor-shaped server hands out.
const benchSessionID = "h68kucpnejdv2jm3bq2cmhikp5"

// userReadXML is an answer shaped like OnSIP's to Action=UserRead: the
// whole Context with the echoed parameters and the Session, then a Result
// with one user, about 950 bytes in all, laid out as the vendor's sample
// documents are.
const userReadXML = `<Response xmlns="http://www.jnctn.net/ns/rest/2006-01">
  <Context>
    <Action>
      <IsCompleted>true</IsCompleted>
    </Action>
    <Request>
      <IsValid>true</IsValid>
      <DateTime>2014-04-18T17:22:43+00:00</DateTime>
      <Duration>21</Duration>
      <Parameters>
        <Parameter>
          <Name>Action</Name>
          <Value>UserRead</Value>
        </Parameter>
        <Parameter>
          <Name>SessionId</Name>
          <Value>` + benchSessionID + `</Value>
        </Parameter>
      </Parameters>
    </Request>
    <Session>
      <IsEstablished>true</IsEstablished>
      <SessionId>` + benchSessionID + `</SessionId>
      <UserId>152255</UserId>
      <Roles>
        <Role>
          <Name>Account Admin</Name>
        </Role>
      </Roles>
    </Session>
  </Context>
  <Result>
    <UserRead>
      <User>
        <UserId>152255</UserId>
        <Domain>example.onsip.com</Domain>
      </User>
    </UserRead>
  </Result>
</Response>
`

// userReadJSON is the same answer as OnSIP gives it for Output=json.
const userReadJSON = `{"Response":{"Context":{"Action":{"IsCompleted":"true"},"Request":{"IsValid":"true",` +
	`"DateTime":"2014-04-18T17:22:43+00:00","Duration":"21","Parameters":{"Parameter":[` +
	`{"Name":"Action","Value":"UserRead"},{"Name":"Output","Value":"json"},{"Name":"SessionId","Value":"` + benchSessionID + `"}]}},` +
	`"Session":{"IsEstablished":"true","SessionId":"` + benchSessionID + `","UserId":"152255",` +
	`"Roles":{"Role":{"Name":"Account Admin"}}}},"Result":{"UserRead":{"User":{"UserId":"152255",` +
	`"OrganizationId":"30147","AccountId":"28451","Domain":"example.onsip.com","Username":"john.doe",` +
	`"Status":"enabled","Contact":{"Name":"John Doe","Email":"john.doe@example.com","Phone":"+1-212-555-0100"},` +
	`"Modified":"2014-04-01T09:12:00+00:00"}}}}}`

// benchLoginXML is the vendor's sample answer to SessionCreate.
const benchLoginXML = `<Response xmlns="http://www.jnctn.net/ns/rest/2006-01"><Context><Action><IsCompleted>true</IsCompleted>` +
	`</Action><Request><IsValid>true</IsValid></Request><Session><IsEstablished>true</IsEstablished>` +
	`<SessionId>` + benchSessionID + `</SessionId><UserId>152255</UserId><Roles><Role><Name>Account Admin</Name>` +
	`</Role></Roles></Session></Context><Result><SessionCreate/></Result></Response>`

// vendorServer answers as OnSIP does, with as little work of its own as it
// can, so that the client's share of the time shows: SessionCreate gets a
// session, any other action carrying the session gets the vendor-shaped
// UserRead answer (JSON for Output=json), and anything else is a refusal.
func vendorServer(tb testing.TB) *httptest.Server {
	session := []byte("SessionId=" + benchSessionID)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		var answer string
		contentType := "text/xml; charset=utf-8"
		switch {
		case bytes.HasPrefix(body, []byte("Action=SessionCreate&")):
			answer = benchLoginXML
		case !bytes.Contains(body, session):
			answer = sessionRefused
		case bytes.Contains(body, []byte("Output=json")):
			answer, contentType = userReadJSON, "application/json"
		default:
			answer = userReadXML
		}
		w.Header()["Content-Type"] = []string{contentType}
		_, _ = io.WriteString(w, answer)
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

// clientModes are the calls BenchmarkClient makes: a form POST of
// UserRead, answered in XML, and the same asking for JSON.
var clientModes = []struct {
	name string
	form string // the call without its session
}{
	{"UserRead", "Action=UserRead"},
	{"UserRead-json", "Action=UserRead&Output=json"},
}

// BenchmarkClient compares an OnSIP call through auth.NewClient (the held
// session, the request's clone, Authorize, the retrying transport, Refused
// on a vendor-shaped answer) with the same request authorized by hand and
// sent on the same transport, in the same run. Between the two,
// Authorize+Refused is the provider's share alone: NewClient's work less
// the clone and the retrying transport. All read the whole answer. Beside
// the time on the clock each reports the process's CPU time (client and
// server alike) per call, which a shared machine moves far less.
func BenchmarkClient(b *testing.B) {
	for _, mode := range clientModes {
		b.Run(mode.name, func(b *testing.B) { benchkit.EachWay(b, clientWays(b, mode.form)...) })
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
			ways := clientWays(b, mode.form)
			benchkit.Paired(b, append(ways, benchkit.Way{Name: "by-hand-again", Do: ways[0].Do})...)
		})
	}
}

// clientWays starts a vendor-shaped server and returns the three ways
// to post form to it with a session: by hand first, then
// Authorize+Refused, then NewClient. All share one transport.
func clientWays(b *testing.B, form string) []benchkit.Way {
	srv := vendorServer(b)
	client := benchClient(b)
	newAuthenticator := func() (*onsip.Authenticator, *auth.Session) {
		a, err := onsip.New(auth.Config{Endpoint: srv.URL, HTTPClient: client,
			Credentials: auth.Credentials{Username: user, Password: password}})
		if err != nil {
			b.Fatal(err)
		}
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
	return []benchkit.Way{
		{Name: "by-hand", Do: poster(client, srv.URL, form+"&SessionId="+benchSessionID)},
		{Name: "Authorize+Refused", Do: poster(viaProvider, srv.URL, form)},
		{Name: "NewClient", Do: poster(viaNewClient, srv.URL, form)},
	}
}

// poster returns a call that posts form to url through c, reads the answer
// to its end, and fails b on any answer that is not the user.
func poster(c *http.Client, url, form string) func(b *testing.B) {
	want := []byte("<UserId>152255</UserId>")
	if strings.Contains(form, "Output=json") {
		want = []byte(`"UserId":"152255"`)
	}
	var buf bytes.Buffer
	return func(b *testing.B) {
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(form))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		_, err = buf.ReadFrom(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(buf.Bytes(), want) {
			b.Fatalf("HTTP %d, %d bytes, error %v", resp.StatusCode, buf.Len(), err)
		}
	}
}

// canned answers every request with one vendor-shaped document, in
// memory: no network, so what remains is what NewClient adds.
type canned struct{ answer []byte }

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"text/xml"}},
		ContentLength: int64(len(c.answer)), Body: io.NopCloser(bytes.NewReader(c.answer)), Request: r}, nil
}

// BenchmarkClientOverhead measures NewClient's own cost per call, by hand
// and through NewClient over a transport that answers from memory: the
// nanoseconds and allocations pbxauth adds to every API call (session,
// shallow copy, Authorize, retry bookkeeping, Refused), free of the
// network's noise.
func BenchmarkClientOverhead(b *testing.B) {
	srv := vendorServer(b)
	a, err := onsip.New(auth.Config{Endpoint: srv.URL, HTTPClient: benchClient(b),
		Credentials: auth.Credentials{Username: user, Password: password}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Session(context.Background()); err != nil {
		b.Fatal(err)
	}
	base := canned{answer: []byte(userReadXML)}
	viaNewClient, err := auth.NewClient(a, &http.Client{Transport: base})
	if err != nil {
		b.Fatal(err)
	}
	benchkit.EachWay(b,
		benchkit.Way{Name: "by-hand", Do: poster(&http.Client{Transport: base}, srv.URL, "Action=UserRead&SessionId="+benchSessionID)},
		benchkit.Way{Name: "NewClient", Do: poster(viaNewClient, srv.URL, "Action=UserRead")},
	)
}
