// The inventory: one engine's images, containers and layer graph at one
// moment, linked and ready for accounting and planning.
//
// An Inventory is built from engine bodies (live or from a snapshot) by
// BuildInventory and is immutable afterwards; it is safe to share between
// threads for reading.
//
// Example:
//   absl::StatusOr<dgc::Inventory> inventory = dgc::BuildInventory(bodies);
//   for (const dgc::Image& image : inventory->images) { ... }
#ifndef DGC_CORE_INVENTORY_H_
#define DGC_CORE_INVENTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/engine_bodies.h"
#include "core/layer_graph.h"

namespace dgc {

// Index of an image or container in Inventory::images / ::containers, of
// a content blob in Inventory::blobs and of a set of other platforms'
// snapshots in Inventory::platform_snapshots.
using ImageIndex = uint32_t;
using BlobId = uint32_t;
using PlatformSnapshotsId = uint32_t;
using ContainerIndex = uint32_t;
inline constexpr ImageIndex kNoImage = ~ImageIndex{0};

// One image of the engine.
struct Image {
  std::string id;                    // "sha256:<hex>"
  std::vector<std::string> tags;     // "repository:tag", as the engine lists
  std::vector<std::string> digests;  // "repository@sha256:<hex>"
  absl::Time created;
  // Later of Created and Metadata.LastTagTime: what min_age measures.
  absl::Time last_tagged;
  int64_t size = 0;  // the engine's Size: bytes of all its layers
  Labels labels;
  std::vector<LayerId> layers;  // chain per layer, bottom first
  // The containerd image store only: its content blobs (index, manifests,
  // config, layer blobs), shared by digest, and their total as the engine
  // reports it (inspect Size). `blobs_known` is false when they could not
  // be read (the content store is not local): bytes are then bounds.
  std::vector<BlobId> blobs;
  bool blobs_known = true;
  int64_t content_size = 0;
  // Its blobs are known but the content store holds blobs no image's
  // manifests name (the classic builder's per-step container configs,
  // which containerd keeps through labels docker gc cannot read): an image
  // of a build chain may own some, so its content is a bound.
  bool content_bounded = false;
  // A multi-platform index's snapshots of platforms other than the
  // engine's (`docker load` unpacks every platform it gets): none, or one.
  std::vector<PlatformSnapshotsId> platform_snapshots;
  // False when the per-layer sizes could not be derived exactly from the
  // image's history (see Inventory::warnings).
  bool layer_sizes_exact = true;
  ImageIndex parent = kNoImage;            // the engine's Parent
  std::vector<ImageIndex> children;        // images whose parent it is
  std::vector<ContainerIndex> containers;  // containers of any state
  // Untagged with children: an intermediate image of a legacy build, which
  // `docker images` hides and a delete of its last child removes.
  bool intermediate = false;

