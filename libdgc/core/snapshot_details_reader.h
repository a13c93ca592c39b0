// Reading a snapshot's `image_details` member on a thread of its own, so
// that parsing the images' details (walking the text, simdjson, the fields)
// overlaps the building of the inventory (interning their layers) on the
// caller's thread. The worker hands the images over in batches, in the
// document's order, through a few reused buffers: the memory stays a few
// batches whatever the number of images.
//
// Example:
//   dgc::SnapshotDetailsReader reader(text, details_offset, inv.images);
//   while (const dgc::DetailsBatch* batch = reader.Next()) {
//     for (const dgc::ImageDetailsRecord& record : batch->images) ...;
//   }
//   if (reader.outcome() != dgc::DetailsOutcome::kRead) ...;
#ifndef DGC_CORE_SNAPSHOT_DETAILS_READER_H_
#define DGC_CORE_SNAPSHOT_DETAILS_READER_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/arriving_text.h"
#include "core/digest.h"
#include "core/engine_bodies.h"
#include "core/inventory.h"
#include "core/json_reader.h"

namespace dgc {

// One image's details, parsed: what its inspect and history add to its
// list entry. Its diff IDs and history lie in its batch.
struct ImageDetailsRecord {
  absl::Time created = absl::InfinitePast();        // InfinitePast: not said
  absl::Time last_tag_time = absl::InfinitePast();  // InfinitePast: never
  int64_t size = 0;                                 // inspect Size
  size_t first_diff_id = 0, diff_id_count = 0;      // in the batch's diff_ids
  size_t first_step = 0, step_count = 0;            // in the batch's history
  // Config.Labels, read only for an image whose list entry had none.
  Labels labels;
};

// Consecutive images' details.
struct DetailsBatch {
  std::vector<ImageDetailsRecord> images;
  std::vector<std::string_view> diff_ids;      // views into diff_id_text
  std::vector<std::optional<Digest>> digests;  // DigestFromText of each
  std::vector<HistoryEntry> history;

  absl::Span<const std::string_view> DiffIds(
      const ImageDetailsRecord& r) const {
    return absl::MakeConstSpan(diff_ids).subspan(r.first_diff_id,
                                                 r.diff_id_count);
  }
  absl::Span<const std::optional<Digest>> Digests(
      const ImageDetailsRecord& r) const {
    return absl::MakeConstSpan(digests).subspan(r.first_diff_id,
                                                r.diff_id_count);
  }
  absl::Span<const HistoryEntry> History(const ImageDetailsRecord& r) const {
    return absl::MakeConstSpan(history).subspan(r.first_step, r.step_count);
  }

 private:
  friend class SnapshotDetailsReader;
  std::string diff_id_text;  // the diff IDs, in a row
  std::vector<std::pair<size_t, size_t>> diff_id_spans;  // offset, length
};

// How the reading of `image_details` ended.
enum class DetailsOutcome {
  kRead,        // every member read, the object closed
  kFailed,      // malformed or invalid: status() says where
  kOutOfOrder,  // an image not the next one of the list
  kUnsplit,     // not an object, or an image ID with escapes: no one pass
};

class SnapshotDetailsReader {
 public:
  // Starts reading, on a thread of its own, the object that starts at
  // byte `begin` of `text` (the `image_details` value, as it arrives),
  // whose members must be the details of `images` in their order. `text`
  // and `images` (their IDs and labels) must stay, unchanged except for
  // images whose records were handed over, until the reader is destroyed.
  SnapshotDetailsReader(const ArrivingText& text, size_t begin,
                        const std::vector<Image>& images);
  // Stops the worker (at once when Next() did not reach the end) and joins
  // it.
  ~SnapshotDetailsReader();

  SnapshotDetailsReader(const SnapshotDetailsReader&) = delete;
  SnapshotDetailsReader& operator=(const SnapshotDetailsReader&) = delete;

  // Next waits for the next batch, in the document's order, and returns it;
  // the batch returned before goes back to the worker. nullptr once every
  // batch was taken: then outcome(), status() and length() are final.
  const DetailsBatch* Next();

  DetailsOutcome outcome() const { return outcome_; }
  // The error of kFailed, naming the image and the field, or where the
  // text is malformed (a byte offset in `text`).
  const absl::Status& status() const { return status_; }
  // How many bytes from `begin` the object took (kRead only).
  size_t length() const { return length_; }

 private:
  void Run();
  absl::Status ReadAll(DetailsBatch*& batch);
  absl::Status ReadMember(ArrivingCursor& cursor, size_t next,
                          DetailsBatch* batch);
  absl::Status ReadImage(simdjson::ondemand::value& v, const Image& image,
                         DetailsBatch* batch);
  absl::Status ReadInspect(simdjson::ondemand::value& v, const Image& image,
                           std::string_view* id, ImageDetailsRecord* record,
                           DetailsBatch* batch);
  absl::Status Malformed(const ArrivingCursor& cursor,
                         std::string_view expected) const;
  // Worker side of the hand-over: Publish passes a full batch on, TakeFree
  // waits for an empty one (nullptr when the reader is being destroyed).
  void Publish(DetailsBatch* batch);
  DetailsBatch* TakeFree();
  void Seal(DetailsBatch* batch) const;

  const ArrivingText& text_;
  size_t begin_;
  const std::vector<Image>& images_;
  simdjson::ondemand::parser parser_;  // the worker's own

  // Written by the worker before it ends; read once Next() returned nullptr.
  DetailsOutcome outcome_ = DetailsOutcome::kRead;
  absl::Status status_;
  size_t length_ = 0;

  std::vector<std::unique_ptr<DetailsBatch>> batches_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<DetailsBatch*> free_;  // guarded by mutex_
  std::deque<DetailsBatch*> full_;  // guarded by mutex_
  bool finished_ = false;           // guarded by mutex_: the worker ended
  bool stopping_ = false;           // guarded by mutex_: the reader ends
  DetailsBatch* taken_ = nullptr;   // the caller's current batch
  std::thread worker_;              // last: starts once the rest exists
};

}  // namespace dgc

#endif  // DGC_CORE_SNAPSHOT_DETAILS_READER_H_
