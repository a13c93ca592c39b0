// Linking engine bodies into an Inventory (see inventory.h).
#include "core/inventory.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/image_content.h"
#include "core/inventory_assembly.h"
#include "core/layer_sizes.h"
#include "core/safe_text.h"
#include "core/string_views.h"

namespace dgc {
namespace {

// Adds the image's layer chains to the graph with their sizes; records a
// warning when the history does not explain the sizes exactly or contradicts
// what another image said about a shared chain. `digests` are the diff IDs
// decoded (DigestFromText), or empty to decode them here.
void AddLayers(absl::Span<const std::string_view> diff_ids,
               absl::Span<const std::optional<Digest>> digests,
               absl::Span<const HistoryEntry> history, Image* image,
               Inventory* inv) {
  // The containerd store's list Size adds content blobs to the snapshots,
  // not all of which inspect's Size counts (an index's other platforms):
  // its history is checked once its content is known (SetImageContent).
  std::optional<int64_t> snapshots;
  if (!inv->engine.containerd_store) snapshots = image->size;
  LayerSizes sizes = LayerSizesFromHistory(diff_ids, history, snapshots);
  if (!sizes.exact) {
    image->layer_sizes_exact = false;
    inv->warnings.push_back(
        absl::StrFormat("image %s: %s", image->id, sizes.problem));
  }
  LayerId chain = kNoLayer;
  image->layers.reserve(diff_ids.size());
  for (size_t i = 0; i < diff_ids.size(); ++i) {
    chain = digests.empty()
                ? inv->layers.Intern(chain, diff_ids[i])
                : inv->layers.Intern(chain, diff_ids[i], digests[i]);
    image->layers.push_back(chain);
    const Layer& layer = inv->layers.layer(chain);
    if (!layer.size_known || (sizes.exact && !layer.size_exact)) {
      inv->layers.SetSize(chain, sizes.sizes[i], sizes.exact);
    } else if (layer.size != sizes.sizes[i] && sizes.exact) {
      image->layer_sizes_exact = false;
      inv->warnings.push_back(absl::StrFormat(
          "image %s: layer %s is %d bytes by its history, %d by another "
          "image's",
          image->id, inv->layers.ChainId(chain), sizes.sizes[i], layer.size));
    }
  }
}

// Builds one image from its list entry and its details.
absl::StatusOr<Image> BuildImage(ImageSummary& summary,
                                 const ImageDetails& details, Inventory* inv) {
  const ImageInspect& inspect = details.inspect;
  if (inspect.id != summary.id) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "image %s: its inspect body is for %s", summary.id, inspect.id));
  }
  Image image = ImageFromListEntry(summary);
  if (image.labels.empty()) image.labels = inspect.labels;
  std::vector<std::string_view> diff_ids(inspect.diff_ids.begin(),
                                         inspect.diff_ids.end());
  CompleteImage({.created = inspect.created,
                 .last_tag_time = inspect.last_tag_time,
                 .size = inspect.size,
                 .diff_ids = diff_ids,
                 .digests = {},
                 .history = details.history},
                &image, inv);
  return image;
}

// Parents, children and the intermediate flag. Errors: a parent chain that
// loops (a real engine cannot produce one; a hand-made snapshot can).
absl::Status LinkParents(const std::vector<std::string>& parent_ids,
                         Inventory* inv) {
  for (ImageIndex i = 0; i < inv->images.size(); ++i) {
    const std::string& parent_id = parent_ids[i];
    if (parent_id.empty()) continue;
    ImageIndex parent = inv->FindImage(parent_id);
    if (parent == kNoImage) continue;  // the engine lists every parent
    inv->images[i].parent = parent;
    inv->images[parent].children.push_back(i);
  }
  for (Image& image : inv->images) {
    image.intermediate =
        image.tags.empty() && image.digests.empty() && !image.children.empty();
  }
  for (const Image& image : inv->images) {
    size_t steps = 0;
    for (ImageIndex p = image.parent; p != kNoImage;
         p = inv->images[p].parent) {
      if (++steps > inv->images.size()) {
        return absl::InvalidArgumentError(
            absl::StrFormat("image %s: its chain of parents loops", image.id));
      }
    }
  }
  return absl::OkStatus();
}

