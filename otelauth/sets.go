package otelauth

import (
	"math"
	"net/http"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"

	"github.com/pbxauth/pbxauth/auth"
)

// The vocabulary of the hooks' infos: values the package auth documents.
// Once its provider is found, a value in these tables finds its attribute
// set in a fixed slot, by index, with no further hashing; a value outside
// them (a reason a newer core adds) still gets its set, through the
// general cache, a map keyed by all of the event's values.
var (
	loginReasons = [...]string{
		string(auth.LoginFirst), string(auth.LoginExpired), string(auth.LoginRefused), string(auth.LoginExplicit)}
	logoutReasons = [...]string{string(auth.LogoutExplicit), string(auth.LogoutReplaced)}
	operations    = [...]string{auth.OpLogin, auth.OpLogout, auth.OpRequest, auth.OpSession}
	leaseOutcomes = [...]string{string(auth.LeaseWaitShared), string(auth.LeaseWaitTakeover),
		string(auth.LeaseWaitDeadline), string(auth.LeaseWaitStoreError)}
	storeOps = [...]string{string(auth.StoreLoad), string(auth.StoreLease), string(auth.StoreRenew),
		string(auth.StorePublish), string(auth.StoreInvalidate), string(auth.StoreRelease)}
	methods = [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace,
		methodOther} // last: methodIndex's answer for a method HTTP does not define
)

// The fixed slots of a scope: one per combination of vocabulary values an
// event's set depends on.
const (
	slotLogin     = 0                                                // reason × outcome × renewed
	slotActive    = slotLogin + len(loginReasons)*int(numOutcomes)*2 // reason
	slotLogout    = slotActive + len(loginReasons)                   // reason × outcome
	slotBudget    = slotLogout + len(logoutReasons)*int(numOutcomes) // operation
	slotRefusal   = slotBudget + len(operations)                     // lost or not
	slotShared    = slotRefusal + 2                                  // -
	slotTakeover  = slotShared + 1                                   // -
	slotLeaseWait = slotTakeover + 1                                 // how the wait ended
	slotFallback  = slotLeaseWait + len(leaseOutcomes)               // store op × error class
	numSlots      = slotFallback + len(storeOps)*int(numStoreErrors)
)

// scopeSets are the attribute sets of one provider, or of one account
// with WithAccountOnMetrics, built on first use.
type scopeSets struct {
	fixed  [numSlots]atomic.Pointer[measurement]
	packed cache[uint64, *measurement] // retries' sets, which hold a status code, by packed key
	other  cache[setKey, *measurement] // sets that hold a value outside the vocabulary
}

// providerSets are what the hooks keep per provider.
type providerSets struct {
	name        string
	sets        scopeSets                 // without the account
	accounts    cache[string, *scopeSets] // per account, with WithAccountOnMetrics
	loginSpans  [len(loginReasons)]atomic.Pointer[[]trace.SpanStartOption]
	logoutSpans [len(logoutReasons)]atomic.Pointer[[]trace.SpanStartOption]
}

// provider returns the provider's sets: one string-keyed map lookup.
func (r *recorder) provider(name string) *providerSets {
	return r.providers.get(name, func() *providerSets { return &providerSets{name: name} })
}

// scope returns where the sets of an event of p's about account live.
func (r *recorder) scope(p *providerSets, account string) *scopeSets {
	if !r.accountOnMetrics {
		return &p.sets
	}
	return p.accounts.get(account, func() *scopeSets { return new(scopeSets) })
}

// vocabSet returns the set k names: the one in fixed slot slot of its
// scope when i, where the event's values stand in the vocabulary, is not
// negative; else the one in the general cache.
func (r *recorder) vocabSet(p *providerSets, k setKey, i, slot int) *measurement {
	s := r.scope(p, k.account)
	if i < 0 {
		return s.other.get(k, func() *measurement { return r.newSet(k) })
	}
	if m := s.fixed[slot].Load(); m != nil {
		return m
	}
	s.fixed[slot].CompareAndSwap(nil, r.newSet(k))
	return s.fixed[slot].Load()
}

// newSet builds the set k names.
func (r *recorder) newSet(k setKey) *measurement { return newMeasurement(r.metricAttributes(k)) }

