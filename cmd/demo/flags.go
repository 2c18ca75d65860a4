package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pbxauth/pbxauth/auth/provider"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/onsip"
)

// options are the command line's flags.
type options struct {
	provider, endpoint, username string
	apiKey                       bool
	providerOptions              providerOptions // -option and -key-in-header
	caFile                       string
	insecureHTTP                 bool
	call                         string
	callForm                     url.Values // -call read by parse, for OnSIP
	callPath                     *url.URL   // -call read by parse, for IPCortex
	redis                        string
	metrics, json, verbose       bool
	timeout                      time.Duration
}

// realOnly are the flags that only mean something with -provider.
var realOnly = []string{"endpoint", "username", "api-key", "option", "key-in-header", "ca-file", "insecure-http", "call"}

// defaultTimeout bounds the whole run unless -timeout says otherwise.
const defaultTimeout = 30 * time.Second

// newFlagSet declares the flags into o. It prints nothing itself: run
// reports a mistake in one line and prints the help only for -h.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.provider, "provider", "", "sign in to a real PBX: `provider` onsip or ipcortex (default: the built-in test servers)")
	fs.StringVar(&o.endpoint, "endpoint", "", "OnSIP: the API `URL` (default "+onsip.DefaultEndpoint+");\nIPCortex: the PBX's base URL, like https://pbx.example.com (required)")
	fs.StringVar(&o.username, "username", "", "login `name` (OnSIP: user@domain)")
	fs.BoolVar(&o.apiKey, "api-key", false, "IPCortex: sign in with an API key from $"+apiKeyEnv+" (or a prompt) instead of a password")
	fs.Var(&o.providerOptions, "option", "a provider setting `name=value`, into auth.Config.Options (repeatable);\nIPCortex knows key_in_header=true|false")
	fs.BoolFunc("key-in-header", "IPCortex: send the API key in an Authorization header (firmware 6.3.10+);\nthe same as -option key_in_header=true", func(v string) error {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return err
		}
		return o.providerOptions.Set(keyInHeaderOption + "=" + strconv.FormatBool(on))
	})
	fs.StringVar(&o.caFile, "ca-file", "", "trust only the CA certificates in this PEM `file` for the PBX's TLS\n(for an on-premises PBX with a private CA), instead of the system's")
	fs.BoolVar(&o.insecureHTTP, "insecure-http", false, "allow an http:// -endpoint that is not loopback, for a PBX on a LAN;\nthe credentials and the session then cross the network in clear")
	fs.StringVar(&o.call, "call", "", "make one API `request` through auth.NewClient and print its status and size (never its body):\nOnSIP: an Action (UserRead) or a form (Action=UserBrowse&Limit=5);\nIPCortex: a path (/rest/...), sent as a POST with {}")
	fs.StringVar(&o.redis, "redis", "", "run the fleet section on this Redis (`host:port` or unix:/path) through store/redisstore\ninstead of auth.MemoryStore")
	fs.BoolVar(&o.metrics, "metrics", false, "print what auth.Hooks counted during the run, per provider")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per line")
	fs.BoolVar(&o.verbose, "v", false, "debug logs on stderr (secrets redacted)")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "give up after this long")
	return fs
}

// printUsage writes the help.
func printUsage(w io.Writer) {
	fmt.Fprintf(w, `Usage: demo [flags]

With no -provider, demo starts the built-in OnSIP and IPCortex test servers
on loopback and walks each account through login, cached session,
authenticated API call, transparent re-login and logout. Then three replicas
of each account share one login through a session store: auth.MemoryStore,
or Redis with -redis.

With -provider it signs in to a real PBX: login, cached session, the -call
API call if any, logout. The password is read from
  $%s
(the API key, with -api-key, from $%s) or typed at a prompt
without echo; it is never taken from the command line, where other users of
the machine can read it.

Exit status: 0 success, 1 the provider refused or failed, 2 usage error.

Flags:
`, passwordEnv, apiKeyEnv)
	var o options
	fs := newFlagSet(&o)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// parse reads args into options and checks that they make sense together.
func parse(args []string) (options, error) {
	var o options
	fs := newFlagSet(&o)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return o, err
		}
		return o, &usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usagef("unexpected argument %q (passwords are never taken from the command line)", fs.Arg(0))
	}
	var given []string
	fs.Visit(func(f *flag.Flag) {
		if slices.Contains(realOnly, f.Name) {
			given = append(given, "-"+f.Name)
		}
	})
	if o.provider == "" {
		if len(given) > 0 {
			return o, usagef("%s: only with -provider (a real PBX)", strings.Join(given, ", "))
		}
		if o.redis != "" {
			if err := checkRedisAddr(o.redis); err != nil {
				return o, err
			}
		}
		return o, checkTimeout(o.timeout)
	}
	return o, checkReal(&o)
}

