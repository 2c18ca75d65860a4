package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/pbxauth/pbxauth/auth"
)

// fleetReplicas is how many replicas of one account the fleet section
// runs, as an application's replicas would, each with its own
// authenticator and one store between them.
const fleetReplicas = 3

// runFleets runs the fleet section: for OnSIP and IPCortex (password;
// an API key has no session to share), fleetReplicas authenticators of
// one account sharing store, against fresh test servers so the vendors'
// counts are the fleet's alone. It closes store.
func runFleets(ctx context.Context, store *sessionStore, out *printer, logger *slog.Logger, hooks *tally) error {
	out.note("Fleet: %d replicas per account in this process, each with its own authenticator, sharing one login through %s.",
		fleetReplicas, store.name)
	fakes, stop := startFakes(false)
	defer stop()
	fleets := make([]*fleet, len(fakes))
	for i, f := range fakes {
		var err error
		if fleets[i], err = newFleet(f, store, logger, hooks); err != nil {
			store.close(ctx)
			return err
		}
	}
	reports := make([][]step, len(fleets))
	results := make([]fleetResult, len(fleets))
	g, gctx := errgroup.WithContext(ctx)
	for i, fl := range fleets {
		g.Go(func() error {
			var err error
			reports[i], results[i], err = fl.walk(gctx)
			return err
		})
	}
	err := g.Wait()
	for _, r := range reports {
		out.steps(r)
	}
	if err == nil {
		out.fleet(results)
	}
	if cleaned := store.close(ctx); cleaned != "" {
		out.note("%s", cleaned)
	}
	if err != nil {
		return err
	}
	var wrong []error
	for _, r := range results {
		wrong = append(wrong, r.check())
	}
	return errors.Join(wrong...)
}

// fleet is one account's replicas.
type fleet struct {
	fake     *fake
	store    *sessionStore
	replicas []*replica
}

// replica is one of the fleet's authenticators, with what its own hooks
// saw: the logins it made and the sessions it took from the store.
type replica struct {
	*target
	n              int // 1-based, for the report
	logins, shared atomic.Int64
}

// newFleet makes fleetReplicas authenticators for f's account on store.
// Their hooks count into one row of the tally, and into each replica's
// own counters.
func newFleet(f *fake, store *sessionStore, logger *slog.Logger, hooks *tally) (*fleet, error) {
	fl := &fleet{fake: f, store: store}
	row := fmt.Sprintf("%s, %d replicas", f.name, fleetReplicas)
	for i := range fleetReplicas {
		r := &replica{n: i + 1}
		h := hooks.hooks(row)
		loginDone, shared := h.LoginDone, h.SessionShared
		h.LoginDone = func(ctx context.Context, info auth.LoginDoneInfo) {
			loginDone(ctx, info)
			if info.Outcome == nil {
				r.logins.Add(1)
			}
		}
		h.SessionShared = func(ctx context.Context, info auth.SessionSharedInfo) {
			shared(ctx, info)
			r.shared.Add(1)
		}
		t, err := f.target(auth.Config{Logger: logger.With("target", f.name, "replica", r.n), Hooks: h, Store: store})
		if err != nil {
			return nil, err
		}
		r.target = t
		fl.replicas = append(fl.replicas, r)
	}
	return fl, nil
}

// fleetResult is what the vendor saw of one account's fleet.
type fleetResult struct {
	Kind     string `json:"kind"` // "fleet"
	Provider string `json:"provider"`
	Store    string `json:"store"`
	Replicas int    `json:"replicas"`
	// StartLogins is the logins the vendor saw while every replica got a
	// session at once, from cold.
	StartLogins int `json:"logins_at_start"`
	// RecoveryLogins is the logins the vendor saw while every replica
	// made an API call after it had forgotten the session.
	RecoveryLogins int `json:"logins_to_recover"`
}

func (r fleetResult) String() string {
	return fmt.Sprintf("%s: the vendor saw %s for %d replicas, and %s for all of them once it had forgotten the session.",
		r.Provider, plural(r.StartLogins, "login"), r.Replicas, plural(r.RecoveryLogins, "more login"))
}

// check fails unless the fleet logged in once at the start and once to
// recover: the promise the section shows.
func (r fleetResult) check() error {
	if r.StartLogins == 1 && r.RecoveryLogins == 1 {
		return nil
	}
	return fmt.Errorf("fleet: %s: the vendor saw %d and %d logins, want 1 and 1", r.Provider, r.StartLogins, r.RecoveryLogins)
}

