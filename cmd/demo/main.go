// Command demo signs in to PBX vendors' web APIs through pbxauth.
//
// With no flags it starts the built-in OnSIP and IPCortex test servers on
// loopback and shows, for both vendors at once: a login, a second Session
// served from the cache, an authenticated API call, the server forgetting
// the session and the client recovering by itself, and the logout, each
// step with its time and the requests it sent.
//
// With -provider it signs in to a real PBX. The password (or, with
// -api-key, the IPCortex API key) comes from the environment variable
// PBXAUTH_PASSWORD (PBXAUTH_API_KEY), or is typed at a prompt without echo;
// never from the command line, where other users of the machine can read it.
//
// Exit status: 0 on success, 1 when the provider refused or failed, 2 on a
// usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"
)

// The exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	passwordEnv = "PBXAUTH_PASSWORD"
	apiKeyEnv   = "PBXAUTH_API_KEY"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// options are the command line's flags.
type options struct {
	provider, endpoint, username string
	apiKey, keyInHeader          bool
	json, verbose                bool
	timeout                      time.Duration
}

// errUsage marks a mistake on the command line.
var errUsage = errors.New("usage")

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.provider, "provider", "", "sign in to a real PBX: onsip or ipcortex (default: both built-in test servers)")
	fs.StringVar(&o.endpoint, "endpoint", "", "API base URL (OnSIP default: https://api.onsip.com/api; IPCortex: the PBX's URL, required)")
	fs.StringVar(&o.username, "username", "", "login name (OnSIP: user@domain)")
	fs.BoolVar(&o.apiKey, "api-key", false, "IPCortex: sign in with an API key from $"+apiKeyEnv+" (or a prompt) instead of a password")
	fs.BoolVar(&o.keyInHeader, "key-in-header", false, "IPCortex: send the API key as an Authorization header (firmware 6.3.10+)")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per step")
	fs.BoolVar(&o.verbose, "v", false, "debug logs on stderr (secrets redacted)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: demo [flags]

With no flags, demo starts the built-in OnSIP and IPCortex test servers on
loopback and walks both vendors through login, cached session, authenticated
call, transparent re-login and logout.

With -provider it signs in to a real PBX. The password is read from $%s
(the API key, with -api-key, from $%s) or typed at a prompt without echo;
it is never taken from the command line.

Exit status: 0 success, 1 the provider refused or failed, 2 usage error.

Flags:
`, passwordEnv, apiKeyEnv)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("%w: unexpected argument %q (passwords are never taken from the command line)", errUsage, fs.Arg(0))
	case o.provider == "" && (o.endpoint != "" || o.username != "" || o.apiKey || o.keyInHeader):
		return o, fmt.Errorf("%w: -endpoint, -username, -api-key and -key-in-header need -provider", errUsage)
	case o.provider != "" && o.provider != "onsip" && o.provider != "ipcortex":
		return o, fmt.Errorf("%w: -provider must be onsip or ipcortex", errUsage)
	case o.provider != "" && !o.apiKey && o.username == "":
		return o, fmt.Errorf("%w: -username is required", errUsage)
	case o.provider == "onsip" && (o.apiKey || o.keyInHeader):
		return o, fmt.Errorf("%w: OnSIP has no API keys", errUsage)
	case o.provider == "ipcortex" && o.endpoint == "":
		return o, fmt.Errorf("%w: -endpoint is required for ipcortex", errUsage)
	case o.timeout <= 0:
		return o, fmt.Errorf("%w: -timeout must be positive", errUsage)
	}
	return o, nil
}

// run is main without the process: testable.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	o, err := parse(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		if errors.Is(err, errUsage) {
			fmt.Fprintln(stderr, "demo:", err)
			fmt.Fprintln(stderr, "Run demo -h for help.")
		}
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	out := newPrinter(stdout, o.json)
	if o.provider == "" {
		err = runBuiltin(ctx, out, logger)
	} else {
		err = runReal(ctx, o, stdin, stderr, getenv, out, logger)
	}
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "demo:", err)
		return exitUsage
	case err != nil:
		out.failure(err)
		return exitFailed
	}
	return exitOK
}
