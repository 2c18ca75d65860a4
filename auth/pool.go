package auth

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"
)

// ErrPoolClosed is the sentinel of a [Pool] that Close was called on:
// Get and Forget then fail with an *[Error] whose Op is [OpPool] and whose
// chain holds it. Test with errors.Is.
var ErrPoolClosed = errors.New("pool closed")

// PoolOptions bound what a [Pool] holds. The zero value holds every tenant
// until Forget or Close.
type PoolOptions struct {
	// MaxTenants bounds the tenants held at once; 0 means no bound. Past
	// it the least recently used tenant is dropped. A tenant counts once
	// its open has ended. Negative is an error.
	MaxTenants int
	// IdleTimeout drops a tenant no Get has asked for in this long; 0
	// means never. Negative is an error.
	IdleTimeout time.Duration
}

// Pool holds one [Authenticator] per tenant, for an application that signs
// in to many customers' PBX accounts. Get returns the tenant's
// authenticator, opening it on first use with the function given to
// [NewPool]; the authenticators share the process's transports, so tenants
// of one vendor share one connection pool and one retry budget. A Pool is
// safe for concurrent use.
//
// # Get
//
// A Get of a held tenant is a map lookup under a read lock, with no
// allocation. With MaxTenants or IdleTimeout set it takes the lock for
// writing and moves the tenant to the front of an exact
// least-recently-used list, and with an IdleTimeout it reads the clock
// once. With none held,
// concurrent Gets of one tenant share one call of open, run on a goroutine
// of the Pool's: a Get whose ctx ends stops waiting at once, and the open
// goes on for the others and is pooled for the next Get. The open's context
// carries the first Get's values, not its cancel, and has a deadline of one
// minute (room for a login within [DefaultLoginTimeout]); Close cancels it.
// An open that fails is not kept: its error, as open returned it, goes to
// every Get that waited for it, and the next Get calls open again. An open
// that panics, or returns a nil Authenticator with a nil error, fails the
// same way with an error of the Pool's.
//
// Use the Authenticator a Get returns for the work at hand and call Get
// again for the next: the Pool only knows a tenant is in use from its Gets.
// An Authenticator dropped while a caller still holds it keeps working (a
// built-in one logs in again if its session was logged out), but it is no
// longer pooled: that caller owns any session it opens from then on.
//
// # Dropping, and sessions shared through a store
//
// A tenant past MaxTenants (the least recently used) or idle past
// IdleTimeout is dropped: the next Get opens it anew. A dropped tenant's
// session is logged out, so that the vendor does not keep a session no one
// holds, unless the fleet shares it: an Authenticator whose Config.Store is
// set shares its session with the application's other replicas, and
// logging it out would end it for all of them. The Pool learns this from
// the optional [SessionSharer] interface (every built-in authenticator
// implements it); one that does not implement it counts as not shared. A
// shared tenant is only forgotten by this process.
//
// The logout never holds up the Get whose open caused the drop: it runs on
// one of a few goroutines the Pool owns (at most 16 at once), under a
// deadline of [DefaultLoginTimeout], and Close waits for it. Its outcome
// reaches the Authenticator's Config.Logger and Hooks, not the caller.
//
// Idle tenants are found without a standing goroutine: one runtime timer is
// set for the moment the least recently used tenant turns idle, and when it
// fires it drops every idle tenant and sets itself for the next; with no
// tenant held it is not set. So a tenant is dropped between IdleTimeout and
// IdleTimeout plus a sixteenth of it after its last Get, also in a process
// that has stopped calling Get (sweeping only on Get would leave a quiet
// replica's sessions open at the vendor for good).
//
// # Forget and Close
//
// Forget is for a tenant whose credentials changed: it drops the tenant
// and logs its session out, fleet-wide when a store shares it (a session
// opened with the old password must not live on anywhere), and returns the
// logout's error; the next Get opens the tenant anew. An open in progress
// is waited for and its result logged out. Forget acts on this process's
// Pool only: each replica that holds the tenant must forget it too, for
// their authenticators hold the old credentials. A tenant the Pool does not
// hold is nothing to forget (to end a shared session a replica does not
// hold, open the tenant's Authenticator and call Logout: a built-in one
// with no session held ends the store's).
//
// Close drops every tenant and logs out those whose session is this
// process's alone. A tenant shared through a store is dropped without a
// logout: a replica that shuts down (a deploy, a scale-in) must not end
// sessions the rest of the fleet is using, and for the fleet its session
// is not dropped at all. Close cancels opens in progress (a tenant's that
// Forget dropped while it opened included), waits for every logout, the
// ones of tenants dropped before it included, and returns the failures
// joined with errors.Join. If ctx ends first, the logouts still
// running are cancelled and Close reports the ones it could not make; it
// returns only once every goroutine of the Pool has ended. After Close,
// Get and Forget fail with [ErrPoolClosed]; Close again waits for the
// first and returns its result.
//
// # Errors
//
// The Pool's own errors are *[Error]s with Op [OpPool] and no Provider,
// whose chain holds the ctx's error for a wait the caller's ctx ended,
// [ErrPoolClosed] once Close was called, or [ErrProtocol] for a call the
// Pool will not make (a nil ctx, an empty tenant name, a Pool built with
// a nil open or a negative option) and for an open that panicked or
// returned a nil Authenticator with a nil error (or a Logout that
// panicked). They do not name the tenant (an application may name tenants
// by their login): the caller knows which one it asked for. The errors of
// open itself are the application's own and reach Get as open returned
// them; Forget returns the tenant's Logout error as the Authenticator
// returned it.
type Pool struct {
	open  func(ctx context.Context, tenant string) (Authenticator, error)
	opts  PoolOptions
	bad   error     // why NewPool's arguments cannot work; every call returns it
	epoch time.Time // the monotonic origin of poolEntry.used

	// life ends when Close gives up waiting: the logouts still running
	// are cancelled with it.
	life context.Context
	stop context.CancelFunc
	// work counts the Pool's goroutines and its set idle timer, so that
	// Close can wait for them.
	work sync.WaitGroup

	// mu guards everything below. A Get that keeps recency holds it for a
	// lookup and a few pointer moves: measured faster than a read lock
	// with an atomic last-use stamp and clock read (BenchmarkPoolGet's
	// baselines), and it keeps the LRU order exact. A Get that keeps none
	// takes the read lock. A Get comes before a call to the vendor,
	// milliseconds long, so the lock is never what limits a replica.
	mu      sync.RWMutex
	tenants map[string]*poolEntry // held and opening, by name
	lru     poolEntry             // list head: lru.next is the most recently used, lru.prev the least
	held    int                   // tenants in the list
	closed  bool

	idle      *time.Timer // made on first use
	idleArmed bool        // idle is set and counted in work

	logouts  []Authenticator // waiting for a logout goroutine
	loggers  int             // logout goroutines running
	skipped  int             // logouts not made because life ended
	failures []error         // logouts that failed once Close was called

	// closing ends when Close is called: waiting Gets give up, and every
	// open still running is cancelled, a forgotten tenant's included
	// (Forget takes it out of tenants, but its open is still the Pool's).
	closing   context.Context
	endOpens  context.CancelFunc
	closeDone chan struct{} // closed when the first Close returns
	closeErr  error
}

