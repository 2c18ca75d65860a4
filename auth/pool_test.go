package auth_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// The built-in authenticators tell a Pool whether a store shares their
// session.
var (
	_ auth.SessionSharer = (*onsip.Authenticator)(nil)
	_ auth.SessionSharer = (*ipcortex.Authenticator)(nil)
)

// fakeVendor is one vendor's fake server, as the Pool tests see it.
type fakeVendor struct {
	provider string // the registered name
	endpoint string
	addUser  func(tenant string)
	creds    func(tenant string) auth.Credentials

	logins, logouts, active func() int
	setDelay                func(time.Duration)
}

// vendors are the fakes every Pool test that signs in runs against.
var vendors = []struct {
	name  string
	start func(t testing.TB) *fakeVendor
}{
	{"onsip", startOnSIP},
	{"ipcortex", startIPCortex},
}

func startOnSIP(t testing.TB) *fakeVendor {
	srv := onsiptest.NewServer()
	t.Cleanup(srv.Close)
	user := func(tenant string) string { return tenant + "@example.onsip.com" }
	return &fakeVendor{
		provider: "onsip",
		endpoint: srv.URL,
		addUser: func(tenant string) {
			srv.AddUser(onsiptest.User{Username: user(tenant), Password: "pw-" + tenant})
		},
		creds: func(tenant string) auth.Credentials {
			return auth.Credentials{Username: user(tenant), Password: auth.Secret("pw-" + tenant)}
		},
		logins: srv.Logins, logouts: srv.Logouts, active: srv.ActiveSessions, setDelay: srv.SetDelay,
	}
}

func startIPCortex(t testing.TB) *fakeVendor {
	srv := ipcortextest.NewServer()
	t.Cleanup(srv.Close)
	return &fakeVendor{
		provider: "ipcortex",
		endpoint: srv.URL,
		addUser: func(tenant string) {
			srv.AddUser(ipcortextest.User{Login: tenant, Password: "pw-" + tenant})
		},
		creds: func(tenant string) auth.Credentials {
			return auth.Credentials{Username: tenant, Password: auth.Secret("pw-" + tenant)}
		},
		logins: srv.Logins, logouts: srv.Logouts, active: srv.ActiveSessions, setDelay: srv.SetDelay,
	}
}

// opener is a Pool's open function for a fake vendor: it opens the
// tenant's authenticator, with store as Config.Store, and signs it in, and
// counts its calls.
type opener struct {
	f     *fakeVendor
	store auth.SessionStore
	calls atomic.Int64
}

func (o *opener) open(ctx context.Context, tenant string) (auth.Authenticator, error) {
	o.calls.Add(1)
	a, err := auth.Open(o.f.provider, auth.Config{Endpoint: o.f.endpoint, Credentials: o.f.creds(tenant), Store: o.store})
	if err != nil {
		return nil, err
	}
	if _, err := a.Session(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// newPool returns a Pool closed when the test ends.
func newPool(t testing.TB, open func(context.Context, string) (auth.Authenticator, error), opts auth.PoolOptions) *auth.Pool {
	p := auth.NewPool(open, opts)
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

// get is Get that must succeed.
func get(t testing.TB, p *auth.Pool, tenant string) auth.Authenticator {
	t.Helper()
	a, err := p.Get(context.Background(), tenant)
	require.NoError(t, err)
	require.NotNil(t, a)
	return a
}

// poolGoroutines counts the goroutines running a Pool's code.
func poolGoroutines() int { return goroutinesIn("auth.(*Pool).") }

// goroutinesIn counts the goroutines whose stack holds fn.
func goroutinesIn(fn string) int { return goroutinesWaiting(fn, "") }

// goroutinesWaiting counts the goroutines whose stack holds fn and which
// are parked for reason ("select", "chan receive"; "" for any state).
func goroutinesWaiting(fn, reason string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			var count int
			for _, g := range bytes.Split(buf[:n], []byte("\n\n")) {
				header, _, _ := bytes.Cut(g, []byte("\n"))
				if bytes.Contains(g, []byte(fn)) && bytes.Contains(header, []byte("["+reason)) {
					count++
				}
			}
			return count
		}
		buf = make([]byte, 2*len(buf))
	}
}

// opening reports whether an open runs on a goroutine of a Pool.
func opening() bool { return goroutinesIn("auth.(*Pool).start.func1") > 0 }

// requireNoPoolGoroutines fails unless every Pool goroutine has ended
// (a goroutine that has just signalled its end may need a moment to go).
func requireNoPoolGoroutines(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool { return poolGoroutines() == 0 }, time.Second, time.Millisecond,
		"a goroutine of the Pool outlived Close")
}

