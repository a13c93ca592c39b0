// libdgc's own error codes: one per thing a caller can do about a failure,
// carried inside an absl::Status and exposed one to one as the C API's
// DGC_E... codes (dgc/dgc.h), so that an engine's HTTP 500, an unreadable
// answer and a bug in libdgc never look alike.
//
// Most codes follow from the absl::StatusCode (NotFound is kNotFound,
// DeadlineExceeded is kTimeout, ...); where the absl code alone is
// ambiguous, the code that made the status says which with
// WithErrorCode, stored as a payload that survives copies.
//
// Example:
//   absl::Status s = WithErrorCode(absl::InternalError("HTTP 500: ..."),
//                                  ErrorCode::kEngine);
//   ErrorCodeOf(s) == ErrorCode::kEngine;
//   ErrorCodeName(ErrorCode::kEngine) == "DGC_EENGINE";
#ifndef DGC_CORE_ERROR_CODE_H_
#define DGC_CORE_ERROR_CODE_H_

#include <string_view>

#include "absl/status/status.h"

namespace dgc {

// The values are the C API's (dgc.h); they never change once released.
enum class ErrorCode : int {
  kOk = 0,
  kInvalid = -1,       // a bad argument, policy, plan, snapshot or flag
  kNotFound = -2,      // a file, context or image that is not there
  kUnavailable = -3,   // the engine cannot be reached, or broke off
  kTimeout = -4,       // the engine did not answer in time
  kPermission = -5,    // permission denied (socket, TLS, engine auth)
  kPrecondition = -6,  // the state forbids it (engine too old, other engine)
  kEngine = -7,        // the engine answered with an error (HTTP 5xx, 400)
  kProtocol = -8,      // the engine's answer is not what its API promises
  kCancelled = -9,     // the caller asked to stop
  kResource = -10,     // out of memory, or an answer too large
  kIo = -11,           // a local file could not be read or written
  kInternal = -12,     // a bug in libdgc
};

// The lowest (most negative) code; codes run from kOk down to it.
inline constexpr ErrorCode kLastErrorCode = ErrorCode::kInternal;

// WithErrorCode returns `status` marked with `code`, which ErrorCodeOf
// then returns whatever the absl code. An OK status is returned as is.
absl::Status WithErrorCode(absl::Status status, ErrorCode code);

// Reworded returns `status` (not OK) with `message` instead of its own,
// keeping its absl code and payloads (and so its ErrorCode).
absl::Status Reworded(const absl::Status& status, std::string_view message);

// ErrorCodeOf returns the code of `status`: the one WithErrorCode set, else
// the one its absl::StatusCode implies (Internal and Unknown: kInternal).
ErrorCode ErrorCodeOf(const absl::Status& status);

// ErrorCodeName returns the C name of `code` ("DGC_ENOTFOUND"), or
// "DGC_EUNKNOWN" for a value that is not a code.
std::string_view ErrorCodeName(int code);

}  // namespace dgc

#endif  // DGC_CORE_ERROR_CODE_H_
