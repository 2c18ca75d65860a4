package onsiptest

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Namespace is the XML namespace of every OnSIP API document.
const Namespace = "http://www.jnctn.net/ns/rest/2006-01"

// ContentType is the Content-Type of the server's documents.
const ContentType = "text/xml; charset=utf-8"

// MaskedPassword is what the API echoes in place of a Password parameter.
const MaskedPassword = "******"

const (
	xmlDeclaration = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	responseOpen   = `<Response xmlns="` + Namespace + `">` + "\n"
	// dateTimeLayout is RFC 3339 with a numeric zone ("+00:00", never
	// "Z"), as the vendor's DateTime reads.
	dateTimeLayout = "2006-01-02T15:04:05-07:00"
)

// response is what one answer reports, before it is written as a Response
// document. Its zero value is a request that failed validation.
type response struct {
	params      params
	valid       bool       // Context/Request/IsValid
	requestErrs []apiError // Context/Request/Errors
	completed   bool       // Context/Action/IsCompleted
	actionErrs  []apiError // Context/Action/Errors
	session     *sessionInfo
	result      string // the element inside Result; "" leaves Result out
}

// apiError is one Errors/Error element.
type apiError struct {
	parameter, code, message string
}

// sessionInfo fills Context/Session; nil means IsEstablished is false.
type sessionInfo struct {
	id, userID string
	roles      []string
}

// invalid reports a request whose parameters failed validation. As the
// vendor documents, such a request is never completed and has no Result.
func invalid(ps params, errs ...apiError) *response {
	return &response{params: ps, requestErrs: errs}
}

// invalidSession refuses a request whose SessionId is missing or not open.
func invalidSession(ps params) *response {
	return invalid(ps, apiError{"SessionId", "Invalid", "Session is not valid."})
}

// completed reports an action carried out, with an empty result element.
func completed(ps params, action string, session *sessionInfo) *response {
	return &response{params: ps, valid: true, completed: true, session: session, result: action}
}

// render writes the Response document: the sample's elements, order and
// two-space indentation, with Errors after the fields they qualify.
func (r *response) render(start time.Time) []byte {
	now := time.Now()
	action := el("Action", leaf("IsCompleted", strconv.FormatBool(r.completed)))
	action.add(errorsNode(r.actionErrs))
	request := el("Request",
		leaf("IsValid", strconv.FormatBool(r.valid)),
		leaf("DateTime", now.UTC().Format(dateTimeLayout)),
		leaf("Duration", strconv.FormatInt(now.Sub(start).Milliseconds(), 10)),
	)
	request.add(errorsNode(r.requestErrs))
	request.add(parametersNode(r.params))
	session := el("Session", leaf("IsEstablished", strconv.FormatBool(r.session != nil)))
	if r.session != nil {
		roles := el("Roles")
		for _, name := range r.session.roles {
			roles.add(el("Role", leaf("Name", name)))
		}
		session.add(leaf("SessionId", r.session.id), leaf("UserId", r.session.userID), roles)
	}
	kids := []*node{el("Context", action, request, session)}
	if r.result != "" {
		// result is a validated action name, safe as an element name.
		kids = append(kids, el("Result", el(r.result)))
	}

	var b bytes.Buffer
	b.WriteString(xmlDeclaration)
	b.WriteString(responseOpen)
	for _, k := range kids {
		k.write(&b, 1)
	}
	b.WriteString("</Response>\n")
	return b.Bytes()
}

// errorsNode returns the Errors element for errs, or nil for none.
func errorsNode(errs []apiError) *node {
	if len(errs) == 0 {
		return nil
	}
	n := el("Errors")
	for _, e := range errs {
		n.add(el("Error",
			leaf("Parameter", e.parameter),
			leaf("Code", e.code),
			leaf("Message", e.message),
		))
	}
	return n
}

// parametersNode echoes the request's parameters in the order received,
// masking passwords as the vendor does.
func parametersNode(ps params) *node {
	n := el("Parameters")
	for _, p := range ps {
		value := p.value
		if strings.EqualFold(p.name, "Password") {
			value = MaskedPassword
		}
		n.add(el("Parameter", leaf("Name", p.name), leaf("Value", value)))
	}
	return n
}

// node is an XML element holding either text or child elements. The
// documents are written by hand rather than with xml.MarshalIndent, which
// cannot write the sample's self-closed empty elements (<SessionCreate/>).
// Names are always constants or validated; text is always escaped.
type node struct {
	name string
	text string
	kids []*node
}

func el(name string, kids ...*node) *node { return &node{name: name, kids: kids} }

func leaf(name, text string) *node { return &node{name: name, text: text} }

// add appends the non-nil kids to n.
func (n *node) add(kids ...*node) {
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
}

// write writes n and its children, indented two spaces per depth.
func (n *node) write(b *bytes.Buffer, depth int) {
	indent := strings.Repeat("  ", depth)
	b.WriteString(indent)
	switch {
	case len(n.kids) > 0:
		b.WriteString("<" + n.name + ">\n")
		for _, k := range n.kids {
			k.write(b, depth+1)
		}
		b.WriteString(indent + "</" + n.name + ">\n")
	case n.text != "":
		b.WriteString("<" + n.name + ">")
		// EscapeText also replaces bytes that XML cannot hold, so any
		// input yields a well-formed document.
		_ = xml.EscapeText(b, []byte(n.text)) // a bytes.Buffer never fails
		b.WriteString("</" + n.name + ">\n")
	default:
		b.WriteString("<" + n.name + "/>\n")
	}
}

// writeXML sends body as a successful XML answer; OnSIP uses HTTP 200 for
// refusals as well.
func writeXML(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // a client that hung up needs no answer
}
