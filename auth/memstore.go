package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultLockTTL is the lease TTL of [MemoryStore] and of store/redisstore
// when theirs is 0. A living holder renews its lease well before the TTL
// passes, so the TTL only bounds how long the fleet waits for a holder that
// died in the middle of a login.
const DefaultLockTTL = 10 * time.Second

// MemoryStore is a [SessionStore] held in this process's memory. It shares
// one login between authenticators of the same process (as the demo's three
// "replicas" do) and serves tests; it shares nothing between processes.
//
// The zero value is ready to use. A MemoryStore is safe for concurrent use
// and must not be copied after first use. It copies records in and out, so a
// caller may reuse or change a Record after Publish, and the Record Load
// returns is the caller's own.
//
// It keeps each account's fencing counter for as long as it lives (a few
// dozen bytes for every account ever leased or published), so that tokens
// only ever grow; a record whose ExpiresAt passed is dropped when next
// looked at.
type MemoryStore struct {
	// LockTTL is how long a lease lasts without a renewal; 0 means
	// DefaultLockTTL. A negative LockTTL makes Lease fail.
	LockTTL time.Duration

	mu       sync.Mutex
	accounts map[string]*memoryAccount // nil until the first Lease or Publish
}

// memoryAccount is one account's state in a MemoryStore.
type memoryAccount struct {
	record    *Record   // the store's own copy; nil when there is none
	issued    uint64    // the latest fencing token issued; 0 before the first lease
	held      uint64    // the token of the lease in force; 0 when none is
	heldUntil time.Time // when the lease in force lapses without a renewal
}

var _ SessionStore = (*MemoryStore)(nil)

// Load returns a copy of the account's record, or nil when there is none or
// its ExpiresAt has passed.
func (s *MemoryStore) Load(ctx context.Context, account string) (*Record, error) {
	if err := checkMemoryCall(ctx, account); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil || a.record == nil {
		return nil, nil
	}
	if recordExpired(a.record, time.Now()) {
		a.record = nil
		return nil, nil
	}
	return copyRecord(a.record), nil
}

// Lease takes the account's lease, unless another holds it and its TTL has
// not passed: then the error holds [ErrLeaseHeld].
func (s *MemoryStore) Lease(ctx context.Context, account string) (Lease, error) {
	if err := checkMemoryCall(ctx, account); err != nil {
		return Lease{}, err
	}
	ttl, err := s.lockTTL()
	if err != nil {
		return Lease{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(account)
	now := time.Now()
	if a.held != 0 && now.Before(a.heldUntil) {
		return Lease{}, fmt.Errorf("%w (for %v more)", ErrLeaseHeld, a.heldUntil.Sub(now).Round(time.Millisecond))
	}
	a.issued++
	a.held, a.heldUntil = a.issued, now.Add(ttl)
	return Lease{Token: a.issued, TTL: ttl}, nil
}

// Renew extends the lease by the store's LockTTL from now, if it is still
// held under l's token and has not lapsed; otherwise the error holds
// [ErrLeaseLost] and says why.
func (s *MemoryStore) Renew(ctx context.Context, account string, l Lease) error {
	if err := checkMemoryCall(ctx, account); err != nil {
		return err
	}
	ttl, err := s.lockTTL()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	now := time.Now()
	switch {
	case a == nil || a.held == 0:
		return fmt.Errorf("%w: renewal of lease %d: no lease is held", ErrLeaseLost, l.Token)
	case a.held != l.Token:
		return fmt.Errorf("%w: renewal of lease %d: lease %d holds the account", ErrLeaseLost, l.Token, a.held)
	case !now.Before(a.heldUntil):
		return fmt.Errorf("%w: renewal of lease %d: it lapsed %v ago", ErrLeaseLost, l.Token, now.Sub(a.heldUntil).Round(time.Millisecond))
	}
	a.heldUntil = now.Add(ttl)
	return nil
}

// Publish stores a copy of r as the account's record, unless a lease newer
// than l was issued for the account: then the error holds [ErrLeaseLost].
// l need not be held any more (its TTL may have passed) as long as no one
// took a lease since.
func (s *MemoryStore) Publish(ctx context.Context, account string, l Lease, r *Record) error {
	if err := checkMemoryCall(ctx, account); err != nil {
		return err
	}
	if r == nil {
		return errors.New("pbxauth: memory store: Publish of a nil record")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(account)
	if a.issued > l.Token {
		return fmt.Errorf("%w: publish under lease %d refused: lease %d was issued since", ErrLeaseLost, l.Token, a.issued)
	}
	a.record = copyRecord(r)
	return nil
}

// Invalidate deletes the account's record if its Fingerprint is
// fingerprint.
func (s *MemoryStore) Invalidate(ctx context.Context, account, fingerprint string) error {
	if err := checkMemoryCall(ctx, account); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.accounts[account]; a != nil && a.record != nil && a.record.Fingerprint == fingerprint {
		a.record = nil
	}
	return nil
}

// Release gives the lease up if it is held under l's token.
func (s *MemoryStore) Release(ctx context.Context, account string, l Lease) error {
	if err := checkMemoryCall(ctx, account); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.accounts[account]; a != nil && a.held == l.Token {
		a.held = 0 // a zero Token matches only when nothing is held: no change
	}
	return nil
}

// account returns the account's state, creating it. s.mu must be held.
func (s *MemoryStore) account(name string) *memoryAccount {
	if s.accounts == nil {
		s.accounts = make(map[string]*memoryAccount)
	}
	a := s.accounts[name]
	if a == nil {
		a = new(memoryAccount)
		s.accounts[name] = a
	}
	return a
}

func (s *MemoryStore) lockTTL() (time.Duration, error) {
	switch {
	case s.LockTTL == 0:
		return DefaultLockTTL, nil
	case s.LockTTL < 0:
		return 0, fmt.Errorf("pbxauth: memory store: LockTTL is negative (%v)", s.LockTTL)
	}
	return s.LockTTL, nil
}

// checkMemoryCall returns the context's error when it is done, so a call
// made too late does nothing, and refuses an empty account name.
func checkMemoryCall(ctx context.Context, account string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if account == "" {
		return errors.New("pbxauth: memory store: empty account name")
	}
	return nil
}

// recordExpired reports whether r's ExpiresAt has come at time now.
func recordExpired(r *Record, now time.Time) bool {
	return !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt)
}

// copyRecord returns a copy of r that shares no memory with it. Its
// ExpiresAt carries no monotonic clock reading: like a record from another
// process, it is compared by the wall clock.
func copyRecord(r *Record) *Record {
	return &Record{Fingerprint: r.Fingerprint, Session: bytes.Clone(r.Session), ExpiresAt: r.ExpiresAt.Round(0)}
}
