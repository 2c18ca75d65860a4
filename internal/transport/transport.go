package transport

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Transport is an http.RoundTripper that retries what is safe to retry,
// and never repeats a side effect:
//
//   - a try that provably sent nothing (no connection was obtained: DNS,
//     dial, a TLS handshake cut short) is tried again, whatever the request;
//   - an answer of 429 or 503 (the server declined to act) is tried again,
//     whatever the request;
//   - a failure after the request may have reached the server (the
//     connection dropped, 502, 504) is tried again only when the request is
//     safe to repeat (see [Repeatable], and the Repeatable field); otherwise
//     a lost connection comes back as an error holding [ErrMaybeSent].
//
// It waits between tries with exponential backoff and full jitter, and
// obeys Retry-After; when Retry-After asks for longer than the policy's
// MaxDelay or the context's deadline allows, it does not retry and returns
// the answer as it is. It replays request bodies through GetBody (a body
// that cannot be replayed is sent once), and spends a [Budget] shared by
// every transport of the vendor origin. When the tries or the budget run
// out it returns the last answer or error, for the caller to judge. A
// certificate the client does not trust is never retried.
//
// It never changes the caller's request: a retry, or a traced try, sends a
// copy. A Transport is safe for concurrent use; do not change its fields
// once in use.
type Transport struct {
	// Base sends each try; nil means [DefaultBase].
	Base http.RoundTripper
	// Policy says how often and how long to retry.
	Policy Policy
	// Budget is spent by retries; nil means no budget, only Policy limits
	// retries. Use [BudgetFor] to share the vendor origin's.
	Budget *Budget
	// Logger gets a debug line for every retry; nil logs nothing.
	Logger *slog.Logger
	// Repeatable declares every request through this Transport safe to
	// repeat: a provider's own login, logout and key-check requests.
	Repeatable bool
	// Observer is told of retries and of a spent budget; nil tells no one.
	Observer Observer

	// Now, Sleep and Random replace the clock, the wait and the jitter in
	// tests; nil means the real ones. Sleep must return ctx.Err() as soon as
	// ctx ends. Random(n) returns a value in [0, n).
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Random func(n int64) int64
}

// RoundTrip sends req, retrying as the Transport's doc says.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base()
	p := t.Policy.WithDefaults()
	ctx := req.Context()
	repeatable := t.Repeatable || Repeatable(req)
	first, sent := req, (*sentTracker)(nil)
	if !repeatable {
		first, sent = track(req)
	}
	for try := 1; ; try++ {
		r := first
		if try > 1 {
			// No GetBody: replayable said the body is nil or NoBody,
			// which the copy shares as it is.
			r = first.Clone(first.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		sent.reset()
		resp, err := base.RoundTrip(r)
		if ctx.Err() != nil {
			if resp != nil {
				Drain(resp.Body)
			}
			return nil, ctx.Err()
		}
		asked, retry := t.judge(ctx, resp, err, repeatable, sent, p)
		if !retry {
			if err != nil && !repeatable && sent.maybeSent() && retryableError(err) {
				err = errors.Join(ErrMaybeSent, err)
			}
			// Only a success refunds: a refused or broken answer says
			// nothing good about the server's health.
			if err == nil && resp.StatusCode < 400 && t.Budget != nil {
				t.Budget.Refund(SuccessRefund)
			}
			return resp, err
		}
		// judge wants a retry, so an error here came before anything was
		// sent or the request is safe to repeat: no ErrMaybeSent to add.
		if try >= p.MaxAttempts || !replayable(req) {
			return resp, err
		}
		cost := int64(RetryCost)
		if isTimeout(err) {
			cost = RetryTimeoutCost
		}
		if t.Budget != nil && !t.Budget.Take(cost) {
			if t.Observer != nil {
				t.Observer.BudgetSpent(ctx, Origin(req.URL))
			}
			if err != nil {
				err = errors.Join(err, ErrBudgetSpent)
			}
			return resp, err
		}
		wait := p.backoff(try, t.random())
		if asked >= 0 {
			wait = asked
		}
		if resp != nil {
			Drain(resp.Body)
		}
		t.logRetry(req, try, resp, err, wait)
		if t.Observer != nil {
			t.Observer.Retry(ctx, retryEvent(req, try, resp, err, wait, repeatable))
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// judge decides whether the outcome of one try is worth another. asked is
// the wait the server asked for with Retry-After, or -1 when it asked
// nothing.
func (t *Transport) judge(ctx context.Context, resp *http.Response, err error, repeatable bool, sent *sentTracker, p Policy) (asked time.Duration, retry bool) {
	if err != nil {
		// After a connection was obtained, bytes may have reached the
		// server: only a request safe to repeat goes again.
		return -1, retryableError(err) && (repeatable || !sent.maybeSent())
	}
	code := resp.StatusCode
	if !declined(code) && !(gatewayFailed(code) && repeatable) {
		return -1, false
	}
	ra, ok := RetryAfter(resp.Header, t.now())
	if !ok {
		return -1, true
	}
	// The server said when to come back: sooner is no use, and later than
	// the policy or the caller's deadline allows means not at all.
	if p.TooLong(ctx, ra, t.now()) {
		return -1, false
	}
	return ra, true
}

// replayable reports whether req's body can be sent again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

func retryEvent(req *http.Request, try int, resp *http.Response, err error, wait time.Duration, repeatable bool) RetryEvent {
	e := RetryEvent{Method: req.Method, Attempt: try + 1, Wait: wait, Repeatable: repeatable}
	if resp != nil {
		e.StatusCode = resp.StatusCode
	} else {
		e.ErrorKind = ErrorKind(err)
	}
	return e
}

func (t *Transport) logRetry(req *http.Request, try int, resp *http.Response, err error, wait time.Duration) {
	if t.Logger == nil {
		return
	}
	// The path only: a query may carry a session, and an error's text may
	// quote the whole URL.
	outcome := slog.String("error", ErrorKind(err))
	if resp != nil {
		outcome = slog.Int("status", resp.StatusCode)
	}
	t.Logger.LogAttrs(req.Context(), slog.LevelDebug, "retrying",
		slog.String("method", req.Method), slog.String("host", req.URL.Host),
		slog.String("path", req.URL.Path), slog.Int("try", try),
		slog.Duration("wait", wait), outcome)
}

// ErrorKind names a transport error without its text: "timeout" or
// "connection error".
func ErrorKind(err error) string {
	if isTimeout(err) {
		return "timeout"
	}
	return "connection error"
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return DefaultBase
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
