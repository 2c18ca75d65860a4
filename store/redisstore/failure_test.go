package redisstore_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/store/redisstore"
	"github.com/pbxauth/pbxauth/store/redisstore/redistest"
)

// storeCall is one SessionStore method, called on an account.
type storeCall struct {
	op   string // as the store's errors name it
	call func(ctx context.Context, s auth.SessionStore) error
}

// everyCall calls each method once.
var everyCall = []storeCall{
	{"load", func(ctx context.Context, s auth.SessionStore) error { _, err := s.Load(ctx, "acct"); return err }},
	{"lease", func(ctx context.Context, s auth.SessionStore) error { _, err := s.Lease(ctx, "acct"); return err }},
	{"renew", func(ctx context.Context, s auth.SessionStore) error {
		return s.Renew(ctx, "acct", auth.Lease{Token: 1})
	}},
	{"publish", func(ctx context.Context, s auth.SessionStore) error {
		return s.Publish(ctx, "acct", auth.Lease{Token: 1}, &auth.Record{Fingerprint: "fp", Session: secretSession})
	}},
	{"invalidate", func(ctx context.Context, s auth.SessionStore) error { return s.Invalidate(ctx, "acct", "fp") }},
	{"release", func(ctx context.Context, s auth.SessionStore) error {
		return s.Release(ctx, "acct", auth.Lease{Token: 1})
	}},
}

// failFastWithin is how soon a call to a Redis that is down must fail: the
// connection is refused at once, and go-redis's dial retries (5 tries 100 ms
// apart, for each of up to 4 attempts) take about 1.5 s in all.
const failFastWithin = 3 * time.Second

// TestRedisDown checks that a replica boots without Redis and that every
// call then fails soon with a store error, not a lease error: the
// authenticator then signs in by itself.
func TestRedisDown(t *testing.T) {
	gone, err := redistest.Start()
	require.NoError(t, err)
	goneClient := gone.Client()
	t.Cleanup(func() { goneClient.Close() })
	goneStore := newStore(t, goneClient, redisstore.Options{EncryptionKey: testKey})
	publish(t, goneStore, "acct", time.Time{}) // Redis was up once
	gone.Stop()

	neverClient := redis.NewClient(redistest.ClientOptions(filepath.Join(t.TempDir(), "no-redis.sock")))
	t.Cleanup(func() { neverClient.Close() })
	neverStore, err := redisstore.New(neverClient, redisstore.Options{EncryptionKey: testKey})
	require.NoError(t, err, "New while Redis is down")

	for _, tc := range []struct {
		name  string
		store auth.SessionStore
	}{{"never up", neverStore}, {"gone", goneStore}} {
		t.Run(tc.name, func(t *testing.T) {
			// The calls run at once: each would wait for go-redis's few
			// quick dial retries.
			var wg sync.WaitGroup
			for _, c := range everyCall {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					start := time.Now()
					err := c.call(ctx, tc.store)
					took := time.Since(start)
					if !assert.Error(t, err, c.op) || !checkErrorClean(t, err) {
						return // what follows prints err
					}
					assert.Less(t, took, failFastWithin, "%s took %v to fail", c.op, took)
					assert.NotErrorIs(t, err, auth.ErrLeaseHeld, c.op)
					assert.NotErrorIs(t, err, auth.ErrLeaseLost, c.op)
					assert.NotErrorIs(t, err, context.DeadlineExceeded, "%s failed at its deadline, not at once", c.op)
					assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "+c.op+": "), "error %q names the store and the call", err)
				})
			}
			wg.Wait()
		})
	}
}

// silentServer accepts TCP connections and never answers, like a Redis
// that hangs. It closes everything when t ends.
func silentServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// hangDeadline is the deadline of each call to the silent server, and
// hangSlack how much later than it the call may return.
const (
	hangDeadline = 200 * time.Millisecond
	hangSlack    = 300 * time.Millisecond
)

func TestHangingRedisHonoursDeadline(t *testing.T) {
	opts := redistest.ClientOptions("")
	opts.Network, opts.Addr = "tcp", silentServer(t)
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	s := newStore(t, client, redisstore.Options{EncryptionKey: testKey})
	for _, c := range everyCall {
		ctx, cancel := context.WithTimeout(context.Background(), hangDeadline)
		start := time.Now()
		err := c.call(ctx, s)
		took := time.Since(start)
		cancel()
		require.Error(t, err, c.op)
		require.True(t, checkErrorClean(t, err), c.op) // what follows prints err
		assert.Less(t, took, hangDeadline+hangSlack, "%s took %v with a deadline of %v", c.op, took, hangDeadline)
		assert.ErrorIs(t, err, context.DeadlineExceeded, c.op)
		assert.False(t, errors.Is(err, auth.ErrLeaseHeld) || errors.Is(err, auth.ErrLeaseLost), "%s: %v", c.op, err)
	}
	// A cancel before the deadline does not interrupt go-redis's read (see
	// the package documentation): the call still ends by the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), hangDeadline)
	defer cancel()
	time.AfterFunc(hangDeadline/4, cancel)
	start := time.Now()
	_, err := s.Load(ctx, "acct")
	require.Error(t, err)
	require.True(t, checkErrorClean(t, err))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), hangDeadline+hangSlack)
}

// TestLeaseRepeatedByClient checks that a Lease call go-redis sends again
// (its answer was lost) gets its own lease back rather than finding it
// held, while another call still finds it held.
func TestLeaseRepeatedByClient(t *testing.T) {
	ctx := testContext(t)
	s := newStore(t, newClient(t), redisstore.Options{Plaintext: true})
	first, err := redisstore.LeaseWithRequest(s, ctx, "acct", "request-1")
	require.NoError(t, err)
	again, err := redisstore.LeaseWithRequest(s, ctx, "acct", "request-1")
	require.NoError(t, err, "the same call, sent again")
	assert.Equal(t, first, again)
	_, err = redisstore.LeaseWithRequest(s, ctx, "acct", "request-2")
	assert.ErrorIs(t, err, auth.ErrLeaseHeld, "another call")
}
