// Tests of the Engine API body parsers (core/engine_bodies.h) on bodies
// recorded from a real engine (testdata/api-1.41, Debian docker.io 20.10.24)
// and on bodies in the API 1.52 shapes (testdata/api-1.52, written from the
// Engine API reference): optional fields, placeholders, Go's zero time, the
// two /system/df shapes, and garbage rejected with messages naming the
// element and field.
#include "core/engine_bodies.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/json_reader.h"
#include "core/string_views.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr char kWrongType[] =
    "The JSON element does not have the requested type.";

std::string Message(const absl::Status& status) {
  return std::string(ToStd(status.message()));
}

absl::Time Utc(int year, int month, int day, int hour, int minute, int second) {
  return absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second),
      absl::UTCTimeZone());
}

// Parses `json` with `parse(value)` as a whole document.
template <typename Parse>
absl::Status ParseText(std::string_view json, Parse&& parse) {
  PaddedBody body(json);
  simdjson::ondemand::parser parser;
  return ParseDocument(parser, body, std::forward<Parse>(parse));
}

// Parses testdata file `relative` with `parse(value)`.
template <typename Parse>
absl::Status ParseFile(std::string_view relative, Parse&& parse) {
  absl::StatusOr<std::string> text = test_support::ReadTestdata(relative);
  if (!text.ok()) return text.status();
  return ParseText(*text, std::forward<Parse>(parse));
}

// Image IDs in inline /images/json bodies: the list accepts only real ones
// ("sha256:" and 64 hex digits); Images() expands sha256:A, B and C to these.
constexpr char kIdA[] =
    "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kIdB[] =
    "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
constexpr char kIdC[] =
    "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

absl::Status Images(std::string_view json, std::vector<ImageSummary>* out) {
  std::string expanded = absl::StrReplaceAll(
      ToAbsl(json),
      {{"sha256:A", kIdA}, {"sha256:B", kIdB}, {"sha256:C", kIdC}});
  return ParseText(expanded, [&](value& v) { return ParseImageList(v, out); });
}
absl::Status Inspect(std::string_view json, ImageInspect* out) {
  return ParseText(json, [&](value& v) { return ParseImageInspect(v, out); });
}
absl::Status History(std::string_view json, std::vector<HistoryEntry>* out) {
  return ParseText(json, [&](value& v) { return ParseImageHistory(v, out); });
}
absl::Status Containers(std::string_view json,
                        std::vector<ContainerSummary>* out) {
  return ParseText(json, [&](value& v) { return ParseContainerList(v, out); });
}
absl::Status Version(std::string_view json, VersionBody* out) {
  return ParseText(json, [&](value& v) { return ParseVersion(v, out); });
}
absl::Status Info(std::string_view json, InfoBody* out) {
  return ParseText(json, [&](value& v) { return ParseInfo(v, out); });
}
absl::Status SystemDf(std::string_view json, SystemDfBody* out) {
  return ParseText(json, [&](value& v) { return ParseSystemDf(v, out); });
}

// ---- API 1.41, recorded ----

constexpr char kApp[] =
    "sha256:7d4ed35a1303c48324f7069638d7d246c3f2716c5d79d8597280fe449d60be2f";
constexpr char kTool[] =
    "sha256:08f31ef4c09aa48b3fead2c486775429534701f268932a52eccf29fcaf00e90c";
constexpr char kDangling[] =
    "sha256:9ca9d53f214849d83129b1170a7ffb23e580d323c2620b85a221f31c12616a91";
constexpr char kOther[] =
    "sha256:4434d072e463636d9b41ad8304059cfc67a548957c563893d4b553e77ec36f47";
constexpr char kBuilt[] =
    "sha256:df058ecdd860c43e036ea0d8e09395478ad7f8082073fef717b77df3e0e5136b";
constexpr char kBuiltParent[] =
    "sha256:f64fe5484a0ec715c6c79209f2df1d6d87d23653c94022011bbaf442fcadf363";
constexpr char kBuiltGrandparent[] =
    "sha256:8b8eaa4d6e870c537e61e99d74385c540946de7f38f1e0ba3d8dcbd6ed38495d";
constexpr char kBusyboxDiff[] =
    "sha256:2326df0e8fc2d827cd9565f7cbc97556cef38567adb3ca7c108cea11587c5a70";
constexpr char kAppDataDiff[] =
    "sha256:f58644e11e56e05cc425f75878748780d5277892032b98bf7e594c8ac199a542";

