// An image's content on the containerd store (see image_content.h).
#include "core/image_content.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/accounting.h"

namespace dgc {
namespace {

// The set of snapshots of `platforms` (diff IDs per platform), `bytes` in
// all: the existing set with the same chains, or a new one.
PlatformSnapshotsId InternPlatformSnapshots(
    const std::vector<std::vector<std::string>>& platforms, uint64_t bytes,
    const Image& image, Inventory* inv) {
  std::vector<std::string> tops;
  absl::flat_hash_set<std::string> chains;
  for (const std::vector<std::string>& diff_ids : platforms) {
    std::vector<std::string> platform_chains = ChainIdsOf(diff_ids);
    if (platform_chains.empty()) continue;
    tops.push_back(platform_chains.back());
    chains.insert(platform_chains.begin(), platform_chains.end());
  }
  std::sort(tops.begin(), tops.end());
  std::string key = absl::StrJoin(tops, ",");
  for (PlatformSnapshotsId id = 0; id < inv->platform_snapshots.size(); ++id) {
    const PlatformSnapshots& set = inv->platform_snapshots[id];
    if (set.key == key) return id;
    bool overlaps = std::any_of(
        set.chains.begin(), set.chains.end(),
        [&](const std::string& chain) { return chains.contains(chain); });
    if (overlaps) {
      inv->warnings.push_back(absl::StrFormat(
          "image %s: its other platforms share some layers with another "
          "image's other platforms; the bytes of those layers may be counted "
          "twice",
          image.id));
    }
  }
  PlatformSnapshots set;
  set.key = std::move(key);
  set.chains.assign(chains.begin(), chains.end());
  std::sort(set.chains.begin(), set.chains.end());
  set.size = bytes;
  inv->platform_snapshots.push_back(std::move(set));
  return static_cast<PlatformSnapshotsId>(inv->platform_snapshots.size() - 1);
}

}  // namespace

void SetImageContent(ImageIndex index, ImageContent content,
                     Inventory* inventory) {
  Image& image = inventory->images[index];
  image.blobs.clear();
  image.platform_snapshots.clear();
  int64_t listed = 0;  // what list Size counts of the content
  for (const auto& [digest, size] : content.blobs) {
    image.blobs.push_back(inventory->InternBlob(digest, size));
    if (digest != content.index_digest) listed += static_cast<int64_t>(size);
  }
  image.blobs_known = true;
  int64_t snapshots = static_cast<int64_t>(ImageLayerBytes(*inventory, image));
  int64_t others = image.size - listed - snapshots;
  if (others == 0) return;
  // Measured on dockerd 26.1.5: the list Size of an image the classic
  // builder made (it has a parent) counts its RUN steps' snapshots larger
  // than the engine's LayersSize does (28,672 bytes for a one-file RUN);
  // LayersSize, which CheckAccounting compares, agrees with the history.
  if (others > 0 && content.other_platforms.empty() &&
      image.parent != kNoImage) {
    return;
  }
  if (others > 0 && !content.other_platforms.empty()) {
    image.platform_snapshots.push_back(InternPlatformSnapshots(
        content.other_platforms, static_cast<uint64_t>(others), image,
        inventory));
    return;
  }
  image.layer_sizes_exact = false;
  inventory->warnings.push_back(absl::StrFormat(
      "image %s: layer sizes from history add up to %d bytes and its content "
      "blobs to %d, but the image is %d bytes",
      image.id, snapshots, listed, image.size));
}

void ApplyContentStoreFacts(ContentStoreFacts facts, Inventory* inventory) {
  bool chains = false;
  for (ImageIndex index = 0; index < inventory->images.size(); ++index) {
    const Image& image = inventory->images[index];
    chains = chains || image.parent != kNoImage || !image.children.empty();
    auto content = facts.images.find(image.id);
    if (content == facts.images.end()) {
      inventory->warnings.push_back(absl::StrFormat(
          "image %s: its content is not in %s: its bytes are bounds", image.id,
          facts.root));
      continue;
    }
    SetImageContent(index, std::move(content->second), inventory);
  }
  if (!chains || facts.unattributed_bytes == 0) return;
  inventory->unattributed_content = facts.unattributed_bytes;
  for (Image& image : inventory->images) {
    image.content_bounded = image.parent != kNoImage || !image.children.empty();
  }
  inventory->warnings.push_back(absl::StrFormat(
      "%d bytes of content blobs in %s belong to no image's manifests (the "
      "classic builder's per-step configs, or blobs containerd has yet to "
      "collect): the bytes of images built with the classic builder are "
      "bounds",
      facts.unattributed_bytes, facts.root));
}

}  // namespace dgc
