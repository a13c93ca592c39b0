// Tests of ComputeDiskUsage (core/disk_usage.h) and DiskUsageToJson
// (core/disk_usage_json.h): totals, per-image unique and shared bytes,
// repositories (several per image, "<none>"), intermediates left out of the
// lists but not out of the bytes, ordering, a golden dgc.df/v1 document, and
// agreement with the real engine's own /system/df numbers.
#include "core/disk_usage.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/accounting.h"
#include "core/disk_usage_json.h"
#include "core/json_reader.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::Time Day(int month, int day) {
  return absl::FromCivil(absl::CivilSecond(2026, month, day, 12, 0, 0),
                         absl::UTCTimeZone());
}

// The small fixed engine of these tests (sizes in bytes, chains by diff):
//   built:1       base 1000 / i 5 / h 7  created 05-01, container exited
//   (intermediate) base / i                created 04-30, parent of built:1
//   app:2, app:latest, registry.example.com:5000/team/app:2
//                 base / a2 200            created 04-01
//   app:1         base / a1 100            created 03-01, container running
//   tool:1        t 50                     created 02-01
//   (dangling)    base / d 30              created 01-15
TestEngine SmallEngine() {
  TestEngine engine;
  std::string intermediate =
      engine.AddImage({.id = Id("intermediate"),
                       .layers = {{Id("base"), 1000}, {Id("i"), 5}},
                       .created = Day(4, 30)});
  std::string built = engine.AddChild(intermediate, {.id = Id("built"),
                                                     .tags = {"built:1"},
                                                     .layers = {{Id("h"), 7}},
                                                     .created = Day(5, 1)});
  engine.AddImage(
      {.id = Id("app 2"),
       .tags = {"app:2", "app:latest", "registry.example.com:5000/team/app:2"},
       .digests = {"registry.example.com:5000/team/app@" +
                   Id("app 2 manifest")},
       .layers = {{Id("base"), 1000}, {Id("a2"), 200}},
       .created = Day(4, 1)});
  std::string app1 =
      engine.AddImage({.id = Id("app 1"),
                       .tags = {"app:1"},
                       .layers = {{Id("base"), 1000}, {Id("a1"), 100}},
                       .created = Day(3, 1),
                       .labels = {{"com.example.tier", "api"}}});
  engine.AddImage({.id = Id("tool"),
                   .tags = {"tool:1"},
                   .layers = {{Id("t"), 50}},
                   .created = Day(2, 1)});
  engine.AddImage({.id = Id("dangling"),
                   .layers = {{Id("base"), 1000}, {Id("d"), 30}},
                   .created = Day(1, 15)});
  engine.AddContainer({.name = "api-1", .image_id = app1, .state = "running"});
  engine.AddContainer({.name = "job-1", .image_id = built, .state = "exited"});
  engine.set_engine_layers_size(1392);
  return engine;
}

class SmallEngineTest : public ::testing::Test {
 protected:
  SmallEngineTest()
      : inventory_(SmallEngine().BuildOrDie()),
        usage_(ComputeDiskUsage(inventory_)) {}

  const ImageUsage& usage_of(std::string_view name) {
    ImageIndex index = inventory_.FindImage(Id(name));
    for (const ImageUsage& image : usage_.images) {
      if (image.image == index) return image;
    }
    ADD_FAILURE() << name << " is not listed";
    return usage_.images.at(0);
  }

  std::vector<std::string> listed_ids() {
    std::vector<std::string> ids;
    for (const ImageUsage& image : usage_.images) {
      ids.push_back(inventory_.images[image.image].id);
    }
    return ids;
  }

  Inventory inventory_;
  DiskUsage usage_;
};

TEST_F(SmallEngineTest, TotalsCountEveryDistinctLayerOnce) {
  const DiskUsageTotals& totals = usage_.totals;
  EXPECT_EQ(totals.images, 5u);
  EXPECT_EQ(totals.layers_bytes, 1392u);
  EXPECT_EQ(totals.unique_bytes, 392u);   // a1 a2 t d i h
  EXPECT_EQ(totals.shared_bytes, 1000u);  // base
  EXPECT_EQ(totals.layers_bytes, totals.unique_bytes + totals.shared_bytes);
  EXPECT_EQ(totals.layers_bytes,
            static_cast<uint64_t>(*inventory_.engine_layers_size));
}

