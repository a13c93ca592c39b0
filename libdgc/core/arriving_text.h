// A document whose bytes arrive while it is being read: a file read on one
// thread while others parse what has arrived. The producer fills the
// storage in order and publishes how far it got; readers wait for the
// bytes they need. What a reader may read always has SIMDJSON_PADDING
// readable bytes after it (bytes that arrived, or the padding once all
// did), so a value found in it can be handed to simdjson in place.
//
// Example:
//   dgc::ArrivingText text(file_size);            // producer thread:
//   text.Arrived(::read(fd, text.space(), n));    //   … in a loop, then
//   text.Finish(absl::OkStatus());
//   std::string_view part = text.WaitBeyond(0);   // reader thread
//
// ArrivingCursor walks such a text with a JsonCursor, waiting for more of
// it when a step runs out:
//   dgc::ArrivingCursor cursor(text, 0);
//   if (!cursor.Step([](dgc::JsonCursor& c) { return c.Consume('{'); })) …
#ifndef DGC_CORE_ARRIVING_TEXT_H_
#define DGC_CORE_ARRIVING_TEXT_H_

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string_view>

#include "absl/status/status.h"
#include "core/json_cursor.h"
#include "core/json_reader.h"

namespace dgc {

class ArrivingText {
 public:
  // A text that has arrived whole already: `body`, which must outlive this.
  explicit ArrivingText(const PaddedBody& body);
  // A text of at most `capacity` bytes, to arrive.
  explicit ArrivingText(size_t capacity);

  ArrivingText(const ArrivingText&) = delete;
  ArrivingText& operator=(const ArrivingText&) = delete;

  // ---- the producer's side (one thread) ----
  // space is where the next bytes go; room() how many more fit.
  char* space();
  size_t room() const;
  // Arrived publishes the next `bytes` bytes written at space() (at most
  // room()).
  void Arrived(size_t bytes);
  // Finish ends the text: no more bytes come. A non-OK `status` says why
  // the text is incomplete (a read error); readers get it from status().
  void Finish(absl::Status status);

  // ---- the readers' side (any threads) ----
  // WaitBeyond waits until more than `bytes` bytes may be read, or until
  // the text ended, and returns the text that may be read now (all of it
  // once it ended).
  std::string_view WaitBeyond(size_t bytes) const;
  // WaitAll waits until the text ended; then whole() and status() hold.
  void WaitAll() const { WaitBeyond(SIZE_MAX); }
  // AllOf tells whether the text ended and `part` (a text a Wait
  // returned) is all of it.
  bool AllOf(std::string_view part) const;
  // data is where the text begins (its bytes may not all have arrived).
  const char* data() const { return data_; }

  // After WaitAll: the whole text, and whether it all arrived.
  const PaddedBody& whole() const { return *body_; }
  absl::Status status() const;

 private:
  // The bytes readers may read when `arrived` have: those followed by
  // SIMDJSON_PADDING arrived bytes, or all once the text ended.
  size_t Readable() const;

  PaddedBody owned_;         // the storage of a text to arrive
  const PaddedBody* body_;   // the whole text: *body or owned_
  const char* data_;         // where the text begins
  char* storage_ = nullptr;  // the same, for the producer
  size_t capacity_ = 0;
  size_t produced_ = 0;  // the producer's own count
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  size_t arrived_ = 0;   // guarded by mutex_
  bool ended_ = false;   // guarded by mutex_
  absl::Status status_;  // guarded by mutex_
};

// A JsonCursor over an ArrivingText from byte `begin` on. A step that runs
// out of text (JsonCursor::ran_out) while more may come waits for more and
// runs again from where it began, so each step sees what a cursor over the
// whole text would.
class ArrivingCursor {
 public:
  ArrivingCursor(const ArrivingText& text, size_t begin);

  // Step runs `step(cursor)`, a JsonCursor operation (or a few), and
  // returns its result.
  template <typename StepFunction>
  bool Step(StepFunction&& step) {
    for (;;) {
      size_t from = cursor_.offset();
      bool taken = step(cursor_);
      if (!cursor_.ran_out() || text_.AllOf(readable_)) return taken;
      Grow(from);
    }
  }

  // Advance moves the cursor `bytes` further (past a value another reader
  // took from where this cursor stands); those bytes must have arrived.
  void Advance(size_t bytes);

  // AtEnd waits for the whole text, then tells whether only whitespace is
  // left.
  bool AtEnd();

  // offset is where the cursor stands, counted from `begin`.
  size_t offset() const { return cursor_.offset(); }
  // readable is the text from its start that may be read now: a value the
  // cursor took lies in it, followed by SIMDJSON_PADDING readable bytes.
  std::string_view readable() const { return readable_; }

 private:
  // Grow waits for more text and sets the cursor over it at `from`.
  void Grow(size_t from);
  // Reset sets the cursor over readable_ at `offset` (from begin_).
  void Reset(size_t offset);

  const ArrivingText& text_;
  size_t begin_;
  std::string_view readable_;
  JsonCursor cursor_;
};

}  // namespace dgc

#endif  // DGC_CORE_ARRIVING_TEXT_H_
