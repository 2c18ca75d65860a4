package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// rowsByProvider indexes a JSON run's hook rows.
func rowsByProvider(rep jsonReport) map[string]hookCounts {
	rows := map[string]hookCounts{}
	for _, r := range rep.hooks {
		rows[r.Provider] = r
	}
	return rows
}

func TestMetricsCountTheBuiltinRun(t *testing.T) {
	r := runDemo(t, []string{"-json", "-metrics"}, noEnv)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	rows := rowsByProvider(decode(t, r.stdout))
	walked := hookCounts{Kind: "hooks", Logins: breakdown{"explicit": 1, "refused": 1}, Refusals: breakdown{"lost": 1},
		Retries: breakdown{}, Logouts: breakdown{"explicit": 1}, Store: breakdown{}}
	for _, p := range []string{"onsip", "ipcortex"} {
		want := walked
		want.Provider = p
		assert.Equal(t, want, rows[p])
	}
	assert.Equal(t, hookCounts{Kind: "hooks", Provider: "ipcortex (API key)", Logins: breakdown{"explicit": 1},
		Refusals: breakdown{}, Retries: breakdown{}, Logouts: breakdown{}, Store: breakdown{}}, rows["ipcortex (API key)"],
		"an API key is never refused and has nothing to log out")
	for _, p := range []string{"onsip, 3 replicas", "ipcortex, 3 replicas"} {
		row := rows[p]
		assert.Equal(t, breakdown{"first": 1, "refused": 1}, row.Logins, p)
		assert.Equal(t, breakdown{"lost": 3}, row.Refusals, "%s: each replica saw its session refused", p)
		assert.Equal(t, breakdown{"explicit": 1}, row.Logouts, p)
		assert.Equal(t, int64(4), row.Store["shared"], "%s: two replicas took the session at the start, two after the re-login", p)
		assert.Empty(t, row.Retries, p)
		assert.Zero(t, row.BudgetSpent, p)
	}
}

func TestMetricsTable(t *testing.T) {
	r := runDemo(t, []string{"-metrics"}, noEnv)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	_, table, ok := strings.Cut(r.stdout, "What auth.Hooks counted during the run:\n")
	require.True(t, ok, r.stdout)
	lines := strings.Split(strings.TrimSpace(table), "\n")
	require.Len(t, lines, 6, table)
	assert.Regexp(t, `^provider +logins +refusals +retries +logouts +budget spent +store events$`, lines[0])
	assert.Regexp(t, `^onsip +2 \(explicit 1, refused 1\) +1 \(lost 1\) +0 +1 \(explicit 1\) +0 +0$`, lines[1])
	assert.Regexp(t, `^ipcortex \(API key\) +1 \(explicit 1\) +0 +0 +0 +0 +0$`, lines[3])
	assert.Regexp(t, `^onsip, 3 replicas +2 \(first 1, refused 1\) +3 \(lost 3\) +0 +1 \(explicit 1\) +0 +[0-9]+ \(.*shared 4.*\)$`, lines[4])
}

// A retry and a failed login, counted in real mode.
func TestMetricsCountRetriesAndFailures(t *testing.T) {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "u@example.onsip.com", Password: testPassword})
	srv.FailNext(1, http.StatusServiceUnavailable)
	args := []string{"-provider", "onsip", "-endpoint", srv.URL, "-username", "u@example.onsip.com", "-call", "UserRead", "-json", "-metrics"}
	r := runDemo(t, args, testEnv)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	assert.Equal(t, hookCounts{Kind: "hooks", Provider: "onsip", Logins: breakdown{"explicit": 1}, Refusals: breakdown{},
		Retries: breakdown{"login HTTP 503": 1}, Logouts: breakdown{"explicit": 1}, Store: breakdown{}},
		rowsByProvider(decode(t, r.stdout))["onsip"])

	r = runDemo(t, args, envOf(map[string]string{passwordEnv: "wrong-password"}), testPassword)
	require.Equal(t, exitFailed, r.code)
	assert.Equal(t, breakdown{"explicit failed: invalid credentials": 1}, rowsByProvider(decode(t, r.stdout))["onsip"].Logins)
}
