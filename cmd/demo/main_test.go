package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// recordSecrets makes the demo's secrets and sessions known to the test.
func recordSecrets(t *testing.T) func() []string {
	var (
		mu      sync.Mutex
		secrets []string
	)
	oldSecret, oldSeen := newSecret, sessionSeen
	t.Cleanup(func() { newSecret, sessionSeen = oldSecret, oldSeen })
	newSecret = func() string {
		s := oldSecret()
		mu.Lock()
		defer mu.Unlock()
		secrets = append(secrets, s)
		return s
	}
	sessionSeen = func(s *auth.Session) {
		mu.Lock()
		defer mu.Unlock()
		secrets = append(secrets, s.ID.Reveal())
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return secrets
	}
}

func noEnv(string) string { return "" }

// assertNoSecret fails t if text holds a secret, naming neither.
func assertNoSecret(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("the demo's output holds secret #%d", i)
		}
	}
}

func TestBuiltinDemo(t *testing.T) {
	for _, args := range [][]string{nil, {"-v"}, {"-json"}, {"-json", "-v"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			secrets := recordSecrets(t)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, noEnv)
			require.Equal(t, exitOK, code, "stderr: %s", stderr.String())
			out := stdout.String() + stderr.String()
			for _, target := range []string{"onsip", "ipcortex", "ipcortex (API key)"} {
				assert.Contains(t, stdout.String(), target)
			}
			for _, step := range []string{"login", "session (from the cache)", "authenticated API call",
				"server forgets every session", "API call after the server forgot", "logged in again by itself", "logout"} {
				assert.Contains(t, stdout.String(), step)
			}
			got := secrets()
			require.GreaterOrEqual(t, len(got), 6, "passwords, keys and sessions recorded")
			assertNoSecret(t, out, got...)
			if !strings.Contains(strings.Join(args, " "), "-json") {
				assert.Contains(t, stdout.String(), auth.Redacted)
				return
			}
			for line := range strings.Lines(stdout.String()) {
				var s step
				require.NoError(t, json.Unmarshal([]byte(line), &s))
			}
		})
	}
}

func TestBuiltinDemoCountsRequests(t *testing.T) {
	var stdout bytes.Buffer
	require.Equal(t, exitOK, run(context.Background(), []string{"-json"}, nil, &stdout, &bytes.Buffer{}, noEnv))
	reqs := map[string]int64{}
	for line := range strings.Lines(stdout.String()) {
		var s step
		require.NoError(t, json.Unmarshal([]byte(line), &s))
		if s.Provider == "onsip" {
			reqs[s.Step] = s.Requests
		}
	}
	assert.Equal(t, map[string]int64{
		"login":                            1,
		"session (from the cache)":         0,
		"authenticated API call":           1,
		"server forgets every session":     0,
		"API call after the server forgot": 3, // refused, login, replay
		"logout":                           1,
	}, reqs)
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"extra"},
		{"-provider", "avaya"},
		{"-provider", "onsip"},
		{"-username", "x"},
		{"-provider", "ipcortex", "-username", "x"},
		{"-provider", "onsip", "-username", "x", "-api-key"},
		{"-nope"},
		{"-timeout", "0s"},
	} {
		var stderr bytes.Buffer
		assert.Equal(t, exitUsage, run(context.Background(), args, nil, &bytes.Buffer{}, &stderr, noEnv), "%v", args)
		assert.NotEmpty(t, stderr.String())
	}
	var stderr bytes.Buffer
	assert.Equal(t, exitOK, run(context.Background(), []string{"-h"}, nil, &bytes.Buffer{}, &stderr, noEnv))
	assert.Contains(t, stderr.String(), passwordEnv)
}

func TestRealNeedsASecret(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-provider", "onsip", "-username", "u@example.onsip.com"},
		strings.NewReader("typed\n"), &bytes.Buffer{}, &stderr, noEnv)
	assert.Equal(t, exitUsage, code, "no terminal and no environment: refuse rather than read an echoed secret")
}

func TestRealRefusedExitsOne(t *testing.T) {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "u@example.onsip.com", Password: "right-password"})
	env := func(k string) string {
		if k == passwordEnv {
			return "wrong-password"
		}
		return ""
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-provider", "onsip", "-endpoint", srv.URL, "-username", "u@example.onsip.com", "-v"},
		nil, &stdout, &stderr, env)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stdout.String(), "invalid credentials")
	assertNoSecret(t, stdout.String()+stderr.String(), "wrong-password")
}

func TestRealSignsIn(t *testing.T) {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddAPIKey("k-123456789", "jane")
	srv.AddUser(ipcortextest.User{ID: 7, Login: "jane", Password: "pw-123456789"})
	for _, args := range [][]string{
		{"-provider", "ipcortex", "-endpoint", srv.URL, "-username", "jane"},
		{"-provider", "ipcortex", "-endpoint", srv.URL, "-api-key"},
		{"-provider", "ipcortex", "-endpoint", srv.URL, "-api-key", "-key-in-header"},
	} {
		env := func(k string) string {
			return map[string]string{passwordEnv: "pw-123456789", apiKeyEnv: "k-123456789"}[k]
		}
		var stdout, stderr bytes.Buffer
		require.Equal(t, exitOK, run(context.Background(), append(args, "-v"), nil, &stdout, &stderr, env), "%v: %s", args, stdout.String())
		out := stdout.String() + stderr.String()
		assertNoSecret(t, out, "pw-123456789", "k-123456789")
		assert.Contains(t, stdout.String(), "logout")
	}
}
