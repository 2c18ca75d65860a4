package onsip_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
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
	client := benchClient(b)
	cfg := auth.Config{Endpoint: srv.URL, HTTPClient: client,
		Credentials: auth.Credentials{Username: user, Password: password}}
	ctx := context.Background()
	fleet := make([]*onsip.Authenticator, fleetSize)
	var idle, held float64
	rounds := 0
	for b.Loop() {
		clear(fleet)
		base := heapAlloc()
		for i := range fleet {
			a, err := onsip.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			fleet[i] = a
		}
		idle += float64(heapAlloc()-base) / fleetSize
		for _, a := range fleet {
			if _, err := a.Session(ctx); err != nil {
				b.Fatal(err)
			}
		}
		held += float64(heapAlloc()-base) / fleetSize
		rounds++
	}
	runtime.KeepAlive(fleet)
	b.ReportMetric(idle/float64(rounds), "B/idle")
	b.ReportMetric(held/float64(rounds), "B/held")
}

// heapAlloc returns the bytes of live heap objects once garbage is
// collected. Two collections, so that objects freed by finalizers are gone
// too.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
