package provider

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/transport"
)

// Every call of the user's hooks goes through here: nil-safe, and a hook
// that panics is recovered, so it can never break a login.

// panickedHooks holds the Hooks values one of whose functions panicked:
// the first panic of each is logged, and no later one, since a broken hook
// runs on every login of every tenant.
var panickedHooks sync.Map // *auth.Hooks -> struct{}

// safely runs a hook, recovering a panic.
func (c *Cache) safely(f func()) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if _, logged := panickedHooks.LoadOrStore(c.hooks, struct{}{}); !logged {
			c.logger.LogAttrs(context.Background(), slog.LevelError, "an auth.Hooks function panicked; pbxauth went on (later hook panics are not logged)",
				slog.String("panic", Clean(fmt.Sprint(r), c.creds.Password, c.creds.APIKey)))
		}
	}()
	f()
}

// panicked turns a panic inside a login into an error for every waiter,
// and logs it with its stack: it never kills the process.
func (c *Cache) panicked(ctx context.Context, r any) *auth.Error {
	c.logger.LogAttrs(ctx, slog.LevelError, "a login panicked",
		slog.String("account", c.Account()),
		slog.String("panic", Clean(fmt.Sprint(r), c.creds.Password, c.creds.APIKey)),
		slog.String("stack", string(debug.Stack())))
	return &auth.Error{Provider: c.name, Op: auth.OpLogin, Err: auth.ErrProtocol, Message: "the login panicked (logged with its stack)"}
}

// outcome is the sentinel an error holds, or nil.
func outcome(e *auth.Error) error {
	if e == nil {
		return nil
	}
	return sentinelOf(e)
}

func (c *Cache) loginStartHook(ctx context.Context, reason auth.LoginReason) context.Context {
	if h := c.hooks; h != nil && h.LoginStart != nil {
		c.safely(func() {
			if next := h.LoginStart(ctx, auth.LoginStartInfo{Provider: c.name, Account: c.Account(), Reason: reason}); next != nil {
				ctx = next
			}
		})
	}
	return ctx
}

func (c *Cache) loginDoneHook(ctx context.Context, reason auth.LoginReason, e *auth.Error, d time.Duration, renewed bool) {
	if h := c.hooks; h != nil && h.LoginDone != nil {
		info := auth.LoginDoneInfo{Provider: c.name, Account: c.Account(), Reason: reason, Outcome: outcome(e),
			Duration: d, Renewed: renewed}
		if e != nil {
			info.Err = e
		}
		c.safely(func() { h.LoginDone(ctx, info) })
	}
}

func (c *Cache) logoutDoneHook(ctx context.Context, reason auth.LogoutReason, e *auth.Error, d time.Duration) {
	if h := c.hooks; h != nil && h.LogoutDone != nil {
		info := auth.LogoutDoneInfo{Provider: c.name, Account: c.Account(), Reason: reason, Outcome: outcome(e), Duration: d}
		if e != nil {
			info.Err = e
		}
		c.safely(func() { h.LogoutDone(ctx, info) })
	}
}

func (c *Cache) refusedHook(ctx context.Context, lost bool) {
	if h := c.hooks; h != nil && h.SessionRefused != nil {
		c.safely(func() {
			h.SessionRefused(ctx, auth.SessionRefusedInfo{Provider: c.name, Account: c.Account(), Lost: lost})
		})
	}
}

func (c *Cache) sharedHook(ctx context.Context) {
	if h := c.hooks; h != nil && h.SessionShared != nil {
		c.safely(func() { h.SessionShared(ctx, auth.SessionSharedInfo{Provider: c.name, Account: c.Account()}) })
	}
}

func (c *Cache) leaseWaitHook(ctx context.Context, how auth.LeaseWaitOutcome, waited time.Duration) {
	if h := c.hooks; h != nil && h.LeaseWait != nil && waited > 0 {
		c.safely(func() {
			h.LeaseWait(ctx, auth.LeaseWaitInfo{Provider: c.name, Account: c.Account(), Waited: waited, Outcome: how})
		})
	}
}

func (c *Cache) takeoverHook(ctx context.Context, waited time.Duration) {
	if h := c.hooks; h != nil && h.LeaseTakeover != nil {
		c.safely(func() {
			h.LeaseTakeover(ctx, auth.LeaseTakeoverInfo{Provider: c.name, Account: c.Account(), Waited: waited})
		})
	}
}

func (c *Cache) storeFallbackHook(ctx context.Context, op auth.StoreOp, err error) {
	if h := c.hooks; h != nil && h.StoreFallback != nil {
		c.safely(func() {
			h.StoreFallback(ctx, auth.StoreFallbackInfo{Provider: c.name, Account: c.Account(), Op: op, Err: err})
		})
	}
}

// observer passes the retrying transport's events of op to the hooks; nil
// when no hook wants them, so the transport does not even build them.
func (c *Cache) observer(op string) transport.Observer {
	if h := c.hooks; h == nil || h.Retry == nil && h.BudgetSpent == nil {
		return nil
	}
	return &observer{cache: c, op: op}
}

type observer struct {
	cache *Cache
	op    string
}

func (o *observer) Retry(ctx context.Context, e transport.RetryEvent) {
	c := o.cache
	if h := c.hooks; h.Retry != nil {
		info := auth.RetryInfo{Provider: c.name, Account: c.Account(), Op: o.op, Method: e.Method, Attempt: e.Attempt,
			Wait: e.Wait, StatusCode: e.StatusCode, ErrorKind: e.ErrorKind, Repeatable: e.Repeatable}
		c.safely(func() { h.Retry(ctx, info) })
	}
}

func (o *observer) BudgetSpent(ctx context.Context, origin string) {
	c := o.cache
	if h := c.hooks; h.BudgetSpent != nil {
		info := auth.BudgetSpentInfo{Provider: c.name, Account: c.Account(), Op: o.op, Origin: origin}
		c.safely(func() { h.BudgetSpent(ctx, info) })
	}
}
