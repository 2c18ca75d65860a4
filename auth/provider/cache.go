package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/transport"
)

// Cache is the authenticator every provider builds on: it holds one
// account's session for a [Backend] and decides when to log in, renew, log
// out and share. A provider's authenticator type embeds a *Cache, whose
// methods make it an auth.Authenticator, and adds Authorize (and Refused);
// it is then everything auth.NewClient needs. Safe for concurrent use.
//
// The held session is read lock-free from an atomic pointer. A session with
// no expiry (the vendors' default) is served without reading the clock; one
// with an expiry costs one clock read. With no usable session, concurrent
// Session callers share one login, run on a goroutine of its own: it is
// detached from every caller's cancel, since the first caller giving up
// must not fail the rest, and runs under its own deadline (the login
// deadline: Config.HTTPClient's Timeout, else auth.DefaultLoginTimeout), so
// a hung server cannot hold every later caller. A caller whose context ends
// stops waiting at once.
//
// An account never keeps two sessions open: a session a newer login
// replaces is renewed in place by the backend or logged out, and with
// Config.Store the rule holds across the fleet (see fleet.go).
type Cache struct {
	held   atomic.Pointer[heldSession]
	flight flight
	*settings

	backend   Backend
	creds     auth.Credentials
	account   accountKey  // never the username
	stateless atomic.Bool // the account's sessions have no ID: nothing to share
}

// heldSession pairs a session with the moment it stops being served,
// worked out once so the hot path only compares, and with what the cache
// knows of it.
type heldSession struct {
	session   *auth.Session
	refreshAt time.Time // zero: no expiry; refused ones get a time long past
	refused   bool      // the vendor refused it: it is gone, never log it out
	fresh     bool      // opened because the vendor refused the one before
	shared    bool      // the fleet's: taken from the store or published to it
	accepted  atomic.Bool
}

// longPast marks a refused session: a non-zero refreshAt in the past, so
// the hot path needs no extra test to skip it.
var longPast = time.Unix(1, 0)

func (h *heldSession) usable() bool {
	return h.refreshAt.IsZero() || time.Now().Before(h.refreshAt)
}

// NewCache returns the cache for the account in cfg at endpoint (from
// [Endpoint]), signing in through b. name is the provider's registered
// name. It panics on an empty name, a nil endpoint or a nil backend: all
// are programming errors.
func NewCache(name string, cfg auth.Config, endpoint *url.URL, b Backend) *Cache {
	if name == "" || b == nil || endpoint == nil {
		panic("provider: NewCache needs a name, an endpoint and a Backend")
	}
	c := &Cache{
		settings: settingsFor(name, cfg, endpoint),
		backend:  b,
		creds:    cfg.Credentials,
	}
	c.account = newAccountKey(name, c.endpoint, cfg.Credentials)
	if sb, ok := b.(StatelessBackend); ok && sb.Stateless() {
		c.stateless.Store(true)
	}
	return c
}

// Endpoint returns the endpoint the account signs in at, in canonical form
// (scheme and host in lower case, no default port, no trailing slash), for
// building the URLs of the vendor's API. Sessions go to its origin only.
func (c *Cache) Endpoint() string { return c.endpoint }

// Provider returns the provider's registered name.
func (c *Cache) Provider() string { return c.name }

// Account returns the account key: a non-reversible name of the account
// (a hash of the provider, endpoint and username or key) that stores key
// their records by and hooks report. It never holds the username.
func (c *Cache) Account() string { return c.account.String() }

// Session returns the held session while it is usable, else one login
// shared by every concurrent caller. A caller whose ctx ends stops waiting
// at once with ctx's error; the login goes on for the others. The returned
// Session is shared: treat it as read-only.
func (c *Cache) Session(ctx context.Context) (*auth.Session, error) {
	if h := c.held.Load(); h != nil && h.usable() {
		return h.session, nil
	}
	return c.shared(ctx)
}

