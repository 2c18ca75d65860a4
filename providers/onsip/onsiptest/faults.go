package onsiptest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// OversizeLength is the least length of a body sent by OversizeNext: more
// than the 1 MiB a client should read of an answer.
const OversizeLength = 1<<20 + 64<<10

// ExceptionText is the text inside the <Exception> documents sent by
// ExceptionNext.
const ExceptionText = "Unable to process the request: an internal error occurred."

const (
	// exceptionDocument is laid out as the vendor documents an API fault.
	exceptionDocument = xmlDeclaration +
		`<Exception xmlns="` + Namespace + `">` + "\n" +
		"<![CDATA[\n" + ExceptionText + "\n]]>\n" +
		"</Exception>\n"

	// garbageBody is what a misbehaving proxy might answer with: plain
	// text, though labelled as XML so a client must judge by the body.
	garbageBody = "upstream connect error or disconnect/reset before headers\n"

	// oversizeStart is a well-formed start of a Response document; padding
	// follows it and the document never ends.
	oversizeStart = xmlDeclaration + responseOpen +
		"  <Context>\n" +
		"    <Action>\n" +
		"      <IsCompleted>true</IsCompleted>\n" +
		"    </Action>\n"
)

// oversizePadding is one line of padding: an XML comment, so every byte
// sent stays well-formed.
var oversizePadding = "    <!--" + strings.Repeat(" padding", 127) + " -->\n"

// The fault bodies are built once: every injected answer shares them and
// none writes to them.
var (
	exceptionBody = []byte(exceptionDocument)
	garbage       = []byte(garbageBody)
	// oversizeBody is oversizeStart padded past OversizeLength; made on
	// first use, so a program that never asks for it never pays the MiB.
	oversizeBody = sync.OnceValue(func() []byte {
		lines := (OversizeLength-len(oversizeStart))/len(oversizePadding) + 1
		return []byte(oversizeStart + strings.Repeat(oversizePadding, lines))
	})
)

// FailNext makes the next n requests answer HTTP status with an empty body
// and no Retry-After header, after the injected answers asked for before
// it; n <= 0 asks for nothing. It panics if status is not in 200-599.
func (s *Server) FailNext(n, status int) {
	s.FailNextRetryAfter(n, status, 0)
}

// FailNextRetryAfter is like FailNext but also sends the header
// Retry-After, in whole seconds rounded up, when retryAfter is positive.
func (s *Server) FailNextRetryAfter(n, status int, retryAfter time.Duration) {
	if status < 200 || status > 599 {
		panic(fmt.Sprintf("onsiptest: FailNext with invalid HTTP status %d", status))
	}
	if retryAfter <= 0 {
		s.faults.FailNext(n, status)
		return
	}
	secs := strconv.FormatInt(int64((retryAfter+time.Second-1)/time.Second), 10)
	s.faults.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", secs)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
	}))
}

// ExceptionNext makes the next n requests answer HTTP 200 with a document
// whose root is <Exception>, the text in CDATA: how the OnSIP API reports a
// fault inside itself. It queues after the injected answers asked for
// before it; n <= 0 asks for nothing.
func (s *Server) ExceptionNext(n int) {
	s.faults.BodyNext(n, ContentType, exceptionBody)
}

// GarbageNext makes the next n requests answer HTTP 200 with a body that is
// not XML at all. It queues after the injected answers asked for before it;
// n <= 0 asks for nothing.
func (s *Server) GarbageNext(n int) {
	s.faults.BodyNext(n, ContentType, garbage)
}

// OversizeNext makes the next n requests answer HTTP 200 with a well-formed
// start of a Response document padded past OversizeLength bytes, which
// never ends. No Content-Length is sent, so a client can only protect
// itself by limiting what it reads. It queues after the injected answers
// asked for before it; n <= 0 asks for nothing.
func (s *Server) OversizeNext(n int) {
	s.faults.AnswerNext(n, http.HandlerFunc(writeOversize))
}

// ClearFaults drops every injected answer not yet given and the delay set
// by SetDelay, so a test can return the server to health at once.
func (s *Server) ClearFaults() {
	s.faults.Clear()
}

// writeOversize sends oversizeBody unannounced: larger than net/http's
// buffer and with no Content-Length, it goes out chunked.
func writeOversize(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(oversizeBody()) // a client that hung up needs no answer
}
