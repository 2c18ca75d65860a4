package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
)

// memoryBackend is a Backend with no server: each login hands out a new
// numbered session. block, when set, holds every login until it is closed
// or the login's context ends.
type memoryBackend struct {
	logins, logouts atomic.Int64
	block           chan struct{}
	loginErr        error
	logoutErr       error
	noSession       bool
	stateless       bool
}

func (b *memoryBackend) Login(ctx context.Context) (*auth.Session, error) {
	n := b.logins.Add(1)
	if b.block != nil {
		select {
		case <-b.block:
		case <-ctx.Done():
			return nil, &auth.Error{Provider: "memory", Op: auth.OpLogin, Err: ctx.Err()}
		}
	}
	if b.loginErr != nil {
		return nil, b.loginErr
	}
	if b.noSession {
		return nil, nil
	}
	s := &auth.Session{ID: auth.Secret("session-" + strconv.FormatInt(n, 10)), UserID: "1"}
	if b.stateless {
		s.ID = ""
	}
	return s, nil
}

func (b *memoryBackend) Logout(context.Context, *auth.Session) error {
	b.logouts.Add(1)
	return b.logoutErr
}

func TestSharedLoginHasItsOwnDeadline(t *testing.T) {
	b := &memoryBackend{block: make(chan struct{})}
	c := auth.NewSessionCache("memory", auth.Config{HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}}, b)
	start := time.Now()
	_, err := c.Session(context.Background())
	assert.ErrorIs(t, err, auth.ErrUnavailable)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the login's own deadline is not the caller's")
	var e *auth.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, auth.OpSession, e.Op)
	assert.Less(t, time.Since(start), time.Second)
}

func TestSharedLoginOutlivesCallerCancel(t *testing.T) {
	b := &memoryBackend{block: make(chan struct{})}
	c := auth.NewSessionCache("memory", auth.Config{}, b)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { _, err := c.Session(ctx); errc <- err }()
	for b.logins.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled)
	close(b.block) // the login, detached from the cancel, completes
	require.Eventually(t, func() bool {
		s, err := c.Session(context.Background())
		return err == nil && s.ID == "session-1"
	}, time.Second, time.Millisecond)
	assert.EqualValues(t, 1, b.logins.Load())
}

func TestInvalidateOnlyTheHeldSession(t *testing.T) {
	b := &memoryBackend{}
	c := auth.NewSessionCache("memory", auth.Config{}, b)
	ctx := context.Background()
	old, err := c.Session(ctx)
	require.NoError(t, err)
	assert.True(t, c.Invalidate(old))
	assert.False(t, c.Invalidate(old), "a session no longer held")

	var wg sync.WaitGroup
	cur, _ := c.Session(ctx)
	for range 100 {
		wg.Go(func() {
			if c.Invalidate(cur) {
				_, _ = c.Session(ctx)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 3, b.logins.Load(), "100 refusals of one session cause one new login")
}

func TestLogout(t *testing.T) {
	ctx := context.Background()
	t.Run("stateless sessions need no request", func(t *testing.T) {
		b := &memoryBackend{stateless: true}
		c := auth.NewSessionCache("memory", auth.Config{}, b)
		_, err := c.Session(ctx)
		require.NoError(t, err)
		require.NoError(t, c.Logout(ctx))
		assert.Zero(t, b.logouts.Load())
		_, _ = c.Session(ctx)
		assert.EqualValues(t, 2, b.logins.Load(), "forgotten after Logout")
	})
	t.Run("failure keeps the session", func(t *testing.T) {
		b := &memoryBackend{logoutErr: &auth.Error{Provider: "memory", Op: auth.OpLogout, Err: auth.ErrUnavailable}}
		c := auth.NewSessionCache("memory", auth.Config{}, b)
		s, _ := c.Session(ctx)
		assert.ErrorIs(t, c.Logout(ctx), auth.ErrUnavailable)
		again, _ := c.Session(ctx)
		assert.Same(t, s, again)
	})
}

func TestBackendMistakesBecomeProtocolErrors(t *testing.T) {
	ctx := context.Background()
	_, err := auth.NewSessionCache("memory", auth.Config{}, &memoryBackend{noSession: true}).Login(ctx)
	assert.ErrorIs(t, err, auth.ErrProtocol)
	_, err = auth.NewSessionCache("memory", auth.Config{}, &memoryBackend{loginErr: errors.New("plain")}).Login(ctx)
	var e *auth.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, auth.ErrProtocol)
}

func TestSessionTTLAndExpiryWindow(t *testing.T) {
	c := auth.NewSessionCache("memory", auth.Config{SessionTTL: time.Hour}, &memoryBackend{})
	s, err := c.Login(context.Background())
	require.NoError(t, err)
	assert.Equal(t, time.Hour, s.ExpiresAt.Sub(s.IssuedAt))
	assert.False(t, s.Expired(s.IssuedAt))
	assert.True(t, s.Expired(s.ExpiresAt.Add(-auth.ExpiryWindow)))
	assert.False(t, (&auth.Session{}).Expired(time.Now()), "no expiry: never expired by time")
}
