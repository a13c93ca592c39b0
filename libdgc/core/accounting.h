// Exact byte accounting over the layer graph.
//
// The engine stores each layer chain once, however many images use it, and
// frees it when the last image using it goes. So the bytes freed by deleting
// a set of images are the sizes of the distinct chains whose every user is in
// the set — never the sum of the images' sizes. All counts are integers.
//
// Example:
//   dgc::LayerRefCounts refs(inventory);       // users of every chain
//   uint64_t freed = refs.Remove(inventory.images[3]);
//   freed += refs.Remove(inventory.images[7]);  // freed by deleting both
#ifndef DGC_CORE_ACCOUNTING_H_
#define DGC_CORE_ACCOUNTING_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "core/inventory.h"

namespace dgc {

// How many of the counted images use each layer chain.
class LayerRefCounts {
 public:
  // Counts every image of `inventory` (which must outlive this object).
  explicit LayerRefCounts(const Inventory& inventory);
  // Counts only the images for which `counted` returns true.
  LayerRefCounts(const Inventory& inventory,
                 absl::FunctionRef<bool(const Image&)> counted);

  // users returns how many counted images use chain `id`.
  uint32_t users(LayerId id) const { return users_[id]; }

  // Remove takes one counted image away and returns the bytes of the chains
  // no counted image uses any more. Each image may be removed once.
  uint64_t Remove(const Image& image);

 private:
  const Inventory& inventory_;
  std::vector<uint32_t> users_;
};

// BytesFreedByRemoving returns the exact bytes freed by deleting exactly the
// images `removed` (distinct indices) from `inventory`.
uint64_t BytesFreedByRemoving(const Inventory& inventory,
                              absl::Span<const ImageIndex> removed);

// TotalLayerBytes returns the bytes of every distinct layer chain of the
// inventory's images: what the engine reports as LayersSize.
uint64_t TotalLayerBytes(const Inventory& inventory);

// CheckAccounting is the check every front end runs on an inventory before
// it shows bytes. Errors: FailedPrecondition when the bytes cannot be
// accounted exactly (CheckExactAccounting). When the engine's own
// LayersSize is known and differs from TotalLayerBytes, adds a warning
// saying both to `inventory->warnings`, so that it reaches every document.
absl::Status CheckAccounting(Inventory* inventory);

}  // namespace dgc

#endif  // DGC_CORE_ACCOUNTING_H_
