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
	if i := firstNonSpace(body); i < 0 || body[i] != '{' {
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

// firstReadSize is the buffer readJSON starts with when the body does not
// say its length; it doubles from there.
const firstReadSize = 4 << 10

// peekChunk bounds each read while readJSON looks for a body's first byte.
const peekChunk = 512

// readJSON reads r, a body of length bytes (negative: unknown), far enough
// to know whether it may hold a JSON object, into one buffer: to its first
// byte that is not white space and, when that is '{', on to its end or past
// maxBody; a body that starts otherwise is read no further, so a large
// download is not read through. A known length sizes the buffer once, with
// room for extra bytes more (what Authorize adds) and a byte to spare, so
// that the read which meets the end needs no other; length is only a hint.
// whole says that r is at its end. (scan_test.go holds it to a plain
// reference.)
func readJSON(r io.Reader, length int64, extra int) (read []byte, s shape, whole bool, err error) {
	size := firstReadSize
	if length >= 0 && length <= maxBody {
		size = int(length) + 1
	}
	buf := make([]byte, 0, size+extra)
	peeking := true
	for {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(max(2*cap(buf), firstReadSize), maxBody+1+extra))
			copy(grown, buf)
			buf = grown
		}
		end := min(cap(buf), maxBody+1)
		if peeking {
			// Never past peekLimit: the first peekLimit bytes decide.
			end = min(end, len(buf)+peekChunk, peekLimit)
		}
		n, err := r.Read(buf[len(buf):end])
		fresh := buf[len(buf) : len(buf)+n]
		buf = buf[:len(buf)+n]
		if peeking {
			if i := firstNonSpace(fresh); i >= 0 {
				if fresh[i] != '{' {
					// The error, if any, stays in the body for its
					// reader.
					return buf, notObject, err == io.EOF, nil
				}
				peeking = false
			} else if err == nil && len(buf) >= peekLimit {
				return buf, notObject, false, nil
			}
		}
		switch {
		case err == io.EOF && peeking:
			return buf, notObject, true, nil
		case err == io.EOF:
			return buf, object, true, nil
		case err != nil:
			return buf, notObject, false, err
		case len(buf) > maxBody:
			return buf, tooLarge, false, nil
		}
	}
}
