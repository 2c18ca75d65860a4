package ipcortex

import "github.com/pbxauth/pbxauth/auth/provider"

// Option changes how [New] builds an [Authenticator].
type Option func(*options)

// options are the settings Options change; the zero value is the default.
type options struct {
	keyInHeader bool
}

// optionKeyInHeader is the Config.Options name of [KeyInHeader].
const optionKeyInHeader = "key_in_header"

// read takes the settings of Config.Options, refusing names it does not
// know.
func (o *options) read(opts map[string]string) error {
	if err := provider.CheckOptions(opts, optionKeyInHeader); err != nil {
		return err
	}
	v, err := provider.BoolOption(opts, optionKeyInHeader)
	o.keyInHeader = v
	return err
}

// KeyInHeader sends the API key as the header "Authorization: token
// auth=KEY" rather than inside the JSON body: on the key check at login and
// on every request [Authenticator.Authorize] signs. IPCortex accepts the
// header from firmware 6.3.10; older firmware reads the key from the body
// only, which is why the body is the default. It has no effect with a
// password. Through auth.Open, set Config.Options["key_in_header"] = "true".
func KeyInHeader() Option {
	return func(o *options) { o.keyInHeader = true }
}
