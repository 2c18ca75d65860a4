// Command demo signs in to PBX vendors' web APIs through pbxauth.
//
// With no flags it starts the built-in OnSIP and IPCortex test servers on
// loopback and shows, for each account at once: a login, a second Session
// served from the cache, an authenticated API call, the server forgetting
// the session and the client recovering by itself, and the logout, each
// step with its time and the requests it sent. Then it runs three replicas
// of each account in this process, sharing one auth.MemoryStore (with
// -redis, a Redis through store/redisstore): the vendor sees one login for
// all three, and one more when it forgets the session, whichever replica
// notices first.
//
// With -provider it signs in to a real PBX: login, cached session, one API
// call of the user's choice through auth.NewClient (-call), logout. -ca-file
// trusts a private CA, -insecure-http allows plain HTTP to a LAN host, and
// -option passes provider settings through auth.Config.Options. The password
// (or, with -api-key, the IPCortex API key) comes from the environment
// variable PBXAUTH_PASSWORD (PBXAUTH_API_KEY), or is typed at a prompt
// without echo; never from the command line, where other users of the
// machine can read it.
//
// -metrics prints what auth.Hooks counted during the run, per provider:
// logins by reason and outcome, refusals, retries, logouts, retry budget
// spent and session store events.
//
// Exit status: 0 on success, 1 when the provider refused or failed, 2 on a
// usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"os/signal"
)

// The exit statuses, and where secrets come from.
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

// run is main without the process: testable.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	o, err := parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(stderr)
		return exitOK
	case err != nil:
		report(stderr, err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	out := newPrinter(stdout, o.json)
	hooks := newTally()
	if o.provider == "" {
		err = runBuiltin(ctx, o, out, logger, hooks)
	} else {
		err = runReal(ctx, o, stdin, stderr, getenv, out, logger, hooks)
	}
	if o.metrics {
		out.metrics(hooks.rows())
	}
	if err != nil {
		out.failure(err)
		report(stderr, err)
		if isUsage(err) {
			return exitUsage
		}
		return exitFailed
	}
	return exitOK
}
