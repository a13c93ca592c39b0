// Exact byte accounting over the layer graph (see accounting.h).
#include "core/accounting.h"

namespace dgc {

LayerRefCounts::LayerRefCounts(const Inventory& inventory)
    : LayerRefCounts(inventory, [](const Image&) { return true; }) {}

LayerRefCounts::LayerRefCounts(const Inventory& inventory,
                               absl::FunctionRef<bool(const Image&)> counted)
    : inventory_(inventory), users_(inventory.layers.size(), 0) {
  for (const Image& image : inventory.images) {
    if (!counted(image)) continue;
    for (LayerId layer : image.layers) ++users_[layer];
  }
}

uint64_t LayerRefCounts::Remove(const Image& image) {
  uint64_t freed = 0;
  for (LayerId layer : image.layers) {
    if (--users_[layer] == 0) freed += inventory_.layers.layer(layer).size;
  }
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

}  // namespace dgc
