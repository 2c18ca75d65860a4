package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"text/tabwriter"
	"time"
)

// step is one line of the demo's report.
type step struct {
	Kind     string        `json:"kind"`              // "step"
	Section  string        `json:"section,omitempty"` // "" for an account's walk, "fleet" for the replicas
	Provider string        `json:"provider"`
	Step     string        `json:"step"`
	Took     time.Duration `json:"-"`
	Millis   float64       `json:"ms"`
	Requests int64         `json:"requests"`
	Detail   string        `json:"detail,omitempty"`
}

// printer writes the report as aligned text or as JSON lines, one object
// a line, each with a "kind". Safe for concurrent use.
type printer struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

func newPrinter(w io.Writer, asJSON bool) *printer { return &printer{w: w, json: asJSON} }

// writeJSON writes v as one line. Everything printed is the demo's own
// structs and strings, which marshal.
func (p *printer) writeJSON(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(p.w, "%s\n", b)
}

// steps prints one account's steps together, so the reports do not
// interleave.
func (p *printer) steps(steps []step) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range steps {
		s.Kind = "step"
		s.Millis = float64(s.Took.Microseconds()) / 1000
		if p.json {
			p.writeJSON(s)
			continue
		}
		fmt.Fprintf(p.w, "%-18s %-34s %8.2f ms %3d req  %s\n", s.Provider, s.Step, s.Millis, s.Requests, s.Detail)
	}
	if !p.json && len(steps) > 0 {
		fmt.Fprintln(p.w)
	}
}

// note is a line of prose: a section's heading, or what a section proved.
type note struct {
	Kind string `json:"kind"` // "note"
	Text string `json:"text"`
}

// note prints a line of prose.
func (p *printer) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	text := fmt.Sprintf(format, args...)
	if p.json {
		p.writeJSON(note{Kind: "note", Text: text})
		return
	}
	fmt.Fprintln(p.w, text)
}

// fleet prints what the vendors saw of the fleets.
func (p *printer) fleet(results []fleetResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range results {
		if p.json {
			p.writeJSON(r)
			continue
		}
		fmt.Fprintln(p.w, r.String())
	}
}

// metrics prints the hooks' counts as a table, one row per provider.
func (p *printer) metrics(rows []hookCounts) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		for _, r := range rows {
			p.writeJSON(r)
		}
		return
	}
	fmt.Fprintln(p.w, "\nWhat auth.Hooks counted during the run:")
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "provider\tlogins\trefusals\tretries\tlogouts\tbudget spent\tstore events")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Provider, r.Logins, r.Refusals, r.Retries, r.Logouts, r.BudgetSpent, r.Store)
	}
	tw.Flush()
}

// failure ends a JSON report with the error that ended the run; in text,
// the error goes to stderr only (see report). Errors from pbxauth carry no
// secret.
func (p *printer) failure(err error) {
	if !p.json {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writeJSON(struct {
		Kind  string `json:"kind"`
		Error string `json:"error"`
		Hint  string `json:"hint,omitempty"`
	}{"error", oneLine(err), hint(err)})
}
