// Tests of watermarks (core/watermark.h) and of planning under a threshold:
// Docker's usage and the levels a threshold sets; the least-recently-used
// selection with prerequisites and ties; and plans that do nothing below
// the high watermark, take exactly the smallest least-recently-used prefix
// that reaches the low one (bytes counted exactly, shared layers once),
// report a shortfall when everything allowed is not enough, and, with
// order lru, also take images no rule selects but never kept or protected
// ones.
#include "core/watermark.h"

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
const absl::Duration kDay = absl::Hours(24);

Watermark Bytes(uint64_t bytes) {
  return Watermark{.percent = false, .value = bytes, .text = "x"};
}
Watermark Percent(uint64_t hundredths) {
  return Watermark{.percent = true, .value = hundredths, .text = "y%"};
}

TEST(DockerUsageTest, AddsLayersWritableLayersVolumesAndUnsharedCache) {
  TestEngine engine;
  std::string image =
      engine.AddImage({.tags = {"app:1"}, .layers = {{"sha256:l1", 1000}}});
  engine.set_engine_layers_size(1000);
  engine.AddContainer(
      {.name = "a", .image_id = image, .state = "exited", .size_rw = 40});
  engine.AddVolume({.name = "v", .size = 7});
  engine.AddVolume({.name = "unknown", .size = -1});
  engine.AddBuildCache({.id = "r", .size = 100});
  engine.AddBuildCache({.id = "s", .shared = true, .size = 5000});
  DockerUsage usage = ComputeDockerUsage(engine.BuildOrDie());
  EXPECT_EQ(usage.layers_bytes, 1000u);
  EXPECT_EQ(usage.containers_bytes, 40u);
  EXPECT_EQ(usage.volumes_bytes, 7u);
  EXPECT_EQ(usage.build_cache_bytes, 100u);
  EXPECT_EQ(usage.total(), 1147u);
}

TEST(LevelsTest, PercentagesOfTheDataDiskOrSizesOfDockersUsage) {
  TestEngine engine;
  engine.AddImage({.tags = {"app:1"}, .layers = {{"sha256:l1", 1000}}});
  Inventory inventory = engine.BuildOrDie();
  inventory.data_disk =
      DiskSpace{.path = "/d", .total_bytes = 10000, .used_bytes = 9000};
  WatermarkLevels disk =
      Levels(Threshold{Percent(8500), Percent(6550)}, inventory);
  EXPECT_TRUE(disk.disk);
  EXPECT_EQ(disk.total_bytes, 10000u);
  EXPECT_EQ(disk.used_bytes, 9000u);
  EXPECT_EQ(disk.high_bytes, 8500u);
  EXPECT_EQ(disk.low_bytes, 6550u);
  WatermarkLevels docker = Levels(Threshold{Bytes(900), Bytes(500)}, inventory);
  EXPECT_FALSE(docker.disk);
  EXPECT_EQ(docker.used_bytes, 1000u);
  EXPECT_EQ(docker.high_bytes, 900u);
  EXPECT_EQ(docker.low_bytes, 500u);
}

TEST(TakeUntilTest, LeastRecentlyUsedFirstWithPrerequisitesUntilEnough) {
  std::vector<WatermarkCandidate> candidates = {
      {.last_use = kNow - 1 * kDay},                        // 0: 10 bytes
      {.last_use = kNow - 5 * kDay},                        // 1: 20
      {.last_use = kNow - 9 * kDay, .prerequisites = {0}},  // 2: 30
      {.last_use = kNow - 7 * kDay},                        // 3: 40
  };
  const uint64_t bytes[] = {10, 20, 30, 40};
  std::vector<size_t> calls;
  auto take = [&](size_t i) {
    calls.push_back(i);
    return bytes[i];
  };
  // The oldest (2) comes with its prerequisite (0, first): 40 bytes.
  EXPECT_THAT(TakeUntil(candidates, 40, take),
              ElementsAre(true, false, true, false));
  EXPECT_THAT(calls, ElementsAre(0u, 2u));
  calls.clear();
  EXPECT_THAT(TakeUntil(candidates, 41, take),
              ElementsAre(true, false, true, true));
  EXPECT_THAT(calls, ElementsAre(0u, 2u, 3u));
  calls.clear();
  EXPECT_THAT(TakeUntil(candidates, 0, take),
              ElementsAre(false, false, false, false));
  EXPECT_THAT(TakeUntil(candidates, 1000, take),
              ElementsAre(true, true, true, true));
}

