// TestEngine: engine bodies and inventories for tests (see test_inventory.h).
#include "core/test_inventory.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/json_reader.h"
#include "core/layer_sizes.h"
#include "core/sha256.h"
#include "core/string_views.h"

#ifndef DGC_TESTDATA_DIR
#error "DGC_TESTDATA_DIR must name libdgc/core/testdata"
#endif

namespace dgc::test_support {

std::string Id(std::string_view name) { return "sha256:" + Hex(name); }

std::string Hex(std::string_view name) { return Sha256Hex(name); }

absl::Time DefaultCapturedAt() {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 25, 22, 40, 0),
                         absl::UTCTimeZone());
}

absl::Time DefaultCreated() {
  return absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0),
                         absl::UTCTimeZone());
}

HistoryEntry Step(int64_t size, std::string_view created_by) {
  HistoryEntry entry;
  entry.size = size;
  entry.metadata_step = IsMetadataStep(created_by);
  return entry;
}

std::vector<HistoryEntry> HistoryFor(const TestImage& image) {
  if (image.history.has_value()) return *image.history;
  std::vector<HistoryEntry> history;
  for (const std::string& step : image.metadata_steps) {
    history.push_back(Step(0, step));
  }
  for (size_t i = image.layers.size(); i-- > 0;) {
    const TestLayer& layer = image.layers[i];
    history.push_back(Step(layer.size, layer.created_by.empty()
                                           ? absl::StrCat("RUN step ", i)
                                           : layer.created_by));
  }
  return history;
}

TestEngine::TestEngine() = default;

std::string TestEngine::AddImage(TestImage image) {
  if (image.id.empty()) image.id = Id(absl::StrCat("image ", images_.size()));
  std::string id = image.id;
  images_.push_back(std::move(image));
  return id;
}

std::string TestEngine::AddChild(std::string_view parent_id, TestImage child) {
  std::vector<TestLayer> layers = LayersOf(parent_id);
  layers.insert(layers.end(), child.layers.begin(), child.layers.end());
  child.layers = std::move(layers);
  child.parent = std::string(parent_id);
  return AddImage(std::move(child));
}

std::string TestEngine::AddContainer(TestContainer container) {
  if (container.id.empty()) container.id = Hex("container " + container.name);
  if (container.image.empty()) container.image = container.image_id;
  std::string id = container.id;
  containers_.push_back(std::move(container));
  return id;
}

std::vector<TestLayer> TestEngine::LayersOf(std::string_view image_id) const {
  for (const TestImage& image : images_) {
    if (image.id == image_id) return image.layers;
  }
  return {};
}

EngineBodies TestEngine::Bodies() const {
  EngineBodies bodies;
  bodies.host = host_;
  bodies.captured_at = captured_at_;
  bodies.version.version = "20.10.24+dfsg1";
  bodies.version.api_version = api_version_;
  bodies.version.min_api_version = "1.12";
  bodies.version.os = "linux";
  bodies.version.arch = "amd64";
  InfoBody& info = bodies.info.emplace();
  info.driver = driver_;
  info.containerd_snapshotter = containerd_store_;
  if (layers_size_.has_value() || !volumes_.empty() || !build_cache_.empty()) {
    SystemDfBody& df = bodies.system_df.emplace();
    df.layers_size = layers_size_.value_or(0);
    df.volumes = volumes_;
    df.build_cache = build_cache_;
  }
  for (const TestImage& image : images_) {
    int64_t size = 0;
    for (const TestLayer& layer : image.layers) size += layer.size;
    if (image.size.has_value()) size = *image.size;

    ImageSummary summary;
    summary.id = image.id;
    summary.parent_id = image.parent;
    summary.repo_tags = image.tags;
    summary.repo_digests = image.digests;
    summary.created = absl::ToUnixSeconds(image.created);
    summary.size = size;
    summary.labels = image.labels;
    bodies.images.push_back(summary);

    ImageDetails details;
    ImageInspect& inspect = details.inspect;
    inspect.id = image.id;
    inspect.parent = image.parent;
    inspect.repo_tags = image.tags;
    inspect.repo_digests = image.digests;
    inspect.created = image.created;
    inspect.last_tag_time = image.last_tag_time.value_or(absl::InfinitePast());
    for (const TestLayer& layer : image.layers) {
      inspect.diff_ids.push_back(layer.diff_id);
    }
    inspect.size = size;
    inspect.labels = image.labels;
    details.history = HistoryFor(image);
    bodies.details[image.id] = std::move(details);
  }
  for (const TestContainer& container : containers_) {
    ContainerSummary& summary = bodies.containers.emplace_back();
    summary.id = container.id;
    summary.name = container.name;
    summary.image = container.image;
    summary.image_id = container.image_id;
    summary.state = container.state;
    summary.created = absl::ToUnixSeconds(container.created);
    summary.labels = container.labels;
    summary.volumes = container.volumes;
    if (bodies.system_df.has_value()) {
      bodies.system_df->container_sizes[container.id] = container.size_rw;
    }
    if (NeedsContainerDetails(container.state)) {
      bodies.container_details[container.id] = {
          .id = container.id,
          .restart_policy = container.restart_policy,
          .started_at = container.started_at,
          .finished_at = container.finished_at};
    }
  }
  return bodies;
}

absl::StatusOr<Inventory> TestEngine::Build() const {
  return BuildInventory(Bodies());
}

Inventory TestEngine::BuildOrDie() const {
  absl::StatusOr<Inventory> inventory = Build();
  if (!inventory.ok()) {
    std::fprintf(stderr, "TestEngine::BuildOrDie: %s\n",
                 inventory.status().ToString().c_str());
    std::abort();
  }
  return *std::move(inventory);
}

