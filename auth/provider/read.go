package provider

import "io"

// firstRead is the buffer ReadStart begins with for a body whose length it
// cannot trust yet: one that does not say it, or one that start has still
// to judge. It doubles from there.
const firstRead = 4 << 10

// judgeRead bounds each read while start has not judged a body, so that
// little more than the bytes it needed is taken from a body it rules out.
const judgeRead = 512

// ReadStart reads r, a body of length bytes (negative: unknown), into one
// buffer, for an Authorize or a Refused that must look inside a body
// before passing it on: to its end, or to one byte past limit, whichever
// comes first. length is only a hint, since a body may hold more or less;
// a known length sizes the buffer once, with a byte to spare so that the
// read which meets the end needs no other, and room bytes more for the
// caller to append without another buffer.
//
// With start not nil, the body is read only as far as start needs to rule
// it out: start is asked about the bytes read so far after every read,
// until it knows (known) whether the body may be one the caller wants
// (may). Until then a few KiB hold the body, whatever its length says, and
// a read takes at most 512 bytes. A body ruled out is read no further and
// its error, if any, is left in r for whoever reads on: a download whose
// first bytes show it cannot be the document the caller looks for is
// neither pulled into memory nor given a buffer of its Content-Length.
// With start nil, the body is read to its end or past limit.
//
// whole reports that r is at its end. err is the error other than io.EOF
// that stopped a body start had not ruled out. The caller puts the bytes
// read back (see [PutBack]) when it passes the body on.
func ReadStart(r io.Reader, length int64, limit, room int, start func(read []byte) (known, may bool)) (read []byte, whole bool, err error) {
	sized := length >= 0 && length <= int64(limit)
	judging := start != nil
	size := firstRead
	if sized && (!judging || length < firstRead) {
		size = int(length) + 1
	}
	buf := make([]byte, 0, size+room)
	for {
		if len(buf) > limit {
			return buf, false, nil
		}
		if len(buf) == cap(buf) {
			buf = grow(buf, min(max(2*cap(buf), firstRead), limit+1+room))
		}
		end := min(cap(buf), limit+1)
		if judging {
			end = min(end, len(buf)+judgeRead)
		}
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if judging {
			known, may := start(buf)
			if known && !may {
				return buf, err == io.EOF, nil
			}
			if known {
				judging = false
				if want := int(length) + 1 + room; sized && cap(buf) < want {
					buf = grow(buf, want) // the body may be wanted: now its length sizes the buffer
				}
			}
		}
		switch {
		case err == io.EOF:
			return buf, true, nil
		case err != nil:
			return buf, false, err
		}
	}
}

// grow returns buf's bytes in a new buffer of capacity size.
func grow(buf []byte, size int) []byte {
	grown := make([]byte, len(buf), size)
	copy(grown, buf)
	return grown
}

// SkipSpace returns the index of b's first byte that is not white space
// as JSON and XML agree on it (space, tab, carriage return, line feed), or
// len(b): where a document's first byte, which tells its format, stands.
func SkipSpace(b []byte) int {
	for i, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return len(b)
}
