package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPolicyWithDefaults(t *testing.T) {
	def := Policy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}
	assert.Equal(t, def, Policy{}.WithDefaults())
	assert.Equal(t, def, Policy{MaxAttempts: -1, BaseDelay: -1, MaxDelay: -1}.WithDefaults())
	p := Policy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: time.Minute}
	assert.Equal(t, p, p.WithDefaults())
	assert.Equal(t, Policy{MaxAttempts: 9, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second},
		Policy{MaxAttempts: 9, MaxDelay: time.Second}.WithDefaults())
}

// ceiling is min(MaxDelay, BaseDelay·2^(retry-1)), computed exactly.
func ceiling(p Policy, retry int) time.Duration {
	c := new(big.Int).Lsh(big.NewInt(int64(p.BaseDelay)), uint(retry-1))
	if c.Cmp(big.NewInt(int64(p.MaxDelay))) > 0 {
		return p.MaxDelay
	}
	return time.Duration(c.Int64())
}

func TestBackoffCeiling(t *testing.T) {
	for _, p := range []Policy{
		{BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second},
		{BaseDelay: time.Nanosecond, MaxDelay: time.Hour},
		{BaseDelay: 3 * time.Second, MaxDelay: time.Second}, // base above the cap
		{BaseDelay: time.Second, MaxDelay: time.Second},
		{BaseDelay: 250 * time.Millisecond, MaxDelay: 24 * time.Hour},
		{BaseDelay: 1<<34 + 1, MaxDelay: time.Minute}, // Base·2^n wraps around int64
		{BaseDelay: 20 * time.Second, MaxDelay: time.Hour},
		{BaseDelay: time.Second, MaxDelay: math.MaxInt64}, // no cap to speak of
	} {
		for retry := 1; retry <= 100; retry++ {
			want := min(ceiling(p, retry), math.MaxInt64-1) // 1ns short of "no cap"
			var gotN int64
			got := p.backoff(retry, func(n int64) int64 { gotN = n; return n - 1 })
			if !assert.Equal(t, want, got, "%+v retry %d", p, retry) {
				break
			}
			assert.Equal(t, int64(want)+1, gotN, "Random's range is [0, ceiling]")
			assert.Zero(t, p.backoff(retry, func(int64) int64 { return 0 }))
			assert.NotPanics(t, func() { p.backoff(retry, defaultRandom) })
		}
	}
}

func TestBackoffFullJitter(t *testing.T) {
	p := Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}
	const samples = 2000
	for retry := 1; retry <= 8; retry++ {
		c := ceiling(p, retry)
		lo, hi := c, time.Duration(0)
		for range samples {
			d := p.backoff(retry, defaultRandom)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.LessOrEqual(t, d, c)
			lo, hi = min(lo, d), max(hi, d)
		}
		// Spread over the whole range, not bunched near the ceiling (the odds
		// of either failing by chance are 0.75^2000).
		assert.Less(t, lo, c/4, "retry %d", retry)
		assert.Greater(t, hi, c/4*3, "retry %d", retry)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2015, time.October, 21, 7, 28, 0, 0, time.UTC)
	maxWait := time.Duration(1<<62) / time.Second * time.Second
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{"120", 2 * time.Minute, true},
		{" 7 ", 7 * time.Second, true},
		{"+5", 5 * time.Second, true}, // strconv accepts a sign
		{"4611686018", maxWait, true},
		{"9223372036", maxWait, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"5s", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", 0, false},
		{"Wed, 21 Oct 2015 07:28:30 GMT", 30 * time.Second, true},
		{"Wednesday, 21-Oct-15 07:29:00 GMT", time.Minute, true},
		{"Wed Oct 21 07:28:05 2015", 5 * time.Second, true},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, true},
		{"Wed, 21 Oct 2015 07:00:00 GMT", 0, true}, // in the past
		{"Wed, 21 Oct 2015 07:28:30 PST", 0, false},
		{"2015-10-21T07:28:30Z", 0, false},
	} {
		h := http.Header{}
		if tc.value != "" {
			h.Set("Retry-After", tc.value)
		}
		got, ok := RetryAfter(h, now)
		assert.Equal(t, tc.ok, ok, "%q", tc.value)
		assert.Equal(t, tc.want, got, "%q", tc.value)
	}
}

func TestPolicyTooLong(t *testing.T) {
	now := time.Date(2015, time.October, 21, 7, 28, 0, 0, time.UTC)
	p := Policy{MaxDelay: 5 * time.Second}
	ctx := context.Background()
	assert.False(t, p.TooLong(ctx, 5*time.Second, now), "MaxDelay itself is allowed")
	assert.True(t, p.TooLong(ctx, 6*time.Second, now), "over MaxDelay")
	assert.True(t, Policy{}.TooLong(ctx, DefaultMaxDelay+time.Second, now), "a zero MaxDelay is the default")
	assert.False(t, Policy{}.TooLong(ctx, DefaultMaxDelay, now))
	ctx, cancel := context.WithDeadline(ctx, now.Add(3*time.Second))
	defer cancel()
	assert.False(t, p.TooLong(ctx, 3*time.Second, now), "up to the deadline")
	assert.True(t, p.TooLong(ctx, 4*time.Second, now), "past the deadline")
}

