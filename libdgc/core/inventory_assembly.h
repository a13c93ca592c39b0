// The steps of BuildInventory (inventory.h), for a reader that assembles an
// Inventory straight from a document instead of from EngineBodies (the
// snapshot reader): each image from its list entry, then its details, then
// the links between everything.
//
// Example:
//   dgc::Inventory inv;
//   inv.engine = dgc::BuildEngineInfo(rest);  // before any image's details
//   absl::Status s = dgc::AddListedImage(dgc::ImageFromListEntry(summary),
//                                        &inv);
//   dgc::CompleteImage(facts, &inv.images[i], &inv);  // for every image
//   s = dgc::FinishInventory(parent_ids, rest, &inv);
#ifndef DGC_CORE_INVENTORY_ASSEMBLY_H_
#define DGC_CORE_INVENTORY_ASSEMBLY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/engine_bodies.h"
#include "core/inventory.h"

namespace dgc {

// What an image's inspect and history add to its list entry.
struct ImageDetailsFacts {
  absl::Time created = absl::InfinitePast();        // InfinitePast: not said
  absl::Time last_tag_time = absl::InfinitePast();  // InfinitePast: never
  int64_t size = 0;                                 // inspect Size
  absl::Span<const std::string_view> diff_ids;      // RootFS.Layers
  // DigestFromText of each diff ID, when decoded already (else empty).
  absl::Span<const std::optional<Digest>> digests;
  absl::Span<const HistoryEntry> history;  // its steps
};

// ImageFromListEntry starts an image from its /images/json entry, taking
// its ID, references and labels.
Image ImageFromListEntry(ImageSummary& summary);

// AddListedImage appends `image` to the inventory. Errors: InvalidArgument
// when an image of the same ID is there already.
absl::Status AddListedImage(Image image, Inventory* inv);

// CompleteImage adds an image's details: its times, its layers (interned in
// the inventory's layer graph with the sizes its history gives) and, on the
// containerd store, its content size. `inv->engine` must be set. When the
// image has no labels, set them from its inspect's Config.Labels first.
void CompleteImage(const ImageDetailsFacts& details, Image* image,
                   Inventory* inv);

// BuildEngineInfo returns what the bodies say about the engine.
EngineInfo BuildEngineInfo(const EngineBodies& bodies);

// FinishInventory links the inventory once every image is complete: engine
// facts, parents (`parent_ids`, one per image, "" for none), containers,
// volumes, build cache and content blobs, taken from `rest` (its images and
// details are not read). Errors: InvalidArgument for a chain of parents
// that loops or content of an image that is not listed.
absl::Status FinishInventory(const std::vector<std::string>& parent_ids,
                             EngineBodies& rest, Inventory* inv);

}  // namespace dgc

#endif  // DGC_CORE_INVENTORY_ASSEMBLY_H_
