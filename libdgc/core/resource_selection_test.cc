// Tests of the resource sections (core/resource_selection.h) and of how the
// planner acts on them: which stopped containers go and every reason one
// stays (restart policies expected back, labels, age, unreadable details,
// running states); volumes (anonymous only, unused once the plan's
// containers are gone, the engine's own reference count, age); build cache
// (shared, in use and BuildKit's own records never, children before
// parents, least recently used first down to keep_storage); and the
// cascade: a container removed frees its image and its anonymous volume in
// the same plan, with exact bytes.
#include "core/resource_selection.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/plan.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::TestEngine;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);
const std::string kAnonymous(64, 'a');

Policy ContainersPolicy(absl::Duration age, bool restart_policies = false) {
  Policy policy;
  policy.containers =
      ContainersSection{.stopped_older_than = {age, "30d"},
                        .protect_labels = {{.key = "keep", .value = "true"}},
                        .include_restart_policies = restart_policies};
  return policy;
}

const absl::Duration kMonth = absl::Hours(24 * 30);

TEST(DecideContainersTest, OldStoppedContainersGoAndRunningOnesAreNotLookedAt) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1"}});
  absl::Time long_ago = kNow - 2 * kMonth;
  engine.AddContainer({.name = "exited-old",
                       .image_id = image,
                       .state = "exited",
                       .finished_at = long_ago});
  engine.AddContainer({.name = "created-old",
                       .image_id = image,
                       .state = "created",
                       .created = long_ago});
  engine.AddContainer({.name = "dead-old",
                       .image_id = image,
                       .state = "dead",
                       .finished_at = long_ago});
  for (const char* state : {"running", "paused", "restarting"}) {
    engine.AddContainer({.name = state,
                         .image_id = image,
                         .state = state,
                         .created = long_ago});
  }
  std::vector<ContainerDecision> decisions =
      DecideContainers(engine.BuildOrDie(), ContainersPolicy(kMonth), kNow);
  ASSERT_EQ(decisions.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(decisions[i].remove) << i << decisions[i].reason;
    EXPECT_THAT(decisions[i].reason, HasSubstr("stopped longer than 30d ago"));
  }
  EXPECT_THAT(decisions[1].reason, HasSubstr("never started"));
  EXPECT_EQ(decisions[0].stopped_at, long_ago);
  for (int i = 3; i < 6; ++i) {
    EXPECT_FALSE(decisions[i].considered);
    EXPECT_FALSE(decisions[i].remove);
  }
}

TEST(DecideContainersTest, EveryReasonAStoppedContainerStays) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1"}});
  absl::Time long_ago = kNow - 2 * kMonth;
  engine.AddContainer({.name = "always",
                       .image_id = image,
                       .state = "exited",
                       .restart_policy = "always",
                       .finished_at = long_ago});
  engine.AddContainer({.name = "unless",
                       .image_id = image,
                       .state = "exited",
                       .restart_policy = "unless-stopped",
                       .finished_at = long_ago});
  engine.AddContainer({.name = "labelled",
                       .image_id = image,
                       .state = "exited",
                       .labels = {{"keep", "true"}},
                       .finished_at = long_ago});
  engine.AddContainer({.name = "recent",
                       .image_id = image,
                       .state = "exited",
                       .finished_at = kNow - absl::Hours(1)});
  engine.AddContainer({.name = "on-failure",
                       .image_id = image,
                       .state = "exited",
                       .restart_policy = "on-failure",
                       .finished_at = long_ago});
  std::vector<ContainerDecision> decisions =
      DecideContainers(engine.BuildOrDie(), ContainersPolicy(kMonth), kNow);
  EXPECT_FALSE(decisions[0].remove);
  EXPECT_EQ(decisions[0].reason,
            "restart policy always: expected back (include_restart_policies "
            "is false)");
  EXPECT_FALSE(decisions[1].remove);
  EXPECT_THAT(decisions[1].reason, HasSubstr("unless-stopped: expected back"));
  EXPECT_FALSE(decisions[2].remove);
  EXPECT_EQ(decisions[2].reason, "protected: label keep=true");
  EXPECT_FALSE(decisions[3].remove);
  EXPECT_THAT(decisions[3].reason, HasSubstr("stopped less than 30d ago"));
  EXPECT_TRUE(decisions[4].remove);  // on-failure is not expected back

  std::vector<ContainerDecision> included = DecideContainers(
      engine.BuildOrDie(), ContainersPolicy(kMonth, true), kNow);
  EXPECT_TRUE(included[0].remove);
  EXPECT_TRUE(included[1].remove);
  EXPECT_FALSE(included[2].remove);  // the label still protects
}

TEST(DecideContainersTest, WithoutDetailsAContainerStays) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1"}});
  engine.AddContainer({.name = "job",
                       .image_id = image,
                       .state = "exited",
                       .finished_at = kNow - 2 * kMonth});
  EngineBodies bodies = engine.Bodies();
  bodies.container_details.clear();
  Inventory inventory = *BuildInventory(std::move(bodies));
  std::vector<ContainerDecision> decisions =
      DecideContainers(inventory, ContainersPolicy(kMonth), kNow);
  EXPECT_TRUE(decisions[0].considered);
  EXPECT_FALSE(decisions[0].remove);
  EXPECT_THAT(decisions[0].reason, HasSubstr("could not be read"));
}

