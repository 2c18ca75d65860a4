package authtest

import (
	"sync"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// contenders is how many goroutines ask for one lease at once.
const contenders = 50

// exclusiveRounds is how many times the contenders race, the winner
// releasing in between.
const exclusiveRounds = 3

func testStoreLeaseExclusive(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	var prev uint64
	for round := range exclusiveRounds {
		var (
			wg     sync.WaitGroup
			start  = make(chan struct{})
			leases = make([]auth.Lease, contenders)
			errs   = make([]error, contenders)
		)
		for i := range contenders {
			wg.Go(func() {
				<-start
				leases[i], errs[i] = s.Lease(ctx, accountA)
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("round %d: two of %d concurrent Lease calls won (tokens %d and %d)", round, contenders, leases[winner].Token, leases[i].Token)
				}
				winner = i
				continue
			}
			wantHeld(t, err, "Lease while another contender holds the lease")
		}
		if winner < 0 {
			t.Fatalf("round %d: none of %d concurrent Lease calls won", round, contenders)
		}
		l := leases[winner]
		if l.Token <= prev {
			t.Fatalf("round %d: token %d after %d: tokens must grow", round, l.Token, prev)
		}
		prev = l.Token
		requireNoError(t, s.Release(ctx, accountA, l), "Release by the winner")
	}
}

func testStoreTokensIncrease(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	var prev uint64
	for i := range 5 {
		l := mustLease(t, ctx, s, accountA)
		if l.Token <= prev {
			t.Fatalf("lease %d has token %d after %d: tokens must grow", i, l.Token, prev)
		}
		prev = l.Token
		// Renewing changes no token: the next lease still beats it.
		requireNoError(t, s.Renew(ctx, accountA, l), "Renew")
		requireNoError(t, s.Release(ctx, accountA, l), "Release")
	}
}

func testStoreRenewKeepsLease(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	l := mustLease(t, ctx, s, accountA)
	// Hold the lease for three TTLs by renewing it every quarter TTL; a
	// contender must find it held every time.
	deadline := time.Now().Add(3 * l.TTL)
	for time.Now().Before(deadline) {
		time.Sleep(l.TTL / 4)
		requireNoError(t, s.Renew(ctx, accountA, l), "Renew of the held lease")
		_, err := s.Lease(ctx, accountA)
		wantHeld(t, err, "Lease while the holder renews")
	}
	// A token that was never issued renews nothing.
	wantLost(t, s.Renew(ctx, accountA, auth.Lease{Token: l.Token + 1000, TTL: l.TTL}), "Renew with a token never issued")
	_, err := s.Lease(ctx, accountA)
	wantHeld(t, err, "Lease after a Renew with another token")

	// Once the holder stops renewing, the lease lapses.
	waitLapse(l.TTL)
	l2 := mustLease(t, ctx, s, accountA)
	if l2.Token <= l.Token {
		t.Fatalf("lease after a lapse has token %d, not above %d", l2.Token, l.Token)
	}
}

func testStoreRenewAfterLapse(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	l := mustLease(t, ctx, s, accountA)
	waitLapse(l.TTL)
	// No one took the lease over, but it lapsed: it is no longer held.
	wantLost(t, s.Renew(ctx, accountA, l), "Renew of a lapsed lease")
	l2 := mustLease(t, ctx, s, accountA)
	if l2.Token <= l.Token {
		t.Fatalf("lease after a lapse has token %d, not above %d", l2.Token, l.Token)
	}
	// A Release of a lease given up already does nothing.
	requireNoError(t, s.Release(ctx, accountA, l2), "Release")
	requireNoError(t, s.Release(ctx, accountA, l2), "second Release")
	requireNoError(t, s.Release(ctx, accountA, l), "Release of a lapsed lease")
}

func testStoreTakeoverAfterLapse(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	old := mustLease(t, ctx, s, accountA)
	waitLapse(old.TTL)
	l := mustLease(t, ctx, s, accountA)
	if l.Token <= old.Token {
		t.Fatalf("lease taken over has token %d, not above the lapsed lease's %d", l.Token, old.Token)
	}
	// The old holder wakes up: it can neither renew nor release the new
	// holder's lease.
	wantLost(t, s.Renew(ctx, accountA, old), "Renew by the holder the lease was taken from")
	requireNoError(t, s.Release(ctx, accountA, old), "Release by the holder the lease was taken from (must do nothing)")
	_, err := s.Lease(ctx, accountA)
	wantHeld(t, err, "Lease after the old holder's Release")
	requireNoError(t, s.Renew(ctx, accountA, l), "Renew by the new holder")
	requireNoError(t, s.Release(ctx, accountA, l), "Release by the new holder")
	l3 := mustLease(t, ctx, s, accountA)
	if l3.Token <= l.Token {
		t.Fatalf("token %d after %d: tokens must grow", l3.Token, l.Token)
	}
}

func testStoreFencing(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	exp := time.Now().Add(time.Hour)
	stale, fresh := testRecord("stale", exp), testRecord("fresh", exp)

	old := mustLease(t, ctx, s, accountA)
	waitLapse(old.TTL)
	l := mustLease(t, ctx, s, accountA)
	// The old holder's login ends after the takeover, before the new
	// holder's: it must not publish.
	wantLost(t, s.Publish(ctx, accountA, old, stale), "Publish under a superseded lease")
	wantNoRecord(t, ctx, s, accountA, "Load after a refused Publish")

	requireNoError(t, s.Publish(ctx, accountA, l, fresh), "Publish by the new holder")
	wantLost(t, s.Publish(ctx, accountA, old, stale), "Publish under a superseded lease, after the new holder's")
	wantRecord(t, mustLoad(t, ctx, s, accountA), fresh, "Load after a stale Publish")

	// The new holder is done; the stale holder stays fenced off.
	requireNoError(t, s.Release(ctx, accountA, l), "Release")
	wantLost(t, s.Publish(ctx, accountA, old, stale), "Publish under a superseded lease, after the newer one's Release")
	wantRecord(t, mustLoad(t, ctx, s, accountA), fresh, "Load after a stale Publish")
}

func testStorePublishAfterLapse(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	// A slow login outlived its lease, but no one took a lease since: its
	// session is the newest there is, and must be shared.
	l := mustLease(t, ctx, s, accountA)
	waitLapse(l.TTL)
	r := testRecord("slow", time.Time{})
	requireNoError(t, s.Publish(ctx, accountA, l, r), "Publish under a lapsed lease no one took over")
	wantRecord(t, mustLoad(t, ctx, s, accountA), r, "Load")

	// The same after a Release.
	l2 := mustLease(t, ctx, s, accountA)
	requireNoError(t, s.Release(ctx, accountA, l2), "Release")
	r2 := testRecord("released", time.Time{})
	requireNoError(t, s.Publish(ctx, accountA, l2, r2), "Publish under a released lease no one took over")
	wantRecord(t, mustLoad(t, ctx, s, accountA), r2, "Load")
}

func testStoreAccountsIndependent(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	exp := time.Now().Add(time.Hour)
	la := mustLease(t, ctx, s, accountA)
	lb := mustLease(t, ctx, s, accountB) // A's lease does not hold B
	ra, rb := testRecord("a", exp), testRecord("b", exp)
	requireNoError(t, s.Publish(ctx, accountB, lb, rb), "Publish to B")
	wantNoRecord(t, ctx, s, accountA, "Load of A after a Publish to B")

	// Leases of B do not fence A's publisher.
	requireNoError(t, s.Release(ctx, accountB, lb), "Release of B")
	for range 3 {
		l := mustLease(t, ctx, s, accountB)
		requireNoError(t, s.Release(ctx, accountB, l), "Release of B")
	}
	requireNoError(t, s.Publish(ctx, accountA, la, ra), "Publish to A after newer leases of B")
	wantRecord(t, mustLoad(t, ctx, s, accountA), ra, "Load of A")
	wantRecord(t, mustLoad(t, ctx, s, accountB), rb, "Load of B")

	// Invalidating one account's fingerprint under the other does nothing.
	requireNoError(t, s.Invalidate(ctx, accountB, ra.Fingerprint), "Invalidate of B with A's fingerprint")
	wantRecord(t, mustLoad(t, ctx, s, accountB), rb, "Load of B after Invalidate with A's fingerprint")
	requireNoError(t, s.Invalidate(ctx, accountB, rb.Fingerprint), "Invalidate of B")
	wantNoRecord(t, ctx, s, accountB, "Load of B after its Invalidate")
	wantRecord(t, mustLoad(t, ctx, s, accountA), ra, "Load of A after B's Invalidate")

	// Releasing B's lease with A's token does nothing to A.
	requireNoError(t, s.Release(ctx, accountB, la), "Release of B with A's lease")
	_, err := s.Lease(ctx, accountA)
	wantHeld(t, err, "Lease of A after a Release of B")
	requireNoError(t, s.Renew(ctx, accountA, la), "Renew of A after B's turns")
}
