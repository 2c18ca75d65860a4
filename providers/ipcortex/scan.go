package ipcortex

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// refusedAnswer reports whether body, the whole answer to an API call, is
// how IPCortex refuses one it cannot authenticate: a JSON object whose
// "result" is "fail". encoding/json decides, as it does for a login.
func refusedAnswer(body []byte) bool {
	var o outcome
	return json.Unmarshal(body, &o) == nil && o.Result == resultFail
}

// refusedAnswerFast decides, without decoding, the answers that surely do
// not refuse, the common case; sure is false when it cannot tell, and then
// only [refusedAnswer] can. Whenever sure is true, refused is what
// refusedAnswer(body) says. It decides no refusal: those are rare (once per
// lost session) and go to the full check.
//
// A refusal needs "result" to decode to the string "fail", compared as it
// is. Its four letters stand in the body as they are, or as \u escapes (a
// JSON string has no other way to write a letter); so a body with neither
// the bytes "fail" nor a \u escape of one of those letters is no refusal,
// nor is one that is no JSON object. The key's spelling does not matter.
func refusedAnswerFast(body []byte) (refused, sure bool) {
	if i := provider.SkipSpace(body); i == len(body) || body[i] != '{' {
		return false, true
	}
	return false, !bytes.Contains(body, failValue) && !escapesLetterOf(body, resultFail)
}

// failValue is the result of a refusal, as its bytes.
var failValue = []byte(resultFail)

// escapesLetterOf reports whether b holds a JSON \u escape of one of
// word's letters, exactly: "fail" is compared as it is, so \u0046 ('F')
// cannot make it.
func escapesLetterOf(b []byte, word string) bool {
	return provider.JSONEscapesASCII(b, func(c byte) bool { return strings.IndexByte(word, c) >= 0 })
}

// readJSON reads r, a body of length bytes (negative: unknown), far enough
// to know whether it may hold a JSON object, into one buffer (see
// provider.ReadStart): to its first byte that is not white space and, when
// that is '{', on to its end or past maxBody; a body that starts otherwise
// is read no further, so a large download is neither read through nor
// given a buffer of its Content-Length. The buffer has room for extra
// bytes more (what Authorize adds). whole says that r is at its end.
// (scan_test.go holds it to a plain reference.)
func readJSON(r io.Reader, length int64, extra int) (read []byte, s shape, whole bool, err error) {
	read, whole, err = provider.ReadStart(r, length, maxBody, extra, objectStart)
	known, may := objectStart(read)
	switch {
	case err != nil || !known || !may:
		// A read error of a body ruled out stays in the body for its
		// reader; ReadStart returns one only for a body it read on.
		return read, notObject, whole, err
	case len(read) > maxBody:
		return read, tooLarge, false, nil
	}
	return read, object, whole, nil
}

// objectStart is readJSON's judge of a body's first bytes: it may be a JSON
// object when its first byte that is not white space is '{', and that
// byte comes within peekLimit bytes.
func objectStart(b []byte) (known, may bool) {
	head := b[:min(len(b), peekLimit)]
	if i := provider.SkipSpace(head); i < len(head) {
		return true, head[i] == '{'
	}
	return len(b) >= peekLimit, false
}
