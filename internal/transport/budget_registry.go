package transport

import "net/http"

// One retry budget per vendor origin and base transport, shared by every
// authenticator, client and tenant of the process that sends there: during
// a vendor outage the whole process, however many tenants it serves, sends
// about 1.1 times its calls, not 4 times.
//
// The registry holds budgets weakly (see [Registry]): a budget lives as
// long as something that sends with it, and is forgotten with the last of
// them, so a closed test server whose port is reused does not hand a
// drained budget to an unrelated test with a transport of its own, and a
// process that churns through base transports does not keep them.

type budgetKey struct {
	base   http.RoundTripper
	origin string
}

var budgets Registry[budgetKey, Budget]

// BudgetFor returns the retry budget shared by every request through base
// to origin (as [Origin] writes it). A base whose dynamic type cannot be a
// map key (a func, say) gets a budget of its own at every call.
func BudgetFor(base http.RoundTripper, origin string) *Budget {
	if base == nil || !Comparable(base) {
		return NewBudget()
	}
	return budgets.Get(budgetKey{base, origin}, newBudget)
}

func newBudget(budgetKey) *Budget { return NewBudget() }
