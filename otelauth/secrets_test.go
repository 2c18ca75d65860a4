package otelauth_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/otelauth"
)

// randomText returns n random bytes as hex: a value no test could hit by
// chance.
func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}

// tenant is an account whose username, password and session ID are random
// strings known to the test, with characters that every encoding changes.
type tenant struct {
	username string
	password auth.Secret
	session  *auth.Session
	account  string // the account key, as the core derives it
}

func newTenant(provider, endpoint string) tenant {
	username := "u" + randomText(6) + "+tag@" + randomText(3) + ".example.onsip.com"
	password := auth.Secret("p/" + randomText(10) + `&<"=>` + randomText(4))
	s := &auth.Session{Provider: provider, ID: auth.Secret(randomText(16)), UserID: "100001",
		Username: username, IssuedAt: time.Now()}
	key := sha256.Sum256([]byte(provider + "\x00" + endpoint + "\x00" + username))
	return tenant{username: username, password: password, session: s, account: hex.EncodeToString(key[:])}
}

// secrets is what must never be recorded, in the order failures name it.
func (tn tenant) secrets() []string {
	return []string{tn.username, tn.password.Reveal(), tn.session.ID.Reveal()}
}

// encodings are the forms a leaked value could take on its way into an
// attribute.
var encodings = []struct {
	name   string
	encode func(string) string
}{
	{"raw", func(s string) string { return s }},
	{"lower case", strings.ToLower},
	{"query-escaped", url.QueryEscape},
	{"path-escaped", url.PathEscape},
	{"HTML-escaped", html.EscapeString},
	{"JSON-escaped", func(s string) string {
		b, _ := json.Marshal(s) // a string always marshals
		return strings.Trim(string(b), `"`)
	}},
	{"base64", inBase64(base64.StdEncoding)},
	{"base64 unpadded", inBase64(base64.RawStdEncoding)},
	{"base64url", inBase64(base64.URLEncoding)},
	{"base64url unpadded", inBase64(base64.RawURLEncoding)},
	{"hex", func(s string) string { return hex.EncodeToString([]byte(s)) }},
	{"upper-case hex", func(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) }},
}

func inBase64(enc *base64.Encoding) func(string) string {
	return func(s string) string { return enc.EncodeToString([]byte(s)) }
}

// leaks returns where a secret shows in texts, naming the text, the
// secret's number and the encoding, never the secret.
func leaks(texts map[string]string, secrets []string) []string {
	var found []string
	for where, text := range texts {
		for i, s := range secrets {
			for _, enc := range encodings {
				if strings.Contains(text, enc.encode(s)) {
					found = append(found, fmt.Sprintf("%s holds secret #%d (%s)", where, i, enc.name))
				}
			}
		}
	}
	return found
}

// recorded returns every string the providers hold: metric and span names,
// descriptions, attribute keys and values, event names and attributes,
// span statuses, each named by where it is.
func (tel *telemetry) recorded(t *testing.T) map[string]string {
	t.Helper()
	texts := make(map[string]string)
	add := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			texts[where+" key "+string(kv.Key)] = string(kv.Key)
			texts[where+" attribute "+string(kv.Key)] = kv.Value.String()
		}
	}
	for name, m := range tel.metrics(t) {
		texts["metric "+name] = name + " " + m.Description + " " + m.Unit
		switch data := m.Data.(type) {
		case metricdata.Sum[int64]:
			for i, p := range data.DataPoints {
				add(fmt.Sprintf("metric %s point %d", name, i), p.Attributes.ToSlice())
			}
		case metricdata.Histogram[float64]:
			for i, p := range data.DataPoints {
				add(fmt.Sprintf("metric %s point %d", name, i), p.Attributes.ToSlice())
			}
		default:
			t.Fatalf("%s has data %T", name, m.Data)
		}
	}
	for i, s := range tel.spans.Ended() {
		where := fmt.Sprintf("span %d (%s)", i, s.Name())
		texts[where] = s.Name() + " " + s.Status().Description
		add(where, s.Attributes())
		for j, e := range s.Events() {
			texts[fmt.Sprintf("%s event %d", where, j)] = e.Name
			add(fmt.Sprintf("%s event %d (%s)", where, j, e.Name), e.Attributes)
		}
	}
	return texts
}

