package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// APIError is the sandbox's one error body, served as {"error": {…}} with the matching status:
//
//	{"error": {"status": 422, "code": "invalid_field", "message": "gender must be male or female",
//	           "field": "gender", "request_id": "…"}}
//
// Codes: invalid_request (400: unreadable body, unknown or missing parameter), unauthorized (401),
// not_found (404), method_not_allowed (405), conflict (409: the object's state forbids it),
// payload_too_large (413), invalid_field (422: a value that breaks a rule), internal (500).
type APIError struct {
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// Error returns the message.
func (e *APIError) Error() string { return e.Message }

func invalidRequest(field, format string, args ...any) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: "invalid_request", Field: field, Message: fmt.Sprintf(format, args...)}
}

func invalidField(field, format string, args ...any) *APIError {
	return &APIError{Status: http.StatusUnprocessableEntity, Code: "invalid_field", Field: field, Message: fmt.Sprintf(format, args...)}
}

func notFound(what string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: "not_found", Message: "no such " + what}
}

func conflict(format string, args ...any) *APIError {
	return &APIError{Status: http.StatusConflict, Code: "conflict", Message: fmt.Sprintf(format, args...)}
}

var errUnauthorized = &APIError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "missing, invalid or expired credentials"}

// writeError writes err as the documented body. Errors that are not *APIError are internal: logged,
// and answered with a message that reveals nothing.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			apiErr = &APIError{Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large", Message: fmt.Sprintf("request body over %d bytes", tooLarge.Limit)}
		} else {
			s.log.ErrorContext(r.Context(), "sandbox: internal error", slog.String("path", r.URL.Path), slog.Any("err", err))
			apiErr = &APIError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}
		}
	}
	body := *apiErr
	body.RequestID = w.Header().Get("X-Request-Id")
	if body.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hive"`)
	}
	writeJSON(w, body.Status, struct {
		Error APIError `json:"error"`
	}{body})
}

// writeJSON writes v as the response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"status":500,"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
