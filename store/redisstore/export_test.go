package redisstore

import (
	"context"

	"github.com/pbxauth/pbxauth/auth"
)

// LeaseWithRequest lets tests send one Lease call twice, as go-redis does
// when an answer is lost.
func LeaseWithRequest(s *Store, ctx context.Context, account, request string) (auth.Lease, error) {
	return s.lease(ctx, account, request)
}
