package redisstore_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/store/redisstore"
)

func TestNewRefusesBadOptions(t *testing.T) {
	client := newClient(t)
	shortKey := []byte("short-key-16byte")
	longKey := []byte("long-key-0123456789abcdefghijklmnopq")
	for _, tc := range []struct {
		name string
		opts redisstore.Options
		want string
	}{
		{"neither key nor Plaintext", redisstore.Options{}, "no EncryptionKey"},
		{"key and Plaintext", redisstore.Options{EncryptionKey: testKey, Plaintext: true}, "both EncryptionKey and Plaintext"},
		{"short key", redisstore.Options{EncryptionKey: shortKey}, "EncryptionKey is 16 bytes long"},
		{"long key", redisstore.Options{EncryptionKey: longKey}, "EncryptionKey is 36 bytes long"},
		{"short previous key", redisstore.Options{EncryptionKey: testKey, PreviousKeys: [][]byte{otherKey, shortKey}}, "PreviousKeys[1] is 16 bytes long"},
		{"previous keys with Plaintext", redisstore.Options{Plaintext: true, PreviousKeys: [][]byte{otherKey}}, "PreviousKeys are set with Plaintext"},
		{"prefix with a brace", redisstore.Options{Plaintext: true, Prefix: "app{1}"}, "Prefix holds"},
		{"negative LockTTL", redisstore.Options{Plaintext: true, LockTTL: -time.Second}, "LockTTL is -1s"},
		{"LockTTL under a millisecond", redisstore.Options{Plaintext: true, LockTTL: time.Microsecond}, "LockTTL is 1µs"},
		{"negative RecordTTL", redisstore.Options{Plaintext: true, RecordTTL: -time.Hour}, "RecordTTL is -1h0m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := redisstore.New(client, tc.opts)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tc.want)
			for i, k := range [][]byte{testKey, otherKey, shortKey, longKey} {
				if holdsKey(err.Error(), k) {
					t.Errorf("the error holds key #%d", i)
				}
			}
		})
	}
}

// holdsKey reports whether text holds key, raw, in hex or in base64, or a
// good part of it.
func holdsKey(text string, key []byte) bool {
	part := key[:len(key)/2]
	for _, enc := range []string{
		string(part),
		hex.EncodeToString(part),
		base64.StdEncoding.EncodeToString(key)[:len(key)/2],
		base64.RawURLEncoding.EncodeToString(key)[:len(key)/2],
	} {
		if bytes.Contains([]byte(text), []byte(enc)) {
			return true
		}
	}
	return false
}

func TestNewRefusesNilClient(t *testing.T) {
	_, err := redisstore.New(nil, redisstore.Options{Plaintext: true})
	assert.ErrorContains(t, err, "nil client")
}

// TestNewRefusesClientIgnoringContext checks the clients New knows: each
// must set ContextTimeoutEnabled.
func TestNewRefusesClientIgnoringContext(t *testing.T) {
	opts := srv.Options()
	opts.ContextTimeoutEnabled = false
	for _, c := range []redis.UniversalClient{
		redis.NewClient(opts),
		redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}),
		redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}}),
	} {
		t.Cleanup(func() { c.Close() })
		_, err := redisstore.New(c, redisstore.Options{Plaintext: true})
		assert.ErrorContains(t, err, "ContextTimeoutEnabled", "%T", c)
	}
	ok := []redis.UniversalClient{
		redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true}),
		redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}, ContextTimeoutEnabled: true}),
		wrappedClient{newClient(t)}, // New cannot look inside: taken on trust
	}
	for _, c := range ok {
		t.Cleanup(func() { c.Close() })
		_, err := redisstore.New(c, redisstore.Options{Plaintext: true})
		assert.NoError(t, err, "%T", c)
	}
}

// wrappedClient is a client of a type New does not know, as an
// instrumentation wrapper would be.
type wrappedClient struct{ redis.UniversalClient }

func TestDefaults(t *testing.T) {
	ctx := testContext(t)
	s := newStore(t, newClient(t), redisstore.Options{Plaintext: true})
	l, err := s.Lease(ctx, "acct")
	require.NoError(t, err)
	assert.Equal(t, auth.DefaultLockTTL, l.TTL)
	require.NoError(t, s.Release(ctx, "acct", l))

	// With no Prefix, keys start with "pbxauth:".
	client := newClient(t)
	d, err := redisstore.New(client, redisstore.Options{Plaintext: true})
	require.NoError(t, err)
	account := "defaults-" + newPrefix()
	l, err = d.Lease(ctx, account)
	require.NoError(t, err)
	t.Cleanup(func() { d.Release(context.Background(), account, l) })
	ttl, err := client.PTTL(ctx, "pbxauth:{"+account+"}:lease").Result()
	require.NoError(t, err)
	assert.InDelta(t, auth.DefaultLockTTL, ttl, float64(time.Second), "the lease key's TTL")
}

func TestLockTTLInMilliseconds(t *testing.T) {
	ctx := testContext(t)
	s := newStore(t, newClient(t), redisstore.Options{Plaintext: true, LockTTL: 1500*time.Microsecond + 250*time.Millisecond})
	l, err := s.Lease(ctx, "acct")
	require.NoError(t, err)
	assert.Equal(t, 251*time.Millisecond, l.TTL, "Lease.TTL is what Redis keeps")
}

func TestAccountNamesThatBreakHashTags(t *testing.T) {
	ctx := testContext(t)
	s := newStore(t, newClient(t), redisstore.Options{Plaintext: true})
	for _, account := range []string{"", "a{b", "a}b"} {
		_, err := s.Load(ctx, account)
		assert.Error(t, err, "Load of %q", account)
		_, err = s.Lease(ctx, account)
		assert.Error(t, err, "Lease of %q", account)
		assert.Error(t, s.Renew(ctx, account, auth.Lease{Token: 1}), "Renew of %q", account)
		assert.Error(t, s.Publish(ctx, account, auth.Lease{Token: 1}, &auth.Record{Fingerprint: "fp"}), "Publish to %q", account)
		assert.Error(t, s.Invalidate(ctx, account, "fp"), "Invalidate of %q", account)
		assert.Error(t, s.Release(ctx, account, auth.Lease{Token: 1}), "Release of %q", account)
	}
}
