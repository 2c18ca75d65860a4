package authtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// RunStore runs the contract every [auth.SessionStore] passes, in the manner
// of golang.org/x/net/nettest's TestConn: each subtest gets a fresh, empty
// store from newStore and checks one promise of the interface — lease
// exclusivity under concurrency, fencing tokens that only grow, renewal,
// takeover after a lapse, fencing of a stale publisher, faithful records,
// expiry, compare-and-delete, independent accounts, cancelled contexts, and
// a race-free mix of every call.
//
// newStore registers whatever it starts with t.Cleanup and fails t when it
// cannot make a store. A store that lives outside the process gives every
// store it returns a namespace of its own (a unique key prefix, say), since
// the suite reuses account names.
//
// The suite waits for leases to lapse, and learns how long from
// [auth.Lease].TTL: newStore should configure a short lease TTL, about 200 ms
// to 1 s. Shorter makes renewals race the scheduler on a loaded machine;
// longer only slows the suite, which fails a store whose TTL exceeds
// [MaxStoreTTL]. With 300 ms the suite takes a few seconds.
//
// A record's ExpiresAt must come back within a millisecond of what was
// published and never later (a store may truncate it to milliseconds, so
// that no replica serves a session past the publisher's expiry); a zero
// ExpiresAt comes back zero. Fingerprint and Session come back exactly.
//
// Subtests run one after another, not in parallel, because several measure
// time against the lease TTL.
func RunStore(t *testing.T, newStore func(t *testing.T) auth.SessionStore) {
	t.Helper()
	for _, tc := range []struct {
		name string
		run  func(*testing.T, auth.SessionStore)
	}{
		{"LoadEmpty", testStoreLoadEmpty},
		{"LeaseExclusive", testStoreLeaseExclusive},
		{"TokensIncrease", testStoreTokensIncrease},
		{"RenewKeepsLease", testStoreRenewKeepsLease},
		{"RenewAfterLapseFails", testStoreRenewAfterLapse},
		{"TakeoverAfterLapse", testStoreTakeoverAfterLapse},
		{"RoundTrip", testStoreRoundTrip},
		{"RecordNotAliased", testStoreRecordNotAliased},
		{"PublishReplaces", testStorePublishReplaces},
		{"FencingRejectsStalePublisher", testStoreFencing},
		{"PublishAfterLapse", testStorePublishAfterLapse},
		{"ExpiredRecordNotReturned", testStoreExpiredRecord},
		{"CompareAndDelete", testStoreCompareAndDelete},
		{"AccountsIndependent", testStoreAccountsIndependent},
		{"PublishNilRecord", testStorePublishNilRecord},
		{"CancelledContext", testStoreCancelledContext},
		{"ConcurrentMix", testStoreConcurrentMix},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if s == nil {
				t.Fatal("authtest: newStore returned a nil store")
			}
			tc.run(t, s)
		})
	}
}

// MaxStoreTTL is the longest lease TTL [RunStore] accepts: it waits for
// leases to lapse several times, and a long TTL would make it crawl.
const MaxStoreTTL = 5 * time.Second

// The accounts the suite uses. Real account names are opaque hashes made by
// pbxauth; a store must not read meaning into them.
const (
	accountA = "authtest-account-a"
	accountB = "authtest-account-b"
)

// storeTimeout bounds every subtest's calls, so a store that hangs fails the
// subtest instead of the whole test binary.
const storeTimeout = 30 * time.Second

// storeContext returns a context for one subtest's store calls.
func storeContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	t.Cleanup(cancel)
	return ctx
}

// mustLease takes account's lease and checks what the suite relies on: a
// token, and a TTL it can wait for.
func mustLease(t *testing.T, ctx context.Context, s auth.SessionStore, account string) auth.Lease {
	t.Helper()
	l, err := s.Lease(ctx, account)
	if err != nil {
		t.Fatalf("Lease of a free account: %v", err)
	}
	switch {
	case l.Token == 0:
		t.Fatal("Lease returned token 0: tokens must be greater than every one issued before, and 0 is the zero Lease's")
	case l.TTL <= 0:
		t.Fatalf("Lease.TTL is %v: the suite needs the lease's TTL to know how long to wait", l.TTL)
	case l.TTL > MaxStoreTTL:
		t.Fatalf("Lease.TTL is %v: give the suite a store with a TTL of about 200ms to 1s (at most %v)", l.TTL, MaxStoreTTL)
	}
	return l
}

