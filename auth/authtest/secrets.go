package authtest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pbxauth/pbxauth/auth"
)

// testNoSecretsLeak drives every path that produces text (errors of each
// kind, log lines, printed and marshalled values) and looks for the
// password, the key and every session ID in all of it.
func testNoSecretsLeak(t *testing.T, f *fixture) {
	ctx, a, srv := context.Background(), f.Authenticator, f.Server
	var texts []string
	record := func(err error) {
		if err != nil {
			texts = append(texts, err.Error(), fmt.Sprintf("%v|%+v|%#v|%q", err, err, err, err))
		}
	}
	var sessions []*auth.Session
	login := func() {
		s, err := a.Login(ctx)
		requireNoError(t, err, "Login")
		sessions = append(sessions, s)
	}

	login()
	if !sessions[0].Stateless() { // a stateless Logout sends nothing to fail
		srv.FailNext(SuiteRetry.MaxAttempts, http.StatusServiceUnavailable)
		record(a.Logout(ctx))
		srv.ForgetSessions()
		record(a.Logout(ctx))
	}

	login()
	for _, fault := range []func(){
		func() { srv.FailNext(SuiteRetry.MaxAttempts, http.StatusServiceUnavailable) },
		func() { srv.MalformedNext(SuiteRetry.MaxAttempts) },
		func() { srv.FailNext(1, http.StatusForbidden) },
		func() { srv.GarbageNext(1) },
		func() { srv.OversizeNext(1) },
		func() { srv.RejectCredentials(true) },
	} {
		fault()
		_, err := a.Login(ctx)
		record(err)
		_, err = a.Session(ctx)
		record(err)
		srv.RejectCredentials(false)
	}
	login()

	for _, s := range sessions {
		texts = append(texts, fmt.Sprintf("%v|%+v|%#v|%s", s, s, s, s))
		if b, err := json.Marshal(s); err == nil {
			texts = append(texts, string(b))
		}
		var line strings.Builder
		slog.New(slog.NewTextHandler(&line, nil)).Info("session", "s", s, "v", *s)
		texts = append(texts, line.String())
	}
	if f.Config.Endpoint != "" {
		texts = append(texts, fmt.Sprintf("%v|%+v|%#v", f.Config, f.Config, f.Config))
		if b, err := json.Marshal(f.Config.Credentials); err == nil {
			texts = append(texts, string(b))
		}
	}
	requireNoError(t, a.Logout(ctx), "Logout")
	texts = append(texts, f.logs.String())

	secrets := append([]auth.Secret(nil), f.Secrets...)
	for _, s := range sessions {
		secrets = append(secrets, s.ID)
	}
	if len(secrets) == 0 || secrets[0] == "" {
		t.Fatal("Fixture.Secrets is empty: the suite cannot check for leaks")
	}
	for i, text := range texts {
		checkNoSecret(t, fmt.Sprintf("text #%d", i), text, secrets)
	}
}

// echoes are the forms in which a hostile server may quote a secret back:
// every form provider.Redact names (echoes_test.go holds it to that).
var echoes = map[string]func(string) string{
	"raw":                     func(s string) string { return s },
	"form-escaped":            url.QueryEscape,
	"form-escaped, lower hex": func(s string) string { return lowerHexEscapes(url.QueryEscape(s)) },
	"path-escaped":            url.PathEscape,
	"JSON-escaped":            func(s string) string { return jsonEscape(s, true) },
	"JSON without HTML":       func(s string) string { return jsonEscape(s, false) },
	"JSON with \\/":           func(s string) string { return strings.ReplaceAll(jsonEscape(s, false), "/", `\/`) },
	"JSON, non-ASCII as \\u":  jsonASCII,
	"JSON as PHP writes it":   func(s string) string { return strings.ReplaceAll(jsonASCII(s), "/", `\/`) },
	"JSON, \\u in upper case": func(s string) string { return upperUnicodeEscapes(jsonASCII(s)) },
	"XML-escaped":             func(s string) string { var b strings.Builder; _ = xml.EscapeText(&b, []byte(s)); return b.String() },
	"HTML-escaped":            html.EscapeString,
	"HTML, named entities":    namedEntities.Replace,
	"base64":                  func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	"base64, unpadded":        func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) },
	"base64url":               func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) },
	"base64url, unpadded":     func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) },
}

// jsonEscape returns s as the inside of a JSON string, as encoding/json
// writes it with or without HTML escaping.
func jsonEscape(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	out := strings.TrimSpace(b.String())
	return out[1 : len(out)-1]
}

// upperUnicodeEscapes writes the hex digits of s's \u escapes in upper
// case, as Java's JSON encoders do.
func upperUnicodeEscapes(s string) string {
	return unicodeEscape.ReplaceAllStringFunc(s, func(e string) string { return `\u` + strings.ToUpper(e[2:]) })
}

var unicodeEscape = regexp.MustCompile(`\\u[0-9a-f]{4}`)

// jsonASCII returns s as the inside of a JSON string with every
// character outside ASCII as a \u escape (a surrogate pair beyond the
// BMP), in lower-case hex, as PHP's json_encode writes it when told to
// leave '/' alone (JSON_UNESCAPED_SLASHES).
func jsonASCII(s string) string {
	var b strings.Builder
	for _, r := range jsonEscape(s, false) {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// lowerHexEscapes writes s's %XX escapes with lower-case hex digits.
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

// namedEntities escapes as HTML does with named entities only.
var namedEntities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// testHostileEchoes: a server that quotes the secret it was sent, in any
// form, in its refusal or in a malformed answer, never gets it into an
// error or a log line.
func testHostileEchoes(t *testing.T, f *fixture) {
	ctx, a, srv := context.Background(), f.Authenticator, f.Server
	for name, encode := range echoes {
		srv.EchoNext(1, encode)
		_, err := a.Login(ctx)
		checkNoSecret(t, "the error after a "+name+" echo", fmt.Sprintf("%v|%+v|%q", err, err, err), f.Secrets)
		requireError(t, err, auth.ErrInvalidCredentials)
	}
	srv.MalformedNext(SuiteRetry.MaxAttempts)
	_, err := a.Login(ctx)
	checkNoSecret(t, "the error after a malformed answer", fmt.Sprintf("%v|%+v", err, err), f.Secrets)
	requireError(t, err, auth.ErrUnavailable)
	checkNoSecret(t, "the log", f.logs.String(), f.Secrets)
}
