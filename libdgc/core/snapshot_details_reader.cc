// A snapshot's `image_details` read on a thread of its own (see
// snapshot_details_reader.h). The worker walks the object member by member
// with a JsonCursor and parses each image's details as a document of its
// own, as the one-pass reader does for every other member.
#include "core/snapshot_details_reader.h"

#include <utility>

#include "absl/strings/str_format.h"
#include "core/json_cursor.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

// Images per batch, and batches in flight: enough to keep both threads
// busy, few enough to stay in the caches.
constexpr size_t kImagesPerBatch = 256;
constexpr size_t kBatches = 4;

}  // namespace

SnapshotDetailsReader::SnapshotDetailsReader(const ArrivingText& text,
                                             size_t begin,
                                             const std::vector<Image>& images)
    : text_(text), begin_(begin), images_(images) {
  for (size_t i = 0; i < kBatches; ++i) {
    batches_.push_back(std::make_unique<DetailsBatch>());
    batches_.back()->images.reserve(kImagesPerBatch);
    free_.push_back(batches_.back().get());
  }
  worker_ = std::thread([this] { Run(); });
}

SnapshotDetailsReader::~SnapshotDetailsReader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

const DetailsBatch* SnapshotDetailsReader::Next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (taken_ != nullptr) {
    free_.push_back(taken_);
    taken_ = nullptr;
    changed_.notify_all();
  }
  changed_.wait(lock, [this] { return !full_.empty() || finished_; });
  if (full_.empty()) return nullptr;
  taken_ = full_.front();
  full_.pop_front();
  return taken_;
}

void SnapshotDetailsReader::Run() {
  DetailsBatch* batch = TakeFree();
  absl::Status status =
      batch == nullptr ? absl::CancelledError("stopped") : ReadAll(batch);
  if (batch != nullptr && !batch->images.empty()) {
    Seal(batch);
    Publish(batch);
  }
  if (outcome_ == DetailsOutcome::kRead && !status.ok()) {
    outcome_ = DetailsOutcome::kFailed;
  }
  status_ = std::move(status);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  changed_.notify_all();
}

absl::Status SnapshotDetailsReader::ReadAll(DetailsBatch*& batch) {
  ArrivingCursor cursor(text_, begin_);
  auto consume = [&](char c) {
    return cursor.Step([c](JsonCursor& json) { return json.Consume(c); });
  };
  if (!consume('{')) {
    outcome_ = DetailsOutcome::kUnsplit;
    return Malformed(cursor, "an object");
  }
  size_t next = 0;  // the image whose details come next
  if (!consume('}')) {
    do {
      if (absl::Status s = ReadMember(cursor, next, batch); !s.ok()) return s;
      ++next;
      if (batch->images.size() == kImagesPerBatch) {
        Seal(batch);
        Publish(batch);
        batch = TakeFree();
        if (batch == nullptr) return absl::CancelledError("stopped");
      }
    } while (consume(','));
    if (!consume('}')) return Malformed(cursor, "',' or '}'");
  }
  length_ = cursor.offset();
  return absl::OkStatus();
}

// One member, `"ID": {…}`, the details of images_[next].
absl::Status SnapshotDetailsReader::ReadMember(ArrivingCursor& cursor,
                                               size_t next,
                                               DetailsBatch* batch) {
  std::string_view id, details;
  if (!cursor.Step([&](JsonCursor& json) { return json.Key(&id); })) {
    outcome_ = DetailsOutcome::kUnsplit;
    return Malformed(cursor, "an image ID");
  }
  if (!cursor.Step([](JsonCursor& json) { return json.Consume(':'); })) {
    return Malformed(cursor, "':'");
  }
  if (!cursor.Step([&](JsonCursor& json) { return json.Value(&details); })) {
    return Malformed(cursor, "a value");
  }
  if (next == images_.size() || images_[next].id != id) {
    outcome_ = DetailsOutcome::kOutOfOrder;
    return absl::CancelledError("the snapshot is not laid out for one pass");
  }
  absl::Status status = ParseEmbeddedValue(
      parser_, cursor.readable(), details,
      [&](value& v) { return ReadImage(v, images_[next], batch); });
  if (!status.ok()) return WithContext(status, json_internal::FieldContext(id));
  return absl::OkStatus();
}

