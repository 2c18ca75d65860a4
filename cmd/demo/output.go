package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// step is one line of the demo's report.
type step struct {
	Provider string        `json:"provider"`
	Step     string        `json:"step"`
	Took     time.Duration `json:"-"`
	Millis   float64       `json:"ms"`
	Requests int64         `json:"requests"`
	Detail   string        `json:"detail,omitempty"`
}

// printer writes steps as aligned text or as JSON lines. Safe for
// concurrent use.
type printer struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

func newPrinter(w io.Writer, asJSON bool) *printer { return &printer{w: w, json: asJSON} }

// steps prints a provider's steps together, so the vendors' reports do not
// interleave.
func (p *printer) steps(steps []step) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range steps {
		s.Millis = float64(s.Took.Microseconds()) / 1000
		if p.json {
			b, _ := json.Marshal(s)
			fmt.Fprintf(p.w, "%s\n", b)
			continue
		}
		fmt.Fprintf(p.w, "%-18s %-32s %7.2f ms  %d req  %s\n", s.Provider, s.Step, s.Millis, s.Requests, s.Detail)
	}
	if !p.json {
		fmt.Fprintln(p.w)
	}
}

// failure reports the error that ended the demo. Errors from pbxauth carry
// no secret.
func (p *printer) failure(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		b, _ := json.Marshal(map[string]string{"error": err.Error()})
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	fmt.Fprintln(p.w, "error:", strings.ReplaceAll(err.Error(), "\n", "; "))
}
