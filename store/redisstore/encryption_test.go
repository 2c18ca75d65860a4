package redisstore_test

import (
	"context"
	"crypto/sha256"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/store/redisstore"
)

// secretSession is session bytes as pbxauth encodes them: they hold a
// session ID and a username, which must not be stored in clear.
var secretSession = []byte(`{"id":"SESSIONID-7f3a9c2e51d04b86","username":"john.doe@example.onsip.com"}`)

// secretParts are the pieces of secretSession no stored byte may show.
var secretParts = []string{"SESSIONID-7f3a9c2e51d04b86", "john.doe@example.onsip.com"}

// recordKey is the Redis key of account's record under prefix.
func recordKey(prefix, account string) string { return prefix + ":{" + account + "}:rec" }

// publish leases account, publishes a record of secretSession and
// releases; it returns the record.
func publish(t *testing.T, s *redisstore.Store, account string, exp time.Time) *auth.Record {
	t.Helper()
	ctx := testContext(t)
	r := &auth.Record{Fingerprint: "fp-" + account, Session: secretSession, ExpiresAt: exp}
	l, err := s.Lease(ctx, account)
	require.NoError(t, err)
	require.NoError(t, s.Publish(ctx, account, l, r))
	require.NoError(t, s.Release(ctx, account, l))
	return r
}

// keyIDOf is the key ID a sealed record names: the first 4 bytes of the
// key's SHA-256.
func keyIDOf(key []byte) string {
	sum := sha256.Sum256(key)
	return string(sum[:4])
}

func TestKeyRotation(t *testing.T) {
	ctx := testContext(t)
	client := newClient(t)
	prefix := newPrefix()
	old := newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix})
	want := publish(t, old, "acct", time.Time{})
	data, err := client.HGet(ctx, recordKey(prefix, "acct"), "data").Result()
	require.NoError(t, err)
	assert.Equal(t, "\x01"+keyIDOf(testKey), data[:5], "format byte and the old key's ID")

	// The new key is current, the old one previous: the record still opens.
	rotated := newStore(t, client, redisstore.Options{EncryptionKey: otherKey, PreviousKeys: [][]byte{testKey}, Prefix: prefix})
	got, err := rotated.Load(ctx, "acct")
	require.NoError(t, err)
	require.NotNil(t, got, "a record sealed with a previous key")
	assert.Equal(t, want.Session, got.Session)

	// The next publish seals with the new key, which the old key's store
	// cannot open but a store with only the new key can.
	publish(t, rotated, "acct", time.Time{})
	data, err = client.HGet(ctx, recordKey(prefix, "acct"), "data").Result()
	require.NoError(t, err)
	assert.Equal(t, "\x01"+keyIDOf(otherKey), data[:5], "format byte and the new key's ID")
	newOnly := newStore(t, client, redisstore.Options{EncryptionKey: otherKey, Prefix: prefix})
	got, err = newOnly.Load(ctx, "acct")
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, want.Session, got.Session)
	_, err = old.Load(ctx, "acct")
	assert.ErrorIs(t, err, redisstore.ErrUnknownKey)
}

func TestWrongKeyIsAnError(t *testing.T) {
	ctx := testContext(t)
	client := newClient(t)
	prefix := newPrefix()
	publish(t, newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix}), "acct", time.Time{})

	wrong := newStore(t, client, redisstore.Options{EncryptionKey: otherKey, Prefix: prefix})
	r, err := wrong.Load(ctx, "acct")
	assert.True(t, r == nil, "a record opened with the wrong key")
	require.Error(t, err)
	require.True(t, checkErrorClean(t, err))
	require.ErrorIs(t, err, redisstore.ErrUnknownKey, "a record under another key is an error, not an absent record")
	assert.NotErrorIs(t, err, redisstore.ErrCorruptRecord)
	assert.Contains(t, err.Error(), "neither EncryptionKey nor one of PreviousKeys")
}

