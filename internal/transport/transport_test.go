package transport_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/internal/transport"
)

var policy = transport.Policy{MaxAttempts: 4, BaseDelay: 100 * ms, MaxDelay: 5 * time.Second}

func TestRetriesTransientStatus(t *testing.T) {
	for _, code := range []int{
		http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout,
	} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			srv := newServer(t, statuses(code, code))
			tr, sl := newTransport(newBase(t), policy)

			resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "ok", readBody(t, resp))
			assert.EqualValues(t, 3, srv.hits.Load())
			assert.Equal(t, []time.Duration{100 * ms, 200 * ms}, sl.Waits())
		})
	}
}

// A GET without a body has Body == nil (or http.NoBody) and no GetBody:
// nothing to replay, so it is retried like any other.
func TestRetriesRequestWithoutBody(t *testing.T) {
	for name, mk := range map[string]func(t *testing.T, url string) *http.Request{
		"nil body": func(t *testing.T, url string) *http.Request {
			req := newRequest(t, http.MethodGet, url, nil)
			require.Nil(t, req.Body)
			require.Nil(t, req.GetBody)
			return req
		},
		"NoBody without GetBody": func(t *testing.T, url string) *http.Request {
			req := newRequest(t, http.MethodDelete, url, nil)
			req.Body = http.NoBody
			return req
		},
		"NoBody from NewRequest": func(t *testing.T, url string) *http.Request {
			return newRequest(t, http.MethodPost, url, http.NoBody)
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, statuses(http.StatusServiceUnavailable))
			tr, sl := newTransport(newBase(t), policy)

			resp, err := tr.RoundTrip(mk(t, srv.URL))
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "ok", readBody(t, resp))
			assert.EqualValues(t, 2, srv.hits.Load())
			assert.Len(t, sl.Waits(), 1)
		})
	}
}

func TestDoesNotRetryOtherStatus(t *testing.T) {
	for _, code := range []int{
		http.StatusOK, http.StatusNoContent + 2, http.StatusFound,
		http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden,
		http.StatusNotFound, http.StatusConflict,
		http.StatusInternalServerError, http.StatusNotImplemented, http.StatusHTTPVersionNotSupported,
	} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			srv := newServer(t, always(code))
			tr, sl := newTransport(newBase(t), policy)

			resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
			require.NoError(t, err)
			assert.Equal(t, code, resp.StatusCode)
			assert.Equal(t, "try 1", readBody(t, resp))
			assert.EqualValues(t, 1, srv.hits.Load())
			assert.Empty(t, sl.Waits())
		})
	}
}

func TestMaxAttempts(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			srv := newServer(t, always(http.StatusServiceUnavailable))
			tr, sl := newTransport(newBase(t), transport.Policy{MaxAttempts: n})

			resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
			require.NoError(t, err)
			// The last answer comes back as it is, body unread and readable.
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			assert.Equal(t, "try "+strconv.Itoa(n), readBody(t, resp))
			assert.EqualValues(t, n, srv.hits.Load())
			assert.Len(t, sl.Waits(), n-1)
		})
	}
}

// A zero Transport uses the policy's defaults and no budget.
func TestZeroPolicyUsesDefaults(t *testing.T) {
	srv := newServer(t, always(http.StatusBadGateway))
	s := &sleeps{}
	tr := &transport.Transport{Base: newBase(t), Sleep: s.Sleep, Random: randomMax}

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	assert.Equal(t, "try 4", readBody(t, resp))
	assert.EqualValues(t, transport.DefaultMaxAttempts, srv.hits.Load())
	assert.Equal(t, []time.Duration{100 * ms, 200 * ms, 400 * ms}, s.Waits())
}

// Base nil means DefaultBase.
func TestNilBaseIsDefaultBase(t *testing.T) {
	srv := newServer(t, statuses())
	resp, err := (&transport.Transport{}).RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	assert.Equal(t, "ok", readBody(t, resp))
}

// dropListener closes the first drop connections it accepts, before a byte
// is read: the client sees its connection end with no response.
type dropListener struct {
	net.Listener
	drop atomic.Int64
}

func (l *dropListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.drop.Add(-1) >= 0 {
			_ = c.Close()
			continue
		}
		return c, nil
	}
}

