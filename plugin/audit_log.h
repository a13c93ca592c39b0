// `apply --log FILE`: an append-only JSON-lines record of every action an
// apply performed or skipped, so a cron host keeps a history of deletions.
#ifndef DGC_PLUGIN_AUDIT_LOG_H_
#define DGC_PLUGIN_AUDIT_LOG_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dgc {

class AuditLog {
 public:
  // Open opens `path` for appending (created 0640 when missing). Errors
  // name the file.
  static absl::StatusOr<AuditLog> Open(const std::string& path);

  AuditLog(AuditLog&& other) noexcept : fd_(other.fd_), path_(other.path_) {
    other.fd_ = -1;
  }
  AuditLog& operator=(AuditLog&&) = delete;
  ~AuditLog();

  // Append writes `line` and a newline in one write (so concurrent writers
  // do not interleave within a line) and flushes it to disk.
  absl::Status Append(std::string_view line);

 private:
  AuditLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace dgc

#endif  // DGC_PLUGIN_AUDIT_LOG_H_
