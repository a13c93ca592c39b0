// Parsers of the Engine API bodies libdgc reads (see engine_bodies.h).
#include "core/engine_bodies.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "absl/strings/str_format.h"
#include "core/json_reader.h"
#include "core/layer_sizes.h"
#include "core/safe_text.h"
#include "core/time_text.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

constexpr std::string_view kNoneTag = "<none>:<none>";
constexpr std::string_view kNoneDigest = "<none>@<none>";

absl::Status MissingField(std::string_view name) {
  return absl::InvalidArgumentError(
      absl::StrFormat("missing required field \"%s\"", name));
}

void DropPlaceholder(std::vector<std::string>* refs,
                     std::string_view placeholder) {
  refs->erase(std::remove(refs->begin(), refs->end(), placeholder),
              refs->end());
}

absl::Status ParseImageSummary(value& v, ImageSummary* out) {
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Id") return ReadString(f, key, &out->id);
    if (key == "ParentId") return ReadString(f, key, &out->parent_id);
    if (key == "RepoTags") return ReadStringArray(f, key, &out->repo_tags);
    if (key == "RepoDigests") {
      return ReadStringArray(f, key, &out->repo_digests);
    }
    if (key == "Created") return ReadInt(f, key, &out->created);
    if (key == "Size") return ReadInt(f, key, &out->size);
    if (key == "Labels") return ReadStringMap(f, key, &out->labels);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (out->id.empty()) return MissingField("Id");
  if (absl::Status id = CheckImageId(out->id); !id.ok()) return id;
  DropPlaceholder(&out->repo_tags, kNoneTag);
  DropPlaceholder(&out->repo_digests, kNoneDigest);
  return absl::OkStatus();
}

absl::Status ParseRootFs(value& v, std::vector<std::string>* diff_ids) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Layers") return ReadStringArray(f, key, diff_ids);
    return absl::OkStatus();
  });
}

absl::Status ParseImageConfig(value& v, Labels* labels) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Labels") return ReadStringMap(f, key, labels);
    return absl::OkStatus();
  });
}

absl::Status ParseImageMetadata(value& v, absl::Time* last_tag_time) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "LastTagTime") return ReadEngineTime(f, key, last_tag_time);
    return absl::OkStatus();
  });
}

absl::Status ParseHistoryEntry(value& v, HistoryEntry* out) {
  std::string_view created_by;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Size") return ReadInt(f, key, &out->size);
    if (key == "CreatedBy") return ReadStringView(f, key, &created_by);
    return absl::OkStatus();
  });
  out->metadata_step = out->size == 0 && IsMetadataStep(created_by);
  return status;
}

// Whether `v` is null (not consumed: ForEachField skips it).
bool IsNullValue(value& v) {
  bool null = false;
  return json_internal::IsNull(v, &null).ok() && null;
}

// Mounts of a container: the names of its volumes (Type "volume").
absl::Status ParseMounts(value& v, std::vector<std::string>* volumes) {
  return ForEachElement(v, [&](size_t, value& mount) {
    std::string type, name;
    absl::Status s = ForEachField(mount, [&](std::string_view key, value& f) {
      if (key == "Type") return ReadString(f, key, &type);
      if (key == "Name") return ReadString(f, key, &name);
      return absl::OkStatus();
    });
    if (s.ok() && type == "volume" && !name.empty()) {
      volumes->push_back(std::move(name));
    }
    return s;
  });
}

absl::Status ParseContainerSummary(value& v, ContainerSummary* out) {
  std::vector<std::string> names;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Id") return ReadString(f, key, &out->id);
    if (key == "Names") return ReadStringArray(f, key, &names);
    if (key == "Image") return ReadString(f, key, &out->image);
    if (key == "ImageID") return ReadString(f, key, &out->image_id);
    if (key == "State") return ReadString(f, key, &out->state);
    if (key == "Created") return ReadInt(f, key, &out->created);
    if (key == "Labels") return ReadStringMap(f, key, &out->labels);
    if (key == "Mounts") return WithContext(ParseMounts(f, &out->volumes), key);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (out->id.empty()) return MissingField("Id");
  // Without the image ID the container's image cannot be protected.
  if (out->image_id.empty()) return MissingField("ImageID");
  if (!names.empty()) {
    std::string_view name = names.front();
    if (!name.empty() && name.front() == '/') name.remove_prefix(1);
    out->name = std::string(name);
  }
  return absl::OkStatus();
}

