package ipcortex

import (
	"net/http"
	"strings"
)

// sessionCookie returns the value of the first Red60urne cookie the answer
// sets to a value, or "". It reads only the Set-Cookie lines of that name, where
// provider.Response.Cookie parses every cookie: that cost a login a tenth of
// its decoding time. A value unfit to send back is caught by the caller.
func sessionCookie(h http.Header) string {
	for _, line := range h["Set-Cookie"] {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), CookieName+"=")
		if !ok {
			continue
		}
		v, _, _ = strings.Cut(v, ";")
		v = strings.TrimSpace(v)
		if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1] // RFC 6265 allows a quoted value
		}
		if v != "" { // an empty one deletes the cookie: no session
			return v
		}
	}
	return ""
}

// validCookieValue reports whether v can be sent as a cookie's value as it
// is (RFC 6265 cookie-octets), so the PBX gets back exactly what it gave.
func validCookieValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// setSessionCookie sets the Red60urne cookie on h, dropping any it had and
// keeping every other cookie as it was written.
func setSessionCookie(h http.Header, value string) {
	pair := CookieName + "=" + value
	lines := h.Values("Cookie")
	if len(lines) == 0 {
		h.Set("Cookie", pair)
		return
	}
	var kept []string
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ";") {
			part = strings.TrimSpace(part)
			name, _, _ := strings.Cut(part, "=")
			if part != "" && strings.TrimSpace(name) != CookieName {
				kept = append(kept, part)
			}
		}
	}
	h.Set("Cookie", strings.Join(append(kept, pair), "; "))
}