TEST(ParseVersionTest, RecordedApi141) {
  VersionBody version;
  absl::Status status = ParseFile("api-1.41/version.json", [&](value& v) {
    return ParseVersion(v, &version);
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(version.version, "20.10.24+dfsg1");
  EXPECT_EQ(version.api_version, "1.41");
  EXPECT_EQ(version.min_api_version, "1.12");
  EXPECT_EQ(version.os, "linux");
  EXPECT_EQ(version.arch, "amd64");
}

TEST(ParseInfoTest, RecordedApi141WithNullDriverStatus) {
  InfoBody info;
  info.containerd_snapshotter = false;
  absl::Status status = ParseFile(
      "api-1.41/info.json", [&](value& v) { return ParseInfo(v, &info); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(info.driver, "vfs");
  EXPECT_FALSE(info.containerd_snapshotter);
}

TEST(ParseImageListTest, RecordedApi141) {
  std::vector<ImageSummary> images;
  absl::Status status = ParseFile("api-1.41/images.json", [&](value& v) {
    return ParseImageList(v, &images);
  });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(images.size(), 7u);
  // The engine lists newest first; the order is kept.
  EXPECT_EQ(images[0].id, kBuilt);
  EXPECT_EQ(images[1].id, kBuiltParent);
  EXPECT_EQ(images[2].id, kBuiltGrandparent);
  EXPECT_EQ(images[3].id, kOther);
  EXPECT_EQ(images[4].id, kTool);
  EXPECT_EQ(images[5].id, kApp);
  EXPECT_EQ(images[6].id, kDangling);

  const ImageSummary& built = images[0];
  EXPECT_EQ(built.parent_id, kBuiltParent);
  EXPECT_THAT(built.repo_tags, ElementsAre("built:1"));
  EXPECT_THAT(built.repo_digests, IsEmpty());  // null
  EXPECT_EQ(built.size, 1984759);
  EXPECT_THAT(built.labels, ElementsAre(Pair("stage", "built")));

  // Intermediate images: "<none>:<none>" and "<none>@<none>" are dropped.
  const ImageSummary& intermediate = images[1];
  EXPECT_EQ(intermediate.parent_id, kBuiltGrandparent);
  EXPECT_THAT(intermediate.repo_tags, IsEmpty());
  EXPECT_THAT(intermediate.repo_digests, IsEmpty());
  EXPECT_THAT(intermediate.labels, IsEmpty());  // {}

  const ImageSummary& app = images[5];
  EXPECT_EQ(app.parent_id, "");
  EXPECT_THAT(app.repo_tags,
              ElementsAre("app:1", "app:latest", "localhost:5000/team/app:1"));
  EXPECT_EQ(app.created, 1735787045);  // 2025-01-02T03:04:05Z
  EXPECT_EQ(app.size, 1986256);
  EXPECT_THAT(app.labels, ElementsAre(Pair("gc.keep", "false"),
                                      Pair("org.example.team", "core")));

  const ImageSummary& dangling = images[6];
  EXPECT_THAT(dangling.repo_tags, IsEmpty());
  EXPECT_THAT(dangling.repo_digests, IsEmpty());
  EXPECT_EQ(dangling.created, 1733011200);
  EXPECT_EQ(dangling.size, 1982556);
}

TEST(ParseContainerListTest, RecordedApi141ContainersInFourStates) {
  std::vector<ContainerSummary> containers;
  absl::Status status = ParseFile("api-1.41/containers.json", [&](value& v) {
    return ParseContainerList(v, &containers);
  });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(containers.size(), 4u);
  std::vector<std::pair<std::string, std::string>> name_state;
  for (const ContainerSummary& c : containers) {
    name_state.emplace_back(c.name, c.state);
    EXPECT_EQ(c.id.size(), 64u) << c.name;
  }
  EXPECT_THAT(name_state,
              ElementsAre(Pair("cron-1", "paused"), Pair("web-1", "running"),
                          Pair("job-1", "exited"), Pair("api-1", "created")));
  EXPECT_EQ(containers[0].image, "app:1");
  EXPECT_EQ(containers[0].image_id, kApp);
  EXPECT_EQ(containers[1].image, "built:1");
  EXPECT_EQ(containers[1].image_id, kBuilt);
  EXPECT_EQ(containers[2].image, "tool:2");
  EXPECT_EQ(containers[2].image_id, kTool);
  EXPECT_EQ(containers[3].id,
            "6a5260c1326b2c6d1e51d7be28bfde811af9338a6fefcd63f76fc20409ecaf60");
  EXPECT_EQ(containers[3].image_id, kApp);
}

TEST(ParseImageInspectTest, RecordedApi141LoadedImage) {
  ImageInspect inspect;
  absl::Status status =
      ParseFile("api-1.41/inspect_7d4ed35a1303.json",
                [&](value& v) { return ParseImageInspect(v, &inspect); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(inspect.id, kApp);
  EXPECT_EQ(inspect.parent, "");
  EXPECT_THAT(inspect.repo_tags,
              ElementsAre("app:1", "app:latest", "localhost:5000/team/app:1"));
  EXPECT_THAT(inspect.repo_digests, IsEmpty());
  EXPECT_EQ(inspect.created, Utc(2025, 1, 2, 3, 4, 5));
  // Loaded, never tagged by `docker tag`: "0001-01-01T00:00:00Z".
  EXPECT_EQ(inspect.last_tag_time, absl::InfinitePast());
  EXPECT_THAT(inspect.diff_ids, ElementsAre(kBusyboxDiff, kAppDataDiff));
  EXPECT_EQ(inspect.size, 1986256);
  EXPECT_THAT(inspect.labels, ElementsAre(Pair("gc.keep", "false"),
                                          Pair("org.example.team", "core")));
}

TEST(ParseImageInspectTest, RecordedApi141BuiltImageWithLastTagTime) {
  ImageInspect inspect;
  absl::Status status =
      ParseFile("api-1.41/inspect_df058ecdd860.json",
                [&](value& v) { return ParseImageInspect(v, &inspect); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(inspect.id, kBuilt);
  EXPECT_EQ(inspect.parent, kBuiltParent);
  EXPECT_EQ(inspect.created,
            Utc(2026, 11, 25, 23, 15, 5) + absl::Nanoseconds(110372604));
  EXPECT_EQ(inspect.last_tag_time,
            Utc(2026, 11, 25, 23, 15, 6) + absl::Nanoseconds(12792859));
  EXPECT_EQ(inspect.diff_ids.size(), 3u);
  EXPECT_THAT(inspect.labels, ElementsAre(Pair("stage", "built")));
}

TEST(ParseImageHistoryTest, RecordedApi141NewestFirstWithMetadataSteps) {
  std::vector<HistoryEntry> history;
  absl::Status status =
      ParseFile("api-1.41/history_df058ecdd860.json",
                [&](value& v) { return ParseImageHistory(v, &history); });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(history[0].size, 0);
  EXPECT_TRUE(history[0].metadata_step);  // "#(nop)  LABEL stage=built"
  EXPECT_EQ(history[1].size, 3);
  EXPECT_FALSE(history[1].metadata_step);  // "echo hi > /hello.txt"
  EXPECT_EQ(history[2].size, 0);
  EXPECT_EQ(history[3].size, 2500);
  EXPECT_EQ(history[4].size, 1982256);
  EXPECT_FALSE(history[4].metadata_step);  // "COPY busybox /bin/busybox"
}

TEST(ParseSystemDfTest, RecordedApi141LayersSize) {
  SystemDfBody df;
  absl::Status status = ParseFile("api-1.41/system_df.json", [&](value& v) {
    return ParseSystemDf(v, &df);
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(df.layers_size, 1993359);
}

TEST(ParseSystemDfTest, RecordedApi141AfterDeletes) {
  for (auto [file, want] :
       {std::pair<const char*, int64_t>{
            "api-1.41/system_df_after_rmi_other.json", 1989059},
        {"api-1.41/system_df_after_rmi_dangling.json", 1988759}}) {
    SystemDfBody df;
    absl::Status status =
        ParseFile(file, [&](value& v) { return ParseSystemDf(v, &df); });
    ASSERT_TRUE(status.ok()) << file << ": " << status;
    EXPECT_EQ(df.layers_size, want) << file;
  }
}

TEST(RecordedBodiesTest, EveryApi141BodyParses) {
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.41");
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  EXPECT_EQ(bodies->images.size(), 7u);
  EXPECT_EQ(bodies->details.size(), 7u);
  EXPECT_EQ(bodies->containers.size(), 4u);
}

// ---- API 1.52 shapes ----

constexpr char kWeb[] =
    "sha256:4e9d62b02bc05e96a460820405bb2607762573630283b411c8d034e80ddceb54";
constexpr char kOld[] =
    "sha256:23c2c03b205343295c5b750ea86a8673a6f6b0d1f9645be056853f8ec441b807";

TEST(ParseImageListTest, Api152WithContainersDescriptorAndManifests) {
  std::vector<ImageSummary> images;
  absl::Status status = ParseFile("api-1.52/images.json", [&](value& v) {
    return ParseImageList(v, &images);
  });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0].id, kWeb);
  EXPECT_THAT(images[0].repo_tags,
              ElementsAre("web:2.0", "registry.example.com:5000/team/web:2.0"));
  EXPECT_THAT(
      images[0].repo_digests,
      ElementsAre("registry.example.com:5000/team/web@" + std::string(kWeb)));
  EXPECT_EQ(images[0].created, 1763632800);
  EXPECT_EQ(images[0].size, 6200);
  EXPECT_THAT(images[0].labels,
              ElementsAre(Pair("org.opencontainers.image.version", "2.0")));
  // Untagged from 1.43 on: empty arrays instead of placeholders.
  EXPECT_EQ(images[1].id, kOld);
  EXPECT_THAT(images[1].repo_tags, IsEmpty());
  EXPECT_THAT(images[1].repo_digests, IsEmpty());
  EXPECT_THAT(images[1].labels, IsEmpty());  // null
  EXPECT_EQ(images[1].size, 5800);
}

TEST(ParseContainerListTest, Api152WithHealthAndManifestDescriptor) {
  std::vector<ContainerSummary> containers;
  absl::Status status = ParseFile("api-1.52/containers.json", [&](value& v) {
    return ParseContainerList(v, &containers);
  });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0].id,
            "c97d80ab1921106f7e3304c3a16a73429c39c4555b9f697a9027f5c18f5ff7ee");
  EXPECT_EQ(containers[0].name, "web-1");
  EXPECT_EQ(containers[0].image, "web:2.0");
  EXPECT_EQ(containers[0].image_id, kWeb);
  EXPECT_EQ(containers[0].state, "running");
}

TEST(ParseImageInspectTest, Api152WithOffsetLastTagTime) {
  ImageInspect inspect;
  absl::Status status =
      ParseFile("api-1.52/inspect_4e9d62b02bc0.json",
                [&](value& v) { return ParseImageInspect(v, &inspect); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(inspect.id, kWeb);
  EXPECT_EQ(inspect.created,
            Utc(2025, 11, 20, 10, 0, 0) + absl::Milliseconds(500));
  EXPECT_EQ(inspect.last_tag_time,
            Utc(2025, 11, 21, 7, 0, 0) + absl::Milliseconds(250));
  EXPECT_THAT(
      inspect.diff_ids,
      ElementsAre(
          "sha256:"
          "faee5144a93a8ae0e4073783c61c51b01ba3ab7e8499d8c892a7f297a39d1fac",
          "sha256:"
          "c02be3c06477b464e7418213cb2f249510ed7de8c0c3f7c51ec5c7dedc2dc174"));
  EXPECT_EQ(inspect.size, 6200);
  EXPECT_THAT(inspect.labels,
              ElementsAre(Pair("org.opencontainers.image.version", "2.0")));
}

TEST(ParseImageInspectTest, Api152WithoutMetadataNeverTagged) {
  ImageInspect inspect;
  absl::Status status =
      ParseFile("api-1.52/inspect_23c2c03b2053.json",
                [&](value& v) { return ParseImageInspect(v, &inspect); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(inspect.id, kOld);
  EXPECT_EQ(inspect.last_tag_time, absl::InfinitePast());
  EXPECT_EQ(inspect.created, Utc(2025, 6, 1, 0, 0, 0));
  EXPECT_THAT(inspect.repo_tags, IsEmpty());
  EXPECT_THAT(inspect.labels, IsEmpty());
}

TEST(ParseImageHistoryTest, Api152BuildKitSteps) {
  std::vector<HistoryEntry> history;
  absl::Status status =
      ParseFile("api-1.52/history_4e9d62b02bc0.json",
                [&](value& v) { return ParseImageHistory(v, &history); });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(history.size(), 4u);
  EXPECT_TRUE(history[0].metadata_step);  // "CMD [\"/srv/web\"]"
  EXPECT_EQ(history[1].size, 1200);
  EXPECT_EQ(history[3].size, 5000);
}

TEST(ParseVersionTest, Api152) {
  VersionBody version;
  absl::Status status = ParseFile("api-1.52/version.json", [&](value& v) {
    return ParseVersion(v, &version);
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(version.version, "29.0.0");
  EXPECT_EQ(version.api_version, "1.52");
  EXPECT_EQ(version.min_api_version, "1.44");
}

TEST(ParseInfoTest, Api152ContainerdImageStore) {
  InfoBody info;
  absl::Status status = ParseFile(
      "api-1.52/info.json", [&](value& v) { return ParseInfo(v, &info); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(info.driver, "overlayfs");
  EXPECT_TRUE(info.containerd_snapshotter);
}

TEST(ParseInfoTest, Api152GraphDriver) {
  InfoBody info;
  absl::Status status = ParseFile("api-1.52/info_overlay2.json", [&](value& v) {
    return ParseInfo(v, &info);
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(info.driver, "overlay2");
  EXPECT_FALSE(info.containerd_snapshotter);
}

TEST(ParseSystemDfTest, Api152ImageUsageWithoutLayersSize) {
  SystemDfBody df;
  absl::Status status = ParseFile("api-1.52/system_df.json", [&](value& v) {
    return ParseSystemDf(v, &df);
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(df.layers_size, 7000);
}

TEST(ParseSystemDfTest, Api152WithBothShapes) {
  SystemDfBody df;
  absl::Status status =
      ParseFile("api-1.52/system_df_legacy_and_new.json",
                [&](value& v) { return ParseSystemDf(v, &df); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(df.layers_size, 7000);
}

TEST(RecordedBodiesTest, EveryApi152BodyParses) {
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.52");
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  EXPECT_EQ(bodies->images.size(), 2u);
  EXPECT_EQ(bodies->details.size(), 2u);
  ASSERT_TRUE(bodies->system_df.has_value());
  EXPECT_EQ(bodies->system_df->layers_size, 7000);
}

// ---- /system/df: LayersSize vs ImageUsage.TotalSize ----

TEST(ParseSystemDfTest, ImageUsageTotalSizeWinsOverLayersSizeInEitherOrder) {
  for (const char* json :
       {"{\"LayersSize\": 5, \"ImageUsage\": {\"TotalSize\": 9}}",
        "{\"ImageUsage\": {\"TotalSize\": 9}, \"LayersSize\": 5}"}) {
    SystemDfBody df;
    absl::Status status = SystemDf(json, &df);
    ASSERT_TRUE(status.ok()) << json << ": " << status;
    EXPECT_EQ(df.layers_size, 9) << json;
  }
}

TEST(ParseSystemDfTest, LegacyLayersSizeAlone) {
  SystemDfBody df;
  ASSERT_TRUE(SystemDf("{\"LayersSize\": 123, \"Images\": null}", &df).ok());
  EXPECT_EQ(df.layers_size, 123);
}

TEST(ParseSystemDfTest, OmittedLayersSizeIsZero) {
  // Before 1.52 LayersSize is omitted when zero (omitempty).
  SystemDfBody df;
  df.layers_size = 77;
  ASSERT_TRUE(SystemDf("{\"Images\": [], \"BuilderSize\": 0}", &df).ok());
  EXPECT_EQ(df.layers_size, 0);
}

TEST(ParseSystemDfTest, GarbageSizesNameTheField) {
  SystemDfBody df;
  absl::Status status = SystemDf("{\"LayersSize\": \"big\"}", &df);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"LayersSize\": LayersSize: expected an "
                        "integer: ") +
                kWrongType);

  status = SystemDf("{\"ImageUsage\": {\"TotalSize\": [7000]}}", &df);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"ImageUsage\": field \"TotalSize\": "
                        "TotalSize: expected an integer: ") +
                kWrongType);

  status = SystemDf("{\"ImageUsage\": 7000}", &df);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Message(status),
      std::string("field \"ImageUsage\": expected an object: ") + kWrongType);
}

// ---- missing optional fields ----

TEST(ParseImageListTest, OnlyIdIsRequired) {
  std::vector<ImageSummary> images;
  ASSERT_TRUE(Images("[{\"Id\": \"sha256:A\"}]", &images).ok());
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].id, kIdA);
  EXPECT_EQ(images[0].parent_id, "");
  EXPECT_THAT(images[0].repo_tags, IsEmpty());
  EXPECT_THAT(images[0].repo_digests, IsEmpty());
  EXPECT_EQ(images[0].created, 0);
  EXPECT_EQ(images[0].size, 0);
  EXPECT_THAT(images[0].labels, IsEmpty());
}

TEST(ParseImageListTest, NullsAreEmpty) {
  std::vector<ImageSummary> images;
  absl::Status status = Images(
      "[{\"Id\": \"sha256:A\", \"ParentId\": null, \"RepoTags\": null, "
      "\"RepoDigests\": null, \"Created\": null, \"Size\": null, "
      "\"Labels\": null}]",
      &images);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(images.size(), 1u);
  EXPECT_THAT(images[0].repo_tags, IsEmpty());
  EXPECT_EQ(images[0].size, 0);
}

TEST(ParseImageListTest, AppendsToWhatIsThere) {
  std::vector<ImageSummary> images(1);
  images[0].id = "sha256:first";
  ASSERT_TRUE(
      Images("[{\"Id\": \"sha256:B\"}, {\"Id\": \"sha256:C\"}]", &images).ok());
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[0].id, "sha256:first");
  EXPECT_EQ(images[2].id, kIdC);
}

TEST(ParseImageListTest, NullListIsEmpty) {
  std::vector<ImageSummary> images;
  // A JSON document cannot be a bare null for simdjson; nested it is.
  absl::Status status = ParseText("{\"images\": null}", [&](value& root) {
    return ForEachField(root, [&](std::string_view, value& v) {
      return ParseImageList(v, &images);
    });
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_THAT(images, IsEmpty());
}

TEST(ParseImageListTest, PlaceholdersAreDroppedAndRealReferencesKept) {
  std::vector<ImageSummary> images;
  absl::Status status = Images(
      "[{\"Id\": \"sha256:A\", "
      "\"RepoTags\": [\"<none>:<none>\", \"app:1\", \"<none>:<none>\"], "
      "\"RepoDigests\": [\"app@sha256:d\", \"<none>@<none>\"]}]",
      &images);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_THAT(images[0].repo_tags, ElementsAre("app:1"));
  EXPECT_THAT(images[0].repo_digests, ElementsAre("app@sha256:d"));
}

TEST(ParseImageListTest, MissingIdIsRejected) {
  std::vector<ImageSummary> images;
  absl::Status status =
      Images("[{\"Id\": \"sha256:A\"}, {\"RepoTags\": [\"app:1\"]}]", &images);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "element 1: missing required field \"Id\"");
}

TEST(ParseImageListTest, IdThatIsNotADigestIsRejected) {
  // Image IDs go into request paths (DELETE /images/{id}).
  for (const char* id :
       {"sha256:a", "sha256:../../containers/x",
        "sha256:"
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "sha512:"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
    std::vector<ImageSummary> images;
    absl::Status status =
        Images(std::string("[{\"Id\": \"") + id + "\"}]", &images);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(Message(status), std::string("element 0: field \"Id\": \"") + id +
                                   "\" is not an image ID (sha256:<64 hex "
                                   "digits>)")
        << id;
  }
}

TEST(ParseImageListTest, EmptyIdIsRejected) {
  std::vector<ImageSummary> images;
  absl::Status status = Images("[{\"Id\": \"\"}]", &images);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "element 0: missing required field \"Id\"");
}

TEST(ParseImageInspectTest, OnlyIdIsRequired) {
  ImageInspect inspect;
  ASSERT_TRUE(Inspect("{\"Id\": \"sha256:a\"}", &inspect).ok());
  EXPECT_EQ(inspect.id, "sha256:a");
  EXPECT_EQ(inspect.created, absl::InfinitePast());
  EXPECT_EQ(inspect.last_tag_time, absl::InfinitePast());
  EXPECT_THAT(inspect.diff_ids, IsEmpty());
  EXPECT_EQ(inspect.size, 0);
}

TEST(ParseImageInspectTest, NullsAndEmptyStringsAreEmpty) {
  ImageInspect inspect;
  absl::Status status = Inspect(
      "{\"Id\": \"sha256:a\", \"Created\": \"\", \"RootFS\": null, "
      "\"Config\": null, \"Metadata\": {\"LastTagTime\": \"\"}, "
      "\"RepoTags\": null}",
      &inspect);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(inspect.created, absl::InfinitePast());
  EXPECT_EQ(inspect.last_tag_time, absl::InfinitePast());
  EXPECT_THAT(inspect.diff_ids, IsEmpty());
  EXPECT_THAT(inspect.labels, IsEmpty());
}

TEST(ParseImageInspectTest, MissingIdIsRejected) {
  ImageInspect inspect;
  absl::Status status = Inspect("{\"RootFS\": {\"Layers\": []}}", &inspect);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "missing required field \"Id\"");
}

TEST(ParseImageInspectTest, GoZeroLastTagTimeIsNever) {
  ImageInspect inspect;
  ASSERT_TRUE(Inspect("{\"Id\": \"sha256:a\", \"Metadata\": "
                      "{\"LastTagTime\": \"0001-01-01T00:00:00Z\"}}",
                      &inspect)
                  .ok());
  EXPECT_EQ(inspect.last_tag_time, absl::InfinitePast());
}

TEST(ParseImageHistoryTest, MissingFieldsAreZeroAndEmpty) {
  std::vector<HistoryEntry> history;
  ASSERT_TRUE(
      History("[{}, {\"Size\": null, \"CreatedBy\": null}]", &history).ok());
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].size, 0);
  EXPECT_FALSE(history[0].metadata_step);
  EXPECT_EQ(history[1].size, 0);
  EXPECT_FALSE(history[1].metadata_step);
}

TEST(ParseImageHistoryTest, EmptyHistory) {
  std::vector<HistoryEntry> history;
  ASSERT_TRUE(History("[]", &history).ok());
  EXPECT_THAT(history, IsEmpty());
}

TEST(ParseContainerListTest, OnlyIdAndImageIdAreRequired) {
  std::vector<ContainerSummary> containers;
  ASSERT_TRUE(
      Containers("[{\"Id\": \"c1\", \"ImageID\": \"sha256:a\"}]", &containers)
          .ok());
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0].name, "");
  EXPECT_EQ(containers[0].image, "");
  EXPECT_EQ(containers[0].state, "");
}

TEST(ParseContainerListTest, NameIsTheFirstWithoutItsSlash) {
  std::vector<ContainerSummary> containers;
  ASSERT_TRUE(Containers("[{\"Id\": \"c1\", \"ImageID\": \"sha256:a\", "
                         "\"Names\": [\"/web-1\", \"/app/db\"]}, "
                         "{\"Id\": \"c2\", \"ImageID\": \"sha256:a\", "
                         "\"Names\": [\"plain\"]}]",
                         &containers)
                  .ok());
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0].name, "web-1");
  EXPECT_EQ(containers[1].name, "plain");
}

TEST(ParseContainerListTest, WithoutImageIdIsRejected) {
  // Without it the container's image could not be protected.
  std::vector<ContainerSummary> containers;
  absl::Status status = Containers(
      "[{\"Id\": \"c1\", \"ImageID\": \"sha256:a\"}, "
      "{\"Id\": \"c2\", \"Image\": \"app:1\", \"State\": \"exited\"}]",
      &containers);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "element 1: missing required field \"ImageID\"");
}

TEST(ParseContainerListTest, EmptyOrNullImageIdIsRejected) {
  for (const char* json : {"[{\"Id\": \"c\", \"ImageID\": \"\"}]",
                           "[{\"Id\": \"c\", \"ImageID\": null}]"}) {
    std::vector<ContainerSummary> containers;
    absl::Status status = Containers(json, &containers);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_EQ(Message(status), "element 0: missing required field \"ImageID\"")
        << json;
  }
}

TEST(ParseContainerListTest, WithoutIdIsRejected) {
  std::vector<ContainerSummary> containers;
  absl::Status status =
      Containers("[{\"ImageID\": \"sha256:a\"}]", &containers);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "element 0: missing required field \"Id\"");
}

TEST(ParseVersionTest, ApiVersionIsRequired) {
  VersionBody version;
  absl::Status status = Version("{\"Version\": \"20.10.24\"}", &version);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "missing required field \"ApiVersion\"");
}

TEST(ParseInfoTest, MissingFieldsLeaveDefaults) {
  InfoBody info;
  ASSERT_TRUE(Info("{}", &info).ok());
  EXPECT_EQ(info.driver, "");
  EXPECT_FALSE(info.containerd_snapshotter);
}

TEST(ParseInfoTest, OnlyAnExactDriverTypePairMeansContainerd) {
  for (const char* json :
       {"{\"DriverStatus\": [[\"driver-type\"]]}",
        "{\"DriverStatus\": [[\"driver-type\", "
        "\"io.containerd.snapshotter.v1\", "
        "\"x\"]]}",
        "{\"DriverStatus\": [[\"io.containerd.snapshotter.v1\", "
        "\"driver-type\"]]}",
        "{\"DriverStatus\": [null, []]}"}) {
    InfoBody info;
    absl::Status status = Info(json, &info);
    ASSERT_TRUE(status.ok()) << json << ": " << status;
    EXPECT_FALSE(info.containerd_snapshotter) << json;
  }
  InfoBody info;
  ASSERT_TRUE(Info("{\"DriverStatus\": [[\"Backing Filesystem\", \"extfs\"], "
                   "[\"driver-type\", \"io.containerd.snapshotter.v1\"]]}",
                   &info)
                  .ok());
  EXPECT_TRUE(info.containerd_snapshotter);
}

// ---- ParseEngineTime ----

TEST(ParseEngineTimeTest, NanosecondsAndOffsets) {
  absl::Time time;
  ASSERT_TRUE(ParseEngineTime("2026-11-25T23:13:24.082681774Z", &time).ok());
  EXPECT_EQ(time, Utc(2026, 11, 25, 23, 13, 24) + absl::Nanoseconds(82681774));
  ASSERT_TRUE(ParseEngineTime("2026-11-26T01:13:24+02:00", &time).ok());
  EXPECT_EQ(time, Utc(2026, 11, 25, 23, 13, 24));
}

TEST(ParseEngineTimeTest, GoZeroTimeIsInfinitePast) {
  absl::Time time = absl::UnixEpoch();
  ASSERT_TRUE(ParseEngineTime("0001-01-01T00:00:00Z", &time).ok());
  EXPECT_EQ(time, absl::InfinitePast());
}

TEST(ParseEngineTimeTest, OneSecondAfterGoZeroTimeIsATime) {
  absl::Time time;
  ASSERT_TRUE(ParseEngineTime("0001-01-01T00:00:01Z", &time).ok());
  EXPECT_EQ(time, Utc(1, 1, 1, 0, 0, 1));
}

TEST(ParseEngineTimeTest, GarbageIsRejectedAndLeavesTheTimeAlone) {
  absl::Time time = absl::UnixEpoch();
  absl::Status status = ParseEngineTime("last tuesday", &time);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            "invalid time \"last tuesday\": want RFC 3339, e.g. "
            "2026-11-25T22:40:00Z");
  EXPECT_EQ(time, absl::UnixEpoch());
}

// ---- garbage ----

TEST(ParseImageListTest, StringsWhereNumbersBelong) {
  std::vector<ImageSummary> images;
  absl::Status status = Images(
      "[{\"Id\": \"sha256:A\", \"Size\": 10}, "
      "{\"Id\": \"sha256:B\", \"Size\": \"1.2 MB\"}]",
      &images);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("element 1: field \"Size\": Size: expected an "
                        "integer: ") +
                kWrongType);

  images.clear();
  status =
      Images("[{\"Id\": \"sha256:A\", \"Created\": \"2025-01-01\"}]", &images);
  EXPECT_EQ(Message(status),
            std::string("element 0: field \"Created\": Created: expected an "
                        "integer: ") +
                kWrongType);
}

TEST(ParseImageListTest, NumbersWhereStringsBelong) {
  std::vector<ImageSummary> images;
  absl::Status status = Images("[{\"Id\": 7}]", &images);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("element 0: field \"Id\": Id: expected a string: ") +
                kWrongType);
}

