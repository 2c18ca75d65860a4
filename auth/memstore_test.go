package auth_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
)

// The contract (authtest.RunStore) runs on MemoryStore in auth/authtest;
// these tests cover what is MemoryStore's own: its defaults, its bad input
// and the words of its errors.

func TestMemoryStoreZeroValueUsesDefaultTTL(t *testing.T) {
	var s auth.MemoryStore
	l, err := s.Lease(context.Background(), "acct")
	require.NoError(t, err)
	assert.Equal(t, auth.DefaultLockTTL, l.TTL)
	assert.Equal(t, uint64(1), l.Token, "the first token")
}

func TestMemoryStoreLockTTL(t *testing.T) {
	s := &auth.MemoryStore{LockTTL: 40 * time.Millisecond}
	ctx := context.Background()
	l, err := s.Lease(ctx, "acct")
	require.NoError(t, err)
	assert.Equal(t, 40*time.Millisecond, l.TTL)
	time.Sleep(60 * time.Millisecond)
	l2, err := s.Lease(ctx, "acct")
	require.NoError(t, err, "lease after the TTL passed")
	assert.Greater(t, l2.Token, l.Token)
}

func TestMemoryStoreNegativeLockTTL(t *testing.T) {
	s := &auth.MemoryStore{LockTTL: -time.Second}
	_, err := s.Lease(context.Background(), "acct")
	require.ErrorContains(t, err, "LockTTL is negative")
	assert.NotErrorIs(t, err, auth.ErrLeaseHeld)
}

func TestMemoryStoreBadInput(t *testing.T) {
	var s auth.MemoryStore
	ctx := context.Background()
	l, err := s.Lease(ctx, "acct")
	require.NoError(t, err)
	assert.ErrorContains(t, s.Publish(ctx, "acct", l, nil), "nil record")

	_, err = s.Load(ctx, "")
	assert.ErrorContains(t, err, "empty account")
	_, err = s.Lease(ctx, "")
	assert.ErrorContains(t, err, "empty account")
	assert.ErrorContains(t, s.Renew(ctx, "", l), "empty account")
	assert.ErrorContains(t, s.Publish(ctx, "", l, &auth.Record{Fingerprint: "fp"}), "empty account")
	assert.ErrorContains(t, s.Invalidate(ctx, "", "fp"), "empty account")
	assert.ErrorContains(t, s.Release(ctx, "", l), "empty account")
}

// TestMemoryStoreErrorsSayWhatHappened checks that a lease error names the
// tokens involved, which is what an operator reading a log line needs.
func TestMemoryStoreErrorsSayWhatHappened(t *testing.T) {
	s := &auth.MemoryStore{LockTTL: 30 * time.Millisecond}
	ctx := context.Background()
	l1, err := s.Lease(ctx, "acct")
	require.NoError(t, err)

	_, err = s.Lease(ctx, "acct")
	require.ErrorIs(t, err, auth.ErrLeaseHeld)
	assert.Contains(t, err.Error(), "more)", "says how long the lease is still held")

	time.Sleep(50 * time.Millisecond)
	err = s.Renew(ctx, "acct", l1)
	require.ErrorIs(t, err, auth.ErrLeaseLost)
	assert.Contains(t, err.Error(), "lapsed")

	l2, err := s.Lease(ctx, "acct")
	require.NoError(t, err)
	err = s.Renew(ctx, "acct", l1)
	require.ErrorIs(t, err, auth.ErrLeaseLost)
	assert.Contains(t, err.Error(), "lease "+strconv.FormatUint(l2.Token, 10)+" holds the account")

	err = s.Publish(ctx, "acct", l1, &auth.Record{Fingerprint: "fp"})
	require.ErrorIs(t, err, auth.ErrLeaseLost)
	assert.Contains(t, err.Error(), "publish under lease "+strconv.FormatUint(l1.Token, 10)+" refused")

	require.NoError(t, s.Release(ctx, "acct", l2))
	err = s.Renew(ctx, "acct", l2)
	require.ErrorIs(t, err, auth.ErrLeaseLost)
	assert.Contains(t, err.Error(), "no lease is held")
}

// TestMemoryStoreCancelledContext checks the exact error: the context's own.
func TestMemoryStoreCancelledContext(t *testing.T) {
	var s auth.MemoryStore
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Load(ctx, "acct")
	assert.Equal(t, context.Canceled, err)
	_, err = s.Lease(ctx, "acct")
	assert.Equal(t, context.Canceled, err)
	assert.Equal(t, context.Canceled, s.Publish(ctx, "acct", auth.Lease{}, &auth.Record{}))
}

// TestMemoryStoreRecordWithoutMonotonicClock checks that a stored ExpiresAt
// is compared by the wall clock, as one from another process would be.
func TestMemoryStoreRecordWithoutMonotonicClock(t *testing.T) {
	var s auth.MemoryStore
	ctx := context.Background()
	l, err := s.Lease(ctx, "acct")
	require.NoError(t, err)
	exp := time.Now().Add(time.Hour) // carries a monotonic reading
	require.NoError(t, s.Publish(ctx, "acct", l, &auth.Record{Fingerprint: "fp", Session: []byte("s"), ExpiresAt: exp}))
	r, err := s.Load(ctx, "acct")
	require.NoError(t, err)
	require.NotNil(t, r)
	assert.Equal(t, exp.Round(0), r.ExpiresAt, "ExpiresAt comes back without its monotonic reading")
}

func BenchmarkMemoryStore(b *testing.B) {
	ctx := context.Background()
	// The Loads' store: one record, published once, which Load only reads.
	var published auth.MemoryStore
	l, err := published.Lease(ctx, "acct")
	require.NoError(b, err)
	require.NoError(b, published.Publish(ctx, "acct", l, &auth.Record{Fingerprint: "fp", Session: make([]byte, 256)}))
	b.Run("Load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r, err := published.Load(ctx, "acct"); err != nil || r == nil {
				b.Fatal("Load lost the record")
			}
		}
	})
	b.Run("LoadParallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if r, err := published.Load(ctx, "acct"); err != nil || r == nil {
					b.Error("Load lost the record")
					return
				}
			}
		})
	})
	b.Run("LeasePublishRelease", func(b *testing.B) {
		var s auth.MemoryStore
		rec := &auth.Record{Fingerprint: "fp", Session: make([]byte, 256)}
		b.ReportAllocs()
		for b.Loop() {
			l, err := s.Lease(ctx, "acct")
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Publish(ctx, "acct", l, rec); err != nil {
				b.Fatal(err)
			}
			if err := s.Release(ctx, "acct", l); err != nil {
				b.Fatal(err)
			}
		}
	})
}
