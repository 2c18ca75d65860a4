package onsip_test

import (
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/benchkit"
	"github.com/pbxauth/pbxauth/providers/onsip"
)

// fleetSize is how many authenticators BenchmarkMemory keeps at once: a
// SaaS back end's tenants, all sharing one HTTP client.
const fleetSize = 10000

// BenchmarkMemory reports what one authenticator costs in heap, measured
// over fleetSize of them sharing one HTTP client: "B/idle" just after New,
// "B/held" once each holds a session (the vendor-shaped server's).
func BenchmarkMemory(b *testing.B) {
	srv := vendorServer(b)
	cfg := auth.Config{Endpoint: srv.URL, HTTPClient: benchClient(b),
		Credentials: auth.Credentials{Username: user, Password: password}}
	benchkit.FleetMemory(b, fleetSize, func(b *testing.B) auth.Authenticator {
		a, err := onsip.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		return a
	})
}
