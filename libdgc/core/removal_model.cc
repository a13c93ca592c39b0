// The engine's removal of images and their untagged parents (see
// removal_model.h).
#include "core/removal_model.h"

namespace dgc {

RemovalModel::RemovalModel(const Inventory& inventory)
    : inventory_(inventory),
      layer_users_(inventory),
      children_left_(inventory.images.size(), 0),
      removed_(inventory.images.size(), false) {
  for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
    children_left_[i] = static_cast<uint32_t>(inventory.images[i].children.size());
  }
}

bool RemovalModel::Prunable(ImageIndex index) const {
  const Image& image = inventory_.images[index];
  return !removed_[index] && image.tags.empty() && image.digests.empty() &&
         children_left_[index] == 0 && image.containers.empty();
}

Removal RemovalModel::Delete(ImageIndex index) {
  Removal removal;
  ImageIndex current = index;
  while (true) {
    removed_[current] = true;
    removal.bytes += layer_users_.Remove(inventory_.images[current]);
    ImageIndex parent = inventory_.images[current].parent;
    if (parent == kNoImage) break;
    --children_left_[parent];
    if (!Prunable(parent)) break;
    removal.pruned.push_back(parent);
    current = parent;
  }
  return removal;
}

}  // namespace dgc
