package ipcortex

import (
	"encoding/json"
	"slices"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// decoder reads the answers to the sign-in requests of an account with
// creds: it knows the mode (a key check or a password login) and the
// secrets to keep out of its errors.
type decoder struct {
	creds auth.Credentials
}

func (d decoder) stateless() bool { return d.creds.APIKey != "" }

// The values of an answer's "result".
const (
	resultSuccess = "success"
	resultFail    = "fail"
)

// answer is the document /rest/auth/ and /rest/auth/logout answer with:
// {"result":"success"|"fail","user":{...}}, and perhaps a message.
type answer struct {
	Result  string `json:"result"`
	Message text   `json:"message"`
	User    *user  `json:"user"`
}

// user is the answer's "user" object. Fields the page does not show are
// ignored.
type user struct {
	ID      userID            `json:"id"`
	Login   string            `json:"login"`
	Name    string            `json:"name"`
	Company string            `json:"company"`
	Home    string            `json:"home"`
	Session string            `json:"session"`
	Perms   map[string]string `json:"perms"`
}

// outcome is what is left of an answer whose user object cannot be read:
// enough to tell a refusal, which must not be mistaken for a broken answer.
type outcome struct {
	Result  string `json:"result"`
	Message text   `json:"message"`
}

// decodeLogin reads the answer to a login or key check: a Session, or an
// *auth.Error holding ErrInvalidCredentials for "fail" and ErrProtocol for
// anything it cannot understand.
func (d decoder) decodeLogin(resp *provider.Response) (*auth.Session, error) {
	var ans answer
	if err := json.Unmarshal(resp.Body, &ans); err != nil {
		// A refusal is a refusal whatever the rest looks like.
		var o outcome
		if json.Unmarshal(resp.Body, &o) == nil && o.Result == resultFail {
			return nil, d.refusal(resp, o.Message)
		}
		return nil, d.protocolError(auth.OpLogin, resp, d.clean(describe(err)))
	}
	switch {
	case ans.Result == resultFail:
		return nil, d.refusal(resp, ans.Message)
	case ans.Result != resultSuccess:
		return nil, d.protocolError(auth.OpLogin, resp, d.unexpected(ans.Result))
	case ans.User == nil:
		return nil, d.protocolError(auth.OpLogin, resp, `successful answer has no "user" object`)
	case ans.User.ID == "":
		return nil, d.protocolError(auth.OpLogin, resp, `user has no "id"`)
	}
	s := d.session(ans.User)
	if !d.stateless() {
		// The cookie when the answer sets one, else user.session: the page
		// shows the value in the body, browsers take the cookie.
		id := ans.User.Session
		if c := sessionCookie(resp.Header); c != "" {
			id = c
		}
		switch {
		case id == "":
			return nil, d.protocolError(auth.OpLogin, resp, "answer has no session: no Red60urne cookie and no user.session")
		case !validCookieValue(id):
			return nil, d.protocolError(auth.OpLogin, resp, "session cannot be sent back as a cookie")
		}
		s.ID = auth.Secret(id)
	}
	return s, nil
}

// decodeLogout reads the answer to the logout of s: "success", and "fail"
// (the session is gone already), both mean the session has ended.
func (d decoder) decodeLogout(resp *provider.Response, s *auth.Session) error {
	var o outcome
	if err := json.Unmarshal(resp.Body, &o); err != nil {
		return d.protocolError(auth.OpLogout, resp, d.clean(describe(err), s.ID))
	}
	if o.Result != resultSuccess && o.Result != resultFail {
		return d.protocolError(auth.OpLogout, resp, d.unexpected(o.Result, s.ID))
	}
	return nil
}

// noPerms is the Permissions of a user with none: empty, not nil, and one
// map for all, since sessions are read-only.
var noPerms = map[string]string{}

// session maps the user object onto a Session, all but its ID.
//
// Permissions and Roles are shared with the sessions of other accounts
// whose user has the same permissions (provider.SharedMap): a SaaS back
// end's integration user usually has one role on every customer's PBX.
func (d decoder) session(u *user) *auth.Session {
	perms := provider.SharedMap(u.Perms)
	if perms == nil {
		perms = noPerms // an IPCortex user with no permissions
	}
	var roles []string
	if len(perms) > 0 {
		var room [16]string // on the stack: SharedStrings keeps a copy
		names := room[:0]
		for name := range perms {
			names = append(names, name)
		}
		slices.Sort(names)
		roles = provider.SharedStrings(names)
	}
	var attrs map[string]string
	for _, kv := range [...][2]string{{"company", u.Company}, {"home", u.Home}} {
		if kv[1] != "" {
			if attrs == nil {
				attrs = make(map[string]string, 2)
			}
			attrs[kv[0]] = kv[1]
		}
	}
	username := u.Login
	if username == "" {
		username = d.creds.Username
	}
	return &auth.Session{
		Provider:    Name,
		UserID:      string(u.ID),
		Username:    username,
		Name:        u.Name,
		Roles:       roles,
		Permissions: perms,
		Attributes:  attrs,
	}
}
