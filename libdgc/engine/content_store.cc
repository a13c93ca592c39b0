// containerd's content store, read for the blobs of each image (see
// content_store.h).
#include "engine/content_store.h"

#include <sys/stat.h>

#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "core/engine_bodies.h"
#include "core/json_reader.h"
#include "engine/files.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

constexpr std::string_view kBlobs = "/io.containerd.content.v1.content/blobs/";

// The path of blob `digest` ("sha256:<hex>"), or "" for a digest that is
// not one (it goes into a path).
std::string BlobPath(const std::string& root, std::string_view digest) {
  if (!CheckImageId(digest).ok()) return "";
  return absl::StrFormat("%s%ssha256/%s", root, kBlobs, digest.substr(7));
}

std::optional<uint64_t> FileSize(const std::string& path) {
  struct stat stats {};
  if (path.empty() || ::stat(path.c_str(), &stats) != 0 ||
      !S_ISREG(stats.st_mode)) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(stats.st_size);
}

// The digests a JSON blob names: an index's manifests, a manifest's config
// and layers. Not JSON, or neither: none.
std::vector<std::string> ChildDigests(const PaddedBody& blob,
                                      simdjson::ondemand::parser& parser) {
  std::vector<std::string> children;
  auto read_descriptor = [&](value& descriptor) {
    return ForEachField(descriptor, [&](std::string_view key, value& f) {
      if (key != "digest") return absl::OkStatus();
      std::string digest;
      absl::Status status = ReadString(f, key, &digest);
      if (status.ok()) children.push_back(std::move(digest));
      return status;
    });
  };
  absl::Status status = ParseDocument(parser, blob, [&](value& root) {
    return ForEachField(root, [&](std::string_view key, value& f) {
      if (key == "manifests" || key == "layers") {
        return ForEachElement(
            f, [&](size_t, value& item) { return read_descriptor(item); });
      }
      if (key == "config") return read_descriptor(f);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) children.clear();
  return children;
}

// The blobs of the image whose top blob is `id`, with their sizes, or
// nullopt when the top blob is not there.
std::optional<std::vector<std::pair<std::string, uint64_t>>> ImageBlobs(
    const std::string& root, const std::string& id,
    simdjson::ondemand::parser& parser) {
  if (!FileSize(BlobPath(root, id)).has_value()) return std::nullopt;
  std::vector<std::pair<std::string, uint64_t>> blobs;
  absl::flat_hash_set<std::string> seen;
  std::vector<std::string> pending = {id};
  while (!pending.empty()) {
    std::string digest = std::move(pending.back());
    pending.pop_back();
    if (!seen.insert(digest).second) continue;
    std::string path = BlobPath(root, digest);
    std::optional<uint64_t> size = FileSize(path);
    if (!size.has_value()) continue;  // not in the store: no space
    blobs.push_back({digest, *size});
    // Only indexes and manifests name other blobs; they are small.
    constexpr uint64_t kLargestDocument = 4 << 20;
    if (*size > kLargestDocument) continue;
    absl::StatusOr<PaddedBody> text = ReadFile(path);
    if (!text.ok()) continue;
    for (std::string& child : ChildDigests(*text, parser)) {
      pending.push_back(std::move(child));
    }
  }
  return blobs;
}

}  // namespace

std::optional<std::string> FindContentStore(const Inventory& inventory,
                                            const EnvironmentLookup& env) {
  if (!inventory.engine.containerd_store ||
      !inventory.engine.host.starts_with("unix://") ||
      inventory.images.empty()) {
    return std::nullopt;
  }
  std::vector<std::string> candidates;
  if (std::optional<std::string> root = env("DOCKER_GC_CONTAINERD_ROOT");
      root.has_value() && !root->empty()) {
    candidates.push_back(*root);
  }
  if (!inventory.engine.docker_root_dir.empty()) {
    candidates.push_back(inventory.engine.docker_root_dir +
                         "/containerd/daemon");
  }
  candidates.push_back("/var/lib/containerd");
  for (const std::string& root : candidates) {
    for (const Image& image : inventory.images) {
      if (FileSize(BlobPath(root, image.id)).has_value()) return root;
    }
  }
  return std::nullopt;
}

absl::Status ReadContentBlobs(const std::string& root, Inventory* inventory) {
  simdjson::ondemand::parser parser;
  inventory->content_store = root;
  for (Image& image : inventory->images) {
    auto blobs = ImageBlobs(root, image.id, parser);
    if (!blobs.has_value()) {
      inventory->warnings.push_back(absl::StrFormat(
          "image %s: its content is not in %s: its bytes are bounds", image.id,
          root));
      continue;
    }
    image.blobs.clear();
    for (const auto& [digest, size] : *blobs) {
      image.blobs.push_back(inventory->InternBlob(digest, size));
    }
    image.blobs_known = true;
  }
  return absl::OkStatus();
}

bool ContentBlobPresent(const std::string& root, std::string_view digest) {
  return FileSize(BlobPath(root, digest)).has_value();
}

}  // namespace dgc