void LinkContainers(EngineBodies& bodies, Inventory* inv) {
  for (ContainerSummary& summary : bodies.containers) {
    Container container;
    container.id = std::move(summary.id);
    container.name = std::move(summary.name);
    container.image = std::move(summary.image);
    container.image_id = std::move(summary.image_id);
    container.state = std::move(summary.state);
    container.created = absl::FromUnixSeconds(summary.created);
    container.labels = std::move(summary.labels);
    container.volumes = std::move(summary.volumes);
    if (bodies.system_df.has_value()) {
      auto size = bodies.system_df->container_sizes.find(container.id);
      // SizeRw is left out when zero.
      container.size_rw =
          size == bodies.system_df->container_sizes.end() ? 0 : size->second;
    }
    auto details = bodies.container_details.find(container.id);
    if (details != bodies.container_details.end()) {
      container.details_known = true;
      container.restart_policy = std::move(details->second.restart_policy);
      container.started_at = details->second.started_at;
      container.finished_at = details->second.finished_at;
    }
    container.image_index = inv->FindImage(container.image_id);
    if (container.image_index != kNoImage) {
      inv->images[container.image_index].containers.push_back(
          static_cast<ContainerIndex>(inv->containers.size()));
    }
    inv->containers.push_back(std::move(container));
  }
}

// Whether `name` is one the engine generates for an anonymous volume.
bool GeneratedVolumeName(std::string_view name) {
  return name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void LinkVolumes(std::vector<VolumeSummary> summaries, Inventory* inv) {
  constexpr std::string_view kAnonymousLabel = "com.docker.volume.anonymous";
  absl::flat_hash_map<std::string, size_t> by_name;
  for (VolumeSummary& summary : summaries) {
    Volume volume;
    volume.name = std::move(summary.name);
    volume.driver = std::move(summary.driver);
    volume.labels = std::move(summary.labels);
    volume.created_at = summary.created_at;
    volume.size = summary.size;
    volume.ref_count = summary.ref_count;
    bool labelled = std::any_of(
        volume.labels.begin(), volume.labels.end(),
        [&](const auto& label) { return label.first == kAnonymousLabel; });
    volume.anonymous = labelled || GeneratedVolumeName(volume.name);
    by_name[volume.name] = inv->volumes.size();
    inv->volumes.push_back(std::move(volume));
  }
  for (ContainerIndex c = 0; c < inv->containers.size(); ++c) {
    for (const std::string& name : inv->containers[c].volumes) {
      auto volume = by_name.find(name);
      if (volume != by_name.end()) {
        inv->volumes[volume->second].containers.push_back(c);
      }
    }
  }
}

std::vector<BuildCacheRecord> BuildCacheRecords(
    std::vector<BuildCacheSummary> summaries) {
  std::vector<BuildCacheRecord> records;
  records.reserve(summaries.size());
  for (BuildCacheSummary& summary : summaries) {
    records.push_back({.id = std::move(summary.id),
                       .type = std::move(summary.type),
                       .parents = std::move(summary.parents),
                       .in_use = summary.in_use,
                       .shared = summary.shared,
                       .size = summary.size,
                       .created_at = summary.created_at,
                       .last_used_at = summary.last_used_at,
                       .usage_count = summary.usage_count});
  }
  return records;
}

}  // namespace

ImageIndex Inventory::FindImage(std::string_view id) const {
  auto it = image_by_id.find(ToAbsl(id));
  return it == image_by_id.end() ? kNoImage : it->second;
}

BlobId Inventory::InternBlob(std::string_view digest, uint64_t size) {
  auto [it, inserted] = blob_by_digest.try_emplace(
      std::string(digest), static_cast<BlobId>(blobs.size()));
  if (inserted) blobs.push_back({std::string(digest), size});
  return it->second;
}

bool Inventory::ContentKnown() const {
  return std::all_of(images.begin(), images.end(), [](const Image& image) {
    return image.blobs_known && !image.content_bounded;
  });
}

bool NewerFirst(const Image& a, const Image& b) {
  if (a.created != b.created) return a.created > b.created;
  return a.id < b.id;
}

Image ImageFromListEntry(ImageSummary& summary) {
  Image image;
  image.id = std::move(summary.id);
  image.tags = std::move(summary.repo_tags);
  image.digests = std::move(summary.repo_digests);
  image.created = absl::FromUnixSeconds(summary.created);
  image.size = summary.size;
  image.labels = std::move(summary.labels);
  return image;
}

void CompleteImage(const ImageDetailsFacts& details, Image* image,
                   Inventory* inv) {
  if (details.created != absl::InfinitePast()) image->created = details.created;
  image->last_tagged = std::max(image->created, details.last_tag_time);
  if (inv->engine.containerd_store) {
    // Content blobs are read separately (the content store); the digests
    // the engine lists are made up from the image's own ID, not references
    // of their own.
    image->blobs_known = false;
    image->content_size = details.size;
    image->digests.clear();
  }
  AddLayers(details.diff_ids, details.digests, details.history, image, inv);
}

