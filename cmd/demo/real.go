package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/onsip"
)

// runReal signs in to the PBX the flags name: login, cached session, logout.
func runReal(ctx context.Context, o options, stdin io.Reader, stderr io.Writer, getenv func(string) string,
	out *printer, logger *slog.Logger) error {
	env, what := passwordEnv, "password"
	if o.apiKey {
		env, what = apiKeyEnv, "API key"
	}
	secret, err := readSecret(getenv(env), what, stdin, stderr)
	if err != nil {
		return err
	}
	counter := &countingTransport{next: http.DefaultTransport}
	cfg := auth.Config{Endpoint: o.endpoint, HTTPClient: &http.Client{Transport: counter}, Logger: logger}
	cfg.Credentials.Username = o.username
	if o.apiKey {
		cfg.Credentials.APIKey = secret
	} else {
		cfg.Credentials.Password = secret
	}
	var a auth.Authenticator
	switch o.provider {
	case onsip.Name:
		a, err = onsip.New(cfg)
	default:
		var opts []ipcortex.Option
		if o.keyInHeader {
			opts = append(opts, ipcortex.KeyInHeader())
		}
		a, err = ipcortex.New(cfg, opts...)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	t := &target{name: o.provider, auth: a, counter: counter}
	steps, err := t.walk(ctx)
	out.steps(steps)
	return err
}

// readSecret returns fromEnv when set, else reads a line typed at the
// terminal without echo. Without a terminal it refuses, rather than read a
// secret that echoes.
func readSecret(fromEnv, what string, stdin io.Reader, stderr io.Writer) (auth.Secret, error) {
	if fromEnv != "" {
		return auth.Secret(fromEnv), nil
	}
	f, ok := stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return "", fmt.Errorf("%w: no %s: set it in the environment (see -h) or run in a terminal", errUsage, what)
	}
	fmt.Fprintf(stderr, "%s: ", what)
	restore, err := disableEcho(f)
	if err != nil {
		return "", fmt.Errorf("%w: cannot turn off echo to read the %s: %v", errUsage, what, err)
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	restore()
	fmt.Fprintln(stderr)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if line = strings.TrimRight(line, "\r\n"); line == "" {
		return "", fmt.Errorf("%w: empty %s", errUsage, what)
	}
	return auth.Secret(line), nil
}