// walk starts every replica at once, makes the vendor forget the session,
// has every replica call the API at once, and logs out through one.
func (fl *fleet) walk(ctx context.Context) ([]step, fleetResult, error) {
	res := fleetResult{Kind: "fleet", Provider: fl.fake.name, Store: fl.store.name, Replicas: len(fl.replicas)}
	walked := &stepLog{section: "fleet", provider: fl.fake.name, requests: fl.requests}
	measure := walked.measure
	var ids map[string]bool
	err := measure(fmt.Sprintf("%d replicas start at once", len(fl.replicas)), func() (string, error) {
		before := fl.snapshot()
		if err := fl.everyReplica(func(r *replica) error {
			_, err := r.auth.Session(ctx)
			return err
		}); err != nil {
			return "", err
		}
		res.StartLogins = fl.fake.logins()
		var err error
		if ids, err = fl.sessions(ctx); err != nil {
			return "", err
		}
		return fmt.Sprintf("vendor: %s, %s; %s; %s", plural(res.StartLogins, "login"), plural(fl.fake.live(), "live session"),
			fl.who(before), sameSession(ids, nil)), nil
	})
	if err != nil {
		return walked.steps, res, err
	}
	_ = measure("server forgets every session", func() (string, error) {
		fl.fake.forget()
		return fmt.Sprintf("as if it had expired; vendor: %s", plural(fl.fake.live(), "live session")), nil
	})
	err = measure(fmt.Sprintf("%d replicas call the API at once", len(fl.replicas)), func() (string, error) {
		before, loginsBefore := fl.snapshot(), fl.fake.logins()
		var (
			mu       sync.Mutex
			statuses = map[int]int{}
		)
		if err := fl.everyReplica(func(r *replica) error {
			answer, err := r.call(ctx)
			if err == nil {
				mu.Lock()
				statuses[answer.status]++
				mu.Unlock()
			}
			return err
		}); err != nil {
			return "", err
		}
		res.RecoveryLogins = fl.fake.logins() - loginsBefore
		now, err := fl.sessions(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s; vendor: %s (%d in all), %s; %s; %s", statusList(statuses),
			plural(res.RecoveryLogins, "more login"), fl.fake.logins(), plural(fl.fake.live(), "live session"),
			fl.who(before), sameSession(now, ids)), nil
	})
	if err != nil {
		return walked.steps, res, err
	}
	err = measure("logout (replica 1)", func() (string, error) {
		if err := fl.replicas[0].auth.Logout(ctx); err != nil {
			return "", err
		}
		return fmt.Sprintf("vendor: %s; %s", plural(fl.fake.live(), "live session"), fl.stored(ctx)), nil
	})
	return walked.steps, res, err
}

// everyReplica runs f on every replica at once and returns the first
// error.
func (fl *fleet) everyReplica(f func(*replica) error) error {
	errs := make([]error, len(fl.replicas))
	var wg sync.WaitGroup
	for i, r := range fl.replicas {
		wg.Go(func() { errs[i] = f(r) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// requests is the requests every replica sent so far.
func (fl *fleet) requests() int64 {
	var n int64
	for _, r := range fl.replicas {
		n += r.counter.Count()
	}
	return n
}

// replicaCounts is a replica's hook counters at one moment.
type replicaCounts struct{ logins, shared int64 }

func (fl *fleet) snapshot() []replicaCounts {
	s := make([]replicaCounts, len(fl.replicas))
	for i, r := range fl.replicas {
		s[i] = replicaCounts{r.logins.Load(), r.shared.Load()}
	}
	return s
}

// who says, from the replicas' hooks, which replicas logged in since
// before and which took the session from the store.
func (fl *fleet) who(before []replicaCounts) string {
	var logged, shared []int
	for i, r := range fl.replicas {
		if r.logins.Load() > before[i].logins {
			logged = append(logged, r.n)
		}
		if r.shared.Load() > before[i].shared {
			shared = append(shared, r.n)
		}
	}
	var parts []string
	if len(logged) > 0 {
		parts = append(parts, replicaList(logged)+" logged in")
	}
	if len(shared) > 0 {
		parts = append(parts, replicaList(shared)+" took the session from the store")
	}
	if len(parts) == 0 {
		return "no replica logged in"
	}
	return strings.Join(parts, ", ")
}

// sessions returns the IDs of the sessions the replicas hold (served from
// their caches: no request). The IDs are compared, never printed.
func (fl *fleet) sessions(ctx context.Context) (map[string]bool, error) {
	ids := map[string]bool{}
	for _, r := range fl.replicas {
		s, err := r.auth.Session(ctx)
		if err != nil {
			return nil, err
		}
		seen(s)
		ids[s.ID.Reveal()] = true
	}
	return ids, nil
}

// stored says whether the store still holds a session for the account.
func (fl *fleet) stored(ctx context.Context) string {
	a, ok := fl.replicas[0].auth.(interface{ Account() string })
	if !ok {
		return "the store's record not checked"
	}
	r, err := fl.store.Load(ctx, a.Account())
	switch {
	case err != nil:
		return "the store could not be read: " + err.Error()
	case r != nil:
		return "the store still holds a session"
	}
	return "the store holds no session"
}

// sameSession says whether the replicas hold one session, and whether it
// is new (not among before).
func sameSession(ids, before map[string]bool) string {
	if len(ids) != 1 {
		return fmt.Sprintf("the replicas hold %d different sessions", len(ids))
	}
	for id := range ids {
		if before[id] {
			return "all hold the same session as before"
		}
	}
	if before != nil {
		return "all hold one new session"
	}
	return "all hold the same session"
}

// statusList says how the calls were answered: "HTTP 200 ×3".
func statusList(statuses map[int]int) string {
	var parts []string
	for _, status := range slices.Sorted(maps.Keys(statuses)) {
		parts = append(parts, fmt.Sprintf("HTTP %d ×%d", status, statuses[status]))
	}
	return strings.Join(parts, ", ")
}

// replicaList names replicas: "replica 2", "replicas 1, 3".
func replicaList(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	if len(ns) == 1 {
		return "replica " + s[0]
	}
	return "replicas " + strings.Join(s, ", ")
}

// plural says "1 login", "2 logins".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