func TestPoolOneOpenForConcurrentGets(t *testing.T) {
	for _, v := range vendors {
		t.Run(v.name, func(t *testing.T) {
			f := v.start(t)
			f.addUser("acme")
			o := &opener{f: f}
			p := newPool(t, o.open, auth.PoolOptions{})

			const callers = 1000
			var (
				wg    sync.WaitGroup
				start = make(chan struct{})
				got   [callers]auth.Authenticator
				errs  [callers]error
			)
			for i := range callers {
				wg.Go(func() {
					<-start
					got[i], errs[i] = p.Get(context.Background(), "acme")
				})
			}
			close(start)
			wg.Wait()
			for i := range callers {
				require.NoError(t, errs[i], "Get #%d", i)
				require.Same(t, got[0], got[i], "Get #%d returned another Authenticator", i)
			}
			assert.EqualValues(t, 1, o.calls.Load(), "opens")
			assert.Equal(t, 1, f.logins(), "logins at the vendor")
			assert.Equal(t, 1, f.active(), "sessions open at the vendor")
		})
	}
}

func TestPoolMaxTenantsDropsLeastRecentlyUsed(t *testing.T) {
	for _, v := range vendors {
		t.Run(v.name, func(t *testing.T) {
			f := v.start(t)
			for _, n := range []string{"a", "b", "c"} {
				f.addUser(n)
			}
			o := &opener{f: f}
			p := newPool(t, o.open, auth.PoolOptions{MaxTenants: 2})

			a := get(t, p, "a")
			get(t, p, "b")
			require.Same(t, a, get(t, p, "a")) // a is now the most recently used
			get(t, p, "c")                     // past the bound: b goes
			// A fake counts a logout as it arrives and ends the session
			// after: wait for both.
			require.Eventually(t, func() bool { return f.logouts() == 1 && f.active() == 2 }, 5*time.Second, time.Millisecond,
				"b not logged out")
			assert.EqualValues(t, 3, o.calls.Load())

			require.Same(t, a, get(t, p, "a"), "a was dropped instead of b")
			assert.EqualValues(t, 3, o.calls.Load(), "a held tenant was opened again")
			get(t, p, "b") // opened anew; c is now the least recently used and goes
			assert.EqualValues(t, 4, o.calls.Load(), "a dropped tenant was not opened again")
			require.Eventually(t, func() bool { return f.logouts() == 2 && f.active() == 2 }, 5*time.Second, time.Millisecond,
				"c not logged out")

			require.NoError(t, p.Close(context.Background()))
			assert.Equal(t, 0, f.active(), "sessions open after Close")
			requireNoPoolGoroutines(t)
		})
	}
}

func TestPoolIdleTimeout(t *testing.T) {
	const idle = 60 * time.Millisecond
	for _, v := range vendors {
		t.Run(v.name, func(t *testing.T) {
			f := v.start(t)
			f.addUser("busy")
			f.addUser("quiet")
			o := &opener{f: f}
			p := newPool(t, o.open, auth.PoolOptions{IdleTimeout: idle})

			busy := get(t, p, "busy")
			// Before the Get: the Pool stamps the tenant's last use when
			// its open ends, and the Get returns a moment after.
			quietUsed := time.Now()
			get(t, p, "quiet")
			deadline := time.Now().Add(5 * time.Second)
			for f.active() > 1 {
				require.True(t, time.Now().Before(deadline), "the quiet tenant was not dropped")
				require.Same(t, busy, get(t, p, "busy"), "the busy tenant was dropped")
				time.Sleep(idle / 10)
			}
			assert.GreaterOrEqual(t, time.Since(quietUsed), idle, "dropped before IdleTimeout")
			assert.Equal(t, 1, f.logouts())
			require.Same(t, busy, get(t, p, "busy"), "the busy tenant was dropped")
			assert.EqualValues(t, 2, o.calls.Load())

			// No Get at all: the timer alone drops the last one.
			require.Eventually(t, func() bool { return f.active() == 0 }, 5*time.Second, time.Millisecond,
				"an idle tenant stayed logged in while no Get came")
			assert.Equal(t, 2, f.logouts())
			get(t, p, "busy")
			assert.EqualValues(t, 3, o.calls.Load(), "a dropped tenant was not opened again")

			require.NoError(t, p.Close(context.Background()))
			requireNoPoolGoroutines(t)
		})
	}
}

