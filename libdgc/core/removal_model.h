// A model of what the engine removes when images are deleted, and the
// exact bytes it frees.
//
// Deleting an image (its last reference) removes it, then the engine
// prunes its parent when that parent has no reference, no other child and
// no container, and so on up the chain (moby's imageDeleteHelper). A layer
// chain is freed when the last image using it goes. Replaying a plan's
// deletions here gives each action's exact bytes.
//
// Example:
//   dgc::RemovalModel model(inventory);
//   dgc::Removal removal = model.Delete(index);  // bytes, pruned parents
#ifndef DGC_CORE_REMOVAL_MODEL_H_
#define DGC_CORE_REMOVAL_MODEL_H_

#include <cstdint>
#include <vector>

#include "core/accounting.h"
#include "core/inventory.h"

namespace dgc {

struct Removal {
  uint64_t bytes = 0;              // freed by this deletion
  std::vector<ImageIndex> pruned;  // parents the engine removed with it
  // False when the engine must be told not to prune parents (noprune=1):
  // the chain it would prune reaches a protected image.
  bool prune = true;
};

class RemovalModel {
 public:
  // The inventory must outlive the model. `is_protected` (one entry per
  // image, or empty for none) marks images no deletion may prune;
  // `removed_containers` (one entry per container, or empty for none) the
  // containers removed before the images, which hold no parent back.
  explicit RemovalModel(const Inventory& inventory,
                        std::vector<bool> is_protected = {},
                        std::vector<bool> removed_containers = {});

  // Delete removes image `index` (which must still be present) and the
  // parents the engine would prune with it — none at all, and prune false,
  // when that chain reaches a protected image.
  Removal Delete(ImageIndex index);

  bool removed(ImageIndex index) const { return removed_[index]; }

 private:
  // What the engine would prune after deleting `index`, in order.
  std::vector<ImageIndex> EnginePruneChain(ImageIndex index) const;

  const Inventory& inventory_;
  std::vector<bool> is_protected_;
  std::vector<bool> removed_containers_;
  LayerRefCounts layer_users_;
  std::vector<uint32_t> children_left_;
  std::vector<bool> removed_;
};

}  // namespace dgc

#endif  // DGC_CORE_REMOVAL_MODEL_H_
