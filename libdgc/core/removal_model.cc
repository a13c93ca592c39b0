// The engine's removal of images and their untagged parents (see
// removal_model.h).
#include "core/removal_model.h"

namespace dgc {

RemovalModel::RemovalModel(const Inventory& inventory,
                           std::vector<bool> is_protected,
                           std::vector<bool> removed_containers)
    : inventory_(inventory),
      is_protected_(std::move(is_protected)),
      removed_containers_(std::move(removed_containers)),
      layer_users_(inventory),
      children_left_(inventory.images.size(), 0),
      removed_(inventory.images.size(), false) {
  is_protected_.resize(inventory.images.size(), false);
  for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
    children_left_[i] =
        static_cast<uint32_t>(inventory.images[i].children.size());
  }
}

std::vector<ImageIndex> RemovalModel::EnginePruneChain(ImageIndex index) const {
  // moby's imageDeleteHelper: a parent goes when it has no reference, no
  // other child and no container; then its parent is considered.
  std::vector<ImageIndex> chain;
  for (ImageIndex current = index;;) {
    ImageIndex parent = inventory_.images[current].parent;
    if (parent == kNoImage || removed_[parent]) break;
    const Image& image = inventory_.images[parent];
    if (!image.tags.empty() || !image.digests.empty() ||
        !StayingContainers(image, removed_containers_).empty() ||
        children_left_[parent] != 1) {
      break;
    }
    chain.push_back(parent);
    current = parent;
  }
  return chain;
}

Removal RemovalModel::Delete(ImageIndex index) {
  Removal removal;
  std::vector<ImageIndex> chain = EnginePruneChain(index);
  for (ImageIndex image : chain) {
    if (is_protected_[image]) removal.prune = false;
  }
  if (removal.prune) removal.pruned = chain;
  auto remove = [&](ImageIndex image) {
    removed_[image] = true;
    removal.bytes += layer_users_.Remove(inventory_.images[image]);
    ImageIndex parent = inventory_.images[image].parent;
    if (parent != kNoImage) --children_left_[parent];
  };
  remove(index);
  for (ImageIndex pruned : removal.pruned) remove(pruned);
  return removal;
}

}  // namespace dgc
