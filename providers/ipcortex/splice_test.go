package ipcortex

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// testKey is an API key with characters JSON and HTML escape.
const testKey = `k3y-"<&>"-\-é`

// spliceCases are request bodies, and whether spliceKey takes them.
var spliceCases = []struct {
	body string
	ok   bool
}{
	{`{}`, true},
	{` { } `, true},
	{`{"a":1}`, true},
	{"\r\n\t{\"a\":\"<b>&\"}\n", true},
	{`{"filter":{"auth":"nested, kept"},"n":1.50,"list":[{"auth":1},"auth"]}`, true},
	{`{"a":1,"a":2}`, true},
	{`{"authority":1,"Auth":2,"AUTH":3," auth":4}`, true}, // map keys match exactly
	{`{"a":"\"auth\"","b":"\\"}`, true},
	{"{\"\xff\":1,\"\xfe\":2}", true},
	{`{"n":1e400}`, true},
	{`{"auth":{"type":"old","scope":"x"}}`, false},
	{`{"a":1,"auth":null}`, false},
	{`{"\u0061uth":1}`, false},
	{`{"a\"b":1}`, false},
	{`[1,2]`, false},
	{`null`, false},
	{`"auth"`, false},
	{`{"a":`, false},
	{`{"a":1}x`, false},
	{`{"a":1}{}`, false},
	{"\xef\xbb\xbf{}", false},
	{``, false},
}

func TestSpliceKey(t *testing.T) {
	member := keyMember(testKey)
	for _, tc := range spliceCases {
		out, ok := spliceKey([]byte(tc.body), member)
		if ok != tc.ok {
			t.Errorf("spliceKey(%q): ok = %v", tc.body, ok)
			continue
		}
		if !ok {
			continue
		}
		if open := strings.IndexByte(tc.body, '{'); string(out[:open+1]) != tc.body[:open+1] ||
			!strings.HasSuffix(string(out), tc.body[open+1:]) {
			t.Errorf("spliceKey(%q) does not keep the body's bytes", tc.body)
		}
		checkSameDocument(t, []byte(tc.body), out, testKey)
	}
}

// The member is the key JSON-escaped once, without HTML escaping.
func TestKeyMember(t *testing.T) {
	member := keyMember("k&<>")
	if member != `"auth":{"type":"auth","key":"k&<>"}` {
		t.Errorf("keyMember gives something else (%d bytes)", len(member))
	}
	member = keyMember("a\"b\\c\x01\xff")
	if member != `"auth":{"type":"auth","key":"a\"b\\c\u0001\ufffd"}` {
		t.Errorf("keyMember does not escape as encoding/json does (%d bytes)", len(member))
	}
}

// spliceKey writes into the body's own array when it has room, moving the
// body's members right: no other buffer.
func TestSpliceKeyInPlace(t *testing.T) {
	member := keyMember("k")
	const src = ` {"a":[1,{"b":2}]} `
	buf := make([]byte, 0, 128)
	body := append(buf, src...)
	out, ok := spliceKey(body, member)
	if !ok || &out[0] != &buf[:1][0] {
		t.Fatal("not spliced in place")
	}
	if want := ` {"auth":{"type":"auth","key":"k"},"a":[1,{"b":2}]} `; string(out) != want {
		t.Fatalf("got %s, want %s", out, want)
	}
}

// checkSameDocument fails t unless spliced is, as JSON, what withKey makes
// of body. Neither document is printed: both hold the key.
func checkSameDocument(t *testing.T, body, spliced []byte, key string) {
	t.Helper()
	want, ok := withKey(body, key)
	if !ok {
		t.Fatalf("spliceKey took a body withKey refuses (%d bytes)", len(body))
	}
	if !jsonEqual(spliced, want) {
		t.Fatalf("spliceKey and withKey give different documents (%d and %d bytes)", len(spliced), len(want))
	}
}

// jsonEqual reports whether a and b decode to the same value, numbers
// compared as written.
func jsonEqual(a, b []byte) bool {
	decode := func(doc []byte) (any, bool) {
		d := json.NewDecoder(bytes.NewReader(doc))
		d.UseNumber()
		var v any
		return v, d.Decode(&v) == nil
	}
	va, oka := decode(a)
	vb, okb := decode(b)
	return oka && okb && reflect.DeepEqual(va, vb)
}

// FuzzKeySplice checks that the splice and withKey agree on every body:
// the body Authorize sends (spliced, else withKey's) is there exactly
// when withKey makes one, and is the same JSON document.
func FuzzKeySplice(f *testing.F) {
	for _, tc := range spliceCases {
		f.Add([]byte(tc.body), testKey)
	}
	f.Add([]byte(`{"a":{"b":[{"c":"\u0000\ud800"}]},"d":-0.0e+1}`), "")
	f.Add([]byte(`{"x":"</script>","y":"\u2028"}`), "\u2028<>")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		member := keyMember(key)
		var doc struct{ Auth struct{ Type, Key string } }
		if json.Unmarshal([]byte("{"+member+"}"), &doc) != nil || doc.Auth.Type != "auth" ||
			(utf8.ValidString(key) && doc.Auth.Key != key) {
			t.Fatal("keyMember does not carry the key")
		}
		want, wantOK := withKey(body, key)
		spliced, ok := spliceKey(bytes.Clone(body), member)
		if !ok {
			return // Authorize asks withKey: the same by construction
		}
		if !wantOK {
			t.Fatalf("spliceKey took a body withKey refuses (%d bytes)", len(body))
		}
		if !jsonEqual(spliced, want) {
			t.Fatalf("spliceKey and withKey give different documents (%d and %d bytes)", len(spliced), len(want))
		}
	})
}

// BenchmarkKeyInBody compares the splice with withKey on an API call's
// body.
func BenchmarkKeyInBody(b *testing.B) {
	body := []byte(`{"filter":{"state":"up","direction":"inbound"},"limit":50,"offset":0}`)
	member := keyMember("alice-api-key-5d1e77c0")
	buf := make([]byte, 0, len(body)+len(member)+1)
	b.Run("splice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := spliceKey(append(buf[:0], body...), member); !ok {
				b.Fatal("not spliced")
			}
		}
	})
	b.Run("withKey", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := withKey(body, "alice-api-key-5d1e77c0"); !ok {
				b.Fatal("no key")
			}
		}
	})
}
