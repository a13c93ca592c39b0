// `apply --log FILE`: an append-only JSON-lines record of every action an
// apply performed or skipped, so a cron host keeps a history of deletions.
//
// Each record is one line written with one write(2) on a file opened with
// O_APPEND, so a record can only be cut short at the end of the file: when
// the process dies in that write, or the disk fills up, or the machine
// loses power before the data reached the disk. Such a torn last line (no
// newline at its end) is found when the log is opened again: torn() says
// where it starts, the caller warns, and the next record starts on a new
// line, so it is never glued onto the torn one. The torn bytes stay as
// they are (they are evidence); a reader skips a line that does not parse.
//
// Example:
//   absl::StatusOr<dgc::AuditLog> log = dgc::AuditLog::Open(path);
//   if (log->torn()) std::cerr << dgc::TornLineWarning(path, *log->torn());
//   log->Append(R"({"op":"delete",...})");
#ifndef DGC_PLUGIN_AUDIT_LOG_H_
#define DGC_PLUGIN_AUDIT_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dgc {

// A last line without its newline: where it starts in the file, and its
// length in bytes.
struct TornLine {
  uint64_t offset = 0;
  uint64_t size = 0;
};

class AuditLog {
 public:
  // Open opens `path` for appending (created 0640 when missing) and finds
  // a torn last line, if any (torn()). Errors name the file.
  static absl::StatusOr<AuditLog> Open(const std::string& path);

  AuditLog(AuditLog&& other) noexcept
      : fd_(other.fd_), path_(other.path_), torn_(other.torn_) {
    other.fd_ = -1;
  }
  AuditLog& operator=(AuditLog&&) = delete;
  ~AuditLog();

  // torn returns the torn last line Open found, or nullopt when the file
  // was empty or ended with a newline.
  const std::optional<TornLine>& torn() const { return torn_; }

  // Append writes `line` and a newline in one write (so concurrent writers
  // do not interleave within a line) and flushes it to disk. When the file
  // does not end with a newline at that moment (a torn line), the write
  // starts with one. Errors (the file's, or a short write: the disk is
  // full) name the file.
  absl::Status Append(std::string_view line);

 private:
  AuditLog(int fd, std::string path, std::optional<TornLine> torn)
      : fd_(fd), path_(std::move(path)), torn_(torn) {}
  int fd_;
  std::string path_;
  std::optional<TornLine> torn_;
};

// TornLineWarning returns the warning (a line for stderr) that the audit
// log `path` ends in `torn`.
std::string TornLineWarning(std::string_view path, const TornLine& torn);

}  // namespace dgc

#endif  // DGC_PLUGIN_AUDIT_LOG_H_