TEST(ParseImageListTest, NestedGarbageNamesEveryLevel) {
  std::vector<ImageSummary> images;
  absl::Status status = Images(
      "[{\"Id\": \"sha256:A\", \"RepoTags\": [\"app:1\", [\"nested\"]]}]",
      &images);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("element 0: field \"RepoTags\": element 1: RepoTags: "
                        "expected a string: ") +
                kWrongType);

  images.clear();
  status = Images(
      "[{\"Id\": \"sha256:A\", \"Labels\": {\"team\": {\"name\": \"x\"}}}]",
      &images);
  EXPECT_EQ(Message(status),
            std::string("element 0: field \"Labels\": field \"team\": Labels: "
                        "expected a string: ") +
                kWrongType);

  images.clear();
  status = Images("[{\"Id\": \"sha256:A\", \"RepoTags\": \"app:1\"}]", &images);
  EXPECT_EQ(Message(status),
            std::string("element 0: field \"RepoTags\": expected an array: ") +
                kWrongType);
}

TEST(ParseImageListTest, NotAListOrNotObjects) {
  std::vector<ImageSummary> images;
  absl::Status status = Images("{\"Id\": \"sha256:A\"}", &images);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), std::string("expected an array: ") + kWrongType);

  status = Images("[\"sha256:A\"]", &images);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("element 0: expected an object: ") + kWrongType);
}