func TestPoolSharedTenants(t *testing.T) {
	for _, v := range vendors {
		t.Run(v.name, func(t *testing.T) {
			f := v.start(t)
			f.addUser("a")
			f.addUser("b")
			store := &auth.MemoryStore{}
			o := &opener{f: f, store: store}
			p := newPool(t, o.open, auth.PoolOptions{MaxTenants: 1})
			ctx := context.Background()

			a, err := p.Get(ctx, "a")
			require.NoError(t, err, "a login through Config.Store failed: the Pool's shared tenants cannot be checked end to end")
			require.True(t, a.(auth.SessionSharer).SharesSession())
			get(t, p, "b") // drops a, which the fleet shares
			assert.Equal(t, 0, f.logouts(), "a shared tenant was logged out when dropped")

			// Another replica's pool takes the fleet's session: no login.
			other := newPool(t, o.open, auth.PoolOptions{})
			a2 := get(t, other, "a")
			assert.Equal(t, 2, f.logins(), "a shared session was not reused")

			// A changed password: Forget ends the session fleet-wide.
			require.NoError(t, other.Forget(ctx, "a"))
			assert.Equal(t, 1, f.logouts())
			assert.Equal(t, 1, f.active(), "sessions open at the vendor")
			account := a2.(interface{ Account() string }).Account()
			r, err := store.Load(ctx, account)
			require.NoError(t, err)
			assert.Nil(t, r, "Forget left the session in the store")

			require.NoError(t, other.Close(ctx))
			require.NoError(t, p.Close(ctx))
			assert.Equal(t, 1, f.logouts(), "Close logged out a session the fleet shares")
			assert.Equal(t, 1, f.active(), "sessions open at the vendor")
			requireNoPoolGoroutines(t)
		})
	}
}

// The Pool's side of sharing, with authenticators that say whether they
// share their session: a shared tenant is forgotten when dropped or at
// Close, and logged out by Forget; one that does not say counts as not
// shared.
func TestPoolSharedTenantsBookkeeping(t *testing.T) {
	opened := map[string]*sharingAuth{}
	var mu sync.Mutex
	p := auth.NewPool(func(_ context.Context, tenant string) (auth.Authenticator, error) {
		mu.Lock()
		defer mu.Unlock()
		a := &sharingAuth{shares: strings.HasPrefix(tenant, "shared")}
		opened[tenant] = a
		if tenant == "plain" {
			return &a.stubAuth, nil // no SharesSession method
		}
		return a, nil
	}, auth.PoolOptions{MaxTenants: 1})
	ctx := context.Background()
	logouts := func(tenant string) int64 {
		mu.Lock()
		defer mu.Unlock()
		return opened[tenant].logouts.Load()
	}

	get(t, p, "shared-1")
	get(t, p, "shared-2") // drops shared-1
	get(t, p, "local")    // drops shared-2
	get(t, p, "plain")    // drops local
	get(t, p, "shared-3") // drops plain
	get(t, p, "shared-4") // drops shared-3
	require.NoError(t, p.Forget(ctx, "shared-4"))
	get(t, p, "shared-5")
	require.NoError(t, p.Close(ctx)) // waits for the drops' logouts

	for tenant, want := range map[string]int64{
		"shared-1": 0, "shared-2": 0, "shared-3": 0, // dropped
		"local": 1, "plain": 1, // dropped and logged out
		"shared-4": 1, // forgotten: logged out fleet-wide
		"shared-5": 0, // held at Close
	} {
		assert.Equal(t, want, logouts(tenant), "logouts of %s", tenant)
	}
}

