package authtest_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// The store suite must be able to fail. Each breakage below is a bug a
// SessionStore could have; TestStoreSuiteCatchesBrokenStores runs the suite
// on a MemoryStore with that bug, in a child test process, and wants the
// named subtest to fail.

// storeBreakEnv names the breakage the child process applies.
const storeBreakEnv = "AUTHTEST_STORE_BREAKAGE"

var storeBreakages = map[string]string{ // breakage -> subtest that must catch it
	"load-empty-is-error":      "LoadEmpty",
	"lease-not-exclusive":      "LeaseExclusive",
	"tokens-repeat":            "TokensIncrease",
	"renew-does-nothing":       "RenewKeepsLease",
	"renew-revives-lapsed":     "RenewAfterLapseFails",
	"release-by-anyone":        "TakeoverAfterLapse",
	"expiry-in-seconds":        "RoundTrip",
	"records-aliased":          "RecordNotAliased",
	"publish-ignores-fencing":  "FencingRejectsStalePublisher",
	"publish-needs-held-lease": "PublishAfterLapse",
	"serves-expired":           "ExpiredRecordNotReturned",
	"invalidate-unconditional": "CompareAndDelete",
	"accounts-share-leases":    "AccountsIndependent",
	"publish-nil-accepted":     "PublishNilRecord",
	"ignores-context":          "CancelledContext",
	"torn-records":             "ConcurrentMix",
}

func TestStoreSuiteCatchesBrokenStores(t *testing.T) {
	catchesBreakages(t, storeBreakEnv, "TestMemoryStore", storeBreakages)
}

// brokenStore is a MemoryStore with one bug.
type brokenStore struct {
	*auth.MemoryStore
	breakage string

	extra     atomic.Uint64 // tokens handed out by lease-not-exclusive
	mu        sync.Mutex
	published map[string]*auth.Record // what was published, for the breakages that keep it
	latest    map[string]auth.Lease   // the latest lease handed out, for release-by-anyone
}

func newBrokenStore(s *auth.MemoryStore, breakage string) *brokenStore {
	return &brokenStore{MemoryStore: s, breakage: breakage,
		published: make(map[string]*auth.Record), latest: make(map[string]auth.Lease)}
}

// sharedLeaseAccount is the one lease accounts-share-leases keeps for every
// account.
const sharedLeaseAccount = "every-account"

func (b *brokenStore) ctx(ctx context.Context) context.Context {
	if b.breakage == "ignores-context" {
		return context.Background()
	}
	return ctx
}

func (b *brokenStore) leaseAccount(account string) string {
	if b.breakage == "accounts-share-leases" {
		return sharedLeaseAccount
	}
	return account
}

func (b *brokenStore) Load(ctx context.Context, account string) (*auth.Record, error) {
	r, err := b.MemoryStore.Load(b.ctx(ctx), account)
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.breakage {
	case "load-empty-is-error":
		if r == nil && err == nil {
			return nil, errors.New("no such record")
		}
	case "records-aliased":
		if r != nil {
			return b.published[account], err
		}
	case "serves-expired":
		return b.published[account], err
	case "torn-records":
		// The fingerprint of the latest publish with the session of the
		// first.
		if p := b.published[account]; r != nil && p != nil {
			r.Session = p.Session
		}
	}
	return r, err
}

func (b *brokenStore) Lease(ctx context.Context, account string) (auth.Lease, error) {
	l, err := b.MemoryStore.Lease(b.ctx(ctx), b.leaseAccount(account))
	switch b.breakage {
	case "lease-not-exclusive":
		if errors.Is(err, auth.ErrLeaseHeld) {
			return auth.Lease{Token: 1000 + b.extra.Add(1), TTL: b.LockTTL}, nil
		}
	case "tokens-repeat":
		l.Token = min(l.Token, 1)
	case "release-by-anyone":
		if err == nil {
			b.mu.Lock()
			b.latest[account] = l
			b.mu.Unlock()
		}
	}
	return l, err
}

func (b *brokenStore) Renew(ctx context.Context, account string, l auth.Lease) error {
	switch b.breakage {
	case "renew-does-nothing":
		return nil
	case "renew-revives-lapsed":
		if err := b.MemoryStore.Renew(b.ctx(ctx), account, l); !errors.Is(err, auth.ErrLeaseLost) {
			return err
		}
		return nil
	}
	return b.MemoryStore.Renew(b.ctx(ctx), b.leaseAccount(account), l)
}

func (b *brokenStore) Release(ctx context.Context, account string, l auth.Lease) error {
	if b.breakage == "release-by-anyone" {
		b.mu.Lock()
		l = b.latest[account]
		b.mu.Unlock()
	}
	return b.MemoryStore.Release(b.ctx(ctx), b.leaseAccount(account), l)
}

func (b *brokenStore) Publish(ctx context.Context, account string, l auth.Lease, r *auth.Record) error {
	switch b.breakage {
	case "publish-nil-accepted":
		if r == nil {
			return nil
		}
	case "publish-ignores-fencing":
		l.Token = math.MaxUint64
	case "publish-needs-held-lease":
		if err := b.MemoryStore.Renew(b.ctx(ctx), account, l); err != nil {
			return err
		}
	case "expiry-in-seconds":
		if r != nil {
			c := *r
			c.ExpiresAt = c.ExpiresAt.Truncate(time.Second)
			r = &c
		}
	case "serves-expired":
		if r != nil {
			c := *r
			c.ExpiresAt = time.Time{} // the MemoryStore keeps it; Load serves r
			defer b.keep(account, r)
			return b.MemoryStore.Publish(b.ctx(ctx), account, l, &c)
		}
	}
	err := b.MemoryStore.Publish(b.ctx(ctx), account, l, r)
	if err == nil {
		b.keep(account, r)
	}
	return err
}

// keep remembers r as published: the record itself (records-aliased,
// serves-expired), or the first one only (torn-records).
func (b *brokenStore) keep(account string, r *auth.Record) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.breakage == "torn-records" && b.published[account] != nil {
		return
	}
	b.published[account] = r
}

func (b *brokenStore) Invalidate(ctx context.Context, account, fingerprint string) error {
	if b.breakage == "invalidate-unconditional" {
		if r, err := b.MemoryStore.Load(b.ctx(ctx), account); err == nil && r != nil {
			fingerprint = r.Fingerprint
		}
	}
	return b.MemoryStore.Invalidate(b.ctx(ctx), account, fingerprint)
}
