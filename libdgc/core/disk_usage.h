// Disk usage per image and per repository, with exact shared-layer
// accounting: what `docker gc df` reports (dgc.df/v1).
//
// Intermediate images of legacy builds are not listed (as `docker images`
// hides them): their layers are all part of their children's chains, and
// deleting the last child deletes them too.
//
// Example:
//   dgc::DiskUsage usage = dgc::ComputeDiskUsage(inventory);
//   printf("%llu\n", usage.totals.layers_bytes);
#ifndef DGC_CORE_DISK_USAGE_H_
#define DGC_CORE_DISK_USAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/inventory.h"

namespace dgc {

struct ImageUsage {
  ImageIndex image = kNoImage;
  uint64_t size = 0;          // the engine's Size
  uint64_t unique_bytes = 0;  // layers no other listed image uses
  uint64_t shared_bytes = 0;  // size - unique_bytes
  uint32_t containers = 0;    // containers of any state
};

struct RepositoryUsage {
  std::string name;  // "<none>" for dangling images
  uint32_t images = 0;
  uint64_t size = 0;          // distinct layer bytes of its images
  uint64_t unique_bytes = 0;  // layers only its images use
};

struct DiskUsageTotals {
  uint32_t images = 0;
  uint64_t layers_bytes = 0;  // all distinct layers: the engine's LayersSize
  // The containerd store's content blobs, each once (0 on a graph driver).
  uint64_t content_bytes = 0;
  // Below, layers and content blobs together.
  uint64_t unique_bytes = 0;  // used by exactly one image
  uint64_t shared_bytes = 0;  // used by two images or more
  uint64_t in_use_bytes = 0;  // of images some container uses
  // Exact bytes freed by deleting every image no container uses.
  uint64_t unused_reclaimable_bytes = 0;
};

struct DiskUsage {
  DiskUsageTotals totals;
  std::vector<ImageUsage> images;             // newest first, then by ID
  std::vector<RepositoryUsage> repositories;  // largest first, then by name
};

// ComputeDiskUsage computes the disk usage of `inventory`.
DiskUsage ComputeDiskUsage(const Inventory& inventory);

}  // namespace dgc

#endif  // DGC_CORE_DISK_USAGE_H_
