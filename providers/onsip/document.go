package onsip

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// document is the part of an OnSIP answer the provider reads: a Response,
// whose Context says what happened, or an Exception, whose text says what
// went wrong inside the API. The tags name no namespace, so encoding/xml
// matches elements by local name in the vendor's namespace, another one or
// none. The echoed Request/Parameters are never read: a server may echo the
// clear password there.
type document struct {
	XMLName xml.Name
	Text    string     `xml:",chardata"` // an Exception's message, CDATA or not
	Context apiContext `xml:"Context"`
}

// apiContext is a Response's Context. Booleans stay text, judged by
// isTrue and isFalse, so that " TRUE " is read as a person would.
type apiContext struct {
	Request struct {
		IsValid string
		Errors  []apiError `xml:"Errors>Error"`
	}
	Action struct {
		IsCompleted string
		Errors      []apiError `xml:"Errors>Error"`
	}
	Session struct {
		IsEstablished *string  // nil: the answer does not say
		SessionID     string   `xml:"SessionId"`
		UserID        string   `xml:"UserId"`
		Roles         []string `xml:"Roles>Role>Name"`
	}
}

// apiError is one Errors/Error element, from either list.
type apiError struct {
	Parameter string
	Code      string
	Message   string
}

// The roots an OnSIP document may have.
const (
	rootResponse  = "Response"
	rootException = "Exception"
)

// Why a body is not an OnSIP document; the texts go into auth.Error
// messages, so they quote nothing of the body.
var (
	errNotXML   = errors.New("answer is not an XML document")
	errTrailing = errors.New("answer has data after its XML document")
)

// utf8BOM may open a UTF-8 document; encoding/xml gives it as text.
var utf8BOM = []byte("\xef\xbb\xbf")

// parse reads body as exactly one XML document: a byte order mark, an
// XML declaration, comments, a DOCTYPE and white space may surround the
// root element, nothing else may. The root's name is left to the caller
// to judge.
func parse(body []byte) (*document, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	start, err := rootElement(d)
	if err != nil {
		return nil, err
	}
	doc := new(document)
	if err := d.DecodeElement(doc, &start); err != nil {
		return nil, errNotXML
	}
	if err := onlyMisc(d); err != nil {
		return nil, err
	}
	return doc, nil
}

// rootElement reads up to the root's start tag.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for first := true; ; first = false {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, errNotXML
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if first {
				t = bytes.TrimPrefix(t, utf8BOM)
			}
			if !isSpace(t) {
				return xml.StartElement{}, errNotXML
			}
		}
	}
}

// onlyMisc reads what follows the root and fails on anything but comments,
// processing instructions and white space.
func onlyMisc(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return errTrailing
		}
		switch t := tok.(type) {
		case xml.Comment, xml.ProcInst:
		case xml.CharData:
			if !isSpace(t) {
				return errTrailing
			}
		default:
			return errTrailing
		}
	}
}

func isSpace(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

// isTrue and isFalse read an OnSIP boolean: "true" or "false" in any case,
// white space around it ignored. Anything else is neither.
func isTrue(s string) bool  { return strings.EqualFold(strings.TrimSpace(s), "true") }
func isFalse(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "false") }

// firstError returns the first error either list holds, or nil.
func (c *apiContext) firstError() *apiError {
	switch {
	case len(c.Request.Errors) > 0:
		return &c.Request.Errors[0]
	case len(c.Action.Errors) > 0:
		return &c.Action.Errors[0]
	}
	return nil
}

// refusesSession reports whether either list holds an error on the
// SessionId parameter: OnSIP's way of saying it does not know the session.
func (c *apiContext) refusesSession() bool {
	for _, list := range [...][]apiError{c.Request.Errors, c.Action.Errors} {
		for _, e := range list {
			if strings.EqualFold(strings.TrimSpace(e.Parameter), sessionParam) {
				return true
			}
		}
	}
	return false
}

// saysNo reports whether the Context reports any failure at all: an error,
// or IsValid or IsCompleted false.
func (c *apiContext) saysNo() bool {
	return len(c.Request.Errors)+len(c.Action.Errors) > 0 || isFalse(c.Request.IsValid) || isFalse(c.Action.IsCompleted)
}
