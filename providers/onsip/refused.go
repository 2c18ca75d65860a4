package onsip

import (
	"bytes"
	"mime"
	"net/http"
	"strings"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// maxAnswer bounds what Refused reads of an answer: the limit every answer
// has.
const maxAnswer = provider.MaxResponseSize

// Refused reports whether resp says OnSIP no longer accepts the session
// the request carried: HTTP 401 or 403, or, since OnSIP refuses with HTTP
// 200, an answer whose Context holds an error on the SessionId parameter,
// in XML or in JSON (what OnSIP sends a call that carries Output=json).
//
// To tell, Refused reads the body once, into one buffer (see
// provider.ReadStart): to its end, or to its first MiB when it is longer
// (an XML Context within that MiB is still read; JSON cut there refuses
// nothing), or only to its first bytes when they cannot start an XML or
// JSON document, so that a download is not pulled into memory; its
// Content-Length sizes the buffer only once the body may be an answer, so
// a download costs a few KiB, whatever its length. It puts back a body
// that gives the bytes read and then the rest, and whose Close closes the
// original: the caller reads the same answer either way, read error
// included. A body whose Content-Type cannot be XML or JSON is not read.
func (a *Authenticator) Refused(resp *http.Response) bool {
	switch {
	case resp == nil:
		return false
	case provider.RefusedStatus(resp.StatusCode):
		return true
	case resp.Body == nil || resp.Body == http.NoBody || !mayHoldAnswer(resp.Header.Get("Content-Type")):
		return false
	}
	// A read error stays for the caller: it comes again after the bytes
	// read.
	read, whole, _ := provider.ReadStart(resp.Body, resp.ContentLength, maxAnswer, 0, mayStartAnswer)
	resp.Body = provider.PutBack(read, resp.Body, whole)
	body := read[:min(len(read), maxAnswer)]
	if refused, sure := refusesSessionFast(body); sure {
		return refused
	}
	return refusesSession(body)
}

// mayStartAnswer reports whether the first bytes of a body tell whether it
// may be an answer (known), and if so whether it may: a byte order mark
// and white space say nothing yet; then '<' or '{' may start one, anything
// else cannot.
func mayStartAnswer(b []byte) (known, may bool) {
	if len(b) < len(utf8BOM) && bytes.HasPrefix(utf8BOM, b) {
		return false, false // nothing yet, or perhaps a byte order mark on its way
	}
	rest := pastSpace(b)
	if len(rest) == 0 {
		return false, false
	}
	return true, rest[0] == startXML || rest[0] == startJSON
}

// mayHoldAnswer reports whether a body of contentType may hold an OnSIP
// answer: XML and JSON types, any text type (a server may label XML
// text/html or text/plain), octet streams, and bodies that do not say or
// say it badly. It costs no allocation for the types OnSIP sends; the
// media type is parsed in full only to refuse one.
func mayHoldAnswer(contentType string) bool {
	if contentType == "" {
		return true
	}
	// As mime.ParseMediaType finds the media type.
	base, _, _ := strings.Cut(contentType, ";")
	if answerMediaType(strings.TrimSpace(strings.ToLower(base))) {
		return true
	}
	_, _, err := mime.ParseMediaType(contentType)
	return err != nil
}

// answerMediaType reports whether mediaType, lower case, is one an answer
// may come labelled with.
func answerMediaType(mediaType string) bool {
	return strings.HasPrefix(mediaType, "text/") || mediaType == "application/octet-stream" ||
		strings.HasSuffix(mediaType, "/xml") || strings.HasSuffix(mediaType, "+xml") ||
		strings.HasSuffix(mediaType, "/json") || strings.HasSuffix(mediaType, "+json")
}