func TestPoolForget(t *testing.T) {
	for _, v := range vendors {
		t.Run(v.name, func(t *testing.T) {
			f := v.start(t)
			f.addUser("a")
			o := &opener{f: f}
			p := newPool(t, o.open, auth.PoolOptions{})
			ctx := context.Background()

			a := get(t, p, "a")
			require.NoError(t, p.Forget(ctx, "a"))
			assert.Equal(t, 1, f.logouts())
			assert.Equal(t, 0, f.active(), "sessions open at the vendor")
			require.NoError(t, p.Forget(ctx, "a"), "Forget of a forgotten tenant")
			require.NoError(t, p.Forget(ctx, "nobody"), "Forget of an unknown tenant")

			b := get(t, p, "a")
			assert.NotSame(t, a, b, "Get after Forget returned the forgotten Authenticator")
			assert.EqualValues(t, 2, o.calls.Load())
			assert.Equal(t, 1, f.active(), "sessions open at the vendor")
		})
	}
}

func TestPoolForgetWhileOpening(t *testing.T) {
	f := startOnSIP(t)
	f.addUser("a")
	o := &opener{f: f}
	release := make(chan struct{})
	p := newPool(t, func(ctx context.Context, tenant string) (auth.Authenticator, error) {
		<-release
		return o.open(ctx, tenant)
	}, auth.PoolOptions{})
	ctx := context.Background()

	got := make(chan auth.Authenticator, 1)
	go func() {
		a, _ := p.Get(ctx, "a")
		got <- a
	}()
	require.Eventually(t, opening, 5*time.Second, time.Millisecond, "the open did not start")
	forgot := make(chan error, 1)
	go func() { forgot <- p.Forget(ctx, "a") }()
	select {
	case err := <-forgot:
		t.Fatalf("Forget returned before the open it must log out ended: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-forgot)
	assert.NotNil(t, <-got, "the Get that asked before Forget got nothing")
	assert.Equal(t, 1, f.logins())
	assert.Equal(t, 0, f.active(), "the forgotten open's session is still open")

	get(t, p, "a")
	assert.EqualValues(t, 2, o.calls.Load(), "Get after Forget did not open anew")
}

func TestPoolCloseLogsOutAndWaits(t *testing.T) {
	for _, v := range vendors {
		t.Run(v.name, func(t *testing.T) {
			f := v.start(t)
			const tenants = 20
			names := make([]string, tenants)
			for i := range names {
				names[i] = "t" + string(rune('a'+i))
				f.addUser(names[i])
			}
			o := &opener{f: f}
			p := auth.NewPool(o.open, auth.PoolOptions{MaxTenants: tenants - 1})
			ctx := context.Background()
			for _, n := range names {
				get(t, p, n)
			}
			// The first tenant was dropped: its logout may still be on
			// its way, and slow ones are what Close must wait for.
			f.setDelay(30 * time.Millisecond)

			require.NoError(t, p.Close(ctx))
			assert.Equal(t, 0, f.active(), "Close returned before every logout ended")
			assert.Equal(t, tenants, f.logouts())
			requireNoPoolGoroutines(t)

			_, err := p.Get(ctx, names[0])
			require.ErrorIs(t, err, auth.ErrPoolClosed)
			requirePoolError(t, err, auth.ErrPoolClosed, "Get after Close")
			require.ErrorIs(t, p.Forget(ctx, names[0]), auth.ErrPoolClosed)
			requirePoolError(t, p.Forget(ctx, names[0]), auth.ErrPoolClosed, "Forget after Close")
			require.NoError(t, p.Close(ctx), "Close again")
			assert.EqualValues(t, tenants, o.calls.Load())
		})
	}
}

func TestPoolCloseGivesUp(t *testing.T) {
	f := startOnSIP(t)
	f.addUser("a")
	f.addUser("b")
	o := &opener{f: f}
	p := auth.NewPool(o.open, auth.PoolOptions{})
	get(t, p, "a")
	get(t, p, "b")
	f.setDelay(time.Minute)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := p.Close(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	requirePoolError(t, err, context.DeadlineExceeded, "Close that gave up")
	assert.Less(t, time.Since(start), 5*time.Second, "Close did not give up when its ctx ended")
	requireNoPoolGoroutines(t)
	require.ErrorIs(t, p.Close(context.Background()), context.DeadlineExceeded, "Close again returns the first result")
}

func TestPoolCloseCancelsOpens(t *testing.T) {
	entered := make(chan struct{})
	p := auth.NewPool(func(ctx context.Context, tenant string) (auth.Authenticator, error) {
		close(entered)
		<-ctx.Done()
		return nil, ctx.Err()
	}, auth.PoolOptions{})
	got := make(chan error, 1)
	go func() {
		_, err := p.Get(context.Background(), "a")
		got <- err
	}()
	<-entered
	require.NoError(t, p.Close(context.Background()))
	err := <-got
	require.ErrorIs(t, err, auth.ErrPoolClosed)
	requirePoolError(t, err, auth.ErrPoolClosed, "Get while Close cancelled its open")
	requireNoPoolGoroutines(t)
}

// Close cancels the open of a tenant Forget dropped while it opened: Forget
// no longer holds the tenant, but the open is still the Pool's.
func TestPoolCloseCancelsForgottenOpens(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{}) // ends the open if Close did not
	defer close(release)
	p := auth.NewPool(func(ctx context.Context, tenant string) (auth.Authenticator, error) {
		close(entered)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-release:
			return nil, errors.New("the test ended the open: Close did not")
		}
	}, auth.PoolOptions{})
	got := make(chan error, 1)
	go func() {
		_, err := p.Get(context.Background(), "a")
		got <- err
	}()
	<-entered
	// Parked on the open, so that Close is what ends its wait.
	require.Eventually(t, func() bool { return goroutinesWaiting("auth.(*Pool).Get(", "select") == 1 }, 5*time.Second, time.Millisecond)
	gaveUp, cancel := context.WithCancel(context.Background())
	cancel()
	err := p.Forget(gaveUp, "a")
	require.ErrorIs(t, err, context.Canceled, "Forget with an ended ctx")
	requirePoolError(t, err, context.Canceled, "Forget with an ended ctx")

	closed := make(chan error, 1)
	go func() { closed <- p.Close(context.Background()) }()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a forgotten tenant's open instead of cancelling it")
	}
	require.ErrorIs(t, <-got, auth.ErrPoolClosed)
	requireNoPoolGoroutines(t)
}