// poolEntry is one tenant the Pool holds or is opening. It is kept small: a
// process may hold a hundred thousand.
type poolEntry struct {
	name       string
	auth       Authenticator // nil while opening
	opening    *opening      // non-nil while open runs
	prev, next *poolEntry    // links in Pool.lru, while held
	used       time.Duration // since Pool.epoch, at the last Get; kept with an IdleTimeout only
}

// opening is one call of open, shared by the Gets that wait for it.
type opening struct {
	done chan struct{} // closed once auth or err is set
	auth Authenticator
	err  error

	// loggedOut is made by Forget, which dropped the tenant while it
	// opened, and closed once the result is logged out.
	loggedOut chan struct{}
	logoutErr error
}

const (
	// openTimeout bounds one call of open: a login within the default
	// login deadline, and room for the application's own work.
	openTimeout = time.Minute
	// maxLoggers bounds the goroutines logging out dropped tenants: a
	// burst of drops (or Close) must not open a connection per tenant.
	maxLoggers = 16
	// idleSlack is the fraction of IdleTimeout the idle timer may fire
	// late by, so that tenants turning idle close together are dropped
	// in one sweep rather than one timer each.
	idleSlack = 16
)

// NewPool returns a Pool that opens a tenant's Authenticator with open:
// typically [Open] with the tenant's provider and [Config] (its
// credentials, from the application's own database), perhaps followed by a
// Session call so that the tenant is signed in once pooled. open's errors
// reach Get's callers unchanged.
//
// NewPool starts nothing. A nil open or a negative option does not panic:
// every call of the Pool then returns an error saying so.
func NewPool(open func(ctx context.Context, tenant string) (Authenticator, error), opts PoolOptions) *Pool {
	p := &Pool{open: open, opts: opts, epoch: time.Now(), tenants: make(map[string]*poolEntry)}
	p.lru.next, p.lru.prev = &p.lru, &p.lru
	p.life, p.stop = context.WithCancel(context.Background())
	p.closing, p.endOpens = context.WithCancel(context.Background())
	switch {
	case open == nil:
		p.bad = poolError(ErrProtocol, "NewPool was given a nil open function")
	case opts.MaxTenants < 0:
		p.bad = poolError(ErrProtocol, fmt.Sprintf("PoolOptions.MaxTenants is %d; it must be 0 (no bound) or more", opts.MaxTenants))
	case opts.IdleTimeout < 0:
		p.bad = poolError(ErrProtocol, fmt.Sprintf("PoolOptions.IdleTimeout is %v; it must be 0 (never) or more", opts.IdleTimeout))
	}
	return p
}