  bool dangling() const { return tags.empty() && !intermediate; }
  bool in_use() const { return !containers.empty(); }
};

// One container of the engine, in any state.
struct Container {
  std::string id;
  std::string name;
  std::string image;  // what the user typed
  std::string image_id;
  std::string state;
  ImageIndex image_index = kNoImage;  // kNoImage when its image is gone
  absl::Time created = absl::InfinitePast();
  Labels labels;
  std::vector<std::string> volumes;  // names of the volumes it mounts
  // The writable layer's bytes (/system/df SizeRw); nullopt when unknown.
  std::optional<int64_t> size_rw;
  // From its inspect, read only for containers that are not running
  // (details_known); a container without them is never removed.
  bool details_known = false;
  std::string restart_policy;                     // "" or "no" when none
  absl::Time started_at = absl::InfinitePast();   // never started: past
  absl::Time finished_at = absl::InfinitePast();  // never finished: past
};

// One volume of the engine (from /system/df).
struct Volume {
  std::string name{};
  std::string driver{};
  Labels labels{};
  absl::Time created_at = absl::InfinitePast();
  int64_t size = -1;       // bytes of its data; -1 when the engine did not say
  int64_t ref_count = -1;  // containers mounting it, per the engine
  // Containers of the inventory that mount it, in any state.
  std::vector<ContainerIndex> containers{};
  // Anonymous: the engine's label com.docker.volume.anonymous, or, on
  // engines without it, a name of 64 hex digits (a generated one).
  bool anonymous = false;
};

// One build cache record of the engine's BuildKit (from /system/df).
struct BuildCacheRecord {
  std::string id{};
  std::string type{};
  std::vector<std::string> parents{};
  bool in_use = false;
  bool shared = false;
  int64_t size = 0;
  absl::Time created_at = absl::InfinitePast();
  absl::Time last_used_at = absl::InfinitePast();  // never used: past
  int64_t usage_count = 0;
};

// The filesystem holding an engine's data, as statvfs measured it.
struct DiskSpace {
  std::string path;  // where it was measured (DockerRootDir)
  uint64_t total_bytes = 0;
  uint64_t used_bytes = 0;  // as df counts it: total minus free blocks
};

// What the inventory says about the engine itself.
struct EngineInfo {
  std::string host;
  std::string id;  // the engine's unique ID (GET /info), "" when unknown
  std::string api_version;
  std::string server_version;
  std::string storage_driver;
  // DockerRootDir from /info: where the engine keeps its data.
  std::string docker_root_dir;
  // The containerd image store: IDs are manifest (or index) digests, an
  // image's bytes are its snapshots plus its content blobs.
  bool containerd_store = false;
};

// A content blob of the containerd image store.
struct Blob {
  std::string digest;  // "sha256:<hex>"
  uint64_t size = 0;
};

// Snapshots of an index image's other platforms, known only as a whole:
// the engine's list Size counts them, its history does not. Images whose
// other platforms have the same layer chains share them.
struct PlatformSnapshots {
  std::string key;                  // the platforms' top chain IDs, sorted
  std::vector<std::string> chains;  // every chain ID of those platforms
  uint64_t size = 0;
};

struct Inventory {
  EngineInfo engine;
  absl::Time captured_at = absl::InfinitePast();
  std::vector<Image> images;  // in the engine's order
  std::vector<Container> containers;
  std::vector<Volume> volumes;  // empty when /system/df was not read
  std::vector<BuildCacheRecord> build_cache;
  LayerGraph layers;
  // The engine's own /system/df LayersSize, when it was read.
  std::optional<int64_t> engine_layers_size;
  // The disk holding the engine's data, when it could be measured (a local
  // engine whose DockerRootDir this process sees).
  std::optional<DiskSpace> data_disk;
  // When images were last used by containers that are gone now, as
  // remembered across runs (by image ID; see engine/last_use_cache.h).
  absl::flat_hash_map<std::string, absl::Time> remembered_last_use;
  // Things a person should know (e.g. a history that does not explain an
  // image's size). Never fatal.
  std::vector<std::string> warnings;
  absl::flat_hash_map<std::string, ImageIndex> image_by_id;
  // Content blobs (containerd image store), each once.
  std::vector<Blob> blobs;
  absl::flat_hash_map<std::string, BlobId> blob_by_digest;
  // Where the content blobs were read (containerd's root), "" when not.
  std::string content_store;
  std::vector<PlatformSnapshots> platform_snapshots;
  // Bytes of the content store's blobs that no image's manifests name.
  uint64_t unattributed_content = 0;

  // FindImage returns the index of the image with ID `id`, or kNoImage.
  ImageIndex FindImage(std::string_view id) const;
  // InternBlob returns the blob `digest`, adding it with `size` when new.
  BlobId InternBlob(std::string_view digest, uint64_t size);
  // ContentKnown reports whether every image's blobs are known, so that
  // every byte figure is exact.
  bool ContentKnown() const;
};

// NewerFirst orders images newest first: by Created, descending, and on a
// tie by ID, the smaller ID counting as newer. It is the one order of
// keep_newest, of `df` and of the plan's kept images; use it as a sort
// comparator.
bool NewerFirst(const Image& a, const Image& b);

// BuildInventory links engine bodies into an Inventory: images with their
// details, the layer graph with per-layer sizes from history, parents,
// children and containers.
// Errors: InvalidArgument when an image lacks its inspect or history body,
// when an image ID appears twice, or when the inspect body contradicts the
// image list (different ID).
absl::StatusOr<Inventory> BuildInventory(EngineBodies bodies);

// ReferencesToDelete returns the references whose removal, one by one,
// deletes an image: every tag, then the digests of repositories without a
// tag (the engine drops a repository's digests with its last tag).
std::vector<std::string> ReferencesToDelete(
    const std::vector<std::string>& tags,
    const std::vector<std::string>& digests);

// StayingContainers returns the containers of `image` not marked in
// `removed` (one entry per container of the inventory, or empty for none).
std::vector<ContainerIndex> StayingContainers(const Image& image,
                                              const std::vector<bool>& removed);

// ShortId returns an image ID as docker shows it: 12 hex digits, without
// the "sha256:" prefix.
std::string ShortId(std::string_view id);

// RepositoryOf returns the repository part of "repository:tag" or
// "repository@digest" ("localhost:5000/app:1" gives "localhost:5000/app").
std::string_view RepositoryOf(std::string_view reference);

}  // namespace dgc

#endif  // DGC_CORE_INVENTORY_H_
