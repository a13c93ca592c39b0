// Reading and writing libdgc's files (see files.h).
#include "engine/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/str_format.h"
#include "core/error_code.h"

namespace dgc {
namespace {

absl::Status WriteAll(int fd, std::string_view contents) {
  while (!contents.empty()) {
    ssize_t written = ::write(fd, contents.data(), contents.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "write");
    }
    contents.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FileError(std::string_view verb, std::string_view path,
                       int error) {
  if (error == ENOENT) {
    return absl::NotFoundError(absl::StrFormat("file not found: %s", path));
  }
  std::string message =
      absl::StrFormat("cannot %s %s: %s", verb, path, std::strerror(error));
  if (error == EISDIR) return absl::FailedPreconditionError(message);
  return WithErrorCode(absl::FailedPreconditionError(message), ErrorCode::kIo);
}

absl::StatusOr<PaddedBody> ReadFile(std::string_view path, size_t max_bytes) {
  bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO
                    : ::open(std::string(path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileError("read", path, errno);
  auto too_large = [&](std::string size) {
    if (!is_stdin) ::close(fd);
    return absl::ResourceExhaustedError(
        absl::StrFormat("%s is too large: %s, more than the %d bytes it may "
                        "have",
                        is_stdin ? "stdin" : path, size, max_bytes));
  };
  PaddedBody body;
  // A file's size is known: one allocation, read into in place (and one
  // byte more, to see the end); nothing is read when it is too large.
  size_t expected = 0;
  if (struct stat status; ::fstat(fd, &status) == 0 &&
                          S_ISREG(status.st_mode) && status.st_size > 0) {
    expected = static_cast<size_t>(status.st_size);
    if (expected > max_bytes) {
      return too_large(absl::StrFormat("%d bytes", expected));
    }
  }
  for (;;) {
    size_t have = body.view().size();
    size_t chunk = expected >= have ? expected - have + 1 : size_t{1} << 16;
    ssize_t got = ::read(fd, body.Space(chunk), chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int error = errno;
      if (!is_stdin) ::close(fd);
      return FileError("read", path, error);
    }
    if (got == 0) break;
    if (static_cast<size_t>(got) > max_bytes - have) return too_large("larger");
    body.Commit(static_cast<size_t>(got));
  }
  if (!is_stdin) ::close(fd);
  return body;
}

absl::Status WriteFile(std::string_view path, std::string_view contents) {
  if (path == "-") {
    absl::Status status = WriteAll(STDOUT_FILENO, contents);
    if (!status.ok()) return FileError("write", "stdout", errno);
    return absl::OkStatus();
  }
  std::string target(path);
  std::string temporary = target + ".tmp-XXXXXX";
  int fd = ::mkstemp(temporary.data());
  if (fd < 0) return FileError("write", path, errno);
  ::fchmod(fd, 0644);  // mkstemp makes 0600; these files are not secret
  absl::Status status = WriteAll(fd, contents);
  int error = errno;
  if (status.ok() && ::fsync(fd) != 0) {
    status = absl::InternalError("fsync");
    error = errno;
  }
  ::close(fd);
  if (status.ok() && ::rename(temporary.c_str(), target.c_str()) != 0) {
    status = absl::InternalError("rename");
    error = errno;
  }
  if (!status.ok()) {
    ::unlink(temporary.c_str());
    return FileError("write", path, error);
  }
  return absl::OkStatus();
}

}  // namespace dgc
