package transport_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// syncBuffer is a bytes.Buffer safe to write from the transport and read
// from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLogger(level slog.Level) (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: level})), buf
}

// secretURL puts a session in the query and a password in the user info.
func secretURL(hostPort string) string {
	return "http://john:pwsupersecret@" + hostPort + "/api/v1?Action=SessionGet&SessionId=supersecret"
}

func TestRetryLogLine(t *testing.T) {
	srv := newServer(t, statuses(503, 429))
	tr, _ := newTransport(newBase(t), policy)
	logger, buf := debugLogger(slog.LevelDebug)
	tr.Logger = logger
	hostPort := srv.Listener.Addr().String()

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, secretURL(hostPort), nil))
	require.NoError(t, err)
	assert.Equal(t, "ok", readBody(t, resp))

	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	for i, want := range []string{
		"level=DEBUG msg=retrying method=GET host=" + hostPort + " path=/api/v1 try=1 wait=100ms status=503",
		"level=DEBUG msg=retrying method=GET host=" + hostPort + " path=/api/v1 try=2 wait=200ms status=429",
	} {
		_, line, _ := strings.Cut(lines[i], " level=") // drop the time
		assert.Equal(t, want, "level="+line)
	}
	assert.False(t, strings.Contains(out, "supersecret"), "a secret is in the text")
	assert.False(t, strings.Contains(out, "SessionId"), "the session's parameter is in the text")
	assert.False(t, strings.Contains(out, "Action="), "the form is in the text")
	assert.False(t, strings.Contains(out, "john"), "the username is in the text")
}

func TestRetryLogLineOnConnectionError(t *testing.T) {
	tr, _ := newTransport(newBase(t), transport.Policy{MaxAttempts: 2})
	logger, buf := debugLogger(slog.LevelDebug)
	tr.Logger = logger

	_, err := tr.RoundTrip(newRequest(t, http.MethodPost, secretURL(closedPort(t)), strings.NewReader("Password=pwsupersecret")))
	require.Error(t, err)

	out := buf.String()
	assert.Contains(t, out, `msg=retrying method=POST`)
	assert.Contains(t, out, `path=/api/v1 try=1 wait=100ms error="connection error"`)
	assert.False(t, strings.Contains(out, "supersecret"), "a secret is in the text")
	assert.False(t, strings.Contains(out, "SessionId"), "the session's parameter is in the text")
	assert.False(t, strings.Contains(out, "refused"), "the error's own text is logged")
}

func TestRetryLogLineOnTimeout(t *testing.T) {
	srv, base := hangFirst(t)
	tr, _ := newTransport(base, policy)
	logger, buf := debugLogger(slog.LevelDebug)
	tr.Logger = logger

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, secretURL(srv.Listener.Addr().String()), nil))
	require.NoError(t, err)
	readBody(t, resp)
	assert.Contains(t, buf.String(), `try=1 wait=100ms error=timeout`)
	assert.False(t, strings.Contains(buf.String(), "supersecret"), "a secret is in the text")
}

func TestNoLogAboveDebug(t *testing.T) {
	srv := newServer(t, statuses(503))
	tr, _ := newTransport(newBase(t), policy)
	logger, buf := debugLogger(slog.LevelInfo)
	tr.Logger = logger

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	readBody(t, resp)
	assert.Empty(t, buf.String())
}
