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

// formScan is what one walk of a URL-encoded form finds: all that
// Authorize asks of a query or a form body.
type formScan struct {
	valid    bool // url.ParseQuery takes it
	plain    bool // appendSessionForm may add to it (see there)
	actions  int  // how many Action parameters it holds
	readOnly bool // it is valid, and every Action names a read-only action
}

// noForm is the scan of an empty form: valid and plain, with no action.
var noForm = scanForm("")

// scanForm walks form's pairs once. form is valid when url.ParseQuery
// takes it without an error: no ';', every '%' followed by two hexadecimal
// digits, and no more parameters than it allows (it takes any other byte).
// A valid form is plain when it has room for one parameter more and none
// of its keys is SessionId or holds a '%' or '+', which might unescape to
// SessionId. A read-only action is one whose name, unescaped, ends in
// "Read" or "Browse", such as UserRead or UserBrowse. A form that is not
// valid has no action and is not read-only.
func scanForm[T formText](form T) formScan {
	s := formScan{valid: true, plain: true, readOnly: true}
	params := 0
	for rest, more := form, true; more; {
		var pair T
		pair, rest, more = cut(rest, '&')
		if params++; params > maxFormParams {
			return formScan{}
		}
		eq, keyEscaped, valueEscaped, ok := scanPair(pair)
		if !ok {
			return formScan{}
		}
		key, value := pair[:eq], pair[min(eq+1, len(pair)):]
		if keyEscaped || string(key) == sessionParam {
			s.plain = false
		}
		if formEquals(key, keyEscaped, "Action") {
			s.actions++
			s.readOnly = s.readOnly && (formHasSuffix(value, valueEscaped, "Read") || formHasSuffix(value, valueEscaped, "Browse"))
		}
	}
	s.plain = s.plain && params+1 <= maxFormParams
	return s
}

// scanPair walks one key=value pair of a form: where its '=' is (len(pair)
// when it has none), whether its key and its value hold an escape or a
// '+' (a space), and whether url.ParseQuery takes it.
func scanPair[T formText](pair T) (eq int, keyEscaped, valueEscaped, ok bool) {
	eq = -1
	for i := 0; i < len(pair); i++ {
		escape := false
		switch pair[i] {
		case ';':
			return 0, false, false, false
		case '%':
			if i+2 >= len(pair) || !isHex(pair[i+1]) || !isHex(pair[i+2]) {
				return 0, false, false, false
			}
			escape = true
		case '+':
			escape = true
		case '=':
			if eq < 0 {
				eq = i
			}
		}
		switch {
		case escape && eq < 0:
			keyEscaped = true
		case escape:
			valueEscaped = true
		}
	}
	if eq < 0 {
		eq = len(pair)
	}
	return eq, keyEscaped, valueEscaped, true
}

// readOnlyCall reports whether a call whose query and form body scanned
// as these is safe to repeat: it names an action, and every Action
// parameter, in either, names a read-only one. OnSIP sends every call as
// a POST, so only the Action can say.
func readOnlyCall(query, body formScan) bool {
	return query.actions+body.actions > 0 && query.readOnly && body.readOnly
}

// appendSessionForm appends the parameter SessionId=id (id form-escaped)
// to body, a URL-encoded form that scanForm found plain: then the form
// holds every parameter it held, as they were written, and the session.
// (A form that is not plain is parsed in full instead.) Like append, it
// writes into body's array when that has room.
func appendSessionForm(body []byte, id string) []byte {
	if len(body) > 0 && body[len(body)-1] != '&' {
		body = append(body, '&')
	}
	return append(append(body, sessionPair...), url.QueryEscape(id)...)
}

// querySession is appendSessionForm for a URL's query.
func querySession(query, id string) string {
	sep := "&"
	if query == "" || query[len(query)-1] == '&' {
		sep = ""
	}
	return query + sep + sessionPair + url.QueryEscape(id)
}

// formEquals and formHasSuffix compare s, a key or value of a valid form,
// once unescaped; escaped says whether it holds an escape or a '+'. Only
// one that does costs an allocation.
func formEquals[T formText](s T, escaped bool, want string) bool {
	if escaped {
		v, err := url.QueryUnescape(string(s))
		return err == nil && v == want
	}
	return string(s) == want
}

func formHasSuffix[T formText](s T, escaped bool, suffix string) bool {
	if escaped {
		v, err := url.QueryUnescape(string(s))
		return err == nil && strings.HasSuffix(v, suffix)
	}
	return len(s) >= len(suffix) && string(s[len(s)-len(suffix):]) == suffix
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// index and cut are strings' and bytes' functions of those names for
// either kind of form text.
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