// checkReal checks the flags of real mode, and reads -call into o.
func checkReal(o *options) error {
	switch {
	case o.provider != onsip.Name && o.provider != ipcortex.Name:
		return usagef("-provider must be %s or %s", onsip.Name, ipcortex.Name)
	case o.redis != "":
		return usagef("-redis: only with the built-in test servers (leave out -provider)")
	case !o.apiKey && o.username == "":
		return usagef("-username is required")
	case o.provider == onsip.Name && o.apiKey:
		return usagef("-api-key: OnSIP has no API keys")
	case o.provider == ipcortex.Name && o.endpoint == "":
		return usagef("-endpoint is required for ipcortex: the PBX's base URL, like https://pbx.example.com")
	case o.insecureHTTP && !plainHTTP(o.endpoint):
		return usagef("-insecure-http: only for an http:// -endpoint")
	case !o.insecureHTTP && plainHTTP(o.endpoint) && !loopback(o.endpoint):
		// The value is not quoted: a URL may hold a password (user:pass@).
		return usagef("-endpoint is plain http to a host that is not loopback: the credentials would cross the network in clear; use https, or add -insecure-http for a PBX on a network you trust")
	}
	if o.call != "" {
		var err error
		if o.provider == onsip.Name {
			o.callForm, err = onsipCall(o.call)
		} else {
			o.callPath, err = ipcortexCall(o.call)
		}
		if err != nil {
			return err
		}
	}
	return checkTimeout(o.timeout)
}

// plainHTTP reports whether endpoint is an http:// URL.
func plainHTTP(endpoint string) bool {
	return strings.HasPrefix(strings.ToLower(endpoint), "http://")
}

// loopback reports whether endpoint's host is this machine, the way
// pbxauth judges it.
func loopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	return err == nil && provider.IsLoopback(u.Hostname())
}

func checkTimeout(d time.Duration) error {
	if d <= 0 {
		return usagef("-timeout must be positive")
	}
	return nil
}

// onsipAction is the form of an OnSIP Action name.
var onsipAction = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// onsipCall reads -call for OnSIP: an Action name, or a form holding one.
func onsipCall(call string) (url.Values, error) {
	if !strings.Contains(call, "=") {
		call = "Action=" + call
	}
	form, err := url.ParseQuery(call)
	if err != nil {
		return nil, usagef("-call: not a form (Action=UserRead&...): %v", err)
	}
	if a := form["Action"]; len(a) != 1 || !onsipAction.MatchString(a[0]) {
		return nil, usagef("-call: OnSIP needs one Action, a name like UserRead")
	}
	return form, nil
}

// ipcortexCall reads -call for IPCortex: a path on the PBX.
func ipcortexCall(call string) (*url.URL, error) {
	u, err := url.Parse(call)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
		return nil, usagef("-call: IPCortex needs a path on the PBX, like /rest/call/list")
	}
	return u, nil
}

// redisUnix starts a -redis address that is a unix socket's path.
const redisUnix = "unix:"

// checkRedisAddr checks -redis: host:port or unix:/path. Its errors do
// not quote a value they refuse, which may be a URL holding a password.
func checkRedisAddr(addr string) error {
	if path, ok := strings.CutPrefix(addr, redisUnix); ok {
		if path == "" {
			return usagef("-redis: no socket path after %q", redisUnix)
		}
		return nil
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return usagef("-redis: want host:port or unix:/path")
	}
	return nil
}

// keyInHeaderOption is IPCortex's option that -key-in-header sets.
const keyInHeaderOption = "key_in_header"

// providerOptions collects -option name=value into auth.Config.Options.
type providerOptions map[string]string

func (p *providerOptions) String() string {
	if p == nil || len(*p) == 0 {
		return ""
	}
	var s []string
	for k, v := range *p {
		s = append(s, k+"="+v)
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}

func (p *providerOptions) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if name = strings.TrimSpace(name); !ok || name == "" {
		return fmt.Errorf("want name=value")
	}
	if *p == nil {
		*p = providerOptions{}
	}
	if _, dup := (*p)[name]; dup {
		return fmt.Errorf("option %s given twice", name)
	}
	(*p)[name] = value
	return nil
}
