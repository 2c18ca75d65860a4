package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// sessionSeen, when set (by tests), is shown every session the demo opens.
var sessionSeen func(*auth.Session)

// target is one authenticator the demo walks through its steps.
type target struct {
	name    string
	auth    auth.Authenticator
	counter *countingTransport // under auth's and the client's requests
	client  *http.Client       // auth.NewClient over counter; nil: no API to call
	// apiRequest builds a call to the vendor's other API; nil in real mode,
	// where the demo does not know which calls the account may make.
	apiRequest func(ctx context.Context) (*http.Request, error)
	// forget makes the server drop every session; nil in real mode.
	forget func()
}

// walk runs the steps and returns those that ran, with the error that
// stopped them, if any.
func (t *target) walk(ctx context.Context) ([]step, error) {
	var steps []step
	measure := func(name string, f func() (string, error)) error {
		before, start := t.counter.Count(), time.Now()
		detail, err := f()
		steps = append(steps, step{Provider: t.name, Step: name, Took: time.Since(start),
			Requests: t.counter.Count() - before, Detail: detail})
		return err
	}
	var first *auth.Session
	err := measure("login", func() (string, error) {
		s, err := t.auth.Login(ctx)
		if err != nil {
			return "", err
		}
		first = s
		if sessionSeen != nil {
			sessionSeen(s)
		}
		return describe(s), nil
	})
	if err != nil {
		return steps, err
	}
	err = measure("session (from the cache)", func() (string, error) {
		s, err := t.auth.Session(ctx)
		if err != nil {
			return "", err
		}
		if s != first {
			return "a new session", nil
		}
		return "the same session, no request", nil
	})
	if err != nil {
		return steps, err
	}
	if t.apiRequest != nil {
		if err := measure("authenticated API call", t.call(ctx)); err != nil {
			return steps, err
		}
		_ = measure("server forgets every session", func() (string, error) {
			t.forget()
			return "as if the session had expired", nil
		})
		call := t.call(ctx)
		err := measure("API call after the server forgot", func() (string, error) {
			detail, err := call()
			if err != nil {
				return "", err
			}
			if s, err := t.auth.Session(ctx); err == nil && s != first {
				return detail + "; the client logged in again by itself", nil
			}
			return detail + "; nothing to recover", nil
		})
		if err != nil {
			return steps, err
		}
	}
	err = measure("logout", func() (string, error) {
		if err := t.auth.Logout(ctx); err != nil {
			return "", err
		}
		if first.Stateless() {
			return "stateless API key: nothing to end", nil
		}
		return "session ended at the provider", nil
	})
	return steps, err
}

// call makes one authenticated API call through the client.
func (t *target) call(ctx context.Context) func() (string, error) {
	return func() (string, error) {
		req, err := t.apiRequest(ctx)
		if err != nil {
			return "", err
		}
		resp, err := t.client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		n, _ := io.Copy(io.Discard, resp.Body)
		return fmt.Sprintf("%s %s: HTTP %d, %d bytes", req.Method, req.URL.Path, resp.StatusCode, n), nil
	}
}

// describe says who signed in; the session ID prints redacted.
func describe(s *auth.Session) string {
	id := fmt.Sprintf("session %v", s.ID)
	if s.Stateless() {
		id = "stateless (API key)"
	}
	return fmt.Sprintf("user %s (%s) roles %v, %s", s.UserID, s.Username, s.Roles, id)
}