// shared joins the login in flight, or starts one, and waits for it.
func (c *Cache) shared(ctx context.Context) (*auth.Session, error) {
	if ctx == nil {
		return nil, c.nilContext(auth.OpSession)
	}
	if err := ctx.Err(); err != nil {
		return nil, &auth.Error{Provider: c.name, Op: auth.OpSession, Err: err}
	}
	cl, start := c.flight.join()
	if start {
		go c.run(context.WithoutCancel(ctx), cl)
	}
	select {
	case <-cl.done:
	case <-ctx.Done():
		select {
		case <-cl.ready: // the session is held; only a logout was left
			return cl.session, nil
		default:
			return nil, &auth.Error{Provider: c.name, Op: auth.OpSession, Err: ctx.Err()}
		}
	}
	if cl.err != nil {
		e := *cl.err // a copy per caller: the flight's error is shared
		e.Op = auth.OpSession
		return nil, &e
	}
	return cl.session, nil
}

// run is the shared login: it gets a session for every caller waiting on
// cl, within the login deadline, and never lets a panic escape.
func (c *Cache) run(ctx context.Context, cl *call) {
	defer c.flight.finish(cl)
	defer func() {
		if r := recover(); r != nil {
			e := c.panicked(ctx, r)
			select {
			case <-cl.ready: // in a replaced session's logout: the session stands
			default:
				cl.session, cl.err = nil, e
			}
		}
	}()
	prev := c.held.Load()
	if prev != nil && prev.usable() {
		// A login that ended between the callers' look and this one's
		// start already got what they came for.
		cl.session = prev.session
		return
	}
	lctx, cancel := context.WithTimeout(ctx, c.loginTimeout)
	defer cancel()
	s, replaced, err := c.acquire(lctx, reasonFor(prev), prev, false)
	if err != nil {
		cl.err = c.pastDeadline(ctx, lctx, err)
		return
	}
	cl.session = s
	close(cl.ready)
	// Waiters whose context ends from here on get the session: it is
	// held, and only the replaced ones' logout, within the login
	// deadline, is left.
	c.retire(lctx, replaced)
}

func reasonFor(prev *heldSession) auth.LoginReason {
	switch {
	case prev == nil:
		return auth.LoginFirst
	case prev.refused:
		return auth.LoginRefused
	}
	return auth.LoginExpired
}

// Login opens a new session and holds it, replacing any held one: the
// vendor renews the held session in place where it can, and the replaced
// session is logged out otherwise. With Config.Store the new session is
// published to the fleet. Login ends within the login deadline even when
// ctx has none.
func (c *Cache) Login(ctx context.Context) (s *auth.Session, err error) {
	if ctx == nil {
		return nil, c.nilContext(auth.OpLogin)
	}
	bctx, cancel := c.bound(ctx)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, c.panicked(ctx, r)
		}
	}()
	s, replaced, e := c.acquire(bctx, auth.LoginExplicit, c.held.Load(), true)
	if e != nil {
		return nil, c.pastDeadline(ctx, bctx, e)
	}
	if len(replaced) > 0 {
		// The replaced sessions are logged out before Login returns,
		// unless ctx ends first: the logout then goes on, bounded by
		// replacedLogoutTimeout and the login deadline, since the caller
		// giving up must not leave them open.
		retired := make(chan struct{})
		go func() {
			defer close(retired)
			c.retire(context.WithoutCancel(bctx), replaced)
		}()
		select {
		case <-retired:
		case <-bctx.Done():
		}
	}
	return s, nil
}