TEST(DecideContainersTest, NothingWithoutAContainersSection) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1"}});
  engine.AddContainer({.name = "job", .image_id = image, .state = "exited"});
  std::vector<ContainerDecision> decisions =
      DecideContainers(engine.BuildOrDie(), Policy{}, kNow);
  EXPECT_FALSE(decisions[0].considered);
  EXPECT_FALSE(decisions[0].remove);
}

Policy VolumesPolicy() {
  Policy policy;
  policy.volumes = VolumesSection{{kMonth, "30d"}};
  return policy;
}

TEST(DecideVolumesTest, OnlyOldAnonymousUnusedVolumes) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1"}});
  absl::Time old = kNow - 2 * kMonth;
  engine.AddVolume(
      {.name = kAnonymous, .created_at = old, .size = 3, .ref_count = 0});
  engine.AddVolume({.name = "named", .created_at = old, .ref_count = 0});
  engine.AddVolume(
      {.name = std::string(64, 'b'), .created_at = old, .ref_count = 1});
  engine.AddVolume({.name = std::string(64, 'c'),
                    .created_at = kNow - absl::Hours(1),
                    .ref_count = 0});
  engine.AddVolume(
      {.name = std::string(64, 'd'), .created_at = old, .ref_count = 1});
  engine.AddVolume({.name = std::string(64, 'e'), .ref_count = 0});
  engine.AddContainer({.name = "web",
                       .image_id = image,
                       .state = "exited",
                       .volumes = {std::string(64, 'b')}});
  Inventory inventory = engine.BuildOrDie();
  std::vector<VolumeDecision> decisions =
      DecideVolumes(inventory, VolumesPolicy(), kNow, {});
  ASSERT_EQ(decisions.size(), 6u);
  EXPECT_TRUE(decisions[0].remove);
  EXPECT_THAT(decisions[0].reason, HasSubstr("anonymous and unused"));
  EXPECT_EQ(decisions[1].reason, "named: never removed");
  EXPECT_EQ(decisions[2].reason, "mounted by container web (exited)");
  EXPECT_THAT(decisions[3].reason, HasSubstr("created less than 30d ago"));
  // Counted by the engine, though no container listed mounts it.
  EXPECT_EQ(decisions[4].reason,
            "in use: the engine counts 1 references to it");
  EXPECT_EQ(decisions[5].reason, "its creation time is unknown");
  for (int i = 1; i < 6; ++i) EXPECT_FALSE(decisions[i].remove) << i;

  // Once its container is removed, the volume it mounted is unused.
  std::vector<VolumeDecision> after =
      DecideVolumes(inventory, VolumesPolicy(), kNow, {true});
  EXPECT_TRUE(after[2].remove);
  EXPECT_THAT(after[2].reason, HasSubstr("once its container is removed"));
}

BuildCacheSummary Record(std::string id, int64_t size, absl::Time last_used,
                         std::vector<std::string> parents = {}) {
  return BuildCacheSummary{.id = std::move(id),
                           .type = "regular",
                           .parents = std::move(parents),
                           .size = size,
                           .created_at = last_used - absl::Hours(1),
                           .last_used_at = last_used};
}

std::vector<std::string> SelectedIds(const Inventory& inventory,
                                     const BuildCacheSelection& selection) {
  std::vector<std::string> ids;
  for (size_t i : selection.records) ids.push_back(inventory.build_cache[i].id);
  return ids;
}

TEST(SelectBuildCacheTest, OldUnsharedRecordsChildrenBeforeParents) {
  TestEngine engine;
  absl::Time old = kNow - 2 * kMonth;
  engine.AddBuildCache(Record("parent", 100, old - absl::Hours(5)));
  engine.AddBuildCache(Record("child", 10, old, {"parent"}));
  BuildCacheSummary shared = Record("shared", 1000, old);
  shared.shared = true;
  engine.AddBuildCache(shared);
  BuildCacheSummary in_use = Record("in-use", 7, old);
  in_use.in_use = true;
  engine.AddBuildCache(in_use);
  BuildCacheSummary internal = Record("internal", 7, old);
  internal.type = "internal";
  engine.AddBuildCache(internal);
  engine.AddBuildCache(Record("recent", 5, kNow - absl::Hours(1)));
  Inventory inventory = engine.BuildOrDie();
  Policy policy;
  policy.build_cache = BuildCacheSection{.older_than = {{kMonth, "30d"}}};
  BuildCacheSelection selection = SelectBuildCache(inventory, policy, kNow);
  EXPECT_THAT(SelectedIds(inventory, selection),
              ElementsAre("child", "parent"));
  EXPECT_EQ(selection.bytes, 110u);
  EXPECT_EQ(selection.cache_bytes, 100u + 10 + 7 + 7 + 5);  // not shared
  EXPECT_EQ(selection.cache_bytes_after, selection.cache_bytes - 110);
}

