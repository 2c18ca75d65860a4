package onsip

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// The first byte of an OnSIP answer, once a byte order mark and white space
// are passed, says its format: OnSIP answers XML, or JSON when the call
// carried Output=json.
const (
	startXML  = '<'
	startJSON = '{'
)

// refusesSession reports whether body, an OnSIP answer (whole, or the
// first part of one), holds an error on the SessionId parameter in
// Context/Request/Errors or Context/Action/Errors: OnSIP's way of saying it
// does not know the session the call carried.
//
// Both of OnSIP's formats are read, told apart by the first byte after an
// optional byte order mark and white space. XML is read up to the end of
// the root Response's Context element and no further, so an answer cut
// after its Context is still judged. JSON is decoded whole with
// encoding/json, so a cut one is no refusal; its Error is an object, or an
// array of them when there are many. Anything else is no refusal.
func refusesSession(body []byte) bool {
	switch rest, start := answerStart(body); start {
	case startXML:
		return scanRefusal(bytes.NewReader(rest))
	case startJSON:
		return jsonRefusal(rest)
	}
	return false
}

// refusesSessionFast decides, without decoding, the answers that surely do
// not refuse the session, the common case; sure is false when it cannot
// tell, and then only [refusesSession] can. Whenever sure is true, refused
// is what refusesSession(body) says. It decides no refusal: an answer that
// refuses is rare (once per lost session) and goes to the full check.
//
// A refusal needs an Error element or key. An XML name is never escaped,
// so an XML answer without the bytes "Error" holds no Error element. A JSON
// key may be escaped (\u0045 is 'E') and encoding/json matches it to a
// field whatever its case (with Unicode's simple folding, under which only
// 'k' and 's' have letters outside ASCII, and "Error" has neither), so a
// JSON answer holds no Error key unless it has "error" in any case, or a
// \u escape that spells one of its letters.
func refusesSessionFast(body []byte) (refused, sure bool) {
	switch rest, start := answerStart(body); start {
	case startXML:
		return false, !bytes.Contains(rest, errorElement)
	case startJSON:
		return false, !containsFoldASCII(rest, errorKey) && !escapesLetterOf(rest, errorKey)
	}
	return false, true
}

// errorElement and errorKey are the name of an error in an answer, as XML
// spells it and folded as JSON keys are compared.
var errorElement = []byte("Error")

const errorKey = "error"

// answerStart returns body from its first byte past an optional UTF-8 byte
// order mark and XML or JSON white space, and that byte when it is
// startXML or startJSON; otherwise nil and 0.
func answerStart(body []byte) ([]byte, byte) {
	rest := pastSpace(body)
	if len(rest) > 0 && (rest[0] == startXML || rest[0] == startJSON) {
		return rest, rest[0]
	}
	return nil, 0
}

// pastSpace returns b past an optional UTF-8 byte order mark and the white
// space that follows it.
func pastSpace(b []byte) []byte {
	b = bytes.TrimPrefix(b, utf8BOM)
	return b[provider.SkipSpace(b):]
}

// scanRefusal reads an OnSIP XML Response from r up to the end of its
// Context, and no further: what follows (the Result, perhaps large) has no
// bearing on the session. Anything that is not such a document is no
// refusal.
func scanRefusal(r io.Reader) bool {
	d := xml.NewDecoder(r)
	root, err := rootElement(d)
	if err != nil || root.Name.Local != rootResponse {
		return false
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		start, ok := tok.(xml.StartElement)
		switch {
		case !ok:
			if _, end := tok.(xml.EndElement); end {
				return false // the Response closed with no Context
			}
		case start.Name.Local == "Context":
			var c apiContext
			return d.DecodeElement(&c, &start) == nil && c.refusesSession()
		default:
			if d.Skip() != nil {
				return false
			}
		}
	}
}

// jsonAnswer is what refusal detection reads of a JSON answer: the two
// error lists of its Context. encoding/json matches the names whatever
// their case.
type jsonAnswer struct {
	Response struct {
		Context struct {
			Request, Action struct {
				Errors struct {
					Error jsonErrors
				}
			}
		}
	}
}

