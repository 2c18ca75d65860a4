package provider_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// replica is one of a fleet's authenticators: a Cache sharing a store and
// a vendor with the others, and the hook events it reported.
type replica struct {
	*provider.Cache
	events *hookCounts
}

// newReplica returns a replica of the memory vendor's account on store.
func newReplica(store auth.SessionStore, vendor provider.Backend, cfg auth.Config) replica {
	events := &hookCounts{}
	cfg.Store, cfg.Hooks = store, events.fleetHooks()
	return replica{Cache: newCache(cfg, vendor), events: events}
}

// newReplicas returns n replicas on store.
func newReplicas(n int, store auth.SessionStore, vendor provider.Backend, cfg auth.Config) []replica {
	rs := make([]replica, n)
	for i := range rs {
		rs[i] = newReplica(store, vendor, cfg)
	}
	return rs
}

// fleetHooks are h's hooks with the store's events counted too.
func (h *hookCounts) fleetHooks() *auth.Hooks {
	hooks := h.hooks()
	hooks.SessionShared = func(context.Context, auth.SessionSharedInfo) { h.add("shared") }
	hooks.LeaseWait = func(_ context.Context, i auth.LeaseWaitInfo) { h.add("wait:" + string(i.Outcome)) }
	hooks.LeaseTakeover = func(context.Context, auth.LeaseTakeoverInfo) { h.add("takeover") }
	hooks.StoreFallback = func(_ context.Context, i auth.StoreFallbackInfo) { h.add("fallback:" + string(i.Op)) }
	return hooks
}

// count returns how many events named name h saw.
func (h *hookCounts) count(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[name]
}

// call makes one vendor call with r's session, as auth.NewClient does:
// when the vendor refuses the session it asks Refresh for another and
// tries once more. It returns the session the vendor accepted.
func call(ctx context.Context, r replica, vendor *memoryBackend) (*auth.Session, error) {
	s, err := r.Session(ctx)
	if err != nil {
		return nil, err
	}
	if !vendor.isLive(s.ID) {
		if s, err = r.Refresh(ctx, s); err != nil {
			return nil, err
		}
		if !vendor.isLive(s.ID) {
			return nil, errors.New("the vendor refused the session Refresh gave")
		}
	}
	r.Accepted(s)
	return s, nil
}

// spyStore wraps a SessionStore. It counts the calls by operation, and
// around, when set, runs each call in place of the store (call makes the
// real one), so a test can fail, hold, drop or order the calls it picks.
type spyStore struct {
	auth.SessionStore
	around func(ctx context.Context, op auth.StoreOp, call func() error) error

	mu    sync.Mutex
	calls map[auth.StoreOp]int
}

func (s *spyStore) do(ctx context.Context, op auth.StoreOp, call func() error) error {
	s.mu.Lock()
	if s.calls == nil {
		s.calls = map[auth.StoreOp]int{}
	}
	s.calls[op]++
	s.mu.Unlock()
	if s.around == nil {
		return call()
	}
	return s.around(ctx, op, call)
}

// count returns how many calls of op s received.
func (s *spyStore) count(op auth.StoreOp) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// total returns how many calls s received.
func (s *spyStore) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

