// The per-image details cache (see details_cache.h).
#include "engine/details_cache.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/json_writer.h"
#include "core/sha256.h"
#include "engine/files.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

constexpr std::string_view kSchema = "dgc.image-details/v1";

std::string CacheFile(const std::string& directory, const std::string& id) {
  return absl::StrFormat("%s/details-%s.json", directory, Sha256Hex(id));
}

// The raw text of an object or array value (its bodies, kept as they are).
absl::Status ReadRaw(value& v, std::string_view name, PaddedBody* out) {
  simdjson::ondemand::json_type type;
  if (auto error = v.type().get(type)) return JsonError(error, name);
  std::string_view raw;
  simdjson::error_code error = simdjson::INCORRECT_TYPE;
  if (type == simdjson::ondemand::json_type::object) {
    simdjson::ondemand::object object;
    error = v.get_object().get(object);
    if (!error) error = object.raw_json().get(raw);
  } else if (type == simdjson::ondemand::json_type::array) {
    simdjson::ondemand::array array;
    error = v.get_array().get(array);
    if (!error) error = array.raw_json().get(raw);
  }
  if (error) return JsonError(error, name);
  *out = PaddedBody(raw);
  return absl::OkStatus();
}

absl::Status ReadEntry(value& v, DetailsCache::Entry* entry) {
  bool inspect = false, history = false;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "tags") return ReadStringArray(f, key, &entry->tags);
    if (key == "inspect") {
      inspect = true;
      return ReadRaw(f, key, &entry->inspect);
    }
    if (key == "history") {
      history = true;
      return ReadRaw(f, key, &entry->history);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!inspect || !history) {
    return absl::InvalidArgumentError("an entry without its bodies");
  }
  return absl::OkStatus();
}

}  // namespace

DetailsCache DetailsCache::Load(const std::string& directory,
                                const std::string& engine_id) {
  DetailsCache cache;
  cache.directory_ = directory;
  cache.engine_id_ = engine_id;
  if (directory.empty() || engine_id.empty()) return cache;
  absl::StatusOr<PaddedBody> text = ReadFile(CacheFile(directory, engine_id));
  if (!text.ok()) return cache;
  std::string schema, engine;
  simdjson::ondemand::parser parser;
  absl::Status status = ParseDocument(parser, *text, [&](value& root) {
    return ForEachField(root, [&](std::string_view key, value& f) {
      if (key == "schema") return ReadString(f, key, &schema);
      if (key == "engine") return ReadString(f, key, &engine);
      if (key != "images") return absl::OkStatus();
      return ForEachField(f, [&](std::string_view id, value& entry) {
        return ReadEntry(entry, &cache.loaded_[std::string(id)]);
      });
    });
  });
  if (!status.ok() || schema != kSchema || engine != engine_id) {
    cache.loaded_.clear();  // never trusted
  }
  return cache;
}

const DetailsCache::Entry* DetailsCache::Find(std::string_view image_id) const {
  auto it = loaded_.find(std::string(image_id));
  return it == loaded_.end() ? nullptr : &it->second;
}

void DetailsCache::Put(const std::string& image_id,
                       std::vector<std::string> tags, PaddedBody inspect,
                       PaddedBody history) {
  std::sort(tags.begin(), tags.end());
  put_[image_id] = Entry{.tags = std::move(tags),
                         .inspect = std::move(inspect),
                         .history = std::move(history)};
}

bool DetailsCache::Unchanged() const {
  // An entry Put with the tags it was loaded with holds the loaded bodies:
  // a tag change is what makes a run read an image's details again.
  return put_.size() == loaded_.size() &&
         std::all_of(put_.begin(), put_.end(), [&](const auto& put) {
           auto loaded = loaded_.find(put.first);
           return loaded != loaded_.end() &&
                  loaded->second.tags == put.second.tags;
         });
}

absl::Status DetailsCache::Save() const {
  if (directory_.empty() || engine_id_.empty() || Unchanged()) {
    return absl::OkStatus();
  }
  JsonWriter json(JsonWriter::Style::kCompact);
  json.BeginObject();
  json.Key("schema").String(kSchema);
  json.Key("engine").String(engine_id_);
  json.Key("images").BeginObject();
  std::vector<const std::string*> ids;
  ids.reserve(put_.size());
  for (const auto& [id, entry] : put_) ids.push_back(&id);
  std::sort(ids.begin(), ids.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  for (const std::string* id : ids) {
    const Entry& entry = put_.at(*id);
    json.Key(*id).BeginObject();
    json.Key("tags").StringArray(entry.tags);
    json.Key("inspect").Raw(entry.inspect.view());
    json.Key("history").Raw(entry.history.view());
    json.EndObject();
  }
  json.EndObject();
  json.EndObject();
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrFormat("cannot create the cache directory %s: %s", directory_,
                        error.message()));
  }
  return WriteFile(CacheFile(directory_, engine_id_), json.Finish());
}

}  // namespace dgc
