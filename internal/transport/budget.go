package transport

import (
	"errors"
	"sync/atomic"
)

// The retry budget's numbers, the AWS SDK's retry quota's.
const (
	BudgetCapacity   = 500 // tokens a new budget holds
	RetryCost        = 5   // tokens a retry takes
	RetryTimeoutCost = 10  // tokens a retry after a timeout takes
	SuccessRefund    = 1   // tokens a success gives back, up to the capacity
)

// ErrBudgetSpent is joined to the last error when a retry was wanted but the
// budget had no tokens left.
var ErrBudgetSpent = errors.New("retry budget spent")

// Budget is a token bucket shared by every request of one [Transport]: each
// retry takes tokens and each success gives one back, so when a server is
// down the retries stop after a while and failures come back at once instead
// of multiplying the load on it. Safe for concurrent use.
type Budget struct {
	tokens atomic.Int64
}

// NewBudget returns a full budget of [BudgetCapacity] tokens.
func NewBudget() *Budget {
	b := new(Budget)
	b.tokens.Store(BudgetCapacity)
	return b
}

// Take removes cost tokens and reports whether there were enough; when there
// were not it takes nothing.
func (b *Budget) Take(cost int64) bool {
	for {
		n := b.tokens.Load()
		if n < cost {
			return false
		}
		if b.tokens.CompareAndSwap(n, n-cost) {
			return true
		}
	}
}

// Refund gives back n tokens, up to [BudgetCapacity]. A full bucket is left
// alone without a write, so the common case costs one load.
func (b *Budget) Refund(n int64) {
	for {
		cur := b.tokens.Load()
		if cur >= BudgetCapacity {
			return
		}
		if b.tokens.CompareAndSwap(cur, min(cur+n, BudgetCapacity)) {
			return
		}
	}
}

// Tokens returns the tokens left.
func (b *Budget) Tokens() int64 { return b.tokens.Load() }
