package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/pbxauth/pbxauth/internal/sentinel"
)

// The sentinels. Every error from Login, Logout, Session and the
// authenticated client holds exactly one of them, or the caller's context
// error, in its chain; test with errors.Is. So does every error of a
// [Pool]'s own, or [ErrPoolClosed] once the Pool is closed.
var (
	// ErrInvalidCredentials: the provider refused the username and password
	// or the API key.
	ErrInvalidCredentials = sentinel.ErrInvalidCredentials

	// ErrSessionExpired: the provider no longer accepts the session a request
	// was made with.
	ErrSessionExpired = sentinel.ErrSessionExpired

	// ErrUnavailable: no answer, 429 or 5xx after the retries or with the
	// retry budget spent, a fault inside the vendor's API, or a request
	// whose connection was lost after it was sent (it may have been carried
	// out). Trying again later may work.
	ErrUnavailable = sentinel.ErrUnavailable

	// ErrProtocol: an answer that cannot be understood (not the expected
	// document, fields missing, too large, a redirect, another 4xx), a TLS
	// certificate the client does not trust, a request pbxauth will not
	// send (to another origin than the endpoint, a nil context), or a call
	// a [Pool] will not make (bad input) or whose application code failed
	// it (an open that panicked or returned no Authenticator).
	ErrProtocol = sentinel.ErrProtocol
)

// Error is the error type of every failure of Login, Logout, Session and the
// authenticated client, and of a [Pool]'s own failures. Its text never
// holds a password, key or session ID.
type Error struct {
	Provider   string // "onsip", "ipcortex", ...; "" for a Pool's own error
	Op         string // "login", "logout", "session", "request" or "pool"
	StatusCode int    // the HTTP status; 0 when no response came
	Code       string // the provider's own error code or parameter name, if any
	Message    string // the provider's message, with secrets removed; for a Pool's own error, what happened
	Err        error  // one sentinel or the context's error, perhaps joined with a transport error
	// RetryAfter is how long the provider asked to wait before trying
	// again, when that was longer than the RetryPolicy or the context's
	// deadline allows (so nothing was retried); 0 otherwise.
	RetryAfter time.Duration
}

// Error returns text like
// "onsip login: invalid credentials (HTTP 200): Authentication failed. [Authentication]":
// provider, operation, sentinel, status, the provider's message and code.
// An error with no provider, a Pool's own, starts with "auth: " and its
// operation, like "auth: pool: pool closed".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Provider == "" {
		b.WriteString("auth")
		if e.Op != "" {
			b.WriteString(": " + e.Op)
		}
	} else {
		b.WriteString(e.Provider)
		if e.Op != "" {
			b.WriteString(" " + e.Op)
		}
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(oneLine(e.Err))
	} else {
		b.WriteString("error")
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Code != "" {
		b.WriteString(" [" + e.Code + "]")
	}
	return b.String()
}

// oneLine writes err on one line: errors.Join puts each error on its own.
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", ": ") }

// Unwrap returns Err, so errors.Is finds the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// The operations an [Error] names.
const (
	OpLogin   = "login"
	OpLogout  = "logout"
	OpSession = "session"
	OpRequest = "request"
	// OpPool names an error of a [Pool]'s own, which has no Provider: see
	// the Pool's doc for which.
	OpPool = "pool"
)
