package onsiptest

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pbxauth/pbxauth/auth/authtest"
)

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
	// oversizeBody is oversizeStart padded past authtest.OversizeBytes; made on
	// first use, so a program that never asks for it never pays the MiB.
	oversizeBody = sync.OnceValue(func() []byte {
		lines := (authtest.OversizeBytes-len(oversizeStart))/len(oversizePadding) + 1
		return []byte(oversizeStart + strings.Repeat(oversizePadding, lines))
	})
)

// ExceptionNext makes the next n requests answer HTTP 200 with a document
// whose root is <Exception>, the text in CDATA: how the OnSIP API reports a
// fault inside itself. It queues after the injected answers asked for
// before it; n <= 0 asks for nothing.
func (s *Server) ExceptionNext(n int) {
	s.BodyNext(n, ContentType, exceptionBody)
}

// GarbageNext makes the next n requests answer HTTP 200 with a body that is
// not XML at all. It queues after the injected answers asked for before it;
// n <= 0 asks for nothing.
func (s *Server) GarbageNext(n int) {
	s.BodyNext(n, ContentType, garbage)
}

// OversizeNext makes the next n requests answer HTTP 200 with a well-formed
// start of a Response document padded past authtest.OversizeBytes bytes, which
// never ends. No Content-Length is sent, so a client can only protect
// itself by limiting what it reads. It queues after the injected answers
// asked for before it; n <= 0 asks for nothing.
func (s *Server) OversizeNext(n int) {
	s.AnswerNext(n, http.HandlerFunc(writeOversize))
}

// writeOversize sends oversizeBody unannounced: larger than net/http's
// buffer and with no Content-Length, it goes out chunked.
func writeOversize(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(oversizeBody()) // a client that hung up needs no answer
}

// EchoNext makes the next n requests answer as a refused SessionCreate
// whose error message quotes the password the request carried, passed
// through encode: a hostile or careless server echoing a secret (raw,
// escaped, encoded), which a client must not pass on.
func (s *Server) EchoNext(n int, encode func(secret string) string) {
	s.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps, _ := readRequest(w, r)
		start := time.Now()
		writeXML(w, (&response{
			params: ps,
			valid:  true,
			actionErrs: []apiError{{"Password", "Authentication",
				"Authentication failed for password " + encode(ps.get("Password")) + "."}},
			result: actionSessionCreate,
		}).render(start))
	}))
}
