// A snapshot straight into an Inventory (see snapshot_inventory.h). The
// document is walked member by member with a JsonCursor, and each member
// is parsed as a document of its own; `image_details` one image at a time.
// simdjson's index then never covers more than one member, which keeps the
// memory near the document's own size and the index in the caches.
#include "core/snapshot_inventory.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/arriving_text.h"
#include "core/engine_bodies.h"
#include "core/inventory_assembly.h"
#include "core/json_cursor.h"
#include "core/snapshot.h"
#include "core/snapshot_details_reader.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

// How many distinct layer chains to expect per image, at first.
constexpr size_t kLayersPerImage = 4;

// Builds the images of a snapshot while it is read: each list entry becomes
// an image, then each image's inspect and history complete it. That takes
// the details in the list's order, after the list and after the engine's
// info; anything else sets out_of_order() and stops the reading.
class ImageReader {
 public:
  ImageReader(const EngineBodies& rest, Inventory* inv)
      : rest_(rest), inv_(inv) {}

  absl::Status ReadList(value& v) {
    if (list_read_ || details_read_) return OutOfOrder();
    list_read_ = true;
    std::vector<ImageSummary> summaries;
    if (absl::Status s = ParseImageList(v, &summaries); !s.ok()) return s;
    inv_->images.reserve(summaries.size());
    inv_->image_by_id.reserve(summaries.size());
    parent_ids_.reserve(summaries.size());
    // Images of busy hosts have about ten layers, most of them shared.
    inv_->layers.Reserve(summaries.size() * kLayersPerImage);
    for (ImageSummary& summary : summaries) {
      parent_ids_.push_back(std::move(summary.parent_id));
      if (absl::Status s = AddListedImage(ImageFromListEntry(summary), inv_);
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  // BeginDetails starts the images' details, which come one by one to
  // Complete.
  absl::Status BeginDetails() {
    if (!list_read_ || details_read_) return OutOfOrder();
    details_read_ = true;
    containerd_store_ = ContainerdStore();
    inv_->engine.containerd_store = containerd_store_;
    return absl::OkStatus();
  }

  // Complete adds the next image's details, read by `details`.
  void Complete(const DetailsBatch& batch, const ImageDetailsRecord& record) {
    Image& image = inv_->images[completed_++];
    if (!record.labels.empty()) image.labels = record.labels;
    CompleteImage({.created = record.created,
                   .last_tag_time = record.last_tag_time,
                   .size = record.size,
                   .diff_ids = batch.DiffIds(record),
                   .digests = batch.Digests(record),
                   .history = batch.History(record)},
                  &image, inv_);
  }

  // MarkOutOfOrder records that the details did not follow the list.
  void MarkOutOfOrder() { out_of_order_ = true; }

  const std::vector<Image>& images() const { return inv_->images; }

  // Finish links the inventory once the document is read.
  absl::Status Finish(EngineBodies& rest) {
    if (ContainerdStore() != containerd_store_) return OutOfOrder();
    if (completed_ < inv_->images.size()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("image %s: no inspect and history bodies for it",
                          inv_->images[completed_].id));
    }
    return FinishInventory(parent_ids_, rest, inv_);
  }

  bool out_of_order() const { return out_of_order_; }

 private:
  absl::Status OutOfOrder() {
    out_of_order_ = true;
    return absl::CancelledError("the snapshot is not laid out for one pass");
  }

  bool ContainerdStore() const {
    return rest_.info.has_value() && rest_.info->containerd_snapshotter;
  }

  const EngineBodies& rest_;
  Inventory* inv_;
  std::vector<std::string> parent_ids_;  // by image
  size_t completed_ = 0;                 // images whose details were read
  bool list_read_ = false;
  bool details_read_ = false;
  bool containerd_store_ = false;  // as known when the details were read
  bool out_of_order_ = false;
};

// Reads a snapshot member by member, as it arrives, into `rest` and,
// through `reader`, the inventory. Sets `*split` to false, reading nothing
// more, when the document's members cannot be taken apart here (a name
// with escapes, or `image_details` not an object).
class MemberReader {
 public:
  MemberReader(const ArrivingText& text, EngineBodies* rest,
               ImageReader* reader)
      : text_(text), reader_(*reader), root_(rest) {}

  absl::Status Read(bool* split) {
    ArrivingCursor cursor(text_, 0);
    auto consume = [&](char c) {
      return cursor.Step([c](JsonCursor& json) { return json.Consume(c); });
    };
    if (!consume('{')) return Malformed(cursor, "an object");
    if (!consume('}')) {
      do {
        std::string_view key, value_text;
        if (!cursor.Step([&](JsonCursor& json) { return json.Key(&key); })) {
          return Unsplit(cursor, "a member name", split);
        }
        if (!consume(':')) return Malformed(cursor, "':'");
        absl::Status status;
        if (key == "image_details") {
          root_.DetailsReadElsewhere();
          status = Details(&cursor, split);
        } else if (!cursor.Step([&](JsonCursor& json) {
                     return json.Value(&value_text);
                   })) {
          return Malformed(cursor, "a value");
        } else {
          status = Member(key, value_text, cursor.readable());
        }
        if (!*split) return status;
        if (!status.ok()) {
          return WithContext(status, json_internal::FieldContext(key));
        }
      } while (consume(','));
      if (!consume('}')) return Malformed(cursor, "',' or '}'");
    }
    if (!cursor.AtEnd()) {
      return absl::InvalidArgumentError("unexpected data after the JSON value");
    }
    return root_.Finish();
  }

 private:
  // A member other than `image_details`, whose value lies in `readable`.
  absl::Status Member(std::string_view key, std::string_view value_text,
                      std::string_view readable) {
    return ParseEmbeddedValue(parser_, readable, value_text, [&](value& v) {
      return root_.Member(
          key, v,
          {.images = [&](value& list) { return reader_.ReadList(list); },
           .image_details =
               [](value&) { return absl::InternalError("read elsewhere"); }});
    });
  }

  // `image_details`: {ID: {"inspect": …, "history": …}, …}, from where
  // `cursor` stands, read on another thread while this one builds the
  // images; the cursor then stands past it.
  absl::Status Details(ArrivingCursor* cursor, bool* split) {
    if (absl::Status s = reader_.BeginDetails(); !s.ok()) return s;
    SnapshotDetailsReader details(text_, cursor->offset(), reader_.images());
    while (const DetailsBatch* batch = details.Next()) {
      for (const ImageDetailsRecord& record : batch->images) {
        reader_.Complete(*batch, record);
      }
    }
    switch (details.outcome()) {
      case DetailsOutcome::kRead:
        cursor->Advance(details.length());
        return absl::OkStatus();
      case DetailsOutcome::kOutOfOrder:
        reader_.MarkOutOfOrder();
        break;
      case DetailsOutcome::kUnsplit:
        *split = false;
        break;
      case DetailsOutcome::kFailed:
        break;
    }
    return details.status();
  }

  // Malformed names what was expected where the cursor stands.
  absl::Status Malformed(const ArrivingCursor& cursor,
                         std::string_view expected) const {
    return absl::InvalidArgumentError(
        absl::StrFormat("document: malformed JSON: expected %s at byte %d",
                        expected, cursor.offset()));
  }

  absl::Status Unsplit(const ArrivingCursor& cursor, std::string_view expected,
                       bool* split) const {
    *split = false;
    return Malformed(cursor, expected);
  }

  const ArrivingText& text_;
  ImageReader& reader_;
  simdjson::ondemand::parser parser_;
  SnapshotRootReader root_;
};

}  // namespace

absl::StatusOr<Inventory> BuildInventoryFromSnapshot(const ArrivingText& text,
                                                     bool* has_content) {
  {
    EngineBodies rest;
    Inventory inv;
    ImageReader reader(rest, &inv);
    bool split = true;
    absl::Status status = MemberReader(text, &rest, &reader).Read(&split);
    *has_content = rest.content.has_value();
    if (status.ok()) status = reader.Finish(rest);
    if (split && !reader.out_of_order()) {
      if (!status.ok()) return status;
      return inv;
    }
  }
  text.WaitAll();
  absl::StatusOr<EngineBodies> bodies = ParseSnapshot(text.whole());
  if (!bodies.ok()) return bodies.status();
  *has_content = bodies->content.has_value();
  return BuildInventory(*std::move(bodies));
}

absl::StatusOr<Inventory> BuildInventoryFromSnapshot(const PaddedBody& text,
                                                     bool* has_content) {
  return BuildInventoryFromSnapshot(ArrivingText(text), has_content);
}

}  // namespace dgc
