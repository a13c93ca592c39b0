// A file read on a thread of its own (see file_read_ahead.h).
#include "engine/file_read_ahead.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/error_code.h"
#include "engine/files.h"

namespace dgc {
namespace {

// The bytes read at once: large enough for few system calls, small enough
// that the first of them arrive at once.
constexpr size_t kPiece = size_t{4} << 20;

}  // namespace

absl::StatusOr<std::unique_ptr<FileReadAhead>> FileReadAhead::Start(
    std::string_view path, size_t max_bytes) {
  if (path == "-") return nullptr;
  std::string name(path);
  int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return FileError("read", path, errno);
    return nullptr;  // ReadFile names the error
  }
  struct stat status;
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) ||
      status.st_size <= 0 || static_cast<size_t>(status.st_size) > max_bytes) {
    ::close(fd);
    return nullptr;  // ReadFile reads it, or names what is wrong
  }
  return std::unique_ptr<FileReadAhead>(new FileReadAhead(
      std::move(name), fd, static_cast<size_t>(status.st_size)));
}

FileReadAhead::FileReadAhead(std::string path, int fd, size_t size)
    : path_(std::move(path)),
      fd_(fd),
      size_(size),
      text_(size),
      reader_([this] { Run(); }) {}

FileReadAhead::~FileReadAhead() {
  stopping_ = true;
  reader_.join();
  ::close(fd_);
}

absl::Status FileReadAhead::Finish() const {
  text_.WaitAll();
  return text_.status();
}

void FileReadAhead::Run() {
  while (text_.room() > 0) {
    if (stopping_) {
      text_.Finish(absl::CancelledError("stopped"));
      return;
    }
    ssize_t got = ::read(fd_, text_.space(), std::min(text_.room(), kPiece));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      text_.Finish(FileError("read", path_, errno));
      return;
    }
    if (got == 0) {
      // Shorter than it was: what arrived is the file (it was rewritten
      // or truncated meanwhile; its JSON says whether it is whole).
      text_.Finish(absl::OkStatus());
      return;
    }
    text_.Arrived(static_cast<size_t>(got));
  }
  char more = 0;
  ssize_t got = 0;
  do {
    got = ::read(fd_, &more, 1);
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    text_.Finish(WithErrorCode(
        absl::FailedPreconditionError(absl::StrFormat(
            "cannot read %s: it grew past %d bytes while docker gc read it; "
            "read it again once it is written",
            path_, size_)),
        ErrorCode::kIo));
    return;
  }
  text_.Finish(got < 0 ? FileError("read", path_, errno) : absl::OkStatus());
}

}  // namespace dgc
