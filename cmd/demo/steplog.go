package main

import "time"

// stepLog keeps the steps of one walk as they run, each with what it
// cost: its time, and the requests that reached the wire meanwhile.
type stepLog struct {
	section, provider string
	requests          func() int64 // the requests sent so far
	steps             []step
}

// measure runs f as the step name, keeps the step with the detail f
// returns, and returns f's error.
func (l *stepLog) measure(name string, f func() (string, error)) error {
	before, start := l.requests(), time.Now()
	detail, err := f()
	l.steps = append(l.steps, step{Section: l.section, Provider: l.provider, Step: name, Took: time.Since(start),
		Requests: l.requests() - before, Detail: detail})
	return err
}
