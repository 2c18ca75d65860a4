package authtest

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

// Faults is the fault-injection kit every fake vendor server embeds, so
// that all of them speak one vocabulary: the same method names, arguments
// and limits for the same fault. It answers requests in place of the
// vendor's handler when a test asked for it, delays answers, and counts
// requests. The zero value injects nothing. Safe for concurrent use.
//
// Injected answers are given in the order they were asked for, each to as
// many requests as asked; a request that got one is still counted. A server
// either wraps its handler with [Faults.Wrap], or, to look at each request
// before a fault takes it (to count it by kind), reads the body and calls
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

// AnswerNext makes the next n requests be answered by h instead of the
// vendor's handler, after the answers injected before; n <= 0 asks for
// nothing. A vendor's fake uses it for faults in its own document format.
func (f *Faults) AnswerNext(n int, h http.Handler) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, injected{n: n, answer: h})
}

// FailNext makes the next n requests answer HTTP status with an empty body
// and no Retry-After. It panics, where it is called, unless status is a
// final status (200 to 599).
func (f *Faults) FailNext(n, status int) {
	f.FailNextRetryAfter(n, status, 0)
}

// FailNextRetryAfter is like FailNext, and also sends Retry-After, in whole
// seconds rounded up, when retryAfter is positive.
func (f *Faults) FailNextRetryAfter(n, status int, retryAfter time.Duration) {
	if status < 200 || status > 599 {
		panic(fmt.Sprintf("authtest: FailNext with HTTP status %d", status))
	}
	var secs string
	if retryAfter > 0 {
		secs = strconv.FormatInt(int64((retryAfter+time.Second-1)/time.Second), 10)
	}
	f.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if secs != "" {
			w.Header().Set("Retry-After", secs)
		}
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

// DropNext makes the next n requests be read whole, and then their
// connection closed with no answer: the server may have acted on them, and
// the client cannot know. A client must not send such a request again
// unless it is safe to repeat.
func (f *Faults) DropNext(n int) {
	f.AnswerNext(n, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler) // net/http closes the connection, quietly
	}))
}

// MalformedNext makes the next n requests answer with a broken HTTP status
// line that quotes the request's body, as a hostile or broken server
// might: net/http quotes such bytes in its errors, so a client that passes
// its errors on leaks whatever the request carried.
func (f *Faults) MalformedNext(n int) {
	f.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		defer conn.Close()
		line := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return ' '
			}
			return r
		}, body)
		_, _ = fmt.Fprintf(buf, "HTTP/1.1 2%s0 %s\r\n\r\n", line, line)
		_ = buf.Flush()
	}))
}

// SetDelay makes every answer wait d first; 0 stops it. The wait ends
// early, with no answer, when the request's context ends or the server is
// closed.
func (f *Faults) SetDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = max(d, 0)
}

// ClearFaults drops every injected answer not yet given and the delay, so
// a test can return the server to health at once.
func (f *Faults) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue, f.delay = nil, 0
}

// CloseFaults ends every wait in progress and every later one: a server
// calls it before httptest.Server.Close, which waits for handlers.
func (f *Faults) CloseFaults() {
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

// Requests is the number of requests received (that reached
// [Faults.Wait]), faulted ones included.
func (f *Faults) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// Wait counts the request and waits out the delay, and reports whether to
// answer at all: false when ctx ended or the server is closing. net/http
// notices a client gone, and ends ctx, only once the request body is read:
// read it before Wait.
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

// ReadBody reads r's body whole (at most [MaxRequestBody]) and puts it back,
// so a handler can look at it before Wait and still read it after. A body
// it cannot read aborts the request.
func ReadBody(r *http.Request) []byte {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// Wrap returns a handler that reads each request's body, counts the
// request, waits out the delay (dropping the connection if the client
// leaves or the server closes), then gives an injected answer or lets next
// answer.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ReadBody(r)
		if !f.Wait(r.Context()) {
			panic(http.ErrAbortHandler)
		}
		if !f.Serve(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}
