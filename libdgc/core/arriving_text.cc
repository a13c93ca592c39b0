// A document whose bytes arrive while it is read (see arriving_text.h).
#include "core/arriving_text.h"

#include <algorithm>
#include <utility>

namespace dgc {

ArrivingText::ArrivingText(const PaddedBody& body)
    : body_(&body),
      data_(body.view().data()),
      capacity_(body.view().size()),
      produced_(body.view().size()),
      arrived_(body.view().size()),
      ended_(true) {}

ArrivingText::ArrivingText(size_t capacity)
    : body_(&owned_), capacity_(capacity) {
  storage_ = owned_.Space(capacity);
  data_ = storage_;
}

char* ArrivingText::space() { return storage_ + produced_; }

size_t ArrivingText::room() const { return capacity_ - produced_; }

void ArrivingText::Arrived(size_t bytes) {
  produced_ += bytes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    arrived_ = produced_;
  }
  changed_.notify_all();
}

void ArrivingText::Finish(absl::Status status) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (storage_ != nullptr) owned_.Commit(produced_);
    arrived_ = produced_;
    ended_ = true;
    status_ = std::move(status);
  }
  changed_.notify_all();
}

std::string_view ArrivingText::WaitBeyond(size_t bytes) const {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return ended_ || Readable() > bytes; });
  return {data_, Readable()};
}

bool ArrivingText::AllOf(std::string_view part) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ended_ && part.size() == arrived_;
}

absl::Status ArrivingText::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

size_t ArrivingText::Readable() const {
  if (ended_) return arrived_;
  constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;
  return arrived_ > kPadding ? arrived_ - kPadding : 0;
}

ArrivingCursor::ArrivingCursor(const ArrivingText& text, size_t begin)
    : text_(text),
      begin_(begin),
      readable_(text.WaitBeyond(begin)),
      cursor_(readable_.substr(std::min(begin, readable_.size()))) {}

void ArrivingCursor::Advance(size_t bytes) {
  size_t offset = cursor_.offset() + bytes;
  if (begin_ + offset > readable_.size()) {
    readable_ = text_.WaitBeyond(begin_ + offset - 1);
  }
  Reset(offset);
}

bool ArrivingCursor::AtEnd() {
  size_t offset = cursor_.offset();
  text_.WaitAll();
  readable_ = text_.WaitBeyond(0);
  Reset(offset);
  return cursor_.AtEnd();
}

void ArrivingCursor::Grow(size_t from) {
  // At least 1 MiB more, and as much again as the step has looked at, so
  // that a long value is scanned again only a few times.
  constexpr size_t kLeast = size_t{1} << 20;
  size_t looked_at =
      readable_.size() - std::min(readable_.size(), begin_ + from);
  readable_ = text_.WaitBeyond(readable_.size() + std::max(looked_at, kLeast));
  Reset(from);
}

void ArrivingCursor::Reset(size_t offset) {
  cursor_ = JsonCursor(readable_.substr(std::min(begin_, readable_.size())));
  cursor_.Advance(offset);
}

}  // namespace dgc
