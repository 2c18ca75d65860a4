package authtest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

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

	secrets := make([]string, 0, len(f.Secrets)+len(sessions))
	for _, s := range f.Secrets {
		secrets = append(secrets, s.Reveal())
	}
	for _, s := range sessions {
		secrets = append(secrets, s.ID.Reveal())
	}
	if len(secrets) == 0 || secrets[0] == "" {
		t.Fatal("Fixture.Secrets is empty: the suite cannot check for leaks")
	}
	for i, text := range texts {
		checkNoSecret(t, fmt.Sprintf("text #%d", i), text, secrets)
	}
}
