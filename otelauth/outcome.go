package otelauth

import (
	"context"
	"errors"
	"os"

	"github.com/pbxauth/pbxauth/auth"
)

// outcome is how a login or logout ended: one value per sentinel of
// package auth and per context error, so that a dashboard tells a wrong
// password from a vendor outage. It is recorded as pbxauth.outcome, and a
// failure also as error.type, as the semantic conventions ask of a domain
// with its own error identifiers.
type outcome uint8

const (
	outcomeSuccess outcome = iota
	outcomeInvalidCredentials
	outcomeSessionExpired
	outcomeUnavailable
	outcomeProtocolError
	outcomeCanceled
	outcomeDeadlineExceeded
	outcomeOther // an error holding no sentinel, which package auth promises never happens
	numOutcomes
)

// errorTypeOther is the semantic conventions' error.type for a failure the
// instrumentation cannot name.
const errorTypeOther = "_OTHER"

var outcomeNames = [numOutcomes]string{
	outcomeSuccess:            "success",
	outcomeInvalidCredentials: "invalid_credentials",
	outcomeSessionExpired:     "session_expired",
	outcomeUnavailable:        "unavailable",
	outcomeProtocolError:      "protocol_error",
	outcomeCanceled:           "canceled",
	outcomeDeadlineExceeded:   "deadline_exceeded",
	outcomeOther:              errorTypeOther,
}

func (o outcome) String() string { return outcomeNames[o] }

// outcomeOf names the outcome of a login or logout from the sentinel the
// info carries; err, the failure, stands in when a caller left the
// sentinel nil on a failure.
func outcomeOf(sentinel, err error) outcome {
	if sentinel == nil {
		sentinel = err
	}
	switch {
	case sentinel == nil:
		return outcomeSuccess
	case errors.Is(sentinel, auth.ErrInvalidCredentials):
		return outcomeInvalidCredentials
	case errors.Is(sentinel, auth.ErrSessionExpired):
		return outcomeSessionExpired
	case errors.Is(sentinel, auth.ErrUnavailable):
		return outcomeUnavailable
	case errors.Is(sentinel, auth.ErrProtocol):
		return outcomeProtocolError
	case errors.Is(sentinel, context.Canceled):
		return outcomeCanceled
	case errors.Is(sentinel, context.DeadlineExceeded):
		return outcomeDeadlineExceeded
	}
	return outcomeOther
}

// storeError is the class of a store failure, recorded as error.type. A
// store's errors come from its client library (go-redis, a network error):
// only these classes are stable enough to count by; the error's text is
// never recorded.
type storeError uint8

const (
	storeErrorTimeout   storeError = iota // the store did not answer in time
	storeErrorLeaseLost                   // auth.ErrLeaseLost
	storeErrorLeaseHeld                   // auth.ErrLeaseHeld
	storeErrorCanceled                    // the caller's context ended
	storeErrorOther
	numStoreErrors
)

var storeErrorNames = [numStoreErrors]string{
	storeErrorTimeout:   "timeout",
	storeErrorLeaseLost: "lease_lost",
	storeErrorLeaseHeld: "lease_held",
	storeErrorCanceled:  "canceled",
	storeErrorOther:     errorTypeOther,
}

func (e storeError) String() string { return storeErrorNames[e] }

// storeErrorOf classifies a store failure.
func storeErrorOf(err error) storeError {
	switch {
	case err == nil:
		return storeErrorOther
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return storeErrorTimeout
	case errors.Is(err, context.Canceled):
		return storeErrorCanceled
	case errors.Is(err, auth.ErrLeaseLost):
		return storeErrorLeaseLost
	case errors.Is(err, auth.ErrLeaseHeld):
		return storeErrorLeaseHeld
	}
	return storeErrorOther
}

// statusCodeOf returns the HTTP status of a failed login or logout, or 0.
func statusCodeOf(err error) int {
	var e *auth.Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}
