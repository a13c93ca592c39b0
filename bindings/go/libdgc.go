package dgc

// The mechanics every call into libdgc shares: linking, the version check,
// return codes to *Error, C strings and dgc_buf documents.

/*
#cgo pkg-config: libdgc
#include <dgc/dgc.h>
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// The libdgc version this binding is written for, as MAJOR.MINOR: while
// libdgc is 0.x, each minor version may change the ABI.
const (
	wantMajor = 0
	wantMinor = 2
)

var (
	libraryChecked sync.Once
	libraryErr     error
)

// Version returns the version of the libdgc found at run time, e.g.
// "0.2.0".
func Version() string {
	return C.GoString(C.dgc_version())
}

// checkLibrary fails with ErrCodePrecondition when the libdgc found at run
// time is not the version this binding is written for.
func checkLibrary() error {
	libraryChecked.Do(func() {
		libraryErr = checkVersion(int(C.dgc_version_number()), Version())
	})
	return libraryErr
}

// checkVersion fails with ErrCodePrecondition unless number, a libdgc
// version as dgc_version_number encodes it (MAJOR * 1000000 + MINOR * 1000
// + PATCH) and whose text is version, is the MAJOR.MINOR this binding is
// written for.
func checkVersion(number int, version string) error {
	if number/1000000 == wantMajor && number/1000%1000 == wantMinor {
		return nil
	}
	return newError(ErrCodePrecondition, fmt.Sprintf(
		"libdgc %s is loaded, but this Go binding needs libdgc %d.%d",
		version, wantMajor, wantMinor))
}

// newError returns an *Error with the given code, named by libdgc.
func newError(code int, message string) *Error {
	name := C.GoString(C.dgc_error_name(C.int(code)))
	return &Error{Code: code, Name: name, Message: message}
}

// call runs f, one libdgc call, and returns its failure as an *Error.
// libdgc keeps the message per thread, so f and the reading of the message
// run locked to one OS thread.
func call(f func() C.int) error {
	if err := checkLibrary(); err != nil {
		return err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if code := f(); code != C.DGC_OK {
		return newError(int(code), C.GoString(C.dgc_error_last()))
	}
	return nil
}

// cString returns s as a C string for the caller to release with C.free,
// or NULL when s is "" (libdgc's "use the default").
func cString(s string) *C.char {
	if s == "" {
		return nil
	}
	return C.CString(s)
}

// readDocument decodes into a new T the JSON document that write, a libdgc
// call, puts in a dgc_buf.
func readDocument[T any](write func(*C.dgc_buf) C.int) (*T, error) {
	var buf C.dgc_buf
	if err := call(func() C.int { return write(&buf) }); err != nil {
		return nil, err
	}
	defer C.dgc_buf_dispose(&buf)
	return decode[T](unsafe.Slice((*byte)(unsafe.Pointer(buf.ptr)), buf.size))
}

// decode reads one of libdgc's JSON documents into a new T; it failing is a
// bug in libdgc or in this binding.
func decode[T any](text []byte) (*T, error) {
	doc := new(T)
	if err := json.Unmarshal(text, doc); err != nil {
		return nil, newError(ErrCodeInternal,
			fmt.Sprintf("reading libdgc's JSON as %T: %v", doc, err))
	}
	return doc, nil
}
