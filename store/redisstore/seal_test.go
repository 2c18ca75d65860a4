package redisstore

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzOpen feeds a record's data field, as anyone with write access to the
// Redis could set it, to both kinds of store: each must return the session
// or an error holding ErrUnknownKey or ErrCorruptRecord, never panic.
func FuzzOpen(f *testing.F) {
	key := bytes.Repeat([]byte{7}, KeySize)
	sealer, err := newSealer(key, nil)
	if err != nil {
		f.Fatal(err)
	}
	sealed := &Store{sealer: sealer}
	plain := &Store{}
	f.Add(sealed.seal("acct", "fp", 0, []byte("session")), "acct", "fp", int64(0))
	f.Add(sealed.seal("acct", "fp", 1700000000000, nil), "acct", "fp", int64(1700000000000))
	f.Add(plain.seal("acct", "fp", 0, []byte("session")), "acct", "fp", int64(0))
	f.Add([]byte{formatSealed, 1, 2}, "acct", "fp", int64(0))
	f.Add([]byte{}, "", "", int64(-1))
	f.Fuzz(func(t *testing.T, data []byte, account, fingerprint string, exp int64) {
		for _, s := range []*Store{sealed, plain} {
			_, err := s.open(account, fingerprint, exp, data)
			if err != nil && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrCorruptRecord) {
				t.Fatalf("open: an error of no known kind: %v", err)
			}
		}
	})
}

// TestSealOpen checks a seal opens with what it was sealed with, and with
// nothing else.
func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, err := newSealer(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := s.seal("acct", "fp", 42, []byte("session"))
	got, err := s.open("acct", "fp", 42, data)
	if err != nil || string(got) != "session" {
		t.Fatalf("open of a fresh seal: %q, %v", got, err)
	}
	for _, tc := range []struct {
		name, account, fp string
		exp               int64
	}{
		{"another account", "acct2", "fp", 42},
		{"an account that ends where the fingerprint starts", "acctf", "p", 42},
		{"another fingerprint", "acct", "fp2", 42},
		{"another expiry", "acct", "fp", 43},
	} {
		if _, err := s.open(tc.account, tc.fp, tc.exp, data); !errors.Is(err, ErrCorruptRecord) {
			t.Errorf("open with %s: %v, want ErrCorruptRecord", tc.name, err)
		}
	}
	if bytes.Equal(s.seal("acct", "fp", 42, []byte("session")), data) {
		t.Error("two seals of one session are equal: the nonce is not random")
	}
}
