package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
)

// recordSecrets makes the secrets and sessions the demo makes or holds
// known to the test, until restore.
func recordSecrets() (made func() []string, restore func()) {
	var (
		mu      sync.Mutex
		secrets []string
	)
	oldSecret, oldSeen := newSecret, sessionSeen
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
	made = func() []string {
		mu.Lock()
		defer mu.Unlock()
		return secrets
	}
	return made, func() { newSecret, sessionSeen = oldSecret, oldSeen }
}

func noEnv(string) string { return "" }

// envOf returns a getenv that knows vars.
func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// demoRun is what one run of the demo printed and returned.
type demoRun struct {
	code           int
	stdout, stderr string   // each secret replaced by "[secret #i]"
	made           []string // the passwords, keys and sessions the run made or held
}

// runDemo runs the demo and first checks that its output holds no secret:
// none it made or held, none of getenv's password and API key, none of
// also (e.g. a password only the test server knows). It then replaces
// each secret in the output by "[secret #i]", so that no later assertion
// on the output prints one when it fails.
func runDemo(t *testing.T, args []string, getenv func(string) string, also ...string) demoRun {
	t.Helper()
	made, restore := recordSecrets()
	var stdout, stderr lockedBuffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, getenv)
	restore()
	r := demoRun{code: code, stdout: stdout.String(), stderr: stderr.String(), made: made()}
	secrets := append(append(slices.Clone(r.made), getenv(passwordEnv), getenv(apiKeyEnv)), also...)
	r.stdout = hideSecrets(t, "stdout", r.stdout, secrets)
	r.stderr = hideSecrets(t, "stderr", r.stderr, secrets)
	return r
}

// hideSecrets fails t if text, the demo's output stream named name, holds
// one of secrets, and returns text with each replaced by "[secret #i]".
// Its message names the secret by number only.
func hideSecrets(t testing.TB, name, text string, secrets []string) string {
	t.Helper()
	for i, s := range secrets {
		if s == "" || !strings.Contains(text, s) {
			continue
		}
		t.Errorf("the demo's %s holds secret #%d", name, i)
		text = strings.ReplaceAll(text, s, fmt.Sprintf("[secret #%d]", i))
	}
	return text
}

// errorsT is a testing.TB that keeps what Errorf reports.
type errorsT struct {
	testing.TB
	errors []string
}

func (t *errorsT) Helper() {}

func (t *errorsT) Errorf(format string, args ...any) {
	t.errors = append(t.errors, fmt.Sprintf(format, args...))
}

// TestHideSecretsFindsASecret checks the check runDemo makes of every run:
// a check that cannot fail checks nothing.
func TestHideSecretsFindsASecret(t *testing.T) {
	rec := &errorsT{TB: t}
	got := hideSecrets(rec, "stderr", "session s-1 for pw-2, again s-1", []string{"", "pw-2", "s-1", "absent"})
	assert.Equal(t, "session [secret #2] for [secret #1], again [secret #2]", got)
	assert.Equal(t, []string{"the demo's stderr holds secret #1", "the demo's stderr holds secret #2"}, rec.errors)

	clean := &errorsT{TB: t}
	assert.Equal(t, "nothing here", hideSecrets(clean, "stdout", "nothing here", []string{"pw-2"}))
	assert.Empty(t, clean.errors)
}

// lockedBuffer is a bytes.Buffer safe for concurrent use. When a run
// fails, pbxauth may still finish a shared login in the background (it
// goes on for other waiters, within the login deadline) and log it after
// run returned: the test must not race with that write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jsonReport is a JSON run's output, by kind.
type jsonReport struct {
	steps  []step
	fleets []fleetResult
	hooks  []hookCounts
	notes  []string
	errors []string
}