func TestRetriesConnectionClosedBeforeResponse(t *testing.T) {
	t.Run("then an answer", func(t *testing.T) {
		s := &server{}
		s.Server = httptest.NewUnstartedServer(s.handler(statuses()))
		dl := &dropListener{Listener: s.Listener}
		dl.drop.Store(2)
		s.Listener = dl
		s.Start()
		t.Cleanup(s.Close)
		tr, sl := newTransport(newBase(t), policy)

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, s.URL, nil))
		require.NoError(t, err)
		assert.Equal(t, "ok", readBody(t, resp))
		assert.EqualValues(t, -1, dl.drop.Load(), "two connections dropped, the third served")
		assert.EqualValues(t, 1, s.hits.Load())
		assert.Equal(t, []time.Duration{100 * ms, 200 * ms}, sl.Waits())
	})

	t.Run("every time", func(t *testing.T) {
		ln := listen(t)
		var accepted atomic.Int64
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				accepted.Add(1)
				_ = c.Close()
			}
		}()
		tr, sl := newTransport(newBase(t), transport.Policy{MaxAttempts: 3})

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, "http://"+ln.Addr().String()+"/", nil))
		require.Error(t, err)
		assert.Nil(t, resp)
		assert.EqualValues(t, 3, accepted.Load())
		assert.Len(t, sl.Waits(), 2)
	})
}

func TestRetriesConnectionRefused(t *testing.T) {
	rec := &recorder{base: newBase(t)}
	tr, sl := newTransport(rec, transport.Policy{MaxAttempts: 3})

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, "http://"+closedPort(t)+"/", nil))
	assert.Nil(t, resp)
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.NotErrorIs(t, err, transport.ErrBudgetSpent)
	assert.Equal(t, 3, rec.Tries())
	assert.Equal(t, []time.Duration{100 * ms, 200 * ms}, sl.Waits())
}

// A certificate the client does not trust will not heal: one try.
func TestDoesNotRetryCertificateError(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	rec := &recorder{base: newBase(t)}
	tr, sl := newTransport(rec, policy)

	_, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	var certErr *tls.CertificateVerificationError
	require.ErrorAs(t, err, &certErr)
	assert.Equal(t, 1, rec.Tries())
	assert.Empty(t, sl.Waits())
}

// hang blocks each request until the client gives up on it (or the test
// ends), after telling started.
func hang(t *testing.T, started chan<- int) func(http.ResponseWriter, *http.Request, int) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	return func(w http.ResponseWriter, r *http.Request, n int) {
		if started != nil {
			started <- n
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

func TestDoesNotRetryEndedContext(t *testing.T) {
	t.Run("cancelled during the try", func(t *testing.T) {
		started := make(chan int, 1)
		srv := newServer(t, nil)
		srv.Config.Handler = srv.handler(hang(t, started))
		tr, sl := newTransport(newBase(t), policy)
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-started; cancel() }()

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil).WithContext(ctx))
		assert.Nil(t, resp)
		assert.ErrorIs(t, err, context.Canceled)
		assert.EqualValues(t, 1, srv.hits.Load())
		assert.Empty(t, sl.Waits())
	})

	t.Run("deadline during the try", func(t *testing.T) {
		srv := newServer(t, nil)
		srv.Config.Handler = srv.handler(hang(t, nil))
		tr, sl := newTransport(newBase(t), policy)
		ctx, cancel := context.WithTimeout(t.Context(), 20*ms)
		defer cancel()

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil).WithContext(ctx))
		assert.Nil(t, resp)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.EqualValues(t, 1, srv.hits.Load())
		assert.Empty(t, sl.Waits())
	})

	t.Run("cancelled before", func(t *testing.T) {
		srv := newServer(t, always(http.StatusServiceUnavailable))
		tr, sl := newTransport(newBase(t), policy)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil).WithContext(ctx))
		assert.Nil(t, resp)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, srv.hits.Load())
		assert.Empty(t, sl.Waits())
	})

	t.Run("cancelled in the wait", func(t *testing.T) {
		srv := newServer(t, always(http.StatusServiceUnavailable))
		rec := &recorder{base: newBase(t)}
		tr, _ := newTransport(rec, policy)
		ctx, cancel := context.WithCancel(t.Context())
		tr.Sleep = func(ctx context.Context, _ time.Duration) error {
			cancel()
			return ctx.Err()
		}

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil).WithContext(ctx))
		assert.Nil(t, resp)
		assert.ErrorIs(t, err, context.Canceled)
		assert.EqualValues(t, 1, srv.hits.Load())
		require.Len(t, rec.Bodies(), 1)
		_, _, closed := rec.Bodies()[0].state()
		assert.True(t, closed, "the 503 that was to be retried is closed")
	})
}

