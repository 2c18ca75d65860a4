package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
)

// readSecret returns the environment variable env when set, else reads a
// line typed at the terminal without echo. Without a terminal it refuses,
// rather than read a secret that echoes. what names the secret.
func readSecret(getenv func(string) string, env, what string, stdin io.Reader, stderr io.Writer) (auth.Secret, error) {
	if v := getenv(env); v != "" {
		return auth.Secret(v), nil
	}
	f, ok := stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return "", usagef("no %s: set $%s, or run in a terminal to type it", what, env)
	}
	fmt.Fprintf(stderr, "%s: ", what)
	restore, err := disableEcho(f)
	if err != nil {
		return "", usagef("cannot turn off echo to read the %s: %v", what, err)
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	restore()
	fmt.Fprintln(stderr)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the %s: %w", what, err)
	}
	if line = strings.TrimRight(line, "\r\n"); line == "" {
		return "", usagef("empty %s", what)
	}
	return auth.Secret(line), nil
}
