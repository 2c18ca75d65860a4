package provider_test

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// encodings are the forms in which a server may echo a secret.
var encodings = map[string]func(string) string{
	"raw":          func(s string) string { return s },
	"query":        url.QueryEscape,
	"path":         url.PathEscape,
	"query lower":  func(s string) string { return lowerEscapes(url.QueryEscape(s)) },
	"json":         func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) },
	"json no html": jsonNoHTML,
	"json slashes": func(s string) string { return strings.ReplaceAll(jsonNoHTML(s), "/", `\/`) },
	// Python's json.dumps, and PHP's json_encode, both by default.
	"json ascii": jsonASCII,
	"php":        func(s string) string { return strings.ReplaceAll(jsonASCII(s), "/", `\/`) },
	// Encoders that write a \u escape's hex in upper case (Java's).
	"json ascii upper": func(s string) string { return upperHex(jsonASCII(s)) },
	"json upper":       func(s string) string { b, _ := json.Marshal(s); return upperHex(string(b[1 : len(b)-1])) },
	"xml":              func(s string) string { var b strings.Builder; _ = xml.EscapeText(&b, []byte(s)); return b.String() },
	"html":             html.EscapeString,
	"html named": func(s string) string {
		return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
	},
	"base64":         func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	"base64 url":     func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) },
	"base64 raw":     func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) },
	"base64 raw url": func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) },
}

// upperHex writes the hex digits of every \uXXXX escape in upper case.
func upperHex(s string) string {
	return regexp.MustCompile(`\\u[0-9a-f]{4}`).ReplaceAllStringFunc(s, func(e string) string { return `\u` + strings.ToUpper(e[2:]) })
}

func jsonNoHTML(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	out := strings.TrimSpace(b.String())
	return out[1 : len(out)-1]
}

// jsonASCII is JSON with every non-ASCII character written as \u escapes
// (UTF-16, lower-case hex).
func jsonASCII(s string) string {
	var b strings.Builder
	for _, r := range jsonNoHTML(s) {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	return b.String()
}

func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = strings.ToLower(string(b[i+1]))[0], strings.ToLower(string(b[i+2]))[0]
		}
	}
	return string(b)
}

func TestRedact(t *testing.T) {
	assert.Equal(t, "bad password [REDACTED] for [REDACTED]",
		provider.Redact("bad password pw1 for sid9", "pw1", "", "sid9"))
	assert.True(t, provider.Contains(`{"error":"bad password p\/\u00e9"}`, "p/é"), "PHP's json_encode form")
	for i, secret := range []string{`p<a>ss "w&rd"/ é`, "correct horse battery staple", "Zm9v+/=", "line\nbreak\ttab", "日本語パス"} {
		for name, enc := range encodings {
			form := enc(secret)
			out := provider.Redact("the server said: "+form+" (echo)", auth.Secret(secret))
			require.False(t, strings.Contains(out, form), "the %s form of secret #%d survives", name, i)
			assert.Contains(t, out, auth.Redacted, name)
		}
	}
}

func TestClean(t *testing.T) {
	assert.Equal(t, "a b c", provider.Clean(" a \n\t b  c "))
	assert.Equal(t, "pw is [REDACTED]", provider.Clean("pw is two\n words", "two words"), "folded white space")
	long := provider.Clean(strings.Repeat("é", provider.MaxMessage))
	assert.LessOrEqual(t, len(long), provider.MaxMessage+len("…"))
	assert.True(t, strings.HasSuffix(long, "…"))
	assert.Equal(t, "bad \uFFFD byte", provider.Clean("bad \xff byte"))
	// Redacted before the cut: no part of a secret left at the end.
	secret := strings.Repeat("s", 40)
	out := provider.Clean(strings.Repeat("x", provider.MaxMessage-10)+secret, auth.Secret(secret))
	assert.False(t, strings.Contains(out, "ssss"), "a part of the secret is left at the cut")
}

// FuzzRedact: no input lets a secret survive Redact in any form a server
// may echo, outside the redaction marks themselves.
func FuzzRedact(f *testing.F) {
	names := make([]string, 0, len(encodings))
	for name := range encodings {
		names = append(names, name)
	}
	slices.Sort(names) // which names the same encoding in every run
	f.Add("pw", "x", "y", uint8(0))
	f.Add(`p<a>ss "w&rd"`, "msg: ", "!", uint8(3))
	f.Add("D]x", "", "x", uint8(0))
	f.Fuzz(func(t *testing.T, secret, before, after string, which uint8) {
		if secret == "" {
			return
		}
		name := names[int(which)%len(names)]
		form := encodings[name](secret)
		out := provider.Redact(before+form+after, auth.Secret(secret))
		for _, piece := range strings.Split(out, auth.Redacted) {
			if strings.Contains(piece, form) {
				t.Fatalf("the %s form of a %d-byte secret survives", name, len(secret))
			}
		}
	})
}