TEST(TakeUntilTest, TiesGoInIndexOrder) {
  std::vector<WatermarkCandidate> candidates(3, {.last_use = kNow});
  std::vector<size_t> calls;
  TakeUntil(candidates, 2, [&](size_t i) {
    calls.push_back(i);
    return uint64_t{1};
  });
  EXPECT_THAT(calls, ElementsAre(0u, 1u));
}

// Four old images of 100 bytes each on a shared 1000-byte base that a
// fifth, kept image also uses; LRU order is old-0 (oldest) to old-3.
struct FourOldImages {
  TestEngine engine;
  std::vector<std::string> ids;
  FourOldImages() {
    for (int i = 0; i < 4; ++i) {
      ids.push_back(
          engine.AddImage({.tags = {"old-" + std::to_string(i) + ":1"},
                           .layers = {{"sha256:base", 1000},
                                      {"sha256:top" + std::to_string(i), 100}},
                           .created = kNow - (30 - i) * kDay}));
    }
    engine.AddImage({.tags = {"keeper:1"},
                     .layers = {{"sha256:base", 1000}, {"sha256:k", 50}},
                     .created = kNow - 30 * kDay});
    engine.set_engine_layers_size(1000 + 4 * 100 + 50);  // 1450
  }
};

Policy OldImagesPolicy(uint64_t high, uint64_t low,
                       Order order = Order::kPolicy) {
  Policy policy;
  Rule rule;
  rule.number = 1;
  rule.name = "old";
  rule.match.push_back(*Glob::Compile("old-*"));
  rule.older_than = PolicyDuration{7 * kDay, "7d"};
  policy.rules.push_back(rule);
  policy.threshold = Threshold{Bytes(high), Bytes(low)};
  policy.order = order;
  return policy;
}

std::vector<std::string> DeletedImages(const Plan& plan) {
  std::vector<std::string> ids;
  for (const Action& action : plan.actions) ids.push_back(action.image);
  return ids;
}

TEST(ThresholdPlanTest, BelowHighNothingIsDone) {
  FourOldImages fixture;
  Plan plan =
      ComputePlan(fixture.engine.BuildOrDie(),
                  OldImagesPolicy(/*high=*/1450 + 1, /*low=*/1000), kNow);
  EXPECT_THAT(plan.actions, IsEmpty());
  ASSERT_TRUE(plan.watermark.has_value());
  EXPECT_FALSE(plan.watermark->acted);
  EXPECT_EQ(plan.watermark->used_before_bytes, 1450u);
  EXPECT_EQ(plan.watermark->used_after_bytes, 1450u);
  EXPECT_EQ(plan.watermark->shortfall_bytes, 0u);
  // Each candidate is kept, saying so.
  for (const KeptImage& kept : plan.kept) {
    if (kept.refs.front().starts_with("old-")) {
      EXPECT_THAT(kept.reason, HasSubstr("below the high watermark"));
    }
  }
}

TEST(ThresholdPlanTest, TakesTheSmallestLeastRecentlyUsedPrefixReachingLow) {
  FourOldImages fixture;
  // At high exactly; low 1250 needs 200 bytes: the two oldest, no more.
  Plan plan = ComputePlan(fixture.engine.BuildOrDie(),
                          OldImagesPolicy(1450, 1250), kNow);
  EXPECT_THAT(DeletedImages(plan), ElementsAre(fixture.ids[0], fixture.ids[1]));
  EXPECT_EQ(plan.summary.reclaimable_bytes, 200u);
  ASSERT_TRUE(plan.watermark.has_value());
  EXPECT_TRUE(plan.watermark->acted);
  EXPECT_EQ(plan.watermark->used_after_bytes, 1250u);
  EXPECT_EQ(plan.watermark->shortfall_bytes, 0u);
  // One byte more needed takes one more image.
  Plan more = ComputePlan(fixture.engine.BuildOrDie(),
                          OldImagesPolicy(1450, 1249), kNow);
  EXPECT_THAT(DeletedImages(more),
              ElementsAre(fixture.ids[0], fixture.ids[1], fixture.ids[2]));
  for (const KeptImage& kept : more.kept) {
    if (kept.image == fixture.ids[3]) {
      EXPECT_THAT(kept.reason,
                  HasSubstr("not needed to reach the low watermark"));
    }
  }
}

