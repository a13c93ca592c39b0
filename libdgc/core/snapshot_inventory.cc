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
#include "core/engine_bodies.h"
#include "core/inventory_assembly.h"
#include "core/json_cursor.h"
#include "core/snapshot.h"

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
  // ReadImage.
  absl::Status BeginDetails() {
    if (!list_read_ || details_read_) return OutOfOrder();
    details_read_ = true;
    containerd_store_ = ContainerdStore();
    inv_->engine.containerd_store = containerd_store_;
    return absl::OkStatus();
  }

  // ReadImage reads the details of the image `id`, which must be the next
  // one of the list.
  absl::Status ReadImage(std::string_view id, value& details) {
    if (completed_ == inv_->images.size() ||
        inv_->images[completed_].id != id) {
      return OutOfOrder();
    }
    if (absl::Status s = ReadImageDetails(details); !s.ok()) return s;
    ++completed_;
    return absl::OkStatus();
  }

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

  // {"inspect": …, "history": …} of the next image.
  absl::Status ReadImageDetails(value& v) {
    Image& image = inv_->images[completed_];
    ImageDetailsFacts facts;
    std::string_view inspect_id;
    diff_ids_.clear();
    history_.clear();
    bool has_inspect = false, has_history = false;
    absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
      if (key == "inspect") {
        has_inspect = true;
        return ReadInspect(f, &image, &facts, &inspect_id);
      }
      if (key == "history") {
        has_history = true;
        return ParseImageHistory(f, &history_);
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    if (!has_inspect) return absl::InvalidArgumentError("missing \"inspect\"");
    if (!has_history) return absl::InvalidArgumentError("missing \"history\"");
    if (inspect_id.empty()) {
      return absl::InvalidArgumentError("missing required field \"Id\"");
    }
    if (inspect_id != image.id) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "image %s: its inspect body is for %s", image.id, inspect_id));
    }
    facts.diff_ids = diff_ids_;
    facts.history = &history_;
    CompleteImage(facts, &image, inv_);
    return absl::OkStatus();
  }

  // The fields of an inspect body an image needs; Config.Labels only when
  // its list entry had none.
  absl::Status ReadInspect(value& v, Image* image, ImageDetailsFacts* facts,
                           std::string_view* id) {
    bool labels_from_inspect = image->labels.empty();
    return ForEachField(v, [&](std::string_view key, value& f) {
      if (key == "Id") return ReadStringView(f, key, id);
      if (key == "Created") return ReadEngineTime(f, key, &facts->created);
      if (key == "Size") return ReadInt(f, key, &facts->size);
      if (key == "RootFS") {
        return ForEachField(f, [&](std::string_view name, value& layers) {
          if (name != "Layers") return absl::OkStatus();
          return ForEachElement(layers, [&](size_t, value& diff_id) {
            return ReadStringView(diff_id, name, &diff_ids_.emplace_back());
          });
        });
      }
      if (key == "Config" && labels_from_inspect) {
        return ForEachField(f, [&](std::string_view name, value& labels) {
          if (name != "Labels") return absl::OkStatus();
          return ReadStringMap(labels, name, &image->labels);
        });
      }
      if (key == "Metadata") {
        return ForEachField(f, [&](std::string_view name, value& time) {
          if (name != "LastTagTime") return absl::OkStatus();
          return ReadEngineTime(time, name, &facts->last_tag_time);
        });
      }
      return absl::OkStatus();
    });
  }

  const EngineBodies& rest_;
  Inventory* inv_;
  std::vector<std::string> parent_ids_;  // by image
  size_t completed_ = 0;                 // images whose details were read
  bool list_read_ = false;
  bool details_read_ = false;
  bool containerd_store_ = false;  // as known when the details were read
  bool out_of_order_ = false;
  // One image's diff IDs (views into the document) and history, reused.
  std::vector<std::string_view> diff_ids_;
  std::vector<HistoryEntry> history_;
};