// An Authenticator an open returns after Close began is logged out, not
// pooled, unless the fleet shares it.
func TestPoolOpenEndingAfterClose(t *testing.T) {
	f := startOnSIP(t)
	f.addUser("a")
	o := &opener{f: f}
	release := make(chan struct{})
	p := auth.NewPool(func(ctx context.Context, tenant string) (auth.Authenticator, error) {
		<-release
		return o.open(context.WithoutCancel(ctx), tenant) // an open that ignores Close's cancel
	}, auth.PoolOptions{})
	got := make(chan error, 1)
	go func() {
		_, err := p.Get(context.Background(), "a")
		got <- err
	}()
	require.Eventually(t, opening, 5*time.Second, time.Millisecond, "the open did not start")
	closed := make(chan error, 1)
	go func() { closed <- p.Close(context.Background()) }()
	require.ErrorIs(t, <-got, auth.ErrPoolClosed)
	close(release)
	require.NoError(t, <-closed)
	assert.Equal(t, 1, f.logins())
	assert.Equal(t, 0, f.active(), "an open that ended after Close left its session open")
	requireNoPoolGoroutines(t)
}

// A dropped Authenticator keeps working for the caller that holds it.
func TestPoolDroppedAuthenticatorKeepsWorking(t *testing.T) {
	for _, v := range vendors {
		t.Run(v.name, func(t *testing.T) {
			f := v.start(t)
			f.addUser("a")
			f.addUser("b")
			o := &opener{f: f}
			p := newPool(t, o.open, auth.PoolOptions{MaxTenants: 1})
			ctx := context.Background()

			a := get(t, p, "a")
			get(t, p, "b") // drops a and logs it out
			require.Eventually(t, func() bool { return f.logouts() == 1 }, 5*time.Second, time.Millisecond)
			s, err := a.Session(ctx)
			require.NoError(t, err, "a dropped Authenticator stopped working")
			require.NotNil(t, s)
			require.NoError(t, a.Logout(ctx))
		})
	}
}

