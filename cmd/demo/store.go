package main

import (
	"context"

	"github.com/pbxauth/pbxauth/auth"
)

// sessionStore is the fleet's store, named for the report.
type sessionStore struct {
	auth.SessionStore
	name string
	// close puts the store away and says what it cleaned up, if anything.
	close func(ctx context.Context) string
}

// memoryStore returns an auth.MemoryStore: it shares sessions between the
// authenticators of this process.
func memoryStore() *sessionStore {
	return &sessionStore{SessionStore: &auth.MemoryStore{}, name: "one auth.MemoryStore",
		close: func(context.Context) string { return "" }}
}