// decode reads the JSON lines of a -json run, failing on a line that is
// not an object of a known kind.
func decode(t *testing.T, stdout string) jsonReport {
	t.Helper()
	var r jsonReport
	for line := range strings.Lines(stdout) {
		var kind struct {
			Kind  string `json:"kind"`
			Text  string `json:"text"`
			Error string `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &kind), "line %q", line)
		switch kind.Kind {
		case "step":
			var s step
			require.NoError(t, json.Unmarshal([]byte(line), &s))
			r.steps = append(r.steps, s)
		case "fleet":
			var f fleetResult
			require.NoError(t, json.Unmarshal([]byte(line), &f))
			r.fleets = append(r.fleets, f)
		case "hooks":
			var h hookCounts
			require.NoError(t, json.Unmarshal([]byte(line), &h))
			r.hooks = append(r.hooks, h)
		case "note":
			r.notes = append(r.notes, kind.Text)
		case "error":
			r.errors = append(r.errors, kind.Error)
		default:
			t.Fatalf("a line of unknown kind %q: %s", kind.Kind, line)
		}
	}
	return r
}

// assertReported checks how an error was reported on stderr: one line
// prefixed "demo: " once, then a line ending with the help hint.
func assertReported(t *testing.T, stderr string, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 2, "stderr: %s", stderr)
	msg, last := lines[len(lines)-2], lines[len(lines)-1]
	assert.True(t, strings.HasPrefix(msg, "demo: "), "message line %q", msg)
	assert.NotContains(t, stderr, "demo: demo:")
	assert.NotContains(t, msg, "usage: ")
	assert.Contains(t, msg, want)
	assert.True(t, strings.HasSuffix(last, helpHint), "last line %q", last)
}

func TestBuiltinDemo(t *testing.T) {
	for _, args := range [][]string{nil, {"-v"}, {"-metrics"}, {"-json"}, {"-json", "-v", "-metrics"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runDemo(t, args, noEnv)
			require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
			for _, target := range []string{"onsip", "ipcortex", "ipcortex (API key)"} {
				assert.Contains(t, r.stdout, target)
			}
			for _, step := range []string{"login", "session (from the cache)", "authenticated API call",
				"server forgets every session", "API call after the server forgot", "logged in again by itself", "logout",
				"3 replicas start at once", "3 replicas call the API at once", "logout (replica 1)"} {
				assert.Contains(t, r.stdout, step)
			}
			require.GreaterOrEqual(t, len(r.made), 6+2*2*3,
				"passwords, keys, and the sessions of the walk and the fleet recorded (and not in the output)")
			if !slices.Contains(args, "-json") {
				assert.Contains(t, r.stdout, auth.Redacted)
				assert.Contains(t, r.stdout, "auth.MemoryStore")
				assert.Equal(t, slices.Contains(args, "-metrics"), strings.Contains(r.stdout, "What auth.Hooks counted"))
				return
			}
			rep := decode(t, r.stdout)
			assert.Len(t, rep.steps, 3*6+2*4)
			assert.Len(t, rep.fleets, 2)
			if slices.Contains(args, "-metrics") {
				assert.Len(t, rep.hooks, 5, "one row per walked account and per fleet")
			} else {
				assert.Empty(t, rep.hooks)
			}
			assert.Empty(t, rep.errors)
		})
	}
}

func TestBuiltinDemoCountsRequests(t *testing.T) {
	r := runDemo(t, []string{"-json"}, noEnv)
	require.Equal(t, exitOK, r.code, r.stderr)
	reqs := map[string]int64{}
	for _, s := range decode(t, r.stdout).steps {
		if s.Provider == "onsip" && s.Section == "" {
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
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
		{[]string{"-timeout", "0s"}, "-timeout must be positive"},
		{[]string{"-provider", "avaya", "-username", "x"}, "-provider must be onsip or ipcortex"},
		{[]string{"-provider", "onsip"}, "-username is required"},
		{[]string{"-username", "x"}, "-username: only with -provider"},
		{[]string{"-ca-file", "ca.pem", "-call", "UserRead"}, "-ca-file, -call: only with -provider"},
		{[]string{"-provider", "ipcortex", "-username", "x"}, "-endpoint is required for ipcortex"},
		{[]string{"-provider", "onsip", "-username", "x", "-api-key"}, "OnSIP has no API keys"},
		{[]string{"-provider", "onsip", "-username", "x", "-option", "novalue"}, "want name=value"},
		{[]string{"-provider", "ipcortex", "-endpoint", "https://pbx.example.com", "-api-key",
			"-option", "key_in_header=true", "-option", "key_in_header=false"}, "key_in_header given twice"},
		{[]string{"-provider", "ipcortex", "-endpoint", "https://pbx.example.com", "-api-key",
			"-key-in-header", "-option", "key_in_header=false"}, "key_in_header given twice"},
		{[]string{"-provider", "ipcortex", "-endpoint", "https://pbx.example.com", "-api-key",
			"-key-in-header=maybe"}, `invalid boolean value "maybe" for -key-in-header`},
		{[]string{"-provider", "onsip", "-username", "x", "-insecure-http"}, "-insecure-http: only for an http:// -endpoint"},
		{[]string{"-provider", "onsip", "-username", "x", "-endpoint", "http://pbx.example.com/api"}, "add -insecure-http"},
		{[]string{"-provider", "onsip", "-username", "x", "-call", "User Read"}, "-call: OnSIP needs one Action"},
		{[]string{"-provider", "onsip", "-username", "x", "-call", "Limit=5"}, "-call: OnSIP needs one Action"},
		{[]string{"-provider", "ipcortex", "-endpoint", "https://pbx.example.com", "-username", "x",
			"-call", "https://elsewhere.example.com/rest/call/list"}, "-call: IPCortex needs a path"},
		{[]string{"-provider", "ipcortex", "-endpoint", "https://pbx.example.com", "-username", "x",
			"-call", "rest/call/list"}, "-call: IPCortex needs a path"},
		{[]string{"-redis", "localhost"}, "want host:port or unix:/path"},
		{[]string{"-redis", "unix:"}, "no socket path"},
		{[]string{"-provider", "onsip", "-username", "x", "-redis", "localhost:6379"}, "-redis: only with the built-in test servers"},
	} {
		r := runDemo(t, c.args, noEnv)
		assert.Equal(t, exitUsage, r.code, "%v", c.args)
		assert.Empty(t, r.stdout, "%v", c.args)
		assertReported(t, r.stderr, c.want)
	}
	r := runDemo(t, []string{"-h"}, noEnv)
	assert.Equal(t, exitOK, r.code)
	for _, flag := range append([]string{passwordEnv, apiKeyEnv, "-metrics", "-redis", "-json"}, realOnly...) {
		assert.Contains(t, r.stderr, flag)
	}
}

// A flag value the demo refuses is not quoted back: a URL given to
// -endpoint or -redis may hold a password.
func TestUsageNeverEchoesAPasswordInAURL(t *testing.T) {
	const password = "url-pass-9f3c"
	for _, args := range [][]string{
		{"-provider", "onsip", "-username", "x", "-endpoint", "http://admin:" + password + "@pbx.example.com/api"},
		{"-redis", "redis://:" + password + "@localhost:6379/0"},
		{"-redis", "unix:"},
	} {
		r := runDemo(t, args, noEnv)
		assert.Equal(t, exitUsage, r.code, "case %d", len(args))
		assert.False(t, strings.Contains(r.stdout+r.stderr, password), "the password in a URL flag was printed (%s)", args[len(args)-2])
	}
}

// Mistakes pbxauth finds in the configuration, or in reading the secret,
// are usage errors too, reported before any request.
func TestRealUsageErrors(t *testing.T) {
	env := envOf(map[string]string{passwordEnv: "pw-123456789"})
	for _, c := range []struct {
		args   []string
		getenv func(string) string
		want   string
	}{
		{[]string{"-provider", "ipcortex", "-endpoint", "https://pbx.example.com", "-username", "x", "-option", "bogus=1"},
			env, `unknown option "bogus"`},
		{[]string{"-provider", "onsip", "-username", "x", "-option", "key_in_header=true"}, env, "takes no options"},
		{[]string{"-provider", "ipcortex", "-endpoint", "ftp://pbx.example.com", "-username", "x"}, env, "scheme must be https"},
		{[]string{"-provider", "onsip", "-username", "x", "-ca-file", "/nonexistent/ca.pem"}, env, "-ca-file: open /nonexistent/ca.pem"},
		{[]string{"-provider", "onsip", "-username", "x"}, noEnv, "no password: set $PBXAUTH_PASSWORD, or run in a terminal"},
		{[]string{"-provider", "ipcortex", "-endpoint", "https://pbx.example.com", "-api-key"}, noEnv, "no API key: set $PBXAUTH_API_KEY"},
	} {
		r := runDemo(t, c.args, c.getenv, "pw-123456789")
		assert.Equal(t, exitUsage, r.code, "%v", c.args)
		assertReported(t, r.stderr, c.want)
	}
	notPEM := t.TempDir() + "/ca.pem"
	require.NoError(t, writeFile(notPEM, "not a certificate"))
	r := runDemo(t, []string{"-provider", "onsip", "-username", "x", "-ca-file", notPEM}, env)
	assert.Equal(t, exitUsage, r.code)
	assertReported(t, r.stderr, "no PEM certificate in it")
}

func TestJSONUsageErrorEndsTheStream(t *testing.T) {
	r := runDemo(t, []string{"-json", "-provider", "onsip", "-username", "x", "-option", "a=b"},
		envOf(map[string]string{passwordEnv: "pw-123456789"}))
	assert.Equal(t, exitUsage, r.code)
	rep := decode(t, r.stdout)
	require.Len(t, rep.errors, 1)
	assert.Contains(t, rep.errors[0], `unknown option "a"`)
	assertReported(t, r.stderr, `unknown option "a"`)
}

// parse reads -call once, for its provider; the call is built from what
// it read.
func TestParseReadsCall(t *testing.T) {
	o, err := parse([]string{"-provider", "onsip", "-username", "x", "-call", "Action=UserBrowse&Limit=5"})
	require.NoError(t, err)
	assert.Equal(t, "UserBrowse", o.callForm.Get("Action"))
	assert.Equal(t, "5", o.callForm.Get("Limit"))
	assert.Nil(t, o.callPath)
	_, name := callRequest(o, "https://api.onsip.com/api")
	assert.Equal(t, "Action=UserBrowse", name)

	o, err = parse([]string{"-provider", "ipcortex", "-endpoint", "https://pbx.example.com", "-username", "x",
		"-call", "/rest/call/list?limit=5"})
	require.NoError(t, err)
	assert.Nil(t, o.callForm)
	require.NotNil(t, o.callPath)
	build, name := callRequest(o, "https://pbx.example.com")
	assert.Equal(t, "/rest/call/list", name)
	req, err := build(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "https://pbx.example.com/rest/call/list?limit=5", req.URL.String())
}
