package transport

import (
	"net/http"
	"reflect"
	"runtime"
	"sync"
	"weak"
)

// One retry budget per vendor origin and base transport, shared by every
// authenticator, client and tenant of the process that sends there: during
// a vendor outage the whole process, however many tenants it serves, sends
// about 1.1 times its calls, not 4 times.
//
// The registry holds budgets weakly: a budget lives as long as something
// that sends with it, and is forgotten with the last of them, so a closed
// test server whose port is reused does not hand a drained budget to an
// unrelated test with a transport of its own, and a process that churns
// through base transports does not keep them.

type budgetKey struct {
	base   http.RoundTripper
	origin string
}

var budgets = struct {
	sync.Mutex
	m map[budgetKey]weak.Pointer[Budget]
}{m: make(map[budgetKey]weak.Pointer[Budget])}

// BudgetFor returns the retry budget shared by every request through base
// to origin (as [Origin] writes it). A base whose dynamic type cannot be a
// map key (a func, say) gets a budget of its own at every call.
func BudgetFor(base http.RoundTripper, origin string) *Budget {
	if base == nil || !reflect.TypeOf(base).Comparable() {
		return NewBudget()
	}
	k := budgetKey{base, origin}
	budgets.Lock()
	defer budgets.Unlock()
	if b := budgets.m[k].Value(); b != nil {
		return b
	}
	b := NewBudget()
	budgets.m[k] = weak.Make(b)
	runtime.AddCleanup(b, forgetBudget, k)
	return b
}

// forgetBudget drops k's entry once its budget is gone, unless a new budget
// took its place in the meantime.
func forgetBudget(k budgetKey) {
	budgets.Lock()
	defer budgets.Unlock()
	if budgets.m[k].Value() == nil {
		delete(budgets.m, k)
	}
}
