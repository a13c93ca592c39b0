// The apply audit log (see audit_log.h).
#include "plugin/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"

namespace dgc {

absl::StatusOr<AuditLog> AuditLog::Open(const std::string& path) {
  int fd =
      ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "cannot open the audit log %s: %s", path, std::strerror(errno)));
  }
  return AuditLog(fd, path);
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status AuditLog::Append(std::string_view line) {
  std::string record(line);
  record.push_back('\n');
  ssize_t written;
  do {
    written = ::write(fd_, record.data(), record.size());
  } while (written < 0 && errno == EINTR);
  if (written != static_cast<ssize_t>(record.size()) || ::fsync(fd_) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "cannot write the audit log %s: %s", path_, std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace dgc