// jsonErrors is the value of a JSON Errors/Error: one error as an object,
// many as an array of objects.
type jsonErrors []apiError

// UnmarshalJSON takes an object or an array and adds what it holds; any
// other value adds nothing. It never fails, so one odd error cannot hide
// the others: a field of the wrong type is left empty.
func (e *jsonErrors) UnmarshalJSON(b []byte) error {
	b = bytes.TrimLeft(b, " \t\r\n")
	switch {
	case len(b) == 0:
	case b[0] == '{':
		var one apiError
		if decodedAll(json.Unmarshal(b, &one)) {
			*e = append(*e, one)
		}
	case b[0] == '[':
		var many []apiError
		if decodedAll(json.Unmarshal(b, &many)) {
			*e = append(*e, many...)
		}
	}
	return nil
}

// jsonRefusal is refusesSession for a JSON answer. A value of the wrong
// type somewhere (an Action that is a string, say) does not stop the rest
// from being read; a document that is not JSON refuses nothing.
func jsonRefusal(body []byte) bool {
	var a jsonAnswer
	if !decodedAll(json.Unmarshal(body, &a)) {
		return false
	}
	var c apiContext
	c.Request.Errors = a.Response.Context.Request.Errors.Error
	c.Action.Errors = a.Response.Context.Action.Errors.Error
	return c.refusesSession()
}

// decodedAll reports whether json.Unmarshal, having returned err, decoded
// everything it could: it did, or it only skipped values of the wrong type.
func decodedAll(err error) bool {
	var typeErr *json.UnmarshalTypeError
	return err == nil || errors.As(err, &typeErr)
}

// containsFoldASCII reports whether b holds word, three or more ASCII
// lower-case letters, in any mix of cases. It looks eight bytes at a time
// for word's second and third letters side by side, in any case (for
// "error" that pair, "rr", is rare), and checks the whole word only there.
func containsFoldASCII(b []byte, word string) bool {
	const ones, highs, fold = 0x0101010101010101, 0x8080808080808080, 0x2020202020202020
	same := ones * uint64(word[1]) // the second letter in every byte
	if word[1] != word[2] {
		return containsFoldSlow(b, word)
	}
	// Windows of 8 bytes, 7 apart, so that every two neighbouring bytes
	// share one.
	i := 0
	for ; i+8 <= len(b); i += 7 {
		x := (binary.LittleEndian.Uint64(b[i:]) | fold) ^ same
		// A high bit for each zero byte of x (a letter found), and
		// perhaps for bytes above one: never a letter missed.
		z := (x - ones) &^ x & highs
		if z&(z>>8) == 0 {
			continue
		}
		if containsFoldSlow(b[max(i-1, 0):min(i+8+len(word), len(b))], word) {
			return true
		}
	}
	return containsFoldSlow(b[max(i-1, 0):], word)
}

// containsFoldSlow is containsFoldASCII a byte at a time.
func containsFoldSlow(b []byte, word string) bool {
	for i := 0; i+len(word) <= len(b); i++ {
		if equalFoldASCII(b[i:i+len(word)], word) {
			return true
		}
	}
	return false
}

// equalFoldASCII reports whether b is word, ASCII lower-case letters, in
// any mix of cases.
func equalFoldASCII(b []byte, word string) bool {
	if len(b) != len(word) {
		return false
	}
	for i := range b {
		if b[i]|0x20 != word[i] {
			return false
		}
	}
	return true
}

// escapesLetterOf reports whether b holds a JSON \u escape of one of
// word's letters (lower case), in either case.
func escapesLetterOf(b []byte, word string) bool {
	return provider.JSONEscapesASCII(b, func(c byte) bool { return isLetterOf(c, word) })
}

// isLetterOf reports whether c is one of word's letters, in either case.
func isLetterOf(c byte, word string) bool {
	if c|0x20 < 'a' || c|0x20 > 'z' {
		return false
	}
	return strings.IndexByte(word, c|0x20) >= 0
}
