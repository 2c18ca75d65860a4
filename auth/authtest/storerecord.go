package authtest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

func testStoreRoundTrip(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	now := time.Now()
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(rand.N(256))
	}
	for _, tc := range []struct {
		name string
		rec  *auth.Record
	}{
		{"no expiry", testRecord("no-expiry", time.Time{})},
		{"expiry with nanoseconds", testRecord("ns", now.Add(time.Hour+123456789*time.Nanosecond))},
		{"expiry in another zone", testRecord("zone", now.Add(2*time.Hour).In(time.FixedZone("UTC+05:30", 5*3600+1800)))},
		{"expiry years away", testRecord("years", now.AddDate(10, 0, 0))},
		{"large session", &auth.Record{Fingerprint: "fp-large", Session: big, ExpiresAt: now.Add(time.Hour)}},
		{"fingerprint with punctuation", &auth.Record{Fingerprint: "sha256:{Zm9v}+/=_-.~ :x", Session: []byte{0}}},
	} {
		// One lease for every case: a Publish needs no lease held, only
		// none newer issued.
		l := mustLease(t, ctx, s, accountA)
		requireNoError(t, s.Publish(ctx, accountA, l, tc.rec), "Publish of the record with "+tc.name)
		requireNoError(t, s.Release(ctx, accountA, l), "Release")
		wantRecord(t, mustLoad(t, ctx, s, accountA), tc.rec, "Load of the record with "+tc.name)
	}
}

func testStoreRecordNotAliased(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	l := mustLease(t, ctx, s, accountA)
	r := testRecord("mine", time.Time{})
	want := testRecord("mine", time.Time{})
	requireNoError(t, s.Publish(ctx, accountA, l, r), "Publish")
	// The publisher reuses its buffer.
	for i := range r.Session {
		r.Session[i] ^= 0xff
	}
	got := mustLoad(t, ctx, s, accountA)
	wantRecord(t, got, want, "Load after the publisher changed its Session bytes")
	// A loader changes what it got.
	for i := range got.Session {
		got.Session[i] = 0
	}
	got.Fingerprint = "changed"
	wantRecord(t, mustLoad(t, ctx, s, accountA), want, "Load after a loader changed its record")
}

func testStorePublishReplaces(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	l := mustLease(t, ctx, s, accountA)
	r1 := testRecord("first", time.Now().Add(time.Hour))
	r2 := testRecord("second-longer-name", time.Now().Add(2*time.Hour))
	requireNoError(t, s.Publish(ctx, accountA, l, r1), "Publish")
	requireNoError(t, s.Publish(ctx, accountA, l, r2), "second Publish under the same lease")
	wantRecord(t, mustLoad(t, ctx, s, accountA), r2, "Load after two Publishes")
	requireNoError(t, s.Release(ctx, accountA, l), "Release")

	// A record without expiry replaces one with: nothing of the old lingers.
	l2 := mustLease(t, ctx, s, accountA)
	r3 := &auth.Record{Fingerprint: "fp-third", Session: []byte("short")}
	requireNoError(t, s.Publish(ctx, accountA, l2, r3), "Publish under a newer lease")
	wantRecord(t, mustLoad(t, ctx, s, accountA), r3, "Load after a Publish under a newer lease")
}

func testStoreExpiredRecord(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	l := mustLease(t, ctx, s, accountA)

	past := testRecord("past", time.Now().Add(-time.Second))
	requireNoError(t, s.Publish(ctx, accountA, l, past), "Publish of a record already expired")
	wantNoRecord(t, ctx, s, accountA, "Load of a record whose ExpiresAt passed")
	requireNoError(t, s.Invalidate(ctx, accountA, past.Fingerprint), "Invalidate of an expired record")

	lifetime := max(l.TTL, 200*time.Millisecond)
	soon := testRecord("soon", time.Now().Add(lifetime))
	requireNoError(t, s.Publish(ctx, accountA, l, soon), "Publish")
	wantRecord(t, mustLoad(t, ctx, s, accountA), soon, "Load before ExpiresAt")
	time.Sleep(time.Until(soon.ExpiresAt) + 20*time.Millisecond)
	wantNoRecord(t, ctx, s, accountA, "Load after ExpiresAt")

	// An expired record does not stand in the way of the next one.
	next := testRecord("next", time.Time{})
	requireNoError(t, s.Publish(ctx, accountA, l, next), "Publish after a record expired")
	wantRecord(t, mustLoad(t, ctx, s, accountA), next, "Load")
}

func testStoreCompareAndDelete(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	requireNoError(t, s.Invalidate(ctx, accountA, "fp-none"), "Invalidate in an empty store")

	l := mustLease(t, ctx, s, accountA)
	r := testRecord("current", time.Now().Add(time.Hour))
	requireNoError(t, s.Publish(ctx, accountA, l, r), "Publish")
	requireNoError(t, s.Invalidate(ctx, accountA, "fp-other"), "Invalidate with another fingerprint")
	wantRecord(t, mustLoad(t, ctx, s, accountA), r, "Load after Invalidate with another fingerprint")
	requireNoError(t, s.Invalidate(ctx, accountA, ""), "Invalidate with an empty fingerprint")
	wantRecord(t, mustLoad(t, ctx, s, accountA), r, "Load after Invalidate with an empty fingerprint")
	requireNoError(t, s.Invalidate(ctx, accountA, r.Fingerprint), "Invalidate with the record's fingerprint")
	wantNoRecord(t, ctx, s, accountA, "Load after Invalidate with the record's fingerprint")
	requireNoError(t, s.Invalidate(ctx, accountA, r.Fingerprint), "Invalidate of a record deleted already")

	// A replica that saw the old session refused cannot kill the fresh one.
	old, fresh := testRecord("old", time.Time{}), testRecord("fresh", time.Time{})
	requireNoError(t, s.Publish(ctx, accountA, l, old), "Publish")
	requireNoError(t, s.Publish(ctx, accountA, l, fresh), "Publish of a fresh session")
	requireNoError(t, s.Invalidate(ctx, accountA, old.Fingerprint), "Invalidate of the old session")
	wantRecord(t, mustLoad(t, ctx, s, accountA), fresh, "Load after an Invalidate of the old session")

	// Invalidate touches the record, not the lease.
	_, err := s.Lease(ctx, accountA)
	wantHeld(t, err, "Lease after Invalidate")
	wantRecord(t, mustLoad(t, ctx, s, accountA), fresh, "Load after a Lease attempt")
}
