package authtest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
)

// hookLog records what the suite's auth.Hooks were told.
type hookLog struct {
	mu     sync.Mutex
	counts map[string]int
	texts  []string // every event printed, to look for secrets
}

func (l *hookLog) add(event string, info any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	l.counts[event]++
	l.texts = append(l.texts, fmt.Sprintf("%s %+v", event, info))
}

func (l *hookLog) count(event string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[event]
}

func (l *hookLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.texts, "\n")
}

// hooks returns auth.Hooks that record every event.
func (l *hookLog) hooks() *auth.Hooks {
	return &auth.Hooks{
		LoginStart: func(ctx context.Context, i auth.LoginStartInfo) context.Context {
			l.add("login start "+string(i.Reason), i)
			return ctx
		},
		LoginDone: func(_ context.Context, i auth.LoginDoneInfo) {
			outcome := "ok"
			if i.Outcome != nil {
				outcome = i.Outcome.Error()
			}
			l.add("login done "+string(i.Reason)+" "+outcome, i)
			if i.Renewed {
				l.add("renewed", i)
			}
		},
		LogoutDone:     func(_ context.Context, i auth.LogoutDoneInfo) { l.add("logout "+string(i.Reason), i) },
		SessionRefused: func(_ context.Context, i auth.SessionRefusedInfo) { l.add(fmt.Sprintf("refused lost=%v", i.Lost), i) },
		Retry:          func(_ context.Context, i auth.RetryInfo) { l.add("retry "+i.Op, i) },
		BudgetSpent:    func(_ context.Context, i auth.BudgetSpentInfo) { l.add("budget spent", i) },
		SessionShared:  func(_ context.Context, i auth.SessionSharedInfo) { l.add("shared", i) },
		LeaseWait:      func(_ context.Context, i auth.LeaseWaitInfo) { l.add("lease wait", i) },
		LeaseTakeover:  func(_ context.Context, i auth.LeaseTakeoverInfo) { l.add("takeover", i) },
		StoreFallback:  func(_ context.Context, i auth.StoreFallbackInfo) { l.add("store fallback", i) },
	}
}

// testHooks: every event fires the expected number of times through a
// lifecycle, a re-login, a retry and a refusal, and none names the account
// in clear or carries a secret.
func testHooks(t *testing.T, f *fixture) {
	ctx, a, srv, h := context.Background(), f.Authenticator, f.Server, f.hooks
	want := func(event string, n int) {
		t.Helper()
		if got := h.count(event); got != n {
			t.Fatalf("hook event %q fired %d times, want %d", event, got, n)
		}
	}
	s, err := a.Session(ctx)
	requireNoError(t, err, "Session")
	want("login start first", 1)
	want("login done first ok", 1)

	srv.FailNext(SuiteRetry.MaxAttempts-1, http.StatusServiceUnavailable)
	_, err = a.Login(ctx)
	requireNoError(t, err, "Login through 503s")
	want("login start explicit", 1)
	want("login done explicit ok", 1)
	want("retry login", SuiteRetry.MaxAttempts-1)
	if !s.Stateless() && h.count("logout replaced")+h.count("renewed") != 1 {
		t.Fatalf("a replaced session was neither logged out nor renewed in place (hooks: %d logouts, %d renewals)",
			h.count("logout replaced"), h.count("renewed"))
	}

	srv.RejectCredentials(true)
	_, err = a.Login(ctx)
	requireError(t, err, auth.ErrInvalidCredentials)
	want("login done explicit "+auth.ErrInvalidCredentials.Error(), 1)
	srv.RejectCredentials(false)

	if c := newClient(t, f); c != nil && !s.Stateless() {
		requireNoError(t, callAPI(t, f, c), "API call")
		srv.ForgetSessions()
		requireNoError(t, callAPI(t, f, c), "API call after the vendor forgot the session")
		want("refused lost=true", 1)
		want("login done refused ok", 1)
	}
	requireNoError(t, a.Logout(ctx), "Logout")
	if !s.Stateless() {
		want("logout explicit", 1)
	}

	text := h.text()
	if u := f.Config.Credentials.Username; u != "" && strings.Contains(text, u) {
		t.Error("a hook event names the account's username in clear")
	}
	checkNoSecret(t, "the hook events", text, f.Secrets)
	checkNoSecret(t, "the hook events", text, []auth.Secret{s.ID})
}
