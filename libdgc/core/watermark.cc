// Watermarks: usage, levels and the least-recently-used selection (see
// watermark.h).
#include "core/watermark.h"

#include <algorithm>
#include <numeric>

#include "core/accounting.h"
#include "core/byte_size.h"

namespace dgc {
namespace {

uint64_t NonNegative(int64_t value) {
  return static_cast<uint64_t>(std::max<int64_t>(value, 0));
}

uint64_t LevelBytes(const Watermark& watermark, uint64_t total) {
  return watermark.percent
             ? ShareOf(total, static_cast<uint32_t>(watermark.value))
             : watermark.value;
}

}  // namespace

DockerUsage ComputeDockerUsage(const Inventory& inventory) {
  DockerUsage usage;
  // When the engine's LayersSize and the layers counted disagree (a
  // warning says so), the smaller: it deletes less.
  usage.layers_bytes = TotalLayerBytes(inventory);
  if (inventory.engine_layers_size.has_value()) {
    usage.layers_bytes = std::min(usage.layers_bytes,
                                  NonNegative(*inventory.engine_layers_size));
  }
  for (const Blob& blob : inventory.blobs) usage.content_bytes += blob.size;
  for (const Container& container : inventory.containers) {
    usage.containers_bytes += NonNegative(container.size_rw.value_or(0));
  }
  for (const Volume& volume : inventory.volumes) {
    usage.volumes_bytes += NonNegative(volume.size);
  }
  for (const BuildCacheRecord& record : inventory.build_cache) {
    if (!record.shared) usage.build_cache_bytes += NonNegative(record.size);
  }
  return usage;
}

WatermarkLevels Levels(const Threshold& threshold, const Inventory& inventory) {
  WatermarkLevels levels;
  levels.disk = threshold.high.percent;
  if (levels.disk) {
    levels.total_bytes = inventory.data_disk->total_bytes;
    levels.used_bytes = inventory.data_disk->used_bytes;
  } else {
    levels.used_bytes = ComputeDockerUsage(inventory).total();
  }
  levels.high_bytes = LevelBytes(threshold.high, levels.total_bytes);
  levels.low_bytes = LevelBytes(threshold.low, levels.total_bytes);
  return levels;
}

absl::Time ImageLastUse(const Inventory& inventory, ImageIndex index) {
  const Image& image = inventory.images[index];
  absl::Time last = std::max(image.created, image.last_tagged);
  for (ContainerIndex c : image.containers) {
    const Container& container = inventory.containers[c];
    last = std::max({last, container.created, container.started_at});
  }
  if (inventory.remembered_last_use.empty()) return last;
  auto remembered = inventory.remembered_last_use.find(image.id);
  if (remembered != inventory.remembered_last_use.end()) {
    last = std::max(last, remembered->second);
  }
  return last;
}

std::vector<bool> TakeUntil(absl::Span<const WatermarkCandidate> candidates,
                            uint64_t needed,
                            absl::FunctionRef<uint64_t(size_t)> take) {
  std::vector<bool> taken(candidates.size(), false);
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return candidates[a].last_use < candidates[b].last_use;
  });
  uint64_t freed = 0;
  // Takes `i` after its prerequisites (depth first, an explicit stack).
  auto take_with_prerequisites = [&](size_t start) {
    std::vector<std::pair<size_t, bool>> stack = {{start, false}};
    while (!stack.empty()) {
      auto [i, expanded] = stack.back();
      stack.pop_back();
      if (taken[i]) continue;
      if (expanded) {
        taken[i] = true;
        freed += take(i);
        continue;
      }
      stack.push_back({i, true});
      for (size_t p : candidates[i].prerequisites) {
        if (!taken[p]) stack.push_back({p, false});
      }
    }
  };
  for (size_t i : order) {
    if (freed >= needed) break;
    take_with_prerequisites(i);
  }
  return taken;
}

}  // namespace dgc
