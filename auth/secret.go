package auth

import (
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what a non-empty [Secret] prints as, in every format.
const Redacted = "[REDACTED]"

// Secret is a password, API key or session ID. Its String, GoString, Format,
// LogValue, MarshalText and MarshalJSON all print [Redacted] (or nothing for
// an empty Secret), so a Secret inside any struct is safe to print or log.
// Only [Secret.Reveal] returns the value.
//
// Because a Secret marshals redacted, load it with Secret(os.Getenv(...)) or
// from a secret store, never from a marshalled configuration.
type Secret string

// Reveal returns the secret's value. Call it only where the value goes to
// the provider.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) redacted() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// String returns [Redacted], or "" for an empty Secret.
func (s Secret) String() string { return s.redacted() }

// GoString returns [Redacted] quoted, so %#v shows a redacted Go literal.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.redacted()) }

// Format prints [Redacted] whatever the verb or flags, so %x, %q and %d
// cannot reach the value either.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') || verb == 'q' {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	_, _ = io.WriteString(f, s.redacted())
}

// LogValue makes log/slog print [Redacted].
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.redacted()) }

// MarshalText returns [Redacted], for encoding/xml and other text encoders.
// (encoding/json writes a map key of a string type as it is: never key a
// marshalled map by a Secret.)
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.redacted()), nil }

// MarshalJSON returns [Redacted] as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return fmt.Appendf(nil, "%q", s.redacted()), nil }