TEST(ParseImageInspectTest, GarbageNamesTheNestedField) {
  struct Case {
    const char* json;
    std::string message;
  };
  for (const Case& c : {
           Case{
               "{\"Id\": \"sha256:a\", \"RootFS\": {\"Layers\": \"sha256:x\"}}",
               std::string("field \"RootFS\": field \"Layers\": expected an "
                           "array: ") +
                   kWrongType},
           Case{"{\"Id\": \"sha256:a\", \"RootFS\": [\"sha256:x\"]}",
                std::string("field \"RootFS\": expected an object: ") +
                    kWrongType},
           Case{"{\"Id\": \"sha256:a\", \"Config\": {\"Labels\": [\"a=b\"]}}",
                std::string("field \"Config\": field \"Labels\": expected an "
                            "object: ") +
                    kWrongType},
           Case{"{\"Id\": \"sha256:a\", \"Created\": 1735787045}",
                std::string("field \"Created\": Created: expected a string: ") +
                    kWrongType},
           Case{"{\"Id\": \"sha256:a\", \"Created\": \"2025-01-02\"}",
                "field \"Created\": Created: invalid time \"2025-01-02\": want "
                "RFC 3339, e.g. 2026-11-25T22:40:00Z"},
           Case{"{\"Id\": \"sha256:a\", \"Metadata\": {\"LastTagTime\": "
                "\"yesterday\"}}",
                "field \"Metadata\": field \"LastTagTime\": LastTagTime: "
                "invalid time \"yesterday\": want RFC 3339, e.g. "
                "2026-11-25T22:40:00Z"},
           Case{"{\"Id\": \"sha256:a\", \"Size\": -1.5}",
                std::string("field \"Size\": Size: expected an integer: ") +
                    kWrongType},
       }) {
    ImageInspect inspect;
    absl::Status status = Inspect(c.json, &inspect);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_EQ(Message(status), c.message) << c.json;
  }
}

