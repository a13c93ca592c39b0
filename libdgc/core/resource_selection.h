// What the policy's resource sections (SPEC.md §8) select beside images:
// stopped containers, anonymous unused volumes and build cache records,
// each with the reason, and the reason every other candidate stays.
//
// The safety rules are the point. A container is removed only when it is
// created, exited or dead, its details were read, it stopped (or, never
// started, was created) longer ago than `stopped_older_than`, it has no
// `protect_labels` label, and its restart policy is not `always` or
// `unless-stopped` (on a host whose containers all stopped in an outage,
// those are expected back) unless `include_restart_policies`. A volume is
// removed only when it is anonymous, older than the age, and no container
// that stays mounts it, nor anything else the engine counts. A build cache
// record goes only when it is not in use, not shared with an image, not
// BuildKit's own (internal, frontend), unused for longer than `older_than`
// and with every record built on it going too; with `keep_storage`, least
// recently used first, only while the cache stays above it.
//
// Example:
//   std::vector<dgc::ContainerDecision> containers =
//       dgc::DecideContainers(inventory, policy, now);
#ifndef DGC_CORE_RESOURCE_SELECTION_H_
#define DGC_CORE_RESOURCE_SELECTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/inventory.h"
#include "core/policy.h"

namespace dgc {

// What happens to one container. `considered` is false for containers the
// policy does not look at (no containers section, or not stopped).
struct ContainerDecision {
  bool considered = false;
  bool remove = false;
  std::string reason{};
  absl::Time stopped_at = absl::InfinitePast();  // FinishedAt, or creation
};

// DecideContainers decides every container of `inventory`, in its order.
std::vector<ContainerDecision> DecideContainers(const Inventory& inventory,
                                                const Policy& policy,
                                                absl::Time now);

// What happens to one volume (`considered` false without a volumes
// section).
struct VolumeDecision {
  bool considered = false;
  bool remove = false;
  std::string reason{};
};

// DecideVolumes decides every volume, the containers marked in
// `removed_containers` (one entry per container) counting as gone.
std::vector<VolumeDecision> DecideVolumes(
    const Inventory& inventory, const Policy& policy, absl::Time now,
    const std::vector<bool>& removed_containers);

// The build cache records a policy prunes, children before parents, and
// their bytes (the engine's Size of each, as its SpaceReclaimed counts).
struct BuildCacheSelection {
  std::vector<size_t> records;  // indices into Inventory::build_cache
  uint64_t bytes = 0;
  std::string reason{};
  // The unshared cache's bytes before and after (what keep_storage is
  // measured against).
  uint64_t cache_bytes = 0;
  uint64_t cache_bytes_after = 0;
};

// SelectBuildCache returns what the build_cache section prunes (nothing
// without one).
BuildCacheSelection SelectBuildCache(const Inventory& inventory,
                                     const Policy& policy, absl::Time now);

}  // namespace dgc

#endif  // DGC_CORE_RESOURCE_SELECTION_H_
