package onsiptest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// JSONContentType is the Content-Type of the server's JSON documents.
const JSONContentType = "application/json"

// The API answers JSON instead of XML when a call carries Output=json: the
// same tree, its root an object named Response, booleans and numbers as
// strings, an element that may repeat an object when it holds one and an
// array when it holds more.

// wantsJSON reports whether the request asked for a JSON answer.
func wantsJSON(ps params) bool { return strings.EqualFold(ps.get("Output"), "json") }

// renderJSON writes the Response document as JSON.
func (r *response) renderJSON(start time.Time) []byte {
	now := time.Now()
	ctx := map[string]any{
		"Action": withErrors(map[string]any{"IsCompleted": strconv.FormatBool(r.completed)}, r.actionErrs),
		"Request": withErrors(map[string]any{
			"IsValid":    strconv.FormatBool(r.valid),
			"DateTime":   now.UTC().Format(dateTimeLayout),
			"Duration":   strconv.FormatInt(now.Sub(start).Milliseconds(), 10),
			"Parameters": map[string]any{"Parameter": oneOrMany(jsonParameters(r.params))},
		}, r.requestErrs),
	}
	session := map[string]any{"IsEstablished": strconv.FormatBool(r.session != nil)}
	if r.session != nil {
		roles := make([]any, len(r.session.roles))
		for i, name := range r.session.roles {
			roles[i] = map[string]string{"Name": name}
		}
		session["SessionId"], session["UserId"] = r.session.id, r.session.userID
		session["Roles"] = map[string]any{"Role": oneOrMany(roles)}
	}
	ctx["Session"] = session
	doc := map[string]any{"Context": ctx}
	if r.result != "" {
		doc["Result"] = map[string]any{r.result: map[string]any{}}
	}
	b, err := json.Marshal(map[string]any{"Response": doc})
	if err != nil {
		panic("onsiptest: cannot encode an answer: " + err.Error()) // strings and maps always encode
	}
	return b
}

// withErrors adds errs to an element as its Errors/Error, when there are
// any.
func withErrors(element map[string]any, errs []apiError) map[string]any {
	if len(errs) == 0 {
		return element
	}
	list := make([]any, len(errs))
	for i, e := range errs {
		list[i] = map[string]string{"Parameter": e.parameter, "Code": e.code, "Message": e.message}
	}
	element["Errors"] = map[string]any{"Error": oneOrMany(list)}
	return element
}

// jsonParameters echoes the request's parameters in order, masking
// passwords as the vendor does.
func jsonParameters(ps params) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		value := p.value
		if strings.EqualFold(p.name, "Password") {
			value = MaskedPassword
		}
		out[i] = map[string]string{"Name": p.name, "Value": value}
	}
	return out
}

// oneOrMany is how the vendor writes a list in JSON: one item alone, more
// in an array.
func oneOrMany(items []any) any {
	if len(items) == 1 {
		return items[0]
	}
	return items
}

// writeJSON sends body as a successful JSON answer.
func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", JSONContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // a client that hung up needs no answer
}
