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

// Storage units: what the engine stores once however many images use it.
// The layer chains (unit u < layers.size() is layer u: a graph driver's
// layer, or a snapshot of the containerd image store), then, on the
// containerd store, the sets of other platforms' snapshots (unit
// layers.size() + p), then the content blobs (after those, in order).
using StorageUnit = uint32_t;

// StorageUnitCount returns the number of units of `inventory`.
size_t StorageUnitCount(const Inventory& inventory);

// StorageUnitSize returns the bytes of `unit`.
uint64_t StorageUnitSize(const Inventory& inventory, StorageUnit unit);

// IsContentBlob reports whether `unit` is a content blob (not snapshots or
// a layer).
inline bool IsContentBlob(const Inventory& inventory, StorageUnit unit) {
  return unit >= inventory.layers.size() + inventory.platform_snapshots.size();
}

// ForEachStorageUnit calls `f(unit)` for each unit `image` uses: its layer
// chains, its other platforms' snapshots, then its content blobs.
template <typename F>
void ForEachStorageUnit(const Inventory& inventory, const Image& image, F&& f) {
  for (LayerId layer : image.layers) f(static_cast<StorageUnit>(layer));
  size_t platforms = inventory.layers.size();
  for (PlatformSnapshotsId set : image.platform_snapshots) {
    f(static_cast<StorageUnit>(platforms + set));
  }
  size_t blobs = platforms + inventory.platform_snapshots.size();
  for (BlobId blob : image.blobs) f(static_cast<StorageUnit>(blobs + blob));
}

// How many of the counted images use each storage unit.
class LayerRefCounts {
 public:
  // Counts every image of `inventory` (which must outlive this object).
  explicit LayerRefCounts(const Inventory& inventory);
  // Counts only the images for which `counted` returns true.
  LayerRefCounts(const Inventory& inventory,
                 absl::FunctionRef<bool(const Image&)> counted);

  // users returns how many counted images use `unit` (a layer's LayerId is
  // its unit).
  uint32_t users(StorageUnit unit) const { return users_[unit]; }

  // Remove takes one counted image away and returns the bytes of the units
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

// ImageLayerBytes returns the bytes of `image`'s own layer chains (on the
// containerd store, its platform's snapshots), shared ones included.
uint64_t ImageLayerBytes(const Inventory& inventory, const Image& image);

// UnknownContentBound returns the most an image of the containerd store
// whose content was not read may hold beyond its history's snapshots: its
// content blobs (inspect Size: an index and the host platform's blobs) and,
// when its list Size has more than those, all of that too (other
// platforms' blobs and snapshots).
uint64_t UnknownContentBound(const Inventory& inventory, const Image& image);

// TotalLayerBytes returns the bytes of every distinct layer chain of the
// inventory's images, other platforms' snapshots included: what the engine
// reports as LayersSize (on the containerd store, less its containers'
// snapshots).
uint64_t TotalLayerBytes(const Inventory& inventory);

// CheckAccounting is the check every front end runs on an inventory before
// it shows bytes. When the engine's own LayersSize is known and disagrees
// with TotalLayerBytes (differs; on the containerd store with containers,
// whose snapshots it also counts, is smaller), adds a warning saying both
// to `inventory->warnings`, so that it reaches every document. Returns OK;
// a Status so that later checks can refuse.
absl::Status CheckAccounting(Inventory* inventory);

}  // namespace dgc

#endif  // DGC_CORE_ACCOUNTING_H_
