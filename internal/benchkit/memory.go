package benchkit

import (
	"context"
	"runtime"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
)

// FleetMemory reports what one authenticator costs in heap, measured over
// n of them made by open (which should share one HTTP client, as a SaaS
// back end's tenants do): "B/idle" just after open, "B/held" once each
// holds a session.
func FleetMemory(b *testing.B, n int, open func(b *testing.B) auth.Authenticator) {
	ctx := context.Background()
	fleet := make([]auth.Authenticator, n)
	var idle, held float64
	rounds := 0
	for b.Loop() {
		clear(fleet)
		base := LiveHeap()
		for i := range fleet {
			fleet[i] = open(b)
		}
		idle += float64(LiveHeap()-base) / float64(n)
		for _, a := range fleet {
			if _, err := a.Session(ctx); err != nil {
				b.Fatal(err)
			}
		}
		held += float64(LiveHeap()-base) / float64(n)
		rounds++
	}
	runtime.KeepAlive(fleet)
	b.ReportMetric(idle/float64(rounds), "B/idle")
	b.ReportMetric(held/float64(rounds), "B/held")
}

// LiveHeap returns the bytes of live heap objects once garbage is
// collected. Two collections, so that objects freed by finalizers are gone
// too.
func LiveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
