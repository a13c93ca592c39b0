// A plan: what a policy does to an engine's images, action by action, with
// the exact bytes each action frees, and why every other image stays.
//
// A Plan refers to images by ID and reference, not by inventory index, so
// it can be saved as dgc.plan/v1, read back and applied later.
#ifndef DGC_CORE_PLAN_H_
#define DGC_CORE_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "core/inventory.h"

namespace dgc {

enum class ActionOp {
  kUntag,            // remove some references of an image
  kDelete,           // delete an image with all its references
  kRemoveContainer,  // remove a stopped container (SPEC.md §8)
  kRemoveVolume,     // remove an anonymous, unused volume
  kPruneBuildCache,  // prune build cache records
};

// OpName returns the op as documents write it: "untag", "delete",
// "remove_container", "remove_volume" or "prune_build_cache".
std::string_view OpName(ActionOp op);

// ParseOpName is OpName's inverse; nullopt for another text.
std::optional<ActionOp> ParseOpName(std::string_view text);

// IsImageOp reports whether `op` acts on an image (untag or delete).
inline bool IsImageOp(ActionOp op) {
  return op == ActionOp::kUntag || op == ActionOp::kDelete;
}

struct Action {
  ActionOp op = ActionOp::kDelete;
  // The image acted on (untag, delete), or the image of the container
  // removed (remove_container); "" otherwise.
  std::string image;
  // untag: the references removed. delete: every reference of the image,
  // removed one by one, the last one removing the image; empty when the
  // image has none and is deleted by ID.
  std::vector<std::string> refs;
  std::string rule;    // the rule that decided it
  std::string reason;  // why, for a person
  // What the action frees, given that the actions before it succeeded.
  // When not `exact` (the containerd store without its content store), a
  // lower bound, and `bytes_max` the upper one.
  uint64_t bytes = 0;
  bool exact = true;
  uint64_t bytes_max = 0;
  // Untagged parent images (of a legacy build) the engine removes together
  // with a deleted image.
  std::vector<std::string> also_removes;
  // False when the delete must ask the engine not to remove untagged
  // parents (noprune=1), because one of them is protected.
  bool prune = true;
  absl::Time created = absl::InfinitePast();
  uint64_t size = 0;  // the image's Size, for the naive estimate
  // remove_container: the container's ID and name, and when it stopped
  // (its FinishedAt, or its creation when it never ran): the executor
  // skips a container that ran again since.
  std::string container;
  std::string container_name;
  absl::Time stopped_at = absl::InfinitePast();
  // remove_volume: the volume's name.
  std::string volume;
  // prune_build_cache: the records, children before parents.
  std::vector<std::string> records;
};

struct KeptImage {
  std::string image;
  std::vector<std::string> refs;
  std::string rule;  // the rule that kept it; "" when none or protected
  std::string reason;
  bool is_protected = false;  // by a container, protect, min_age or a child
  absl::Time created = absl::InfinitePast();
};

// A container, volume or build cache record a resource section looked at
// and left, and why (a restart policy, a label, too young, mounted...).
struct KeptResource {
  std::string kind;  // "container", "volume"
  std::string id;    // container ID, volume name
  std::string name;  // container name ("" for volumes)
  std::string reason;
};

struct PlanSummary {
  uint32_t images = 0;  // listed images (intermediates excluded)
  uint32_t deletes = 0;
  uint32_t untags = 0;
  uint32_t containers = 0;           // remove_container actions
  uint32_t volumes = 0;              // remove_volume actions
  uint32_t build_cache_records = 0;  // records of prune_build_cache actions
  uint32_t kept = 0;                 // images that stay, untagged ones included
  uint64_t reclaimable_bytes = 0;    // sum of actions[].bytes
  // False when some action's bytes are bounds; then reclaimable_bytes is
  // the lower bound and this the upper one.
  bool exact = true;
  uint64_t reclaimable_bytes_max = 0;
  uint64_t naive_bytes = 0;  // sum of deleted images' Size
};

// What a threshold (SPEC.md §7) measured and what the plan does to it.
struct WatermarkReport {
  bool disk = false;         // measured on the data disk, else Docker's usage
  uint64_t total_bytes = 0;  // the disk's size (disk only)
  uint64_t high_bytes = 0;
  uint64_t low_bytes = 0;
  uint64_t used_before_bytes = 0;
  uint64_t used_after_bytes = 0;  // predicted (plan) or measured (apply)
  uint64_t shortfall_bytes = 0;   // how far above low even after everything
  bool acted = false;             // at or above high: candidates were taken
};

struct Plan {
  EngineInfo engine;
  absl::Time now = absl::InfinitePast();
  std::string policy_source;
  PlanSummary summary;
  // Containers first (their images may go in the same plan), then untags,
  // then deletions (children before parents), then volumes (which the
  // containers removed may free), then build cache.
  std::vector<Action> actions;
  std::vector<KeptImage> kept;  // newest first
  std::vector<KeptResource> kept_resources;
  std::vector<std::string> warnings;
  // Set when the policy has a threshold.
  std::optional<WatermarkReport> watermark;
};

}  // namespace dgc

#endif  // DGC_CORE_PLAN_H_