// driveWithTenant fires every hook for tn's account, with failures whose
// texts quote the username, the password and the session ID, as a
// vendor's echo or a store's error could.
func driveWithTenant(ctx context.Context, h *auth.Hooks, tn tenant) {
	const provider = "onsip"
	s := tn.session
	echo := fmt.Sprintf("Authentication failed for %s (password %s, session %s)",
		s.Username, tn.password.Reveal(), s.ID.Reveal())
	loginErr := &auth.Error{Provider: provider, Op: auth.OpLogin, StatusCode: 200, Code: s.Username,
		Message: echo, Err: auth.ErrInvalidCredentials}
	storeErr := fmt.Errorf("redis: EVALSHA pbxauth:{%s} %s: %w", s.Username, s.ID.Reveal(), context.DeadlineExceeded)

	for _, reason := range []auth.LoginReason{auth.LoginFirst, auth.LoginExpired, auth.LoginRefused, auth.LoginExplicit} {
		lctx := h.LoginStart(ctx, auth.LoginStartInfo{Provider: provider, Account: tn.account, Reason: reason})
		h.Retry(lctx, auth.RetryInfo{Provider: provider, Account: tn.account, Op: auth.OpLogin, Method: "POST",
			Attempt: 2, Wait: 3 * time.Millisecond, StatusCode: 503, Repeatable: true})
		h.Retry(lctx, auth.RetryInfo{Provider: provider, Account: tn.account, Op: auth.OpLogin, Method: "POST",
			Attempt: 3, Wait: 3 * time.Millisecond, ErrorKind: "connection refused"})
		h.BudgetSpent(lctx, auth.BudgetSpentInfo{Provider: provider, Account: tn.account, Op: auth.OpLogin,
			Origin: "https://api.onsip.com"})
		h.LeaseWait(lctx, auth.LeaseWaitInfo{Provider: provider, Account: tn.account, Waited: time.Second,
			Outcome: "store error"})
		h.LeaseTakeover(lctx, auth.LeaseTakeoverInfo{Provider: provider, Account: tn.account, Waited: time.Second})
		h.StoreFallback(lctx, auth.StoreFallbackInfo{Provider: provider, Account: tn.account, Op: "publish",
			Err: storeErr})
		h.LoginDone(lctx, auth.LoginDoneInfo{Provider: provider, Account: tn.account, Reason: reason,
			Outcome: auth.ErrInvalidCredentials, Err: loginErr, Duration: 20 * time.Millisecond})
	}
	h.SessionShared(ctx, auth.SessionSharedInfo{Provider: provider, Account: tn.account})
	h.SessionRefused(ctx, auth.SessionRefusedInfo{Provider: provider, Account: tn.account, Lost: true})
	h.LogoutDone(ctx, auth.LogoutDoneInfo{Provider: provider, Account: tn.account, Reason: auth.LogoutExplicit,
		Outcome: auth.ErrUnavailable, Err: &auth.Error{Provider: provider, Op: auth.OpLogout, StatusCode: 503,
			Message: echo, Err: auth.ErrUnavailable}, Duration: 5 * time.Millisecond})
}

func TestNoSecretOrUsernameRecorded(t *testing.T) {
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("account on metrics %v", on), func(t *testing.T) {
			tn := newTenant("onsip", "https://api.onsip.com/api")
			tel := newTelemetry(t, otelauth.WithAccountOnMetrics(on))
			ctx, caller := tel.caller()
			driveWithTenant(ctx, tel.hooks, tn)
			caller.End()

			texts := tel.recorded(t)
			for _, leak := range leaks(texts, tn.secrets()) {
				t.Error(leak)
			}
			if t.Failed() {
				t.FailNow() // what follows prints a recorded value when it fails
			}
			// The test saw what it had to: the account key on the spans,
			// and every event. Nothing here prints the texts or the spans.
			const accountOnSpan = "span 0 (pbxauth.login) attribute pbxauth.account"
			_, ok := texts[accountOnSpan]
			require.True(t, ok, accountOnSpan)
			require.Equal(t, tn.account, texts[accountOnSpan])
			require.Equal(t, 6, len(tel.spans.Ended()), "four logins, a logout and the caller")
			require.Equal(t, len(documented), len(tel.metrics(t)))
		})
	}
}

// TestLeakCheckFindsLeaks plants each secret, in each encoding, where the
// leak check looks: a check that cannot fail checks nothing.
func TestLeakCheckFindsLeaks(t *testing.T) {
	tn := newTenant("onsip", "https://api.onsip.com/api")
	for i, secret := range tn.secrets() {
		for _, enc := range encodings {
			texts := map[string]string{"planted": "before " + enc.encode(secret) + " after"}
			require.NotEmptyf(t, leaks(texts, tn.secrets()), "secret #%d, %s, not found", i, enc.name)
		}
	}
	require.Empty(t, leaks(map[string]string{"clean": tn.account}, tn.secrets()),
		"the account key is not a secret's encoding")
}
