package ipcortex

import "github.com/pbxauth/pbxauth/auth/provider"

// maxBody bounds what Authorize and Refused read of a body to look inside
// it: the limit every answer has.
const maxBody = provider.MaxResponseSize

// peekLimit bounds the leading white space read while looking for a body's
// first byte.
const peekLimit = 4 << 10

// shape is what readJSON found a body to be.
type shape int

const (
	notObject shape = iota // its first byte is not '{', or it is empty
	object                 // it starts with '{' and was read whole: perhaps a JSON object
	tooLarge               // it starts with '{' and is longer than maxBody
)