// {"inspect": …, "history": …} of `image`, appended to the batch only
// when whole.
absl::Status SnapshotDetailsReader::ReadImage(value& v, const Image& image,
                                              DetailsBatch* batch) {
  ImageDetailsRecord record;
  record.first_diff_id = batch->diff_id_spans.size();
  record.first_step = batch->history.size();
  std::string_view inspect_id;
  bool has_inspect = false, has_history = false;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "inspect") {
      has_inspect = true;
      return ReadInspect(f, image, &inspect_id, &record, batch);
    }
    if (key == "history") {
      has_history = true;
      return ParseImageHistory(f, &batch->history);
    }
    return absl::OkStatus();
  });
  if (status.ok() && !has_inspect) {
    status = absl::InvalidArgumentError("missing \"inspect\"");
  }
  if (status.ok() && !has_history) {
    status = absl::InvalidArgumentError("missing \"history\"");
  }
  if (status.ok() && inspect_id.empty()) {
    status = absl::InvalidArgumentError("missing required field \"Id\"");
  }
  if (status.ok() && inspect_id != image.id) {
    status = absl::InvalidArgumentError(absl::StrFormat(
        "image %s: its inspect body is for %s", image.id, inspect_id));
  }
  if (!status.ok()) return status;
  record.diff_id_count = batch->diff_id_spans.size() - record.first_diff_id;
  record.step_count = batch->history.size() - record.first_step;
  batch->images.push_back(std::move(record));
  return absl::OkStatus();
}

// The fields of an inspect body an image needs; Config.Labels only when
// its list entry had none.
absl::Status SnapshotDetailsReader::ReadInspect(value& v, const Image& image,
                                                std::string_view* id,
                                                ImageDetailsRecord* record,
                                                DetailsBatch* batch) {
  const bool labels_from_inspect = image.labels.empty();
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Id") return ReadStringView(f, key, id);
    if (key == "Created") return ReadEngineTime(f, key, &record->created);
    if (key == "Size") return ReadInt(f, key, &record->size);
    if (key == "RootFS") {
      return ForEachField(f, [&](std::string_view name, value& layers) {
        if (name != "Layers") return absl::OkStatus();
        return ForEachElement(layers, [&](size_t, value& diff_id) {
          std::string_view text;
          if (absl::Status s = ReadStringView(diff_id, name, &text); !s.ok()) {
            return s;
          }
          batch->diff_id_spans.emplace_back(batch->diff_id_text.size(),
                                            text.size());
          batch->diff_id_text.append(text);
          batch->digests.push_back(DigestFromText(text));
          return absl::OkStatus();
        });
      });
    }
    if (key == "Config" && labels_from_inspect) {
      return ForEachField(f, [&](std::string_view name, value& labels) {
        if (name != "Labels") return absl::OkStatus();
        return ReadStringMap(labels, name, &record->labels);
      });
    }
    if (key == "Metadata") {
      return ForEachField(f, [&](std::string_view name, value& time) {
        if (name != "LastTagTime") return absl::OkStatus();
        return ReadEngineTime(time, name, &record->last_tag_time);
      });
    }
    return absl::OkStatus();
  });
}

absl::Status SnapshotDetailsReader::Malformed(const ArrivingCursor& cursor,
                                              std::string_view expected) const {
  size_t at = begin_ + cursor.offset();
  return absl::InvalidArgumentError(absl::StrFormat(
      "document: malformed JSON: expected %s at byte %d", expected, at));
}

void SnapshotDetailsReader::Seal(DetailsBatch* batch) const {
  batch->diff_ids.clear();
  batch->diff_ids.reserve(batch->diff_id_spans.size());
  std::string_view text = batch->diff_id_text;
  for (const auto& [offset, length] : batch->diff_id_spans) {
    batch->diff_ids.push_back(text.substr(offset, length));
  }
}

void SnapshotDetailsReader::Publish(DetailsBatch* batch) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    full_.push_back(batch);
  }
  changed_.notify_all();
}

DetailsBatch* SnapshotDetailsReader::TakeFree() {
  DetailsBatch* batch = nullptr;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return !free_.empty() || stopping_; });
    if (stopping_) return nullptr;
    batch = free_.front();
    free_.pop_front();
  }
  batch->images.clear();
  batch->diff_ids.clear();
  batch->digests.clear();
  batch->history.clear();
  batch->diff_id_text.clear();
  batch->diff_id_spans.clear();
  return batch;
}

}  // namespace dgc
