package transport_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// The AWS SDK's retry quota numbers, as the design fixes them.
func TestBudgetNumbers(t *testing.T) {
	assert.EqualValues(t, 500, transport.BudgetCapacity)
	assert.EqualValues(t, 5, transport.RetryCost)
	assert.EqualValues(t, 10, transport.RetryTimeoutCost)
	assert.EqualValues(t, 1, transport.SuccessRefund)

	b := transport.NewBudget()
	assert.EqualValues(t, 500, b.Tokens())
	b.Refund(transport.SuccessRefund)
	assert.EqualValues(t, 500, b.Tokens(), "a full budget stays at its capacity")
	assert.True(t, b.Take(transport.RetryCost))
	assert.EqualValues(t, 495, b.Tokens())
	assert.True(t, b.Take(transport.RetryTimeoutCost))
	assert.EqualValues(t, 485, b.Tokens())
	b.Refund(transport.SuccessRefund)
	assert.EqualValues(t, 486, b.Tokens())
	b.Refund(100)
	assert.EqualValues(t, 500, b.Tokens(), "refunds are capped at the capacity")
}

func TestBudgetTakeWhenShort(t *testing.T) {
	b := transport.NewBudget()
	for i := range transport.BudgetCapacity / transport.RetryCost {
		require.True(t, b.Take(transport.RetryCost), "take %d", i+1)
	}
	assert.Zero(t, b.Tokens())
	assert.False(t, b.Take(transport.RetryCost))
	assert.Zero(t, b.Tokens())

	b.Refund(7)
	assert.False(t, b.Take(transport.RetryTimeoutCost), "7 tokens do not pay for 10")
	assert.EqualValues(t, 7, b.Tokens(), "a failed Take takes nothing")
	assert.True(t, b.Take(transport.RetryCost))
	assert.EqualValues(t, 2, b.Tokens())
	assert.True(t, b.Take(2))
	assert.Zero(t, b.Tokens())
}

