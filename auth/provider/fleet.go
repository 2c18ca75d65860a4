package provider

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// With Config.Store, an account has one login and one live session across
// the fleet. The in-process cache stays the first layer: the hot path
// never touches the store. On a miss the cache loads the account's record;
// when none is usable it takes the account's lease (one holder fleet-wide,
// with a fencing token), looks again, logs in, publishes, and releases.
// Others wait for the published record and take the lease over if its
// holder dies. A store that fails degrades to a login of this process's
// own, never to a failed call.

const (
	// storeCallTimeout bounds every store call, so that a store that
	// hangs, not only one that refuses, degrades to a local login within
	// about a second.
	storeCallTimeout = time.Second
	// storeRestTime is how long the store is left alone after it failed:
	// a store that is down must not cost every login a timeout.
	storeRestTime = 5 * time.Second
	// leasePollFirst and leasePollMax bound the waits between looks at the
	// store while another replica logs in: prompt, without hammering it.
	leasePollFirst = 10 * time.Millisecond
	leasePollMax   = 250 * time.Millisecond
)

// errStoreFailed says the store failed and the caller goes on without it.
var errStoreFailed = errors.New("session store failed")

// acquireShared gets a session through the store, for reason; prev is the
// held session, explicit an explicit Login. It returns what acquire does.
func (c *Cache) acquireShared(ctx context.Context, reason auth.LoginReason, prev *heldSession, explicit bool) (*auth.Session, []*auth.Session, *auth.Error) {
	refused := refusedID(prev)
	if refused != "" {
		// Only if the record still holds the refused session: a replica
		// that saw an old session refused must not delete a fresh one.
		err := c.storeCall(ctx, auth.StoreInvalidate, func(ctx context.Context) error {
			return c.store.Invalidate(ctx, c.Account(), c.fingerprint(refused))
		})
		if err != nil {
			return c.acquireLocal(ctx, reason, prev)
		}
	}
	if !explicit {
		s, _, err := c.load(ctx, refused)
		switch {
		case err != nil:
			return c.acquireLocal(ctx, reason, prev)
		case s != nil:
			return s, c.adopt(ctx, s, reason, refused), nil
		}
	}
	l, waited, s, e := c.lease(ctx, refused, explicit)
	switch {
	case e != nil && errors.Is(e, errStoreFailed):
		// e is tested against nil first: a nil *auth.Error in an error
		// interface is not nil, and errors.Is would call its Unwrap.
		return c.acquireLocal(ctx, reason, prev)
	case e != nil:
		return nil, nil, e
	case s != nil:
		return s, c.adopt(ctx, s, reason, refused), nil
	}
	defer c.release(ctx, l)
	stop := c.renewWhileHeld(ctx, l)
	defer stop()

	// Look again: the holder before this one may have published just
	// before releasing.
	s, stored, err := c.load(ctx, refused)
	c.leaseTaken(ctx, waited, s != nil, err)
	switch {
	case err != nil:
		return c.acquireLocal(ctx, reason, prev)
	case s != nil && !explicit:
		return s, c.adopt(ctx, s, reason, refused), nil
	}
	// The fleet's session, live or expired, is the one the login replaces
	// (and renews where the vendor can); the one held here goes too.
	replaced := heldOf(prev)
	if stored != nil {
		replaced = stored
	}
	s, renewed, e := c.open(ctx, reason, replaced)
	if e != nil {
		return nil, nil, e
	}
	published := false
	if !s.Stateless() {
		var winner *auth.Session
		var retire []*auth.Session
		if winner, retire, published = c.publish(ctx, l, s, reason, refused); winner != nil {
			return winner, retire, nil
		}
	}
	if renewed {
		replaced = nil // the vendor renewed it in place: it is s
	}
	return s, c.install(s, reason, refused, published, replaced), nil
}

// load returns the account's record: its session when usable (not
// expired, not the refused one), and its session whatever its state, for
// the login that replaces it. A record that cannot be read counts as
// none.
func (c *Cache) load(ctx context.Context, refused auth.Secret) (usable, stored *auth.Session, err error) {
	var r *auth.Record
	err = c.storeCall(ctx, auth.StoreLoad, func(ctx context.Context) error {
		var err error
		r, err = c.store.Load(ctx, c.Account())
		return err
	})
	if errors.Is(err, auth.ErrRecordUnreadable) {
		// The store works; the record does not: the login this leads to
		// publishes one that replaces it.
		c.logger.LogAttrs(ctx, slog.LevelWarn, "ignoring a stored session the store cannot read",
			slog.String("account", c.Account()), slog.String("reason", Clean(err.Error())))
		return nil, nil, nil
	}
	if err != nil || r == nil {
		return nil, nil, err
	}
	if refused != "" && r.Fingerprint == c.fingerprint(refused) {
		return nil, nil, nil
	}
	s, err := c.sessionOf(r)
	if err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "ignoring a stored session", slog.String("account", c.Account()),
			slog.String("reason", err.Error()))
		return nil, nil, nil
	}
	if s.Expired(time.Now()) {
		return nil, s, nil
	}
	return s, s, nil
}

