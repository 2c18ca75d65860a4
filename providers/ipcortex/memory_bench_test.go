package ipcortex_test

import (
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/benchkit"
)

// fleetSize is how many authenticators BenchmarkMemory keeps at once: a
// SaaS back end's tenants, all sharing one HTTP client.
const fleetSize = 10000

// BenchmarkMemory reports what one authenticator costs in heap, measured
// over fleetSize of them sharing one HTTP client: "B/idle" just after New,
// "B/held" once each holds a session (the vendor-shaped server's), for a
// password and for an API key.
func BenchmarkMemory(b *testing.B) {
	for _, mode := range []struct {
		name  string
		creds auth.Credentials
	}{
		{"password", auth.Credentials{Username: aliceLogin, Password: alicePassword}},
		{"key", auth.Credentials{APIKey: aliceKey}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			srv := vendorServer(b)
			cfg := auth.Config{Endpoint: srv.URL, HTTPClient: benchClient(b), Credentials: mode.creds}
			benchkit.FleetMemory(b, fleetSize, func(b *testing.B) auth.Authenticator { return mustNew(b, cfg) })
		})
	}
}
