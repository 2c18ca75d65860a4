package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
)

// usageError is a mistake on the command line (exit status 2). Its text is
// the mistake alone: the "demo:" prefix and the hint are added once, where
// the error is reported.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef makes a usageError; format may wrap an error with %w.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// isUsage reports whether err is a mistake on the command line.
func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

// helpHint ends every error message.
const helpHint = "Run demo -h for help."

// report writes err to w as one "demo: ..." line (errors.Join's lines
// joined), then a line with what to try, ending with helpHint. Errors from
// pbxauth carry no secret, and nothing here adds one.
func report(w io.Writer, err error) {
	fmt.Fprintf(w, "demo: %s\n", oneLine(err))
	if h := hint(err); h != "" {
		fmt.Fprintf(w, "%s %s\n", h, helpHint)
		return
	}
	fmt.Fprintln(w, helpHint)
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// hint says what may fix err, when the error's kind says enough; "" when
// it does not.
func hint(err error) string {
	var (
		hinted    *hintedError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
	)
	switch {
	case isUsage(err):
		return ""
	case errors.As(err, &hinted):
		return hinted.hint
	case errors.As(err, &unknownCA):
		return "If the PBX's certificate comes from a private CA, give that CA's certificate (PEM) with -ca-file."
	case errors.As(err, &hostErr):
		return "The certificate does not name the host in -endpoint: use the name it was issued for."
	case errors.Is(err, auth.ErrInvalidCredentials):
		return "Check -username and the password or API key in the environment."
	case errors.Is(err, auth.ErrUnavailable):
		return "Check -endpoint and the network, or try again later."
	case errors.Is(err, auth.ErrProtocol):
		return "Check that -endpoint is the provider's API URL (see -endpoint in the help)."
	case errors.Is(err, context.DeadlineExceeded):
		return "The run took longer than -timeout."
	}
	return ""
}

// hintedError is a failure that knows what may fix it.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }

// withHint gives err a hint of what may fix it.
func withHint(err error, hint string) error { return &hintedError{err, hint} }
