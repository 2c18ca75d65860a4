package provider_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

func TestSharedLoginHasItsOwnDeadline(t *testing.T) {
	b := &memoryBackend{block: make(chan struct{})}
	c := newCache(auth.Config{HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}}, b)
	start := time.Now()
	_, err := c.Session(context.Background())
	e := requireSentinel(t, err, auth.ErrUnavailable)
	assert.Equal(t, auth.OpSession, e.Op)
	assert.Less(t, time.Since(start), time.Second)
}

func TestSharedLoginOutlivesCallerCancel(t *testing.T) {
	b := &memoryBackend{block: make(chan struct{})}
	c := newCache(auth.Config{}, b)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { _, err := c.Session(ctx); errc <- err }()
	for b.logins.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	requireSentinel(t, <-errc, context.Canceled)
	close(b.block) // the login, detached from the cancel, completes
	require.Eventually(t, func() bool {
		s, err := c.Session(context.Background())
		return err == nil && s.ID == "session-1"
	}, time.Second, time.Millisecond)
	assert.EqualValues(t, 1, b.logins.Load())
}

// Login, Logout and Session end within the login deadline even with a
// context that has none.
func TestBoundedWithoutADeadline(t *testing.T) {
	ctx := context.Background()
	cfg := auth.Config{HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}}

	c := newCache(cfg, &memoryBackend{block: make(chan struct{})})
	start := time.Now()
	_, err := c.Login(ctx)
	e := requireSentinel(t, err, auth.ErrUnavailable)
	assert.Contains(t, e.Message, "login deadline")
	assert.Less(t, time.Since(start), time.Second)

	b := &memoryBackend{blockClose: make(chan struct{})}
	c = newCache(cfg, b)
	s, err := c.Login(ctx)
	require.NoError(t, err)
	start = time.Now()
	requireSentinel(t, c.Logout(ctx), auth.ErrUnavailable)
	assert.Less(t, time.Since(start), time.Second)
	held, err := c.Session(ctx)
	require.NoError(t, err)
	assert.Same(t, s, held, "a failed logout keeps the session")
}

// A panic inside a login becomes an error for every waiter; it never
// kills the process (singleflight would re-panic on a goroutine of its
// own).
func TestPanickingLoginIsAnErrorForEveryWaiter(t *testing.T) {
	c := newCache(auth.Config{}, &memoryBackend{panics: true})
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.Session(context.Background()) })
	}
	wg.Wait()
	for _, err := range errs {
		e := requireSentinel(t, err, auth.ErrProtocol)
		assert.Contains(t, e.Message, "panicked")
	}
	_, err := c.Login(context.Background())
	requireSentinel(t, err, auth.ErrProtocol)
}

func TestNilContextIsAnError(t *testing.T) {
	c := newCache(auth.Config{}, &memoryBackend{})
	var nilCtx context.Context
	assert.NotPanics(t, func() {
		_, err := c.Session(nilCtx)
		requireSentinel(t, err, auth.ErrProtocol)
		_, err = c.Login(nilCtx)
		requireSentinel(t, err, auth.ErrProtocol)
		requireSentinel(t, c.Logout(nilCtx), auth.ErrProtocol)
		_, err = c.Refresh(nilCtx, nil)
		requireSentinel(t, err, auth.ErrProtocol)
	})
}

