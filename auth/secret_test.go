package auth_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pbxauth/pbxauth/auth"
)

const password = "hunter2-but-longer"

func TestSecretNeverPrints(t *testing.T) {
	s := auth.Secret(password)
	creds := auth.Credentials{Username: "u", Password: s, APIKey: s}
	sess := &auth.Session{Provider: "p", ID: s}
	var texts []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-10v"} {
		texts = append(texts, fmt.Sprintf(verb, s), fmt.Sprintf(verb, creds), fmt.Sprintf(verb, sess), fmt.Sprintf(verb, &creds))
	}
	texts = append(texts, s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintln(creds))
	for _, v := range []any{s, creds, sess} {
		b, err := json.Marshal(v)
		assert.NoError(t, err)
		texts = append(texts, string(b))
	}
	type doc struct{ P auth.Secret }
	b, err := xml.Marshal(doc{s})
	assert.NoError(t, err)
	texts = append(texts, string(b))
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(h).Info("x", "secret", s, "creds", creds, "session", sess, "value", *sess)
	}
	texts = append(texts, logs.String())
	for i, text := range texts {
		if strings.Contains(text, password) {
			t.Errorf("text #%d holds the secret", i)
		}
		if !strings.Contains(text, auth.Redacted) {
			t.Errorf("text #%d does not show %s", i, auth.Redacted)
		}
	}
	assert.Equal(t, password, s.Reveal())
}

func TestEmptySecretPrintsNothing(t *testing.T) {
	var s auth.Secret
	assert.Equal(t, "", s.String())
	assert.Equal(t, "", fmt.Sprintf("%v", s))
	b, _ := json.Marshal(s)
	assert.Equal(t, `""`, string(b))
}
