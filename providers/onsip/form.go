package onsip

import (
	"net/url"
	"strings"
)

// maxFormParams is the most parameters url.ParseQuery takes in one form:
// its default limit (GODEBUG urlmaxqueryparams may set another).
const maxFormParams = 10000

// sessionPair opens the parameter appendSessionForm adds.
const sessionPair = sessionParam + "="

// formText is what a URL-encoded form comes as: a body's bytes or a
// query's string.
type formText interface{ ~string | ~[]byte }

// appendSessionForm appends the parameter SessionId=id (id form-escaped)
// to body, a URL-encoded form, when body is plain: url.ParseQuery takes it,
// with room for one parameter more, and none of its keys is SessionId or
// holds a '%' or '+', which might unescape to SessionId. Then the form
// holds every parameter it held, as they were written, and the session.
// Otherwise ok is false, and the caller parses the form in full. Like
// append, it writes into body's array when that has room.
func appendSessionForm(body []byte, id string) (out []byte, ok bool) {
	if !plainForm(body) {
		return nil, false
	}
	if len(body) > 0 && body[len(body)-1] != '&' {
		body = append(body, '&')
	}
	return append(append(body, sessionPair...), url.QueryEscape(id)...), true
}

// querySession is appendSessionForm for a URL's query.
func querySession(query, id string) (string, bool) {
	if !plainForm(query) {
		return "", false
	}
	sep := "&"
	if query == "" || query[len(query)-1] == '&' {
		sep = ""
	}
	return query + sep + sessionPair + url.QueryEscape(id), true
}

// plainForm reports whether form is one appendSessionForm may add to.
func plainForm[T formText](form T) bool {
	if !validForm(form) || count(form, '&')+2 > maxFormParams {
		return false
	}
	for rest := form; len(rest) > 0; {
		var pair T
		pair, rest, _ = cut(rest, '&')
		key, _, _ := cut(pair, '=')
		if escaped(key) || string(key) == sessionParam {
			return false
		}
	}
	return true
}

// validForm reports whether url.ParseQuery takes form without an error:
// no ';', every '%' followed by two hexadecimal digits, and no more
// parameters than it allows. It takes any other byte.
func validForm[T formText](form T) bool {
	for i := 0; i < len(form); i++ {
		switch form[i] {
		case ';':
			return false
		case '%':
			if i+2 >= len(form) || !isHex(form[i+1]) || !isHex(form[i+2]) {
				return false
			}
		}
	}
	return count(form, '&')+1 <= maxFormParams
}

// readOnlyActions reports how many Action parameters form, a URL-encoded
// form, holds, and whether each names a read-only action: one whose name
// ends in "Read" or "Browse", such as UserRead or UserBrowse. A form that
// url.ParseQuery does not take is not read-only.
func readOnlyActions[T formText](form T) (actions int, readOnly bool) {
	if !validForm(form) {
		return 0, false
	}
	readOnly = true
	for rest := form; len(rest) > 0; {
		var pair T
		pair, rest, _ = cut(rest, '&')
		key, value, _ := cut(pair, '=')
		if !formEquals(key, "Action") {
			continue
		}
		actions++
		readOnly = readOnly && (formHasSuffix(value, "Read") || formHasSuffix(value, "Browse"))
	}
	return actions, readOnly
}

// readOnlyRequest reports whether a call whose query and form body are
// these is safe to repeat: it names an action, and every Action parameter,
// in either, names a read-only one. OnSIP sends every call as a POST, so
// only the Action can say.
func readOnlyRequest[T formText](query string, body T) bool {
	inQuery, queryReads := readOnlyActions(query)
	inBody, bodyReads := readOnlyActions(body)
	return inQuery+inBody > 0 && queryReads && bodyReads
}

// formEquals and formHasSuffix compare s, a key or value of a valid form,
// once unescaped. Only one that holds an escape or a '+' costs an
// allocation.
func formEquals[T formText](s T, want string) bool {
	if escaped(s) {
		v, err := url.QueryUnescape(string(s))
		return err == nil && v == want
	}
	return string(s) == want
}

func formHasSuffix[T formText](s T, suffix string) bool {
	if escaped(s) {
		v, err := url.QueryUnescape(string(s))
		return err == nil && strings.HasSuffix(v, suffix)
	}
	return len(s) >= len(suffix) && string(s[len(s)-len(suffix):]) == suffix
}

// escaped reports whether s, a key or value of a form, is not what it
// says: it holds an escape or a '+' (a space).
func escaped[T formText](s T) bool {
	return index(s, '%') >= 0 || index(s, '+') >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// count, index and cut are strings' and bytes' functions of those names
// for either kind of form text.
func count[T formText](s T, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
		}
	}
	return n
}

func index[T formText](s T, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func cut[T formText](s T, sep byte) (before, after T, found bool) {
	if i := index(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, s[len(s):], false
}
