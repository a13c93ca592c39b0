// dgc.snapshot/v1 reading and writing (see snapshot.h).
#include "core/snapshot.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/json_writer.h"
#include "core/time_text.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

constexpr std::string_view kSchema = "dgc.snapshot/v1";

absl::Status ParseDetails(value& v, ImageDetails* out) {
  bool has_inspect = false, has_history = false;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "inspect") {
      has_inspect = true;
      return ParseImageInspect(f, &out->inspect);
    }
    if (key == "history") {
      has_history = true;
      return ParseImageHistory(f, &out->history);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!has_inspect) return absl::InvalidArgumentError("missing \"inspect\"");
  if (!has_history) return absl::InvalidArgumentError("missing \"history\"");
  return absl::OkStatus();
}

absl::Status ParseImageDetailsMap(
    value& v, absl::flat_hash_map<std::string, ImageDetails>* out) {
  return ForEachField(v, [&](std::string_view id, value& f) {
    ImageDetails details;
    if (absl::Status s = ParseDetails(f, &details); !s.ok()) return s;
    (*out)[std::string(id)] = std::move(details);
    return absl::OkStatus();
  });
}

absl::Status ParseContainerDetailsMap(
    value& v, absl::flat_hash_map<std::string, ContainerInspect>* out) {
  return ForEachField(v, [&](std::string_view id, value& f) {
    ContainerInspect inspect;
    if (absl::Status s = ParseContainerInspect(f, &inspect); !s.ok()) {
      return s;
    }
    (*out)[std::string(id)] = std::move(inspect);
    return absl::OkStatus();
  });
}

absl::Status ParseDigest(value& v, std::string_view name, std::string* out) {
  if (absl::Status s = ReadString(v, name, out); !s.ok()) return s;
  return CheckImageId(*out, name);
}

absl::Status ParseImageContent(value& v, ImageContent* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "index") {
      if (absl::Status s = ReadString(f, key, &out->index_digest); !s.ok()) {
        return s;
      }
      return out->index_digest.empty() ? absl::OkStatus()
                                       : CheckImageId(out->index_digest, key);
    }
    if (key == "blobs") {
      return ForEachField(f, [&](std::string_view digest, value& size) {
        uint64_t bytes = 0;
        if (absl::Status s = CheckImageId(digest, "blobs"); !s.ok()) return s;
        if (absl::Status s = ReadUint(size, digest, &bytes); !s.ok()) return s;
        out->blobs.push_back({std::string(digest), bytes});
        return absl::OkStatus();
      });
    }
    if (key == "other_platforms") {
      return ForEachElement(f, [&](size_t, value& platform) {
        std::vector<std::string>& diff_ids =
            out->other_platforms.emplace_back();
        return ForEachElement(platform, [&](size_t, value& id) {
          return ParseDigest(id, "other_platforms", &diff_ids.emplace_back());
        });
      });
    }
    return absl::OkStatus();
  });
}

absl::Status ParseContent(value& v, ContentStoreFacts* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "root") return ReadString(f, key, &out->root);
    if (key == "unattributed_bytes") {
      return ReadUint(f, key, &out->unattributed_bytes);
    }
    if (key == "images") {
      return ForEachField(f, [&](std::string_view id, value& content) {
        if (absl::Status s = CheckImageId(id, "images"); !s.ok()) return s;
        return WithContext(
            ParseImageContent(content, &out->images[std::string(id)]),
            absl::StrFormat("image %s", id));
      });
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status SnapshotRootReader::Member(std::string_view key, value& f,
                                        const SnapshotImageReaders& readers) {
  if (key == "schema") return ReadString(f, key, &schema_);
  if (key == "captured_at") return ReadString(f, key, &captured_at_);
  if (key == "host") return ReadString(f, key, &out_->host);
  if (key == "version") return ParseVersion(f, &out_->version);
  if (key == "info") return ParseInfo(f, &out_->info.emplace());
  if (key == "system_df") return ParseSystemDf(f, &out_->system_df.emplace());
  if (key == "images") {
    has_images_ = true;
    return readers.images(f);
  }
  if (key == "containers") {
    has_containers_ = true;
    return ParseContainerList(f, &out_->containers);
  }
  if (key == "image_details") {
    has_details_ = true;
    return readers.image_details(f);
  }
  if (key == "container_details") {
    return ParseContainerDetailsMap(f, &out_->container_details);
  }
  if (key == "content") {
    return WithContext(ParseContent(f, &out_->content.emplace()),
                       "\"content\"");
  }
  return absl::OkStatus();
}

absl::Status SnapshotRootReader::Finish() {
  if (schema_ != kSchema) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"schema\" is \"%s\", want \"%s\"", schema_.substr(0, 64), kSchema));
  }
  if (!has_images_) return absl::InvalidArgumentError("missing \"images\"");
  if (!has_containers_) {
    return absl::InvalidArgumentError("missing \"containers\"");
  }
  if (!has_details_) {
    return absl::InvalidArgumentError("missing \"image_details\"");
  }
  if (!captured_at_.empty()) {
    absl::StatusOr<absl::Time> time = ParseRfc3339(captured_at_);
    if (!time.ok()) return WithContext(time.status(), "\"captured_at\"");
    out_->captured_at = *time;
  }
  return absl::OkStatus();
}

