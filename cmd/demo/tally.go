package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/pbxauth/pbxauth/auth"
)

// tally counts what auth.Hooks report during the run, one row per
// provider (or per provider's fleet of replicas), for -metrics. It is the
// demo's own use of the hooks, with no OpenTelemetry in between. Safe for
// concurrent use: hooks fire on the goroutines doing the work.
type tally struct {
	mu    sync.Mutex
	byRow map[string]*hookCounts
	order []string // rows in the order they were first asked for
}

func newTally() *tally { return &tally{byRow: map[string]*hookCounts{}} }

// hookCounts is one row of the table: what the hooks of the authenticators
// behind it counted. Each breakdown's keys say what was counted.
type hookCounts struct {
	Kind        string    `json:"kind"` // "hooks"
	Provider    string    `json:"provider"`
	Logins      breakdown `json:"logins"`   // LoginDone, by reason, and outcome when it failed
	Refusals    breakdown `json:"refusals"` // SessionRefused: the session lost, or the call's own refusal
	Retries     breakdown `json:"retries"`  // Retry, by operation and HTTP status or error kind
	Logouts     breakdown `json:"logouts"`  // LogoutDone, by reason, and outcome when it failed
	BudgetSpent int64     `json:"budget_spent"`
	Store       breakdown `json:"store"` // SessionShared, LeaseWait, LeaseTakeover, StoreFallback
}

// breakdown counts events by what they were.
type breakdown map[string]int64

// String returns the total, then each kind in order: "2 (explicit 1,
// refused 1)"; "0" for none.
func (b breakdown) String() string {
	var total int64
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(b)) {
		total += b[k]
		parts = append(parts, fmt.Sprintf("%s %d", k, b[k]))
	}
	if total == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}

// hooks returns the auth.Hooks that count into row.
func (t *tally) hooks(row string) *auth.Hooks {
	t.mu.Lock()
	if _, ok := t.byRow[row]; !ok {
		t.byRow[row] = &hookCounts{Kind: "hooks", Provider: row, Logins: breakdown{}, Refusals: breakdown{},
			Retries: breakdown{}, Logouts: breakdown{}, Store: breakdown{}}
		t.order = append(t.order, row)
	}
	t.mu.Unlock()
	add := func(f func(*hookCounts)) {
		t.mu.Lock()
		defer t.mu.Unlock()
		f(t.byRow[row])
	}
	return &auth.Hooks{
		LoginDone: func(_ context.Context, i auth.LoginDoneInfo) {
			add(func(c *hookCounts) { c.Logins[withOutcome(string(i.Reason), i.Outcome)]++ })
		},
		LogoutDone: func(_ context.Context, i auth.LogoutDoneInfo) {
			add(func(c *hookCounts) { c.Logouts[withOutcome(string(i.Reason), i.Outcome)]++ })
		},
		SessionRefused: func(_ context.Context, i auth.SessionRefusedInfo) {
			kind := "lost"
			if !i.Lost {
				kind = "the call's own"
			}
			add(func(c *hookCounts) { c.Refusals[kind]++ })
		},
		Retry: func(_ context.Context, i auth.RetryInfo) {
			cause := i.ErrorKind
			if i.StatusCode != 0 {
				cause = fmt.Sprintf("HTTP %d", i.StatusCode)
			}
			add(func(c *hookCounts) { c.Retries[i.Op+" "+cause]++ })
		},
		BudgetSpent: func(context.Context, auth.BudgetSpentInfo) {
			add(func(c *hookCounts) { c.BudgetSpent++ })
		},
		SessionShared: func(context.Context, auth.SessionSharedInfo) {
			add(func(c *hookCounts) { c.Store["shared"]++ })
		},
		LeaseWait: func(_ context.Context, i auth.LeaseWaitInfo) {
			add(func(c *hookCounts) { c.Store["waited then "+string(i.Outcome)]++ })
		},
		LeaseTakeover: func(context.Context, auth.LeaseTakeoverInfo) {
			add(func(c *hookCounts) { c.Store["takeover"]++ })
		},
		StoreFallback: func(_ context.Context, i auth.StoreFallbackInfo) {
			add(func(c *hookCounts) { c.Store["fallback on "+string(i.Op)]++ })
		},
	}
}

// withOutcome names an event by its reason, and by its outcome when it
// failed: "explicit", "explicit failed: invalid credentials".
func withOutcome(reason string, outcome error) string {
	if outcome == nil {
		return reason
	}
	return reason + " failed: " + outcome.Error()
}

// rows returns a copy of the counts, in the order the rows were made.
func (t *tally) rows() []hookCounts {
	t.mu.Lock()
	defer t.mu.Unlock()
	rows := make([]hookCounts, 0, len(t.order))
	for _, name := range t.order {
		c := *t.byRow[name]
		c.Logins, c.Refusals, c.Retries = maps.Clone(c.Logins), maps.Clone(c.Refusals), maps.Clone(c.Retries)
		c.Logouts, c.Store = maps.Clone(c.Logouts), maps.Clone(c.Store)
		rows = append(rows, c)
	}
	return rows
}
