package onsip_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/benchkit"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// BenchmarkLogin measures a login against onsiptest over loopback, through
// the provider and written by hand, both keeping the account at one live
// session as pbxauth does: each login after the first also ends the
// session it replaces with a SessionDestroy. By hand that is a form POST,
// io.ReadAll and xml.Unmarshal of the answer, then the same for the
// SessionDestroy of the previous session. Each way gets its own server and
// a transport of the same settings, so neither inherits the other's
// sessions or connections. "paired" takes turns between the two
// (benchkit.Paired) and reports pbxauth's time over the hand-written
// one's, which holds where the absolute figures drift.
func BenchmarkLogin(b *testing.B) {
	viaPbxauth, byHand := pbxauthLogin(b), handwrittenLogin(b)
	benchkit.EachWay(b, viaPbxauth, byHand)
	b.Run("paired", func(b *testing.B) {
		// By hand first: the ratio is pbxauth's time over the hand-written.
		benchkit.Paired(b, benchkit.Way{Name: "by-hand", Do: byHand.Do}, viaPbxauth)
	})
}

// pbxauthLogin returns a login through the provider against a server of
// its own, whose account is checked to hold one live session once b is
// done.
func pbxauthLogin(b *testing.B) benchkit.Way {
	srv, client := benchServer(b)
	a, err := onsip.New(auth.Config{
		Endpoint:    srv.URL,
		Credentials: auth.Credentials{Username: user, Password: password},
		HTTPClient:  client,
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	login := func(b *testing.B) {
		if _, err := a.Login(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { checkOneLiveSession(b, srv) })
	return benchkit.Way{Name: "pbxauth", Do: login}
}

// handwrittenLogin returns the least code that logs in and keeps one live
// session, against a server of its own, checked the same way.
func handwrittenLogin(b *testing.B) benchkit.Way {
	srv, client := benchServer(b)
	create := "Action=SessionCreate&Username=" + url.QueryEscape(user) + "&Password=" + url.QueryEscape(password)
	var held string
	login := func(b *testing.B) {
		var created struct {
			Session struct {
				IsEstablished bool
				SessionID     string   `xml:"SessionId"`
				UserID        string   `xml:"UserId"`
				Roles         []string `xml:"Roles>Role>Name"`
			} `xml:"Context>Session"`
		}
		handwrittenPost(b, client, srv.URL, create, &created)
		if !created.Session.IsEstablished || created.Session.SessionID == "" {
			b.Fatal("no session")
		}
		if held != "" {
			var destroyed struct {
				IsEstablished bool `xml:"Context>Session>IsEstablished"`
			}
			handwrittenPost(b, client, srv.URL, "Action=SessionDestroy&SessionId="+url.QueryEscape(held), &destroyed)
			if destroyed.IsEstablished {
				b.Fatal("session still established")
			}
		}
		held = created.Session.SessionID
	}
	b.Cleanup(func() { checkOneLiveSession(b, srv) })
	return benchkit.Way{Name: "handwritten", Do: login}
}

// handwrittenPost is the least code that sends an OnSIP action: post the
// form, read the answer, decode it into doc.
func handwrittenPost(b *testing.B, client *http.Client, endpoint, form string, doc any) {
	resp, err := client.Post(endpoint, "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	if err := xml.Unmarshal(body, doc); err != nil {
		b.Fatal(err)
	}
}

// checkOneLiveSession fails b unless both ways did the same work: one
// SessionDestroy per login but the first, leaving one live session.
func checkOneLiveSession(b *testing.B, srv *onsiptest.Server) {
	b.Helper()
	if logins, logouts := srv.Calls("SessionCreate"), srv.Logouts(); logouts != logins-1 {
		b.Fatalf("%d logins and %d logouts: the account does not keep one live session", logins, logouts)
	}
}

// benchServer starts a fake OnSIP with the test account, and returns it
// with benchClient's client.
func benchServer(b *testing.B) (*onsiptest.Server, *http.Client) {
	srv := onsiptest.NewServer()
	b.Cleanup(srv.Close)
	srv.AddUser(onsiptest.User{Username: user, Password: password})
	return srv, benchClient(b)
}
