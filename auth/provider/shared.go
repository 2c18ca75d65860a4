package provider

import "github.com/pbxauth/pbxauth/auth"

// A provider's authenticator embeds *Cache, so it is an auth.SessionSharer
// without a line of its own: the Pool needs to know, and only the cache
// knows whether Config.Store was set.
var _ auth.SessionSharer = (*Cache)(nil)

// SharesSession reports whether the account's session is shared with other
// replicas through Config.Store, so that Logout ends it fleet-wide. auth.Pool
// asks it before logging out a tenant it drops.
func (c *Cache) SharesSession() bool { return c.store != nil }
