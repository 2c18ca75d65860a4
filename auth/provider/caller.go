package provider

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/transport"
)

// Caller sends a backend's own requests (login, logout, key checks) the way
// every provider must: through the retrying transport with the account's
// RetryPolicy and its vendor origin's retry budget, as requests safe to
// repeat, following no redirect, under Config.HTTPClient's Timeout,
// reading at most [MaxResponseSize] bytes, and turning every failure into
// an *auth.Error. The cache hands one to each Backend call. Safe for
// concurrent use.
type Caller struct {
	cache *Cache
}

// Credentials returns the account's credentials, for the backend to sign
// in with: the cache keeps them, so a provider need not keep a copy.
func (c *Caller) Credentials() auth.Credentials { return c.cache.creds }

// Endpoint returns the endpoint as the account's Config gave it (with its
// trailing slash, if any), for building the backend's requests: a vendor
// may tell "/api" from "/api/". Cache.Endpoint is the canonical form.
func (c *Caller) Endpoint() string { return c.cache.target }

// Response is a vendor's whole answer, its body already read and closed.
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

// Do sends req and returns the answer when its status is 2xx. Anything else
// is an *auth.Error for op: the context's error when req's context ended;
// auth.ErrUnavailable for no answer, for 429 and 5xx (with RetryAfter set
// when the vendor asked to wait longer than the policy allows), and once
// the retry budget is spent; the classes of [StatusError] for other
// statuses; auth.ErrProtocol for a certificate the client does not trust
// and for an answer over [MaxResponseSize].
func (c *Caller) Do(req *http.Request, op string) (*Response, error) {
	k := c.cache
	if req == nil || req.URL == nil {
		return nil, &auth.Error{Provider: k.name, Op: op, Err: auth.ErrProtocol, Message: "no request to send"}
	}
	ctx := req.Context()
	sendCtx, cancel := ctx, context.CancelFunc(func() {})
	if k.clientTimeout > 0 {
		sendCtx, cancel = context.WithTimeout(ctx, k.clientTimeout)
		req = req.WithContext(sendCtx)
	}
	defer cancel()
	start := time.Now()
	resp, err := k.transport(op).RoundTrip(req)
	if err != nil {
		return nil, k.failure(ctx, sendCtx, op, req, err)
	}
	defer resp.Body.Close()
	if k.logger.Enabled(ctx, slog.LevelDebug) {
		k.logger.LogAttrs(ctx, slog.LevelDebug, "provider answered",
			slog.String("provider", k.name), slog.String("op", op),
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := StatusError(k.name, op, resp.StatusCode)
		e.RetryAfter = k.retryAfter(sendCtx, resp)
		return nil, e
	}
	body, err := ReadLimited(resp.Body, MaxResponseSize)
	switch {
	case errors.Is(err, ErrTooLarge):
		return nil, &auth.Error{Provider: k.name, Op: op, StatusCode: resp.StatusCode, Err: auth.ErrProtocol,
			Message: "answer larger than 1 MiB"}
	case err != nil:
		return nil, k.failure(ctx, sendCtx, op, req, err)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// retryAfter returns the wait a declining answer asked for, when it was
// longer than the policy or the deadline allowed and so was not waited for.
func (k *Cache) retryAfter(ctx context.Context, resp *http.Response) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	now := time.Now()
	if ra, ok := transport.RetryAfter(resp.Header, now); ok && k.policy.TooLong(ctx, ra, now) {
		return ra
	}
	return 0
}

// failure classifies a request of op that got no complete answer. ctx is
// the caller's context, sendCtx the one bounded by the client's Timeout.
func (k *Cache) failure(ctx, sendCtx context.Context, op string, req *http.Request, err error) *auth.Error {
	switch {
	case ctx.Err() != nil:
		return &auth.Error{Provider: k.name, Op: op, Err: ctx.Err()}
	case sendCtx.Err() != nil:
		// The client's own Timeout: for the caller it means the vendor did
		// not answer in time, not that they gave up.
		return &auth.Error{Provider: k.name, Op: op, Err: auth.ErrUnavailable,
			Message: "no answer within Config.HTTPClient.Timeout"}
	}
	return &auth.Error{Provider: k.name, Op: op, Err: transport.Describe(err, req.URL.Hostname())}
}