// wantHeld fails t unless err says the lease is held by another.
func wantHeld(t *testing.T, err error, what string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("%s: succeeded, want an error holding ErrLeaseHeld", what)
	case !errors.Is(err, auth.ErrLeaseHeld):
		t.Fatalf("%s: %v; want an error holding ErrLeaseHeld", what, err)
	case errors.Is(err, auth.ErrLeaseLost):
		t.Fatalf("%s: %v holds ErrLeaseLost as well as ErrLeaseHeld", what, err)
	}
}

// wantLost fails t unless err says the lease is lost.
func wantLost(t *testing.T, err error, what string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("%s: succeeded, want an error holding ErrLeaseLost", what)
	case !errors.Is(err, auth.ErrLeaseLost):
		t.Fatalf("%s: %v; want an error holding ErrLeaseLost", what, err)
	case errors.Is(err, auth.ErrLeaseHeld):
		t.Fatalf("%s: %v holds ErrLeaseHeld as well as ErrLeaseLost", what, err)
	}
}

// waitLapse sleeps until a lease taken now with TTL ttl has surely lapsed.
func waitLapse(ttl time.Duration) {
	time.Sleep(ttl + ttl/4 + 20*time.Millisecond)
}

// testRecord returns a record named name: its session bytes follow from its
// fingerprint (see sessionOf), so a torn record shows. exp is its
// ExpiresAt.
func testRecord(name string, exp time.Time) *auth.Record {
	fp := "fp-" + name
	return &auth.Record{Fingerprint: fp, Session: sessionOf(fp), ExpiresAt: exp}
}

// sessionOf returns the session bytes testRecord pairs with a fingerprint:
// binary, with every byte value, and different for every fingerprint.
func sessionOf(fingerprint string) []byte {
	b := []byte("session of " + fingerprint + ":")
	for i := range 256 {
		b = append(b, byte(i))
	}
	return append(b, fingerprint...)
}

// mustLoad loads account's record, failing t on error.
func mustLoad(t *testing.T, ctx context.Context, s auth.SessionStore, account string) *auth.Record {
	t.Helper()
	r, err := s.Load(ctx, account)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return r
}

// wantRecord fails t unless got is the record want was, as the suite's
// precision allows (see RunStore). It names fields, never prints bytes.
func wantRecord(t *testing.T, got, want *auth.Record, what string) {
	t.Helper()
	if msg := recordDiff(got, want); msg != "" {
		t.Fatalf("%s: %s", what, msg)
	}
}

// recordDiff says how got differs from want, or returns "".
func recordDiff(got, want *auth.Record) string {
	switch {
	case got == nil:
		return fmt.Sprintf("no record, want the one with fingerprint %q", want.Fingerprint)
	case got.Fingerprint != want.Fingerprint:
		return fmt.Sprintf("record has fingerprint %q, want %q", got.Fingerprint, want.Fingerprint)
	case !bytes.Equal(got.Session, want.Session):
		return fmt.Sprintf("record's Session differs from the one published (%d bytes, want %d)", len(got.Session), len(want.Session))
	case want.ExpiresAt.IsZero() != got.ExpiresAt.IsZero():
		return fmt.Sprintf("record's ExpiresAt is %v, want %v", got.ExpiresAt, want.ExpiresAt)
	case got.ExpiresAt.After(want.ExpiresAt):
		return fmt.Sprintf("record's ExpiresAt %v is later than the published %v", got.ExpiresAt, want.ExpiresAt)
	case want.ExpiresAt.Sub(got.ExpiresAt) >= time.Millisecond:
		return fmt.Sprintf("record's ExpiresAt %v is a millisecond or more before the published %v", got.ExpiresAt, want.ExpiresAt)
	}
	return ""
}

// wantNoRecord fails t unless account has no record.
func wantNoRecord(t *testing.T, ctx context.Context, s auth.SessionStore, account, what string) {
	t.Helper()
	if r := mustLoad(t, ctx, s, account); r != nil {
		t.Fatalf("%s: Load returned the record with fingerprint %q, want none", what, r.Fingerprint)
	}
}

func testStoreLoadEmpty(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	wantNoRecord(t, ctx, s, accountA, "Load from an empty store")
	// Nothing published, but leased: still no record.
	l := mustLease(t, ctx, s, accountA)
	wantNoRecord(t, ctx, s, accountA, "Load of a leased account")
	requireNoError(t, s.Release(ctx, accountA, l), "Release")
	wantNoRecord(t, ctx, s, accountA, "Load after Release")
}

func testStorePublishNilRecord(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	l := mustLease(t, ctx, s, accountA)
	if err := s.Publish(ctx, accountA, l, nil); err == nil {
		t.Fatal("Publish of a nil record succeeded, want an error")
	}
	wantNoRecord(t, ctx, s, accountA, "Load after Publish of a nil record")
}
