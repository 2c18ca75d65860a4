package redisstore_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/store/redisstore"
)

// storedKey is one key as a scan of Redis found it.
type storedKey struct {
	name   string
	typ    string
	values []string // the string's value, or the hash's fields and values
	ttl    time.Duration
}

// scanPrefix returns every key under prefix, with its type, contents and
// TTL, as anyone who can read the Redis would see them.
func scanPrefix(t *testing.T, ctx context.Context, client *redis.Client, prefix string) []storedKey {
	t.Helper()
	return scanMatch(t, ctx, client, prefix+":*")
}

// scanMatch returns every key whose name matches the SCAN pattern match,
// as scanPrefix does.
func scanMatch(t *testing.T, ctx context.Context, client *redis.Client, match string) []storedKey {
	t.Helper()
	var out []storedKey
	iter := client.Scan(ctx, 0, match, 100).Iterator()
	for iter.Next(ctx) {
		k := storedKey{name: iter.Val()}
		var err error
		k.typ, err = client.Type(ctx, k.name).Result()
		require.NoError(t, err)
		switch k.typ {
		case "string":
			v, err := client.Get(ctx, k.name).Result()
			require.NoError(t, err)
			k.values = []string{v}
		case "hash":
			m, err := client.HGetAll(ctx, k.name).Result()
			require.NoError(t, err)
			for f, v := range m {
				k.values = append(k.values, f, v)
			}
		default:
			t.Fatalf("key %s is a %s; the store writes only strings and hashes", k.name, k.typ)
		}
		k.ttl, err = client.PTTL(ctx, k.name).Result()
		require.NoError(t, err)
		out = append(out, k)
	}
	require.NoError(t, iter.Err())
	return out
}

// encodings returns s as the ways it could show in stored bytes.
func encodings(s string) []string {
	return []string{
		s,
		hex.EncodeToString([]byte(s)),
		base64.StdEncoding.EncodeToString([]byte(s)),
		base64.RawURLEncoding.EncodeToString([]byte(s)),
	}
}

// leaked returns which secret parts the keys show, by number.
func leaked(keys []storedKey) map[int]bool {
	found := make(map[int]bool)
	for _, k := range keys {
		for i, p := range secretParts {
			for _, enc := range encodings(p) {
				if strings.Contains(k.name, enc) {
					found[i] = true
				}
				for _, v := range k.values {
					if strings.Contains(v, enc) {
						found[i] = true
					}
				}
			}
		}
	}
	return found
}

// fillAccounts leaves what a fleet leaves: a record with an expiry, one
// without, and a lease held.
func fillAccounts(t *testing.T, s *redisstore.Store) {
	t.Helper()
	ctx := testContext(t)
	publish(t, s, "acct-expiring", time.Now().Add(time.Hour))
	publish(t, s, "acct-lasting", time.Time{})
	_, err := s.Lease(ctx, "acct-leased")
	require.NoError(t, err)
}

func TestNoSecretStored(t *testing.T) {
	ctx := testContext(t)
	client := newClient(t)
	prefix := newPrefix()
	fillAccounts(t, newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix}))
	keys := scanPrefix(t, ctx, client, prefix)
	require.NotEmpty(t, keys)
	for i := range leaked(keys) {
		t.Errorf("a stored key or value holds secret #%d", i)
	}
	for _, k := range keys {
		for _, v := range k.values {
			if holdsKey(v, testKey) {
				t.Errorf("key %s holds the encryption key", k.name)
			}
		}
	}

	// The same scan of a Plaintext store finds the secrets: the check above
	// can fail.
	plainPrefix := newPrefix()
	fillAccounts(t, newStore(t, client, redisstore.Options{Plaintext: true, Prefix: plainPrefix}))
	assert.Len(t, leaked(scanPrefix(t, ctx, client, plainPrefix)), len(secretParts), "a Plaintext store keeps the session in clear")
}

// keyName is the shape of every key: prefix, hash tag, kind.
var keyName = regexp.MustCompile(`^([^{}]+):\{([^{}]+)\}:(rec|lease|fence)$`)

