package transport

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Transport is an http.RoundTripper that retries what is worth retrying:
// failures before any response, and 429, 502, 503 and 504 answers. It waits
// between tries with exponential backoff and full jitter, obeys Retry-After
// (capped by the policy's MaxDelay), replays request bodies through GetBody
// (a request whose body cannot be replayed is sent once), and spends a
// [Budget] shared by all its requests. When the tries or the budget run out
// it returns the last answer or error as they are, for the caller to judge.
//
// It never changes the caller's request: a retry sends a clone. A Transport
// is safe for concurrent use; do not change its fields once in use.
type Transport struct {
	// Base sends each try; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Policy says how often and how long to retry.
	Policy Policy
	// Budget is spent by retries; nil means no budget, only Policy limits
	// retries. New gives each Transport a budget of its own.
	Budget *Budget
	// Logger gets a debug line for every retry; nil logs nothing.
	Logger *slog.Logger

	// Now, Sleep and Random replace the clock, the wait and the jitter in
	// tests; nil means the real ones. Sleep must return ctx.Err() as soon as
	// ctx ends. Random(n) returns a value in [0, n).
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Random func(n int64) int64
}

// New returns a Transport over base with policy p and a fresh budget.
func New(base http.RoundTripper, p Policy, logger *slog.Logger) *Transport {
	return &Transport{Base: base, Policy: p.withDefaults(), Budget: NewBudget(), Logger: logger}
}

// RoundTrip sends req, retrying as the Transport's doc says.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base()
	p := t.Policy.withDefaults()
	budget := t.Budget
	ctx := req.Context()
	for try := 1; ; try++ {
		r := req
		if try > 1 {
			r = req.Clone(ctx)
			// No GetBody: replayable says the body is nil or NoBody, which
			// the clone shares as it is.
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := base.RoundTrip(r)
		if ctx.Err() != nil {
			if resp != nil {
				drain(resp.Body)
			}
			return nil, ctx.Err()
		}
		if !t.shouldRetry(resp, err) {
			// Only a success refunds: a refused or broken answer says
			// nothing good about the server's health.
			if err == nil && resp.StatusCode < 400 && budget != nil {
				budget.Refund(SuccessRefund)
			}
			return resp, err
		}
		if try >= p.MaxAttempts || !replayable(req) {
			return resp, err
		}
		cost := int64(RetryCost)
		if isTimeout(err) {
			cost = RetryTimeoutCost
		}
		if budget != nil && !budget.Take(cost) {
			if err != nil {
				err = errors.Join(err, ErrBudgetSpent)
			}
			return resp, err
		}
		wait := p.backoff(try, t.random())
		if resp != nil {
			if ra, ok := retryAfter(resp.Header, t.now()); ok {
				wait = ra
			}
			wait = min(wait, p.MaxDelay)
			drain(resp.Body)
		}
		t.logRetry(req, try, resp, err, wait)
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// shouldRetry reports whether the outcome of one try is worth another.
func (t *Transport) shouldRetry(resp *http.Response, err error) bool {
	if err != nil {
		return retryableError(err)
	}
	return retryableStatus(resp.StatusCode)
}

// replayable reports whether req can be sent again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

func (t *Transport) logRetry(req *http.Request, try int, resp *http.Response, err error, wait time.Duration) {
	if t.Logger == nil {
		return
	}
	// The path only: a query may carry a session, and an error's text may
	// quote the whole URL.
	outcome := slog.String("error", errorKind(err))
	if resp != nil {
		outcome = slog.Int("status", resp.StatusCode)
	}
	t.Logger.LogAttrs(req.Context(), slog.LevelDebug, "retrying",
		slog.String("method", req.Method), slog.String("host", req.URL.Host),
		slog.String("path", req.URL.Path), slog.Int("try", try),
		slog.Duration("wait", wait), outcome)
}

// errorKind names a transport error without its text.
func errorKind(err error) string {
	if isTimeout(err) {
		return "timeout"
	}
	return "connection error"
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *Transport) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *Transport) random() func(int64) int64 {
	if t.Random != nil {
		return t.Random
	}
	return defaultRandom
}

func (t *Transport) sleep(ctx context.Context, d time.Duration) error {
	if t.Sleep != nil {
		return t.Sleep(ctx, d)
	}
	return SleepContext(ctx, d)
}

// SleepContext waits d, or returns ctx.Err() as soon as ctx ends.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CloseIdleConnections passes the call on to Base, so http.Client's method
// of that name still works through a Transport.
func (t *Transport) CloseIdleConnections() {
	type closer interface{ CloseIdleConnections() }
	if c, ok := t.base().(closer); ok {
		c.CloseIdleConnections()
	}
}
