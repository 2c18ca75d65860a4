package transport

import (
	"reflect"
	"runtime"
	"sync"
	"weak"
)

// Registry hands out one value per key to every caller that asks for it,
// and holds the values weakly: a value lives as long as something else
// holds it, and its key is forgotten with it. A value that outlived its
// users would be handed to an unrelated newcomer (a drained retry budget
// to the next test server on a reused port), and a process that churns
// through keys would keep them all.
//
// The zero Registry is empty and ready to use. Safe for concurrent use.
type Registry[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]weak.Pointer[V]
}

// Get returns the value held for k, or one made by newValue(k) when none
// is alive; newValue runs under the registry's lock. A key that holds an
// interface value must be comparable at run time too (see [Comparable]):
// a func or map behind the interface makes Get panic.
func (r *Registry[K, V]) Get(k K, newValue func(K) *V) *V {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v := r.m[k].Value(); v != nil {
		return v
	}
	v := newValue(k)
	if r.m == nil {
		r.m = map[K]weak.Pointer[V]{}
	}
	r.m[k] = weak.Make(v)
	runtime.AddCleanup(v, r.forget, k)
	return v
}

// forget drops k's entry once its value is gone, unless a new value took
// its place in the meantime.
func (r *Registry[K, V]) forget(k K) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m[k].Value() == nil {
		delete(r.m, k)
	}
}

// Comparable reports whether v, an interface value, can be part of a map
// key: nil, or a value of a comparable type. A RoundTripper or a store of
// a func type is valid but is not: whoever holds one cannot share by it.
func Comparable(v any) bool {
	return v == nil || reflect.TypeOf(v).Comparable()
}
