// Package jsonscan holds the byte-level checks the providers' fast
// refusal scans share: what a JSON string may hide in an escape.
package jsonscan

import "bytes"

// EscapesASCII reports whether b holds a JSON \u escape of an ASCII byte c
// for which is(c) holds. A fast scan that looks for a word's bytes uses it
// to know whether the word may also stand in b escaped (a JSON string has
// no other way to write a letter). Every \u is looked at, even one whose
// backslash is itself escaped: that can only make a scan say "maybe".
func EscapesASCII(b []byte, is func(c byte) bool) bool {
	for {
		i := bytes.IndexByte(b, '\\')
		if i < 0 {
			return false
		}
		b = b[i+1:]
		if len(b) < 5 || b[0] != 'u' {
			continue
		}
		if r, ok := hex4(b[1:5]); ok && r < 0x80 && is(byte(r)) {
			return true
		}
	}
}

// hex4 reads four hexadecimal digits.
func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