TEST_F(SmallEngineTest, InUseAndUnusedReclaimable) {
  EXPECT_EQ(usage_.totals.in_use_bytes, 1112u);             // base a1 i h
  EXPECT_EQ(usage_.totals.unused_reclaimable_bytes, 280u);  // a2 t d
  // It is exactly what deleting every image no container uses frees.
  std::vector<ImageIndex> unused;
  for (ImageIndex i = 0; i < inventory_.images.size(); ++i) {
    const Image& image = inventory_.images[i];
    if (!image.in_use() && !image.intermediate) unused.push_back(i);
  }
  EXPECT_EQ(BytesFreedByRemoving(inventory_, unused), 280u);
}

TEST_F(SmallEngineTest, IntermediatesAreNotListedButTheirLayersCount) {
  EXPECT_THAT(listed_ids(), ElementsAre(Id("built"), Id("app 2"), Id("app 1"),
                                        Id("tool"), Id("dangling")));
  // i (5 bytes) is used by the intermediate and built:1; only built:1 is
  // listed, so i counts as built:1's own.
  EXPECT_EQ(usage_of("built").unique_bytes, 12u);
}

TEST_F(SmallEngineTest, PerImageSizeUniqueSharedAndContainers) {
  struct Want {
    const char* name;
    uint64_t size, unique, shared;
    uint32_t containers;
  };
  for (const Want& want :
       {Want{"built", 1012, 12, 1000, 1}, Want{"app 2", 1200, 200, 1000, 0},
        Want{"app 1", 1100, 100, 1000, 1}, Want{"tool", 50, 50, 0, 0},
        Want{"dangling", 1030, 30, 1000, 0}}) {
    const ImageUsage& image = usage_of(want.name);
    EXPECT_EQ(image.size, want.size) << want.name;
    EXPECT_EQ(image.unique_bytes, want.unique) << want.name;
    EXPECT_EQ(image.shared_bytes, want.shared) << want.name;
    EXPECT_EQ(image.containers, want.containers) << want.name;
  }
}

TEST_F(SmallEngineTest, RepositoriesLargestFirstWithNoneForDangling) {
  std::vector<std::string> names;
  for (const RepositoryUsage& repository : usage_.repositories) {
    names.push_back(repository.name);
  }
  EXPECT_THAT(names, ElementsAre("app", "registry.example.com:5000/team/app",
                                 "<none>", "built", "tool"));
  struct Want {
    uint32_t images;
    uint64_t size, unique;
  };
  const std::vector<Want> wants = {{2, 1300, 300},
                                   {1, 1200, 200},
                                   {1, 1030, 30},
                                   {1, 1012, 12},
                                   {1, 50, 50}};
  ASSERT_EQ(usage_.repositories.size(), wants.size());
  for (size_t i = 0; i < wants.size(); ++i) {
    EXPECT_EQ(usage_.repositories[i].images, wants[i].images) << names[i];
    EXPECT_EQ(usage_.repositories[i].size, wants[i].size) << names[i];
    EXPECT_EQ(usage_.repositories[i].unique_bytes, wants[i].unique) << names[i];
  }
}

TEST_F(SmallEngineTest, DfJsonMatchesTheGoldenFile) {
  std::string json = DiskUsageToJson(inventory_, usage_);
  const char* update = std::getenv("DGC_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(test_support::TestdataPath("df_golden.json")) << json;
  }
  absl::StatusOr<std::string> golden =
      test_support::ReadTestdata("df_golden.json");
  ASSERT_TRUE(golden.ok()) << golden.status();
  EXPECT_EQ(json, *golden);
}

