// A snapshot straight into an Inventory (see snapshot_inventory.h).
#include "core/snapshot_inventory.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/engine_bodies.h"
#include "core/inventory_assembly.h"
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

  absl::Status ReadDetails(value& v) {
    if (!list_read_ || details_read_) return OutOfOrder();
    details_read_ = true;
    containerd_store_ = ContainerdStore();
    inv_->engine.containerd_store = containerd_store_;
    return ForEachField(v, [&](std::string_view id, value& details) {
      if (completed_ == inv_->images.size() ||
          inv_->images[completed_].id != id) {
        return OutOfOrder();
      }
      if (absl::Status s = ReadImageDetails(details); !s.ok()) return s;
      ++completed_;
      return absl::OkStatus();
    });
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

}  // namespace

absl::StatusOr<Inventory> BuildInventoryFromSnapshot(const PaddedBody& text,
                                                     bool* has_content) {
  {
    simdjson::ondemand::parser parser;
    EngineBodies rest;
    Inventory inv;
    ImageReader reader(rest, &inv);
    absl::Status status =
        ParseSnapshotInto(parser, text, &rest,
                          {[&](value& v) { return reader.ReadList(v); },
                           [&](value& v) { return reader.ReadDetails(v); }});
    *has_content = rest.content.has_value();
    if (status.ok()) status = reader.Finish(rest);
    if (!reader.out_of_order()) {
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
