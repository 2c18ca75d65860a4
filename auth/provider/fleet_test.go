package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// The fleet's tests run several "replicas" of one account in one process:
// Caches that share one store and one vendor, as the replicas of an
// application share Redis and the vendor's API. Every test counts the
// logins and the live sessions at the vendor.

// testLockTTL is the store's LockTTL where a test waits for a lease to
// lapse: short, but long enough that a living holder renews in time on a
// loaded machine.
const testLockTTL = 300 * time.Millisecond

// within is how long a test waits for something that happens promptly.
const within = 10 * time.Second

// fleetSize is how many replicas share an account in the tests.
const fleetSize = 5

func TestFleetColdStampedeLogsInOnce(t *testing.T) {
	vendor := &memoryBackend{}
	store := &auth.MemoryStore{}
	replicas := newReplicas(fleetSize, store, vendor, auth.Config{})
	const callers = 100
	ids := make([][]auth.Secret, len(replicas))
	var wg sync.WaitGroup
	for i, r := range replicas {
		ids[i] = make([]auth.Secret, callers)
		for j := range callers {
			wg.Go(func() {
				s, err := r.Session(context.Background())
				if assert.NoError(t, err) {
					ids[i][j] = s.ID
				}
			})
		}
	}
	wg.Wait()

	assert.EqualValues(t, 1, vendor.logins.Load(), "logins for %d replicas × %d callers", fleetSize, callers)
	assert.Equal(t, 1, vendor.liveSessions())
	for i := range ids {
		for _, id := range ids[i] {
			requireSameID(t, ids[0][0], id, "every caller of every replica holds the one session")
		}
	}
	shared, fallbacks, takeovers := 0, 0, 0
	for _, r := range replicas {
		shared += r.events.count("shared")
		takeovers += r.events.count("takeover")
		for _, op := range everyOp {
			fallbacks += r.events.count("fallback:" + string(op))
		}
	}
	assert.Equal(t, fleetSize-1, shared, "every replica but the one that logged in took the published session")
	assert.Zero(t, fallbacks)
	assert.Zero(t, takeovers, "no holder died")
}