namespace {

void WriteContent(const ContentStoreFacts& content, JsonWriter* json) {
  json->Key("content").BeginObject();
  json->Key("root").String(content.root);
  json->Key("unattributed_bytes").Uint(content.unattributed_bytes);
  json->Key("images").BeginObject();
  std::vector<const std::string*> ids;  // in a stable order
  for (const auto& [id, image] : content.images) ids.push_back(&id);
  std::sort(ids.begin(), ids.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  for (const std::string* id : ids) {
    const ImageContent& image = content.images.at(*id);
    json->Key(*id).BeginObject();
    json->Key("index").String(image.index_digest);
    json->Key("blobs").BeginObject();
    for (const auto& [digest, size] : image.blobs) json->Key(digest).Uint(size);
    json->EndObject();
    json->Key("other_platforms").BeginArray();
    for (const std::vector<std::string>& diff_ids : image.other_platforms) {
      json->StringArray(diff_ids);
    }
    json->EndArray();
    json->EndObject();
  }
  json->EndObject();
  json->EndObject();
}

}  // namespace

std::string SnapshotJson(const RawEngineBodies& raw) {
  JsonWriter json(JsonWriter::Style::kCompact);
  json.BeginObject();
  json.Key("schema").String(kSchema);
  json.Key("captured_at").String(FormatRfc3339(raw.captured_at));
  json.Key("host").String(raw.host);
  json.Key("version").Raw(raw.version.view());
  if (!raw.info.empty()) json.Key("info").Raw(raw.info.view());
  json.Key("images").Raw(raw.images.view());
  json.Key("containers").Raw(raw.containers.view());
  json.Key("image_details").BeginObject();
  for (const RawEngineBodies::Details& details : raw.details) {
    json.Key(details.id).BeginObject();
    json.Key("inspect").Raw(details.inspect.view());
    json.Key("history").Raw(details.history.view());
    json.EndObject();
  }
  json.EndObject();
  if (!raw.container_details.empty()) {
    json.Key("container_details").BeginObject();
    for (const RawEngineBodies::ContainerDetails& details :
         raw.container_details) {
      json.Key(details.id).Raw(details.inspect.view());
    }
    json.EndObject();
  }
  if (!raw.system_df.empty()) json.Key("system_df").Raw(raw.system_df.view());
  if (raw.content.has_value()) WriteContent(*raw.content, &json);
  json.EndObject();
  return json.Finish();
}

absl::Status ParseSnapshotInto(simdjson::ondemand::parser& parser,
                               const PaddedBody& text, EngineBodies* out,
                               const SnapshotImageReaders& readers) {
  SnapshotRootReader reader(out);
  absl::Status status = ParseDocument(parser, text, [&](value& root) {
    return ForEachField(root, [&](std::string_view key, value& f) {
      return reader.Member(key, f, readers);
    });
  });
  if (!status.ok()) return status;
  return reader.Finish();
}

absl::StatusOr<EngineBodies> ParseSnapshot(const PaddedBody& text) {
  simdjson::ondemand::parser parser;
  EngineBodies bodies;
  auto images = [&](value& v) { return ParseImageList(v, &bodies.images); };
  auto details = [&](value& v) {
    bodies.details.reserve(bodies.images.size());  // if "images" came first
    return ParseImageDetailsMap(v, &bodies.details);
  };
  absl::Status status =
      ParseSnapshotInto(parser, text, &bodies, {images, details});
  if (!status.ok()) return status;
  return bodies;
}

}  // namespace dgc