// Get returns the tenant's Authenticator: the one held, else one made by
// open, shared by every Get of the tenant waiting meanwhile. A held one is
// returned whatever the state of ctx; otherwise a Get whose ctx ends stops
// waiting at once with an error holding ctx's, while the open goes on.
// open's own error is returned as it is.
func (p *Pool) Get(ctx context.Context, tenant string) (Authenticator, error) {
	if err := p.check(ctx, tenant); err != nil {
		return nil, err
	}
	if !p.ordered() {
		// No recency to keep: a read lock, which concurrent Gets share.
		p.mu.RLock()
		t := p.tenants[tenant]
		if !p.closed && t != nil && t.auth != nil {
			a := t.auth
			p.mu.RUnlock()
			return a, nil
		}
		p.mu.RUnlock()
	}
	var now time.Duration
	if p.opts.IdleTimeout > 0 {
		now = time.Since(p.epoch) // before the lock, to keep it short
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, poolError(ErrPoolClosed, "")
	}
	t := p.tenants[tenant]
	if t != nil && t.auth != nil {
		p.touch(t, now)
		a := t.auth
		p.mu.Unlock()
		return a, nil
	}
	if err := ctx.Err(); err != nil {
		p.mu.Unlock()
		return nil, poolError(err, "tenant not opened")
	}
	if t == nil {
		t = &poolEntry{name: tenant}
		t.opening = p.start(ctx, t)
		p.tenants[tenant] = t
	}
	o := t.opening
	p.mu.Unlock()
	select {
	case <-o.done:
		return o.auth, o.err
	case <-ctx.Done():
		return nil, poolError(ctx.Err(), "stopped waiting for the tenant's open")
	case <-p.closing.Done():
		return nil, poolError(ErrPoolClosed, "closed while the tenant was opening")
	}
}

// Forget drops the tenant and logs its session out, fleet-wide when the
// session is shared through a store, and returns the logout's error; the
// tenant is dropped even when the logout fails. An open in progress is
// waited for and its Authenticator logged out; if ctx ends first, Forget
// returns an error holding ctx's and the Pool logs it out when the open
// ends. Forget of a tenant the Pool does not hold returns nil.
func (p *Pool) Forget(ctx context.Context, tenant string) error {
	if err := p.check(ctx, tenant); err != nil {
		return err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return poolError(ErrPoolClosed, "")
	}
	t := p.tenants[tenant]
	if t == nil {
		p.mu.Unlock()
		return nil
	}
	delete(p.tenants, tenant)
	if o := t.opening; o != nil {
		o.loggedOut = make(chan struct{})
		p.mu.Unlock()
		select {
		case <-o.loggedOut:
			return o.logoutErr
		case <-ctx.Done():
			return poolError(ctx.Err(), "stopped waiting for the forgotten tenant's open; the Pool logs it out when it ends")
		}
	}
	p.unlink(t)
	p.mu.Unlock()
	return logoutSafely(ctx, t.auth)
}