// With the real SleepContext a long wait ends the moment the context does.
func TestWaitEndsWithContext(t *testing.T) {
	for name, tc := range map[string]struct {
		retryAfter string
		ctx        func(context.Context) (context.Context, func())
		cancel     bool // cancel 5ms into the wait
		want       error
	}{
		"backoff, cancel": {
			ctx:    func(ctx context.Context) (context.Context, func()) { return context.WithCancel(ctx) },
			cancel: true,
			want:   context.Canceled,
		},
		"Retry-After, cancel": {
			retryAfter: "3600",
			ctx:        func(ctx context.Context) (context.Context, func()) { return context.WithCancel(ctx) },
			cancel:     true,
			want:       context.Canceled,
		},
		"backoff, deadline": {
			ctx: func(ctx context.Context) (context.Context, func()) {
				return context.WithTimeout(ctx, 50*ms)
			},
			want: context.DeadlineExceeded,
		},
	} {
		t.Run(name, func(t *testing.T) {
			const long = time.Hour
			srv := newServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			tr := &transport.Transport{Base: newBase(t), Policy: transport.Policy{BaseDelay: long, MaxDelay: long}, Budget: transport.NewBudget()}
			tr.Random = randomMax
			var waited time.Duration
			sleeping := make(chan struct{})
			tr.Sleep = func(ctx context.Context, d time.Duration) error {
				waited = d
				close(sleeping)
				return transport.SleepContext(ctx, d) // the real wait
			}
			ctx, cancel := tc.ctx(t.Context())
			defer cancel()
			if tc.cancel {
				go func() {
					<-sleeping
					time.Sleep(5 * ms)
					cancel()
				}()
			}

			start := time.Now()
			resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil).WithContext(ctx))
			elapsed := time.Since(start)

			assert.Nil(t, resp)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, long, waited)
			assert.Less(t, elapsed, 2*time.Second)
			assert.EqualValues(t, 1, srv.hits.Load())
		})
	}
}

func TestBackoffIsExponentialFullJitterCapped(t *testing.T) {
	p := transport.Policy{MaxAttempts: 8, BaseDelay: 100 * ms, MaxDelay: time.Second}

	t.Run("ceilings", func(t *testing.T) {
		srv := newServer(t, always(http.StatusServiceUnavailable))
		tr, sl := newTransport(newBase(t), p)
		var ranges []int64
		tr.Random = func(n int64) int64 { ranges = append(ranges, n); return n - 1 }

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
		require.NoError(t, err)
		readBody(t, resp)
		want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, time.Second, time.Second, time.Second}
		assert.Equal(t, want, sl.Waits())
		// Each wait is drawn from [0, ceiling]: Random gets ceiling+1.
		require.Len(t, ranges, len(want))
		for i, d := range want {
			assert.Equal(t, int64(d)+1, ranges[i], "retry %d", i+1)
		}
	})

	t.Run("bottom of the range", func(t *testing.T) {
		srv := newServer(t, always(http.StatusServiceUnavailable))
		tr, sl := newTransport(newBase(t), p)
		tr.Random = randomZero

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
		require.NoError(t, err)
		readBody(t, resp)
		assert.Equal(t, make([]time.Duration, 7), sl.Waits())
	})

	t.Run("real jitter stays under the ceiling", func(t *testing.T) {
		srv := newServer(t, always(http.StatusServiceUnavailable))
		tr, sl := newTransport(newBase(t), p)
		tr.Random = nil // math/rand/v2
		tr.Budget = nil // 140 retries would spend a budget of 500 tokens

		for range 20 {
			resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
			require.NoError(t, err)
			readBody(t, resp)
		}
		waits := sl.Waits()
		require.Len(t, waits, 20*7)
		for i, w := range waits {
			ceiling := min(p.BaseDelay<<(i%7), p.MaxDelay)
			assert.GreaterOrEqual(t, w, time.Duration(0))
			assert.LessOrEqual(t, w, ceiling)
		}
	})
}

