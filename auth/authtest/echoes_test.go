package authtest

import (
	"strings"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// hardSecrets are secrets whose forms differ from one another: HTML's and
// XML's special characters, '/', '+', white space, letters outside ASCII
// and beyond the BMP.
var hardSecrets = []string{`p<a>ss "w&rd"/ é`, "Zm9v+/=", "line\nbreak\ttab", "日本語パス🔑", "correct horse battery staple"}

// Every echo the suite sends is one provider.Contains finds: the suite
// tests a provider against the forms the redactor claims, and a server
// quoting a secret in any of them is caught.
func TestEchoesAreRedacted(t *testing.T) {
	for i, secret := range hardSecrets {
		for name, encode := range echoes {
			text := "the server said: " + encode(secret) + " (echo)"
			if !provider.Contains(text, auth.Secret(secret)) {
				t.Errorf("the %s echo of secret #%d is not redacted", name, i)
			}
		}
	}
}

// The echoes are distinct forms: each one tests something the others do
// not, for some secret.
func TestEchoesDiffer(t *testing.T) {
	seen := map[string]string{}
	for name, encode := range echoes {
		var forms strings.Builder
		for _, secret := range hardSecrets {
			forms.WriteString(encode(secret) + "\x00")
		}
		if other, ok := seen[forms.String()]; ok {
			t.Errorf("the %s and %s echoes are the same forms", name, other)
		}
		seen[forms.String()] = name
	}
}
