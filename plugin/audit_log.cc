// The apply audit log (see audit_log.h).
#include "plugin/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"

namespace dgc {
namespace {

// How much of the file's end is read at a time, looking for a newline.
constexpr off_t kChunk = 4096;

// Reads `size` bytes at `offset` of `fd` into `buffer`; an error when
// fewer came (the file's error, or it shrank meanwhile).
absl::Status ReadAt(int fd, char* buffer, off_t size, off_t offset) {
  errno = 0;
  if (::pread(fd, buffer, size, offset) == size) return absl::OkStatus();
  if (errno == 0) return absl::DataLossError("the file shrank while read");
  return absl::ErrnoToStatus(errno, "read");
}

// Whether the file `fd` is empty or ends with a newline.
absl::StatusOr<bool> EndsCleanly(int fd, off_t* size) {
  struct stat status {};
  if (::fstat(fd, &status) != 0) return absl::ErrnoToStatus(errno, "fstat");
  *size = status.st_size;
  if (*size == 0) return true;
  char last = 0;
  if (absl::Status read = ReadAt(fd, &last, 1, *size - 1); !read.ok()) {
    return read;
  }
  return last == '\n';
}

// The torn last line of `fd`, or nullopt when the file ends cleanly: the
// line starts after the last newline (at 0 when there is none).
absl::StatusOr<std::optional<TornLine>> FindTornLine(int fd) {
  off_t size = 0;
  absl::StatusOr<bool> clean = EndsCleanly(fd, &size);
  if (!clean.ok()) return clean.status();
  if (*clean) return std::nullopt;
  char chunk[kChunk];
  for (off_t end = size; end > 0;) {
    off_t begin = std::max<off_t>(0, end - kChunk);
    if (absl::Status read = ReadAt(fd, chunk, end - begin, begin); !read.ok()) {
      return read;
    }
    for (off_t i = end - begin; i > 0; --i) {
      if (chunk[i - 1] == '\n') {
        uint64_t offset = static_cast<uint64_t>(begin + i);
        return TornLine{offset, static_cast<uint64_t>(size) - offset};
      }
    }
    end = begin;
  }
  return TornLine{0, static_cast<uint64_t>(size)};
}

}  // namespace

absl::StatusOr<AuditLog> AuditLog::Open(const std::string& path) {
  // Read as well as appended to: its end is looked at for a torn line.
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "cannot open the audit log %s: %s", path, std::strerror(errno)));
  }
  absl::StatusOr<std::optional<TornLine>> torn = FindTornLine(fd);
  if (!torn.ok()) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrFormat("cannot read the end of the audit log %s: %s", path,
                        torn.status().message()));
  }
  return AuditLog(fd, path, *torn);
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status AuditLog::Append(std::string_view line) {
  off_t size = 0;
  absl::StatusOr<bool> clean = EndsCleanly(fd_, &size);
  if (!clean.ok()) {
    return absl::FailedPreconditionError(
        absl::StrFormat("cannot read the end of the audit log %s: %s", path_,
                        clean.status().message()));
  }
  std::string record;
  if (!*clean) record.push_back('\n');  // never glued onto a torn line
  record.append(line);
  record.push_back('\n');
  ssize_t written;
  do {
    written = ::write(fd_, record.data(), record.size());
  } while (written < 0 && errno == EINTR);
  if (written >= 0 && written != static_cast<ssize_t>(record.size())) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "cannot write the audit log %s: only %d of %d bytes written (is the "
        "disk full?); the record is torn",
        path_, written, record.size()));
  }
  if (written < 0 || ::fsync(fd_) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "cannot write the audit log %s: %s", path_, std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string TornLineWarning(std::string_view path, const TornLine& torn) {
  return absl::StrFormat(
      "WARNING: the audit log %s ends in a torn line: %d bytes at byte offset "
      "%d without a newline (an earlier run was cut off while writing it); "
      "it is left as it is and this run's records start on a new line\n",
      path, torn.size, torn.offset);
}

}  // namespace dgc
