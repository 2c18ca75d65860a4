package otelauth

import (
	"errors"

	"go.opentelemetry.io/otel/metric"
)

// The metrics, named after the semantic conventions' guidelines: a
// pbxauth namespace, durations in seconds, counts of discrete things as
// plural nouns with a UCUM annotation as unit.
const (
	metricLoginDuration   = "pbxauth.login.duration"
	metricLogins          = "pbxauth.logins"
	metricActiveLogins    = "pbxauth.active_logins"
	metricLogouts         = "pbxauth.logouts"
	metricRefusals        = "pbxauth.session.refusals"
	metricRetries         = "pbxauth.retries"
	metricBudgetExhausted = "pbxauth.retry.budget.exhaustions"
	metricSharedSessions  = "pbxauth.store.shared_sessions"
	metricLeaseWaits      = "pbxauth.store.lease.waits"
	metricLeaseWaitTime   = "pbxauth.store.lease.wait_time"
	metricLeaseTakeovers  = "pbxauth.store.lease.takeovers"
	metricStoreFallbacks  = "pbxauth.store.fallbacks"
)

// durationBounds are the histogram buckets of both durations, in seconds.
// A login over loopback takes well under 5 ms, one to a vendor across the
// internet 50 ms to 1 s, and retries with backoff stretch it to the login
// deadline (30 s by default), past which nothing is measured. A View can
// replace them.
var durationBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// instruments are the metrics' instruments.
type instruments struct {
	loginDuration   metric.Float64Histogram
	logins          metric.Int64Counter
	activeLogins    metric.Int64UpDownCounter
	logouts         metric.Int64Counter
	refusals        metric.Int64Counter
	retries         metric.Int64Counter
	budgetExhausted metric.Int64Counter
	sharedSessions  metric.Int64Counter
	leaseWaits      metric.Int64Counter
	leaseWaitTime   metric.Float64Histogram
	leaseTakeovers  metric.Int64Counter
	storeFallbacks  metric.Int64Counter
}

// newInstruments creates every instrument on m. The errors of all of them
// are returned together; the SDK returns a working instrument even with
// an error, but a caller told of one should not go on.
func newInstruments(m metric.Meter) (instruments, error) {
	var (
		in   instruments
		errs []error
	)
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	histogram := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(durationBounds...))
		errs = append(errs, err)
		return h
	}

	in.loginDuration = histogram(metricLoginDuration,
		"Duration of logins at the vendor, from start to success or failure.")
	in.logins = counter(metricLogins, "{login}",
		"Logins at the vendor that ended, by outcome.")
	active, err := m.Int64UpDownCounter(metricActiveLogins, metric.WithUnit("{login}"),
		metric.WithDescription("Logins at the vendor under way."))
	errs = append(errs, err)
	in.activeLogins = active
	in.logouts = counter(metricLogouts, "{logout}",
		"Logouts at the vendor that ended, by outcome: explicit ones and those of replaced sessions.")
	in.refusals = counter(metricRefusals, "{refusal}",
		"Sessions the vendor refused on a request through the authenticated client.")
	in.retries = counter(metricRetries, "{retry}",
		"Retries of requests to the vendor, counted before each retry.")
	in.budgetExhausted = counter(metricBudgetExhausted, "{exhaustion}",
		"Retries not made because the vendor origin's retry budget was spent.")
	in.sharedSessions = counter(metricSharedSessions, "{session}",
		"Sessions another replica published, taken from the session store instead of logging in.")
	in.leaseWaits = counter(metricLeaseWaits, "{wait}",
		"Waits for another replica's login to publish a session, by how they ended.")
	in.leaseWaitTime = histogram(metricLeaseWaitTime,
		"Time spent waiting for another replica's login, by how the wait ended.")
	in.leaseTakeovers = counter(metricLeaseTakeovers, "{takeover}",
		"Leases taken over from a replica whose login did not finish or renew its lease in time.")
	in.storeFallbacks = counter(metricStoreFallbacks, "{fallback}",
		"Session store failures after which this process signed in on its own.")
	return in, errors.Join(errs...)
}
