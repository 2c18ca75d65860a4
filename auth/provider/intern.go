package provider

import (
	"maps"
	"slices"
	"strconv"
	"sync"
)

// A Session's maps and slices are read-only: every caller of Session gets
// the same values. Across accounts they are often the same too: the
// integration user a SaaS back end signs in with on each customer's PBX
// usually has the same role everywhere, so the same permissions. Sharing
// them keeps ten thousand tenants from holding ten thousand copies of one
// map. The table is bounded: past internLimit distinct values, values are
// kept as they are.

// internLimit bounds the distinct values shared.
const internLimit = 4096

var interned = struct {
	sync.Mutex
	maps    map[string]map[string]string
	strings map[string][]string
}{maps: make(map[string]map[string]string), strings: make(map[string][]string)}

// SharedMap returns a map equal to m that sessions of other accounts may
// hold too: the first one seen with these entries. Callers must treat the
// result as read-only, as every Session's maps are. nil and empty maps are
// returned as they are. A map already shared costs no allocation.
func SharedMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	var room [internKeyRoom]byte
	key := mapKey(room[:0], m)
	interned.Lock()
	defer interned.Unlock()
	if shared, ok := interned.maps[string(key)]; ok { // no allocation to look up
		return shared
	}
	if len(interned.maps) < internLimit {
		shared := maps.Clone(m)
		interned.maps[string(key)] = shared
		return shared
	}
	return m
}

// SharedStrings returns a slice equal to ss that sessions of other
// accounts may hold too, as [SharedMap] does for maps. It never returns ss
// itself (a slice not shared comes back as a copy), so a caller may pass a
// slice of a local array.
func SharedStrings(ss []string) []string {
	switch {
	case ss == nil:
		return nil
	case len(ss) == 0:
		return noStrings
	}
	var room [internKeyRoom]byte
	key := room[:0]
	for _, s := range ss {
		key = appendPart(key, s)
	}
	interned.Lock()
	defer interned.Unlock()
	if shared, ok := interned.strings[string(key)]; ok {
		return shared
	}
	shared := slices.Clip(slices.Clone(ss))
	if len(interned.strings) < internLimit {
		interned.strings[string(key)] = shared
	}
	return shared
}

// noStrings is SharedStrings' answer for an empty, non-nil slice.
var noStrings = []string{}

// internKeyRoom is the room on the stack for a key: most permission sets
// and role lists are written in fewer bytes, and a longer key only costs
// its allocation.
const internKeyRoom = 512

// mapKey appends m's entries in key order to b, so two maps have one key
// exactly when they hold the same entries.
func mapKey(b []byte, m map[string]string) []byte {
	var room [32]string
	keys := room[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendPart(b, k)
		b = appendPart(b, m[k])
	}
	return b
}

// appendPart appends s after its length, so that no two lists of parts
// are written alike.
func appendPart(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}
