package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/redis/go-redis/v9"
)

// Store is an [auth.SessionStore] on Redis. Make one with [New]; it is safe
// for concurrent use by any number of goroutines and processes.
type Store struct {
	client    redis.UniversalClient
	prefix    string
	lockTTL   time.Duration
	recordTTL time.Duration
	sealer    *sealer // nil with Options.Plaintext
}

var _ auth.SessionStore = (*Store)(nil)

// The errors Load reports about a record it cannot read. Either way the
// authenticator signs in anew and its Publish replaces the record.
var (
	// ErrUnknownKey: the record was sealed with a key this store was not
	// given (list the old key in Options.PreviousKeys during a rotation), or
	// it is sealed and the store was made with Plaintext.
	ErrUnknownKey = fmt.Errorf("redisstore: record sealed with an unknown key (%w)", auth.ErrRecordUnreadable)
	// ErrCorruptRecord: the record does not open with the key it names, was
	// altered, is incomplete, or is in clear while the store encrypts.
	ErrCorruptRecord = fmt.Errorf("redisstore: corrupt record (%w)", auth.ErrRecordUnreadable)
)

// keys are one account's Redis keys. They share the hash tag {account}, so
// Redis Cluster keeps them in one slot.
type keys struct {
	record, lease, fence string
}

// keysOf returns account's keys, refusing a name that would break the hash
// tag.
func (s *Store) keysOf(account string) (keys, error) {
	if account == "" {
		return keys{}, errors.New("empty account name")
	}
	if strings.ContainsAny(account, "{}") {
		return keys{}, errors.New("account name holds '{' or '}', which would break its hash tag")
	}
	base := s.prefix + ":{" + account + "}:"
	return keys{record: base + "rec", lease: base + "lease", fence: base + "fence"}, nil
}