std::string TestdataPath(std::string_view relative) {
  return absl::StrCat(DGC_TESTDATA_DIR, "/", ToAbsl(relative));
}

absl::StatusOr<std::string> ReadTestdata(std::string_view relative) {
  std::string path = TestdataPath(relative);
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

namespace {

absl::StatusOr<PaddedBody> ReadBody(std::string_view api_dir,
                                    std::string_view name) {
  absl::StatusOr<std::string> text =
      ReadTestdata(absl::StrCat(ToAbsl(api_dir), "/", ToAbsl(name)));
  if (!text.ok()) return text.status();
  return PaddedBody(*text);
}

// Parses one body with `parse(value)`, naming the file in errors.
template <typename Parse>
absl::Status ParseBody(std::string_view api_dir, std::string_view name,
                       Parse&& parse) {
  absl::StatusOr<PaddedBody> body = ReadBody(api_dir, name);
  if (!body.ok()) return body.status();
  simdjson::ondemand::parser parser;
  return WithContext(ParseDocument(parser, *body, parse),
                     absl::StrCat(ToAbsl(api_dir), "/", ToAbsl(name)));
}

std::string ShortHex(std::string_view id) {
  std::string_view hex = id.substr(id.find(':') + 1);
  return std::string(hex.substr(0, 12));
}

}  // namespace

absl::StatusOr<RawEngineBodies> RecordedRawBodies(std::string_view api_dir) {
  RawEngineBodies raw;
  raw.host = "unix:///var/run/docker.sock";
  raw.captured_at = DefaultCapturedAt();
  struct Member {
    const char* file;
    PaddedBody* body;
  };
  for (Member member :
       {Member{"version.json", &raw.version}, Member{"info.json", &raw.info},
        Member{"images.json", &raw.images},
        Member{"containers.json", &raw.containers},
        Member{"system_df.json", &raw.system_df}}) {
    absl::StatusOr<PaddedBody> body = ReadBody(api_dir, member.file);
    if (!body.ok()) return body.status();
    *member.body = *std::move(body);
  }
  std::vector<ImageSummary> images;
  simdjson::ondemand::parser parser;
  absl::Status status = ParseDocument(
      parser, raw.images,
      [&](simdjson::ondemand::value& v) { return ParseImageList(v, &images); });
  if (!status.ok()) return status;
  for (const ImageSummary& image : images) {
    RawEngineBodies::Details details;
    details.id = image.id;
    std::string hex = ShortHex(image.id);
    absl::StatusOr<PaddedBody> inspect =
        ReadBody(api_dir, absl::StrCat("inspect_", hex, ".json"));
    if (!inspect.ok()) return inspect.status();
    absl::StatusOr<PaddedBody> history =
        ReadBody(api_dir, absl::StrCat("history_", hex, ".json"));
    if (!history.ok()) return history.status();
    details.inspect = *std::move(inspect);
    details.history = *std::move(history);
    raw.details.push_back(std::move(details));
  }
  std::vector<ContainerSummary> containers;
  status =
      ParseDocument(parser, raw.containers, [&](simdjson::ondemand::value& v) {
        return ParseContainerList(v, &containers);
      });
  if (!status.ok()) return status;
  for (const ContainerSummary& container : containers) {
    if (!NeedsContainerDetails(container.state)) continue;
    absl::StatusOr<PaddedBody> inspect = ReadBody(
        api_dir,
        absl::StrCat("container_", container.id.substr(0, 12), ".json"));
    if (!inspect.ok()) return inspect.status();
    raw.container_details.push_back(
        {.id = container.id, .inspect = *std::move(inspect)});
  }
  return raw;
}

absl::StatusOr<EngineBodies> RecordedBodies(std::string_view api_dir) {
  using simdjson::ondemand::value;
  EngineBodies bodies;
  bodies.host = "unix:///var/run/docker.sock";
  bodies.captured_at = DefaultCapturedAt();
  absl::Status status = ParseBody(api_dir, "version.json", [&](value& v) {
    return ParseVersion(v, &bodies.version);
  });
  if (status.ok()) {
    status = ParseBody(api_dir, "info.json", [&](value& v) {
      return ParseInfo(v, &bodies.info.emplace());
    });
  }
  if (status.ok()) {
    status = ParseBody(api_dir, "images.json", [&](value& v) {
      return ParseImageList(v, &bodies.images);
    });
  }
  if (status.ok()) {
    status = ParseBody(api_dir, "containers.json", [&](value& v) {
      return ParseContainerList(v, &bodies.containers);
    });
  }
  if (status.ok()) {
    status = ParseBody(api_dir, "system_df.json", [&](value& v) {
      return ParseSystemDf(v, &bodies.system_df.emplace());
    });
  }
  for (size_t i = 0; status.ok() && i < bodies.images.size(); ++i) {
    const std::string& id = bodies.images[i].id;
    ImageDetails& details = bodies.details[id];
    std::string hex = ShortHex(id);
    status = ParseBody(
        api_dir, absl::StrCat("inspect_", hex, ".json"),
        [&](value& v) { return ParseImageInspect(v, &details.inspect); });
    if (status.ok()) {
      status = ParseBody(
          api_dir, absl::StrCat("history_", hex, ".json"),
          [&](value& v) { return ParseImageHistory(v, &details.history); });
    }
  }
  for (size_t i = 0; status.ok() && i < bodies.containers.size(); ++i) {
    const ContainerSummary& container = bodies.containers[i];
    if (!NeedsContainerDetails(container.state)) continue;
    status = ParseBody(
        api_dir,
        absl::StrCat("container_", container.id.substr(0, 12), ".json"),
        [&](value& v) {
          return ParseContainerInspect(v,
                                       &bodies.container_details[container.id]);
        });
  }
  if (!status.ok()) return status;
  return bodies;
}

}  // namespace dgc::test_support
