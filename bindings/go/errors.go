package dgc

import "errors"

// libdgc's return codes (DGC_E... in <dgc/dgc.h>); their values never
// change. Error.Code holds one of them.
const (
	// ErrCodeInvalid: a bad argument, policy, plan, snapshot or JSON text;
	// fix the input (the message names the file, rule and field).
	ErrCodeInvalid = -1
	// ErrCodeNotFound: a file, docker context or image that is not there.
	ErrCodeNotFound = -2
	// ErrCodeUnavailable: the engine cannot be reached or broke off its
	// answer; check that the daemon runs and the host is right.
	ErrCodeUnavailable = -3
	// ErrCodeTimeout: the engine did not answer in time.
	ErrCodeTimeout = -4
	// ErrCodePermission: permission denied (the socket, TLS material, the
	// engine's auth).
	ErrCodePermission = -5
	// ErrCodePrecondition: the state forbids it (an engine too old or too
	// new, a plan made for another engine, an image store whose bytes
	// cannot be accounted exactly, a libdgc of another version); retrying
	// the same call will not help.
	ErrCodePrecondition = -6
	// ErrCodeEngine: the engine answered with an error of its own.
	ErrCodeEngine = -7
	// ErrCodeProtocol: the engine's answer is not what its API promises.
	ErrCodeProtocol = -8
	// ErrCodeCancelled: the caller cancelled the call.
	ErrCodeCancelled = -9
	// ErrCodeResource: out of memory, or an answer larger than libdgc
	// accepts.
	ErrCodeResource = -10
	// ErrCodeIO: a local file could not be read or written.
	ErrCodeIO = -11
	// ErrCodeInternal: a bug in libdgc or in this binding; please report it
	// with the message.
	ErrCodeInternal = -12
)

// Error is a libdgc failure.
type Error struct {
	Code    int    // one of the ErrCode... constants
	Name    string // the code's name in <dgc/dgc.h>, e.g. "DGC_ENOTFOUND"
	Message string // names the endpoint, file, rule or field at fault
}

// Error returns the code's name and the message, e.g.
// "DGC_ENOTFOUND: file not found: gc.json".
func (e *Error) Error() string {
	return e.Name + ": " + e.Message
}

// HasCode reports whether err is, or wraps, an *Error with the given code.
func HasCode(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
