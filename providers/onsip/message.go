package onsip

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/pbxauth/pbxauth/auth"
)

// maxMessage bounds the text of the answer an error carries: enough for
// any real message, too little for a server to fill logs with.
const maxMessage = 256

// clean makes text from an answer fit for an error: white space runs become
// one space, every secret is removed, and the result is cut to maxMessage
// bytes. Each secret is removed as it is, with its white space collapsed as
// the text's was, and form-encoded as the provider sent it, since a server
// may quote the raw request body.
func clean(text string, secrets ...auth.Secret) string {
	text = strings.Join(strings.Fields(text), " ")
	for _, s := range secrets {
		v := s.Reveal()
		text = auth.Redact(text, s, auth.Secret(strings.Join(strings.Fields(v), " ")), auth.Secret(url.QueryEscape(v)))
	}
	if len(text) <= maxMessage {
		return text
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}
