// Reading a file on a thread of its own while the caller reads what has
// arrived (an ArrivingText): parsing a large snapshot then overlaps reading
// it, instead of waiting for it.
//
// Example:
//   absl::StatusOr<std::unique_ptr<dgc::FileReadAhead>> file =
//       dgc::FileReadAhead::Start("snapshot.json");
//   if (!file.ok()) ... "file not found: snapshot.json" ...
//   if (*file == nullptr) ... not a regular file: use ReadFile ...
//   Parse((*file)->text());
//   absl::Status read = (*file)->Finish();  // the read's own outcome
#ifndef DGC_ENGINE_FILE_READ_AHEAD_H_
#define DGC_ENGINE_FILE_READ_AHEAD_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/arriving_text.h"

namespace dgc {

class FileReadAhead {
 public:
  // Start opens `path` and, when it is a regular file of at most
  // `max_bytes`, starts reading it. nullptr for anything else that opens
  // (stdin as "-", a pipe, a directory, an empty file): ReadFile reads
  // those, and names their errors. Errors: those of ReadFile for opening
  // the file (NotFound "file not found: PATH", …) and for its size.
  static absl::StatusOr<std::unique_ptr<FileReadAhead>> Start(
      std::string_view path, size_t max_bytes = SIZE_MAX);

  // Stops reading (at the next piece) and closes the file.
  ~FileReadAhead();

  FileReadAhead(const FileReadAhead&) = delete;
  FileReadAhead& operator=(const FileReadAhead&) = delete;

  // text is the file as it arrives.
  const ArrivingText& text() const { return text_; }

  // Finish waits for the end of the reading and returns its outcome: OK
  // when the whole file arrived; else an error naming the file (with code
  // kIo), also when the file grew while it was read.
  absl::Status Finish() const;

 private:
  FileReadAhead(std::string path, int fd, size_t size);
  void Run();

  std::string path_;
  int fd_;
  size_t size_;  // as fstat gave it
  ArrivingText text_;
  std::atomic<bool> stopping_{false};
  std::thread reader_;  // last: starts once the rest exists
};

}  // namespace dgc

#endif  // DGC_ENGINE_FILE_READ_AHEAD_H_