// A replica that holds nothing takes the published session: no login, and
// the SessionShared hook says so.
func TestFleetReplicaAdoptsThePublishedSession(t *testing.T) {
	ctx := context.Background()
	vendor := &memoryBackend{}
	store := &auth.MemoryStore{}
	first := newReplica(store, vendor, auth.Config{})
	s, err := first.Session(ctx)
	require.NoError(t, err)

	later := newReplica(store, vendor, auth.Config{})
	got, err := later.Session(ctx)
	require.NoError(t, err)
	sameID(t, s.ID, got.ID, "the published session")
	assert.Equal(t, s.UserID, got.UserID)
	assert.Equal(t, "memory", got.Provider)
	assert.True(t, s.IssuedAt.Equal(got.IssuedAt), "the publisher's IssuedAt")
	assert.EqualValues(t, 1, vendor.logins.Load())
	assert.Equal(t, 1, later.events.count("shared"))
	assert.Zero(t, later.events.count("start:first"), "no login began")
	assert.Zero(t, first.events.count("shared"), "the publisher took nothing from the store")

	// Held now: the store is not asked again.
	spy := &spyStore{SessionStore: store}
	third := newReplica(spy, vendor, auth.Config{})
	for range 10 {
		_, err := third.Session(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, spy.count(auth.StoreLoad), "one Load, then the held session")
	assert.Equal(t, 1, spy.total())
}

// A refusal invalidates the record only while it holds the refused
// session: a replica that saw an old session refused takes the fresh one
// instead of deleting it.
func TestFleetRefusalInvalidatesOnlyTheRefusedSession(t *testing.T) {
	ctx := context.Background()
	vendor := &memoryBackend{}
	store := &auth.MemoryStore{}
	a, b := newReplica(store, vendor, auth.Config{}), newReplica(store, vendor, auth.Config{})
	old, err := a.Session(ctx)
	require.NoError(t, err)
	_, err = b.Session(ctx)
	require.NoError(t, err)

	vendor.forget(old.ID) // the session died at the vendor
	fresh, err := call(ctx, a, vendor)
	require.NoError(t, err)
	requireOtherID(t, old.ID, fresh.ID, "a new session after the refusal")
	assert.EqualValues(t, 2, vendor.logins.Load())

	// b still holds the old session; its refusal must not delete the
	// fresh record.
	got, err := call(ctx, b, vendor)
	require.NoError(t, err)
	sameID(t, fresh.ID, got.ID, "the stale replica takes the fresh session")
	assert.EqualValues(t, 2, vendor.logins.Load(), "no login for a stale refusal")
	assert.Equal(t, 2, b.events.count("shared"), "b took the first session and the fresh one")

	r, err := store.Load(ctx, a.Account())
	require.NoError(t, err)
	require.NotNil(t, r, "the fresh record survived the stale refusal")
	c := newReplica(store, vendor, auth.Config{})
	got, err = c.Session(ctx)
	require.NoError(t, err)
	sameID(t, fresh.ID, got.ID, "the record holds the fresh session")
	assert.EqualValues(t, 2, vendor.logins.Load())
	assert.Equal(t, 1, vendor.liveSessions())
	assert.Zero(t, vendor.logouts.Load(), "a refused session is gone: nothing to log out")
}

// A refusal seen by every replica at once costs one login fleet-wide.
func TestFleetRefusalEverywhereCostsOneLogin(t *testing.T) {
	ctx := context.Background()
	vendor := &memoryBackend{}
	replicas := newReplicas(fleetSize, &auth.MemoryStore{}, vendor, auth.Config{})
	old, err := replicas[0].Session(ctx)
	require.NoError(t, err)
	for _, r := range replicas {
		_, err := r.Session(ctx)
		require.NoError(t, err)
	}
	vendor.forget(old.ID)
	var wg sync.WaitGroup
	got := make([]auth.Secret, len(replicas)*20)
	for i := range got {
		wg.Go(func() {
			s, err := call(ctx, replicas[i%len(replicas)], vendor)
			if assert.NoError(t, err) {
				got[i] = s.ID
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 2, vendor.logins.Load())
	for _, id := range got {
		sameID(t, got[0], id, "every call ends on one session")
	}
	assert.Equal(t, 1, vendor.liveSessions())
}

// Logout on one replica ends the session at the vendor and removes the
// record; every replica's next call then shares one new login.
func TestFleetLogoutEndsTheSessionEverywhere(t *testing.T) {
	ctx := context.Background()
	vendor := &memoryBackend{}
	store := &auth.MemoryStore{}
	replicas := newReplicas(3, store, vendor, auth.Config{})
	for _, r := range replicas {
		_, err := r.Session(ctx)
		require.NoError(t, err)
	}
	require.NoError(t, replicas[0].Logout(ctx))
	assert.Zero(t, vendor.liveSessions(), "the session ended at the vendor")
	assert.EqualValues(t, 1, vendor.logouts.Load())
	r, err := store.Load(ctx, replicas[0].Account())
	require.NoError(t, err)
	assert.True(t, r == nil, "the record is gone")

	var wg sync.WaitGroup
	got := make([]auth.Secret, len(replicas))
	for i, r := range replicas {
		wg.Go(func() {
			s, err := call(ctx, r, vendor)
			if assert.NoError(t, err) {
				got[i] = s.ID
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 2, vendor.logins.Load(), "one new login for the whole fleet")
	sameID(t, got[0], got[1], "replicas 0 and 1")
	sameID(t, got[0], got[2], "replicas 0 and 2")
	assert.Equal(t, 1, vendor.liveSessions())

	// A replica that holds nothing ends the fleet's session.
	idle := newReplica(store, vendor, auth.Config{})
	require.NoError(t, idle.Logout(ctx))
	assert.Zero(t, vendor.liveSessions())
	r, err = store.Load(ctx, idle.Account())
	require.NoError(t, err)
	assert.True(t, r == nil, "the record is gone")
	assert.EqualValues(t, 2, vendor.logins.Load())
}

// Logout on a replica whose session another replica already replaced (by
// an explicit Login, or a re-login after a refusal) still ends the fleet's
// session and removes the record: the account is logged out everywhere.
func TestFleetLogoutOnAStaleReplica(t *testing.T) {
	ctx := context.Background()
	vendor := &memoryBackend{}
	store := &auth.MemoryStore{}
	stale, other := newReplica(store, vendor, auth.Config{}), newReplica(store, vendor, auth.Config{})
	_, err := stale.Session(ctx)
	require.NoError(t, err)
	_, err = other.Session(ctx)
	require.NoError(t, err)
	_, err = other.Login(ctx) // stale still holds the session this replaced
	require.NoError(t, err)
	require.Equal(t, 1, vendor.liveSessions())

	require.NoError(t, stale.Logout(ctx))
	assert.Zero(t, vendor.liveSessions(), "the fleet's session outlived a Logout")
	r, err := store.Load(ctx, stale.Account())
	require.NoError(t, err)
	assert.True(t, r == nil, "the record outlived a Logout")

	_, err = call(ctx, other, vendor)
	require.NoError(t, err)
	assert.EqualValues(t, 3, vendor.logins.Load(), "the fleet logs in anew after the Logout")
	assert.Equal(t, 1, vendor.liveSessions())
}

// An explicit Login publishes its session; the session it replaces, held
// by the fleet, ends (or is renewed in place where the vendor can).
func TestFleetExplicitLoginPublishes(t *testing.T) {
	ctx := context.Background()
	t.Run("logged out", func(t *testing.T) {
		vendor := &memoryBackend{}
		store := &auth.MemoryStore{}
		a, b := newReplica(store, vendor, auth.Config{}), newReplica(store, vendor, auth.Config{})
		first, err := a.Login(ctx)
		require.NoError(t, err)
		got, err := b.Session(ctx)
		require.NoError(t, err)
		sameID(t, first.ID, got.ID, "the explicit login was published")
		assert.EqualValues(t, 1, vendor.logins.Load())

		second, err := b.Login(ctx)
		require.NoError(t, err)
		otherID(t, first.ID, second.ID, "a second explicit login")
		assert.False(t, vendor.isLive(first.ID), "the session the login replaced is logged out")
		got, err = call(ctx, a, vendor)
		require.NoError(t, err)
		sameID(t, second.ID, got.ID, "a replica on the replaced session moves to the new one")
		assert.EqualValues(t, 2, vendor.logins.Load())
		assert.Equal(t, 1, vendor.liveSessions())
	})
	t.Run("renewed in place", func(t *testing.T) {
		vendor := &memoryBackend{renews: true}
		store := &auth.MemoryStore{}
		a, b := newReplica(store, vendor, auth.Config{}), newReplica(store, vendor, auth.Config{})
		first, err := a.Session(ctx)
		require.NoError(t, err)
		second, err := b.Login(ctx)
		require.NoError(t, err)
		sameID(t, first.ID, second.ID, "the fleet's session renewed in place")
		assert.Zero(t, vendor.logouts.Load())
		assert.Equal(t, 1, vendor.liveSessions())
	})
}

// A record whose session reached its expiry is never served: the replica
// logs in, and logs the expired session out.
func TestFleetNeverServesAnExpiredRecord(t *testing.T) {
	ctx := context.Background()
	const ttl = 400 * time.Millisecond
	t.Run("store drops it", func(t *testing.T) {
		vendor := &memoryBackend{}
		store := &auth.MemoryStore{}
		a := newReplica(store, vendor, auth.Config{SessionTTL: ttl})
		old, err := a.Session(ctx)
		require.NoError(t, err)
		time.Sleep(time.Until(old.RefreshAt()))

		b := newReplica(store, vendor, auth.Config{SessionTTL: ttl})
		s, err := b.Session(ctx)
		require.NoError(t, err)
		otherID(t, old.ID, s.ID, "an expired record was served")
		assert.Zero(t, b.events.count("shared"))
		got, err := a.Session(ctx)
		require.NoError(t, err)
		sameID(t, s.ID, got.ID, "the replica whose session expired takes the new one")
		assert.EqualValues(t, 2, vendor.logins.Load())
		assert.Equal(t, 1, vendor.liveSessions())
	})
	t.Run("store serves it", func(t *testing.T) {
		// A store whose clock runs behind still serves the record; the
		// replica goes by the record's ExpiresAt.
		vendor := &memoryBackend{}
		store := &staleStore{}
		a := newReplica(store, vendor, auth.Config{SessionTTL: ttl})
		old, err := a.Session(ctx)
		require.NoError(t, err)
		time.Sleep(time.Until(old.ExpiresAt))

		b := newReplica(store, vendor, auth.Config{}) // no TTL of its own
		s, err := b.Session(ctx)
		require.NoError(t, err)
		otherID(t, old.ID, s.ID, "an expired record was served")
		assert.Zero(t, b.events.count("shared"))
		assert.False(t, vendor.isLive(old.ID), "the expired session still open at the vendor is logged out")
		assert.Equal(t, 1, vendor.liveSessions())
	})
}

// At the fleet session's expiry, the replica that replaces it in the store
// logs it out; the others move to the new session without logging the old
// one out again (a request to the vendor each, in their Session calls).
func TestFleetExpiredSessionIsLoggedOutOnce(t *testing.T) {
	ctx := context.Background()
	const ttl = 400 * time.Millisecond
	vendor := &memoryBackend{}
	replicas := newReplicas(fleetSize, &auth.MemoryStore{}, vendor, auth.Config{SessionTTL: ttl})
	var old *auth.Session
	for _, r := range replicas {
		s, err := r.Session(ctx)
		require.NoError(t, err)
		old = s
	}
	time.Sleep(time.Until(old.RefreshAt()))
	for _, r := range replicas {
		_, err := r.Session(ctx)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 2, vendor.logins.Load())
	assert.Equal(t, 1, vendor.liveSessions())
	assert.EqualValues(t, 1, vendor.logouts.Load(), "logouts of the expired fleet session")
}

// A session a replica holds by itself (it signed in while the store was
// failing) is logged out when the replica moves to the fleet's session.
func TestFleetLocalSessionIsLoggedOutOnAdoption(t *testing.T) {
	t.Parallel() // it waits out the store's rest
	ctx := context.Background()
	vendor := &memoryBackend{}
	store := &auth.MemoryStore{}
	var spy *spyStore
	spy = &spyStore{SessionStore: store, around: func(_ context.Context, op auth.StoreOp, call func() error) error {
		if op == auth.StoreLoad && spy.count(auth.StoreLoad) == 1 {
			return errStoreDown
		}
		return call()
	}}
	const ttl = 400 * time.Millisecond
	alone := newReplica(spy, vendor, auth.Config{SessionTTL: ttl})
	local, err := alone.Session(ctx) // the store failed: a login of its own
	require.NoError(t, err)
	require.Equal(t, 1, alone.events.count("fallback:load"))
	fleet, err := newReplica(store, vendor, auth.Config{}).Session(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, vendor.liveSessions())

	time.Sleep(max(time.Until(local.RefreshAt()), provider.StoreRestTime))
	got, err := alone.Session(ctx)
	require.NoError(t, err)
	sameID(t, fleet.ID, got.ID, "the replica moved to the fleet's session")
	assert.Equal(t, 1, alone.events.count("shared"))
	assert.False(t, vendor.isLive(local.ID), "the replica's own session was logged out")
	assert.Equal(t, 1, vendor.liveSessions())
}

// A store that fails, at once or by hanging, at any step, degrades to a
// login of the replica's own within about a second: the call succeeds and
// StoreFallback says which step failed.
func TestFleetStoreFailureDegradesToALocalLogin(t *testing.T) {
	for _, kind := range []struct {
		name   string
		around func(...auth.StoreOp) func(context.Context, auth.StoreOp, func() error) error
	}{{"error", failing}, {"hang", hanging}} {
		for _, op := range everyOp {
			t.Run(kind.name+"/"+string(op), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				g := new(gate)
				vendor := &memoryBackend{gate: g.login}
				mem := &auth.MemoryStore{LockTTL: testLockTTL}
				spy := &spyStore{SessionStore: mem, around: kind.around(op)}
				r := newReplica(spy, vendor, auth.Config{})
				start := time.Now()
				switch op {
				case auth.StoreInvalidate:
					// Only a refusal invalidates.
					s, err := newReplica(mem, vendor, auth.Config{}).Session(ctx)
					require.NoError(t, err)
					_, err = r.Session(ctx)
					require.NoError(t, err)
					vendor.forget(s.ID)
					start = time.Now()
					_, err = call(ctx, r, vendor)
					require.NoError(t, err)
				case auth.StoreRenew:
					// Only a login longer than a third of LockTTL renews;
					// it goes on while the renewal fails.
					g.hold(1)
					res := sessionAsync(ctx, r)
					waitFor(t, within, "a failed renewal", func() bool { return r.events.count("fallback:renew") > 0 })
					g.open(1)
					require.NoError(t, (<-res).err)
				default:
					_, err := r.Session(ctx)
					require.NoError(t, err, "a failed store never fails a call")
				}
				took := time.Since(start)
				if op == auth.StoreRenew {
					assert.Positive(t, r.events.count("fallback:"+string(op)), "StoreFallback reports the failed %s", op)
				} else {
					assert.Equal(t, 1, r.events.count("fallback:"+string(op)), "StoreFallback reports the failed %s", op)
				}
				if op != auth.StoreRenew {
					assert.Less(t, took, provider.StoreCallTimeout+500*time.Millisecond, "degraded within about a second")
				}
				assert.Equal(t, 1, vendor.liveSessions())

				// The store is left alone for a while: the next login
				// costs no store call.
				calls := spy.total()
				_, err := r.Login(ctx)
				require.NoError(t, err)
				assert.Equal(t, calls, spy.total(), "a failed store rests")
				assert.Equal(t, 1, vendor.liveSessions())
			})
		}
	}
}

// With the store down, every replica signs in by itself, once, and every
// call succeeds.
func TestFleetStoreDownEveryReplicaSignsIn(t *testing.T) {
	for _, kind := range []struct {
		name   string
		around func(...auth.StoreOp) func(context.Context, auth.StoreOp, func() error) error
	}{{"error", failing}, {"hang", hanging}} {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			vendor := &memoryBackend{}
			spy := &spyStore{SessionStore: &auth.MemoryStore{}, around: kind.around(everyOp...)}
			replicas := newReplicas(fleetSize, spy, vendor, auth.Config{})
			start := time.Now()
			var wg sync.WaitGroup
			for _, r := range replicas {
				for range 20 {
					wg.Go(func() {
						_, err := r.Session(context.Background())
						assert.NoError(t, err)
					})
				}
			}
			wg.Wait()
			assert.Less(t, time.Since(start), provider.StoreCallTimeout+500*time.Millisecond)
			assert.EqualValues(t, fleetSize, vendor.logins.Load(), "one login per replica")
			for _, r := range replicas {
				assert.Equal(t, 1, r.events.count("fallback:load"))
			}
		})
	}
}

// A holder that took the lease and never came back (its process died) is
// taken over once LockTTL passes.
func TestFleetLeaseTakeoverWhenTheHolderDies(t *testing.T) {
	ctx := context.Background()
	vendor := &memoryBackend{}
	store := &auth.MemoryStore{LockTTL: testLockTTL}
	r := newReplica(store, vendor, auth.Config{})
	_, err := store.Lease(ctx, r.Account()) // the holder that dies
	require.NoError(t, err)
	start := time.Now()
	s, err := r.Session(ctx)
	took := time.Since(start)
	require.NoError(t, err)
	assert.NotEmpty(t, s.ID)
	assert.Less(t, took, testLockTTL+time.Second, "taken over within LockTTL + 1 s")
	assert.GreaterOrEqual(t, took, testLockTTL*9/10, "the lease was free before its TTL passed")
	assert.Equal(t, 1, r.events.count("takeover"))
	assert.Equal(t, 1, r.events.count("wait:takeover"))
	assert.EqualValues(t, 1, vendor.logins.Load())

	got, err := newReplica(store, vendor, auth.Config{}).Session(ctx)
	require.NoError(t, err)
	sameID(t, s.ID, got.ID, "the replica that took over published")
	assert.Equal(t, 1, vendor.liveSessions())
}

// A holder that publishes and releases just as a waiter looks for the
// lease again hands its session over: the waiter takes the lease, finds
// the session on its second look and uses it. That is no takeover, and the
// hooks must not say one happened.
func TestFleetHandoverIsNotATakeover(t *testing.T) {
	ctx := context.Background()
	g := new(gate).hold(1)
	vendor := &memoryBackend{gate: g.login}
	store := &auth.MemoryStore{LockTTL: testLockTTL}
	holderSpy := &spyStore{SessionStore: store}
	holder := newReplica(holderSpy, vendor, auth.Config{})
	// The waiter's second Load (its first look while it waits) returns
	// nothing; before it returns, the holder publishes and releases.
	var waiterSpy *spyStore
	waiterSpy = &spyStore{SessionStore: store, around: func(_ context.Context, op auth.StoreOp, call func() error) error {
		err := call()
		if op == auth.StoreLoad && waiterSpy.count(auth.StoreLoad) == 2 {
			g.open(1)
			waitFor(t, within, "the holder's release", func() bool { return holderSpy.count(auth.StoreRelease) > 0 })
		}
		return err
	}}
	waiter := newReplica(waiterSpy, vendor, auth.Config{})
	held := sessionAsync(ctx, holder)
	<-g.began(1)
	w := <-sessionAsync(ctx, waiter)
	h := <-held
	require.NoError(t, h.err)
	require.NoError(t, w.err)
	sameID(t, h.session.ID, w.session.ID, "the waiter takes the holder's session")
	assert.EqualValues(t, 1, vendor.logins.Load())
	assert.Equal(t, 1, waiter.events.count("shared"))
	assert.Zero(t, waiter.events.count("takeover"), "LeaseTakeover reported for a holder that published")
	assert.Zero(t, waiter.events.count("wait:takeover"))
	assert.Equal(t, 1, waiter.events.count("wait:shared"), "the wait ended with the holder's session")
}

// A holder whose login outlasts LockTTL is alive: it renews its lease, so
// nobody takes it over, and the others wait for its session.
func TestFleetSlowHolderIsNotTakenOver(t *testing.T) {
	ctx := context.Background()
	g := new(gate).hold(1)
	vendor := &memoryBackend{gate: g.login}
	store := &auth.MemoryStore{LockTTL: testLockTTL}
	spy := &spyStore{SessionStore: store}
	holder, waiter := newReplica(spy, vendor, auth.Config{}), newReplica(store, vendor, auth.Config{})
	held := sessionAsync(ctx, holder)
	<-g.began(1)
	waited := sessionAsync(ctx, waiter)
	// Six renewals: the login has lasted twice LockTTL.
	waitFor(t, within, "the holder's renewals", func() bool { return spy.count(auth.StoreRenew) >= 6 })
	assert.EqualValues(t, 1, vendor.logins.Load(), "the living holder was taken over")
	select {
	case r := <-waited:
		t.Fatalf("the waiter did not wait for the holder: %v", r.err)
	default:
	}
	g.open(1)
	h, w := <-held, <-waited
	require.NoError(t, h.err)
	require.NoError(t, w.err)
	sameID(t, h.session.ID, w.session.ID, "the waiter takes the holder's session")
	assert.EqualValues(t, 1, vendor.logins.Load())
	assert.Zero(t, waiter.events.count("takeover"))
	assert.Equal(t, 1, waiter.events.count("shared"))
	assert.Equal(t, 1, vendor.liveSessions())
}

// A renewal that fails once (the store blinked) does not end the renewals:
// the holder is still alive and still logging in, and is not taken over.
func TestFleetSlowHolderSurvivesAFailedRenewal(t *testing.T) {
	ctx := context.Background()
	g := new(gate).hold(1)
	vendor := &memoryBackend{gate: g.login}
	store := &auth.MemoryStore{LockTTL: testLockTTL}
	var spy *spyStore
	spy = &spyStore{SessionStore: store, around: func(_ context.Context, op auth.StoreOp, call func() error) error {
		if op == auth.StoreRenew && spy.count(auth.StoreRenew) == 1 {
			return errStoreDown
		}
		return call()
	}}
	holder, waiter := newReplica(spy, vendor, auth.Config{}), newReplica(store, vendor, auth.Config{})
	held := sessionAsync(ctx, holder)
	<-g.began(1)
	waited := sessionAsync(ctx, waiter)
	waitFor(t, within, "the holder's renewals, or a second login", func() bool {
		return spy.count(auth.StoreRenew) >= 7 || vendor.logins.Load() > 1
	})
	assert.EqualValues(t, 1, vendor.logins.Load(), "the living holder was taken over after one failed renewal")
	g.open(1)
	h, w := <-held, <-waited
	require.NoError(t, h.err)
	require.NoError(t, w.err)
	sameID(t, h.session.ID, w.session.ID, "the waiter takes the holder's session")
	assert.Equal(t, 1, holder.events.count("fallback:renew"))
	assert.Zero(t, waiter.events.count("takeover"))
	assert.Equal(t, 1, vendor.liveSessions())
}

// A replica whose lease was superseded (it stalled past LockTTL without
// renewing, and another took over) never overwrites the newer record: it
// ends up on the newer session, and logs its own out.
func TestFleetSupersededHolderYields(t *testing.T) {
	ctx := context.Background()
	// stalled drops the holder's renewals, as if its process had stopped.
	stalled := func(_ context.Context, op auth.StoreOp, call func() error) error {
		if op == auth.StoreRenew {
			return nil
		}
		return call()
	}
	t.Run("newer published first", func(t *testing.T) {
		g := new(gate).hold(1)
		vendor := &memoryBackend{gate: g.login}
		store := &auth.MemoryStore{LockTTL: testLockTTL}
		stale := newReplica(&spyStore{SessionStore: store, around: stalled}, vendor, auth.Config{})
		newer := newReplica(store, vendor, auth.Config{})
		staleRes := sessionAsync(ctx, stale)
		<-g.began(1)
		n, err := newer.Session(ctx) // takes over after LockTTL
		require.NoError(t, err)
		assert.Equal(t, 1, newer.events.count("takeover"))

		g.open(1)
		s := <-staleRes
		require.NoError(t, s.err)
		sameID(t, n.ID, s.session.ID, "the superseded replica took the newer session")
		assert.Equal(t, 1, stale.events.count("shared"))
		assert.EqualValues(t, 2, vendor.logins.Load())
		assert.Equal(t, 1, vendor.liveSessions(), "the superseded login was logged out")
		assert.True(t, vendor.isLive(n.ID))
		got, err := newReplica(store, vendor, auth.Config{}).Session(ctx)
		require.NoError(t, err)
		sameID(t, n.ID, got.ID, "the record holds the newer session")
	})
	t.Run("newer still logging in", func(t *testing.T) {
		g := new(gate).hold(1, 2)
		vendor := &memoryBackend{gate: g.login}
		store := &auth.MemoryStore{LockTTL: testLockTTL}
		staleSpy := &spyStore{SessionStore: store, around: stalled}
		stale := newReplica(staleSpy, vendor, auth.Config{})
		newer := newReplica(store, vendor, auth.Config{})
		staleRes := sessionAsync(ctx, stale)
		<-g.began(1)
		newerRes := sessionAsync(ctx, newer)
		<-g.began(2) // took over, and logs in

		g.open(1) // the stale login ends first; its publish is refused
		waitFor(t, within, "the stale replica's publish", func() bool { return staleSpy.count(auth.StorePublish) > 0 })
		g.open(2)
		n, s := <-newerRes, <-staleRes
		require.NoError(t, n.err)
		require.NoError(t, s.err)
		sameID(t, n.session.ID, s.session.ID, "the superseded replica took the newer session")
		assert.EqualValues(t, 2, vendor.logins.Load())
		assert.Equal(t, 1, vendor.liveSessions(), "one live session at the vendor")
	})
	t.Run("newer holder died", func(t *testing.T) {
		g := new(gate).hold(1)
		vendor := &memoryBackend{gate: g.login}
		store := &auth.MemoryStore{LockTTL: testLockTTL}
		stale := newReplica(&spyStore{SessionStore: store, around: stalled}, vendor, auth.Config{})
		staleRes := sessionAsync(ctx, stale)
		<-g.began(1)
		// Another replica takes the lapsed lease, and dies.
		waitFor(t, within, "the stale lease to lapse", func() bool {
			_, err := store.Lease(ctx, stale.Account())
			return err == nil
		})
		g.open(1)
		s := <-staleRes
		require.NoError(t, s.err)
		assert.EqualValues(t, 1, vendor.logins.Load())
		assert.Equal(t, 1, vendor.liveSessions())
		got, err := newReplica(store, vendor, auth.Config{}).Session(ctx)
		require.NoError(t, err)
		sameID(t, s.session.ID, got.ID, "with no newer session, the replica's own is the fleet's")
		assert.EqualValues(t, 1, vendor.logins.Load())
	})
}

// An API-key account has no session ID to share: with a store it works as
// well as without one, and its later logins leave the store alone.
func TestFleetStatelessAccounts(t *testing.T) {
	const callers = 20
	cfg := auth.Config{Credentials: auth.Credentials{APIKey: "key-0123456789"}}
	stampede := func(t *testing.T, store auth.SessionStore) (*memoryBackend, []replica) {
		vendor := &memoryBackend{stateless: true}
		var replicas []replica
		for range fleetSize {
			if store == nil {
				replicas = append(replicas, replica{Cache: newCache(cfg, vendor), events: &hookCounts{}})
			} else {
				replicas = append(replicas, newReplica(store, vendor, cfg))
			}
		}
		var wg sync.WaitGroup
		for _, r := range replicas {
			for range callers {
				wg.Go(func() {
					s, err := r.Session(context.Background())
					if assert.NoError(t, err) {
						assert.True(t, s.Stateless())
					}
				})
			}
		}
		wg.Wait()
		return vendor, replicas
	}
	without, _ := stampede(t, nil)
	for name, around := range map[string]func(context.Context, auth.StoreOp, func() error) error{
		"store":        nil,
		"failed store": failing(everyOp...),
	} {
		t.Run(name, func(t *testing.T) {
			spy := &spyStore{SessionStore: &auth.MemoryStore{}, around: around}
			vendor, replicas := stampede(t, spy)
			assert.Equal(t, without.logins.Load(), vendor.logins.Load(), "logins with a store as without")
			assert.Zero(t, spy.count(auth.StorePublish), "nothing to publish")
			calls := spy.total()
			for _, r := range replicas {
				_, err := r.Login(context.Background())
				require.NoError(t, err)
				require.NoError(t, r.Logout(context.Background()))
			}
			assert.Equal(t, calls, spy.total(), "a stateless account leaves the store alone once known")
		})
	}
}

// A Login and a Logout with the store down end within the login deadline.
func TestFleetBoundedWithAHangingStore(t *testing.T) {
	ctx := context.Background()
	vendor := &memoryBackend{}
	spy := &spyStore{SessionStore: &auth.MemoryStore{}, around: hanging(everyOp...)}
	r := newReplica(spy, vendor, auth.Config{HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	start := time.Now()
	_, err := r.Login(ctx)
	require.NoError(t, err)
	require.NoError(t, r.Logout(ctx))
	assert.Less(t, time.Since(start), provider.StoreCallTimeout+500*time.Millisecond)
	assert.Zero(t, vendor.liveSessions())
}

// A record the store holds but cannot read (a key it was not given, a
// corrupted record) is taken as absent: the fleet logs in once, and the
// new record replaces it, so the replicas after share that one.
func TestFleetUnreadableRecordIsReplaced(t *testing.T) {
	vendor := &memoryBackend{}
	var unreadable atomic.Bool
	unreadable.Store(true)
	store := &spyStore{SessionStore: &auth.MemoryStore{}, around: func(_ context.Context, op auth.StoreOp, call func() error) error {
		if op == auth.StoreLoad && unreadable.Load() {
			return fmt.Errorf("sealed with a key this store was not given (%w)", auth.ErrRecordUnreadable)
		}
		if op == auth.StorePublish {
			unreadable.Store(false) // the record is replaced
		}
		return call()
	}}
	replicas := newReplicas(fleetSize, store, vendor, auth.Config{})
	first, err := replicas[0].Session(context.Background())
	require.NoError(t, err)
	for _, r := range replicas[1:] {
		s, err := r.Session(context.Background())
		require.NoError(t, err)
		requireSameID(t, first.ID, s.ID, "the replicas after share the new record")
	}
	assert.EqualValues(t, 1, vendor.logins.Load())
	assert.Zero(t, replicas[0].events.count("fallback:"+string(auth.StoreLoad)), "an unreadable record is not a failed store")
}

// statelessVendor is a memoryBackend that says from the start that its
// sessions carry no ID, as IPCortex's with an API key does.
type statelessVendor struct{ *memoryBackend }

func (statelessVendor) Stateless() bool { return true }

// A backend that declares itself stateless never involves the store, not
// even for its first logins: they are not serialized through the lease.
func TestFleetDeclaredStatelessSkipsTheStore(t *testing.T) {
	vendor := statelessVendor{&memoryBackend{stateless: true}}
	spy := &spyStore{SessionStore: &auth.MemoryStore{}}
	cfg := auth.Config{Credentials: auth.Credentials{APIKey: "key-0123456789"}, Store: spy}
	var wg sync.WaitGroup
	for range fleetSize {
		c := provider.NewCache("memory", cfg, testEndpoint, vendor)
		wg.Go(func() {
			_, err := c.Session(context.Background())
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Zero(t, spy.total(), "store calls for a stateless account")
	assert.EqualValues(t, fleetSize, vendor.logins.Load(), "one key check per replica, as without a store")
}