absl::Status AddListedImage(Image image, Inventory* inv) {
  auto [it, inserted] = inv->image_by_id.try_emplace(
      image.id, static_cast<ImageIndex>(inv->images.size()));
  if (!inserted) {
    return absl::InvalidArgumentError(
        absl::StrFormat("image %s is listed twice", image.id));
  }
  inv->images.push_back(std::move(image));
  return absl::OkStatus();
}

EngineInfo BuildEngineInfo(const EngineBodies& bodies) {
  EngineInfo engine;
  engine.host = bodies.host;
  engine.api_version = bodies.version.api_version;
  engine.server_version = bodies.version.version;
  if (bodies.info.has_value()) {
    engine.id = bodies.info->id;
    engine.storage_driver = bodies.info->driver;
    engine.docker_root_dir = bodies.info->docker_root_dir;
    engine.containerd_store = bodies.info->containerd_snapshotter;
  }
  return engine;
}

absl::Status FinishInventory(const std::vector<std::string>& parent_ids,
                             EngineBodies& rest, Inventory* inv) {
  inv->engine = BuildEngineInfo(rest);
  inv->captured_at = rest.captured_at;
  inv->warnings.insert(inv->warnings.begin(),
                       std::make_move_iterator(rest.warnings.begin()),
                       std::make_move_iterator(rest.warnings.end()));
  if (rest.system_df.has_value()) {
    inv->engine_layers_size = rest.system_df->layers_size;
  }
  if (absl::Status linked = LinkParents(parent_ids, inv); !linked.ok()) {
    return linked;
  }
  LinkContainers(rest, inv);
  if (rest.system_df.has_value()) {
    LinkVolumes(std::move(rest.system_df->volumes), inv);
    inv->build_cache =
        BuildCacheRecords(std::move(rest.system_df->build_cache));
  }
  if (rest.content.has_value() && inv->engine.containerd_store) {
    for (const auto& [id, content] : rest.content->images) {
      if (inv->FindImage(id) == kNoImage) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "content of image %s, which is not listed", TerminalSafe(id)));
      }
    }
    ApplyContentStoreFacts(*std::move(rest.content), inv);
  }
  return absl::OkStatus();
}

absl::StatusOr<Inventory> BuildInventory(EngineBodies bodies) {
  Inventory inv;
  inv.engine = BuildEngineInfo(bodies);
  inv.images.reserve(bodies.images.size());
  std::vector<std::string> parent_ids;
  parent_ids.reserve(bodies.images.size());
  for (ImageSummary& summary : bodies.images) {
    auto details = bodies.details.find(ToAbsl(summary.id));
    if (details == bodies.details.end()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "image %s: no inspect and history bodies for it", summary.id));
    }
    absl::StatusOr<Image> image = BuildImage(summary, details->second, &inv);
    if (!image.ok()) return image.status();
    if (absl::Status s = AddListedImage(*std::move(image), &inv); !s.ok()) {
      return s;
    }
    parent_ids.push_back(std::move(summary.parent_id));
  }
  if (absl::Status s = FinishInventory(parent_ids, bodies, &inv); !s.ok()) {
    return s;
  }
  return inv;
}

std::vector<std::string> ReferencesToDelete(
    const std::vector<std::string>& tags,
    const std::vector<std::string>& digests) {
  std::vector<std::string> refs = tags;
  for (const std::string& digest : digests) {
    std::string_view repository = RepositoryOf(digest);
    bool tagged =
        std::any_of(tags.begin(), tags.end(), [&](const std::string& tag) {
          return RepositoryOf(tag) == repository;
        });
    if (!tagged) refs.push_back(digest);
  }
  return refs;
}

std::vector<ContainerIndex> StayingContainers(
    const Image& image, const std::vector<bool>& removed) {
  std::vector<ContainerIndex> staying;
  for (ContainerIndex c : image.containers) {
    if (c >= removed.size() || !removed[c]) staying.push_back(c);
  }
  return staying;
}

std::string ShortId(std::string_view id) {
  if (id.substr(0, 7) == "sha256:") id.remove_prefix(7);
  return std::string(id.substr(0, 12));
}

std::string_view RepositoryOf(std::string_view reference) {
  size_t at = reference.find('@');
  if (at != std::string_view::npos) return reference.substr(0, at);
  size_t colon = reference.rfind(':');
  size_t slash = reference.rfind('/');
  if (colon == std::string_view::npos ||
      (slash != std::string_view::npos && colon < slash)) {
    return reference;
  }
  return reference.substr(0, colon);
}

}  // namespace dgc