// Logout ends the held session at the vendor and forgets it; with
// Config.Store it also ends the fleet's session and removes the shared
// record, so every replica logs in anew (with none held here, or one
// another replica already replaced, the store's session is ended). With
// nothing to end it returns nil. A stateless session (no ID) is forgotten
// without a request. When the vendor's logout fails the session stays
// held and the error is returned, so Logout can be tried again. Logout
// ends within the login deadline even when ctx has none.
func (c *Cache) Logout(ctx context.Context) error {
	if ctx == nil {
		return c.nilContext(auth.OpLogout)
	}
	bctx, cancel := c.bound(ctx)
	defer cancel()
	h := c.held.Load()
	var s *auth.Session
	fromStore := false
	if h != nil && !h.refused {
		s = h.session
	} else {
		// None held, or one the vendor refused, which is gone already.
		s, fromStore = c.storedSession(bctx), true
	}
	if s != nil && !s.Stateless() {
		if err := c.close(bctx, s, auth.LogoutExplicit); err != nil {
			return c.pastDeadline(ctx, bctx, err)
		}
		if err := c.forgetShared(bctx, s, fromStore); err != nil {
			return c.pastDeadline(ctx, bctx, err)
		}
	}
	if h != nil {
		c.held.CompareAndSwap(h, nil)
	}
	return nil
}

// Refresh is told that the vendor refused s, and returns the session to try
// again with: s itself when the refusal is the call's rather than the
// session's (s was opened because of a refusal a moment ago and no call
// has succeeded with it since: IPCortex answers a refused action the way
// it answers a lost session), the session held now when s was already
// replaced, else a new one from a login shared with every caller refused
// at the same time, so a hundred refusals cost one login.
func (c *Cache) Refresh(ctx context.Context, s *auth.Session) (*auth.Session, error) {
	if ctx == nil {
		return nil, c.nilContext(auth.OpSession)
	}
	h := c.held.Load()
	if h == nil || h.session != s {
		return c.Session(ctx)
	}
	if h.fresh && !h.accepted.Load() && time.Since(s.IssuedAt) < refusedAgainWindow {
		c.refusedHook(ctx, false)
		return s, nil
	}
	c.refusedHook(ctx, true)
	c.held.CompareAndSwap(h, &heldSession{session: s, refreshAt: longPast, refused: true})
	return c.Session(ctx)
}

// refusedAgainWindow is how long after a login caused by a refusal a
// refusal of the new session counts as the call's own: long enough for a
// burst of refused calls, short enough that a session that really died
// soon after is noticed.
const refusedAgainWindow = time.Minute

// Accepted is told that the vendor accepted a call made with s. It costs a
// load and a comparison.
func (c *Cache) Accepted(s *auth.Session) {
	if h := c.held.Load(); h != nil && h.session == s && h.fresh && !h.accepted.Load() {
		h.accepted.Store(true)
	}
}

// HTTPClient returns a copy of base (of Config.HTTPClient when base is
// nil) whose Transport sends through the account's retrying transport: its
// RetryPolicy, Logger and Hooks, and its vendor origin's retry budget.
// auth.NewClient builds on it, so API calls and logins share one budget
// and one connection pool per vendor origin.
func (c *Cache) HTTPClient(base *http.Client) *http.Client {
	if base == nil {
		base = c.client
	}
	var hc http.Client
	if base != nil {
		hc = *base
	}
	rt, budget := c.base, c.budget
	if hc.Transport != nil && !c.sendsThroughBase(base, hc.Transport) {
		rt, budget = hc.Transport, transport.BudgetFor(hc.Transport, c.origin)
	}
	hc.Transport = &transport.Transport{Base: rt, Policy: c.policy, Budget: budget, Logger: c.debug,
		Observer: c.observer(auth.OpRequest)}
	return &hc
}

// transport returns the retrying transport for a backend's own request.
func (c *Cache) transport(op string) *transport.Transport {
	return &transport.Transport{Base: c.base, Policy: c.policy, Budget: c.budget, Logger: c.debug,
		Repeatable: true, Observer: c.observer(op)}
}

// acquire gets a session for reason, from the store or from a login, and
// holds it. prev is the held session it replaces, if any; explicit is an
// explicit Login, which always opens a session of its own. It returns the
// sessions the new one replaced, for the caller to retire once the new
// one is handed over.
func (c *Cache) acquire(ctx context.Context, reason auth.LoginReason, prev *heldSession, explicit bool) (*auth.Session, []*auth.Session, *auth.Error) {
	if c.store != nil && !c.stateless.Load() && !c.storeDown() {
		return c.acquireShared(ctx, reason, prev, explicit)
	}
	return c.acquireLocal(ctx, reason, prev)
}

