package onsiptest

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// maxRequestBody bounds how much of a request body the server reads.
const maxRequestBody = 1 << 20

// param is one request parameter. OnSIP echoes parameters in the order
// received, which url.Values does not keep, hence a slice.
type param struct {
	name, value string
}

type params []param

// get returns the first value of the parameter name, or "". Body values
// come before query values, so the body wins, as with Request.FormValue.
func (ps params) get(name string) string {
	for _, p := range ps {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

// readRequest checks the path and method and returns the request's
// parameters in order: those of a form body (URL-encoded, as curl sends,
// or multipart, as the browser FormData sample sends), then those of the
// query string. The status is 200 when the request can be answered.
func readRequest(w http.ResponseWriter, r *http.Request) (params, int) {
	if r.URL.Path != "/api" && r.URL.Path != "/api/" {
		return nil, http.StatusNotFound
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, http.StatusMethodNotAllowed
	}
	var ps params
	if r.Method == http.MethodPost {
		var err error
		if ps, err = readBody(http.MaxBytesReader(w, r.Body, maxRequestBody), r.Header.Get("Content-Type")); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, http.StatusRequestEntityTooLarge
			}
			return nil, http.StatusBadRequest
		}
	}
	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, http.StatusBadRequest
	}
	return append(ps, query...), http.StatusOK
}

// readBody parses a form body. Other content types carry no parameters,
// as net/http's ParseForm treats them.
func readBody(body io.Reader, contentType string) (params, error) {
	mediaType, mediaParams, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, nil
	}
	switch mediaType {
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		return parseQuery(string(b))
	case "multipart/form-data":
		return parseMultipart(multipart.NewReader(body, mediaParams["boundary"]))
	default:
		return nil, nil
	}
}

// parseQuery splits URL-encoded text into parameters, keeping their order.
func parseQuery(s string) (params, error) {
	var ps params
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return nil, err
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, err
		}
		ps = append(ps, param{name, value})
	}
	return ps, nil
}

// parseMultipart reads the form fields of a multipart body in order.
func parseMultipart(mr *multipart.Reader) (params, error) {
	var ps params
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return ps, nil
		}
		if err != nil {
			return nil, err
		}
		value, err := io.ReadAll(part)
		if err != nil {
			return nil, err
		}
		if name := part.FormName(); name != "" {
			ps = append(ps, param{name, string(value)})
		}
	}
}
