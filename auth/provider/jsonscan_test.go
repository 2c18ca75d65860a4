package provider_test

import (
	"testing"

	"github.com/pbxauth/pbxauth/auth/provider"
)

func TestJSONEscapesASCII(t *testing.T) {
	isF := func(c byte) bool { return c == 'f' }
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`{"result":"fail"}`, false},      // the letter as it is: not an escape
		{`{"result":"\u0066ail"}`, true},  // 'f'
		{`{"result":"\u0046ail"}`, false}, // 'F' is not 'f'
		{`{"a":"\\u0066"}`, true},         // an escaped backslash still counts: "maybe"
		{`{"a":"\u00e9"}`, false},         // not ASCII
		{`{"a":"\u006"}`, false},          // too short
		{`{"a":"\u00g6"}`, false},         // not hexadecimal
		{`\u0066`, true},
		{`\u006`, false},
		{`\`, false},
		{``, false},
	} {
		if got := provider.JSONEscapesASCII([]byte(tc.in), isF); got != tc.want {
			t.Errorf("provider.JSONEscapesASCII(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestJSONEscapesASCIIAllocatesNothing(t *testing.T) {
	b := []byte(`{"result":"success","message":"\u0041 \u00e9 \\u0066"}`)
	word := "fail"
	if n := testing.AllocsPerRun(100, func() {
		provider.JSONEscapesASCII(b, func(c byte) bool { return c == word[0] || c == word[1] || c == word[2] || c == word[3] })
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
