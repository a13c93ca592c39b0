// `apply --lock FILE`: one apply at a time per engine, with flock(2). The
// lock is released when the ApplyLock is destroyed or the process ends.
#ifndef DGC_PLUGIN_APPLY_LOCK_H_
#define DGC_PLUGIN_APPLY_LOCK_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dgc {

class ApplyLock {
 public:
  // Acquire takes the lock on `path` (created when missing), waiting up to
  // `timeout` for another holder. Errors: FailedPrecondition "another
  // docker gc apply holds PATH" when still held; the file's error when it
  // cannot be opened.
  static absl::StatusOr<ApplyLock> Acquire(const std::string& path,
                                           absl::Duration timeout);

  ApplyLock(ApplyLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ApplyLock& operator=(ApplyLock&&) = delete;
  ~ApplyLock();

 private:
  explicit ApplyLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace dgc

#endif  // DGC_PLUGIN_APPLY_LOCK_H_
