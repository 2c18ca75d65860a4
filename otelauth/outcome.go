package otelauth

import (
	"context"
	"errors"
	"os"

	"github.com/pbxauth/pbxauth/auth"
)

// The values of pbxauth.outcome: one per sentinel of package auth and per
// context error, so that a dashboard tells a wrong password from a vendor
// outage. A failure is also given error.type with the same value, as the
// semantic conventions ask of a domain with its own error identifiers.
const (
	outcomeSuccess            = "success"
	outcomeInvalidCredentials = "invalid_credentials"
	outcomeSessionExpired     = "session_expired"
	outcomeUnavailable        = "unavailable"
	outcomeProtocolError      = "protocol_error"
	outcomeCanceled           = "canceled"
	outcomeDeadlineExceeded   = "deadline_exceeded"
	// errorTypeOther is the semantic conventions' error.type for a failure
	// the instrumentation cannot name: for an outcome, an error holding no
	// sentinel (which package auth promises never happens).
	errorTypeOther = "_OTHER"
)

// outcomeOf names the outcome of a login or logout: outcome is the
// sentinel the info carries; err, the failure, stands in when a caller left
// outcome nil on a failure.
func outcomeOf(outcome, err error) string {
	if outcome == nil {
		outcome = err
	}
	switch {
	case outcome == nil:
		return outcomeSuccess
	case errors.Is(outcome, auth.ErrInvalidCredentials):
		return outcomeInvalidCredentials
	case errors.Is(outcome, auth.ErrSessionExpired):
		return outcomeSessionExpired
	case errors.Is(outcome, auth.ErrUnavailable):
		return outcomeUnavailable
	case errors.Is(outcome, auth.ErrProtocol):
		return outcomeProtocolError
	case errors.Is(outcome, context.Canceled):
		return outcomeCanceled
	case errors.Is(outcome, context.DeadlineExceeded):
		return outcomeDeadlineExceeded
	}
	return errorTypeOther
}

// The error.type values of a store failure. A store's errors come from its
// client library (go-redis, a network error): only these classes are
// stable enough to count by; the error's text is never recorded.
const (
	storeErrorTimeout   = "timeout"    // the store did not answer in time
	storeErrorLeaseLost = "lease_lost" // auth.ErrLeaseLost
	storeErrorLeaseHeld = "lease_held" // auth.ErrLeaseHeld
	storeErrorCanceled  = "canceled"   // the caller's context ended
	storeErrorUnknown   = errorTypeOther
)

// storeErrorType classifies a store failure for error.type.
func storeErrorType(err error) string {
	switch {
	case err == nil:
		return storeErrorUnknown
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return storeErrorTimeout
	case errors.Is(err, context.Canceled):
		return storeErrorCanceled
	case errors.Is(err, auth.ErrLeaseLost):
		return storeErrorLeaseLost
	case errors.Is(err, auth.ErrLeaseHeld):
		return storeErrorLeaseHeld
	}
	return storeErrorUnknown
}

// statusCodeOf returns the HTTP status of a failed login or logout, or 0.
func statusCodeOf(err error) int {
	var e *auth.Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}
