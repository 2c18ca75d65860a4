package auth

import (
	"context"
	"errors"
	"time"
)

// SessionStore shares sessions between the replicas of an application, so
// that an account has one login and one live session at the vendor however
// many processes use it. Set it as Config.Store; nil keeps sessions in the
// process.
//
// The in-process cache stays the first layer: a held session is served
// without touching the store. On a miss the authenticator loads the
// account's record; when there is none it takes the account's lease, looks
// again, logs in, publishes the record and releases the lease. Other
// replicas wait for the record, and take over the lease if its holder dies.
// A store that fails never fails a call: the authenticator logs in by itself.
//
// Accounts are named by an opaque key that holds no username and no secret.
// A store must be safe for concurrent use by many processes; every method is
// called under a short deadline of pbxauth's own. [MemoryStore] is an
// in-process store for tests and demos; store/redisstore is the one for
// fleets. authtest.RunStore is the contract every store passes.
type SessionStore interface {
	// Load returns the account's record, or nil and no error when there is
	// none. A record the store holds but cannot read (sealed with a key it
	// does not have, corrupted) is an error holding [ErrRecordUnreadable]:
	// the authenticator then logs it, takes the record as absent, and its
	// next Publish replaces it.
	Load(ctx context.Context, account string) (*Record, error)

	// Lease takes the account's lease: one holder across the fleet, until it
	// releases the lease or the lease's TTL passes without a renewal. Each
	// lease taken carries a fencing token greater than every token issued
	// for the account before. With the lease held by another, Lease fails
	// with an error holding [ErrLeaseHeld].
	Lease(ctx context.Context, account string) (Lease, error)

	// Renew extends a held lease by its TTL. It fails with an error holding
	// [ErrLeaseLost] when the lease is no longer held under l's token.
	Renew(ctx context.Context, account string, l Lease) error

	// Publish stores r as the account's record, unless a lease newer than l
	// was issued since: then it stores nothing and fails with an error
	// holding [ErrLeaseLost]. A stale publisher can thus never replace a
	// newer session.
	Publish(ctx context.Context, account string, l Lease, r *Record) error

	// Invalidate deletes the account's record only if it still holds the
	// session named by fingerprint (compare-and-delete), so a replica that
	// saw an old session refused cannot delete a fresh one. Deleting nothing
	// is not an error.
	Invalidate(ctx context.Context, account, fingerprint string) error

	// Release gives the lease up if it is still held under l's token;
	// otherwise it does nothing.
	Release(ctx context.Context, account string, l Lease) error
}

// Record is an account's shared session as a store keeps it.
type Record struct {
	// Fingerprint names the session without revealing its ID: Invalidate
	// compares it. A store may keep it in clear.
	Fingerprint string
	// Session is the session, encoded by pbxauth. It holds the session ID
	// and the username: a store that leaves the process encrypts it.
	Session []byte
	// ExpiresAt is when the session stops being served, as the publisher
	// saw it; zero when it has no expiry. A store keeps the record at least
	// until then, and no replica serves it after.
	ExpiresAt time.Time
}

// Lease is a held account lease.
type Lease struct {
	// Token is the fencing token: it grows with every lease taken for the
	// account.
	Token uint64
	// TTL is how long the lease lasts without a renewal. The holder renews
	// it well before, as long as its login runs.
	TTL time.Duration
}

// The errors a [SessionStore] reports about leases and records. Any other
// error means the store itself failed, and the authenticator works without
// it for a while.
var (
	// ErrLeaseHeld: another holder has the account's lease.
	ErrLeaseHeld = errors.New("pbxauth: session store: lease held by another")
	// ErrLeaseLost: the lease expired or a newer one was issued.
	ErrLeaseLost = errors.New("pbxauth: session store: lease lost")
	// ErrRecordUnreadable: the account's record is there but cannot be
	// read; it is taken as absent, and replaced by the next login.
	ErrRecordUnreadable = errors.New("pbxauth: session store: record unreadable")
)
