package auth

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

var (
	registryMu sync.RWMutex
	registry   = map[string]func(Config) (Authenticator, error){}
)

// Register makes a provider available to [Open] under name. Providers call
// it from init. It panics when name is empty, open is nil or name is taken,
// as database/sql.Register does: all three are programming errors.
func Register(name string, open func(Config) (Authenticator, error)) {
	if name == "" {
		panic("auth: Register with an empty provider name")
	}
	if open == nil {
		panic("auth: Register of provider " + name + " with a nil constructor")
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("auth: Register called twice for provider " + name)
	}
	registry[name] = open
}

// Open returns an authenticator for the provider registered as name, made
// from cfg. An unknown name is an error that lists the registered ones.
func Open(name string, cfg Config) (Authenticator, error) {
	registryMu.RLock()
	open := registry[name]
	registryMu.RUnlock()
	if open == nil {
		known := Providers()
		list := "none"
		if len(known) > 0 {
			list = strings.Join(known, ", ")
		}
		return nil, fmt.Errorf("auth: unknown provider %q (forgotten import of github.com/pbxauth/pbxauth/providers?); registered: %s", name, list)
	}
	return open(cfg)
}

// Providers returns the registered provider names, sorted.
func Providers() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