// Close drops every tenant, logs out those not shared through a store,
// waits for every logout in progress and returns the failures joined. See
// [Pool] for what it waits for and what a ctx that ends does.
func (p *Pool) Close(ctx context.Context) error {
	if ctx == nil {
		return poolError(ErrProtocol, "Close with a nil context")
	}
	p.mu.Lock()
	if p.closed {
		done := p.closeDone
		p.mu.Unlock()
		select {
		case <-done:
			return p.closeErr
		case <-ctx.Done():
			return poolError(ctx.Err(), "stopped waiting for Close")
		}
	}
	p.closed = true
	p.endOpens()
	p.closeDone = make(chan struct{})
	for _, t := range p.tenants {
		if t.opening == nil && !sharesSession(t.auth) {
			p.queueLogout(t.auth)
		}
	}
	clear(p.tenants)
	p.lru.next, p.lru.prev, p.held = &p.lru, &p.lru, 0
	if p.idleArmed && p.idle.Stop() {
		p.idleArmed = false
		p.work.Done()
	}
	p.mu.Unlock()

	finished := make(chan struct{})
	go func() {
		p.work.Wait()
		close(finished)
	}()
	var gaveUp error
	select {
	case <-finished:
	case <-ctx.Done():
		gaveUp = ctx.Err()
		p.stop()
		<-finished
	}
	p.stop()

	p.mu.Lock()
	errs := p.failures
	if gaveUp != nil {
		errs = append(errs, poolError(gaveUp, fmt.Sprintf("Close stopped waiting; logouts cancelled, %d not started", p.skipped)))
	}
	p.closeErr = errors.Join(errs...)
	p.failures = nil
	p.mu.Unlock()
	close(p.closeDone)
	return p.closeErr
}

// check refuses what Get and Forget cannot work with.
func (p *Pool) check(ctx context.Context, tenant string) error {
	switch {
	case p.bad != nil:
		return p.bad
	case ctx == nil:
		return poolError(ErrProtocol, "nil context")
	case tenant == "":
		return poolError(ErrProtocol, "empty tenant name")
	}
	return nil
}

// start runs open for t on a goroutine of the Pool's, detached from the
// cancel of ctx, the first Get's, and cancelled by Close. p.mu is held.
func (p *Pool) start(ctx context.Context, t *poolEntry) *opening {
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), openTimeout)
	o := &opening{done: make(chan struct{})}
	p.work.Add(1)
	go func() {
		defer p.work.Done()
		defer cancel()
		defer context.AfterFunc(p.closing, cancel)()
		a, err := p.call(octx, t.name)
		p.finish(t, o, a, err)
	}()
	return o
}

// call runs open, turning a panic or a nil Authenticator into an error.
func (p *Pool) call(ctx context.Context, name string) (a Authenticator, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, panicError("open", r)
		}
	}()
	a, err = p.open(ctx, name)
	switch {
	case err != nil:
		return nil, err
	case isNil(a):
		return nil, poolError(ErrProtocol, "open returned neither an Authenticator nor an error")
	}
	return a, nil
}

// finish ends the open o of t: it pools the Authenticator and hands it to
// the waiting Gets, or hands them the error, or logs the Authenticator out
// when t was forgotten or the Pool closed meanwhile.
func (p *Pool) finish(t *poolEntry, o *opening, a Authenticator, err error) {
	var now time.Duration
	if p.opts.IdleTimeout > 0 {
		now = time.Since(p.epoch)
	}
	var retire bool
	p.mu.Lock()
	t.opening = nil
	loggedOut := o.loggedOut // set by Forget under p.mu, so final now
	switch {
	case err != nil:
		if p.tenants[t.name] == t {
			delete(p.tenants, t.name)
		}
		o.err = err
	case loggedOut != nil:
		o.auth = a // the waiting Gets asked before Forget
		retire = true
	case p.closed:
		o.err = poolError(ErrPoolClosed, "closed while the tenant was opening")
		retire = !sharesSession(a)
	default:
		t.auth, o.auth = a, a
		t.used = now
		p.pushFront(t)
		for p.opts.MaxTenants > 0 && p.held > p.opts.MaxTenants {
			p.drop(p.lru.prev)
		}
		p.armIdle(now)
	}
	close(o.done)
	p.mu.Unlock()

	if retire {
		err := p.logoutBounded(a)
		if err != nil && loggedOut == nil {
			// Retired because the Pool closed: Close reports it. A
			// forgotten tenant's logout is Forget's to report.
			p.mu.Lock()
			p.failures = append(p.failures, err)
			p.mu.Unlock()
		}
		o.logoutErr = err
	}
	if loggedOut != nil {
		close(loggedOut)
	}
}

// ordered reports whether the Pool drops tenants by recency, and so keeps
// its list in order of use.
func (p *Pool) ordered() bool { return p.opts.MaxTenants > 0 || p.opts.IdleTimeout > 0 }

// touch makes t the most recently used tenant. p.mu is held.
func (p *Pool) touch(t *poolEntry, now time.Duration) {
	if !p.ordered() {
		return // nothing is ever dropped by recency: keeping it costs cache misses
	}
	t.used = now
	if p.lru.next != t {
		p.unlink(t)
		p.pushFront(t)
	}
}

// pushFront puts t at the head of the list. p.mu is held.
func (p *Pool) pushFront(t *poolEntry) {
	t.prev, t.next = &p.lru, p.lru.next
	p.lru.next.prev = t
	p.lru.next = t
	p.held++
}

