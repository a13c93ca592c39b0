// Exact byte accounting over the layer graph (see accounting.h).
#include "core/accounting.h"

#include "absl/strings/str_format.h"

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

uint64_t TotalLayerBytes(const Inventory& inventory) {
  uint64_t total = 0;
  for (LayerId id = 0; id < inventory.layers.size(); ++id) {
    total += inventory.layers.layer(id).size;
  }
  return total;
}

absl::Status CheckAccounting(Inventory* inventory) {
  if (absl::Status exact = CheckExactAccounting(*inventory); !exact.ok()) {
    return exact;
  }
  if (!inventory->engine_layers_size.has_value()) return absl::OkStatus();
  uint64_t counted = TotalLayerBytes(*inventory);
  int64_t reported = *inventory->engine_layers_size;
  if (reported < 0 || static_cast<uint64_t>(reported) != counted) {
    inventory->warnings.push_back(absl::StrFormat(
        "the engine reports %d bytes of layers, docker gc counts %d: an "
        "image's history does not explain its layers exactly",
        reported, counted));
  }
  return absl::OkStatus();
}

}  // namespace dgc