func TestRetryAfter(t *testing.T) {
	const rfc850 = "Monday, 02-Jan-06 15:04:05 GMT"
	for name, tc := range map[string]struct {
		code  int
		value string
		want  time.Duration
	}{
		"seconds":                      {503, "2", 2 * time.Second},
		"seconds on 429":               {429, "3", 3 * time.Second},
		"zero seconds":                 {503, "0", 0},
		"HTTP date":                    {503, fixedNow.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second},
		"HTTP date on 429":             {429, fixedNow.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second},
		"HTTP date, RFC 850":           {503, fixedNow.Add(2 * time.Second).Format(rfc850), 2 * time.Second},
		"HTTP date, asctime":           {503, fixedNow.Add(1 * time.Second).Format(time.ANSIC), time.Second},
		"HTTP date in the past":        {503, fixedNow.Add(-time.Minute).Format(http.TimeFormat), 0},
		"garbage is ignored":           {503, "soon", 100 * ms},
		"negative is ignored":          {503, "-1", 100 * ms},
		"fraction is ignored":          {503, "1.5", 100 * ms},
		"date with a bad zone ignored": {503, "Fri, 14 Mar 2025 15:09:29 CET", 100 * ms},
		"absent":                       {503, "", 100 * ms},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					if tc.value != "" {
						w.Header().Set("Retry-After", tc.value)
					}
					w.WriteHeader(tc.code)
					return
				}
				_, _ = io.WriteString(w, "ok")
			})
			tr, sl := newTransport(newBase(t), policy)

			resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
			require.NoError(t, err)
			assert.Equal(t, "ok", readBody(t, resp))
			assert.Equal(t, []time.Duration{tc.want}, sl.Waits())
		})
	}
}

// A server asking for a longer wait than MaxDelay, or than the caller's
// deadline leaves, is not retried at all: its answer comes back at once,
// and the caller reads Retry-After from it.
func TestRetryAfterBeyondWhatIsAllowed(t *testing.T) {
	for name, tc := range map[string]struct {
		value    string
		deadline time.Duration // 0: none
	}{
		"seconds over MaxDelay":   {value: "30"},
		"huge seconds":            {value: "9223372036"},
		"HTTP date over MaxDelay": {value: fixedNow.Add(time.Hour).Format(http.TimeFormat)},
		"past the deadline":       {value: "2", deadline: time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Retry-After", tc.value)
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			tr, sl := newTransport(newBase(t), policy)
			ctx := context.Background()
			if tc.deadline > 0 {
				// On the test's fixed clock, which is in the past: a real
				// deadline would end the request before the server answered.
				ctx = withFakeDeadline{ctx, fixedNow.Add(tc.deadline)}
			}
			req := newRequest(t, http.MethodGet, srv.URL, nil).WithContext(ctx)
			resp, err := tr.RoundTrip(req)
			require.NoError(t, err)
			readBody(t, resp)
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			assert.Equal(t, tc.value, resp.Header.Get("Retry-After"))
			assert.EqualValues(t, 1, srv.hits.Load(), "one request: the server's wait is not cut short")
			assert.Empty(t, sl.Waits())
		})
	}
}

// withFakeDeadline reports a deadline on the test's fixed clock while
// never ending.
type withFakeDeadline struct {
	context.Context
	at time.Time
}

func (c withFakeDeadline) Deadline() (time.Time, bool) { return c.at, true }
func (c withFakeDeadline) Done() <-chan struct{}       { return nil }
func (c withFakeDeadline) Err() error                  { return nil }

