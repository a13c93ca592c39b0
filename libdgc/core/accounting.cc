// Exact byte accounting over the layer graph (see accounting.h).
#include "core/accounting.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace dgc {

LayerRefCounts::LayerRefCounts(const Inventory& inventory)
    : LayerRefCounts(inventory, [](const Image&) { return true; }) {}

size_t StorageUnitCount(const Inventory& inventory) {
  return inventory.layers.size() + inventory.platform_snapshots.size() +
         inventory.blobs.size();
}

uint64_t StorageUnitSize(const Inventory& inventory, StorageUnit unit) {
  size_t platforms = inventory.layers.size();
  size_t blobs = platforms + inventory.platform_snapshots.size();
  if (unit >= blobs) return inventory.blobs[unit - blobs].size;
  if (unit >= platforms) {
    return inventory.platform_snapshots[unit - platforms].size;
  }
  return inventory.layers.layer(unit).size;
}

LayerRefCounts::LayerRefCounts(const Inventory& inventory,
                               absl::FunctionRef<bool(const Image&)> counted)
    : inventory_(inventory), users_(StorageUnitCount(inventory), 0) {
  for (const Image& image : inventory.images) {
    if (!counted(image)) continue;
    ForEachStorageUnit(inventory, image,
                       [&](StorageUnit unit) { ++users_[unit]; });
  }
}

uint64_t LayerRefCounts::Remove(const Image& image) {
  uint64_t freed = 0;
  ForEachStorageUnit(inventory_, image, [&](StorageUnit unit) {
    if (--users_[unit] == 0) freed += StorageUnitSize(inventory_, unit);
  });
  return freed;
}

uint64_t BytesFreedByRemoving(const Inventory& inventory,
                              absl::Span<const ImageIndex> removed) {
  LayerRefCounts refs(inventory);
  uint64_t freed = 0;
  for (ImageIndex index : removed)
    freed += refs.Remove(inventory.images[index]);
  return freed;
}

uint64_t ImageLayerBytes(const Inventory& inventory, const Image& image) {
  uint64_t bytes = 0;
  for (LayerId layer : image.layers)
    bytes += inventory.layers.layer(layer).size;
  return bytes;
}

uint64_t UnknownContentBound(const Inventory& inventory, const Image& image) {
  int64_t snapshots = static_cast<int64_t>(ImageLayerBytes(inventory, image));
  int64_t content = std::max<int64_t>(image.content_size, 0);
  int64_t beyond = image.size - snapshots;
  return static_cast<uint64_t>(beyond <= content ? content : beyond + content);
}

uint64_t TotalLayerBytes(const Inventory& inventory) {
  uint64_t total = 0;
  for (LayerId id = 0; id < inventory.layers.size(); ++id) {
    total += inventory.layers.layer(id).size;
  }
  for (const PlatformSnapshots& set : inventory.platform_snapshots) {
    total += set.size;
  }
  return total;
}

absl::Status CheckAccounting(Inventory* inventory) {
  if (!inventory->engine_layers_size.has_value()) return absl::OkStatus();
  uint64_t counted = TotalLayerBytes(*inventory);
  int64_t reported = *inventory->engine_layers_size;
  // The containerd store's LayersSize also counts containers' snapshots,
  // and an index's other platforms that only its content store tells.
  bool containers_counted =
      inventory->engine.containerd_store &&
      (!inventory->containers.empty() || !inventory->ContentKnown());
  bool agrees =
      reported >= 0 &&
      (containers_counted ? static_cast<uint64_t>(reported) >= counted
                          : static_cast<uint64_t>(reported) == counted);
  if (!agrees) {
    inventory->warnings.push_back(absl::StrFormat(
        "the engine reports %d bytes of layers, docker gc counts %d: an "
        "image's history does not explain its layers exactly",
        reported, counted));
  }
  return absl::OkStatus();
}

}  // namespace dgc
