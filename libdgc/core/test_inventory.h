// TestEngine: a test-only builder of dgc::EngineBodies and dgc::Inventory,
// so unit tests (core, planner, C API) can describe an engine in a few lines
// instead of writing Engine API JSON.
//
// Every image gets what a real engine reports for it: an /images/json entry
// (Size = the sum of its layer sizes), an inspect body (RootFS diff IDs,
// Created, Metadata.LastTagTime) and a history with one entry per layer,
// newest first, plus optional metadata steps ("ENV a=b") of 0 bytes on top.
// Odd cases are one field away: an explicit history, a Size that does not
// add up, a missing details body, a duplicate list entry.
//
// Example:
//   dgc::test_support::TestEngine engine;
//   std::string app = engine.AddImage({
//       .tags = {"app:1"},
//       .layers = {{"sha256:d1", 100}, {"sha256:d2", 50}},
//       .created = absl::FromUnixSeconds(1700000000),
//       .labels = {{"k", "v"}}});
//   engine.AddContainer({.name = "api-1", .image_id = app, .state = "exited"});
//   absl::StatusOr<dgc::Inventory> inventory = engine.Build();
//
// Not thread-safe; each test builds its own.
#ifndef DGC_CORE_TEST_INVENTORY_H_
#define DGC_CORE_TEST_INVENTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/engine_bodies.h"
#include "core/inventory.h"
#include "core/snapshot.h"

namespace dgc::test_support {

// Id returns a made-up content digest: "sha256:" followed by the 64 hex
// characters of sha256(`name`). Id("a") is the same in every test.
std::string Id(std::string_view name);

// Hex returns the 64 hex characters of Id(`name`) (a container ID).
std::string Hex(std::string_view name);

// The time every TestEngine was captured at unless told otherwise:
// 2026-11-25T22:40:00Z (the SPEC's example `now`).
absl::Time DefaultCapturedAt();

// The Created time of images that do not set one: 2026-01-01T00:00:00Z.
absl::Time DefaultCreated();

// Step returns the history entry of a build step `created_by` of `size`
// bytes (for TestImage::history, newest first).
HistoryEntry Step(int64_t size, std::string_view created_by);

// One layer of an image: its diff ID, its size in bytes and the history
// step that made it ("" gives "RUN step <n>", which never looks like a
// metadata step).
struct TestLayer {
  TestLayer(std::string diff, int64_t bytes, std::string step = "")
      : diff_id(std::move(diff)), size(bytes), created_by(std::move(step)) {}

  std::string diff_id;
  int64_t size = 0;
  std::string created_by;
};

// One image. Only `layers` matters for accounting; the rest has defaults.
struct TestImage {
  // "" gives Id("image <n>"), n counting AddImage calls from 0.
  std::string id{};
  std::vector<std::string> tags{};     // "repository:tag"
  std::vector<std::string> digests{};  // "repository@sha256:<hex>"
  std::vector<TestLayer> layers{};     // bottom first
  absl::Time created = DefaultCreated();
  // Metadata.LastTagTime; nullopt gives the engine's "never"
  // (0001-01-01T00:00:00Z, read as InfinitePast).
  std::optional<absl::Time> last_tag_time{};
  Labels labels{};       // in both the list entry and Config.Labels
  std::string parent{};  // the engine's ParentId / Parent, "" for none
  // Steps without a layer ("ENV a=b", "/bin/sh -c #(nop)  CMD [...]"), 0
  // bytes each, placed above the newest layer step, in this order (the
  // first one is the newest).
  std::vector<std::string> metadata_steps{};
  // The whole history body, newest first, instead of the one made from
  // `layers` and `metadata_steps`.
  std::optional<std::vector<HistoryEntry>> history{};
  // The engine's Size, instead of the sum of the layer sizes.
  std::optional<int64_t> size{};
};

// One container, in any state.
struct TestContainer {
  std::string name{};      // without the leading "/"
  std::string image_id{};  // "sha256:<hex>"; need not be a known image
  std::string state = "running";
  std::string id{};     // "" gives Hex("container " + name)
  std::string image{};  // what the user typed; "" gives image_id
  absl::Time created = DefaultCreated();
  Labels labels{};
  std::vector<std::string> volumes{};  // names of the volumes it mounts
  int64_t size_rw = 0;  // its writable layer, in /system/df when present
  // Its inspect (given for created, exited and dead containers).
  std::string restart_policy = "no";
  absl::Time started_at = absl::InfinitePast();
  absl::Time finished_at = absl::InfinitePast();
};

class TestEngine {
 public:
  TestEngine();

