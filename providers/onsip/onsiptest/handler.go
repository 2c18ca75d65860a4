package onsiptest

import (
	"net/http"
	"time"

	"github.com/pbxauth/pbxauth/auth/authtest"
)

// The two actions the vendor's authentication page documents.
const (
	actionSessionCreate  = "SessionCreate"
	actionSessionDestroy = "SessionDestroy"
)

// maxActionName bounds an Action's length; the vendor's longest names are
// far shorter.
const maxActionName = 64

// serve answers one request: count it, wait out any delay, give the next
// injected answer if one is queued, and otherwise answer the action.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	authtest.ReadBody(r) // put back: an injected answer may read it too
	ps, status := readRequest(w, r)
	s.record(ps.get("Action"))
	if !s.Wait(r.Context()) {
		// The client gave up or the server is closing: drop the
		// connection rather than answer 200 with no document.
		panic(http.ErrAbortHandler)
	}
	if s.Serve(w, r) {
		return
	}
	if status != http.StatusOK {
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", "GET, POST")
		}
		w.WriteHeader(status)
		return
	}
	start := time.Now()
	if wantsJSON(ps) {
		writeJSON(w, s.answer(ps).renderJSON(start))
		return
	}
	writeXML(w, s.answer(ps).render(start))
}

// answer carries out the request's action and returns the document that
// reports it. OnSIP answers refusals with HTTP 200 too, so every outcome
// here is a document.
func (s *Server) answer(ps params) *response {
	action := ps.get("Action")
	switch {
	case action == "":
		return invalid(ps, apiError{"Action", "Required", "Action is required."})
	case !validActionName(action):
		return invalid(ps, apiError{"Action", "Invalid", "Action is not valid."})
	case action == actionSessionCreate:
		return s.sessionCreate(ps)
	case action == actionSessionDestroy:
		return s.sessionDestroy(ps)
	default:
		return s.otherAction(action, ps)
	}
}

// sessionCreate logs a user in. A request that lacks a parameter fails
// validation (Request/IsValid false); wrong credentials pass validation but
// the action does not complete and no session is established.
func (s *Server) sessionCreate(ps params) *response {
	username, password := ps.get("Username"), ps.get("Password")
	var missing []apiError
	if username == "" {
		missing = append(missing, apiError{"Username", "Required", "Username is required."})
	}
	if password == "" {
		missing = append(missing, apiError{"Password", "Required", "Password is required."})
	}
	if len(missing) > 0 {
		return invalid(ps, missing...)
	}
	id, a, ok := s.login(username, password)
	if !ok {
		// The same answer for an unknown user and a wrong password, so
		// the error does not reveal which usernames exist.
		return &response{
			params:     ps,
			valid:      true,
			actionErrs: []apiError{{"Password", "Authentication", "Authentication failed."}},
			result:     actionSessionCreate,
		}
	}
	return completed(ps, actionSessionCreate, &sessionInfo{id, a.userID, a.roles})
}

// sessionDestroy logs a session out. The answer to a known session reports
// no session established: the one named is gone.
func (s *Server) sessionDestroy(ps params) *response {
	id := ps.get("SessionId")
	if id == "" || !s.logout(id) {
		return invalidSession(ps)
	}
	return completed(ps, actionSessionDestroy, nil)
}

// otherAction stands for the rest of the vendor's API, which needs a live
// session; its result is empty because only the session check matters to
// an authentication library.
func (s *Server) otherAction(action string, ps params) *response {
	id := ps.get("SessionId")
	a, ok := s.lookup(id)
	if id == "" || !ok {
		return invalidSession(ps)
	}
	return completed(ps, action, &sessionInfo{id, a.userID, a.roles})
}

// validActionName reports whether name is ASCII letters and digits starting
// with a letter, as every OnSIP action name is. The name becomes an element
// of the answer, so nothing else may pass.
func validActionName(name string) bool {
	if len(name) > maxActionName {
		return false
	}
	for i, c := range []byte(name) {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return name != ""
}