TEST_F(SmallEngineTest, DfJsonIsOneValidDocument) {
  PaddedBody body(DiskUsageToJson(inventory_, usage_));
  simdjson::ondemand::parser parser;
  std::vector<std::string> keys;
  absl::Status status =
      ParseDocument(parser, body, [&](simdjson::ondemand::value& root) {
        return ForEachField(
            root, [&](std::string_view key, simdjson::ondemand::value& v) {
              keys.emplace_back(key);
              if (key != "schema") return absl::OkStatus();
              std::string schema;
              absl::Status s = ReadString(v, key, &schema);
              EXPECT_EQ(schema, "dgc.df/v1");
              return s;
            });
      });
  ASSERT_TRUE(status.ok()) << status;
  for (const char* key : {"schema", "totals", "images", "repositories"}) {
    EXPECT_THAT(keys, ::testing::Contains(key));
  }
}

// ---- edge cases ----

TEST(ComputeDiskUsageTest, EmptyEngine) {
  TestEngine engine;
  DiskUsage usage = ComputeDiskUsage(engine.BuildOrDie());
  EXPECT_EQ(usage.totals.images, 0u);
  EXPECT_EQ(usage.totals.layers_bytes, 0u);
  EXPECT_EQ(usage.totals.unused_reclaimable_bytes, 0u);
  EXPECT_THAT(usage.images, IsEmpty());
  EXPECT_THAT(usage.repositories, IsEmpty());
}

TEST(ComputeDiskUsageTest, ImagesWithTheSameCreatedAreOrderedById) {
  TestEngine engine;
  absl::Time when = Day(6, 1);
  engine.AddImage({.id = Id("b"), .tags = {"x:1"}, .created = when});
  engine.AddImage({.id = Id("a"), .tags = {"x:2"}, .created = when});
  engine.AddImage(
      {.id = Id("c"), .tags = {"x:3"}, .created = when + absl::Seconds(1)});
  Inventory inventory = engine.BuildOrDie();
  DiskUsage usage = ComputeDiskUsage(inventory);
  std::vector<std::string> ids;
  for (const ImageUsage& image : usage.images) {
    ids.push_back(inventory.images[image.image].id);
  }
  std::vector<std::string> tied = {Id("a"), Id("b")};
  std::sort(tied.begin(), tied.end());
  EXPECT_THAT(ids, ElementsAre(Id("c"), tied[0], tied[1]));
}

TEST(ComputeDiskUsageTest, RepositoriesOfTheSameSizeAreOrderedByName) {
  TestEngine engine;
  engine.AddImage({.tags = {"zeta:1"}, .layers = {{Id("z"), 10}}});
  engine.AddImage({.tags = {"alpha:1"}, .layers = {{Id("a"), 10}}});
  engine.AddImage({.tags = {"mid:1"}, .layers = {{Id("m"), 11}}});
  DiskUsage usage = ComputeDiskUsage(engine.BuildOrDie());
  std::vector<std::string> names;
  for (const RepositoryUsage& repository : usage.repositories) {
    names.push_back(repository.name);
  }
  EXPECT_THAT(names, ElementsAre("mid", "alpha", "zeta"));
}

TEST(ComputeDiskUsageTest,
     ImageSharingEverythingWithItsRepositoryIsUniqueThere) {
  // Two tags of one repository on two images sharing all layers: nothing is
  // unique to either image, everything is unique to the repository.
  TestEngine engine;
  engine.AddImage({.tags = {"app:1"}, .layers = {{Id("x"), 10}}});
  engine.AddImage({.tags = {"app:2"}, .layers = {{Id("x"), 10}}});
  DiskUsage usage = ComputeDiskUsage(engine.BuildOrDie());
  ASSERT_EQ(usage.images.size(), 2u);
  EXPECT_EQ(usage.images[0].unique_bytes, 0u);
  EXPECT_EQ(usage.images[0].shared_bytes, 10u);
  ASSERT_EQ(usage.repositories.size(), 1u);
  EXPECT_EQ(usage.repositories[0].images, 2u);
  EXPECT_EQ(usage.repositories[0].size, 10u);
  EXPECT_EQ(usage.repositories[0].unique_bytes, 10u);
  EXPECT_EQ(usage.totals.unique_bytes, 0u);
  EXPECT_EQ(usage.totals.shared_bytes, 10u);
}

