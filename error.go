package trellis

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. The web and CLI edges map them to HTTP
// statuses and exit codes in one table each; nothing else inspects driver or
// transport errors.
const (
	ECONFLICT     = "conflict"     // the write collides with existing state (409)
	EFORBIDDEN    = "forbidden"    // signed in, but not allowed (403)
	EINTERNAL     = "internal"     // a fault of ours; the user sees a plain message (500)
	EINVALID      = "invalid"      // the input is malformed (400)
	ENOTFOUND     = "not_found"    // no such thing, or hidden from this actor (404)
	EUNAUTHORIZED = "unauthorized" // not signed in (401)
	ERULE         = "rule_broken"  // well-formed, but a domain rule refuses it (422)
	EUNAVAILABLE  = "unavailable"  // a dependency (database, peer) cannot be reached
)

// FieldError names one wrong field and what would be right.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the domain error: a code for machines, a message for people and,
// for input errors, the fields at fault.
type Error struct {
	Code    string
	Message string
	Details []FieldError
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns a domain error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the domain error in err's chain, EINTERNAL
// for any other error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Internal errors get a
// plain sentence so that no driver text or stack reaches a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. The error was logged; please try again."
}

// ErrorDetails returns the field errors of a domain error, if any.
func ErrorDetails(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Details
	}
	return nil
}
