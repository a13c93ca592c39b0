// Tests of how BuildInventory links resources beside images: a container's
// creation time, labels, volumes, writable layer size and (for containers
// not running) its inspect; volumes with the containers that mount them
// and whether each is anonymous; build cache records; DockerRootDir.
#include <string>

#include "absl/time/time.h"
#include "core/inventory.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::TestEngine;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

const std::string kGenerated(64, 'a');  // as the engine names anonymous ones

TEST(InventoryResourcesTest, ContainersCarryTheirDetails) {
  TestEngine engine;
  engine.set_engine_layers_size(0);
  std::string image = engine.AddImage({.tags = {"app:1"}});
  absl::Time finished = absl::FromUnixSeconds(1790000000);
  engine.AddContainer({.name = "job",
                       .image_id = image,
                       .state = "exited",
                       .labels = {{"keep", "true"}},
                       .volumes = {kGenerated},
                       .size_rw = 4096,
                       .restart_policy = "unless-stopped",
                       .started_at = finished - absl::Minutes(1),
                       .finished_at = finished});
  engine.AddContainer({.name = "web", .image_id = image, .state = "running"});
  Inventory inventory = engine.BuildOrDie();
  const Container& job = inventory.containers[0];
  EXPECT_TRUE(job.details_known);
  EXPECT_EQ(job.restart_policy, "unless-stopped");
  EXPECT_EQ(job.finished_at, finished);
  EXPECT_EQ(job.started_at, finished - absl::Minutes(1));
  EXPECT_THAT(job.size_rw, Optional(4096));
  EXPECT_THAT(job.volumes, ElementsAre(kGenerated));
  EXPECT_EQ(job.created, test_support::DefaultCreated());
  const Container& web = inventory.containers[1];
  EXPECT_FALSE(web.details_known);  // running: never removed, never inspected
  EXPECT_THAT(web.size_rw, Optional(0));
}

TEST(InventoryResourcesTest, WithoutSystemDfTheWritableLayerIsUnknown) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1"}});
  engine.AddContainer({.name = "job", .image_id = image, .state = "exited"});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(inventory.containers[0].size_rw, std::nullopt);
  EXPECT_THAT(inventory.volumes, IsEmpty());
}

TEST(InventoryResourcesTest, AContainerWhoseInspectIsMissingIsNotDetailed) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1"}});
  engine.AddContainer({.name = "job", .image_id = image, .state = "exited"});
  EngineBodies bodies = engine.Bodies();
  bodies.container_details.clear();  // removed while it was read
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_FALSE(inventory->containers[0].details_known);
  // Its image stays protected: the container is still listed.
  EXPECT_THAT(inventory->images[0].containers, ElementsAre(0u));
}

TEST(InventoryResourcesTest, VolumesKnowTheirContainersAndWhetherAnonymous) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1"}});
  engine.AddVolume({.name = kGenerated, .size = 3, .ref_count = 1});
  engine.AddVolume({.name = "named", .size = 0, .ref_count = 2});
  engine.AddVolume({.name = "cache",
                    .labels = {{"com.docker.volume.anonymous", ""}},
                    .size = 10,
                    .ref_count = 0});
  engine.AddVolume({.name = std::string(64, 'G')});  // not hex: a name
  engine.AddContainer({.name = "a",
                       .image_id = image,
                       .state = "exited",
                       .volumes = {kGenerated, "named"}});
  engine.AddContainer({.name = "b",
                       .image_id = image,
                       .state = "running",
                       .volumes = {"named"}});
  Inventory inventory = engine.BuildOrDie();
  ASSERT_EQ(inventory.volumes.size(), 4u);
  EXPECT_TRUE(inventory.volumes[0].anonymous);
  EXPECT_THAT(inventory.volumes[0].containers, ElementsAre(0u));
  EXPECT_EQ(inventory.volumes[0].size, 3);
  EXPECT_FALSE(inventory.volumes[1].anonymous);
  EXPECT_THAT(inventory.volumes[1].containers, ElementsAre(0u, 1u));
  EXPECT_TRUE(inventory.volumes[2].anonymous);  // by the engine's label
  EXPECT_THAT(inventory.volumes[2].containers, IsEmpty());
  EXPECT_FALSE(inventory.volumes[3].anonymous);
}

TEST(InventoryResourcesTest, BuildCacheRecordsAndTheDataRoot) {
  TestEngine engine;
  engine.AddBuildCache({.id = "r1",
                        .type = "regular",
                        .parents = {"r0"},
                        .shared = true,
                        .size = 51,
                        .usage_count = 3});
  EngineBodies bodies = engine.Bodies();
  bodies.info->docker_root_dir = "/var/lib/docker";
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_EQ(inventory->engine.docker_root_dir, "/var/lib/docker");
  ASSERT_EQ(inventory->build_cache.size(), 1u);
  const BuildCacheRecord& record = inventory->build_cache[0];
  EXPECT_EQ(record.id, "r1");
  EXPECT_THAT(record.parents, ElementsAre("r0"));
  EXPECT_TRUE(record.shared);
  EXPECT_EQ(record.size, 51);
  EXPECT_EQ(record.usage_count, 3);
}

}  // namespace
}  // namespace dgc