// lease takes the account's lease. While another replica holds it, lease
// waits, looking for the session that replica publishes, and returns it
// instead when it appears (never for an explicit login, which opens a
// session of its own). The wait ends with the login deadline. With the
// lease it returns how long it waited for it: the caller looks again and
// then reports how the wait ended (leaseTaken).
func (c *Cache) lease(ctx context.Context, refused auth.Secret, explicit bool) (auth.Lease, time.Duration, *auth.Session, *auth.Error) {
	var (
		l       auth.Lease
		started time.Time
		poll    = leasePollFirst
	)
	for {
		err := c.storeCall(ctx, auth.StoreLease, func(ctx context.Context) error {
			var err error
			l, err = c.store.Lease(ctx, c.Account())
			return err
		})
		switch {
		case err == nil:
			return l, since(started), nil, nil
		case !errors.Is(err, auth.ErrLeaseHeld):
			c.leaseWaitHook(ctx, auth.LeaseWaitStoreError, since(started))
			return l, 0, nil, &auth.Error{Provider: c.name, Op: auth.OpLogin, Err: errStoreFailed}
		}
		if started.IsZero() {
			started = time.Now()
		}
		// Full jitter: replicas waiting on one account do not look in step.
		wait := time.Duration(rand.Int64N(int64(poll))) + poll/2
		poll = min(2*poll, leasePollMax)
		select {
		case <-ctx.Done():
			c.leaseWaitHook(ctx, auth.LeaseWaitDeadline, time.Since(started))
			return l, 0, nil, &auth.Error{Provider: c.name, Op: auth.OpLogin, Err: ctx.Err(),
				Message: "waited for another replica's login of this account until the login deadline"}
		case <-time.After(wait):
		}
		if explicit {
			continue
		}
		s, _, err := c.load(ctx, refused)
		switch {
		case err != nil:
			c.leaseWaitHook(ctx, auth.LeaseWaitStoreError, time.Since(started))
			return l, 0, nil, &auth.Error{Provider: c.name, Op: auth.OpLogin, Err: errStoreFailed}
		case s != nil:
			c.leaseWaitHook(ctx, auth.LeaseWaitShared, time.Since(started))
			return l, 0, s, nil
		}
	}
}

// leaseTaken reports how a wait of waited for the lease ended, once the
// lease was taken and the store looked at again (found: it held a usable
// session; err: the look failed). A holder that published just before it
// released handed its session over; only a holder that left none behind
// (it died, or its login failed) was taken over.
func (c *Cache) leaseTaken(ctx context.Context, waited time.Duration, found bool, err error) {
	switch {
	case waited == 0:
	case err != nil:
		c.leaseWaitHook(ctx, auth.LeaseWaitStoreError, waited)
	case found:
		c.leaseWaitHook(ctx, auth.LeaseWaitShared, waited)
	default:
		c.leaseWaitHook(ctx, auth.LeaseWaitTakeover, waited)
		c.takeoverHook(ctx, waited)
	}
}

func since(t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return time.Since(t)
}

// publish stores s as the account's session under l, and reports whether
// it did. When a newer lease superseded l, the session its holder
// publishes is the fleet's: publish waits for it, adopts it, and returns
// it as the winner with the sessions to retire, s among them. If that
// holder dies before it publishes, publish takes the lease over and
// publishes s after all. A store failure leaves s to this process alone.
func (c *Cache) publish(ctx context.Context, l auth.Lease, s *auth.Session, reason auth.LoginReason, refused auth.Secret) (winner *auth.Session, retire []*auth.Session, published bool) {
	r, err := c.record(s)
	if err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "cannot encode the session for the store", slog.String("account", c.Account()))
		return nil, nil, false
	}
	put := func(l auth.Lease) error {
		return c.storeCall(ctx, auth.StorePublish, func(ctx context.Context) error {
			return c.store.Publish(ctx, c.Account(), l, r)
		})
	}
	if err := put(l); !errors.Is(err, auth.ErrLeaseLost) {
		return nil, nil, err == nil
	}
	newer, _, err := c.load(ctx, refused)
	if err == nil && newer == nil {
		// The newer holder is still logging in, or died: wait for its
		// session, or take the lease over.
		var (
			next   auth.Lease
			waited time.Duration
			e      *auth.Error
		)
		next, waited, newer, e = c.lease(ctx, refused, false)
		if e != nil {
			return nil, nil, false
		}
		if newer == nil {
			defer c.release(ctx, next)
			// Look again: that holder may have published just before
			// releasing.
			newer, _, err = c.load(ctx, refused)
			c.leaseTaken(ctx, waited, newer != nil, err)
			if err == nil && newer == nil {
				return nil, nil, put(next) == nil
			}
		}
	}
	if err != nil || newer == nil {
		return nil, nil, false
	}
	if newer.ID == s.ID {
		return nil, nil, true // renewed in place: the newer record holds s
	}
	return newer, append(c.adopt(ctx, newer, reason, refused), s), false
}

