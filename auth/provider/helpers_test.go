package provider_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// memoryBackend is a Backend with no server: each login hands out a new
// numbered session, and it keeps the set of live ones as a vendor would.
// block, when set, holds every login until it is closed or the login's
// context ends; gate, when set, runs first in every login with the login's
// number (from 1), so a test can hold or fail the logins it chooses;
// renews makes a login with a held session renew it in place.
type memoryBackend struct {
	logins, logouts atomic.Int64
	block           chan struct{}
	gate            func(ctx context.Context, n int64) error
	blockClose      chan struct{}
	loginErr        error
	logoutErr       error
	noSession       bool
	stateless       bool
	renews          bool
	panics          bool

	mu   sync.Mutex
	live map[auth.Secret]bool
}

func (b *memoryBackend) OpenSession(ctx context.Context, _ *provider.Caller, prev *auth.Session) (*auth.Session, bool, error) {
	n := b.logins.Add(1)
	if b.panics {
		panic("a transport bug")
	}
	if b.gate != nil {
		if err := b.gate(ctx, n); err != nil {
			return nil, false, err
		}
	}
	if b.block != nil {
		select {
		case <-b.block:
		case <-ctx.Done():
			return nil, false, &auth.Error{Provider: "memory", Op: auth.OpLogin, Err: ctx.Err()}
		}
	}
	if b.loginErr != nil {
		return nil, false, b.loginErr
	}
	if b.noSession {
		return nil, false, nil
	}
	if b.renews && prev != nil && b.isLive(prev.ID) {
		return &auth.Session{ID: prev.ID, UserID: "1"}, true, nil
	}
	s := &auth.Session{ID: auth.Secret("session-" + strconv.FormatInt(n, 10)), UserID: "1"}
	if b.stateless {
		s.ID = ""
		return s, false, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.live == nil {
		b.live = map[auth.Secret]bool{}
	}
	b.live[s.ID] = true
	return s, false, nil
}

func (b *memoryBackend) CloseSession(ctx context.Context, _ *provider.Caller, s *auth.Session) error {
	b.logouts.Add(1)
	if b.blockClose != nil {
		select {
		case <-b.blockClose:
		case <-ctx.Done():
			return &auth.Error{Provider: "memory", Op: auth.OpLogout, Err: ctx.Err()}
		}
	}
	if b.logoutErr != nil {
		return b.logoutErr
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.live, s.ID)
	return nil
}

func (b *memoryBackend) isLive(id auth.Secret) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.live[id]
}

// forget ends id at the "vendor" by itself, as a vendor whose session
// expired: a call carrying it is refused from then on.
func (b *memoryBackend) forget(id auth.Secret) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.live, id)
}

// liveSessions is how many sessions the "vendor" holds open.
func (b *memoryBackend) liveSessions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.live)
}

var testEndpoint = mustURL("https://api.example.com/api")

func mustURL(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}

func newCache(cfg auth.Config, b provider.Backend) *provider.Cache {
	if cfg.Credentials.Username == "" && cfg.Credentials.APIKey == "" {
		cfg.Credentials = auth.Credentials{Username: "alice@example.com", Password: "pw-0123456789"}
	}
	return provider.NewCache("memory", cfg, testEndpoint, b)
}

// requireSentinel fails t unless err is an *auth.Error holding want.
func requireSentinel(t *testing.T, err, want error) *auth.Error {
	t.Helper()
	var e *auth.Error
	require.ErrorAs(t, err, &e)
	require.ErrorIs(t, err, want)
	for _, other := range []error{auth.ErrInvalidCredentials, auth.ErrSessionExpired, auth.ErrUnavailable, auth.ErrProtocol,
		context.Canceled, context.DeadlineExceeded} {
		if other != want {
			require.NotErrorIs(t, err, other, "exactly one outcome")
		}
	}
	return e
}

// newLogger logs everything as text into w.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// quietLog keeps a test server's TLS handshake complaints off the output.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
