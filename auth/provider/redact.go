package provider

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/pbxauth/pbxauth/auth"
)

// MaxMessage bounds the vendor text an error carries: enough for any real
// message, too little for a server to fill logs with.
const MaxMessage = 256

// Clean makes text from a vendor's answer fit for an *auth.Error: runs of
// white space become one space, invalid UTF-8 is replaced, every form of
// every secret is removed (see [Redact]), and the result is cut to
// [MaxMessage] bytes. Redacting before cutting means a cut never leaves
// part of a secret behind.
func Clean(text string, secrets ...auth.Secret) string {
	text = strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
	text = Redact(text, secrets...)
	if len(text) <= MaxMessage {
		return text
	}
	cut := MaxMessage
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}

// Redact returns s with every non-empty secret replaced by auth.Redacted in
// every form a server might echo it: as it is, with its white space
// folded, URL- and form-escaped (either case of hex), JSON-escaped (with
// and without HTML escaping, with "\/", with non-ASCII as \u escapes, and
// with both, as PHP writes it), XML- and HTML-escaped (numeric and named
// entities), and base64 (standard and URL alphabets, padded or not).
func Redact(s string, secrets ...auth.Secret) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		for _, form := range forms(secret.Reveal()) {
			if form != "" {
				s = strings.ReplaceAll(s, form, auth.Redacted)
			}
		}
	}
	return s
}

// Contains reports whether s holds any form of any secret that [Redact]
// removes. Tests use it to look for leaks.
func Contains(s string, secrets ...auth.Secret) bool {
	return Redact(s, secrets...) != s
}

// forms returns the encodings of v a server might echo, the longest first
// so that a longer form is replaced before a shorter one inside it.
func forms(v string) []string {
	out := []string{v}
	add := func(f string) {
		for _, have := range out {
			if have == f {
				return
			}
		}
		out = append(out, f)
	}
	add(strings.Join(strings.Fields(v), " "))
	for _, esc := range []string{url.QueryEscape(v), url.PathEscape(v)} {
		add(esc)
		add(lowerHexEscapes(esc))
	}
	add(jsonEscape(v, true))
	add(jsonEscape(v, false))
	add(strings.ReplaceAll(jsonEscape(v, false), "/", `\/`))
	add(jsonASCII(v))                                // Python's json.dumps
	add(strings.ReplaceAll(jsonASCII(v), "/", `\/`)) // PHP's json_encode
	add(upperJSONEscapes(jsonASCII(v)))              // encoders that write \u00E9
	add(upperJSONEscapes(jsonEscape(v, true)))       // and \u003C
	add(html.EscapeString(v))                        // &#34; &#39;
	add(xmlEscape(v))                                // &#34; &#39; &#xA; …
	add(namedEntities(v))                            // &quot; &apos;
	add(strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(v))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		add(enc.EncodeToString([]byte(v)))
	}
	// Longest first: "a&amp;b" must go before a shorter form inside it.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// lowerHexEscapes rewrites %XX escapes with lower-case hex digits.
func lowerHexEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerHex(b[i+1]), lowerHex(b[i+2])
		}
	}
	return string(b)
}

func lowerHex(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// upperJSONEscapes writes the hex digits of s's \u escapes in upper case,
// as some JSON encoders (Java's among them) do.
func upperJSONEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+5 < len(b); i++ {
		if b[i] == '\\' && b[i+1] == 'u' {
			for j := i + 2; j < i+6; j++ {
				if 'a' <= b[j] && b[j] <= 'f' {
					b[j] -= 'a' - 'A'
				}
			}
			i += 5
		} else if b[i] == '\\' {
			i++ // an escaped backslash or another escape: skip its second byte
		}
	}
	return string(b)
}

// jsonEscape returns v as a JSON string's contents.
func jsonEscape(v string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(v) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// jsonASCII returns v JSON-escaped with every non-ASCII rune as a \u
// escape in lower-case hex, as Python's json.dumps writes it by default
// (PHP's json_encode also writes "/" as "\/").
func jsonASCII(v string) string {
	var b strings.Builder
	for _, r := range jsonEscape(v, false) {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := surrogates(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

// xmlEscape is encoding/xml's EscapeText, which also escapes white space
// control characters and replaces characters XML cannot hold.
func xmlEscape(v string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(v)) // a strings.Builder never fails
	return b.String()
}

func namedEntities(v string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(v)
}