  // AddImage adds an image and returns its ID.
  std::string AddImage(TestImage image);

  // AddChild adds `child` as a child of image `parent_id` (which must have
  // been added): its parent is set and its layers are the parent's layers
  // followed by `child.layers`, as a classic build step makes them.
  std::string AddChild(std::string_view parent_id, TestImage child);

  // AddContainer adds a container and returns its ID.
  std::string AddContainer(TestContainer container);

  // AddVolume and AddBuildCache add a volume or a build cache record to
  // /system/df (which then is in the bodies, LayersSize 0 unless set).
  void AddVolume(VolumeSummary volume) {
    volumes_.push_back(std::move(volume));
  }
  void AddBuildCache(BuildCacheSummary record) {
    build_cache_.push_back(std::move(record));
  }

  // LayersOf returns the layers of an added image (empty when unknown).
  std::vector<TestLayer> LayersOf(std::string_view image_id) const;

  // Engine-wide settings.
  void set_host(std::string host) { host_ = std::move(host); }
  void set_captured_at(absl::Time time) { captured_at_ = time; }
  void set_api_version(std::string version) {
    api_version_ = std::move(version);
  }
  void set_storage_driver(std::string driver) { driver_ = std::move(driver); }
  // The containerd image store (/info DriverStatus driver-type).
  void set_containerd_store(bool on) { containerd_store_ = on; }
  // The /system/df LayersSize; unset (and no volume or build cache record
  // added) leaves system_df out.
  void set_engine_layers_size(int64_t size) { layers_size_ = size; }

  // Bodies returns the engine bodies for everything added so far. Tests of
  // odd cases edit the result and call dgc::BuildInventory themselves.
  EngineBodies Bodies() const;

  // Build returns BuildInventory(Bodies()).
  absl::StatusOr<Inventory> Build() const;

  // BuildOrDie returns Build()'s inventory, or prints its error to stderr
  // and aborts (for fixtures that must not fail).
  Inventory BuildOrDie() const;

 private:
  std::string host_ = "unix:///var/run/docker.sock";
  absl::Time captured_at_ = DefaultCapturedAt();
  std::string api_version_ = "1.41";
  std::string driver_ = "overlay2";
  bool containerd_store_ = false;
  std::optional<int64_t> layers_size_;
  std::vector<TestImage> images_;
  std::vector<TestContainer> containers_;
  std::vector<VolumeSummary> volumes_;
  std::vector<BuildCacheSummary> build_cache_;
};

// HistoryFor returns the history body TestEngine makes for `image` (newest
// first): the metadata steps, then one entry per layer from the top down.
std::vector<HistoryEntry> HistoryFor(const TestImage& image);

// ---- recorded engine bodies (core/testdata) ----
//
// testdata/api-<version>/ holds one engine's bodies: version.json,
// info.json, images.json (/images/json?all=1), containers.json,
// system_df.json, and inspect_<hex12>.json / history_<hex12>.json per image
// (<hex12>: the first 12 hex characters of its ID).

// TestdataPath returns the path of `relative` under core/testdata.
std::string TestdataPath(std::string_view relative);

// ReadTestdata returns the contents of a file under core/testdata, or
// NotFound naming it.
absl::StatusOr<std::string> ReadTestdata(std::string_view relative);

// RecordedRawBodies returns the bodies of testdata/`api_dir` as the engine
// client keeps them (for snapshot tests), with `host` and `captured_at` set
// to the test defaults.
absl::StatusOr<RawEngineBodies> RecordedRawBodies(std::string_view api_dir);

// RecordedBodies parses every body of testdata/`api_dir`. Errors: a file
// missing or a body its parser rejects, naming the file.
absl::StatusOr<EngineBodies> RecordedBodies(std::string_view api_dir);

}  // namespace dgc::test_support

#endif  // DGC_CORE_TEST_INVENTORY_H_