func TestRetryableStatus(t *testing.T) {
	for code := 100; code < 600; code++ {
		assert.Equal(t, code == 429 || code == 503, declined(code), "%d: the server declined to act", code)
		assert.Equal(t, code == 502 || code == 504, gatewayFailed(code), "%d: a gateway failed", code)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestRetryableError(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	dialTimeout := dialErr(t)
	cert := &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
	for _, tc := range []struct {
		name      string
		err       error
		retry     bool
		isTimeout bool
	}{
		{"refused", refused, true, false},
		{"reset", reset, true, false},
		{"EOF", io.EOF, true, false},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true, false},
		{"timeout", timeoutErr{}, true, true},
		{"i/o deadline", &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, true, true},
		{"dial timeout", dialTimeout, true, true},
		{"net/http header timeout", headerTimeoutErr(t), true, true},
		{"context canceled", context.Canceled, false, false},
		{"wrapped cancel", fmt.Errorf("dial: %w", context.Canceled), false, false},
		{"net's cancel", &net.OpError{Op: "dial", Err: canceledDialErr(t)}, false, false},
		{"certificate", cert, false, false},
		{"wrapped certificate", fmt.Errorf("tls: %w", cert), false, false},
		{"unknown authority", x509.UnknownAuthorityError{}, false, false},
		{"hostname", x509.HostnameError{}, false, false},
		{"invalid certificate", x509.CertificateInvalidError{}, false, false},
	} {
		assert.Equal(t, tc.retry, retryableError(tc.err), "%s: %v", tc.name, tc.err)
		assert.Equal(t, tc.isTimeout, isTimeout(tc.err), "%s: %v", tc.name, tc.err)
	}
	assert.Equal(t, "timeout", ErrorKind(dialTimeout))
	assert.Equal(t, "connection error", ErrorKind(refused))
}

// dialErr is a real dial timeout from the net package.
func dialErr(t *testing.T) error {
	d := net.Dialer{Timeout: time.Nanosecond}
	_, err := d.Dial("tcp", "127.0.0.1:9")
	require.Error(t, err)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "net timeouts match DeadlineExceeded: %v", err)
	return err
}

// canceledDialErr is the net package's own cancel error.
func canceledDialErr(t *testing.T) error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var d net.Dialer
	_, err := d.DialContext(ctx, "tcp", "127.0.0.1:9")
	require.ErrorIs(t, err, context.Canceled)
	return err
}

// headerTimeoutErr is net/http's ResponseHeaderTimeout error.
func headerTimeoutErr(t *testing.T) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() { // accept and say nothing
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			_, _ = io.Copy(io.Discard, c)
		}
	}()
	tr := &http.Transport{ResponseHeaderTimeout: 10 * time.Millisecond}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
	_, err = tr.RoundTrip(req)
	require.ErrorContains(t, err, "timeout awaiting response headers")
	return err
}

func TestReplayable(t *testing.T) {
	withGetBody, _ := http.NewRequest(http.MethodPost, "http://x/", strings.NewReader("a"))
	assert.True(t, replayable(withGetBody))
	noBody, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	assert.True(t, replayable(noBody))
	noBody.Body = http.NoBody
	assert.True(t, replayable(noBody))
	oneShot, _ := http.NewRequest(http.MethodPost, "http://x/", io.MultiReader(strings.NewReader("a")))
	require.Nil(t, oneShot.GetBody)
	assert.False(t, replayable(oneShot))
}

func TestSleepContext(t *testing.T) {
	ctx := context.Background()
	assert.NoError(t, SleepContext(ctx, 0))
	assert.NoError(t, SleepContext(ctx, -time.Second))
	assert.NoError(t, SleepContext(ctx, time.Millisecond))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	start := time.Now()
	assert.ErrorIs(t, SleepContext(cancelled, time.Hour), context.Canceled)
	assert.ErrorIs(t, SleepContext(cancelled, 0), context.Canceled)
	assert.Less(t, time.Since(start), time.Second)

	short, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, SleepContext(short, time.Hour), context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}

// FuzzRetryAfter: no header value makes RetryAfter panic or give a
// negative wait, and a value it does not understand gives none.
func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2015, time.October, 21, 7, 28, 0, 0, time.UTC)
	for _, seed := range []string{"0", "120", " 7 ", "-1", "1.5", "99999999999999999999", "9223372036",
		"Wed, 21 Oct 2015 07:28:30 GMT", "Wednesday, 21-Oct-15 07:29:00 GMT", "Wed Oct 21 07:28:05 2015", "soon"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		h := http.Header{}
		h.Set("Retry-After", value)
		got, ok := RetryAfter(h, now)
		if got < 0 {
			t.Fatalf("RetryAfter(%q) = %v, a negative wait", value, got)
		}
		if !ok && got != 0 {
			t.Fatalf("RetryAfter(%q) = %v but says it did not understand it", value, got)
		}
	})
}