TEST(ThresholdPlanTest, ShortfallWhenEverythingAllowedIsNotEnough) {
  FourOldImages fixture;
  // The base layer is shared with keeper:1: only 400 bytes can go.
  Plan plan = ComputePlan(fixture.engine.BuildOrDie(),
                          OldImagesPolicy(1000, 500), kNow);
  EXPECT_EQ(plan.actions.size(), 4u);
  EXPECT_EQ(plan.summary.reclaimable_bytes, 400u);
  EXPECT_EQ(plan.watermark->used_after_bytes, 1050u);
  EXPECT_EQ(plan.watermark->shortfall_bytes, 550u);
}

TEST(ThresholdPlanTest, OrderLruAlsoTakesImagesNoRuleSelects) {
  FourOldImages fixture;
  std::string unmatched =
      fixture.engine.AddImage({.tags = {"stray:1"},
                               .layers = {{"sha256:stray", 300}},
                               .created = kNow - 60 * kDay});
  std::string protected_image =
      fixture.engine.AddImage({.tags = {"db:1"},
                               .layers = {{"sha256:db", 300}},
                               .created = kNow - 90 * kDay});
  fixture.engine.AddContainer(
      {.name = "db", .image_id = protected_image, .state = "exited"});
  fixture.engine.set_engine_layers_size(1450 + 600);
  Policy policy = OldImagesPolicy(2000, 1700, Order::kLru);
  Rule keep;
  keep.number = 2;
  keep.name = "keep keeper";
  keep.match.push_back(*Glob::Compile("keeper"));
  keep.keep = true;
  policy.rules.push_back(keep);
  Plan plan = ComputePlan(fixture.engine.BuildOrDie(), policy, kNow);
  // The stray image is the least recently used candidate (60 days): 300
  // bytes, then old-0: 100 more reaches 350 needed.
  EXPECT_THAT(DeletedImages(plan), ElementsAre(unmatched, fixture.ids[0]));
  EXPECT_EQ(plan.actions[0].rule, "lru");
  EXPECT_EQ(plan.actions[0].reason, "least recently used (order lru)");
  for (const Action& action : plan.actions) {
    EXPECT_NE(action.image, protected_image);  // its container protects it
  }
  // With order policy the stray image is never taken.
  policy.order = Order::kPolicy;
  Plan by_policy = ComputePlan(fixture.engine.BuildOrDie(), policy, kNow);
  for (const Action& action : by_policy.actions) {
    EXPECT_NE(action.image, unmatched);
  }
}

TEST(ThresholdPlanTest, UntagsFreeNothingAndAreLeftOutUnderAThreshold) {
  TestEngine engine;
  engine.AddImage({.tags = {"old-a:1", "keep:1"},
                   .layers = {{"sha256:x", 100}},
                   .created = kNow - 30 * kDay});
  engine.set_engine_layers_size(100);
  Policy policy = OldImagesPolicy(50, 10);
  Plan plan = ComputePlan(engine.BuildOrDie(), policy, kNow);
  EXPECT_THAT(plan.actions, IsEmpty());
  policy.threshold.reset();
  Plan without = ComputePlan(engine.BuildOrDie(), policy, kNow);
  ASSERT_EQ(without.actions.size(), 1u);
  EXPECT_EQ(without.actions[0].op, ActionOp::kUntag);
}

TEST(ThresholdPlanTest, PercentagesUseTheMeasuredDisk) {
  FourOldImages fixture;
  Inventory inventory = fixture.engine.BuildOrDie();
  inventory.data_disk =
      DiskSpace{.path = "/d", .total_bytes = 2000, .used_bytes = 1800};
  Policy policy = OldImagesPolicy(0, 0);
  policy.threshold = Threshold{Percent(8500), Percent(8000)};  // 1700, 1600
  Plan plan = ComputePlan(inventory, policy, kNow);
  EXPECT_THAT(DeletedImages(plan), ElementsAre(fixture.ids[0], fixture.ids[1]));
  EXPECT_TRUE(plan.watermark->disk);
  EXPECT_EQ(plan.watermark->total_bytes, 2000u);
  EXPECT_EQ(plan.watermark->low_bytes, 1600u);
  EXPECT_EQ(plan.watermark->used_after_bytes, 1600u);
}

}  // namespace
}  // namespace dgc
