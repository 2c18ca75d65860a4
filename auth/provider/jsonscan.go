package provider

import "bytes"

// JSONEscapesASCII reports whether b, JSON text, holds a \u escape of an
// ASCII byte c for which is(c) holds. A fast refusal check that looks for
// a word's bytes (say "fail") uses it to know whether the word may also
// stand in b escaped, since a JSON string has no other way to write a
// letter. Every \u is looked at, even one whose backslash is itself
// escaped: that can only make such a check say "maybe". It allocates
// nothing.
func JSONEscapesASCII(b []byte, is func(c byte) bool) bool {
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
