package transport

import (
	"context"
	"time"
)

// Observer is told of the retry decisions a [Transport] makes; the auth
// packages turn these into the user's hooks. Its methods run on the
// goroutine sending the request.
type Observer interface {
	Retry(ctx context.Context, r RetryEvent)
	BudgetSpent(ctx context.Context, origin string)
}

// RetryEvent describes a retry about to happen.
type RetryEvent struct {
	Method  string
	Attempt int // the try about to be made: 2 for the first retry
	Wait    time.Duration
	// StatusCode is the failed try's status; 0 when it got no answer, and
	// then ErrorKind says what happened.
	StatusCode int
	ErrorKind  string
	// Repeatable: the request is safe to repeat even if it reached the
	// server.
	Repeatable bool
}
