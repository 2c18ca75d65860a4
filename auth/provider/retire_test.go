package provider_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
)

// shortTTL is a session lifetime the tests wait out.
const shortTTL = 50 * time.Millisecond

// A replaced session's logout that hangs at the vendor does not hold an
// explicit Login past its caller's deadline: Login returns the new
// session, and the logout goes on, bounded, without it.
func TestLoginDoesNotWaitPastItsDeadlineForAReplacedLogout(t *testing.T) {
	b := &memoryBackend{blockClose: make(chan struct{})}
	defer close(b.blockClose)
	c := newCache(auth.Config{}, b)
	first, err := c.Login(context.Background())
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	second, err := c.Login(ctx)
	require.NoError(t, err, "the new session is held; only the old one's logout was left")
	assert.Less(t, time.Since(start), time.Second, "Login waited for the hung logout")
	assert.NotEqual(t, first.ID, second.ID)
	held, err := c.Session(context.Background())
	require.NoError(t, err)
	assert.Same(t, second, held)
	waitFor(t, time.Second, "the replaced session's logout to start", func() bool { return b.logouts.Load() == 1 })
}

// A caller waiting for a shared login whose context ends while the
// replaced session is being logged out gets the new session, not its
// context's error: the session is held already.
func TestSessionWaiterGetsTheSessionWhileTheReplacedOneIsLoggedOut(t *testing.T) {
	b := &memoryBackend{blockClose: make(chan struct{})}
	defer close(b.blockClose)
	c := newCache(auth.Config{SessionTTL: shortTTL}, b)
	first, err := c.Login(context.Background())
	require.NoError(t, err)
	// The session expires: the next Session logs in again and logs the
	// expired one out.
	time.Sleep(2 * shortTTL)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	s, err := c.Session(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, s.ID)
	assert.Less(t, time.Since(start), time.Second, "Session waited for the hung logout")
}

// The shared login's logout of a replaced session ends within the login
// deadline, so a Session without a deadline of its own is bounded too.
func TestSessionEndsWithinTheLoginDeadlineWhenTheReplacedLogoutHangs(t *testing.T) {
	b := &memoryBackend{blockClose: make(chan struct{})}
	defer close(b.blockClose)
	c := newCache(auth.Config{SessionTTL: shortTTL, HTTPClient: &http.Client{Timeout: 200 * time.Millisecond}}, b)
	first, err := c.Login(context.Background())
	require.NoError(t, err)
	time.Sleep(2 * shortTTL)

	start := time.Now()
	s, err := c.Session(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, s.ID)
	assert.Less(t, time.Since(start), 2*time.Second, "Session outlived the login deadline")
}

// A session the vendor refused is gone: Logout does not send a logout for
// it, and forgets it.
func TestLogoutSendsNothingForARefusedSession(t *testing.T) {
	b := &memoryBackend{}
	c := newCache(auth.Config{}, b)
	ctx := context.Background()
	s, err := c.Session(ctx)
	require.NoError(t, err)
	b.forget(s.ID)
	b.loginErr = &auth.Error{Provider: "memory", Op: auth.OpLogin, Err: auth.ErrUnavailable}
	_, err = c.Refresh(ctx, s) // refused; the new login fails
	requireSentinel(t, err, auth.ErrUnavailable)

	require.NoError(t, c.Logout(ctx))
	assert.Zero(t, b.logouts.Load(), "a logout was sent for the refused session")
}

// A Logout on a replica that holds no session ends the fleet's session
// with one look at the store: the record it loaded is the one it removes.
func TestFleetLogoutWithoutAHeldSessionLoadsOnce(t *testing.T) {
	store, vendor := &auth.MemoryStore{}, &memoryBackend{}
	ctx := context.Background()
	_, err := newReplica(store, vendor, auth.Config{}).Session(ctx)
	require.NoError(t, err)

	spy := &spyStore{SessionStore: store}
	require.NoError(t, newReplica(spy, vendor, auth.Config{}).Logout(ctx))
	assert.Equal(t, 1, spy.count(auth.StoreLoad))
	assert.Equal(t, 1, spy.count(auth.StoreInvalidate))
	assert.Zero(t, vendor.liveSessions(), "the fleet's session is ended")
	r, err := store.Load(ctx, newReplica(store, vendor, auth.Config{}).Account())
	require.NoError(t, err)
	assert.Nil(t, r, "the record is removed")
}
