package transport_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// dropAfterRead reads each request whole, counts it, and closes the
// connection without an answer: the server may have acted on it.
func dropAfterRead(t *testing.T) *server {
	return newServer(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
		_, _ = io.Copy(io.Discard, r.Body)
		panic(http.ErrAbortHandler)
	})
}

func TestUnsafeRequestThatMayHaveArrivedIsSentOnce(t *testing.T) {
	srv := dropAfterRead(t)
	tr, sl := newTransport(newBase(t), policy)

	resp, err := tr.RoundTrip(newRequest(t, http.MethodPost, srv.URL, strings.NewReader("Action=CallPlace")))
	assert.Nil(t, resp)
	require.ErrorIs(t, err, transport.ErrMaybeSent)
	assert.EqualValues(t, 1, srv.hits.Load(), "a POST the server may have carried out is never sent again")
	assert.Empty(t, sl.Waits())
	assert.Equal(t, "connection lost after the request was sent: it may have been carried out",
		transport.Describe(err, "pbx.example.com").Text)
}

func TestSafeRequestsAreRetriedAfterADrop(t *testing.T) {
	for name, mk := range map[string]func(url string) *http.Request{
		"GET": func(url string) *http.Request { return newRequest(t, http.MethodGet, url, nil) },
		"PUT": func(url string) *http.Request { return newRequest(t, http.MethodPut, url, strings.NewReader("x")) },
		"POST with Idempotency-Key": func(url string) *http.Request {
			r := newRequest(t, http.MethodPost, url, strings.NewReader("x"))
			r.Header.Set("Idempotency-Key", "k1")
			return r
		},
		"POST with X-Idempotency-Key": func(url string) *http.Request {
			r := newRequest(t, http.MethodPost, url, strings.NewReader("x"))
			r.Header.Set("X-Idempotency-Key", "k1")
			return r
		},
		"POST marked repeatable": func(url string) *http.Request {
			r := newRequest(t, http.MethodPost, url, strings.NewReader("x"))
			transport.MarkRepeatable(r)
			return r
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := dropAfterRead(t)
			tr, sl := newTransport(newBase(t), transport.Policy{MaxAttempts: 3})
			_, err := tr.RoundTrip(mk(srv.URL))
			require.Error(t, err)
			assert.NotErrorIs(t, err, transport.ErrMaybeSent)
			assert.EqualValues(t, 3, srv.hits.Load())
			assert.Len(t, sl.Waits(), 2)
		})
	}
}

func TestTransportForProvidersOwnRequestsRetriesAnyMethod(t *testing.T) {
	srv := dropAfterRead(t)
	tr, _ := newTransport(newBase(t), transport.Policy{MaxAttempts: 3})
	tr.Repeatable = true // logins and logouts
	_, err := tr.RoundTrip(newRequest(t, http.MethodPost, srv.URL, strings.NewReader("Action=SessionCreate")))
	require.Error(t, err)
	assert.EqualValues(t, 3, srv.hits.Load())
}

// A nil Idempotency-Key marks a request repeatable without sending the
// header (net/http's own rule).
func TestMarkRepeatableSendsNoHeader(t *testing.T) {
	var got http.Header
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) { got = r.Header.Clone() })
	req := newRequest(t, http.MethodPost, srv.URL, strings.NewReader("x"))
	transport.MarkRepeatable(req)
	assert.True(t, transport.Repeatable(req))
	tr, _ := newTransport(newBase(t), policy)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	readBody(t, resp)
	assert.NotContains(t, got, "Idempotency-Key")
}

func TestGatewayFailuresRetriedOnlyWhenSafe(t *testing.T) {
	for _, code := range []int{http.StatusBadGateway, http.StatusGatewayTimeout} {
		srv := newServer(t, statuses(code, code))
		tr, _ := newTransport(newBase(t), policy)
		resp, err := tr.RoundTrip(newRequest(t, http.MethodPost, srv.URL, strings.NewReader("Action=UserAdd")))
		require.NoError(t, err)
		readBody(t, resp)
		assert.Equal(t, code, resp.StatusCode, "the gateway's answer comes back as it is")
		assert.EqualValues(t, 1, srv.hits.Load(), "%d on a POST: the server behind the gateway may have acted", code)

		srv = newServer(t, statuses(code, code))
		resp, err = tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
		require.NoError(t, err)
		assert.Equal(t, "ok", readBody(t, resp))
		assert.EqualValues(t, 3, srv.hits.Load(), "%d on a GET is retried", code)
	}
}

