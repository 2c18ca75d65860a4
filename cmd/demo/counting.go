package main

import (
	"net/http"
	"sync/atomic"
)

// countingTransport counts the requests that reach the wire, retries
// included, so each step can say what it cost.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.next.RoundTrip(req)
}

// Count returns the requests sent so far.
func (t *countingTransport) Count() int64 { return t.n.Load() }
