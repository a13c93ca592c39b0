// The Engine API bodies libdgc reads, as plain structs, and their parsers.
//
// Each parser reads one body (or one nested value of a snapshot) with
// simdjson On-Demand, takes only the fields libdgc uses and tolerates the
// shapes of API 1.24 to 1.53: missing optional fields, `null` for empty
// arrays and maps, `<none>:<none>` placeholders (before 1.43), `-1` for
// uncomputed counts, and both /system/df shapes (`LayersSize` before 1.52,
// `ImageUsage.TotalSize` from 1.52 on).
//
// Example:
//   simdjson::ondemand::parser parser;
//   std::vector<dgc::ImageSummary> images;
//   absl::Status status = dgc::ParseDocument(parser, body,
//       [&](simdjson::ondemand::value& v) {
//         return dgc::ParseImageList(v, &images);
//       });
#ifndef DGC_CORE_ENGINE_BODIES_H_
#define DGC_CORE_ENGINE_BODIES_H_

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace dgc {

// Image or container labels, sorted by key.
using Labels = std::vector<std::pair<std::string, std::string>>;

// One entry of GET /images/json?all=1.
struct ImageSummary {
  std::string id;                         // "sha256:<hex>"
  std::string parent_id;                  // "" when none
  std::vector<std::string> repo_tags;     // without "<none>:<none>"
  std::vector<std::string> repo_digests;  // without "<none>@<none>"
  int64_t created = 0;                    // unix seconds
  int64_t size = 0;                       // bytes of all the image's layers
  Labels labels;
};

// The fields of GET /images/{id}/json libdgc uses.
struct ImageInspect {
  std::string id;
  std::string parent;
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  absl::Time created = absl::InfinitePast();
  // When the image was last tagged; InfinitePast when never (the engine
  // reports "0001-01-01T00:00:00Z") or not reported.
  absl::Time last_tag_time = absl::InfinitePast();
  std::vector<std::string> diff_ids;  // RootFS.Layers, bottom first
  int64_t size = 0;
  Labels labels;  // Config.Labels
};

// One entry of GET /images/{id}/history (newest first in the body).
struct HistoryEntry {
  int64_t size = 0;
  // Whether it is a step of 0 bytes whose CreatedBy names a step that
  // creates no layer (ENV, LABEL…; see IsMetadataStep in layer_sizes.h),
  // decided while parsing so the text need not be kept. A step with bytes
  // created a layer whatever it says.
  bool metadata_step = false;
};

// One entry of GET /containers/json?all=1.
struct ContainerSummary {
  std::string id;
  std::string name;      // first of Names, without the leading "/"
  std::string image;     // what the user typed
  std::string image_id;  // "sha256:<hex>" of the image config
  std::string state;     // created, running, paused, restarting, exited, dead
  int64_t created = 0;   // unix seconds
  Labels labels;
  std::vector<std::string> volumes;  // names of the volumes it mounts
};

// The fields of GET /containers/{id}/json libdgc uses (read for containers
// that are not running: created, exited, dead).
struct ContainerInspect {
  std::string id{};
  std::string state{};           // State.Status: created, running, exited, ...
  std::string restart_policy{};  // HostConfig.RestartPolicy.Name; "" is "no"
  // State.StartedAt and State.FinishedAt; InfinitePast when never.
  absl::Time started_at = absl::InfinitePast();
  absl::Time finished_at = absl::InfinitePast();
};

// One volume of GET /system/df (Volumes, or VolumeUsage.Items from 1.52).
struct VolumeSummary {
  std::string name{};
  std::string driver{};
  Labels labels{};
  absl::Time created_at = absl::InfinitePast();
  int64_t size = -1;       // UsageData.Size; -1 when not computed
  int64_t ref_count = -1;  // UsageData.RefCount: containers mounting it
};

// One record of GET /system/df BuildCache (BuildCacheUsage.Items from 1.52).
struct BuildCacheSummary {
  std::string id{};
  std::string type{};  // regular, internal, frontend, source.local, ...
  std::vector<std::string> parents{};  // Parents, or the older Parent
  bool in_use = false;
  bool shared = false;
  int64_t size = 0;
  absl::Time created_at = absl::InfinitePast();
  absl::Time last_used_at = absl::InfinitePast();  // never used: InfinitePast
  int64_t usage_count = 0;
};

// The fields of GET /version libdgc uses.
struct VersionBody {
  std::string version;          // e.g. "20.10.24+dfsg1"
  std::string api_version;      // e.g. "1.41"
  std::string min_api_version;  // e.g. "1.12"
  std::string os;
  std::string arch;
};

// The fields of GET /info libdgc uses.
struct InfoBody {
  std::string id;               // the engine's unique ID
  std::string driver;           // storage driver, e.g. "overlay2"
  std::string docker_root_dir;  // DockerRootDir, e.g. "/var/lib/docker"
  // The containerd image store ("driver-type" io.containerd.snapshotter.v1):
  // image IDs are manifest digests and sizes are not layer sizes.
  bool containerd_snapshotter = false;
};

// The fields of GET /system/df libdgc uses.
struct SystemDfBody {
  int64_t layers_size = 0;  // LayersSize, or ImageUsage.TotalSize (1.52+)
  // Containers' writable layers by container ID: SizeRw (absent when 0).
  absl::flat_hash_map<std::string, int64_t> container_sizes;
  std::vector<VolumeSummary> volumes;
  std::vector<BuildCacheSummary> build_cache;
};

// The body of DELETE /images/{name}: what was untagged and what deleted
// (image IDs and layer chain IDs), in the engine's order.
struct DeleteResponse {
  std::vector<std::string> untagged;
  std::vector<std::string> deleted;
};

// Inspect and history of one image.
struct ImageDetails {
  ImageInspect inspect;
  std::vector<HistoryEntry> history;  // as in the body: newest first
};

// What containerd's content store holds for one image of the containerd
// image store (core/image_content.h says what is made of it).
struct ImageContent {
  // Every blob of the image in the content store, with its bytes.
  std::vector<std::pair<std::string, uint64_t>> blobs;
  // The digest of the image's index ("" when its top blob is a manifest).
  std::string index_digest;
  // The diff IDs (bottom first) of each platform other than the image's
  // own whose layers are all in the store: those the engine may have
  // unpacked.
  std::vector<std::vector<std::string>> other_platforms;
};

// What a containerd content store showed, read from it or kept by a
// snapshot.
struct ContentStoreFacts {
  std::string root;  // containerd's root it was read from
  // By image ID; an image missing here had no top blob in the store.
  absl::flat_hash_map<std::string, ImageContent> images;
  // Bytes of the store's blobs that no image's manifests name.
  uint64_t unattributed_bytes = 0;
};

// Everything read from one engine (or one snapshot), before it is linked
// into an Inventory.
struct EngineBodies {
  std::string host;  // endpoint the bodies came from
  absl::Time captured_at = absl::InfinitePast();
  VersionBody version;
  std::optional<InfoBody> info;
  std::vector<ImageSummary> images;
  std::vector<ContainerSummary> containers;
  absl::flat_hash_map<std::string, ImageDetails> details;  // by image ID
  // Inspect of the containers that are not running, by container ID.
  absl::flat_hash_map<std::string, ContainerInspect> container_details;
  std::optional<SystemDfBody> system_df;
  // The containerd store's content store, when it was read.
  std::optional<ContentStoreFacts> content;
  // What a person should know about how the bodies were read.
  std::vector<std::string> warnings;
};

// Parsers of one body each. They append to or fill `*out`; on error `*out`
// is unspecified. Errors: InvalidArgument naming the element and field.
absl::Status ParseImageList(simdjson::ondemand::value& value,
                            std::vector<ImageSummary>* out);
absl::Status ParseImageInspect(simdjson::ondemand::value& value,
                               ImageInspect* out);
absl::Status ParseImageHistory(simdjson::ondemand::value& value,
                               std::vector<HistoryEntry>* out);
absl::Status ParseContainerList(simdjson::ondemand::value& value,
                                std::vector<ContainerSummary>* out);
absl::Status ParseContainerInspect(simdjson::ondemand::value& value,
                                   ContainerInspect* out);
absl::Status ParseVersion(simdjson::ondemand::value& value, VersionBody* out);
absl::Status ParseInfo(simdjson::ondemand::value& value, InfoBody* out);
absl::Status ParseSystemDf(simdjson::ondemand::value& value, SystemDfBody* out);
absl::Status ParseDeleteResponse(simdjson::ondemand::value& value,
                                 DeleteResponse* out);

// NeedsContainerDetails reports whether libdgc reads the inspect of a
// container in `state`: those not running (created, exited, dead), which
// a policy may remove.
bool NeedsContainerDetails(std::string_view state);

// CheckEngineName accepts only what Docker produces as a container or
// volume name or ID, or a build cache record ID: an ASCII letter or digit,
// then letters, digits, '_', '.' and '-' (names go into request paths).
// Errors: InvalidArgument naming `field`.
absl::Status CheckEngineName(std::string_view name, std::string_view field);

// CheckImageId accepts only what an engine produces as an image ID,
// "sha256:" and 64 lower-case hex digits (IDs go into request paths).
// Errors: InvalidArgument naming `field`, where the ID was read from.
absl::Status CheckImageId(std::string_view id, std::string_view field = "Id");

// ReadEngineTime reads a time field as ParseEngineTime does; null or ""
// leaves `*out` unchanged. Errors: InvalidArgument naming `name`.
absl::Status ReadEngineTime(simdjson::ondemand::value& value,
                            std::string_view name, absl::Time* out);

// ParseEngineTime reads an RFC 3339 time as the engine writes it
// (nanoseconds optional). "0001-01-01T00:00:00Z" gives InfinitePast.
absl::Status ParseEngineTime(std::string_view text, absl::Time* out);

}  // namespace dgc

#endif  // DGC_CORE_ENGINE_BODIES_H_
