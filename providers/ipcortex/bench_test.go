package ipcortex_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/benchkit"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

// BenchmarkLogin measures a password login against ipcortextest over
// loopback, through the provider and written by hand, both keeping the
// account at one live session as pbxauth does: each login after the first
// carries the Red60urne cookie of the session it holds, which the PBX
// renews in place. By hand that is http.Post of the same JSON, io.ReadAll,
// and json.Unmarshal of the fields pbxauth reads into its Session (the
// user's id, login, name, company, home, session and permissions). Each
// way gets its own server and a transport of the same settings, so neither
// inherits the other's sessions or connections. "paired" takes turns
// between the two in one loop and reports pbxauth's time over the
// hand-written one's: a noisy machine slows both alike, so the ratio holds
// where the absolute figures do not.
func BenchmarkLogin(b *testing.B) {
	viaPbxauth, byHand := pbxauthLogin(b), handwrittenLogin(b)
	benchkit.EachWay(b, viaPbxauth, byHand)
	b.Run("paired", func(b *testing.B) {
		// By hand first: the ratio is pbxauth's time over the hand-written.
		benchkit.Paired(b, benchkit.Way{Name: "by-hand", Do: byHand.Do}, viaPbxauth)
	})
}

// pbxauthLogin returns a login through the provider, with the retry
// defaults a user gets, against a server of its own, whose account is
// checked to hold one live session once b is done.
func pbxauthLogin(b *testing.B) benchkit.Way {
	srv, client := benchServer(b)
	cfg := passwordConfig(srv.URL)
	cfg.Retry = auth.RetryPolicy{}
	cfg.HTTPClient = client
	a, err := ipcortex.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	login := func(b *testing.B) {
		if s, err := a.Login(ctx); err != nil || s.ID == "" {
			b.Fatalf("login failed: %v", err)
		}
	}
	b.Cleanup(func() { checkOneLiveSession(b, srv) })
	return benchkit.Way{Name: "pbxauth", Do: login}
}

// handwrittenLogin returns the least code that logs in, reads what pbxauth
// reads, and keeps one live session, against a server of its own, checked
// the same way.
func handwrittenLogin(b *testing.B) benchkit.Way {
	srv, client := benchServer(b)
	body, err := json.Marshal(map[string]any{"auth": map[string]string{
		"type": "auth", "username": aliceLogin, "password": alicePassword}})
	if err != nil {
		b.Fatal(err)
	}
	var held string
	login := func(b *testing.B) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/rest/auth/", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if held != "" {
			req.AddCookie(&http.Cookie{Name: "Red60urne", Value: held})
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		var doc struct {
			Result string `json:"result"`
			User   struct {
				ID      json.Number       `json:"id"`
				Login   string            `json:"login"`
				Name    string            `json:"name"`
				Company string            `json:"company"`
				Home    string            `json:"home"`
				Session string            `json:"session"`
				Perms   map[string]string `json:"perms"`
			} `json:"user"`
		}
		if err := json.Unmarshal(data, &doc); err != nil || doc.Result != "success" || doc.User.Session == "" {
			b.Fatalf("login failed: %v", err)
		}
		held = doc.User.Session
	}
	b.Cleanup(func() { checkOneLiveSession(b, srv) })
	return benchkit.Way{Name: "handwritten", Do: login}
}

// benchServer starts a fake PBX with alice, and returns it with
// benchClient's client.
func benchServer(b *testing.B) (*ipcortextest.Server, *http.Client) {
	return newServer(b), benchClient(b)
}

// checkOneLiveSession fails b unless the account ended with one live
// session: every login after the first renewed it in place.
func checkOneLiveSession(b *testing.B, srv *ipcortextest.Server) {
	b.Helper()
	if n := srv.ActiveSessions(); n != 1 {
		b.Fatalf("%d live sessions after the run: the account does not keep one", n)
	}
}
