package ipcortex_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

// recorder is a RoundTripper that notes how each request went out.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	sent []sent
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
		req.Body = io.NopCloser(strings.NewReader(string(body)))
	}
	r.mu.Lock()
	r.sent = append(r.sent, sent{req.Method, req.URL.Path, req.Header.Clone(), string(body)})
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// TestClientAgainstFakePBX calls the fake PBX's API through auth.NewClient
// in each mode, and checks where the credentials went.
func TestClientAgainstFakePBX(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  bool
		opts []ipcortex.Option
		// where the credentials go on a POST with a JSON body and on a GET
		post, get string
	}{
		{name: "password", post: "cookie", get: "cookie"},
		{name: "key in body", key: true, post: "body", get: "header"},
		{name: "key in header", key: true, opts: []ipcortex.Option{ipcortex.KeyInHeader()}, post: "header", get: "header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			cfg := passwordConfig(srv.URL)
			if tc.key {
				cfg = keyConfig(srv.URL)
			}
			a := mustNew(t, cfg, tc.opts...)
			rec := &recorder{next: srv.Client().Transport}
			c, err := auth.NewClient(a, &http.Client{Transport: rec})
			require.NoError(t, err)

			for _, method := range []string{http.MethodPost, http.MethodGet} {
				var body io.Reader
				if method == http.MethodPost {
					body = strings.NewReader(`{"filter":"all"}`)
				}
				req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+"/rest/call/list", body)
				require.NoError(t, err)
				resp, err := c.Do(req)
				require.NoError(t, err)
				var doc struct {
					Result string
					Data   struct{ User string }
				}
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
				require.NoError(t, resp.Body.Close())
				assert.Equal(t, "success", doc.Result, method)
				assert.Equal(t, aliceLogin, doc.Data.User, method)
			}
			require.Len(t, rec.sent, 2)
			assert.Equal(t, tc.post, where(rec.sent[0]), "POST")
			assert.Equal(t, tc.get, where(rec.sent[1]), "GET")
			if tc.post == "body" {
				assertSecretJSON(t, "the POST body", `{"filter":"all","auth":{"type":"auth","key":"`+aliceKey+`"}}`, rec.sent[0].body)
			}
		})
	}
}

// where says how a request carried its credentials.
func where(s sent) string {
	var places []string
	if strings.Contains(s.header.Get("Cookie"), ipcortex.CookieName+"=") {
		places = append(places, "cookie")
	}
	if s.header.Get("Authorization") == "token auth="+aliceKey {
		places = append(places, "header")
	}
	if strings.Contains(s.body, aliceKey) {
		places = append(places, "body")
	}
	return strings.Join(places, "+")
}

// TestClientReloginAfterExpiry is the sample of docs/providers/ipcortex.md.
func TestClientReloginAfterExpiry(t *testing.T) {
	srv := ipcortextest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddUser(ipcortextest.User{ID: 123, Login: "jdoe", Password: "pw",
		Perms: map[string]string{"calls": "company"}})

	a, err := ipcortex.New(auth.Config{
		Endpoint:    srv.URL,
		Credentials: auth.Credentials{Username: "jdoe", Password: "pw"},
	})
	require.NoError(t, err)

	// The first try gets a 503 and is retried; the retry gets an HTML page.
	srv.FailNext(1, http.StatusServiceUnavailable)
	srv.GarbageNext(1)
	_, err = a.Login(context.Background())
	require.ErrorIs(t, err, auth.ErrProtocol)
	require.Equal(t, 2, srv.Logins())

	// Healthy again: your code signs in.
	_, err = a.Session(context.Background())
	require.NoError(t, err)

	// The session expires at the PBX: the client logs in again, once.
	client, err := auth.NewClient(a, srv.Client())
	require.NoError(t, err)
	srv.ForgetSessions()
	resp, err := client.Post(srv.URL+"/rest/call/list", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 4, srv.Logins())
}