// Run under -race: concurrent Takes never overdraw the budget.
func TestBudgetConcurrentTake(t *testing.T) {
	b := transport.NewBudget()
	var (
		taken atomic.Int64
		wg    sync.WaitGroup
		stop  = make(chan struct{})
		low   atomic.Int64
	)
	low.Store(transport.BudgetCapacity)
	go func() { // watches the level while the takers run
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n := b.Tokens(); n < low.Load() {
				low.Store(n)
			}
		}
	}()
	for range 64 {
		wg.Go(func() {
			for range 50 {
				if b.Take(transport.RetryCost) {
					taken.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	assert.EqualValues(t, transport.BudgetCapacity/transport.RetryCost, taken.Load())
	assert.Zero(t, b.Tokens())
	assert.GreaterOrEqual(t, low.Load(), int64(0))
}

// The last tokens go to exactly one of many takers released together: the
// boundary where a check-then-subtract Take would overdraw.
func TestBudgetConcurrentLastTake(t *testing.T) {
	const takers = 8
	for round := range 20000 {
		b := transport.NewBudget()
		require.True(t, b.Take(transport.BudgetCapacity-transport.RetryCost))
		var (
			wg    sync.WaitGroup
			won   atomic.Int64
			start = make(chan struct{})
		)
		for range takers {
			wg.Go(func() {
				<-start
				if b.Take(transport.RetryCost) {
					won.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if !assert.EqualValues(t, 1, won.Load(), "round %d", round) || !assert.Zero(t, b.Tokens(), "round %d", round) {
			return
		}
	}
}

func TestBudgetConcurrentTakeAndRefund(t *testing.T) {
	b := transport.NewBudget()
	var (
		wg      sync.WaitGroup
		taken   atomic.Int64
		bounded atomic.Bool
	)
	bounded.Store(true)
	for i := range 32 {
		wg.Go(func() {
			for range 500 {
				if i%2 == 0 {
					if b.Take(transport.RetryTimeoutCost) {
						taken.Add(transport.RetryTimeoutCost)
					}
				} else {
					b.Refund(transport.SuccessRefund)
				}
				if n := b.Tokens(); n < 0 || n > transport.BudgetCapacity {
					bounded.Store(false)
				}
			}
		})
	}
	wg.Wait()
	assert.True(t, bounded.Load(), "tokens left [0, 500]")
	n := b.Tokens()
	assert.GreaterOrEqual(t, n, int64(0))
	assert.LessOrEqual(t, n, int64(transport.BudgetCapacity))
}

func TestTransportSpendsBudget(t *testing.T) {
	srv := newServer(t, statuses(503, 429, 502))
	tr, _ := newTransport(newBase(t), policy)

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	readBody(t, resp)
	assert.EqualValues(t, 500-3*5+1, tr.Budget.Tokens())

	// A success refunds one token.
	resp, err = tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	readBody(t, resp)
	assert.EqualValues(t, 500-3*5+2, tr.Budget.Tokens())
}

func TestOnlySuccessRefunds(t *testing.T) {
	srv := newServer(t, statuses(503, 404, 500))
	tr, _ := newTransport(newBase(t), policy)
	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	readBody(t, resp)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.EqualValues(t, 500-5, tr.Budget.Tokens(), "a 404 refunds nothing")
	resp, err = tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	readBody(t, resp)
	assert.EqualValues(t, 500-5, tr.Budget.Tokens(), "nor does a 500")
}

// A timeout costs the budget more than another failure.
func TestTransportTimeoutCostsMore(t *testing.T) {
	srv, base := hangFirst(t)
	tr, sl := newTransport(base, policy)

	resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
	require.NoError(t, err)
	assert.Equal(t, "ok", readBody(t, resp))
	assert.EqualValues(t, 2, srv.hits.Load())
	assert.Equal(t, []time.Duration{100 * ms}, sl.Waits())
	assert.EqualValues(t, 500-10+1, tr.Budget.Tokens())
}

func spend(b *transport.Budget) {
	for b.Take(1) {
	}
}

func TestSpentBudget(t *testing.T) {
	t.Run("503 comes back after one try", func(t *testing.T) {
		srv := newServer(t, always(http.StatusServiceUnavailable))
		tr, sl := newTransport(newBase(t), policy)
		spend(tr.Budget)

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Equal(t, "try 1", readBody(t, resp), "the answer is returned unread")
		assert.EqualValues(t, 1, srv.hits.Load())
		assert.Empty(t, sl.Waits())
	})

	t.Run("connection error has ErrBudgetSpent in its chain", func(t *testing.T) {
		rec := &recorder{base: newBase(t)}
		tr, sl := newTransport(rec, policy)
		spend(tr.Budget)

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, "http://"+closedPort(t)+"/", nil))
		assert.Nil(t, resp)
		assert.ErrorIs(t, err, transport.ErrBudgetSpent)
		assert.ErrorIs(t, err, syscall.ECONNREFUSED, "the cause is kept")
		assert.Equal(t, 1, rec.Tries())
		assert.Empty(t, sl.Waits())
	})

	t.Run("a success still gets through", func(t *testing.T) {
		srv := newServer(t, statuses())
		tr, _ := newTransport(newBase(t), policy)
		spend(tr.Budget)

		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
		require.NoError(t, err)
		assert.Equal(t, "ok", readBody(t, resp))
		assert.EqualValues(t, 1, tr.Budget.Tokens())
	})
}

// Against a server that is down, retries stop once the budget is spent:
// 100 retries of 5 tokens, then every failure comes back at once.
func TestBudgetStopsRetryStorm(t *testing.T) {
	srv := newServer(t, always(http.StatusServiceUnavailable))
	tr, _ := newTransport(newBase(t), policy) // 4 tries: 3 retries a request

	tries := func() int64 {
		before := srv.hits.Load()
		resp, err := tr.RoundTrip(newRequest(t, http.MethodGet, srv.URL, nil))
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		readBody(t, resp)
		return srv.hits.Load() - before
	}
	for i := range 33 { // 99 retries
		require.EqualValues(t, 4, tries(), "request %d", i+1)
	}
	assert.EqualValues(t, 5, tr.Budget.Tokens())
	assert.EqualValues(t, 2, tries(), "the 100th retry spends the last tokens")
	assert.Zero(t, tr.Budget.Tokens())
	assert.EqualValues(t, 1, tries())
	assert.EqualValues(t, 1, tries())
	assert.EqualValues(t, 33*4+2+1+1, srv.hits.Load())
}
