// Reading and writing the files libdgc takes and makes (snapshots, plans,
// policies, docker's config and context files), with errors that name the
// file.
//
// Example:
//   absl::StatusOr<dgc::PaddedBody> text = dgc::ReadFile("gc.json");
//   if (!text.ok()) ... "file not found: gc.json" ...
#ifndef DGC_ENGINE_FILES_H_
#define DGC_ENGINE_FILES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/json_reader.h"

namespace dgc {

// ReadFile reads a whole file, "-" meaning stdin, into a buffer ready for
// simdjson; never more than `max_bytes` (a regular file larger than that
// is not read at all). Errors: NotFound "file not found: PATH";
// FailedPrecondition for a directory; ResourceExhausted for more than
// `max_bytes`; else an error with code kIo, each naming the file.
absl::StatusOr<PaddedBody> ReadFile(std::string_view path,
                                    size_t max_bytes = SIZE_MAX);

// FileError is the error of `verb` ("read", "write") on `path` that failed
// with `error` (an errno): NotFound "file not found: PATH" for ENOENT,
// FailedPrecondition for a directory, else FailedPrecondition with code
// kIo, "cannot VERB PATH: <strerror>".
absl::Status FileError(std::string_view verb, std::string_view path, int error);

// WriteFile replaces `path` with `contents` atomically (a temporary file in
// the same directory, then rename), "-" meaning stdout. Errors (code kIo)
// name the file.
absl::Status WriteFile(std::string_view path, std::string_view contents);

}  // namespace dgc

#endif  // DGC_ENGINE_FILES_H_