func TestPoolFailedOpenIsNotKept(t *testing.T) {
	failure := errors.New("the tenant's credentials are not in the database yet")
	var calls atomic.Int64
	release := make(chan struct{})
	p := newPool(t, func(ctx context.Context, tenant string) (auth.Authenticator, error) {
		if calls.Add(1) == 1 {
			<-release
			return nil, failure
		}
		return &stubAuth{}, nil
	}, auth.PoolOptions{})

	const waiters = 10
	errs := make(chan error, waiters)
	for range waiters {
		go func() {
			_, err := p.Get(context.Background(), "a")
			errs <- err
		}()
	}
	// Every waiter parked on the open, not merely inside Get: one that
	// came late would start an open of its own, and get its success.
	require.Eventually(t, func() bool { return goroutinesWaiting("auth.(*Pool).Get(", "select") == waiters }, 5*time.Second, time.Millisecond)
	close(release)
	for range waiters {
		require.Same(t, failure, <-errs, "a waiter did not get open's error as it is")
	}
	assert.EqualValues(t, 1, calls.Load(), "concurrent Gets opened more than once")
	get(t, p, "a")
	assert.EqualValues(t, 2, calls.Load(), "a failed open was kept")
}

func TestPoolOpenPanics(t *testing.T) {
	var calls atomic.Int64
	p := newPool(t, func(ctx context.Context, tenant string) (auth.Authenticator, error) {
		if calls.Add(1) == 1 {
			panic("the tenant table is corrupt")
		}
		return &stubAuth{}, nil
	}, auth.PoolOptions{})
	_, err := p.Get(context.Background(), "a")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "panicked")
	assert.Contains(t, err.Error(), "the tenant table is corrupt")
	requirePoolError(t, err, auth.ErrProtocol, "a panicked open")
	get(t, p, "a")
	assert.EqualValues(t, 2, calls.Load(), "a panicked open was kept")
}

func TestPoolCancelledGet(t *testing.T) {
	f := startOnSIP(t)
	f.addUser("a")
	o := &opener{f: f}
	release := make(chan struct{})
	p := newPool(t, func(ctx context.Context, tenant string) (auth.Authenticator, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return o.open(ctx, tenant)
	}, auth.PoolOptions{})

	patient := make(chan auth.Authenticator, 1)
	go func() {
		a, err := p.Get(context.Background(), "a")
		assert.NoError(t, err)
		patient <- a
	}()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := p.Get(ctx, "a")
	require.ErrorIs(t, err, context.Canceled)
	requirePoolError(t, err, context.Canceled, "a cancelled Get")
	assert.Less(t, time.Since(start), time.Second, "a cancelled Get went on waiting")

	close(release)
	a := <-patient
	require.NotNil(t, a, "the open did not go on for the other Get")
	assert.EqualValues(t, 1, o.calls.Load())

	// A held tenant is returned whatever the ctx; an unknown one is not
	// opened for a ctx already ended.
	held, err := p.Get(ctx, "a")
	require.NoError(t, err)
	assert.Same(t, a, held)
	_, err = p.Get(ctx, "b")
	require.ErrorIs(t, err, context.Canceled)
	requirePoolError(t, err, context.Canceled, "a Get with an ended ctx")
	assert.EqualValues(t, 1, o.calls.Load(), "an open started for an ended ctx")
}