// unlink takes t out of the list. p.mu is held.
func (p *Pool) unlink(t *poolEntry) {
	t.prev.next, t.next.prev = t.next, t.prev
	t.prev, t.next = nil, nil
	p.held--
}

// drop stops holding t, and has its session logged out unless the fleet
// shares it. p.mu is held.
func (p *Pool) drop(t *poolEntry) {
	p.unlink(t)
	delete(p.tenants, t.name)
	if !sharesSession(t.auth) {
		p.queueLogout(t.auth)
	}
}

// queueLogout has a goroutine of the Pool's log a out, starting one when
// fewer than maxLoggers run. p.mu is held.
func (p *Pool) queueLogout(a Authenticator) {
	p.logouts = append(p.logouts, a)
	if p.loggers < maxLoggers {
		p.loggers++
		p.work.Add(1)
		go p.logoutQueued()
	}
}

// logoutQueued logs out queued Authenticators until none is left. Once
// life has ended it counts them instead.
func (p *Pool) logoutQueued() {
	defer p.work.Done()
	for {
		p.mu.Lock()
		if len(p.logouts) == 0 {
			p.logouts = nil // let the drained queue's array go
			p.loggers--
			p.mu.Unlock()
			return
		}
		a := p.logouts[0]
		p.logouts[0] = nil
		p.logouts = p.logouts[1:]
		if p.life.Err() != nil {
			p.skipped++
			p.mu.Unlock()
			continue
		}
		p.mu.Unlock()
		if err := p.logoutBounded(a); err != nil {
			p.mu.Lock()
			if p.closed {
				p.failures = append(p.failures, err)
			}
			p.mu.Unlock()
		}
	}
}

// logoutBounded logs a out for the Pool: under DefaultLoginTimeout, and
// cancelled when Close gives up waiting.
func (p *Pool) logoutBounded(a Authenticator) error {
	ctx, cancel := context.WithTimeout(p.life, DefaultLoginTimeout)
	defer cancel()
	return logoutSafely(ctx, a)
}

// logoutSafely calls a.Logout, turning a panic into an error.
func logoutSafely(ctx context.Context, a Authenticator) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError("Logout", r)
		}
	}()
	return a.Logout(ctx)
}

// armIdle sets the idle timer for when the least recently used tenant
// turns idle, unless it is set already or there is nothing to watch.
// p.mu is held.
func (p *Pool) armIdle(now time.Duration) {
	idle := p.opts.IdleTimeout
	if idle <= 0 || p.closed || p.idleArmed || p.held == 0 {
		return
	}
	wait := max(idle-max(now-p.lru.prev.used, 0), idle/idleSlack)
	p.idleArmed = true
	p.work.Add(1)
	if p.idle == nil {
		p.idle = time.AfterFunc(wait, p.sweepIdle)
	} else {
		p.idle.Reset(wait)
	}
}

// sweepIdle is the idle timer's work: it drops every idle tenant, least
// recently used first, and sets the timer for the next.
func (p *Pool) sweepIdle() {
	defer p.work.Done()
	now := time.Since(p.epoch)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.idleArmed = false
	if p.closed {
		return
	}
	for p.held > 0 && now-p.lru.prev.used >= p.opts.IdleTimeout {
		p.drop(p.lru.prev)
	}
	p.armIdle(now)
}

// sharesSession reports whether a's session is the fleet's (see
// [SessionSharer]).
func sharesSession(a Authenticator) bool {
	s, ok := a.(SessionSharer)
	return ok && s.SharesSession()
}

// isNil reports whether a is nil, or a nil pointer (or map, func, ...) in
// an interface, which would fail at its first use. (reflect.ValueOf takes
// the dynamic value out of the interface: its Kind is never Interface.)
func isNil(a Authenticator) bool {
	if a == nil {
		return true
	}
	switch v := reflect.ValueOf(a); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Chan, reflect.Slice:
		return v.IsNil()
	}
	return false
}

// panicError is the error a recovered panic in the application's code
// becomes. The panic value is quoted, not wrapped, even when it is an
// error: the chain holds exactly one sentinel.
func panicError(what string, r any) error {
	return poolError(ErrProtocol, fmt.Sprintf("%s panicked: %v", what, r))
}

// poolError is an error of the Pool's own: err is the sentinel or the
// context's error, message says what happened without naming the tenant.
func poolError(err error, message string) *Error {
	return &Error{Op: OpPool, Err: err, Message: message}
}
