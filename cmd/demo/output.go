package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// step is one line of the demo's report.
type step struct {
	Kind     string        `json:"kind"` // "step"
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
