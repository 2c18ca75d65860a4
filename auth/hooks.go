package auth

import (
	"context"
	"time"
)

// Hooks are optional functions an authenticator calls as it works, in the
// manner of net/http/httptrace.ClientTrace: set the ones you need in
// Config.Hooks; nil ones, and a nil *Hooks, cost nothing. The held-session
// path of Session calls none of them.
//
// Hooks run synchronously on the goroutine doing the work: the caller's for
// Login, Logout and requests through [NewClient]; the shared login's for a
// login that concurrent Session callers share. They must be safe for
// concurrent use and quick. A hook that panics is recovered, and logged
// once, and the work goes on.
//
// Every event names the account by Account, a non-reversible key (a hash of
// the provider, endpoint and username or key), never by a username, a
// session ID or a secret.
type Hooks struct {
	// LoginStart is called as a login at the vendor begins. The context it
	// returns, when not nil, is the login's: the login's requests, their
	// Retry events and LoginDone get it, so a tracer can start a span here.
	LoginStart func(ctx context.Context, info LoginStartInfo) context.Context
	// LoginDone is called when that login ends.
	LoginDone func(ctx context.Context, info LoginDoneInfo)
	// LogoutDone is called when a logout at the vendor ends: an explicit
	// Logout, or the logout of a session a newer login replaced.
	LogoutDone func(ctx context.Context, info LogoutDoneInfo)
	// SessionRefused is called when the vendor refused the session a
	// request through NewClient carried.
	SessionRefused func(ctx context.Context, info SessionRefusedInfo)
	// Retry is called before each retry of a request, once its wait is
	// decided.
	Retry func(ctx context.Context, info RetryInfo)
	// BudgetSpent is called when a retry was wanted but the vendor origin's
	// retry budget had no tokens left, so the failure was returned at once.
	BudgetSpent func(ctx context.Context, info BudgetSpentInfo)
	// SessionShared is called when a session another replica published was
	// taken from Config.Store instead of logging in.
	SessionShared func(ctx context.Context, info SessionSharedInfo)
	// LeaseWait is called after this process waited for another replica's
	// login to publish a session, with how the wait ended.
	LeaseWait func(ctx context.Context, info LeaseWaitInfo)
	// LeaseTakeover is called when this process took over the lease of a
	// replica whose login did not finish, or renew its lease, within
	// LockTTL.
	LeaseTakeover func(ctx context.Context, info LeaseTakeoverInfo)
	// StoreFallback is called when Config.Store failed, so this process
	// signs in on its own.
	StoreFallback func(ctx context.Context, info StoreFallbackInfo)
}

// LoginReason says why a login happened.
type LoginReason string

// The reasons for a login.
const (
	LoginFirst    LoginReason = "first"    // no session held
	LoginExpired  LoginReason = "expired"  // the held session reached its expiry
	LoginRefused  LoginReason = "refused"  // the vendor refused the held session
	LoginExplicit LoginReason = "explicit" // Authenticator.Login was called
)

// LoginStartInfo describes a login that begins.
type LoginStartInfo struct {
	Provider string
	Account  string
	Reason   LoginReason
}

// LoginDoneInfo describes a login that ended.
type LoginDoneInfo struct {
	Provider string
	Account  string
	Reason   LoginReason
	// Outcome is nil on success, else the failure's sentinel
	// (ErrInvalidCredentials, ErrUnavailable, ...) or context error.
	Outcome error
	// Err is the failure, an *Error; nil on success.
	Err      error
	Duration time.Duration
	// Renewed reports that the vendor renewed the held session in place
	// rather than opening a new one (IPCortex, with its session cookie).
	Renewed bool
}

// LogoutReason says why a logout happened.
type LogoutReason string

// The reasons for a logout.
const (
	LogoutExplicit LogoutReason = "explicit" // Authenticator.Logout was called
	LogoutReplaced LogoutReason = "replaced" // a newer session replaced this one
)

// LogoutDoneInfo describes a logout at the vendor that ended.
type LogoutDoneInfo struct {
	Provider string
	Account  string
	Reason   LogoutReason
	// Outcome is nil on success (a session the vendor no longer knew
	// counts), else the failure's sentinel or context error.
	Outcome  error
	Err      error
	Duration time.Duration
}

// SessionRefusedInfo describes a session the vendor refused.
type SessionRefusedInfo struct {
	Provider string
	Account  string
	// Lost reports whether the refusal was taken as the session being gone
	// (a new login follows); false when the session was refused again
	// right after a new login, which makes the refusal the call's.
	Lost bool
}

// RetryInfo describes a retry about to happen.
type RetryInfo struct {
	Provider string
	Account  string
	Op       string // OpLogin, OpLogout or OpRequest
	Method   string
	// Attempt is the number of the try about to be made: 2 for the first
	// retry.
	Attempt int
	Wait    time.Duration
	// StatusCode is the failed try's HTTP status, or 0 when it got no
	// answer; then ErrorKind says what happened ("timeout", "connection
	// refused", "connection lost", ...).
	StatusCode int
	ErrorKind  string
	// Repeatable reports whether the request is safe to repeat even when
	// it may have reached the server; false means this retry is allowed
	// only because the request provably never left.
	Repeatable bool
}

// BudgetSpentInfo describes a retry the retry budget refused.
type BudgetSpentInfo struct {
	Provider string
	Account  string
	Op       string
	// Origin is the vendor origin ("https://api.onsip.com") whose budget is
	// spent.
	Origin string
}

// SessionSharedInfo describes a session taken from the store.
type SessionSharedInfo struct {
	Provider string
	Account  string
}

// LeaseWaitOutcome says how a wait for another replica's login ended.
type LeaseWaitOutcome string

// The ends of a wait for another replica's login.
const (
	LeaseWaitShared     LeaseWaitOutcome = "shared"      // the other replica published a session
	LeaseWaitTakeover   LeaseWaitOutcome = "takeover"    // the lease came free and this process logged in
	LeaseWaitDeadline   LeaseWaitOutcome = "deadline"    // the login deadline passed
	LeaseWaitStoreError LeaseWaitOutcome = "store error" // the store failed while waited on
)

// LeaseWaitInfo describes a wait for another replica's login.
type LeaseWaitInfo struct {
	Provider string
	Account  string
	Waited   time.Duration
	Outcome  LeaseWaitOutcome
}

// LeaseTakeoverInfo describes a lease taken over.
type LeaseTakeoverInfo struct {
	Provider string
	Account  string
	// Waited is how long this process waited before the lease came free.
	Waited time.Duration
}

// StoreOp names a call to a [SessionStore].
type StoreOp string

// The calls to a SessionStore, as a [StoreFallbackInfo] names them.
const (
	StoreLoad       StoreOp = "load"       // SessionStore.Load
	StoreLease      StoreOp = "lease"      // SessionStore.Lease
	StoreRenew      StoreOp = "renew"      // SessionStore.Renew
	StorePublish    StoreOp = "publish"    // SessionStore.Publish
	StoreInvalidate StoreOp = "invalidate" // SessionStore.Invalidate
	StoreRelease    StoreOp = "release"    // SessionStore.Release
)

// StoreFallbackInfo describes a store failure.
type StoreFallbackInfo struct {
	Provider string
	Account  string
	// Op is the store call that failed.
	Op StoreOp
	// Err is the store's error.
	Err error
}
