// Remembered last uses of images (see last_use_cache.h).
#include "engine/last_use_cache.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_format.h"
#include "core/json_reader.h"
#include "core/json_writer.h"
#include "core/sha256.h"
#include "core/time_text.h"
#include "engine/files.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

constexpr std::string_view kSchema = "dgc.last-use/v1";

std::string CacheFile(const std::string& directory, const std::string& id) {
  return absl::StrFormat("%s/last-use-%s.json", directory, Sha256Hex(id));
}

// What the file remembers, or nothing when it cannot be trusted.
absl::flat_hash_map<std::string, absl::Time> Read(const std::string& path,
                                                  const std::string& engine) {
  absl::flat_hash_map<std::string, absl::Time> remembered;
  absl::StatusOr<PaddedBody> text = ReadFile(path);
  if (!text.ok()) return remembered;
  std::string schema, file_engine;
  simdjson::ondemand::parser parser;
  absl::Status status = ParseDocument(parser, *text, [&](value& root) {
    return ForEachField(root, [&](std::string_view key, value& f) {
      if (key == "schema") return ReadString(f, key, &schema);
      if (key == "engine") return ReadString(f, key, &file_engine);
      if (key != "images") return absl::OkStatus();
      return ForEachField(f, [&](std::string_view id, value& time) {
        std::string_view text_time;
        if (absl::Status s = ReadStringView(time, id, &text_time); !s.ok()) {
          return s;
        }
        absl::StatusOr<absl::Time> parsed = ParseRfc3339(text_time);
        if (!parsed.ok()) return parsed.status();
        remembered[std::string(id)] = *parsed;
        return absl::OkStatus();
      });
    });
  });
  if (!status.ok() || schema != kSchema || file_engine != engine) {
    remembered.clear();
  }
  return remembered;
}

}  // namespace

std::string CacheDirectory(const EnvironmentLookup& env) {
  if (std::optional<std::string> xdg = env("XDG_CACHE_HOME");
      xdg.has_value() && !xdg->empty()) {
    return *xdg + "/docker-gc";
  }
  if (::geteuid() == 0) return "/var/cache/docker-gc";
  if (std::optional<std::string> home = env("HOME");
      home.has_value() && !home->empty()) {
    return *home + "/.cache/docker-gc";
  }
  return "";
}

absl::Status RememberLastUse(const std::string& directory,
                             Inventory* inventory) {
  const std::string& engine = inventory->engine.id;
  if (directory.empty() || engine.empty()) return absl::OkStatus();
  std::string path = CacheFile(directory, engine);
  absl::flat_hash_map<std::string, absl::Time> remembered = Read(path, engine);
  absl::flat_hash_map<std::string, absl::Time> now_known;
  for (const Image& image : inventory->images) {
    auto it = remembered.find(image.id);
    absl::Time last =
        it == remembered.end() ? absl::InfinitePast() : it->second;
    for (ContainerIndex c : image.containers) {
      const Container& container = inventory->containers[c];
      last = std::max({last, container.created, container.started_at});
    }
    if (last != absl::InfinitePast()) now_known[image.id] = last;
  }
  inventory->remembered_last_use = now_known;

  JsonWriter json;
  json.BeginObject();
  json.Key("schema").String(kSchema);
  json.Key("engine").String(engine);
  json.Key("images").BeginObject();
  std::vector<std::pair<std::string, absl::Time>> sorted(now_known.begin(),
                                                         now_known.end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [id, time] : sorted) {
    json.Key(id).String(FormatRfc3339(time));
  }
  json.EndObject();
  json.EndObject();
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrFormat("cannot create the cache directory %s: %s", directory,
                        error.message()));
  }
  return WriteFile(path, json.Finish());
}

}  // namespace dgc