func TestLayout(t *testing.T) {
	ctx := testContext(t)
	client := newClient(t)
	prefix := newPrefix()
	lockTTL := 5 * time.Second
	fillAccounts(t, newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix, LockTTL: lockTTL}))
	keys := scanPrefix(t, ctx, client, prefix)

	kinds := make(map[string][]string) // account -> kinds of its keys
	for _, k := range keys {
		m := keyName.FindStringSubmatch(k.name)
		require.NotNil(t, m, "key %s is not <prefix>:{<account>}:<kind>", k.name)
		assert.Equal(t, prefix, m[1], "key %s: prefix", k.name)
		account, kind := m[2], m[3]
		kinds[account] = append(kinds[account], kind)
		assert.Greater(t, k.ttl, time.Duration(0), "key %s has no TTL", k.name)

		wantType := map[string]string{"rec": "hash", "lease": "hash", "fence": "string"}[kind]
		assert.Equal(t, wantType, k.typ, "type of %s", k.name)
		var window [2]time.Duration // the TTL the key should have
		switch {
		case kind == "lease":
			window = [2]time.Duration{lockTTL - time.Second, lockTTL}
		case kind == "fence":
			window = [2]time.Duration{redisstore.FenceTTL - time.Minute, redisstore.FenceTTL}
		case account == "acct-expiring":
			window = [2]time.Duration{time.Hour, time.Hour + redisstore.ExpiryMargin}
		case account == "acct-lasting":
			window = [2]time.Duration{redisstore.DefaultRecordTTL - time.Minute, redisstore.DefaultRecordTTL}
		}
		assert.True(t, k.ttl >= window[0] && k.ttl <= window[1], "key %s has TTL %v, want %v to %v", k.name, k.ttl, window[0], window[1])
	}
	// Every key of an account shares its hash tag: the scripts' keys fall in
	// one Cluster slot.
	assert.ElementsMatch(t, []string{"rec", "fence"}, kinds["acct-expiring"])
	assert.ElementsMatch(t, []string{"rec", "fence"}, kinds["acct-lasting"])
	assert.ElementsMatch(t, []string{"lease", "fence"}, kinds["acct-leased"])
	assert.Len(t, kinds, 3)
}

func TestRecordTTLRenewedByLoad(t *testing.T) {
	ctx := testContext(t)
	client := newClient(t)
	prefix := newPrefix()
	const recordTTL = time.Second
	s := newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix, RecordTTL: recordTTL})
	publish(t, s, "lasting", time.Time{})
	publish(t, s, "expiring", time.Now().Add(time.Hour))
	expiringTTL, err := client.PTTL(ctx, recordKey(prefix, "expiring")).Result()
	require.NoError(t, err)

	time.Sleep(recordTTL * 6 / 10)
	r, err := s.Load(ctx, "lasting")
	require.NoError(t, err)
	require.NotNil(t, r)
	ttl, err := client.PTTL(ctx, recordKey(prefix, "lasting")).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, recordTTL*8/10, "Load renews the TTL of a record without expiry")

	_, err = s.Load(ctx, "expiring")
	require.NoError(t, err)
	ttl, err = client.PTTL(ctx, recordKey(prefix, "expiring")).Result()
	require.NoError(t, err)
	assert.Less(t, ttl, expiringTTL, "Load leaves a record with an expiry to it")

	// Unused, the record goes.
	time.Sleep(recordTTL + 100*time.Millisecond)
	n, err := client.Exists(ctx, recordKey(prefix, "lasting")).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "a record no one loads for RecordTTL is gone")
	r, err = s.Load(ctx, "lasting")
	require.NoError(t, err)
	assert.Nil(t, r)
}

func TestPastExpiryRemovedFromRedis(t *testing.T) {
	ctx := testContext(t)
	client := newClient(t)
	prefix := newPrefix()
	s := newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix})
	// Past even the margin: Redis drops the record at once.
	publish(t, s, "old", time.Now().Add(-2*redisstore.ExpiryMargin))
	n, err := client.Exists(ctx, recordKey(prefix, "old")).Result()
	require.NoError(t, err)
	assert.Zero(t, n)
	// A time before 1970 is long past too.
	publish(t, s, "ancient", time.Unix(-1000, 0))
	r, err := s.Load(ctx, "ancient")
	require.NoError(t, err)
	assert.Nil(t, r)
}
