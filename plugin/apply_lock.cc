// One apply at a time, with flock(2) (see apply_lock.h).
#include "plugin/apply_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"

namespace dgc {

absl::StatusOr<ApplyLock> ApplyLock::Acquire(const std::string& path,
                                             absl::Duration timeout) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "cannot open the lock file %s: %s", path, std::strerror(errno)));
  }
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return ApplyLock(fd);
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int error = errno;
      ::close(fd);
      return absl::FailedPreconditionError(
          absl::StrFormat("cannot lock %s: %s", path, std::strerror(error)));
    }
    if (absl::Now() >= deadline) {
      ::close(fd);
      return absl::FailedPreconditionError(
          absl::StrFormat("another docker gc apply holds %s", path));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

ApplyLock::~ApplyLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace dgc
