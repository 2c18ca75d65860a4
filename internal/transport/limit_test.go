package transport

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endless is a body that never ends, counting what was read of it.
type endless struct {
	read   int64
	closed bool
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.read += int64(len(p))
	return len(p), nil
}

func (e *endless) Close() error { e.closed = true; return nil }

func TestReadLimited(t *testing.T) {
	assert.Equal(t, 1<<20, MaxResponseSize)

	for _, limit := range []int64{0, 1, 10, MaxResponseSize} {
		at := bytes.Repeat([]byte{'a'}, int(limit))
		got, err := ReadLimited(bytes.NewReader(at), limit)
		require.NoError(t, err, "exactly %d bytes", limit)
		assert.Equal(t, len(at), len(got))
		assert.True(t, bytes.Equal(at, got))

		over := append(at, 'b')
		got, err = ReadLimited(bytes.NewReader(over), limit)
		assert.ErrorIs(t, err, ErrTooLarge, "%d bytes", limit+1)
		assert.ErrorContains(t, err, "over")
		assert.Nil(t, got)
	}

	got, err := ReadLimited(strings.NewReader("short"), 10)
	require.NoError(t, err)
	assert.Equal(t, "short", string(got))
}

// A hostile server cannot make the client read more than limit+1 bytes.
func TestReadLimitedReadsAtMostLimitPlusOne(t *testing.T) {
	body := &endless{}
	_, err := ReadLimited(body, MaxResponseSize)
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.LessOrEqual(t, body.read, int64(MaxResponseSize+1)+512) // io.ReadAll's last buffer
}

func TestReadLimitedReadError(t *testing.T) {
	boom := errors.New("boom")
	got, err := ReadLimited(io.MultiReader(strings.NewReader("abc"), iotestErr{boom}), 10)
	assert.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, ErrTooLarge)
	assert.Nil(t, got)
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

func TestDrain(t *testing.T) {
	Drain(nil) // no panic

	small := &trackedCloser{Reader: strings.NewReader("abc")}
	Drain(small)
	assert.True(t, small.closed)
	n, _ := small.Read(make([]byte, 1))
	assert.Zero(t, n, "read to the end")

	// An endless body is read up to a bound, then closed.
	body := &endless{}
	Drain(body)
	assert.True(t, body.closed)
	assert.GreaterOrEqual(t, body.read, int64(drainLimit))
	assert.Less(t, body.read, int64(drainLimit)+64<<10)
}

type trackedCloser struct {
	io.Reader
	closed bool
}

func (c *trackedCloser) Close() error { c.closed = true; return nil }

func TestPutBack(t *testing.T) {
	rest := &closeRecorder{Reader: strings.NewReader(" world")}
	body := PutBack([]byte("hello"), rest)
	b, err := io.ReadAll(body)
	require.NoError(t, err)
	assert.Equal(t, "hello world", string(b))
	require.NoError(t, body.Close())
	assert.True(t, rest.closed, "Close closes the original body")
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }
