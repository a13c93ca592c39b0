// Tests of the Engine API bodies of resources beside images
// (core/engine_bodies.h): a container's creation time, labels and volumes
// in /containers/json; its restart policy and start and finish times in
// /containers/{id}/json (recorded from Docker 20.10.24); and the
// containers' writable layers, volumes and build cache records of
// /system/df, in the shapes before and from API 1.52.
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "core/engine_bodies.h"
#include "core/json_reader.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

template <typename Parse>
absl::Status ParseText(std::string_view json, Parse&& parse) {
  PaddedBody body(json);
  simdjson::ondemand::parser parser;
  return ParseDocument(parser, body, std::forward<Parse>(parse));
}

absl::Time Utc(int year, int month, int day, int hour, int minute, int second) {
  return absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second),
      absl::UTCTimeZone());
}

TEST(ContainerSummaryTest, CreatedLabelsAndVolumesAsDocker2010ListsThem) {
  constexpr char kBody[] = R"([{"Id":"e777","Names":["/volc"],
    "Image":"app","ImageID":"sha256:2ee7","Created":1796013249,
    "Labels":{"com.docker.compose.project":"onai"},"State":"exited",
    "Mounts":[
      {"Type":"volume","Name":"2514f3","Source":"","Destination":"/data",
       "Driver":"local","Mode":"","RW":true,"Propagation":""},
      {"Type":"bind","Source":"/etc/x","Destination":"/x","Mode":"",
       "RW":true,"Propagation":"rprivate"},
      {"Type":"volume","Name":"named1","Source":"/v/named1/_data",
       "Destination":"/named","Driver":"local","Mode":"z","RW":true}]}])";
  std::vector<ContainerSummary> containers;
  ASSERT_TRUE(ParseText(kBody, [&](value& v) {
                return ParseContainerList(v, &containers);
              }).ok());
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0].created, 1796013249);
  EXPECT_THAT(containers[0].labels,
              ElementsAre(Pair("com.docker.compose.project", "onai")));
  EXPECT_THAT(containers[0].volumes, ElementsAre("2514f3", "named1"));
}

TEST(ContainerSummaryTest, NullLabelsAndMountsAreEmpty) {
  std::vector<ContainerSummary> containers;
  ASSERT_TRUE(
      ParseText(R"([{"Id":"c","ImageID":"sha256:i","Labels":null,
                             "Mounts":null}])",
                [&](value& v) { return ParseContainerList(v, &containers); })
          .ok());
  EXPECT_THAT(containers[0].labels, IsEmpty());
  EXPECT_THAT(containers[0].volumes, IsEmpty());
}

TEST(ContainerInspectTest, RecordedApi141ExitedContainer) {
  absl::StatusOr<std::string> text =
      test_support::ReadTestdata("api-1.41/container_a6d60228ab41.json");
  ASSERT_TRUE(text.ok()) << text.status();
  ContainerInspect inspect;
  ASSERT_TRUE(ParseText(*text, [&](value& v) {
                return ParseContainerInspect(v, &inspect);
              }).ok());
  EXPECT_EQ(inspect.id,
            "a6d60228ab4130b8285ff066b716ee3dd87952be3e8aea3a8dca542fb174d1e5");
  EXPECT_EQ(inspect.restart_policy, "no");
  EXPECT_EQ(inspect.state, "exited");
  EXPECT_EQ(absl::ToUnixSeconds(inspect.started_at),
            absl::ToUnixSeconds(Utc(2026, 11, 22, 22, 35, 7)));
  EXPECT_GT(inspect.finished_at, inspect.started_at);
}

TEST(ContainerInspectTest, RecordedApi141CreatedContainerNeverRan) {
  absl::StatusOr<std::string> text =
      test_support::ReadTestdata("api-1.41/container_6a5260c1326b.json");
  ASSERT_TRUE(text.ok()) << text.status();
  ContainerInspect inspect;
  ASSERT_TRUE(ParseText(*text, [&](value& v) {
                return ParseContainerInspect(v, &inspect);
              }).ok());
  EXPECT_EQ(inspect.started_at, absl::InfinitePast());
  EXPECT_EQ(inspect.finished_at, absl::InfinitePast());
}

TEST(ContainerInspectTest, RestartPolicyAndRequiredId) {
  ContainerInspect inspect;
  ASSERT_TRUE(
      ParseText(R"({"Id":"x","HostConfig":{"RestartPolicy":
                             {"Name":"unless-stopped","MaximumRetryCount":0}}})",
                [&](value& v) { return ParseContainerInspect(v, &inspect); })
          .ok());
  EXPECT_EQ(inspect.restart_policy, "unless-stopped");
  ContainerInspect without_id;
  absl::Status status = ParseText(R"({"State":{}})", [&](value& v) {
    return ParseContainerInspect(v, &without_id);
  });
  EXPECT_EQ(status.message(), "missing required field \"Id\"");
  status = ParseText(
      R"({"Id":"x","State":{"FinishedAt":"yesterday"}})",
      [&](value& v) { return ParseContainerInspect(v, &without_id); });
  EXPECT_FALSE(status.ok());
}

TEST(NeedsContainerDetailsTest, OnlyContainersThatAreNotRunning) {
  for (const char* state : {"created", "exited", "dead"}) {
    EXPECT_TRUE(NeedsContainerDetails(state)) << state;
  }
  for (const char* state :
       {"running", "paused", "restarting", "removing", ""}) {
    EXPECT_FALSE(NeedsContainerDetails(state)) << state;
  }
}

// A /system/df body of Docker 20.10 (API 1.41) with one container that
// wrote to its writable layer, one that did not (no SizeRw), an anonymous
// and a named volume, and two build cache records.
constexpr char kSystemDf141[] = R"({"LayersSize":2406256,"Images":[],
  "Containers":[
    {"Id":"c1","Names":["/a"],"SizeRw":4096,"SizeRootFs":2080352},
    {"Id":"c2","Names":["/b"],"SizeRootFs":2076256}],
  "Volumes":[
    {"CreatedAt":"2026-11-30T04:34:09Z","Driver":"local","Labels":null,
     "Mountpoint":"/d/volumes/2514/_data","Name":"2514","Options":null,
     "Scope":"local","UsageData":{"RefCount":1,"Size":3}},
    {"CreatedAt":"2026-11-29T04:00:00Z","Driver":"local",
     "Labels":{"com.docker.volume.anonymous":""},"Name":"v2",
     "UsageData":null}],
  "BuildCache":[
    {"ID":"hw53o5aio51x","Parent":"p0","Type":"regular",
     "Description":"mount / from exec","InUse":false,"Shared":true,"Size":51,
     "CreatedAt":"2026-06-28T13:31:01.474619385Z",
     "LastUsedAt":"2026-07-07T22:02:32.738075951Z","UsageCount":26},
    {"ID":"r2","Parents":["a","b"],"Type":"source.local","InUse":true,
     "Shared":false,"Size":1000,"CreatedAt":"2026-06-28T13:31:01Z",
     "LastUsedAt":null,"UsageCount":0}]})";

TEST(ParseSystemDfTest, ContainersVolumesAndBuildCacheOfApi141) {
  SystemDfBody df;
  ASSERT_TRUE(ParseText(kSystemDf141, [&](value& v) {
                return ParseSystemDf(v, &df);
              }).ok());
  EXPECT_EQ(df.layers_size, 2406256);
  EXPECT_THAT(df.container_sizes,
              UnorderedElementsAre(Pair("c1", 4096), Pair("c2", 0)));
  ASSERT_EQ(df.volumes.size(), 2u);
  EXPECT_EQ(df.volumes[0].name, "2514");
  EXPECT_EQ(df.volumes[0].size, 3);
  EXPECT_EQ(df.volumes[0].ref_count, 1);
  EXPECT_EQ(df.volumes[0].created_at, Utc(2026, 11, 30, 4, 34, 9));
  EXPECT_EQ(df.volumes[1].size, -1);  // UsageData null: not computed
  EXPECT_THAT(df.volumes[1].labels,
              ElementsAre(Pair("com.docker.volume.anonymous", "")));
  ASSERT_EQ(df.build_cache.size(), 2u);
  const BuildCacheSummary& shared = df.build_cache[0];
  EXPECT_EQ(shared.id, "hw53o5aio51x");
  EXPECT_THAT(shared.parents, ElementsAre("p0"));
  EXPECT_TRUE(shared.shared);
  EXPECT_FALSE(shared.in_use);
  EXPECT_EQ(shared.size, 51);
  EXPECT_EQ(shared.usage_count, 26);
  EXPECT_EQ(absl::ToUnixSeconds(shared.last_used_at),
            absl::ToUnixSeconds(Utc(2026, 7, 7, 22, 2, 32)));
  const BuildCacheSummary& never_used = df.build_cache[1];
  EXPECT_THAT(never_used.parents, ElementsAre("a", "b"));
  EXPECT_TRUE(never_used.in_use);
  EXPECT_EQ(never_used.last_used_at, absl::InfinitePast());
}

TEST(ParseSystemDfTest, UsageItemsOfApi152ReplaceTheOlderLists) {
  constexpr char kBody[] = R"({"Volumes":[{"Name":"old"}],
    "VolumeUsage":{"TotalSize":5,"Items":[{"Name":"new","UsageData":
      {"Size":5,"RefCount":0}}]},
    "ContainerUsage":{"Items":[{"Id":"c9","SizeRw":12}]},
    "BuildCacheUsage":{"TotalSize":0,"Items":null}})";
  SystemDfBody df;
  ASSERT_TRUE(
      ParseText(kBody, [&](value& v) { return ParseSystemDf(v, &df); }).ok());
  ASSERT_EQ(df.volumes.size(), 1u);
  EXPECT_EQ(df.volumes[0].name, "new");
  EXPECT_EQ(df.volumes[0].size, 5);
  EXPECT_THAT(df.container_sizes, ElementsAre(Pair("c9", 12)));
  EXPECT_THAT(df.build_cache, IsEmpty());
}

TEST(ParseSystemDfTest, NullListsAreEmptyAndBadRecordsNameTheirField) {
  SystemDfBody df;
  ASSERT_TRUE(ParseText(R"({"Containers":null,"Volumes":null,
                             "BuildCache":null})",
                        [&](value& v) { return ParseSystemDf(v, &df); })
                  .ok());
  EXPECT_THAT(df.volumes, IsEmpty());
  absl::Status status =
      ParseText(R"({"BuildCache":[{"ID":"x","Size":"big"}]})",
                [&](value& v) { return ParseSystemDf(v, &df); });
  EXPECT_THAT(std::string(status.message()),
              ::testing::HasSubstr("BuildCache"));
  status = ParseText(R"({"Volumes":[{"Driver":"local"}]})",
                     [&](value& v) { return ParseSystemDf(v, &df); });
  EXPECT_THAT(std::string(status.message()),
              ::testing::HasSubstr("missing required field \"Name\""));
}

TEST(ParseInfoTest, DockerRootDir) {
  InfoBody info;
  ASSERT_TRUE(ParseText(R"({"ID":"x","DockerRootDir":"/var/lib/docker"})",
                        [&](value& v) { return ParseInfo(v, &info); })
                  .ok());
  EXPECT_EQ(info.docker_root_dir, "/var/lib/docker");
}

}  // namespace
}  // namespace dgc
