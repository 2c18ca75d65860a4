package ipcortex

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
)

// userID is user.id as decimal text; "" when absent or null. The page shows
// a JSON number; a server that sends 123.0 or "123" means the same, so
// those are read too.
type userID string

// errUserID is the error of an id that is not a whole number.
var errUserID = errors.New("ipcortex: user id is not a whole number")

// UnmarshalJSON reads a JSON number or numeric string that is a whole number.
func (id *userID) UnmarshalJSON(b []byte) error {
	if plainInteger(b) {
		*id = userID(b) // already canonical: the common case, kept cheap
		return nil
	}
	s := string(b)
	switch {
	case s == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return errUserID
		}
	}
	d, ok := wholeNumber(s)
	if !ok {
		return errUserID
	}
	*id = userID(d)
	return nil
}

// plainInteger reports whether b is an integer in canonical decimal form
// (no sign but '-', no leading zero) short enough to fit 64 bits.
func plainInteger(b []byte) bool {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || digits[0] == '0' && len(digits) > 1 || string(b) == "-0" {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// wholeNumber returns s, a number, as canonical decimal text ("0123",
// "123.0" and "1.23e2" all give "123"), and whether s is a whole number
// that fits 64 bits.
func wholeNumber(s string) (string, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(n, 10), true
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return strconv.FormatUint(n, 10), true
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || f != math.Trunc(f):
		return "", false // not a number, not whole, NaN, or too large
	case f >= math.MinInt64 && f < math.MaxInt64:
		return strconv.FormatInt(int64(f), 10), true
	case f >= 0 && f < math.MaxUint64:
		return strconv.FormatUint(uint64(f), 10), true
	}
	return "", false
}

// text is a JSON string, or "" for any other value: a vendor's message only
// informs, so its shape must never make an answer unreadable.
type text string

// UnmarshalJSON keeps a string and ignores anything else.
func (t *text) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*t = text(s)
	}
	return nil
}