TEST(SelectBuildCacheTest, AParentWhoseChildStaysStays) {
  TestEngine engine;
  absl::Time old = kNow - 2 * kMonth;
  engine.AddBuildCache(Record("parent", 100, old));
  engine.AddBuildCache(Record("child", 10, kNow - absl::Hours(1), {"parent"}));
  Inventory inventory = engine.BuildOrDie();
  Policy policy;
  policy.build_cache = BuildCacheSection{.older_than = {{kMonth, "30d"}}};
  EXPECT_THAT(SelectBuildCache(inventory, policy, kNow).records, IsEmpty());
}

TEST(SelectBuildCacheTest, KeepStorageTakesTheLeastRecentlyUsedUntilBelow) {
  TestEngine engine;
  for (int i = 0; i < 5; ++i) {
    engine.AddBuildCache(
        Record("r" + std::to_string(i), 100, kNow - absl::Hours(10 - i)));
  }
  Inventory inventory = engine.BuildOrDie();
  Policy policy;
  policy.build_cache =
      BuildCacheSection{.keep_storage = PolicySize{250, "250B"}};
  BuildCacheSelection selection = SelectBuildCache(inventory, policy, kNow);
  EXPECT_THAT(SelectedIds(inventory, selection), ElementsAre("r0", "r1", "r2"));
  EXPECT_EQ(selection.cache_bytes_after, 200u);
  EXPECT_THAT(selection.reason, HasSubstr("down to keep_storage 250B"));
}

TEST(PlannerResourcesTest, RemovingAContainerFreesItsImageAndVolumeExactly) {
  TestEngine engine;
  std::string old_image =
      engine.AddImage({.tags = {"legacy:1"},
                       .layers = {{"sha256:base", 1000}, {"sha256:app", 300}},
                       .created = kNow - 3 * kMonth});
  engine.AddImage({.tags = {"other:1"},
                   .layers = {{"sha256:base", 1000}, {"sha256:other", 50}},
                   .created = kNow - 3 * kMonth});
  engine.AddVolume({.name = kAnonymous,
                    .created_at = kNow - 2 * kMonth,
                    .size = 3,
                    .ref_count = 1});
  engine.AddContainer({.name = "job",
                       .image_id = old_image,
                       .state = "exited",
                       .volumes = {kAnonymous},
                       .size_rw = 4096,
                       .finished_at = kNow - 2 * kMonth});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = ContainersPolicy(kMonth);
  policy.volumes = VolumesSection{{kMonth, "30d"}};
  Rule rule;
  rule.number = 1;
  rule.name = "legacy";
  rule.match.push_back(*Glob::Compile("legacy"));
  rule.older_than = PolicyDuration{absl::Hours(24 * 7), "7d"};
  policy.rules.push_back(rule);

  Plan plan = ComputePlan(inventory, policy, kNow);
  ASSERT_EQ(plan.actions.size(), 3u);
  EXPECT_EQ(plan.actions[0].op, ActionOp::kRemoveContainer);
  EXPECT_EQ(plan.actions[0].container_name, "job");
  EXPECT_EQ(plan.actions[0].bytes, 4096u);
  EXPECT_EQ(plan.actions[1].op, ActionOp::kDelete);
  EXPECT_EQ(plan.actions[1].image, old_image);
  EXPECT_EQ(plan.actions[1].bytes, 300u);  // the base stays with other:1
  EXPECT_THAT(plan.actions[1].reason,
              HasSubstr("its container job is removed first"));
  EXPECT_EQ(plan.actions[2].op, ActionOp::kRemoveVolume);
  EXPECT_EQ(plan.actions[2].bytes, 3u);
  EXPECT_EQ(plan.summary.reclaimable_bytes, 4096u + 300 + 3);
  EXPECT_EQ(plan.summary.containers, 1u);
  EXPECT_EQ(plan.summary.volumes, 1u);

  // Without the containers section the image stays in use, and so does
  // the volume.
  Policy images_only = policy;
  images_only.containers.reset();
  Plan kept = ComputePlan(inventory, images_only, kNow);
  EXPECT_THAT(kept.actions, IsEmpty());
  ASSERT_EQ(kept.kept_resources.size(), 1u);
  EXPECT_EQ(kept.kept_resources[0].kind, "volume");
  EXPECT_EQ(kept.kept_resources[0].reason, "mounted by container job (exited)");
}

TEST(PlannerResourcesTest, KeptContainersSayWhy) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1"}});
  engine.AddContainer({.name = "db",
                       .image_id = image,
                       .state = "exited",
                       .restart_policy = "always",
                       .finished_at = kNow - 2 * kMonth});
  Plan plan = ComputePlan(engine.BuildOrDie(), ContainersPolicy(kMonth), kNow);
  EXPECT_THAT(plan.actions, IsEmpty());
  ASSERT_EQ(plan.kept_resources.size(), 1u);
  EXPECT_EQ(plan.kept_resources[0].kind, "container");
  EXPECT_EQ(plan.kept_resources[0].name, "db");
  EXPECT_THAT(plan.kept_resources[0].reason,
              HasSubstr("restart policy always"));
}

}  // namespace
}  // namespace dgc
