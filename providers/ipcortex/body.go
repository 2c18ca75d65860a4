package ipcortex

import (
	"io"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// maxBody bounds what Authorize and Refused read of a body to look inside
// it: the limit every answer has.
const maxBody = provider.MaxResponseSize

// peekLimit bounds the leading white space read while looking for a body's
// first byte.
const peekLimit = 4 << 10

// shape is what readObject found a body to be.
type shape int

const (
	notObject shape = iota // its first byte is not '{', or it is empty
	object                 // it starts with '{' and was read whole: perhaps a JSON object
	tooLarge               // it starts with '{' and is longer than maxBody
)

// readObject reads r far enough to know whether it may hold a JSON object:
// to its first byte that is not white space and, when that is '{', on to
// its end or past maxBody. A body that starts otherwise is read no further,
// so a large download is not read through. It returns what it read, which
// the caller puts back.
func readObject(r io.Reader) ([]byte, shape, error) {
	var (
		read  []byte
		chunk [512]byte
	)
	for {
		n, err := r.Read(chunk[:])
		read = append(read, chunk[:n]...)
		if i := firstNonSpace(chunk[:n]); i >= 0 {
			if chunk[i] != '{' {
				return read, notObject, nil
			}
			break
		}
		if err == io.EOF || len(read) >= peekLimit {
			return read, notObject, nil
		}
		if err != nil {
			return read, notObject, err
		}
	}
	rest, err := io.ReadAll(io.LimitReader(r, int64(maxBody+1-len(read))))
	read = append(read, rest...)
	switch {
	case err != nil:
		return read, notObject, err
	case len(read) > maxBody:
		return read, tooLarge, nil
	}
	return read, object, nil
}

// firstNonSpace returns the index of the first byte of b that is not JSON
// white space, or -1.
func firstNonSpace(b []byte) int {
	for i, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return -1
}