func (s *spyStore) Load(ctx context.Context, account string) (*auth.Record, error) {
	var r *auth.Record
	err := s.do(ctx, auth.StoreLoad, func() error {
		var err error
		r, err = s.SessionStore.Load(ctx, account)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s *spyStore) Lease(ctx context.Context, account string) (auth.Lease, error) {
	var l auth.Lease
	err := s.do(ctx, auth.StoreLease, func() error {
		var err error
		l, err = s.SessionStore.Lease(ctx, account)
		return err
	})
	if err != nil {
		return auth.Lease{}, err
	}
	return l, nil
}

func (s *spyStore) Renew(ctx context.Context, account string, l auth.Lease) error {
	return s.do(ctx, auth.StoreRenew, func() error { return s.SessionStore.Renew(ctx, account, l) })
}

func (s *spyStore) Publish(ctx context.Context, account string, l auth.Lease, r *auth.Record) error {
	return s.do(ctx, auth.StorePublish, func() error { return s.SessionStore.Publish(ctx, account, l, r) })
}

func (s *spyStore) Invalidate(ctx context.Context, account, fingerprint string) error {
	return s.do(ctx, auth.StoreInvalidate, func() error { return s.SessionStore.Invalidate(ctx, account, fingerprint) })
}

func (s *spyStore) Release(ctx context.Context, account string, l auth.Lease) error {
	return s.do(ctx, auth.StoreRelease, func() error { return s.SessionStore.Release(ctx, account, l) })
}

// errStoreDown is what a broken store answers.
var errStoreDown = errors.New("dial tcp 10.0.0.7:6379: connect: connection refused")

// failing makes the calls of ops fail at once, as a store that is down.
func failing(ops ...auth.StoreOp) func(context.Context, auth.StoreOp, func() error) error {
	return func(_ context.Context, op auth.StoreOp, call func() error) error {
		for _, o := range ops {
			if o == op {
				return errStoreDown
			}
		}
		return call()
	}
}

// hanging makes the calls of ops wait until their context ends, as a store
// that accepts connections and never answers.
func hanging(ops ...auth.StoreOp) func(context.Context, auth.StoreOp, func() error) error {
	return func(ctx context.Context, op auth.StoreOp, call func() error) error {
		for _, o := range ops {
			if o == op {
				<-ctx.Done()
				return ctx.Err()
			}
		}
		return call()
	}
}

// everyOp is every store operation.
var everyOp = []auth.StoreOp{auth.StoreLoad, auth.StoreLease, auth.StoreRenew, auth.StorePublish, auth.StoreInvalidate, auth.StoreRelease}

// staleStore is a store whose clock runs behind: it serves the last
// record published whatever its ExpiresAt.
type staleStore struct {
	auth.MemoryStore

	mu   sync.Mutex
	last *auth.Record
}

func (s *staleStore) Publish(ctx context.Context, account string, l auth.Lease, r *auth.Record) error {
	if err := s.MemoryStore.Publish(ctx, account, l, r); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *r
	s.last = &c
	return nil
}

func (s *staleStore) Load(context.Context, string) (*auth.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return nil, nil
	}
	c := *s.last
	return &c, nil
}

// sameID, otherID and their require forms compare session IDs without
// printing them: a test's failure message never shows a secret.
func sameID(t *testing.T, want, got auth.Secret, what string) bool {
	t.Helper()
	if want != got {
		t.Errorf("%s: the sessions differ", what)
		return false
	}
	return true
}

func otherID(t *testing.T, old, got auth.Secret, what string) bool {
	t.Helper()
	if old == got {
		t.Errorf("%s: the same session", what)
		return false
	}
	return true
}

func requireSameID(t *testing.T, want, got auth.Secret, what string) {
	t.Helper()
	if !sameID(t, want, got, what) {
		t.FailNow()
	}
}

func requireOtherID(t *testing.T, old, got auth.Secret, what string) {
	t.Helper()
	if !otherID(t, old, got, what) {
		t.FailNow()
	}
}

// waitFor waits until cond holds, failing t after within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", within, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// result is what one Session call returned.
type result struct {
	session *auth.Session
	err     error
	took    time.Duration
}

// sessionAsync calls r.Session on a goroutine of its own; the channel
// gets its result.
func sessionAsync(ctx context.Context, r replica) <-chan result {
	out := make(chan result, 1)
	go func() {
		start := time.Now()
		s, err := r.Session(ctx)
		out <- result{s, err, time.Since(start)}
	}()
	return out
}

// gate holds chosen logins of a memoryBackend until the test opens them.
type gate struct {
	mu      sync.Mutex
	held    map[int64]chan struct{} // login number -> closed to let it go on
	entered map[int64]chan struct{} // login number -> closed when it began
}

// hold makes login n wait until open(n).
func (g *gate) hold(ns ...int64) *gate {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held == nil {
		g.held, g.entered = map[int64]chan struct{}{}, map[int64]chan struct{}{}
	}
	for _, n := range ns {
		g.held[n], g.entered[n] = make(chan struct{}), make(chan struct{})
	}
	return g
}

// login is the memoryBackend's gate function.
func (g *gate) login(ctx context.Context, n int64) error {
	g.mu.Lock()
	held, entered := g.held[n], g.entered[n]
	g.mu.Unlock()
	if held == nil {
		return nil
	}
	close(entered)
	select {
	case <-held:
		return nil
	case <-ctx.Done():
		return &auth.Error{Provider: "memory", Op: auth.OpLogin, Err: ctx.Err()}
	}
}

// began returns a channel closed once login n began.
func (g *gate) began(n int64) <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.entered[n]
}

// open lets login n go on.
func (g *gate) open(n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.held[n])
}
