package transport

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The policy defaults, used where a [Policy] field is zero.
const (
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 100 * time.Millisecond
	DefaultMaxDelay    = 5 * time.Second
)

// Policy says how often and how patiently to retry.
type Policy struct {
	MaxAttempts int           // tries in all, the first included; 0 means DefaultMaxAttempts
	BaseDelay   time.Duration // the first backoff's ceiling; 0 means DefaultBaseDelay
	MaxDelay    time.Duration // caps every wait, Retry-After included; 0 means DefaultMaxDelay
}

// WithDefaults fills the zero fields.
func (p Policy) WithDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	return p
}

// TooLong reports whether a Retry-After of ra, read at now, asks for a
// longer wait than p allows (MaxDelay, its default when zero) or than is
// left before ctx's deadline. A [Transport] does not retry such an
// answer; its caller reports the wait instead, for a later try.
func (p Policy) TooLong(ctx context.Context, ra time.Duration, now time.Time) bool {
	if ra > p.WithDefaults().MaxDelay {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && now.Add(ra).After(deadline)
}

// backoff returns the wait before retry number retry (1 for the first
// retry): a uniformly random duration in [0, min(MaxDelay, BaseDelay·2^(retry-1))],
// "full jitter", which spreads a crowd of clients best (AWS architecture blog,
// "Exponential Backoff And Jitter"). random(n) returns a value in [0, n).
func (p Policy) backoff(retry int, random func(int64) int64) time.Duration {
	ceiling := p.MaxDelay
	if shift := retry - 1; shift < 62 {
		// d>>shift == BaseDelay: the shift did not wrap around int64.
		if d := p.BaseDelay << shift; d > 0 && d>>shift == p.BaseDelay && d < ceiling {
			ceiling = d
		}
	}
	// -1: ceiling+1 must not wrap when MaxDelay is math.MaxInt64.
	return time.Duration(random(int64(min(ceiling, math.MaxInt64-1)) + 1))
}

// defaultRandom is math/rand/v2's global source: safe for concurrent use and
// seeded per process, which is all jitter needs.
func defaultRandom(n int64) int64 { return rand.Int64N(n) }

// RetryAfter reads a Retry-After header in either of its forms (delay-seconds
// or an HTTP date) and reports whether one was present and understood.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(time.Duration(1<<62)/time.Second) {
			secs = int64(time.Duration(1<<62) / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
