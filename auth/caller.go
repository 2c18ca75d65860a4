package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// MaxResponseSize is the most a provider's answer may hold (1 MiB); a larger
// one is [ErrProtocol].
const MaxResponseSize = transport.MaxResponseSize

// Caller sends a provider's own requests (login, logout, key checks) the way
// every provider must: through the retrying transport with the Config's
// RetryPolicy and its own retry budget, following no redirect, reading at
// most [MaxResponseSize] bytes, and turning every failure into an [*Error].
// Safe for concurrent use.
type Caller struct {
	provider string
	client   *http.Client
	logger   *slog.Logger
}

// Response is a provider's whole answer, its body already read and closed.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Cookie returns the named cookie the answer sets, or nil.
func (r *Response) Cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// NewCaller returns a Caller for provider built from cfg's HTTPClient
// (its Transport and Timeout; never its cookie jar or redirect policy),
// Retry and Logger.
func NewCaller(provider string, cfg Config) *Caller {
	base, timeout := http.DefaultTransport, time.Duration(0)
	if cfg.HTTPClient != nil {
		timeout = cfg.HTTPClient.Timeout
		if cfg.HTTPClient.Transport != nil {
			base = cfg.HTTPClient.Transport
		}
	}
	rt := transport.New(base, cfg.Retry.policy(), cfg.Logger)
	rt.Repeatable = true // logins, logouts and key checks are safe to repeat
	return &Caller{
		provider: provider,
		client: &http.Client{
			Transport:     rt,
			CheckRedirect: transport.NoRedirects,
			Timeout:       timeout,
		},
		logger: cfg.logger(),
	}
}

func (p RetryPolicy) policy() transport.Policy {
	return transport.Policy{MaxAttempts: p.MaxAttempts, BaseDelay: p.BaseDelay, MaxDelay: p.MaxDelay}
}

// Do sends req and returns the answer when its status is 2xx. Anything else
// is an *Error for op: the context's error when req's context ended;
// ErrUnavailable for no answer, for 429 and 5xx, and once the retry budget
// is spent; the classes of [StatusError] for other statuses; ErrProtocol for
// an answer over [MaxResponseSize].
func (c *Caller) Do(req *http.Request, op string) (*Response, error) {
	ctx := req.Context()
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, op, err)
	}
	defer resp.Body.Close()
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		c.logDebug(ctx, op, req, resp.StatusCode, time.Since(start))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, StatusError(c.provider, op, resp.StatusCode)
	}
	body, err := transport.ReadLimited(resp.Body, MaxResponseSize)
	switch {
	case errors.Is(err, transport.ErrTooLarge):
		return nil, &Error{Provider: c.provider, Op: op, StatusCode: resp.StatusCode, Err: ErrProtocol,
			Message: "answer larger than 1 MiB"}
	case err != nil:
		return nil, c.transportError(ctx, op, err)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// logDebug logs one answer: the path only, since a query may carry a
// session.
func (c *Caller) logDebug(ctx context.Context, op string, req *http.Request, status int, took time.Duration) {
	c.logger.LogAttrs(ctx, slog.LevelDebug, "provider answered",
		slog.String("provider", c.provider), slog.String("op", op),
		slog.String("method", req.Method), slog.String("path", req.URL.Path),
		slog.Int("status", status), slog.Duration("took", took))
}

// transportError classifies a failure with no complete answer.
func (c *Caller) transportError(ctx context.Context, op string, err error) *Error {
	if ctx.Err() != nil {
		return &Error{Provider: c.provider, Op: op, Err: ctx.Err()}
	}
	// The client's own Timeout shows as a deadline error: for the caller it
	// means the provider did not answer in time, not that they gave up.
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &Error{Provider: c.provider, Op: op, Err: ErrUnavailable, Message: "no answer in time"}
	}
	return &Error{Provider: c.provider, Op: op, Err: errors.Join(ErrUnavailable, err)}
}
