package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/pbxauth/pbxauth/auth"
)

// sessionSeen, when set (by tests), is shown every session the demo holds.
var sessionSeen func(*auth.Session)

func seen(s *auth.Session) {
	if sessionSeen != nil && s != nil {
		sessionSeen(s)
	}
}

// target is one authenticator the demo walks through its steps.
type target struct {
	name    string
	auth    auth.Authenticator
	counter *countingTransport // under auth's and the client's requests
	client  *http.Client       // auth.NewClient over counter; nil: no API call
	// apiRequest builds a call to the vendor's other API, described by
	// callName; nil when there is none to make (real mode without -call).
	apiRequest func(ctx context.Context) (*http.Request, error)
	callName   string
	// forget makes the server drop every session; nil in real mode.
	forget func()
}

// walk runs the steps and returns those that ran, with the error that
// stopped them, if any.
func (t *target) walk(ctx context.Context) ([]step, error) {
	walked := &stepLog{provider: t.name, requests: t.counter.Count}
	measure := walked.measure
	var first *auth.Session
	err := measure("login", func() (string, error) {
		s, err := t.auth.Login(ctx)
		if err != nil {
			return "", err
		}
		first = s
		seen(s)
		return describe(s), nil
	})
	if err != nil {
		return walked.steps, err
	}
	err = measure("session (from the cache)", func() (string, error) {
		s, err := t.auth.Session(ctx)
		if err != nil {
			return "", err
		}
		if s != first {
			seen(s)
			return "a new session", nil
		}
		return "the same session, no request", nil
	})
	if err != nil {
		return walked.steps, err
	}
	if t.apiRequest != nil {
		err := measure("authenticated API call", func() (string, error) {
			r, err := t.call(ctx)
			return r.String(), err
		})
		if err != nil {
			return walked.steps, err
		}
	}
	if t.apiRequest != nil && t.forget != nil {
		_ = measure("server forgets every session", func() (string, error) {
			t.forget()
			return "as if the session had expired", nil
		})
		err := measure("API call after the server forgot", func() (string, error) {
			r, err := t.call(ctx)
			if err != nil {
				return "", err
			}
			if s, err := t.auth.Session(ctx); err == nil && s != first {
				seen(s)
				return r.String() + "; the client logged in again by itself", nil
			}
			return r.String() + "; nothing to recover", nil
		})
		if err != nil {
			return walked.steps, err
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
	return walked.steps, err
}

// callResult is what the demo prints of an API call: never its body,
// which may hold the account's data.
type callResult struct {
	method, name string
	status       int
	size         int64
}

func (r callResult) String() string {
	if r.method == "" {
		return ""
	}
	return fmt.Sprintf("%s %s: HTTP %d, %d bytes", r.method, r.name, r.status, r.size)
}

// call makes one authenticated API call through the client and reads the
// answer to its end, counting its bytes.
func (t *target) call(ctx context.Context) (callResult, error) {
	req, err := t.apiRequest(ctx)
	if err != nil {
		return callResult{}, err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return callResult{}, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return callResult{}, fmt.Errorf("%s %s: reading the answer: %w", req.Method, t.callName, err)
	}
	return callResult{method: req.Method, name: t.callName, status: resp.StatusCode, size: n}, nil
}

// describe says who signed in; the session ID prints redacted.
func describe(s *auth.Session) string {
	id := fmt.Sprintf("session %v", s.ID)
	if s.Stateless() {
		id = "stateless (API key)"
	}
	return fmt.Sprintf("user %s (%s) roles %v, %s", s.UserID, s.Username, s.Roles, id)
}