// begin checks what every call checks before it talks to Redis: a context
// not done yet (so a call made too late does nothing) and a usable account
// name.
func (s *Store) begin(ctx context.Context, op auth.StoreOp, account string) (keys, error) {
	if err := ctx.Err(); err != nil {
		return keys{}, fmt.Errorf("redisstore: %s: %w", op, err)
	}
	k, err := s.keysOf(account)
	if err != nil {
		return keys{}, fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return k, nil
}

// failed wraps an error from Redis. When the call's context ended, the
// context's error is the one in the chain: the call gave up, which says
// nothing of Redis.
func failed(ctx context.Context, op auth.StoreOp, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("redisstore: %s: %w (%v)", op, cerr, err)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// Load returns the account's record, or nil when there is none or its
// ExpiresAt has passed by this process's clock. It takes one round trip,
// and renews the TTL of a record without expiry. A record that cannot be
// read is an error holding [ErrUnknownKey] or [ErrCorruptRecord], not an
// absent record.
func (s *Store) Load(ctx context.Context, account string) (*auth.Record, error) {
	k, err := s.begin(ctx, auth.StoreLoad, account)
	if err != nil {
		return nil, err
	}
	v, err := loadScript.Run(ctx, s.client, []string{k.record}, millis(s.recordTTL)).Slice()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, failed(ctx, auth.StoreLoad, err)
	}
	fields, ok := strings3(v)
	if !ok {
		return nil, fmt.Errorf("redisstore: load: %w: fields missing", ErrCorruptRecord)
	}
	fp, data, expText := fields[0], fields[1], fields[2]
	exp, err := strconv.ParseInt(expText, 10, 64)
	if err != nil || exp < 0 {
		return nil, fmt.Errorf("redisstore: load: %w: expiry is not a time", ErrCorruptRecord)
	}
	r := &auth.Record{Fingerprint: fp}
	if exp != 0 {
		r.ExpiresAt = time.UnixMilli(exp)
		if !time.Now().Before(r.ExpiresAt) {
			return nil, nil
		}
	}
	if r.Session, err = s.open(account, fp, exp, []byte(data)); err != nil {
		return nil, fmt.Errorf("redisstore: load: %w", err)
	}
	return r, nil
}

// strings3 returns a reply of three strings.
func strings3(v []any) ([3]string, bool) {
	var out [3]string
	if len(v) != len(out) {
		return out, false
	}
	for i, x := range v {
		s, ok := x.(string)
		if !ok {
			return out, false
		}
		out[i] = s
	}
	return out, true
}

// Lease takes the account's lease for LockTTL, with a fencing token above
// every one issued for the account. When another holds it, the error holds
// [auth.ErrLeaseHeld] and says for how long.
func (s *Store) Lease(ctx context.Context, account string) (auth.Lease, error) {
	return s.lease(ctx, account, rand.Text())
}

// lease is Lease with the call's request ID: the lease's holder, should
// go-redis send the script again.
func (s *Store) lease(ctx context.Context, account, request string) (auth.Lease, error) {
	k, err := s.begin(ctx, auth.StoreLease, account)
	if err != nil {
		return auth.Lease{}, err
	}
	v, err := leaseScript.Run(ctx, s.client, []string{k.lease, k.fence},
		millis(s.lockTTL), millis(FenceTTL), request).Slice()
	if err != nil {
		return auth.Lease{}, failed(ctx, auth.StoreLease, err)
	}
	if len(v) != 2 {
		return auth.Lease{}, fmt.Errorf("redisstore: lease: unexpected reply of %d values", len(v))
	}
	if took, _ := v[0].(int64); took != 1 {
		left, _ := v[1].(int64)
		return auth.Lease{}, fmt.Errorf("%w (for %v more)", auth.ErrLeaseHeld, time.Duration(left)*time.Millisecond)
	}
	text, _ := v[1].(string)
	token, err := strconv.ParseUint(text, 10, 64)
	if err != nil || token == 0 {
		return auth.Lease{}, errors.New("redisstore: lease: the script returned no token")
	}
	return auth.Lease{Token: token, TTL: s.lockTTL}, nil
}

// Renew extends the lease by LockTTL if it is still held under l's token;
// else the error holds [auth.ErrLeaseLost] and says who holds it now, if
// anyone.
func (s *Store) Renew(ctx context.Context, account string, l auth.Lease) error {
	k, err := s.begin(ctx, auth.StoreRenew, account)
	if err != nil {
		return err
	}
	v, err := renewScript.Run(ctx, s.client, []string{k.lease}, tokenText(l), millis(s.lockTTL)).Slice()
	if err != nil {
		return failed(ctx, auth.StoreRenew, err)
	}
	if len(v) > 0 && v[0] == int64(1) {
		return nil
	}
	if len(v) > 1 && v[1] != nil {
		return fmt.Errorf("%w: renewal of lease %d: lease %v holds the account", auth.ErrLeaseLost, l.Token, v[1])
	}
	return fmt.Errorf("%w: renewal of lease %d: no lease is held (it lapsed or was released)", auth.ErrLeaseLost, l.Token)
}

// Publish stores r as the account's record, sealed unless the store is
// Plaintext, unless a lease newer than l was issued for the account: then
// the error holds [auth.ErrLeaseLost]. The record expires from Redis
// ExpiryMargin after its ExpiresAt, or RecordTTL after its last Load when it
// has no expiry.
func (s *Store) Publish(ctx context.Context, account string, l auth.Lease, r *auth.Record) error {
	k, err := s.begin(ctx, auth.StorePublish, account)
	if err != nil {
		return err
	}
	if r == nil {
		return errors.New("redisstore: publish: nil record")
	}
	var exp int64
	mode, keyExpiry := "in", millis(s.recordTTL)
	if !r.ExpiresAt.IsZero() {
		// Truncated to the millisecond, never later than the publisher's;
		// a time before 1970 has long passed.
		exp = max(r.ExpiresAt.UnixMilli(), 1)
		mode, keyExpiry = "at", exp+ExpiryMargin.Milliseconds()
	}
	data := s.seal(account, r.Fingerprint, exp, r.Session)
	v, err := publishScript.Run(ctx, s.client, []string{k.record, k.fence},
		tokenText(l), r.Fingerprint, data, exp, mode, keyExpiry).Slice()
	if err != nil {
		return failed(ctx, auth.StorePublish, err)
	}
	if len(v) > 0 && v[0] == int64(1) {
		return nil
	}
	newer := any("?")
	if len(v) > 1 {
		newer = v[1]
	}
	return fmt.Errorf("%w: publish under lease %d refused: lease %v was issued since", auth.ErrLeaseLost, l.Token, newer)
}

// Invalidate deletes the account's record if its Fingerprint is
// fingerprint, in one step on the Redis server.
func (s *Store) Invalidate(ctx context.Context, account, fingerprint string) error {
	k, err := s.begin(ctx, auth.StoreInvalidate, account)
	if err != nil {
		return err
	}
	if err := invalidateScript.Run(ctx, s.client, []string{k.record}, fingerprint).Err(); err != nil {
		return failed(ctx, auth.StoreInvalidate, err)
	}
	return nil
}

// Release deletes the lease if it is held under l's token.
func (s *Store) Release(ctx context.Context, account string, l auth.Lease) error {
	k, err := s.begin(ctx, auth.StoreRelease, account)
	if err != nil {
		return err
	}
	if err := releaseScript.Run(ctx, s.client, []string{k.lease}, tokenText(l)).Err(); err != nil {
		return failed(ctx, auth.StoreRelease, err)
	}
	return nil
}

// seal returns the record's data field: sealed, or in clear with
// Plaintext.
func (s *Store) seal(account, fingerprint string, exp int64, session []byte) []byte {
	if s.sealer == nil {
		return append([]byte{formatPlain}, session...)
	}
	return s.sealer.seal(account, fingerprint, exp, session)
}

// open returns the session in a record's data field.
func (s *Store) open(account, fingerprint string, exp int64, data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: no data", ErrCorruptRecord)
	}
	switch {
	case data[0] == formatPlain && s.sealer == nil:
		return data[1:], nil
	case data[0] == formatPlain:
		return nil, fmt.Errorf("%w: the record is in clear (written by a store with Plaintext) and this store encrypts", ErrCorruptRecord)
	case data[0] == formatSealed && s.sealer == nil:
		return nil, fmt.Errorf("%w: the record is sealed and this store has no key (Plaintext)", ErrUnknownKey)
	case data[0] == formatSealed:
		return s.sealer.open(account, fingerprint, exp, data)
	}
	return nil, fmt.Errorf("%w: unknown format %d", ErrCorruptRecord, data[0])
}

// millis returns d in whole milliseconds, as Redis takes TTLs.
func millis(d time.Duration) int64 { return d.Milliseconds() }

// tokenText is l's token as the scripts compare it.
func tokenText(l auth.Lease) string { return strconv.FormatUint(l.Token, 10) }
