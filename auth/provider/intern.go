package provider

import (
	"maps"
	"slices"
	"strconv"
	"strings"
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
// returned as they are.
func SharedMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	key := mapKey(m)
	interned.Lock()
	defer interned.Unlock()
	if shared, ok := interned.maps[key]; ok {
		return shared
	}
	if len(interned.maps) < internLimit {
		interned.maps[key] = maps.Clone(m)
		return interned.maps[key]
	}
	return m
}

// SharedStrings returns a slice equal to ss that sessions of other
// accounts may hold too, as [SharedMap] does for maps.
func SharedStrings(ss []string) []string {
	if len(ss) == 0 {
		return ss
	}
	var b strings.Builder
	for _, s := range ss {
		writePart(&b, s)
	}
	key := b.String()
	interned.Lock()
	defer interned.Unlock()
	if shared, ok := interned.strings[key]; ok {
		return shared
	}
	if len(interned.strings) < internLimit {
		interned.strings[key] = slices.Clip(slices.Clone(ss))
		return interned.strings[key]
	}
	return ss
}

// mapKey writes m's entries in key order, so two maps have one key exactly
// when they hold the same entries.
func mapKey(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		writePart(&b, k)
		writePart(&b, m[k])
	}
	return b.String()
}

// writePart writes s after its length, so that no two lists of parts are
// written alike.
func writePart(b *strings.Builder, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}