func TestRecordThatDoesNotOpen(t *testing.T) {
	client := newClient(t)
	for _, tc := range []struct {
		name   string
		tamper func(ctx context.Context, key string) error
		want   string
	}{
		{"a flipped byte", func(ctx context.Context, key string) error {
			data, err := client.HGet(ctx, key, "data").Bytes()
			if err != nil {
				return err
			}
			data[len(data)-1] ^= 1
			return client.HSet(ctx, key, "data", data).Err()
		}, "does not open"},
		{"a later expiry", func(ctx context.Context, key string) error {
			exp, err := client.HGet(ctx, key, "exp").Int64()
			if err != nil {
				return err
			}
			return client.HSet(ctx, key, "exp", strconv.FormatInt(exp+3600_000, 10)).Err()
		}, "does not open"},
		{"another fingerprint", func(ctx context.Context, key string) error {
			return client.HSet(ctx, key, "fp", "fp-other").Err()
		}, "does not open"},
		{"cut short", func(ctx context.Context, key string) error {
			return client.HSet(ctx, key, "data", "\x01ab").Err()
		}, "shorter than its header"},
		{"an unknown format", func(ctx context.Context, key string) error {
			return client.HSet(ctx, key, "data", "\x07abcdefgh").Err()
		}, "unknown format 7"},
		{"no data field", func(ctx context.Context, key string) error {
			return client.HDel(ctx, key, "data").Err()
		}, "fields missing"},
		{"an expiry that is not a time", func(ctx context.Context, key string) error {
			return client.HSet(ctx, key, "exp", "soon").Err()
		}, "expiry is not a time"},
		{"in clear", func(ctx context.Context, key string) error {
			return client.HSet(ctx, key, "data", append([]byte{0}, secretSession...)).Err()
		}, "in clear"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			prefix := newPrefix()
			s := newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix})
			publish(t, s, "acct", time.Now().Add(time.Hour))
			require.NoError(t, tc.tamper(ctx, recordKey(prefix, "acct")))
			r, err := s.Load(ctx, "acct")
			assert.True(t, r == nil, "a tampered record opened")
			require.Error(t, err)
			require.True(t, checkErrorClean(t, err))
			require.ErrorIs(t, err, redisstore.ErrCorruptRecord)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestRecordCopiedToAnotherAccount(t *testing.T) {
	ctx := testContext(t)
	client := newClient(t)
	prefix := newPrefix()
	s := newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix})
	publish(t, s, "victim", time.Time{})
	fields, err := client.HGetAll(ctx, recordKey(prefix, "victim")).Result()
	require.NoError(t, err)
	require.NoError(t, client.HSet(ctx, recordKey(prefix, "attacker"), fields).Err())
	r, err := s.Load(ctx, "attacker")
	assert.Nil(t, r)
	assert.ErrorIs(t, err, redisstore.ErrCorruptRecord, "a sealed record copied under another account must not open")
}

func TestPlaintextAndEncryptedStoresRefuseEachOthersRecords(t *testing.T) {
	ctx := testContext(t)
	client := newClient(t)
	prefix := newPrefix()
	plain := newStore(t, client, redisstore.Options{Plaintext: true, Prefix: prefix})
	sealed := newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix})

	publish(t, plain, "a", time.Time{})
	_, err := sealed.Load(ctx, "a")
	assert.ErrorIs(t, err, redisstore.ErrCorruptRecord, "an encrypting store refuses a record in clear")

	publish(t, sealed, "b", time.Time{})
	_, err = plain.Load(ctx, "b")
	assert.ErrorIs(t, err, redisstore.ErrUnknownKey, "a Plaintext store cannot open a sealed record")

	// Either way the next publish replaces the record.
	publish(t, sealed, "a", time.Time{})
	r, err := sealed.Load(ctx, "a")
	require.NoError(t, err)
	assert.NotNil(t, r)
}

// checkErrorClean fails t if err's text holds a test key or the session,
// and reports whether it holds none. Call it before any assertion that
// prints err (ErrorIs, a message quoting it) and skip those when it
// reports false.
func checkErrorClean(t *testing.T, err error) bool {
	t.Helper()
	clean := true
	for i, k := range [][]byte{testKey, otherKey} {
		if holdsKey(err.Error(), k) {
			t.Errorf("error holds key #%d", i)
			clean = false
		}
	}
	for i, p := range secretParts {
		if strings.Contains(err.Error(), p) {
			t.Errorf("error holds secret #%d", i)
			clean = false
		}
	}
	return clean
}
