// Package fakeserver holds what the fake provider servers (onsiptest,
// ipcortextest) share: fault injection and request counting in front of a
// handler that speaks the vendor's protocol.
package fakeserver

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// OversizeBytes is how long an oversized answer is: past the 1 MiB limit
// clients read, with room to spare.
const OversizeBytes = 1<<20 + 4096

// maxRequestBody bounds what a fake server reads of a request.
const maxRequestBody = 1 << 20

// Faults answers requests in place of the real handler when a test asked for
// it, and counts every request. The zero value injects nothing. Safe for
// concurrent use.
type Faults struct {
	mu       sync.Mutex
	queue    []injected // answered first to last
	delay    time.Duration
	requests int
}

type injected struct {
	n      int
	answer http.Handler
}

// AnswerNext makes the next n requests be answered by h instead of the real
// handler, after any answers injected before.
func (f *Faults) AnswerNext(n int, h http.Handler) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, injected{n: n, answer: h})
}

// FailNext makes the next n requests answer status with an empty body.
func (f *Faults) FailNext(n, status int) {
	f.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
	}))
}

// GarbageNext makes the next n requests answer 200 with body, served as
// contentType: text that is not the protocol's document.
func (f *Faults) GarbageNext(n int, contentType, body string) {
	f.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write([]byte(body))
	}))
}

// OversizeNext makes the next n requests answer 200 with prefix followed by
// padding up to [OversizeBytes], so the answer looks right until it is too
// long.
func (f *Faults) OversizeNext(n int, contentType, prefix string) {
	body := []byte(prefix + strings.Repeat(" ", max(OversizeBytes-len(prefix), 0)))
	f.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = bytes.NewReader(body).WriteTo(w)
	}))
}

// SetDelay makes every answer wait d first; 0 stops it.
func (f *Faults) SetDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// Requests is the number of requests received, faulted ones included.
func (f *Faults) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// take counts a request and returns the answer injected for it, if any,
// and the delay to wait first.
func (f *Faults) take() (http.Handler, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if len(f.queue) == 0 {
		return nil, f.delay
	}
	h := f.queue[0].answer
	if f.queue[0].n--; f.queue[0].n == 0 {
		f.queue = f.queue[1:]
	}
	return h, f.delay
}

// Wrap returns a handler that counts each request, waits the delay (less if
// the request's context ends), then lets an injected answer or next answer.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, delay := f.take()
		if delay > 0 {
			// net/http notices a client gone, and ends r's context, only
			// once the body is read: read it first so the wait can end.
			body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
			if err != nil {
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if h == nil {
			h = next
		}
		h.ServeHTTP(w, r)
	})
}
