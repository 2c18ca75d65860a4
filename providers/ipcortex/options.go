package ipcortex

// Option changes how [New] builds an [Authenticator].
type Option func(*options)

// options are the settings Options change; the zero value is the default.
type options struct {
	keyInHeader bool
}

// KeyInHeader sends the API key as the header "Authorization: token
// auth=KEY" rather than inside the JSON body: on the key check at login and
// on every request [Authenticator.Authorize] signs. IPCortex accepts the
// header from firmware 6.3.10; older firmware reads the key from the body
// only, which is why the body is the default. It has no effect with a
// password.
func KeyInHeader() Option {
	return func(o *options) { o.keyInHeader = true }
}