func TestDeclinedAnswersRetriedForAnyRequest(t *testing.T) {
	for _, code := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		srv := newServer(t, statuses(code, code))
		tr, _ := newTransport(newBase(t), policy)
		resp, err := tr.RoundTrip(newRequest(t, http.MethodPost, srv.URL, strings.NewReader("Action=UserAdd")))
		require.NoError(t, err)
		assert.Equal(t, "ok", readBody(t, resp))
		assert.EqualValues(t, 3, srv.hits.Load(), "%d: the server declined to act, so a POST goes again", code)
	}
}

// A POST that never reached a server (nothing listens) is tried again: no
// byte of it was written.
func TestUnsentUnsafeRequestIsRetried(t *testing.T) {
	rec := &recorder{base: newBase(t)}
	tr, sl := newTransport(rec, transport.Policy{MaxAttempts: 3})
	_, err := tr.RoundTrip(newRequest(t, http.MethodPost, "http://"+closedPort(t)+"/", strings.NewReader("Action=UserAdd")))
	require.Error(t, err)
	assert.NotErrorIs(t, err, transport.ErrMaybeSent, "nothing was sent")
	assert.Equal(t, 3, rec.Tries())
	assert.Len(t, sl.Waits(), 2)
	assert.Equal(t, "connection to pbx.example.com refused", transport.Describe(err, "pbx.example.com").Text)
}

// observed records the Observer's events.
type observed struct {
	mu      sync.Mutex
	retries []transport.RetryEvent
	spent   []string
}

func (o *observed) Retry(_ context.Context, e transport.RetryEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.retries = append(o.retries, e)
}

func (o *observed) BudgetSpent(_ context.Context, origin string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.spent = append(o.spent, origin)
}

func TestObserver(t *testing.T) {
	srv := newServer(t, statuses(503, 429))
	tr, _ := newTransport(newBase(t), policy)
	o := &observed{}
	tr.Observer = o
	resp, err := tr.RoundTrip(newRequest(t, http.MethodPost, srv.URL, strings.NewReader("x")))
	require.NoError(t, err)
	readBody(t, resp)
	assert.Equal(t, []transport.RetryEvent{
		{Method: "POST", Attempt: 2, Wait: 100 * ms, StatusCode: 503},
		{Method: "POST", Attempt: 3, Wait: 200 * ms, StatusCode: 429},
	}, o.retries)

	tr.Budget = transport.NewBudget()
	for tr.Budget.Take(transport.RetryCost) {
	}
	srv = newServer(t, statuses(503))
	resp, err = tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	readBody(t, resp)
	assert.Equal(t, []string{transport.Origin(resp.Request.URL)}, o.spent)
}

func TestBudgetForSharesOnePerBaseAndOrigin(t *testing.T) {
	a, b := newBase(t), newBase(t)
	const one, two = "https://api.onsip.com:443", "https://pbx.example.com:443"
	ba := transport.BudgetFor(a, one)
	assert.Same(t, ba, transport.BudgetFor(a, one), "one budget per vendor origin and base transport")
	assert.NotSame(t, ba, transport.BudgetFor(a, two), "another origin")
	assert.NotSame(t, ba, transport.BudgetFor(b, one), "another base transport: a test or tenant that must be isolated")
	// A base that cannot be a map key still gets a budget.
	fn := roundTripperFunc(func(*http.Request) (*http.Response, error) { return nil, io.EOF })
	assert.NotNil(t, transport.BudgetFor(fn, one))
}

// A budget nothing uses any more is forgotten: the next user of that base
// and origin starts full, whatever an earlier one spent.
func TestBudgetForForgetsUnusedBudgets(t *testing.T) {
	base := newBase(t)
	const origin = "http://127.0.0.1:1"
	func() { // the only user of the budget, gone when it returns
		spent := transport.BudgetFor(base, origin)
		for spent.Take(transport.RetryCost) {
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		collect()
		if transport.BudgetFor(base, origin).Tokens() == transport.BudgetCapacity {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a budget nothing refers to was not forgotten")
		}
		time.Sleep(10 * ms)
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
