// dgc.snapshot/v1 reading and writing (see snapshot.h).
#include "core/snapshot.h"

#include "absl/strings/str_format.h"
#include "core/json_writer.h"
#include "core/time_text.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

constexpr std::string_view kSchema = "dgc.snapshot/v1";

// Trims the whitespace around a raw body (the engine ends bodies with a
// newline).
std::string_view Trimmed(const PaddedBody& body) {
  std::string_view text = body.view();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' ||
                           text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

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

absl::Status ParseSnapshotRoot(value& root, EngineBodies* out) {
  std::string schema, captured_at;
  bool has_images = false, has_containers = false, has_details = false;
  absl::Status status =
      ForEachField(root, [&](std::string_view key, value& f) -> absl::Status {
        if (key == "schema") return ReadString(f, key, &schema);
        if (key == "captured_at") return ReadString(f, key, &captured_at);
        if (key == "host") return ReadString(f, key, &out->host);
        if (key == "version") return ParseVersion(f, &out->version);
        if (key == "info") return ParseInfo(f, &out->info.emplace());
        if (key == "system_df")
          return ParseSystemDf(f, &out->system_df.emplace());
        if (key == "images") {
          has_images = true;
          return ParseImageList(f, &out->images);
        }
        if (key == "containers") {
          has_containers = true;
          return ParseContainerList(f, &out->containers);
        }
        if (key == "image_details") {
          has_details = true;
          out->details.reserve(out->images.size());  // if "images" came first
          return ParseImageDetailsMap(f, &out->details);
        }
        if (key == "container_details") {
          return ParseContainerDetailsMap(f, &out->container_details);
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (schema != kSchema) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"schema\" is \"%s\", want \"%s\"", schema.substr(0, 64), kSchema));
  }
  if (!has_images) return absl::InvalidArgumentError("missing \"images\"");
  if (!has_containers) {
    return absl::InvalidArgumentError("missing \"containers\"");
  }
  if (!has_details) {
    return absl::InvalidArgumentError("missing \"image_details\"");
  }
  if (!captured_at.empty()) {
    absl::StatusOr<absl::Time> time = ParseRfc3339(captured_at);
    if (!time.ok()) return WithContext(time.status(), "\"captured_at\"");
    out->captured_at = *time;
  }
  return absl::OkStatus();
}

}  // namespace

std::string SnapshotJson(const RawEngineBodies& raw) {
  JsonWriter json(JsonWriter::Style::kCompact);
  json.BeginObject();
  json.Key("schema").String(kSchema);
  json.Key("captured_at").String(FormatRfc3339(raw.captured_at));
  json.Key("host").String(raw.host);
  json.Key("version").Raw(Trimmed(raw.version));
  if (!raw.info.empty()) json.Key("info").Raw(Trimmed(raw.info));
  json.Key("images").Raw(Trimmed(raw.images));
  json.Key("containers").Raw(Trimmed(raw.containers));
  json.Key("image_details").BeginObject();
  for (const RawEngineBodies::Details& details : raw.details) {
    json.Key(details.id).BeginObject();
    json.Key("inspect").Raw(Trimmed(details.inspect));
    json.Key("history").Raw(Trimmed(details.history));
    json.EndObject();
  }
  json.EndObject();
  if (!raw.container_details.empty()) {
    json.Key("container_details").BeginObject();
    for (const RawEngineBodies::ContainerDetails& details :
         raw.container_details) {
      json.Key(details.id).Raw(Trimmed(details.inspect));
    }
    json.EndObject();
  }
  if (!raw.system_df.empty()) json.Key("system_df").Raw(Trimmed(raw.system_df));
  json.EndObject();
  return json.Finish();
}

absl::StatusOr<EngineBodies> ParseSnapshot(const PaddedBody& text) {
  simdjson::ondemand::parser parser;
  EngineBodies bodies;
  absl::Status status = ParseDocument(parser, text, [&](value& root) {
    return ParseSnapshotRoot(root, &bodies);
  });
  if (!status.ok()) return status;
  return bodies;
}

}  // namespace dgc
