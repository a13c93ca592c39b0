// Protections (SPEC.md §3.3): images that nothing at all is done to, and
// why. An image is protected when any container uses it (in any state),
// when it matches `protect.match` or `protect.labels`, when it is younger
// than `min_age` (from the later of Created and LastTagTime), or when it
// is the parent of an image that stays.
#ifndef DGC_CORE_PROTECTION_H_
#define DGC_CORE_PROTECTION_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/inventory.h"
#include "core/policy.h"

namespace dgc {

// DirectProtection returns why image `index` is protected by a container,
// `protect` or `min_age`, or "" when it is not. The containers marked in
// `removed_containers` (one entry per container, or empty for none) are
// being removed by the plan and protect nothing.
std::string DirectProtection(const Inventory& inventory, const Policy& policy,
                             absl::Time now, ImageIndex index,
                             const std::vector<bool>& removed_containers = {});

// KeepParentsOfStayingImages clears `deleting[i]` for every image with a
// descendant that stays, following chains of untagged intermediate images
// (which the engine removes with their last child, unless `protection`
// says they are protected). Returns, per image, such a descendant (the one
// to name in the reason), or kNoImage. `deleting` and `protection` (a
// reason, "" when not protected) have one entry per image.
std::vector<ImageIndex> KeepParentsOfStayingImages(
    const Inventory& inventory, const std::vector<std::string>& protection,
    std::vector<bool>* deleting);

// ParentReason returns "parent of NAME, which stays".
std::string ParentReason(const Inventory& inventory, ImageIndex staying_child);

// ImageName returns an image's first tag, or its short ID.
std::string ImageName(const Image& image);

}  // namespace dgc

#endif  // DGC_CORE_PROTECTION_H_
