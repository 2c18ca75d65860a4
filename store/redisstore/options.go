package redisstore

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/redis/go-redis/v9"
)

// Options configure a [Store]. Exactly one of EncryptionKey and Plaintext
// must be set.
type Options struct {
	// EncryptionKey seals every stored session with AES-256-GCM: 32 random
	// bytes, the same on every replica (e.g. from a secret manager). It is
	// required unless Plaintext is set.
	EncryptionKey []byte
	// Plaintext stores sessions, and so the vendors' session IDs, in clear:
	// an explicit opt-out for a Redis no one else can read.
	Plaintext bool
	// PreviousKeys are keys records may still be sealed with, for key
	// rotation: a record sealed with one of them stays readable, and the
	// next login seals its record with EncryptionKey. Roll a new key out in
	// two steps: first list it in PreviousKeys everywhere, then make it
	// the EncryptionKey and list the old one here. Drop an old key once
	// RecordTTL (or the sessions' lifetime) has passed since. Each key is
	// 32 bytes.
	PreviousKeys [][]byte
	// Prefix starts every key the store writes; "" means "pbxauth". Give
	// applications that share a Redis different prefixes. It must not hold
	// '{' or '}', which would break the keys' hash tags.
	Prefix string
	// LockTTL is how long one replica's login may hold an account's lease
	// without renewing it before another may take over; 0 means
	// auth.DefaultLockTTL (10 s). A living holder renews its lease, so
	// LockTTL bounds only the wait for a replica that died mid-login. It
	// is kept to the millisecond, and at least 1 ms.
	LockTTL time.Duration
	// RecordTTL is how long a record whose session has no expiry stays in
	// Redis after it was published or last loaded; 0 means
	// DefaultRecordTTL (24 h). A record in use is loaded by every replica
	// that starts or misses its cache, which renews it; an account nobody
	// uses leaves nothing behind. A record whose session has an expiry
	// lives until then plus ExpiryMargin instead.
	RecordTTL time.Duration
}

// The defaults and the fixed lifetimes of the keys.
const (
	// DefaultPrefix is the key prefix when Options.Prefix is "".
	DefaultPrefix = "pbxauth"
	// DefaultRecordTTL is the lifetime of a record without expiry when
	// Options.RecordTTL is 0.
	DefaultRecordTTL = 24 * time.Hour
	// KeySize is the length of an encryption key: AES-256.
	KeySize = 32
	// FenceTTL is how long an account's fencing counter outlives its last
	// lease. The counter must outlive every lease and every stale holder
	// that may still try to publish under one (a login lasts up to its
	// deadline; a process may stall far longer), since a Publish that
	// finds no counter has nothing to compare its token with. Tokens start
	// from the Redis server's clock in milliseconds, so even a counter
	// lost (to its TTL or a failover) hands out tokens above the old ones.
	FenceTTL = 24 * time.Hour
	// ExpiryMargin is how long a record whose session has an expiry stays
	// in Redis past that expiry, so that replicas whose clocks run a little
	// behind Redis's still find it. No replica serves it past ExpiresAt
	// by its own clock.
	ExpiryMargin = time.Minute
)

// New returns a Store on client. It checks opts but does not talk to
// Redis, so a replica boots while Redis is down; calls fail until Redis is
// back, and the authenticator signs in by itself meanwhile.
//
// client must honour its calls' contexts, so that a Redis that hangs costs
// a call no more than its deadline: New refuses a *redis.Client,
// *redis.ClusterClient or *redis.Ring whose options leave
// ContextTimeoutEnabled unset. See the package documentation for the
// client options to use.
//
// Errors name the options at fault and never print a key.
func New(client redis.UniversalClient, opts Options) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: New: nil client")
	}
	if err := checkClient(client); err != nil {
		return nil, err
	}
	s := &Store{
		client:    client,
		prefix:    opts.Prefix,
		lockTTL:   opts.LockTTL,
		recordTTL: opts.RecordTTL,
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if strings.ContainsAny(s.prefix, "{}") {
		return nil, errors.New("redisstore: New: Prefix holds '{' or '}', which would break the keys' hash tags")
	}
	var err error
	if s.lockTTL, err = checkTTL("LockTTL", opts.LockTTL, auth.DefaultLockTTL); err != nil {
		return nil, err
	}
	if s.recordTTL, err = checkTTL("RecordTTL", opts.RecordTTL, DefaultRecordTTL); err != nil {
		return nil, err
	}
	switch {
	case opts.Plaintext && len(opts.EncryptionKey) > 0:
		return nil, errors.New("redisstore: New: both EncryptionKey and Plaintext are set; choose one")
	case opts.Plaintext && len(opts.PreviousKeys) > 0:
		return nil, errors.New("redisstore: New: PreviousKeys are set with Plaintext; they need an EncryptionKey")
	case opts.Plaintext:
		return s, nil
	case len(opts.EncryptionKey) == 0:
		return nil, errors.New("redisstore: New: no EncryptionKey: set a 32-byte key, or Plaintext to store sessions unencrypted")
	}
	if s.sealer, err = newSealer(opts.EncryptionKey, opts.PreviousKeys); err != nil {
		return nil, err
	}
	return s, nil
}

// checkTTL returns d, or def when d is 0, kept to the millisecond (what
// Redis keeps).
func checkTTL(name string, d, def time.Duration) (time.Duration, error) {
	switch {
	case d == 0:
		return def, nil
	case d < time.Millisecond:
		return 0, fmt.Errorf("redisstore: New: %s is %v; it must be at least 1ms, or 0 for the default", name, d)
	}
	return d.Truncate(time.Millisecond), nil
}

// checkClient refuses a client known not to honour its calls' contexts.
// A client of another type (a wrapper) is taken on trust.
func checkClient(client redis.UniversalClient) error {
	var ok bool
	switch c := client.(type) {
	case *redis.Client:
		ok = c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		ok = c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		ok = c.Options().ContextTimeoutEnabled
	default:
		return nil
	}
	if !ok {
		return errors.New("redisstore: New: the client's options must set ContextTimeoutEnabled, or a Redis that hangs would hold each call past its deadline (see the package documentation)")
	}
	return nil
}
