package ipcortex_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
)

// BenchmarkLogin compares a password login through the provider with the
// least a hand-written client does for the same login: http.Post of the
// same JSON, io.ReadAll, json.Unmarshal into a minimal struct. Both run
// against the same fake PBX over loopback, each with a fresh transport of
// the same settings, from the same start: both code paths warmed up, no
// sessions held by the server, and a collected heap. (Without the warm-up
// the first to run pays the process's start and looks a few percent
// slower.)
func BenchmarkLogin(b *testing.B) {
	srv := newServer(b)
	body, err := json.Marshal(map[string]any{"auth": map[string]string{
		"type": "auth", "username": aliceLogin, "password": alicePassword}})
	if err != nil {
		b.Fatal(err)
	}
	newTransport := func() *http.Transport { return http.DefaultTransport.(*http.Transport).Clone() }
	newAuthenticator := func() *ipcortex.Authenticator {
		cfg := passwordConfig(srv.URL)
		cfg.Retry = auth.RetryPolicy{} // the defaults a user gets
		cfg.HTTPClient = &http.Client{Transport: newTransport()}
		return mustNew(b, cfg)
	}
	ctx := context.Background()

	const warmUp = 1000
	a, client := newAuthenticator(), &http.Client{Transport: newTransport()}
	for range warmUp {
		if _, err := a.Login(ctx); err != nil {
			b.Fatal(err)
		}
		handwrittenLogin(b, client, srv.URL, body)
	}
	sameStart := func() {
		srv.ForgetSessions()
		runtime.GC()
	}

	b.Run("pbxauth", func(b *testing.B) {
		sameStart()
		a := newAuthenticator()
		b.ReportAllocs()
		for b.Loop() {
			s, err := a.Login(ctx)
			if err != nil || s.ID == "" {
				b.Fatalf("login failed: %v", err)
			}
		}
	})

	b.Run("handwritten", func(b *testing.B) {
		sameStart()
		client := &http.Client{Transport: newTransport()}
		b.ReportAllocs()
		for b.Loop() {
			handwrittenLogin(b, client, srv.URL, body)
		}
	})
}

// handwrittenLogin is the least code that logs in: post, read, decode.
func handwrittenLogin(b *testing.B, client *http.Client, endpoint string, body []byte) {
	resp, err := client.Post(endpoint+"/rest/auth/", "application/json", bytes.NewReader(body))
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
			ID      int    `json:"id"`
			Session string `json:"session"`
		} `json:"user"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Result != "success" || doc.User.Session == "" {
		b.Fatalf("login failed: %v", err)
	}
}