TEST(ParseImageHistoryTest, NegativeSizeIsRejected) {
  std::vector<HistoryEntry> history;
  absl::Status status = History(
      "[{\"Size\": 0}, {\"Size\": -5, \"CreatedBy\": \"RUN x\"}]", &history);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "element 1: field \"Size\": negative size");
}

TEST(ParseImageHistoryTest, GarbageSizeIsRejected) {
  std::vector<HistoryEntry> history;
  absl::Status status = History("[{\"Size\": \"5\"}]", &history);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("element 0: field \"Size\": Size: expected an "
                        "integer: ") +
                kWrongType);

  history.clear();
  status = History("{\"Size\": 5}", &history);
  EXPECT_EQ(Message(status), std::string("expected an array: ") + kWrongType);
}

TEST(ParseContainerListTest, GarbageIsRejected) {
  std::vector<ContainerSummary> containers;
  absl::Status status =
      Containers("[{\"Id\": \"c\", \"ImageID\": \"sha256:a\", \"State\": 3}]",
                 &containers);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("element 0: field \"State\": State: expected a "
                        "string: ") +
                kWrongType);

  containers.clear();
  status = Containers(
      "[{\"Id\": \"c\", \"ImageID\": \"sha256:a\", \"Names\": \"/x\"}]",
      &containers);
  EXPECT_EQ(Message(status),
            std::string("element 0: field \"Names\": expected an array: ") +
                kWrongType);
}

TEST(ParseInfoTest, GarbageDriverStatusIsRejected) {
  InfoBody info;
  absl::Status status =
      Info("{\"DriverStatus\": [[\"driver-type\", 5]]}", &info);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"DriverStatus\": element 0: element 1: "
                        "DriverStatus: expected a string: ") +
                kWrongType);
  status = Info("{\"DriverStatus\": \"overlay\"}", &info);
  EXPECT_EQ(
      Message(status),
      std::string("field \"DriverStatus\": expected an array: ") + kWrongType);
}

TEST(ParseVersionTest, GarbageIsRejected) {
  VersionBody version;
  absl::Status status = Version("{\"ApiVersion\": 1.41}", &version);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"ApiVersion\": ApiVersion: expected a "
                        "string: ") +
                kWrongType);
}

}  // namespace
}  // namespace dgc