// acquireLocal logs in without the store.
func (c *Cache) acquireLocal(ctx context.Context, reason auth.LoginReason, prev *heldSession) (*auth.Session, []*auth.Session, *auth.Error) {
	replaced := heldOf(prev)
	s, renewed, err := c.open(ctx, reason, replaced)
	if err != nil {
		return nil, nil, err
	}
	if renewed {
		replaced = nil // the vendor renewed it in place: it is s
	}
	return s, c.install(s, reason, refusedID(prev), false, replaced), nil
}

// heldOf returns h's session, or nil.
func heldOf(h *heldSession) *auth.Session {
	if h == nil {
		return nil
	}
	return h.session
}

// refusedID returns the ID of h's session if the vendor refused it.
func refusedID(h *heldSession) auth.Secret {
	if h == nil || !h.refused {
		return ""
	}
	return h.session.ID
}

// open logs in at the vendor, replacing prev (nil for none), and stamps
// the session.
func (c *Cache) open(ctx context.Context, reason auth.LoginReason, prev *auth.Session) (*auth.Session, bool, *auth.Error) {
	start := time.Now()
	ctx = c.loginStartHook(ctx, reason)
	s, renewed, err := c.backend.OpenSession(ctx, &Caller{cache: c}, prev)
	var e *auth.Error
	switch {
	case err != nil:
		e = c.asError(auth.OpLogin, err, idOf(prev))
	case s == nil:
		e = &auth.Error{Provider: c.name, Op: auth.OpLogin, Err: auth.ErrProtocol, Message: "provider returned no session"}
	}
	if e != nil {
		c.loginDoneHook(ctx, reason, e, time.Since(start), false)
		return nil, false, e
	}
	renewed = renewed && prev != nil
	if s.Provider == "" {
		s.Provider = c.name
	}
	if s.IssuedAt.IsZero() {
		s.IssuedAt = time.Now()
	}
	if s.ExpiresAt.IsZero() && c.ttl > 0 {
		s.ExpiresAt = s.IssuedAt.Add(c.ttl)
	}
	if s.Stateless() {
		c.stateless.Store(true)
	}
	c.loginDoneHook(ctx, reason, nil, time.Since(start), renewed)
	if c.logger.Enabled(ctx, slog.LevelInfo) { // the account's name costs an allocation
		c.logger.LogAttrs(ctx, slog.LevelInfo, "logged in", slog.String("account", c.Account()),
			slog.String("reason", string(reason)), slog.Bool("renewed", renewed), slog.Any("session", s))
	}
	return s, renewed, nil
}

// install holds s, got for reason, and returns the sessions to retire:
// the session held until now and replaced (what a login replaced and the
// vendor did not renew in place; nil for none), except a session the
// vendor refused (it is gone), s itself, and duplicates. shared says s is
// the fleet's (see fleet.go); the fleet's session held until now is then
// not retired here: the replica that replaced it in the store did that,
// and every other replica logging it out again would cost each a request.
func (c *Cache) install(s *auth.Session, reason auth.LoginReason, refused auth.Secret, shared bool, replaced *auth.Session) []*auth.Session {
	old := c.held.Swap(&heldSession{session: s, refreshAt: s.RefreshAt(), fresh: reason == auth.LoginRefused, shared: shared})
	candidates := [2]*auth.Session{replaced}
	if old != nil && !old.refused && !(shared && old.shared) {
		candidates[1] = old.session
	}
	if candidates[0] != nil && candidates[1] != nil && candidates[0].ID == candidates[1].ID {
		candidates[1] = nil
	}
	var out []*auth.Session
	for _, r := range candidates {
		if r != nil && r.ID != "" && r.ID != s.ID && r.ID != refused {
			out = append(out, r)
		}
	}
	return out
}

