package ipcortex

import (
	"bytes"
	"encoding/json"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// keyMember returns the member that carries key in a JSON request body,
// `"auth":{"type":"auth","key":KEY}`, the key JSON-escaped as withKey
// escapes it (no HTML escaping: the PBX gets the key as it is). It is made
// once per authenticator and spliced into every body.
func keyMember(key string) string {
	escaped, _ := encode(key) // a string always encodes
	return `"auth":{"type":"auth","key":` + string(escaped) + `}`
}

// spliceKey returns doc, a JSON request body, with member (from keyMember)
// as its first member, every byte of doc kept, when doc is a JSON object
// with no top-level "auth" key: the same document, once decoded, as
// withKey(doc, key) gives. ok is false for anything else, and whenever a
// top-level key holds an escape (it might spell "auth"): the caller then
// asks withKey, which merges the key into an "auth" object already there.
// Like append, spliceKey writes into doc's array when that has room.
//
// Keys are compared as encoding/json compares a map's keys, byte for byte:
// withKey decodes the body into a map.
func spliceKey(doc []byte, member string) (out []byte, ok bool) {
	open, empty, ok := plainObject(doc)
	if !ok {
		return nil, false
	}
	insert := len(member)
	if !empty {
		insert++ // the comma
	}
	at := open + 1
	n := len(doc)
	if cap(doc) >= n+insert {
		out = doc[:n+insert]
	} else {
		out = make([]byte, n+insert)
		copy(out, doc[:at])
	}
	copy(out[at+insert:], doc[at:n]) // copy moves overlapping bytes right
	copy(out[at:], member)
	if !empty {
		out[at+len(member)] = ','
	}
	return out, true
}

// plainObject reports whether doc is a JSON object that spliceKey may add
// to, and where its opening brace is and whether it has no member.
func plainObject(doc []byte) (open int, empty, ok bool) {
	if !json.Valid(doc) {
		return 0, false, false
	}
	open = provider.SkipSpace(doc)
	if open == len(doc) || doc[open] != '{' {
		return 0, false, false
	}
	depth := 0
	wantKey := false
	for i := open; i < len(doc); i++ {
		switch c := doc[i]; c {
		case '{', '[':
			depth++
			wantKey = depth == 1 && c == '{'
		case '}', ']':
			depth--
		case ',':
			wantKey = depth == 1
		case '"':
			end := stringEnd(doc, i)
			if wantKey {
				key := doc[i+1 : end]
				if string(key) == "auth" || bytes.IndexByte(key, '\\') >= 0 {
					return 0, false, false
				}
				wantKey = false
			}
			i = end
		}
	}
	next := provider.SkipSpace(doc[open+1:])
	return open, doc[open+1+next] == '}', true
}

// stringEnd returns the index of the quote that closes the JSON string
// whose opening quote is at doc[start]; doc is valid JSON.
func stringEnd(doc []byte, start int) int {
	for i := start + 1; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(doc) // not reached for valid JSON
}