// packRetry makes the integer key of a retry's set: where its operation
// and method stand in their tables, whether it was safe to repeat, and its
// status code, which has too many values for fixed slots.
func packRetry(op, method, code int, repeatable bool) uint64 {
	k := uint64(op)<<48 | uint64(method)<<40 | uint64(uint32(code))
	if repeatable {
		k |= 1 << 32
	}
	return k
}

// packable reports whether a status code fits packRetry.
func packable(code int) bool { return code >= 0 && code <= math.MaxInt32 }

// indexOf returns where v stands in table, or -1.
func indexOf(table []string, v string) int {
	for i, t := range table {
		if t == v {
			return i
		}
	}
	return -1
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The sets of each event. Each builds the event's key (string headers
// only, no hashing) and finds its set by index where the values are in
// the vocabulary.

func (r *recorder) loginSet(p *providerSets, account string, reason auth.LoginReason, o outcome, renewed bool) *measurement {
	k := setKey{kind: setLogin, provider: p.name, account: r.metricAccount(account), a: string(reason),
		b: o.String(), flag: renewed}
	i := indexOf(loginReasons[:], k.a)
	return r.vocabSet(p, k, i, slotLogin+(i*int(numOutcomes)+int(o))*2+boolIndex(renewed))
}

func (r *recorder) activeSet(p *providerSets, account string, reason auth.LoginReason) *measurement {
	k := setKey{kind: setActiveLogin, provider: p.name, account: r.metricAccount(account), a: string(reason)}
	i := indexOf(loginReasons[:], k.a)
	return r.vocabSet(p, k, i, slotActive+i)
}

func (r *recorder) logoutSet(p *providerSets, account string, reason auth.LogoutReason, o outcome) *measurement {
	k := setKey{kind: setLogout, provider: p.name, account: r.metricAccount(account), a: string(reason),
		b: o.String()}
	i := indexOf(logoutReasons[:], k.a)
	return r.vocabSet(p, k, i, slotLogout+i*int(numOutcomes)+int(o))
}

func (r *recorder) refusalSet(p *providerSets, account string, lost bool) *measurement {
	k := setKey{kind: setRefusal, provider: p.name, account: r.metricAccount(account), flag: lost}
	return r.vocabSet(p, k, 0, slotRefusal+boolIndex(lost))
}

func (r *recorder) retrySet(p *providerSets, info *auth.RetryInfo) *measurement {
	kind := info.ErrorKind
	if info.StatusCode != 0 {
		kind = "" // error.type is the status: the kind would only add keys
	}
	m := methodIndex(info.Method)
	k := setKey{kind: setRetry, provider: p.name, account: r.metricAccount(info.Account), a: info.Op,
		b: methods[m], c: kind, code: info.StatusCode, flag: info.Repeatable}
	s := r.scope(p, k.account)
	build := func() *measurement { return r.newSet(k) }
	op := indexOf(operations[:], k.a)
	if op < 0 || kind != "" || !packable(k.code) {
		return s.other.get(k, build)
	}
	return s.packed.get(packRetry(op, m, k.code, k.flag), build)
}

func (r *recorder) budgetSet(p *providerSets, account, op string) *measurement {
	k := setKey{kind: setBudget, provider: p.name, account: r.metricAccount(account), a: op}
	i := indexOf(operations[:], op)
	return r.vocabSet(p, k, i, slotBudget+i)
}

func (r *recorder) sharedSet(p *providerSets, account string) *measurement {
	k := setKey{kind: setShared, provider: p.name, account: r.metricAccount(account)}
	return r.vocabSet(p, k, 0, slotShared)
}

func (r *recorder) takeoverSet(p *providerSets, account string) *measurement {
	k := setKey{kind: setTakeover, provider: p.name, account: r.metricAccount(account)}
	return r.vocabSet(p, k, 0, slotTakeover)
}

func (r *recorder) leaseWaitSet(p *providerSets, account, how string) *measurement {
	k := setKey{kind: setLeaseWait, provider: p.name, account: r.metricAccount(account), a: how}
	i := indexOf(leaseOutcomes[:], how)
	return r.vocabSet(p, k, i, slotLeaseWait+i)
}

func (r *recorder) fallbackSet(p *providerSets, account, op string, e storeError) *measurement {
	k := setKey{kind: setFallback, provider: p.name, account: r.metricAccount(account), a: op, b: e.String()}
	i := indexOf(storeOps[:], op)
	return r.vocabSet(p, k, i, slotFallback+i*int(numStoreErrors)+int(e))
}
