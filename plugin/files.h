// Reading and writing the files commands take and make (snapshots, plans,
// policies), with errors that name the file.
#ifndef DGC_PLUGIN_FILES_H_
#define DGC_PLUGIN_FILES_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "core/json_reader.h"

namespace dgc {

// ReadFile reads a whole file, "-" meaning stdin, into a buffer ready for
// simdjson. Errors: NotFound or FailedPrecondition naming the file.
absl::StatusOr<PaddedBody> ReadFile(std::string_view path);

// WriteFile replaces `path` with `contents` atomically (a temporary file in
// the same directory, then rename), "-" meaning stdout. Errors name the
// file.
absl::Status WriteFile(std::string_view path, std::string_view contents);

}  // namespace dgc

#endif  // DGC_PLUGIN_FILES_H_