func TestReplaysBody(t *testing.T) {
	const form = "Action=SessionCreate&Username=john.doe%40example.onsip.com&Password=hunter2"
	type seen struct {
		body, contentType, custom string
		length                    int64
		query                     string
	}
	var (
		mu   sync.Mutex
		got  []seen
		hits atomic.Int64
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{string(b), r.Header.Get("Content-Type"), r.Header.Get("X-Custom"), r.ContentLength, r.URL.RawQuery})
		mu.Unlock()
		if hits.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	tr, sl := newTransport(newBase(t), policy)

	req := newRequest(t, http.MethodPost, srv.URL+"/api?Action=SessionCreate", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Custom", "v")
	wantHeader := req.Header.Clone()
	wantURL := req.URL.String()
	wantBody, wantGetBody := req.Body, req.GetBody
	wantLength, wantHost, wantMethod, wantCtx := req.ContentLength, req.Host, req.Method, req.Context()

	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, "ok", readBody(t, resp))
	assert.Len(t, sl.Waits(), 2)

	want := seen{form, "application/x-www-form-urlencoded", "v", int64(len(form)), "Action=SessionCreate"}
	assert.Equal(t, []seen{want, want, want}, got, "the server sees the same request on every try")

	// The caller's request is as it was.
	assert.Equal(t, wantHeader, req.Header)
	assert.Equal(t, wantURL, req.URL.String())
	assert.True(t, wantBody == req.Body, "Body replaced")
	assert.NotNil(t, req.GetBody)
	assert.Equal(t, wantLength, req.ContentLength)
	assert.Equal(t, wantHost, req.Host)
	assert.Equal(t, wantMethod, req.Method)
	assert.Equal(t, wantCtx, req.Context())
	again, err := wantGetBody()
	require.NoError(t, err)
	b, _ := io.ReadAll(again)
	assert.Equal(t, form, string(b))
}

func TestBodyWithoutGetBodyIsSentOnce(t *testing.T) {
	nonReplayable := func(t *testing.T, url string) *http.Request {
		req := newRequest(t, http.MethodPost, url, nil)
		req.Body = io.NopCloser(strings.NewReader("payload"))
		req.ContentLength = int64(len("payload"))
		return req
	}

	t.Run("retryable status", func(t *testing.T) {
		var body atomic.Value
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			b, _ := io.ReadAll(r.Body)
			body.Store(string(b))
			always(http.StatusServiceUnavailable)(w, r, n)
		})
		tr, sl := newTransport(newBase(t), policy)

		resp, err := tr.RoundTrip(nonReplayable(t, srv.URL))
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Equal(t, "try 1", readBody(t, resp))
		assert.Equal(t, "payload", body.Load())
		assert.EqualValues(t, 1, srv.hits.Load())
		assert.Empty(t, sl.Waits())
		assert.EqualValues(t, transport.BudgetCapacity, tr.Budget.Tokens(), "no retry, no tokens")
	})

	t.Run("connection error", func(t *testing.T) {
		rec := &recorder{base: newBase(t)}
		tr, sl := newTransport(rec, policy)

		_, err := tr.RoundTrip(nonReplayable(t, "http://"+closedPort(t)+"/"))
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
		assert.Equal(t, 1, rec.Tries())
		assert.Empty(t, sl.Waits())
	})
}

// GetBody failing on a retry ends the round trip with its error.
func TestGetBodyError(t *testing.T) {
	srv := newServer(t, always(http.StatusServiceUnavailable))
	rec := &recorder{base: newBase(t)}
	tr, _ := newTransport(rec, policy)
	boom := errors.New("boom")
	req := newRequest(t, http.MethodPost, srv.URL, strings.NewReader("x"))
	req.GetBody = func() (io.ReadCloser, error) { return nil, boom }

	resp, err := tr.RoundTrip(req)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, boom)
	assert.EqualValues(t, 1, srv.hits.Load())
	require.Len(t, rec.Bodies(), 1)
	_, _, closed := rec.Bodies()[0].state()
	assert.True(t, closed)
}

