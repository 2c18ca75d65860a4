package authtest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// doneWithin is how long a call made with a context that has ended may take
// to give up.
const doneWithin = 5 * time.Second

func testStoreCancelledContext(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	kept := testRecord("kept", time.Time{})
	l := mustLease(t, ctx, s, accountA)
	requireNoError(t, s.Publish(ctx, accountA, l, kept), "Publish")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	expired, cancel2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel2()
	for _, done := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"cancelled", cancelled, context.Canceled},
		{"past its deadline", expired, context.DeadlineExceeded},
	} {
		for _, c := range []struct {
			name string
			call func(context.Context) error
		}{
			{"Load", func(ctx context.Context) error { _, err := s.Load(ctx, accountA); return err }},
			{"Lease", func(ctx context.Context) error { _, err := s.Lease(ctx, accountB); return err }},
			{"Renew", func(ctx context.Context) error { return s.Renew(ctx, accountA, l) }},
			{"Publish", func(ctx context.Context) error {
				return s.Publish(ctx, accountA, l, testRecord("cancelled", time.Time{}))
			}},
			{"Invalidate", func(ctx context.Context) error { return s.Invalidate(ctx, accountA, kept.Fingerprint) }},
			{"Release", func(ctx context.Context) error { return s.Release(ctx, accountA, l) }},
		} {
			what := c.name + " with a context " + done.name
			err := callWithin(t, what, func() error { return c.call(done.ctx) })
			switch {
			case err == nil:
				t.Fatalf("%s succeeded, want the context's error", what)
			case !errors.Is(err, done.want):
				t.Fatalf("%s: %v; want an error holding %v", what, err, done.want)
			case errors.Is(err, auth.ErrLeaseHeld), errors.Is(err, auth.ErrLeaseLost):
				t.Fatalf("%s: %v holds a lease error as well as the context's", what, err)
			}
		}
	}
	// A call whose context had ended did nothing.
	wantRecord(t, mustLoad(t, ctx, s, accountA), kept, "Load after cancelled Publish and Invalidate")
	_, err := s.Lease(ctx, accountA)
	wantHeld(t, err, "Lease after a cancelled Release")
	requireNoError(t, s.Renew(ctx, accountA, l), "Renew after a cancelled Renew")
	lb := mustLease(t, ctx, s, accountB) // the cancelled Lease took nothing
	requireNoError(t, s.Release(ctx, accountB, lb), "Release")
}

// callWithin runs call and returns its error, failing t if it has not
// returned within doneWithin.
func callWithin(t *testing.T, what string, call func() error) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- call() }()
	select {
	case err := <-errc:
		return err
	case <-time.After(doneWithin):
		t.Fatalf("%s hung: no answer %v after its context ended", what, doneWithin)
		return nil
	}
}

// The concurrent mix: mixWorkers goroutines each make mixRounds calls of
// every kind on two accounts.
const (
	mixWorkers = 8
	mixRounds  = 80
)

func testStoreConcurrentMix(t *testing.T, s auth.SessionStore) {
	ctx := storeContext(t)
	accounts := [2]string{accountA, accountB}
	exp := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	for w := range mixWorkers {
		wg.Go(func() {
			var last [2]uint64 // the last token this worker got, per account
			for i := range mixRounds {
				k := (w + i) % 2
				account := accounts[k]
				name := strconv.Itoa(w) + "-" + strconv.Itoa(i)
				var err error
				switch i % 4 {
				case 0:
					err = mixPublish(ctx, s, account, &last[k], testRecord(name, exp))
				case 1, 3:
					err = mixLoad(ctx, s, account, exp)
				case 2:
					// Some of these name the current record, most do not.
					victim := strconv.Itoa((w+1)%mixWorkers) + "-" + strconv.Itoa(max(i-2, 0))
					err = s.Invalidate(ctx, account, "fp-"+victim)
				}
				if err != nil {
					t.Errorf("worker %d, round %d on %s: %v", w, i, account, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, account := range accounts {
		if err := mixLoad(ctx, s, account, exp); err != nil {
			t.Fatalf("after the mix, %s: %v", account, err)
		}
		l := mustLease(t, ctx, s, account) // every lease was released
		requireNoError(t, s.Release(ctx, account, l), "Release")
	}
}

// mixPublish leases account, publishes r and releases, as a login would.
// Finding the lease held is fine; a token not above the worker's last one
// is not.
func mixPublish(ctx context.Context, s auth.SessionStore, account string, last *uint64, r *auth.Record) error {
	l, err := s.Lease(ctx, account)
	if errors.Is(err, auth.ErrLeaseHeld) {
		return nil
	}
	if err != nil {
		return err
	}
	if l.Token <= *last {
		return errors.New("Lease returned token " + strconv.FormatUint(l.Token, 10) + " after " + strconv.FormatUint(*last, 10) + ": tokens must grow")
	}
	*last = l.Token
	// Under a lease held for a moment, Publish can fail only if the lease
	// lapsed on a very slow machine and was taken over.
	if err := s.Publish(ctx, account, l, r); err != nil && !errors.Is(err, auth.ErrLeaseLost) {
		return err
	}
	return s.Release(ctx, account, l)
}

// mixLoad loads account's record and checks it is whole: the session bytes
// of the fingerprint it carries, and the expiry every worker publishes.
func mixLoad(ctx context.Context, s auth.SessionStore, account string, exp time.Time) error {
	r, err := s.Load(ctx, account)
	if err != nil || r == nil {
		return err
	}
	want := &auth.Record{Fingerprint: r.Fingerprint, Session: sessionOf(r.Fingerprint), ExpiresAt: exp}
	if msg := recordDiff(r, want); msg != "" {
		return errors.New("Load returned a torn record: " + msg)
	}
	return nil
}
