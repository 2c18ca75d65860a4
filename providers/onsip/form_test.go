package onsip

import (
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// formCases are forms, and whether scanForm finds them plain, so that
// appendSessionForm may add to them.
var formCases = []struct {
	form  string
	plain bool
}{
	{"", true},
	{"Action=UserRead", true},
	{"Action=UserRead&", true},
	{"&&Action=UserRead&&", true},
	{"b=2&a=1&b=3", true},
	{"Name=a+b&Email=j%40example.com", true},
	{"flag&x=", true},
	{"=v", true},
	{"a=b=c", true},
	{"k=%C3%A9&k=\xff\x00 raw", true},
	{"a=%41%", false},
	{"a=%4", false},
	{"a=%zz", false},
	{"a=1;b=2", false},
	{"SessionId=old", false},
	{"a=1&SessionId", false},
	{"Session%49d=old", false},
	{"Session+Id=x", false},
	{"a+b=1", false},
	{"%41=1", false},
	{"sessionid=old", true}, // another key: OnSIP's are case-sensitive, as url.Values is
	{strings.Repeat("a=1&", maxFormParams-2) + "a=1", true},
	{strings.Repeat("a=1&", maxFormParams-1) + "a=1", false},
}

func TestAppendSessionForm(t *testing.T) {
	for _, tc := range formCases {
		ok := scanForm([]byte(tc.form)).plain
		if ok != tc.plain {
			t.Errorf("scanForm(%.40q): plain = %v", tc.form, ok)
			continue
		}
		if qok := scanForm(tc.form).plain; qok != ok {
			t.Errorf("scanForm(%.40q): plain = %v as a string, %v as bytes", tc.form, qok, ok)
		}
		if !ok {
			continue
		}
		out := appendSessionForm([]byte(tc.form), "s 1&")
		if query := querySession(tc.form, "s 1&"); string(out) != query {
			t.Errorf("querySession(%.40q) = %.40q; appendSessionForm gives %.40q", tc.form, query, out)
		}
		if !strings.HasPrefix(string(out), tc.form) || !strings.HasSuffix(string(out), "SessionId=s+1%26") {
			t.Errorf("appendSessionForm(%.40q) = %.40q…, not the form and the session after it", tc.form, out)
		}
		checkSameForm(t, tc.form, string(out), "s 1&")
	}
}

// appendSessionForm writes into the body's own array when it has room,
// and leaves the bytes it was given as they were.
func TestAppendSessionFormReusesRoom(t *testing.T) {
	buf := make([]byte, 0, 64)
	body := append(buf, "Action=UserRead"...)
	out := appendSessionForm(body, "abc")
	if &out[0] != &buf[:1][0] {
		t.Fatal("the form did not grow in place")
	}
	if string(body) != "Action=UserRead" || string(out) != "Action=UserRead&SessionId=abc" {
		t.Fatalf("body %q, out %q", body, out)
	}
	if n := testing.AllocsPerRun(100, func() { _ = appendSessionForm(body, "abc") }); n != 0 {
		t.Errorf("%v allocations with room to spare", n)
	}
}

func TestValidFormIsParseQuery(t *testing.T) {
	for _, tc := range formCases {
		_, err := url.ParseQuery(tc.form)
		if got := scanForm(tc.form).valid; got != (err == nil) {
			t.Errorf("scanForm(%.40q).valid = %v, ParseQuery's error %v", tc.form, got, err)
		}
	}
}

func TestScanFormActions(t *testing.T) {
	for _, tc := range []struct {
		form     string
		actions  int
		readOnly bool
	}{
		{"", 0, true},
		{"Page=2", 0, true},
		{"Action=UserRead", 1, true},
		{"Action=UserBrowse&Action=DomainRead", 2, true},
		{"Action=User%52ead", 1, true},
		{"Act%69on=UserRead", 1, true},
		{"Action=UserRead+", 1, false},
		{"Action=UserAdd", 1, false},
		{"Action=UserRead&Action=UserDelete", 2, false},
		{"Action=Read", 1, true},
		{"Action=", 1, false},
		{"Action", 1, false},
		{"action=UserRead", 0, true},
		{"Action=UserRead;", 0, false},
		{"Action=UserRead&x=%g0", 0, false},
	} {
		scan := scanForm(tc.form)
		n, ro := scan.actions, scan.readOnly
		if n != tc.actions || ro != tc.readOnly {
			t.Errorf("scanForm(%q) finds %d actions, read-only %v; want %d, %v", tc.form, n, ro, tc.actions, tc.readOnly)
		}
		if bscan := scanForm([]byte(tc.form)); bscan != scan {
			t.Errorf("scanForm([]byte(%q)) = %+v; the string gives %+v", tc.form, bscan, scan)
		}
	}
}

// Authorize reads a form body with provider.ReadStart: all of it, or one
// byte past the limit, into one buffer with room for the session.
func TestReadForm(t *testing.T) {
	const limit = 100
	body := strings.Repeat("x", 60)
	for _, length := range []int64{-1, 0, 1, 59, 60, 61, limit, limit + 1, 1 << 40} {
		got, _, err := provider.ReadStart(iotest.OneByteReader(strings.NewReader(body)), length, limit, 16, nil)
		if err != nil || string(got) != body {
			t.Errorf("length %d: %d bytes, error %v", length, len(got), err)
		}
	}
	got, _, err := provider.ReadStart(strings.NewReader(body+body), 120, limit, 16, nil)
	if err != nil || len(got) != limit+1 {
		t.Errorf("a body over the limit: %d bytes read, error %v; want limit+1", len(got), err)
	}
	got, _, err = provider.ReadStart(iotest.TimeoutReader(strings.NewReader(body)), 60, limit, 16, nil)
	if err != iotest.ErrTimeout || len(got) != 60 {
		t.Errorf("a failing body: %d bytes, error %v", len(got), err)
	}
	// With the length known, one buffer does, room for the session
	// included: the other allocation is the test's reader.
	const id = "0123456789"
	if n := testing.AllocsPerRun(100, func() {
		b, _, _ := provider.ReadStart(strings.NewReader(body), 60, limit, len("&"+sessionPair+id), nil)
		_ = appendSessionForm(b, id)
	}); n != 2 {
		t.Errorf("%v allocations, want 2", n)
	}
}

// checkSameForm fails t unless out, the form after appendSessionForm,
// holds the same values as form after rewriteForm.
func checkSameForm(t *testing.T, form, out, id string) {
	t.Helper()
	slow, err := rewriteForm(form, id)
	if err != nil {
		t.Fatalf("the fast path took a form the slow path refuses: %v", err)
	}
	want, err := url.ParseQuery(slow)
	if err != nil {
		t.Fatalf("the slow path's form does not parse: %v", err)
	}
	got, err := url.ParseQuery(out)
	if err != nil {
		t.Fatalf("the fast path's form does not parse: %v", err)
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("the forms differ: fast %d keys, slow %d keys", len(got), len(want))
	}
}

// FuzzSessionForm checks that the form splice and the slow path agree on
// every form the splice takes: the same parameters, the same values in
// the same order (the keys' order may differ), and that the read-only test
// agrees with url.ParseQuery.
func FuzzSessionForm(f *testing.F) {
	for _, tc := range formCases {
		if len(tc.form) < 1000 {
			f.Add(tc.form, "h68kucpnejdv2jm3bq2cmhikp5")
		}
	}
	f.Add("Action=UserRead&Output=json", "s=1&t=2")
	f.Add("Action=User%52ead&Action=DomainBrowse", "")
	f.Add("a=%e2%82%ac&b=+%20+", "\xff")
	f.Fuzz(func(t *testing.T, form, id string) {
		scan := scanForm(form)
		if bscan := scanForm([]byte(form)); bscan != scan {
			t.Fatal("scanForm differs on the string and its bytes")
		}
		if scan.plain {
			out := appendSessionForm([]byte(form), id)
			checkSameForm(t, form, string(out), id)
			if query := querySession(form, id); query != string(out) {
				t.Fatal("querySession and appendSessionForm differ")
			}
		}
		values, err := url.ParseQuery(form)
		n, readOnly := scan.actions, scan.readOnly
		if (err == nil) != scan.valid {
			t.Fatalf("scanForm finds valid %v; url.ParseQuery's error %v", scan.valid, err)
		}
		if err != nil {
			if readOnly {
				t.Fatal("a form url.ParseQuery refuses is read-only")
			}
			return
		}
		wantReadOnly := true
		for _, action := range values["Action"] {
			wantReadOnly = wantReadOnly && (strings.HasSuffix(action, "Read") || strings.HasSuffix(action, "Browse"))
		}
		if n != len(values["Action"]) || readOnly != wantReadOnly {
			t.Fatalf("scanForm finds %d actions, read-only %v; url.ParseQuery gives %d, %v", n, readOnly, len(values["Action"]), wantReadOnly)
		}
	})
}

// BenchmarkSessionForm compares the splice with the slow path on a
// UserRead form.
func BenchmarkSessionForm(b *testing.B) {
	const form, id = "Action=UserRead&UserId=152255&Output=json", "h68kucpnejdv2jm3bq2cmhikp5"
	b.Run("splice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			body, _, _ := provider.ReadStart(strings.NewReader(form), int64(len(form)), maxFormBody, len("&"+sessionPair)+len(id), nil)
			scan := scanForm(body)
			if !scan.plain || !readOnlyCall(noForm, scan) {
				b.Fatal("not plain, or not read-only")
			}
			_ = appendSessionForm(body, id)
		}
	})
	b.Run("rewrite", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			body, _ := io.ReadAll(strings.NewReader(form))
			if _, err := rewriteForm(string(body), id); err != nil {
				b.Fatal(err)
			}
		}
	})
}
