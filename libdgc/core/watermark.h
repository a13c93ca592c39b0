// Watermarks (SPEC.md §7): how full the engine is, by the disk holding its
// data or by Docker's own usage, and the least-recently-used selection that
// takes a plan's candidates until the exactly predicted usage reaches the
// low watermark, and not one more.
//
// Example:
//   dgc::WatermarkLevels levels = dgc::Levels(*policy.threshold, usage);
//   if (usage.used_bytes < levels.high_bytes) ...  // nothing to do
#ifndef DGC_CORE_WATERMARK_H_
#define DGC_CORE_WATERMARK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/inventory.h"
#include "core/policy.h"

namespace dgc {

// Docker's own usage, from /system/df as the inventory holds it.
struct DockerUsage {
  uint64_t layers_bytes = 0;       // LayersSize
  uint64_t content_bytes = 0;      // content blobs (containerd store)
  uint64_t containers_bytes = 0;   // containers' writable layers
  uint64_t volumes_bytes = 0;      // volumes' data (as far as computed)
  uint64_t build_cache_bytes = 0;  // unshared build cache records
  uint64_t total() const {
    return layers_bytes + content_bytes + containers_bytes + volumes_bytes +
           build_cache_bytes;
  }
};

// ComputeDockerUsage adds up the inventory's usage, content blobs counted
// once each (only those read: 0 without the content store). For layers, the
// smaller of the engine's LayersSize (when read) and the layers counted:
// when they disagree, the figure that deletes less.
DockerUsage ComputeDockerUsage(const Inventory& inventory);

// What a threshold is measured against, and the levels it sets, in bytes.
struct WatermarkLevels {
  bool disk = false;         // the data disk (percentages), else Docker's
  uint64_t total_bytes = 0;  // the disk's size (disk only)
  uint64_t used_bytes = 0;   // used now
  uint64_t high_bytes = 0;   // act at or above
  uint64_t low_bytes = 0;    // take candidates until at or below
};

// Levels returns the levels of `threshold` for the inventory: percentages
// of inventory.data_disk (which must be set), or sizes of its Docker usage.
WatermarkLevels Levels(const Threshold& threshold, const Inventory& inventory);

// ImageLastUse returns when an image was last used, as far as the
// inventory tells: the latest of Created, LastTagTime, the creation and
// start of the containers that use it, and what is remembered of
// containers that used it and are gone (Inventory::remembered_last_use).
absl::Time ImageLastUse(const Inventory& inventory, ImageIndex index);

// One candidate of a watermark selection: when it was last used and the
// candidates that must be taken with it (taken before it).
struct WatermarkCandidate {
  absl::Time last_use = absl::InfinitePast();
  std::vector<size_t> prerequisites{};
};

// TakeUntil takes candidates least recently used first (ties in index
// order), each after its prerequisites, calling `take(i)` for each one
// taken (which returns the bytes it frees), until the bytes freed reach
// `needed`. Returns which were taken.
std::vector<bool> TakeUntil(absl::Span<const WatermarkCandidate> candidates,
                            uint64_t needed,
                            absl::FunctionRef<uint64_t(size_t)> take);

}  // namespace dgc

#endif  // DGC_CORE_WATERMARK_H_