// adopt holds s, a session another replica published, and returns what
// install does.
func (c *Cache) adopt(ctx context.Context, s *auth.Session, reason auth.LoginReason, refused auth.Secret) []*auth.Session {
	retire := c.install(s, reason, refused, true, nil)
	c.sharedHook(ctx)
	return retire
}

// renewWhileHeld renews l every third of its TTL until the returned stop
// is called, so a slow but living login is never taken over: only a lost
// lease ends the renewals, not a store call that failed once. stop cancels
// a renewal in flight (the login is over; a store that hangs must not
// hold it) and waits for the renewing goroutine to end.
func (c *Cache) renewWhileHeld(ctx context.Context, l auth.Lease) (stop func()) {
	if l.TTL <= 0 {
		return func() {}
	}
	rctx, cancel := context.WithCancel(ctx)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		tick := time.NewTicker(l.TTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-tick.C:
			}
			if rctx.Err() != nil {
				return // stopped as the tick came: select picks either
			}
			err := c.storeCall(rctx, auth.StoreRenew, func(ctx context.Context) error {
				return c.store.Renew(ctx, c.Account(), l)
			})
			if errors.Is(err, auth.ErrLeaseLost) {
				return // superseded: publish will find out
			}
		}
	}()
	return func() {
		cancel()
		<-ended
	}
}

// release gives l up, even when the login's deadline has passed.
func (c *Cache) release(ctx context.Context, l auth.Lease) {
	_ = c.storeCall(context.WithoutCancel(ctx), auth.StoreRelease, func(ctx context.Context) error {
		return c.store.Release(ctx, c.Account(), l)
	})
}

// storedSession returns the fleet's session of the account, for a Logout
// on a replica that holds none (or only a refused one); nil without a
// store or a record.
func (c *Cache) storedSession(ctx context.Context) *auth.Session {
	if c.store == nil || c.storeDown() {
		return nil
	}
	_, s, _ := c.load(ctx, "")
	return s
}

// forgetShared ends the account's session fleet-wide once s was ended: it
// removes s's record from the store, and when the record holds another
// session (another replica replaced s, and this one had not noticed) it
// ends that one at the vendor and removes its record. fromStore says s is
// the record's session, just loaded: there is nothing else to look for.
// Only the ending of that other session can fail.
func (c *Cache) forgetShared(ctx context.Context, s *auth.Session, fromStore bool) *auth.Error {
	if c.store == nil || c.storeDown() {
		return nil
	}
	if !fromStore {
		if _, stored, err := c.load(ctx, ""); err == nil && stored != nil && stored.ID != s.ID {
			if e := c.close(ctx, stored, auth.LogoutExplicit); e != nil {
				return e
			}
			s = stored
		}
	}
	_ = c.storeCall(ctx, auth.StoreInvalidate, func(ctx context.Context) error {
		return c.store.Invalidate(ctx, c.Account(), c.fingerprint(s.ID))
	})
	return nil
}

func (c *Cache) storeDown() bool { return time.Now().UnixNano() < c.storeDownUntil.Load() }

// storeCall runs one store call of op under its own short deadline. An
// error other than a lease answer means the store failed: it is logged,
// reported to the StoreFallback hook, and the store is left alone for
// storeRestTime. The login's own deadline ending is not the store's fault.
func (c *Cache) storeCall(ctx context.Context, op auth.StoreOp, f func(context.Context) error) error {
	sctx, cancel := context.WithTimeout(ctx, storeCallTimeout)
	defer cancel()
	err := f(sctx)
	switch {
	case err == nil, errors.Is(err, auth.ErrLeaseHeld), errors.Is(err, auth.ErrLeaseLost), errors.Is(err, auth.ErrRecordUnreadable):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	}
	c.storeDownUntil.Store(time.Now().Add(storeRestTime).UnixNano())
	c.logger.LogAttrs(ctx, slog.LevelWarn, "session store failed; signing in without it",
		slog.String("account", c.Account()), slog.String("op", string(op)), slog.String("error", Clean(err.Error())))
	c.storeFallbackHook(ctx, op, err)
	return err
}