// DriverStatus is a list of [key, value] pairs.
absl::Status ParseDriverStatus(value& v, bool* containerd_snapshotter) {
  return ForEachElement(v, [&](size_t, value& pair_value) {
    std::vector<std::string> pair;
    if (absl::Status s = ReadStringArray(pair_value, "DriverStatus", &pair);
        !s.ok()) {
      return s;
    }
    if (pair.size() == 2 && pair[0] == "driver-type" &&
        pair[1] == "io.containerd.snapshotter.v1") {
      *containerd_snapshotter = true;
    }
    return absl::OkStatus();
  });
}

absl::Status ParseRestartPolicy(value& v, std::string* name) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Name") return ReadString(f, key, name);
    return absl::OkStatus();
  });
}

absl::Status ParseContainerState(value& v, ContainerInspect* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Status") return ReadString(f, key, &out->state);
    if (key == "StartedAt") return ReadEngineTime(f, key, &out->started_at);
    if (key == "FinishedAt") return ReadEngineTime(f, key, &out->finished_at);
    return absl::OkStatus();
  });
}

absl::Status ParseHostConfig(value& v, ContainerInspect* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "RestartPolicy") {
      return WithContext(ParseRestartPolicy(f, &out->restart_policy), key);
    }
    return absl::OkStatus();
  });
}

// One container of /system/df: its ID and writable layer size.
absl::Status ParseContainerSize(value& v, SystemDfBody* out) {
  std::string id;
  int64_t size_rw = 0;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Id") return ReadString(f, key, &id);
    if (key == "SizeRw") return ReadInt(f, key, &size_rw);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (id.empty()) return MissingField("Id");
  out->container_sizes[id] = size_rw;
  return absl::OkStatus();
}

absl::Status ParseVolumeUsageData(value& v, VolumeSummary* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Size") return ReadInt(f, key, &out->size);
    if (key == "RefCount") return ReadInt(f, key, &out->ref_count);
    return absl::OkStatus();
  });
}

absl::Status ParseVolume(value& v, VolumeSummary* out) {
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Name") return ReadString(f, key, &out->name);
    if (key == "Driver") return ReadString(f, key, &out->driver);
    if (key == "Labels") return ReadStringMap(f, key, &out->labels);
    if (key == "CreatedAt") return ReadEngineTime(f, key, &out->created_at);
    if (key == "UsageData") {
      if (IsNullValue(f)) return absl::OkStatus();
      return WithContext(ParseVolumeUsageData(f, out), key);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (out->name.empty()) return MissingField("Name");
  return absl::OkStatus();
}

absl::Status ParseBuildCacheRecord(value& v, BuildCacheSummary* out) {
  std::string parent;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "ID") return ReadString(f, key, &out->id);
    if (key == "Type") return ReadString(f, key, &out->type);
    if (key == "Parent") return ReadString(f, key, &parent);
    if (key == "Parents") return ReadStringArray(f, key, &out->parents);
    if (key == "InUse") return ReadBool(f, key, &out->in_use);
    if (key == "Shared") return ReadBool(f, key, &out->shared);
    if (key == "Size") return ReadInt(f, key, &out->size);
    if (key == "CreatedAt") return ReadEngineTime(f, key, &out->created_at);
    if (key == "LastUsedAt") {
      if (IsNullValue(f)) return absl::OkStatus();
      return ReadEngineTime(f, key, &out->last_used_at);
    }
    if (key == "UsageCount") return ReadInt(f, key, &out->usage_count);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (out->id.empty()) return MissingField("ID");
  if (out->parents.empty() && !parent.empty()) {
    out->parents.push_back(std::move(parent));
  }
  return absl::OkStatus();
}

