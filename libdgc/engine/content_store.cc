// containerd's content store, read for the blobs of each image (see
// content_store.h).
#include "engine/content_store.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "core/engine_bodies.h"
#include "core/image_content.h"
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

// What a JSON blob names: an index's manifests; a manifest's config and
// layers; a config's diff IDs. Not JSON, or none of those: nothing.
struct BlobDocument {
  std::vector<std::string> manifests;
  std::string config;
  std::vector<std::string> layers;
  std::vector<std::string> diff_ids;
  bool index() const { return !manifests.empty(); }
};

BlobDocument ReadBlobDocument(const PaddedBody& blob,
                              simdjson::ondemand::parser& parser) {
  BlobDocument document;
  auto read_digest = [](value& descriptor, std::vector<std::string>* out) {
    return ForEachField(descriptor, [&](std::string_view key, value& f) {
      if (key != "digest") return absl::OkStatus();
      std::string digest;
      absl::Status status = ReadString(f, key, &digest);
      if (status.ok()) out->push_back(std::move(digest));
      return status;
    });
  };
  auto read_digests = [&](value& list, std::vector<std::string>* out) {
    return ForEachElement(
        list, [&](size_t, value& item) { return read_digest(item, out); });
  };
  absl::Status status = ParseDocument(parser, blob, [&](value& root) {
    return ForEachField(root, [&](std::string_view key, value& f) {
      if (key == "manifests") return read_digests(f, &document.manifests);
      if (key == "layers") return read_digests(f, &document.layers);
      if (key == "config") {
        std::vector<std::string> config;
        absl::Status read = read_digest(f, &config);
        if (read.ok() && !config.empty()) document.config = config.front();
        return read;
      }
      if (key == "rootfs") {
        return ForEachField(f, [&](std::string_view field, value& ids) {
          if (field != "diff_ids") return absl::OkStatus();
          return ForEachElement(ids, [&](size_t, value& id) {
            std::string diff_id;
            absl::Status read = ReadString(id, "diff_ids", &diff_id);
            if (read.ok()) document.diff_ids.push_back(std::move(diff_id));
            return read;
          });
        });
      }
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return BlobDocument{};
  return document;
}

// Reads blob `digest` when it is in the store: its size, and what it names
// when it is small enough to be a document (indexes, manifests and configs
// are; layer blobs are not read).
struct StoredBlob {
  uint64_t size = 0;
  BlobDocument document;
};
std::optional<StoredBlob> ReadStoredBlob(const std::string& root,
                                         const std::string& digest,
                                         simdjson::ondemand::parser& parser) {
  std::string path = BlobPath(root, digest);
  std::optional<uint64_t> size = FileSize(path);
  if (!size.has_value()) return std::nullopt;  // not in the store: no space
  StoredBlob blob;
  blob.size = *size;
  constexpr uint64_t kLargestDocument = 4 << 20;
  if (*size <= kLargestDocument) {
    if (absl::StatusOr<PaddedBody> text = ReadFile(path); text.ok()) {
      blob.document = ReadBlobDocument(*text, parser);
    }
  }
  return blob;
}

// The content of the image whose top blob is `image.id`, or nullopt when
// the top blob is not there. `host` is the image's own diff IDs (its
// platform's, as the engine inspects it).
std::optional<ImageContent> ReadImageContent(
    const std::string& root, const Image& image,
    const std::vector<std::string>& host, simdjson::ondemand::parser& parser) {
  std::optional<StoredBlob> top = ReadStoredBlob(root, image.id, parser);
  if (!top.has_value()) return std::nullopt;
  ImageContent content;
  absl::flat_hash_set<std::string> seen = {image.id}, present = {image.id};
  content.blobs.push_back({image.id, top->size});
  // Reads a blob the first time it is named; nullopt after, or when absent.
  auto add = [&](const std::string& digest) -> std::optional<StoredBlob> {
    if (!seen.insert(digest).second) return std::nullopt;
    std::optional<StoredBlob> blob = ReadStoredBlob(root, digest, parser);
    if (blob.has_value()) {
      content.blobs.push_back({digest, blob->size});
      present.insert(digest);
    }
    return blob;
  };
  std::vector<std::string> manifests = {image.id};
  if (top->document.index()) {
    content.index_digest = image.id;
    manifests = top->document.manifests;
  }
  for (const std::string& digest : manifests) {
    std::optional<StoredBlob> manifest = digest == image.id ? top : add(digest);
    if (!manifest.has_value()) continue;
    std::optional<StoredBlob> config = add(manifest->document.config);
    bool layers_present = true;
    for (const std::string& layer : manifest->document.layers) {
      add(layer);
      if (!present.contains(layer)) layers_present = false;
    }
    if (config.has_value() && layers_present &&
        config->document.diff_ids != host &&
        !config->document.diff_ids.empty()) {
      content.other_platforms.push_back(config->document.diff_ids);
    }
  }
  return content;
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

ContentStoreFacts ReadContentStore(const std::string& root,
                                   const Inventory& inventory) {
  simdjson::ondemand::parser parser;
  ContentStoreFacts facts;
  facts.root = root;
  absl::flat_hash_set<std::string> named;
  for (const Image& image : inventory.images) {
    std::vector<std::string> host;
    for (LayerId layer : image.layers) {
      host.push_back(inventory.layers.diff_id(layer));
    }
    std::optional<ImageContent> content =
        ReadImageContent(root, image, host, parser);
    if (!content.has_value()) continue;
    for (const auto& [digest, size] : content->blobs) named.insert(digest);
    facts.images[image.id] = *std::move(content);
  }
  for (const auto& [digest, size] : ListContentBlobs(root)) {
    if (!named.contains(digest)) facts.unattributed_bytes += size;
  }
  return facts;
}

void ReadContentBlobs(const std::string& root, Inventory* inventory) {
  ApplyContentStoreFacts(ReadContentStore(root, *inventory), inventory);
  inventory->content_store = root;
}

absl::flat_hash_map<std::string, uint64_t> ListContentBlobs(
    const std::string& root) {
  absl::flat_hash_map<std::string, uint64_t> blobs;
  std::error_code error;
  std::filesystem::directory_iterator entries(
      absl::StrFormat("%s%ssha256", root, kBlobs), error);
  if (error) return blobs;
  for (const std::filesystem::directory_entry& entry : entries) {
    uintmax_t size = entry.is_regular_file(error) ? entry.file_size(error) : 0;
    if (error) continue;  // gone meanwhile
    blobs["sha256:" + entry.path().filename().string()] = size;
  }
  return blobs;
}

}  // namespace dgc