TEST(ComputeDiskUsageTest, DigestOnlyImageIsInNone) {
  TestEngine engine;
  engine.AddImage({.digests = {"app@" + Id("m")}, .layers = {{Id("x"), 4}}});
  DiskUsage usage = ComputeDiskUsage(engine.BuildOrDie());
  ASSERT_EQ(usage.repositories.size(), 1u);
  EXPECT_EQ(usage.repositories[0].name, "<none>");
}

// ---- the real engine's own numbers ----

// Per image ID: (SharedSize, Containers) from a /system/df body's "Images".
std::map<std::string, std::pair<int64_t, int64_t>> EngineImageDf(
    std::string_view file) {
  std::map<std::string, std::pair<int64_t, int64_t>> out;
  absl::StatusOr<std::string> text = test_support::ReadTestdata(file);
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return out;
  PaddedBody body(*text);
  simdjson::ondemand::parser parser;
  using simdjson::ondemand::value;
  auto read_image = [&](size_t, value& item) {
    std::string id;
    int64_t shared = -1, containers = -1;
    absl::Status s = ForEachField(item, [&](std::string_view key, value& f) {
      if (key == "Id") return ReadString(f, key, &id);
      if (key == "SharedSize") return ReadInt(f, key, &shared);
      if (key == "Containers") return ReadInt(f, key, &containers);
      return absl::OkStatus();
    });
    out[id] = {shared, containers};
    return s;
  };
  absl::Status status = ParseDocument(parser, body, [&](value& root) {
    return ForEachField(root, [&](std::string_view key, value& v) {
      if (key == "Images") return ForEachElement(v, read_image);
      if (key == "ImageUsage") {
        return ForEachField(v, [&](std::string_view k, value& f) {
          return k == "Items" ? ForEachElement(f, read_image)
                              : absl::OkStatus();
        });
      }
      return absl::OkStatus();
    });
  });
  EXPECT_TRUE(status.ok()) << status;
  return out;
}

TEST(RecordedDiskUsageTest, Api141AgreesWithTheEnginesSystemDf) {
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.41");
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  DiskUsage usage = ComputeDiskUsage(*inventory);

  EXPECT_EQ(usage.totals.layers_bytes, 1993359u);  // LayersSize
  // docker system df lists the same 5 images: not the 2 intermediates.
  std::map<std::string, std::pair<int64_t, int64_t>> engine =
      EngineImageDf("api-1.41/system_df.json");
  ASSERT_EQ(engine.size(), 5u);
  ASSERT_EQ(usage.images.size(), 5u);
  for (const ImageUsage& image : usage.images) {
    const std::string& id = inventory->images[image.image].id;
    ASSERT_TRUE(engine.count(id)) << id;
    EXPECT_EQ(static_cast<int64_t>(image.shared_bytes), engine[id].first) << id;
    EXPECT_EQ(static_cast<int64_t>(image.containers), engine[id].second) << id;
  }
  // Deleting the two unused images (other:1 and the dangling one) dropped
  // LayersSize to 1988759.
  EXPECT_EQ(usage.totals.unused_reclaimable_bytes, 1993359u - 1988759u);
  EXPECT_EQ(usage.totals.in_use_bytes, 1988759u);
}

TEST(RecordedDiskUsageTest, Api152AgreesWithImageUsage) {
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.52");
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  bodies->info->containerd_snapshotter = false;
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  DiskUsage usage = ComputeDiskUsage(*inventory);
  EXPECT_EQ(usage.totals.layers_bytes, 7000u);  // ImageUsage.TotalSize
  EXPECT_EQ(usage.totals.unused_reclaimable_bytes, 800u);  // Reclaimable
  std::map<std::string, std::pair<int64_t, int64_t>> engine =
      EngineImageDf("api-1.52/system_df.json");
  ASSERT_EQ(engine.size(), 2u);
  for (const ImageUsage& image : usage.images) {
    const std::string& id = inventory->images[image.image].id;
    EXPECT_EQ(static_cast<int64_t>(image.shared_bytes), engine[id].first) << id;
    EXPECT_EQ(static_cast<int64_t>(image.containers), engine[id].second) << id;
  }
}

}  // namespace
}  // namespace dgc