func TestRefreshSharesOneLogin(t *testing.T) {
	b := &memoryBackend{}
	c := newCache(auth.Config{}, b)
	ctx := context.Background()
	s, err := c.Session(ctx)
	require.NoError(t, err)
	var wg sync.WaitGroup
	got := make([]*auth.Session, 100)
	for i := range got {
		wg.Go(func() {
			var err error
			got[i], err = c.Refresh(ctx, s)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.EqualValues(t, 2, b.logins.Load(), "100 refusals of one session cause one new login")
	for _, g := range got {
		assert.Same(t, got[0], g)
	}
	assert.NotSame(t, s, got[0])
	assert.Zero(t, b.logouts.Load(), "a refused session is gone: no logout")

	// A refusal of a session already replaced costs nothing.
	again, err := c.Refresh(ctx, s)
	require.NoError(t, err)
	assert.Same(t, got[0], again)
	assert.EqualValues(t, 2, b.logins.Load())
}

// A session opened because of a refusal and refused again before any call
// succeeded with it is not lost: the refusal is the call's.
func TestRefusedAgainRightAfterALogin(t *testing.T) {
	b := &memoryBackend{}
	c := newCache(auth.Config{}, b)
	ctx := context.Background()
	first, _ := c.Session(ctx)
	second, err := c.Refresh(ctx, first)
	require.NoError(t, err)
	for range 100 {
		got, err := c.Refresh(ctx, second)
		require.NoError(t, err)
		require.Same(t, second, got)
	}
	assert.EqualValues(t, 2, b.logins.Load(), "no login for the call's own refusals")

	c.Accepted(second) // a call succeeded: the next refusal is the session's
	third, err := c.Refresh(ctx, second)
	require.NoError(t, err)
	assert.NotSame(t, second, third)
	assert.EqualValues(t, 3, b.logins.Load())
}

func TestLoginReplacesWithoutOrphans(t *testing.T) {
	ctx := context.Background()
	t.Run("logged out", func(t *testing.T) {
		b := &memoryBackend{}
		c := newCache(auth.Config{}, b)
		first, err := c.Login(ctx)
		require.NoError(t, err)
		second, err := c.Login(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, second.ID)
		assert.False(t, b.isLive(first.ID), "the replaced session is logged out")
		assert.Equal(t, 1, b.liveSessions())
		require.NoError(t, c.Logout(ctx))
		assert.Zero(t, b.liveSessions())
	})
	t.Run("renewed in place", func(t *testing.T) {
		b := &memoryBackend{renews: true}
		c := newCache(auth.Config{}, b)
		first, err := c.Login(ctx)
		require.NoError(t, err)
		second, err := c.Login(ctx)
		require.NoError(t, err)
		assert.Equal(t, first.ID, second.ID)
		assert.Zero(t, b.logouts.Load(), "a renewed session is not logged out")
		assert.Equal(t, 1, b.liveSessions())
	})
	t.Run("expired", func(t *testing.T) {
		b := &memoryBackend{}
		c := newCache(auth.Config{SessionTTL: 40 * time.Millisecond}, b)
		first, err := c.Session(ctx)
		require.NoError(t, err)
		time.Sleep(40 * time.Millisecond)
		second, err := c.Session(ctx)
		require.NoError(t, err)
		assert.NotSame(t, first, second)
		assert.False(t, b.isLive(first.ID), "an expired session still open at the vendor is logged out")
		assert.Equal(t, 1, b.liveSessions())
	})
}

// A short SessionTTL shrinks the expiry window instead of making every
// call log in.
func TestShortTTL(t *testing.T) {
	b := &memoryBackend{}
	c := newCache(auth.Config{SessionTTL: 2 * time.Second}, b)
	for range 100 {
		_, err := c.Session(context.Background())
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, b.logins.Load())
	s, _ := c.Session(context.Background())
	assert.Equal(t, s.ExpiresAt.Add(-500*time.Millisecond), s.RefreshAt(), "a quarter of a 2 s lifetime")

	long := &auth.Session{IssuedAt: s.IssuedAt, ExpiresAt: s.IssuedAt.Add(time.Hour)}
	assert.Equal(t, long.ExpiresAt.Add(-auth.ExpiryWindow), long.RefreshAt())
	assert.True(t, long.Expired(long.ExpiresAt.Add(-auth.ExpiryWindow)))
	assert.False(t, long.Expired(long.IssuedAt))
	assert.False(t, (&auth.Session{}).Expired(time.Now()), "no expiry: never expired by time")
}

func TestLogout(t *testing.T) {
	ctx := context.Background()
	t.Run("stateless sessions need no request", func(t *testing.T) {
		b := &memoryBackend{stateless: true}
		c := newCache(auth.Config{}, b)
		_, err := c.Session(ctx)
		require.NoError(t, err)
		require.NoError(t, c.Logout(ctx))
		assert.Zero(t, b.logouts.Load())
		_, _ = c.Session(ctx)
		assert.EqualValues(t, 2, b.logins.Load(), "forgotten after Logout")
	})
	t.Run("failure keeps the session", func(t *testing.T) {
		b := &memoryBackend{logoutErr: &auth.Error{Provider: "memory", Op: auth.OpLogout, Err: auth.ErrUnavailable}}
		c := newCache(auth.Config{}, b)
		s, _ := c.Session(ctx)
		requireSentinel(t, c.Logout(ctx), auth.ErrUnavailable)
		again, _ := c.Session(ctx)
		assert.Same(t, s, again)
	})
	t.Run("nothing held", func(t *testing.T) {
		b := &memoryBackend{}
		require.NoError(t, newCache(auth.Config{}, b).Logout(ctx))
		assert.Zero(t, b.logouts.Load())
	})
}

func TestBackendMistakesBecomeProtocolErrors(t *testing.T) {
	ctx := context.Background()
	_, err := newCache(auth.Config{}, &memoryBackend{noSession: true}).Login(ctx)
	requireSentinel(t, err, auth.ErrProtocol)
	_, err = newCache(auth.Config{}, &memoryBackend{loginErr: errors.New("plain")}).Login(ctx)
	requireSentinel(t, err, auth.ErrProtocol)
}

// Every error a backend returns passes through redaction once more.
func TestBackendErrorsAreRedacted(t *testing.T) {
	const pw = `p<a>ss "w&rd"`
	cfg := auth.Config{Credentials: auth.Credentials{Username: "alice@example.com", Password: pw}}
	for _, leak := range []string{pw, `p\u003ca\u003ess \"w\u0026rd\"`, "p%3Ca%3Ess+%22w%26rd%22", "p&lt;a&gt;ss &#34;w&amp;rd&#34;"} {
		b := &memoryBackend{loginErr: &auth.Error{Op: auth.OpLogin, Err: errors.Join(auth.ErrInvalidCredentials, errors.New("bad "+leak)),
			Message: "refused " + leak, Code: leak}}
		_, err := newCache(cfg, b).Login(context.Background())
		e := requireSentinel(t, err, auth.ErrInvalidCredentials)
		assert.Equal(t, "memory", e.Provider)
		assert.False(t, provider.Contains(err.Error(), pw), "the password is in the error's text")
		assert.False(t, strings.Contains(err.Error(), leak), "an escaped form of the password is in the error's text")
	}
}

func TestEndpointAndAccount(t *testing.T) {
	creds := auth.Credentials{Username: "alice@example.com", Password: "one"}
	a := provider.NewCache("memory", auth.Config{Credentials: creds}, mustURL("HTTPS://API.Example.com:443/api/"), &memoryBackend{})
	assert.Equal(t, "https://api.example.com/api", a.Endpoint())
	assert.Equal(t, "memory", a.Provider())
	assert.Len(t, a.Account(), 32)
	assert.NotContains(t, a.Account(), "alice")

	same := func(name, endpoint string, creds auth.Credentials) bool {
		return provider.NewCache(name, auth.Config{Credentials: creds}, mustURL(endpoint), &memoryBackend{}).Account() == a.Account()
	}
	assert.True(t, same("memory", "https://api.example.com/api", creds))
	assert.True(t, same("memory", "https://api.example.com/api", auth.Credentials{Username: creds.Username, Password: "changed"}),
		"a changed password is the same account")
	assert.False(t, same("other", "https://api.example.com/api", creds))
	assert.False(t, same("memory", "https://api.example.com:8443/api", creds))
	assert.False(t, same("memory", "https://api.example.com/api", auth.Credentials{Username: "bob@example.com", Password: "one"}))
	assert.False(t, same("memory", "https://api.example.com/api", auth.Credentials{APIKey: "alice@example.com"}),
		"a key is not a username")
}

// spanKey stands for a tracer's context key.
type spanKey struct{}

// hookCounts counts hook events by name.
type hookCounts struct {
	mu     sync.Mutex
	n      map[string]int
	events []string
}

func (h *hookCounts) add(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == nil {
		h.n = map[string]int{}
	}
	h.n[name]++
	h.events = append(h.events, name)
}

func (h *hookCounts) hooks() *auth.Hooks {
	return &auth.Hooks{
		LoginStart: func(ctx context.Context, i auth.LoginStartInfo) context.Context {
			h.add("start:" + string(i.Reason))
			return context.WithValue(ctx, spanKey{}, "span")
		},
		LoginDone: func(ctx context.Context, i auth.LoginDoneInfo) {
			if ctx.Value(spanKey{}) != "span" {
				h.add("done without the start's context")
			}
			outcome := "ok"
			if i.Outcome != nil {
				outcome = i.Outcome.Error()
			}
			h.add("done:" + string(i.Reason) + ":" + outcome)
			if i.Renewed {
				h.add("renewed")
			}
		},
		LogoutDone: func(_ context.Context, i auth.LogoutDoneInfo) { h.add("logout:" + string(i.Reason)) },
		SessionRefused: func(_ context.Context, i auth.SessionRefusedInfo) {
			h.add("refused:" + map[bool]string{true: "lost", false: "call"}[i.Lost])
		},
	}
}

func TestHooks(t *testing.T) {
	h := &hookCounts{}
	b := &memoryBackend{}
	c := newCache(auth.Config{Hooks: h.hooks()}, b)
	ctx := context.Background()
	_, err := c.Session(ctx)
	require.NoError(t, err)
	_, err = c.Login(ctx)
	require.NoError(t, err)
	s, _ := c.Session(ctx)
	s2, err := c.Refresh(ctx, s)
	require.NoError(t, err)
	_, _ = c.Refresh(ctx, s2)
	require.NoError(t, c.Logout(ctx))
	b.loginErr = &auth.Error{Provider: "memory", Op: auth.OpLogin, Err: auth.ErrInvalidCredentials}
	_, _ = c.Login(ctx)

	assert.Equal(t, []string{
		"start:first", "done:first:ok",
		"start:explicit", "done:explicit:ok", "logout:replaced",
		"refused:lost", "start:refused", "done:refused:ok",
		"refused:call",
		"logout:explicit",
		"start:explicit", "done:explicit:invalid credentials",
	}, h.events)
}

func TestPanickingHookDoesNotBreakALogin(t *testing.T) {
	var calls atomic.Int64
	hooks := &auth.Hooks{LoginDone: func(context.Context, auth.LoginDoneInfo) { calls.Add(1); panic("a broken hook") }}
	var logs strings.Builder
	c := newCache(auth.Config{Hooks: hooks, Logger: newLogger(&logs)}, &memoryBackend{})
	for range 3 {
		_, err := c.Login(context.Background())
		require.NoError(t, err)
	}
	assert.EqualValues(t, 3, calls.Load())
	assert.Equal(t, 1, strings.Count(logs.String(), "panicked"), "logged once")
	assert.Contains(t, logs.String(), "a broken hook")
}

// The held-session path allocates nothing, with hooks and a store set or
// not.
func TestHeldSessionAllocatesNothing(t *testing.T) {
	for name, cfg := range map[string]auth.Config{
		"plain":     {},
		"hooks":     {Hooks: (&hookCounts{}).hooks()},
		"ttl+hooks": {SessionTTL: time.Hour, Hooks: (&hookCounts{}).hooks()},
		"store":     {Store: &auth.MemoryStore{}},
		"store+ttl+hooks": {Store: &auth.MemoryStore{}, SessionTTL: time.Hour,
			Hooks: (&hookCounts{}).fleetHooks()},
	} {
		c := newCache(cfg, &memoryBackend{})
		ctx := context.Background()
		_, err := c.Session(ctx)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(1000, func() { _, _ = c.Session(ctx) })
		assert.Zero(t, allocs, name)
	}
}
