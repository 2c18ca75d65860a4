package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// SessionCache is the [Authenticator] every provider builds on: it holds
// one session for a [Backend] and decides when to log in. Providers embed
// it or forward to it; it is safe for concurrent use.
//
// The held session is read lock-free from an atomic pointer. A session with
// no expiry (the vendors' default) is served without reading the clock; one
// with an expiry costs one clock read. With no usable session, concurrent
// Session callers share one login through singleflight. That login is
// detached from every caller's cancel, since the first caller giving up must
// not fail the rest, and runs under its own deadline (Config.HTTPClient's
// Timeout, else [DefaultLoginTimeout]), so a hung server cannot hold every
// later caller.
type SessionCache struct {
	provider     string
	backend      Backend
	ttl          time.Duration
	loginTimeout time.Duration
	logger       *slog.Logger

	held   atomic.Pointer[heldSession]
	flight singleflight.Group
}

// heldSession pairs a session with the moment it stops being served, worked
// out once at login so the hot path only compares.
type heldSession struct {
	session   *Session
	refreshAt time.Time // zero: no expiry
}

func (h *heldSession) usable() bool {
	return h.refreshAt.IsZero() || time.Now().Before(h.refreshAt)
}

// NewSessionCache returns a cache that logs in to provider through b, with
// cfg's SessionTTL, login deadline and Logger.
func NewSessionCache(provider string, cfg Config, b Backend) *SessionCache {
	return &SessionCache{
		provider:     provider,
		backend:      b,
		ttl:          cfg.SessionTTL,
		loginTimeout: cfg.loginTimeout(),
		logger:       cfg.logger(),
	}
}

// Session returns the held session while usable, else one login shared by
// every concurrent caller. A caller whose ctx ends stops waiting at once
// with ctx's error; the login goes on for the others.
func (c *SessionCache) Session(ctx context.Context) (*Session, error) {
	if h := c.held.Load(); h != nil && h.usable() {
		return h.session, nil
	}
	return c.sharedLogin(ctx)
}

func (c *SessionCache) sharedLogin(ctx context.Context) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Provider: c.provider, Op: OpSession, Err: err}
	}
	results := c.flight.DoChan("login", func() (any, error) {
		// A login that finished between our look and this flight's start
		// already gave us what we came for.
		if h := c.held.Load(); h != nil && h.usable() {
			return h.session, nil
		}
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.loginTimeout)
		defer cancel()
		s, err := c.login(lctx)
		if err != nil && lctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, &Error{Provider: c.provider, Op: OpLogin, Err: ErrUnavailable,
				Message: fmt.Sprintf("no answer within the login deadline of %v", c.loginTimeout)}
		}
		return s, err
	})
	select {
	case r := <-results:
		if r.Err != nil {
			e := *r.Err.(*Error) // a copy per caller: the flight's error is shared
			e.Op = OpSession
			return nil, &e
		}
		return r.Val.(*Session), nil
	case <-ctx.Done():
		return nil, &Error{Provider: c.provider, Op: OpSession, Err: ctx.Err()}
	}
}

// Login opens a new session with the caller's ctx and holds it, replacing
// any held one.
func (c *SessionCache) Login(ctx context.Context) (*Session, error) {
	return c.login(ctx)
}

func (c *SessionCache) login(ctx context.Context) (*Session, error) {
	s, err := c.backend.Login(ctx)
	if err != nil {
		return nil, c.asError(OpLogin, err)
	}
	if s == nil {
		return nil, &Error{Provider: c.provider, Op: OpLogin, Err: ErrProtocol, Message: "provider returned no session"}
	}
	if s.Provider == "" {
		s.Provider = c.provider
	}
	if s.IssuedAt.IsZero() {
		s.IssuedAt = time.Now()
	}
	if s.ExpiresAt.IsZero() && c.ttl > 0 {
		s.ExpiresAt = s.IssuedAt.Add(c.ttl)
	}
	h := &heldSession{session: s}
	if !s.ExpiresAt.IsZero() {
		h.refreshAt = s.ExpiresAt.Add(-ExpiryWindow)
	}
	c.held.Store(h)
	c.logger.LogAttrs(ctx, slog.LevelInfo, "logged in", slog.Any("session", s))
	return s, nil
}

// Logout ends the held session at the provider and forgets it; with none
// held it returns nil. A stateless session (no ID) is forgotten without a
// request. When the provider's logout fails the session stays held.
func (c *SessionCache) Logout(ctx context.Context) error {
	h := c.held.Load()
	if h == nil {
		return nil
	}
	if !h.session.Stateless() {
		if err := c.backend.Logout(ctx, h.session); err != nil {
			return c.asError(OpLogout, err)
		}
	}
	c.held.CompareAndSwap(h, nil)
	c.logger.LogAttrs(ctx, slog.LevelInfo, "logged out", slog.Any("session", h.session))
	return nil
}

// Held returns the session held, usable or not, or nil; it never logs in.
func (c *SessionCache) Held() *Session {
	if h := c.held.Load(); h != nil {
		return h.session
	}
	return nil
}

// Invalidate forgets s if it is still the held session and reports whether
// it was. Callers that saw s refused use it, so that many refusals of one
// session cause one new login.
func (c *SessionCache) Invalidate(s *Session) bool {
	h := c.held.Load()
	if h == nil || h.session != s || !c.held.CompareAndSwap(h, nil) {
		return false
	}
	c.logger.LogAttrs(context.Background(), slog.LevelInfo, "session refused; dropped", slog.Any("session", s))
	return true
}

// asError makes sure what a backend returned is an *Error for op.
func (c *SessionCache) asError(op string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Provider: c.provider, Op: op, Err: err}
	}
	return &Error{Provider: c.provider, Op: op, Err: errors.Join(ErrProtocol, err)}
}