// Reads a snapshot member by member into `rest` and, through `reader`, the
// inventory. Sets `*split` to false, reading nothing more, when the
// document's members cannot be taken apart here (a name with escapes, or
// `image_details` not an object).
class MemberReader {
 public:
  MemberReader(const PaddedBody& text, EngineBodies* rest, ImageReader* reader)
      : text_(text), reader_(*reader), root_(rest) {}

  absl::Status Read(bool* split) {
    std::string_view whole = text_.view();
    JsonCursor cursor(whole);
    if (!cursor.Consume('{')) return Malformed(whole, cursor, "an object");
    if (!cursor.Consume('}')) {
      do {
        std::string_view key, value_text;
        if (!cursor.Key(&key)) {
          return Unsplit(whole, cursor, "a member name", split);
        }
        if (!cursor.Consume(':')) return Malformed(whole, cursor, "':'");
        if (!cursor.Value(&value_text)) {
          return Malformed(whole, cursor, "a value");
        }
        absl::Status status = Member(key, value_text, split);
        if (!*split) return status;
        if (!status.ok()) {
          return WithContext(status, json_internal::FieldContext(key));
        }
      } while (cursor.Consume(','));
      if (!cursor.Consume('}')) return Malformed(whole, cursor, "',' or '}'");
    }
    if (!cursor.AtEnd()) {
      return absl::InvalidArgumentError("unexpected data after the JSON value");
    }
    return root_.Finish();
  }

 private:
  absl::Status Member(std::string_view key, std::string_view value_text,
                      bool* split) {
    if (key == "image_details") {
      root_.DetailsReadElsewhere();
      return Details(value_text, split);
    }
    return ParseEmbeddedValue(parser_, text_, value_text, [&](value& v) {
      return root_.Member(
          key, v,
          {.images = [&](value& list) { return reader_.ReadList(list); },
           .image_details =
               [](value&) { return absl::InternalError("read elsewhere"); }});
    });
  }

  // `image_details`: {ID: {"inspect": …, "history": …}, …}.
  absl::Status Details(std::string_view text, bool* split) {
    if (absl::Status s = reader_.BeginDetails(); !s.ok()) return s;
    JsonCursor cursor(text);
    if (!cursor.Consume('{')) return Unsplit(text, cursor, "an object", split);
    if (cursor.Consume('}')) return absl::OkStatus();
    do {
      std::string_view id, details;
      if (!cursor.Key(&id)) return Unsplit(text, cursor, "an image ID", split);
      if (!cursor.Consume(':')) return Malformed(text, cursor, "':'");
      if (!cursor.Value(&details)) return Malformed(text, cursor, "a value");
      absl::Status status = ParseEmbeddedValue(
          parser_, text_, details,
          [&](value& v) { return reader_.ReadImage(id, v); });
      if (!status.ok()) {
        return WithContext(status, json_internal::FieldContext(id));
      }
    } while (cursor.Consume(','));
    if (!cursor.Consume('}')) return Malformed(text, cursor, "',' or '}'");
    return absl::OkStatus();
  }

  // Malformed names what was expected where the cursor over `part` (a
  // part of the document) stands.
  absl::Status Malformed(std::string_view part, const JsonCursor& cursor,
                         std::string_view expected) const {
    size_t offset = static_cast<size_t>(part.data() - text_.view().data()) +
                    cursor.offset();
    return absl::InvalidArgumentError(absl::StrFormat(
        "document: malformed JSON: expected %s at byte %d", expected, offset));
  }

  absl::Status Unsplit(std::string_view part, const JsonCursor& cursor,
                       std::string_view expected, bool* split) const {
    *split = false;
    return Malformed(part, cursor, expected);
  }

  const PaddedBody& text_;
  ImageReader& reader_;
  simdjson::ondemand::parser parser_;
  SnapshotRootReader root_;
};

}  // namespace

absl::StatusOr<Inventory> BuildInventoryFromSnapshot(const PaddedBody& text,
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
  absl::StatusOr<EngineBodies> bodies = ParseSnapshot(text);
  if (!bodies.ok()) return bodies.status();
  *has_content = bodies->content.has_value();
  return BuildInventory(*std::move(bodies));
}

}  // namespace dgc