func TestRetriedBodiesAreDrainedAndClosed(t *testing.T) {
	big := strings.Repeat("x", 10<<10)
	var conns atomic.Int64
	s := &server{}
	s.Server = httptest.NewUnstartedServer(s.handler(func(w http.ResponseWriter, _ *http.Request, n int) {
		if n <= 2 {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, big)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	rec := &recorder{base: newBase(t)}
	tr, _ := newTransport(rec, policy)

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, s.URL, nil))
	require.NoError(t, err)

	bodies := rec.Bodies()
	require.Len(t, bodies, 3)
	for i, b := range bodies[:2] {
		read, eof, closed := b.state()
		assert.EqualValues(t, len(big), read, "body %d drained", i+1)
		assert.True(t, eof, "body %d drained", i+1)
		assert.True(t, closed, "body %d closed", i+1)
	}
	_, _, closed := bodies[2].state()
	assert.False(t, closed, "the answer returned is the caller's to close")
	assert.Equal(t, "ok", readBody(t, resp))
	_, _, closed = bodies[2].state()
	assert.True(t, closed)
	// Drained bodies let their connection go back to the pool.
	assert.EqualValues(t, 1, conns.Load(), "connections opened")

	t.Run("last answer after MaxAttempts", func(t *testing.T) {
		srv := newServer(t, always(http.StatusServiceUnavailable))
		rec := &recorder{base: newBase(t)}
		tr, _ := newTransport(rec, transport.Policy{MaxAttempts: 2})

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
		require.NoError(t, err)
		bodies := rec.Bodies()
		require.Len(t, bodies, 2)
		_, _, closed := bodies[0].state()
		assert.True(t, closed)
		_, _, closed = bodies[1].state()
		assert.False(t, closed)
		assert.Equal(t, "try 2", readBody(t, resp))
	})
}

func TestConcurrentUse(t *testing.T) {
	// Each caller's first try gets a 503, its second a 200.
	var (
		mu   sync.Mutex
		seen = map[string]int{}
	)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		id := r.URL.Query().Get("id")
		mu.Lock()
		seen[id]++
		n := seen[id]
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, id)
	})
	tr, sl := newTransport(newBase(t), policy)

	const callers = 50
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			id := strconv.Itoa(i)
			resp, err := tr.RoundTrip(newRequest(t, http.MethodPost, srv.URL+"/?id="+id, strings.NewReader(id)))
			if assert.NoError(t, err) {
				assert.Equal(t, id, readBody(t, resp))
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 2*callers, srv.hits.Load())
	assert.Len(t, sl.Waits(), callers)
	// Each caller took RetryCost before its one success refunded 1.
	assert.EqualValues(t, transport.BudgetCapacity-callers*transport.RetryCost+callers*transport.SuccessRefund, tr.Budget.Tokens())
}

type idleCloser struct {
	http.RoundTripper
	closed int
}

func (c *idleCloser) CloseIdleConnections() { c.closed++ }

func TestCloseIdleConnections(t *testing.T) {
	base := &idleCloser{}
	tr := &transport.Transport{Base: base}
	tr.CloseIdleConnections()
	assert.Equal(t, 1, base.closed)

	// A base without the method is fine too; and http.Client finds it.
	(&transport.Transport{Base: roundTripFunc(nil)}).CloseIdleConnections()
	(&http.Client{Transport: tr}).CloseIdleConnections()
	assert.Equal(t, 2, base.closed)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// With Sleep nil the real SleepContext waits; a zero wait returns at once.
func TestRealSleep(t *testing.T) {
	srv := newServer(t, statuses(http.StatusServiceUnavailable))
	tr := &transport.Transport{Base: newBase(t), Policy: transport.Policy{BaseDelay: ms, MaxDelay: ms}, Budget: transport.NewBudget()}
	tr.Random = randomMax

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	assert.Equal(t, "ok", readBody(t, resp))
	assert.EqualValues(t, 2, srv.hits.Load())
}

// An answer that arrives as the context ends is closed, and the context's
// error returned: the caller has gone.
func TestAnswerAfterContextEnded(t *testing.T) {
	srv := newServer(t, statuses())
	ctx, cancel := context.WithCancel(t.Context())
	rec := &recorder{base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := newBase(t).RoundTrip(r)
		cancel()
		return resp, err
	})}
	tr, sl := newTransport(rec, policy)

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil).WithContext(ctx))
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, sl.Waits())
	require.Len(t, rec.Bodies(), 1)
	_, _, closed := rec.Bodies()[0].state()
	assert.True(t, closed)
}