// replacedLogoutTimeout bounds the logout of a replaced session: it is
// best effort, and must not hold the login that replaced it for long.
const replacedLogoutTimeout = 5 * time.Second

// retire logs out the sessions newer ones replaced, so the account keeps
// one session at the vendor: each within replacedLogoutTimeout and ctx's
// deadline. Best effort: a failure is logged, not returned.
func (c *Cache) retire(ctx context.Context, replaced []*auth.Session) {
	for _, s := range replaced {
		rctx, cancel := context.WithTimeout(ctx, replacedLogoutTimeout)
		err := c.close(rctx, s, auth.LogoutReplaced)
		cancel()
		if err != nil {
			c.logger.LogAttrs(ctx, slog.LevelWarn, "could not log out a replaced session",
				slog.String("account", c.Account()), slog.String("error", err.Error()))
		}
	}
}

// close ends s at the vendor.
func (c *Cache) close(ctx context.Context, s *auth.Session, reason auth.LogoutReason) *auth.Error {
	start := time.Now()
	var e *auth.Error
	if err := c.backend.CloseSession(ctx, &Caller{cache: c}, s); err != nil {
		e = c.asError(auth.OpLogout, err, s.ID)
	}
	c.logoutDoneHook(ctx, reason, e, time.Since(start))
	if e == nil && c.logger.Enabled(ctx, slog.LevelInfo) {
		c.logger.LogAttrs(ctx, slog.LevelInfo, "logged out", slog.String("account", c.Account()),
			slog.String("reason", string(reason)), slog.Any("session", s))
	}
	return e
}

// bound gives ctx the login deadline unless it has a sooner one.
func (c *Cache) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= c.loginTimeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.loginTimeout)
}

// pastDeadline reports a failure of work bounded by the login deadline:
// the bound itself ending is the vendor not answering in time, not the
// caller giving up.
func (c *Cache) pastDeadline(outer, bounded context.Context, e *auth.Error) *auth.Error {
	if outer.Err() == nil && bounded.Err() != nil && errors.Is(e, context.DeadlineExceeded) {
		msg := e.Message
		if msg == "" {
			msg = fmt.Sprintf("no answer within the login deadline of %v", c.loginTimeout)
		}
		return &auth.Error{Provider: c.name, Op: e.Op, Err: auth.ErrUnavailable, Message: msg}
	}
	return e
}

// asError makes sure what a backend returned is an *auth.Error for op
// holding one sentinel, and passes its text through redaction once more,
// with the account's secrets and the session ids involved.
func (c *Cache) asError(op string, err error, ids ...auth.Secret) *auth.Error {
	secrets := append([]auth.Secret{c.creds.Password, c.creds.APIKey}, ids...)
	var e *auth.Error
	if !errors.As(err, &e) {
		switch {
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			return &auth.Error{Provider: c.name, Op: op, Err: err}
		default:
			return &auth.Error{Provider: c.name, Op: op, Err: auth.ErrProtocol, Message: Clean(err.Error(), secrets...)}
		}
	}
	out := *e
	if out.Provider == "" {
		out.Provider = c.name
	}
	if out.Op == "" {
		out.Op = op
	}
	out.Message, out.Code = Redact(out.Message, secrets...), Redact(out.Code, secrets...)
	if out.Err != nil && Contains(out.Err.Error(), secrets...) {
		out.Err = sentinelOf(out.Err)
	}
	return &out
}

// sentinelOf returns the one outcome err holds, for an error whose text
// cannot be kept.
func sentinelOf(err error) error {
	for _, s := range []error{auth.ErrInvalidCredentials, auth.ErrSessionExpired, auth.ErrUnavailable, auth.ErrProtocol,
		context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, s) {
			return s
		}
	}
	return auth.ErrProtocol
}

func idOf(s *auth.Session) auth.Secret {
	if s == nil {
		return ""
	}
	return s.ID
}

func (c *Cache) nilContext(op string) *auth.Error {
	return &auth.Error{Provider: c.name, Op: op, Err: auth.ErrProtocol, Message: "nil context"}
}
