// Disk usage per image and repository (see disk_usage.h).
#include "core/disk_usage.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "core/accounting.h"

namespace dgc {
namespace {

constexpr std::string_view kNoRepository = "<none>";

bool Listed(const Image& image) { return !image.intermediate; }

// The repositories an image belongs to (each once).
std::vector<std::string_view> RepositoriesOf(const Image& image) {
  std::vector<std::string_view> names;
  for (const std::string& tag : image.tags) names.push_back(RepositoryOf(tag));
  if (names.empty()) names.push_back(kNoRepository);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::vector<ImageUsage> ComputeImageUsage(const Inventory& inv,
                                          const LayerRefCounts& listed_refs) {
  std::vector<ImageUsage> usage;
  for (ImageIndex i = 0; i < inv.images.size(); ++i) {
    const Image& image = inv.images[i];
    if (!Listed(image)) continue;
    ImageUsage entry;
    entry.image = i;
    entry.size = static_cast<uint64_t>(std::max<int64_t>(image.size, 0));
    ForEachStorageUnit(inv, image, [&](StorageUnit unit) {
      if (listed_refs.users(unit) == 1) {
        entry.unique_bytes += StorageUnitSize(inv, unit);
      }
    });
    entry.shared_bytes = entry.size - std::min(entry.size, entry.unique_bytes);
    entry.containers = static_cast<uint32_t>(image.containers.size());
    usage.push_back(entry);
  }
  std::sort(usage.begin(), usage.end(),
            [&](const ImageUsage& a, const ImageUsage& b) {
              return NewerFirst(inv.images[a.image], inv.images[b.image]);
            });
  return usage;
}

std::vector<RepositoryUsage> ComputeRepositoryUsage(
    const Inventory& inv, const LayerRefCounts& listed_refs) {
  std::map<std::string_view, std::vector<ImageIndex>> members;
  for (ImageIndex i = 0; i < inv.images.size(); ++i) {
    if (!Listed(inv.images[i])) continue;
    for (std::string_view name : RepositoriesOf(inv.images[i])) {
      members[name].push_back(i);
    }
  }
  // One pass per repository over its images' layers: a chain is the
  // repository's alone when all its listed users belong to the repository.
  std::vector<uint32_t> repository_users(StorageUnitCount(inv), 0);
  std::vector<StorageUnit> touched;
  std::vector<RepositoryUsage> repositories;
  for (const auto& [name, images] : members) {
    RepositoryUsage repository;
    repository.name = std::string(name);
    repository.images = static_cast<uint32_t>(images.size());
    for (ImageIndex i : images) {
      ForEachStorageUnit(inv, inv.images[i], [&](StorageUnit unit) {
        if (repository_users[unit]++ == 0) touched.push_back(unit);
      });
    }
    for (StorageUnit unit : touched) {
      uint64_t size = StorageUnitSize(inv, unit);
      repository.size += size;
      if (repository_users[unit] == listed_refs.users(unit)) {
        repository.unique_bytes += size;
      }
      repository_users[unit] = 0;
    }
    touched.clear();
    repositories.push_back(std::move(repository));
  }
  std::sort(repositories.begin(), repositories.end(),
            [](const RepositoryUsage& a, const RepositoryUsage& b) {
              if (a.size != b.size) return a.size > b.size;
              return a.name < b.name;
            });
  return repositories;
}

DiskUsageTotals ComputeTotals(const Inventory& inv,
                              const LayerRefCounts& listed_refs,
                              uint32_t listed_images) {
  DiskUsageTotals totals;
  totals.images = listed_images;
  std::vector<bool> in_use(StorageUnitCount(inv), false);
  for (const Image& image : inv.images) {
    if (!image.in_use()) continue;
    ForEachStorageUnit(inv, image,
                       [&](StorageUnit unit) { in_use[unit] = true; });
  }
  for (StorageUnit unit = 0; unit < StorageUnitCount(inv); ++unit) {
    uint32_t users = listed_refs.users(unit);
    if (users == 0) continue;
    uint64_t size = StorageUnitSize(inv, unit);
    (IsContentBlob(inv, unit) ? totals.content_bytes : totals.layers_bytes) +=
        size;
    (users == 1 ? totals.unique_bytes : totals.shared_bytes) += size;
    if (in_use[unit]) totals.in_use_bytes += size;
  }
  totals.unused_reclaimable_bytes =
      totals.layers_bytes + totals.content_bytes - totals.in_use_bytes;
  return totals;
}

}  // namespace

DiskUsage ComputeDiskUsage(const Inventory& inventory) {
  DiskUsage usage;
  LayerRefCounts listed_refs(inventory, Listed);
  usage.images = ComputeImageUsage(inventory, listed_refs);
  usage.repositories = ComputeRepositoryUsage(inventory, listed_refs);
  usage.totals = ComputeTotals(inventory, listed_refs,
                               static_cast<uint32_t>(usage.images.size()));
  return usage;
}

}  // namespace dgc
