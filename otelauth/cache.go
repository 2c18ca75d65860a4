package otelauth

import (
	"sync"
	"sync/atomic"
)

// maxCached bounds each cache. The keys are made of values from a small,
// fixed vocabulary (providers, reasons, outcomes, status codes), so a
// process fills a few dozen entries and stops; the bound only matters when
// WithAccountOnMetrics puts one entry per account in. Past it, entries are
// built per call instead of kept.
const maxCached = 1024

// cache keeps values built once per key (attribute sets, span options) so
// that a hook finds its attributes without allocating. Reads are one atomic
// load and a map lookup; a miss copies the map under a lock, which happens
// a few dozen times in a process's life.
type cache[K comparable, V any] struct {
	m  atomic.Pointer[map[K]V]
	mu sync.Mutex // serializes writers
}

// load returns the value kept for k.
func (c *cache[K, V]) load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// get returns the value kept for k, building and keeping one first if
// there is none. build runs only on a miss; it is called, never kept, so a
// closure passed here stays on the caller's stack and a hit allocates
// nothing.
func (c *cache[K, V]) get(k K, build func() V) V {
	if v, ok := c.load(k); ok {
		return v
	}
	return c.store(k, build())
}

// store keeps v for k, unless another goroutine kept one first (then that
// one is returned, so every caller shares one value) or the cache is full
// (then v is returned and not kept).
func (c *cache[K, V]) store(k K, v V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	var n int
	if old != nil {
		if kept, ok := (*old)[k]; ok {
			return kept
		}
		n = len(*old)
	}
	if n >= maxCached {
		return v
	}
	m := make(map[K]V, n+1)
	if old != nil {
		for key, val := range *old {
			m[key] = val
		}
	}
	m[k] = v
	c.m.Store(&m)
	return v
}