func TestPoolBadInput(t *testing.T) {
	ctx := context.Background()
	ok := func(context.Context, string) (auth.Authenticator, error) { return &stubAuth{}, nil }
	p := newPool(t, ok, auth.PoolOptions{})

	var noCtx context.Context // nil: the input under test
	_, err := p.Get(noCtx, "a")
	require.ErrorContains(t, err, "nil context")
	requirePoolError(t, err, auth.ErrProtocol, "Get with a nil ctx")
	_, err = p.Get(ctx, "")
	require.ErrorContains(t, err, "empty tenant")
	requirePoolError(t, err, auth.ErrProtocol, "Get of an empty tenant")
	require.ErrorContains(t, p.Forget(noCtx, "a"), "nil context")
	requirePoolError(t, p.Forget(noCtx, "a"), auth.ErrProtocol, "Forget with a nil ctx")
	require.ErrorContains(t, p.Forget(ctx, ""), "empty tenant")
	requirePoolError(t, p.Forget(ctx, ""), auth.ErrProtocol, "Forget of an empty tenant")
	require.ErrorContains(t, p.Close(noCtx), "nil context")
	requirePoolError(t, p.Close(noCtx), auth.ErrProtocol, "Close with a nil ctx")

	for name, p := range map[string]*auth.Pool{
		"nil open":             auth.NewPool(nil, auth.PoolOptions{}),
		"negative MaxTenants":  auth.NewPool(ok, auth.PoolOptions{MaxTenants: -1}),
		"negative IdleTimeout": auth.NewPool(ok, auth.PoolOptions{IdleTimeout: -time.Second}),
	} {
		_, err := p.Get(ctx, "a")
		require.Error(t, err, name)
		assert.True(t, strings.HasPrefix(err.Error(), "auth: "), "%s: %v", name, err)
		requirePoolError(t, err, auth.ErrProtocol, name)
		require.Error(t, p.Forget(ctx, "a"), name)
		requirePoolError(t, p.Forget(ctx, "a"), auth.ErrProtocol, name)
		require.NoError(t, p.Close(ctx), name)
	}

	for name, open := range map[string]func(context.Context, string) (auth.Authenticator, error){
		"nil":       func(context.Context, string) (auth.Authenticator, error) { return nil, nil },
		"typed nil": func(context.Context, string) (auth.Authenticator, error) { return (*stubAuth)(nil), nil },
	} {
		p := newPool(t, open, auth.PoolOptions{})
		a, err := p.Get(ctx, "a")
		require.ErrorContains(t, err, "neither an Authenticator nor an error", name)
		requirePoolError(t, err, auth.ErrProtocol, name)
		assert.Nil(t, a, name)
	}
}

// A Logout that panics fails Close; it does not crash the process.
func TestPoolLogoutPanics(t *testing.T) {
	p := auth.NewPool(func(context.Context, string) (auth.Authenticator, error) {
		return &stubAuth{logoutPanics: true}, nil
	}, auth.PoolOptions{})
	get(t, p, "a")
	err := p.Close(context.Background())
	require.ErrorContains(t, err, "Logout panicked")
	requirePoolError(t, err, auth.ErrProtocol, "a panicked Logout")
	requireNoPoolGoroutines(t)
}

// poolOutcomes are what the chain of a Pool's own error may hold: exactly
// one of them.
var poolOutcomes = []error{auth.ErrInvalidCredentials, auth.ErrSessionExpired, auth.ErrUnavailable,
	auth.ErrProtocol, auth.ErrPoolClosed, context.Canceled, context.DeadlineExceeded}

// requirePoolError fails unless err (or, for Close's joined report, one of
// its errors) is an error of the Pool's own: an *auth.Error with Op
// OpPool and no Provider whose chain holds want and no other outcome.
func requirePoolError(t *testing.T, err, want error, what string) {
	t.Helper()
	require.ErrorIs(t, err, want, what)
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, err := range errs {
		if !errors.Is(err, want) {
			continue
		}
		var e *auth.Error
		require.ErrorAs(t, err, &e, "%s: not an *auth.Error", what)
		assert.Equal(t, auth.OpPool, e.Op, what)
		assert.Empty(t, e.Provider, what)
		var held []error
		for _, o := range poolOutcomes {
			if errors.Is(err, o) {
				held = append(held, o)
			}
		}
		assert.Equal(t, []error{want}, held, "%s: the outcomes its chain holds", what)
		return
	}
}

// stubAuth is an Authenticator with no server, for the tests of the Pool's
// own bookkeeping.
type stubAuth struct {
	logoutPanics bool
	logouts      atomic.Int64
}

func (a *stubAuth) Login(context.Context) (*auth.Session, error)   { return &auth.Session{}, nil }
func (a *stubAuth) Session(context.Context) (*auth.Session, error) { return &auth.Session{}, nil }
func (a *stubAuth) Logout(context.Context) error {
	if a.logoutPanics {
		panic("logout blew up")
	}
	a.logouts.Add(1)
	return nil
}

// sharingAuth is a stubAuth that says whether it shares its session.
type sharingAuth struct {
	stubAuth
	shares bool
}

func (a *sharingAuth) SharesSession() bool { return a.shares }