// The elements of a /system/df list: a plain array (before 1.52) or the
// "Items" of a usage object (1.52 on); `null` is an empty list.
absl::Status ForEachDfItem(value& v, bool usage_object,
                           absl::FunctionRef<absl::Status(value&)> each) {
  if (IsNullValue(v)) return absl::OkStatus();
  if (!usage_object) {
    return ForEachElement(v, [&](size_t, value& item) { return each(item); });
  }
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key != "Items" || IsNullValue(f)) return absl::OkStatus();
    return ForEachElement(f, [&](size_t, value& item) { return each(item); });
  });
}

absl::Status ParseImageUsage(value& v, int64_t* total_size) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "TotalSize") return ReadInt(f, key, total_size);
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status ParseImageList(value& v, std::vector<ImageSummary>* out) {
  return ForEachElement(v, [&](size_t, value& item) {
    ImageSummary image;
    if (absl::Status s = ParseImageSummary(item, &image); !s.ok()) return s;
    out->push_back(std::move(image));
    return absl::OkStatus();
  });
}

absl::Status ParseImageInspect(value& v, ImageInspect* out) {
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Id") return ReadString(f, key, &out->id);
    if (key == "Parent") return ReadString(f, key, &out->parent);
    if (key == "RepoTags") return ReadStringArray(f, key, &out->repo_tags);
    if (key == "RepoDigests") {
      return ReadStringArray(f, key, &out->repo_digests);
    }
    if (key == "Created") return ReadEngineTime(f, key, &out->created);
    if (key == "Size") return ReadInt(f, key, &out->size);
    if (key == "RootFS") return ParseRootFs(f, &out->diff_ids);
    if (key == "Config") return ParseImageConfig(f, &out->labels);
    if (key == "Metadata") return ParseImageMetadata(f, &out->last_tag_time);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (out->id.empty()) return MissingField("Id");
  return absl::OkStatus();
}

absl::Status ParseImageHistory(value& v, std::vector<HistoryEntry>* out) {
  return ForEachElement(v, [&](size_t, value& item) {
    HistoryEntry entry;
    if (absl::Status s = ParseHistoryEntry(item, &entry); !s.ok()) return s;
    if (entry.size < 0) {
      return absl::InvalidArgumentError("field \"Size\": negative size");
    }
    out->push_back(entry);
    return absl::OkStatus();
  });
}

absl::Status ParseContainerList(value& v, std::vector<ContainerSummary>* out) {
  return ForEachElement(v, [&](size_t, value& item) {
    ContainerSummary container;
    if (absl::Status s = ParseContainerSummary(item, &container); !s.ok()) {
      return s;
    }
    out->push_back(std::move(container));
    return absl::OkStatus();
  });
}

absl::Status ParseVersion(value& v, VersionBody* out) {
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Version") return ReadString(f, key, &out->version);
    if (key == "ApiVersion") return ReadString(f, key, &out->api_version);
    if (key == "MinAPIVersion") {
      return ReadString(f, key, &out->min_api_version);
    }
    if (key == "Os") return ReadString(f, key, &out->os);
    if (key == "Arch") return ReadString(f, key, &out->arch);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (out->api_version.empty()) return MissingField("ApiVersion");
  return absl::OkStatus();
}

absl::Status ParseContainerInspect(value& v, ContainerInspect* out) {
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "Id") return ReadString(f, key, &out->id);
    if (key == "State") return WithContext(ParseContainerState(f, out), key);
    if (key == "HostConfig") {
      return WithContext(ParseHostConfig(f, out), key);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (out->id.empty()) return MissingField("Id");
  return absl::OkStatus();
}

bool NeedsContainerDetails(std::string_view state) {
  return state == "created" || state == "exited" || state == "dead";
}

absl::Status ParseInfo(value& v, InfoBody* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "ID") return ReadString(f, key, &out->id);
    if (key == "Driver") return ReadString(f, key, &out->driver);
    if (key == "DockerRootDir") {
      return ReadString(f, key, &out->docker_root_dir);
    }
    if (key == "DriverStatus") {
      return ParseDriverStatus(f, &out->containerd_snapshotter);
    }
    return absl::OkStatus();
  });
}

