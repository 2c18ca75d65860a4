package redisstore_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/store/redisstore"
)

// roundTrips is a go-redis hook that counts what the client sends: one
// round trip per command, or per pipeline.
type roundTrips struct {
	n        atomic.Int64
	commands atomic.Pointer[[]string] // the names of the commands counted, when recording
}

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		return next(ctx, network, addr)
	}
}

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		if names := h.commands.Load(); names != nil {
			*names = append(*names, cmd.Name())
		}
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// countedClient returns a client of srv with a roundTrips hook.
func countedClient(t testing.TB) (*redis.Client, *roundTrips) {
	c := newClient(t)
	h := new(roundTrips)
	c.AddHook(h)
	return c, h
}

// TestLoadIsOneRoundTrip checks the cost of a cold Session with a record
// in Redis: one EVALSHA, even the first time after the server lost its
// scripts (EVAL then), from the next call on.
func TestLoadIsOneRoundTrip(t *testing.T) {
	ctx := testContext(t)
	client, trips := countedClient(t)
	s := newStore(t, client, redisstore.Options{EncryptionKey: testKey})
	publish(t, s, "acct", time.Now().Add(time.Hour))
	require.NoError(t, client.ScriptFlush(ctx).Err())

	var names []string
	trips.commands.Store(&names)
	r, err := s.Load(ctx, "acct")
	require.NoError(t, err)
	require.NotNil(t, r)
	assert.Equal(t, []string{"evalsha", "eval"}, names, "the first Load after SCRIPT FLUSH")

	names = nil
	const loads = 10
	for range loads {
		r, err := s.Load(ctx, "acct")
		require.NoError(t, err)
		require.NotNil(t, r)
	}
	trips.commands.Store(nil)
	assert.Len(t, names, loads, "round trips for %d Loads", loads)
	for _, n := range names {
		assert.Equal(t, "evalsha", n)
	}
}

// benchPing is a benchmark's baseline in the same run: a bare PING on
// client, the least a round trip to Redis costs.
func benchPing(client *redis.Client, trips *roundTrips) func(*testing.B) {
	return func(b *testing.B) {
		ctx := context.Background()
		trips.n.Store(0)
		for b.Loop() {
			if err := client.Ping(ctx).Err(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(trips.n.Load())/float64(b.N), "round-trips/op")
	}
}

// BenchmarkLoad measures a Load of a present record, the store's part of a
// cold Session, against a bare PING in the same run; round-trips/op counts
// what the client sent.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	client, trips := countedClient(b)
	b.Run("baseline-ping", benchPing(client, trips))
	for _, tc := range []struct {
		name string
		opts redisstore.Options
	}{
		{"plaintext", redisstore.Options{Plaintext: true}},
		{"encrypted", redisstore.Options{EncryptionKey: testKey}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := newStore(b, client, tc.opts)
			benchPublish(b, s, "acct")
			if _, err := s.Load(ctx, "acct"); err != nil { // the server learns the script
				b.Fatal(err)
			}
			trips.n.Store(0)
			b.ReportAllocs()
			for b.Loop() {
				if r, err := s.Load(ctx, "acct"); err != nil || r == nil {
					b.Fatalf("Load: record %v, error %v", r != nil, err)
				}
			}
			b.ReportMetric(float64(trips.n.Load())/float64(b.N), "round-trips/op")
		})
	}
}

// BenchmarkLeasePublishRelease measures what one login costs the store.
func BenchmarkLeasePublishRelease(b *testing.B) {
	ctx := context.Background()
	client, trips := countedClient(b)
	s := newStore(b, client, redisstore.Options{EncryptionKey: testKey})
	r := &auth.Record{Fingerprint: "fp", Session: secretSession, ExpiresAt: time.Now().Add(time.Hour)}
	benchPublish(b, s, "acct")
	trips.n.Store(0)
	b.ReportAllocs()
	for b.Loop() {
		l, err := s.Lease(ctx, "acct")
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Publish(ctx, "acct", l, r); err != nil {
			b.Fatal(err)
		}
		if err := s.Release(ctx, "acct", l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(trips.n.Load())/float64(b.N), "round-trips/op")
}

// benchPublish publishes a record of secretSession for account.
func benchPublish(b *testing.B, s *redisstore.Store, account string) {
	b.Helper()
	ctx := context.Background()
	l, err := s.Lease(ctx, account)
	if err != nil {
		b.Fatal(err)
	}
	r := &auth.Record{Fingerprint: "fp", Session: secretSession, ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.Publish(ctx, account, l, r); err != nil {
		b.Fatal(err)
	}
	if err := s.Release(ctx, account, l); err != nil {
		b.Fatal(err)
	}
}
