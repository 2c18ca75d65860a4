// Package fakeserver holds what the fake provider servers (onsiptest,
// ipcortextest) share: injected answers, delays and request counting in
// front of a handler that speaks the vendor's protocol.
package fakeserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// OversizeBytes is how long an oversized answer is: past the 1 MiB limit
// clients read, with room to spare.
const OversizeBytes = 1<<20 + 64<<10

// MaxRequestBody bounds what a fake server reads of a request.
const MaxRequestBody = 1 << 20

// Faults answers requests in place of the real handler when a test asked for
// it, delays answers, and counts requests. The zero value injects nothing.
// Safe for concurrent use.
//
// A server either wraps its handler with [Faults.Wrap], or, to see each
// request before a fault takes it (to count it by kind), calls
// [Faults.Wait] and [Faults.Serve] itself.
type Faults struct {
	mu       sync.Mutex
	queue    []injected // answered first to last
	delay    time.Duration
	requests int
	closed   chan struct{}
}

type injected struct {
	n      int
	answer http.Handler
}

// AnswerNext makes the next n requests be answered by h instead of the real
// handler, after the answers injected before.
func (f *Faults) AnswerNext(n int, h http.Handler) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, injected{n: n, answer: h})
}

// FailNext makes the next n requests answer status with an empty body. It
// panics, where it is called, on a status net/http cannot send.
func (f *Faults) FailNext(n, status int) {
	if status < 100 || status > 999 {
		panic(fmt.Sprintf("fakeserver: FailNext with HTTP status %d", status))
	}
	f.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
	}))
}

// BodyNext makes the next n requests answer 200 with body as contentType:
// garbage, an oversized document, a vendor's fault document.
func (f *Faults) BodyNext(n int, contentType string, body []byte) {
	f.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body) // an error means the client left: no one to tell
	}))
}

// SetDelay makes every answer wait d first; 0 stops it.
func (f *Faults) SetDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = max(d, 0)
}

// Clear drops every injected answer not yet given and the delay.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue, f.delay = nil, 0
}

// Close ends every wait in progress and every later one: call it before
// httptest.Server.Close, which waits for handlers.
func (f *Faults) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-f.closedLocked():
	default:
		close(f.closedLocked())
	}
}

func (f *Faults) closedLocked() chan struct{} {
	if f.closed == nil {
		f.closed = make(chan struct{})
	}
	return f.closed
}

// Requests is the number of requests that reached [Faults.Wait] (every
// request through [Faults.Wrap]), faulted ones included.
func (f *Faults) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// Wait waits out the delay and reports whether to answer at all: false when
// ctx ended or Close was called first. net/http notices a client gone, and
// ends ctx, only once the request body is read: read it before Wait.
func (f *Faults) Wait(ctx context.Context) bool {
	f.mu.Lock()
	f.requests++
	d, closed := f.delay, f.closedLocked()
	f.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-closed:
	}
	return false
}

// Serve answers r with the next injected answer, if there is one, and
// reports whether it did.
func (f *Faults) Serve(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	var h http.Handler
	if len(f.queue) > 0 {
		h = f.queue[0].answer
		if f.queue[0].n--; f.queue[0].n == 0 {
			f.queue = f.queue[1:]
		}
	}
	f.mu.Unlock()
	if h == nil {
		return false
	}
	h.ServeHTTP(w, r)
	return true
}

// Wrap returns a handler that counts each request, reads its body, waits
// out the delay (dropping the connection if the client leaves or Close is
// called), then gives an injected answer or lets next answer.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody))
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !f.Wait(r.Context()) {
			panic(http.ErrAbortHandler)
		}
		if !f.Serve(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}