absl::Status ParseSystemDf(value& v, SystemDfBody* out) {
  // From API 1.52 ImageUsage.TotalSize carries what LayersSize did; when
  // both are present they agree, and ImageUsage is the one that stays.
  std::optional<int64_t> layers_size, image_usage_total;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "LayersSize") {
      int64_t size = 0;
      absl::Status s = ReadInt(f, key, &size);
      layers_size = size;
      return s;
    }
    if (key == "ImageUsage") {
      int64_t size = 0;
      absl::Status s = ParseImageUsage(f, &size);
      image_usage_total = size;
      return s;
    }
    bool usage_object = key.ends_with("Usage");
    if (key == "Containers" || key == "ContainerUsage") {
      return WithContext(ForEachDfItem(f, usage_object,
                                       [&](value& item) {
                                         return ParseContainerSize(item, out);
                                       }),
                         key);
    }
    if (key == "Volumes" || key == "VolumeUsage") {
      out->volumes.clear();  // the newer shape repeats the older one
      return WithContext(ForEachDfItem(f, usage_object,
                                       [&](value& item) {
                                         return ParseVolume(
                                             item,
                                             &out->volumes.emplace_back());
                                       }),
                         key);
    }
    if (key == "BuildCache" || key == "BuildCacheUsage") {
      out->build_cache.clear();
      return WithContext(ForEachDfItem(f, usage_object,
                                       [&](value& item) {
                                         return ParseBuildCacheRecord(
                                             item,
                                             &out->build_cache.emplace_back());
                                       }),
                         key);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  // LayersSize is omitted when zero (omitempty) before 1.52.
  out->layers_size = image_usage_total.value_or(layers_size.value_or(0));
  return absl::OkStatus();
}

absl::Status ParseDeleteResponse(value& v, DeleteResponse* out) {
  return ForEachElement(v, [&](size_t, value& item) {
    return ForEachField(item, [&](std::string_view key, value& f) {
      std::string text;
      absl::Status s = absl::OkStatus();
      if (key == "Untagged") {
        s = ReadString(f, key, &text);
        if (!text.empty()) out->untagged.push_back(std::move(text));
      } else if (key == "Deleted") {
        s = ReadString(f, key, &text);
        if (!text.empty()) out->deleted.push_back(std::move(text));
      }
      return s;
    });
  });
}

absl::Status CheckEngineName(std::string_view name, std::string_view field) {
  // Docker's names: [a-zA-Z0-9][a-zA-Z0-9_.-]* (container and volume names,
  // hex container IDs, BuildKit record IDs).
  bool valid = !name.empty() && name.size() <= 255 &&
               std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                      c == '.' || c == '-');
  }
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "field \"%s\": \"%s\" is not a name Docker gives (letters, digits, "
      "'_', '.' and '-')",
      field, TerminalSafe(name, 80)));
}

absl::Status CheckImageId(std::string_view id, std::string_view field) {
  constexpr std::string_view kPrefix = "sha256:";
  bool valid = id.size() == kPrefix.size() + 64 && id.substr(0, 7) == kPrefix;
  for (size_t i = kPrefix.size(); valid && i < id.size(); ++i) {
    char c = id[i];
    valid = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "field \"%s\": \"%s\" is not an image ID (sha256:<64 hex digits>)", field,
      id.substr(0, 80)));
}

absl::Status ReadEngineTime(simdjson::ondemand::value& value,
                            std::string_view name, absl::Time* out) {
  std::string_view text;
  if (absl::Status status = ReadStringView(value, name, &text); !status.ok()) {
    return status;
  }
  if (text.empty()) return absl::OkStatus();
  return WithContext(ParseEngineTime(text, out), name);
}

absl::Status ParseEngineTime(std::string_view text, absl::Time* out) {
  absl::StatusOr<absl::Time> time = ParseRfc3339(text);
  if (!time.ok()) return time.status();
  // The engine writes Go's zero time, 0001-01-01T00:00:00Z, for "never".
  static const absl::Time kGoZeroTime =
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  *out = *time <= kGoZeroTime ? absl::InfinitePast() : *time;
  return absl::OkStatus();
}

}  // namespace dgc
