package redisstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
	"github.com/pbxauth/pbxauth/store/redisstore"
)

// TestFleetColdSessionRoundTrips checks what a replica that holds nothing
// pays for the fleet's session: one round trip to Redis, no login.
func TestFleetColdSessionRoundTrips(t *testing.T) {
	a := onsipAccount(newOnSIP(t), "erin@example.onsip.com", "erin-pw-0123456789")
	prefix := newPrefix()
	_, err := a.replica(t, fleetStore(t, prefix, 0)).Session(testContext(t)) // publishes, and Redis learns the scripts
	require.NoError(t, err)

	client, trips := countedClient(t)
	// A replica's client has its connection: the HELLO that opens one is
	// the process's cost, not the Session's.
	require.NoError(t, client.Ping(testContext(t)).Err())
	cold := a.replica(t, newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix}))
	var names []string
	trips.commands.Store(&names)
	_, err = cold.Session(testContext(t))
	require.NoError(t, err)
	trips.commands.Store(nil)
	assert.Equal(t, []string{"evalsha"}, names, "a cold Session is one Load")
	assert.Equal(t, 1, a.vendor.Logins())
}

// BenchmarkColdSession measures a Session of a new authenticator (nothing
// held) that finds the fleet's record in Redis, against the same without a
// store (a login at the fake OnSIP) and a bare PING, in one run;
// round-trips/op counts what the Redis client sent.
func BenchmarkColdSession(b *testing.B) {
	ctx := context.Background()
	srv := onsiptest.NewServer()
	b.Cleanup(srv.Close)
	a := onsipAccount(srv, "bench@example.onsip.com", "bench-pw-0123456789")
	client, trips := countedClient(b)
	open := func(b *testing.B, store auth.SessionStore) auth.Authenticator {
		cfg := a.cfg
		cfg.Store = store
		au, err := a.open(cfg)
		if err != nil {
			b.Fatal(err)
		}
		return au
	}

	b.Run("baseline-ping", benchPing(client, trips))
	b.Run("no-store-login", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			au := open(b, nil)
			if _, err := au.Session(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			_ = au.Logout(ctx) // the fake keeps no session per iteration
			b.StartTimer()
		}
	})
	b.Run("redis-record", func(b *testing.B) {
		store := newStore(b, client, redisstore.Options{EncryptionKey: testKey})
		if _, err := open(b, store).Session(ctx); err != nil { // publishes the record
			b.Fatal(err)
		}
		logins := srv.Logins()
		trips.n.Store(0)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := open(b, store).Session(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(trips.n.Load())/float64(b.N), "round-trips/op")
		if srv.Logins() != logins {
			b.Fatalf("%d logins in the benchmark: the record was not used", srv.Logins()-logins)
		}
	})
}
