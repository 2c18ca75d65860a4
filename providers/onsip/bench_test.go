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
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// BenchmarkLogin measures a login against onsiptest over loopback, through
// the provider and written by hand: a form POST, io.ReadAll and
// xml.Unmarshal of the answer. Each gets a fresh server and a transport of
// the same settings, so neither inherits the other's sessions or
// connections.
func BenchmarkLogin(b *testing.B) {
	b.Run("pbxauth", func(b *testing.B) {
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
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Login(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("handwritten", func(b *testing.B) {
		srv, client := benchServer(b)
		form := "Action=SessionCreate&Username=" + url.QueryEscape(user) + "&Password=" + url.QueryEscape(password)
		b.ReportAllocs()
		for b.Loop() {
			resp, err := client.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader(form))
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			var doc struct {
				Session struct {
					IsEstablished bool
					SessionID     string   `xml:"SessionId"`
					UserID        string   `xml:"UserId"`
					Roles         []string `xml:"Roles>Role>Name"`
				} `xml:"Context>Session"`
			}
			if err := xml.Unmarshal(body, &doc); err != nil || !doc.Session.IsEstablished || doc.Session.SessionID == "" {
				b.Fatal("no session")
			}
		}
	})
}

// benchServer starts a fake OnSIP with the test account, and a client with
// a transport of http.DefaultTransport's settings.
func benchServer(b *testing.B) (*onsiptest.Server, *http.Client) {
	srv := onsiptest.NewServer()
	b.Cleanup(srv.Close)
	srv.AddUser(onsiptest.User{Username: user, Password: password})
	transport := http.DefaultTransport.(*http.Transport).Clone()
	b.Cleanup(transport.CloseIdleConnections)
	return srv, &http.Client{Transport: transport}
}
