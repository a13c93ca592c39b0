// Tests of protections (core/protection.h) against SPEC.md §3.3: an image
// used by a container in any state, matching protect.match or
// protect.labels, or younger than min_age (from the later of Created and
// LastTagTime) is protected; so is the parent of an image that stays,
// through chains of untagged intermediates.
#include "core/protection.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "core/json_reader.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const absl::Time kNow =
    test_support::DefaultCapturedAt();  // 2026-11-25T22:40:00Z

absl::Time DaysAgo(int days) { return kNow - absl::Hours(24 * days); }

Policy MustParse(std::string_view json) {
  absl::StatusOr<Policy> policy = ParsePolicy(PaddedBody(json), "test.json");
  EXPECT_TRUE(policy.ok()) << policy.status();
  if (!policy.ok()) return Policy{};
  return *std::move(policy);
}

const Policy& NoRules() {
  static const Policy* policy = new Policy(MustParse(R"({"rules": []})"));
  return *policy;
}

// ---- DirectProtection ----

class ContainerStateTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ContainerStateTest, AContainerInAnyStateProtectsItsImage) {
  TestEngine engine;
  std::string app =
      engine.AddImage({.tags = {"app:1"}, .created = DaysAgo(30)});
  engine.AddContainer({.name = "web-1", .image_id = app, .state = GetParam()});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(DirectProtection(inventory, NoRules(), kNow, 0),
            "in use by container web-1 (" + GetParam() + ")");
}

INSTANTIATE_TEST_SUITE_P(AllStates, ContainerStateTest,
                         ::testing::Values("created", "running", "paused",
                                           "restarting", "exited", "dead"));

TEST(DirectProtectionTest, SeveralContainersNameTheFirst) {
  TestEngine engine;
  std::string app =
      engine.AddImage({.tags = {"app:1"}, .created = DaysAgo(30)});
  engine.AddContainer({.name = "web-1", .image_id = app, .state = "exited"});
  engine.AddContainer({.name = "web-2", .image_id = app, .state = "running"});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_THAT(DirectProtection(inventory, NoRules(), kNow, 0),
              StartsWith("in use by container web-1 (exited)"));
}

TEST(DirectProtectionTest, AContainerOfAnotherImageDoesNotProtect) {
  TestEngine engine;
  engine.AddImage({.tags = {"app:1"}, .created = DaysAgo(30)});
  engine.AddContainer(
      {.name = "gone", .image_id = Id("deleted image"), .state = "exited"});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(DirectProtection(inventory, NoRules(), kNow, 0), "");
}

TEST(DirectProtectionTest, NothingProtectsAnOldUnusedImage) {
  TestEngine engine;
  engine.AddImage({.tags = {"app:1"}, .created = DaysAgo(30)});
  engine.AddImage({.created = DaysAgo(30)});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(DirectProtection(inventory, NoRules(), kNow, 0), "");
  EXPECT_EQ(DirectProtection(inventory, NoRules(), kNow, 1), "");
}

TEST(DirectProtectionTest, ProtectMatch) {
  TestEngine engine;
  engine.AddImage({.tags = {"app:1", "postgres:15"}, .created = DaysAgo(30)});
  engine.AddImage({.tags = {"postgres-exporter:1"}, .created = DaysAgo(30)});
  engine.AddImage({.tags = {"redis:7"}, .created = DaysAgo(30)});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(
      R"({"rules": [], "protect": {"match": ["postgres:*", "redis"]}})");
  std::string reason = DirectProtection(inventory, policy, kNow, 0);
  EXPECT_THAT(reason, HasSubstr("postgres:15"));
  EXPECT_THAT(reason, HasSubstr("protect.match"));
  EXPECT_THAT(reason, HasSubstr("postgres:*"));
  EXPECT_EQ(DirectProtection(inventory, policy, kNow, 1), "");
  EXPECT_THAT(DirectProtection(inventory, policy, kNow, 2), HasSubstr("redis"));
}

TEST(DirectProtectionTest, ProtectLabels) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"},
                   .created = DaysAgo(30),
                   .labels = {{"gc.keep", "true"}}});
  engine.AddImage({.tags = {"a:2"},
                   .created = DaysAgo(30),
                   .labels = {{"gc.keep", "false"}}});
  engine.AddImage(
      {.tags = {"a:3"}, .created = DaysAgo(30), .labels = {{"pinned", ""}}});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(
      R"({"rules": [], "protect": {"labels": ["gc.keep=true", "pinned"]}})");
  EXPECT_THAT(DirectProtection(inventory, policy, kNow, 0),
              HasSubstr("gc.keep=true"));
  EXPECT_EQ(DirectProtection(inventory, policy, kNow, 1), "");
  EXPECT_THAT(DirectProtection(inventory, policy, kNow, 2),
              HasSubstr("pinned"));
}

TEST(DirectProtectionTest, MinAgeFromCreated) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:new"}, .created = kNow - absl::Minutes(30)});
  engine.AddImage({.tags = {"a:old"}, .created = kNow - absl::Hours(2)});
  engine.AddImage({.created = kNow - absl::Minutes(5)});  // dangling
  Inventory inventory = engine.BuildOrDie();
  std::string reason = DirectProtection(inventory, NoRules(), kNow, 0);
  EXPECT_THAT(reason, HasSubstr("min_age 1h"));
  EXPECT_THAT(reason, HasSubstr("created"));
  EXPECT_THAT(reason, HasSubstr("2026-11-25T22:10:00Z"));
  EXPECT_EQ(DirectProtection(inventory, NoRules(), kNow, 1), "");
  EXPECT_THAT(DirectProtection(inventory, NoRules(), kNow, 2),
              HasSubstr("min_age"));
}

TEST(DirectProtectionTest, MinAgeFromARecentLastTagTime) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:retagged"},
                   .created = DaysAgo(300),
                   .last_tag_time = kNow - absl::Minutes(20)});
  engine.AddImage({.tags = {"a:tagged-long-ago"},
                   .created = DaysAgo(300),
                   .last_tag_time = DaysAgo(200)});
  Inventory inventory = engine.BuildOrDie();
  std::string reason = DirectProtection(inventory, NoRules(), kNow, 0);
  EXPECT_THAT(reason, HasSubstr("min_age 1h"));
  EXPECT_THAT(reason, HasSubstr("tagged"));
  EXPECT_THAT(reason, HasSubstr("2026-11-25T22:20:00Z"));
  EXPECT_EQ(DirectProtection(inventory, NoRules(), kNow, 1), "");
}

TEST(DirectProtectionTest, MinAgeFromThePolicy) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"}, .created = DaysAgo(2)});
  Inventory inventory = engine.BuildOrDie();
  Policy week = MustParse(R"({"rules": [], "min_age": "1w"})");
  EXPECT_THAT(DirectProtection(inventory, week, kNow, 0),
              HasSubstr("min_age 1w"));
  Policy day = MustParse(R"({"rules": [], "min_age": "1d"})");
  EXPECT_EQ(DirectProtection(inventory, day, kNow, 0), "");
}

TEST(DirectProtectionTest, MinAgeBoundary) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:exactly"}, .created = kNow - absl::Hours(1)});
  engine.AddImage({.tags = {"a:almost"},
                   .created = kNow - absl::Hours(1) + absl::Seconds(1)});
  Inventory inventory = engine.BuildOrDie();
  // Exactly min_age old is not younger than min_age.
  EXPECT_EQ(DirectProtection(inventory, NoRules(), kNow, 0), "");
  EXPECT_NE(DirectProtection(inventory, NoRules(), kNow, 1), "");
}

// ---- KeepParentsOfStayingImages ----

struct Outcome {
  std::vector<bool> deleting;
  std::vector<ImageIndex> staying_child;
  std::vector<std::string> reasons;  // ParentReason, or "" when none
};

// Protections as the planner computes them: here only containers, since
// NoRules() protects nothing else and the images are old enough.
std::vector<std::string> ContainerProtection(const Inventory& inventory) {
  std::vector<std::string> protection;
  for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
    protection.push_back(DirectProtection(inventory, NoRules(),
                                          kNow + absl::Hours(24 * 365), i));
  }
  return protection;
}

Outcome KeepParents(const Inventory& inventory, std::vector<bool> deleting) {
  Outcome outcome;
  outcome.deleting = std::move(deleting);
  outcome.staying_child = KeepParentsOfStayingImages(
      inventory, ContainerProtection(inventory), &outcome.deleting);
  EXPECT_EQ(outcome.staying_child.size(), inventory.images.size());
  outcome.staying_child.resize(inventory.images.size(), kNoImage);
  for (ImageIndex child : outcome.staying_child) {
    outcome.reasons.push_back(
        child == kNoImage ? "" : ParentReason(inventory, child));
  }
  return outcome;
}

TEST(KeepParentsTest, TaggedParentOfAKeptChildStays) {
  TestEngine engine;
  std::string base =
      engine.AddImage({.tags = {"base:1"}, .layers = {{Id("base"), 100}}});
  engine.AddChild(base, {.tags = {"app:1"}, .layers = {{Id("app"), 10}}});
  Inventory inventory = engine.BuildOrDie();
  Outcome outcome = KeepParents(inventory, {true, false});
  EXPECT_FALSE(outcome.deleting[0]);
  EXPECT_EQ(outcome.staying_child[0], 1u);
  EXPECT_EQ(outcome.reasons[0], "parent of app:1, which stays");
  EXPECT_FALSE(outcome.deleting[1]);
  EXPECT_EQ(outcome.staying_child[1], kNoImage);
}

TEST(KeepParentsTest, AParentThatIsNotDeletedStillNamesItsStayingChild) {
  // Images with only some tags selected stay too: the caller must know
  // they are parents of an image that stays (SPEC §3.3: nothing at all is
  // done to them).
  TestEngine engine;
  std::string base = engine.AddImage(
      {.tags = {"base:1", "base:2"}, .layers = {{Id("base"), 100}}});
  engine.AddChild(base, {.tags = {"app:1"}, .layers = {{Id("app"), 10}}});
  Inventory inventory = engine.BuildOrDie();
  Outcome outcome = KeepParents(inventory, {false, false});
  EXPECT_EQ(outcome.staying_child[0], 1u);
}

TEST(KeepParentsTest, ParentOfAnUntaggedKeptChildStays) {
  TestEngine engine;
  std::string base =
      engine.AddImage({.tags = {"base:1"}, .layers = {{Id("base"), 100}}});
  std::string child = engine.AddChild(
      base, {.id = Id("dangling child"), .layers = {{Id("child"), 10}}});
  Inventory inventory = engine.BuildOrDie();
  ASSERT_TRUE(inventory.images[1].dangling());
  Outcome outcome = KeepParents(inventory, {true, false});
  EXPECT_FALSE(outcome.deleting[0]);
  // The child has no tag: its short ID names it.
  EXPECT_THAT(outcome.reasons[0], HasSubstr(child.substr(7, 12)));
}

TEST(KeepParentsTest, ParentWhoseChildrenAreAllDeletedIsDeleted) {
  TestEngine engine;
  std::string base =
      engine.AddImage({.tags = {"base:1"}, .layers = {{Id("base"), 100}}});
  engine.AddChild(base, {.tags = {"a:1"}, .layers = {{Id("a"), 10}}});
  engine.AddChild(base, {.tags = {"b:1"}, .layers = {{Id("b"), 10}}});
  Inventory inventory = engine.BuildOrDie();
  Outcome outcome = KeepParents(inventory, {true, true, true});
  EXPECT_EQ(outcome.deleting, (std::vector<bool>{true, true, true}));

  outcome = KeepParents(inventory, {true, true, false});
  EXPECT_EQ(outcome.deleting, (std::vector<bool>{false, true, false}));
  EXPECT_THAT(outcome.reasons[0], HasSubstr("b:1"));
}

TEST(KeepParentsTest, ThroughUntaggedIntermediates) {
  TestEngine engine;
  std::string base =
      engine.AddImage({.tags = {"base:1"}, .layers = {{Id("base"), 100}}});
  std::string step1 = engine.AddChild(base, {.layers = {{Id("s1"), 1}}});
  std::string step2 = engine.AddChild(step1, {.layers = {{Id("s2"), 2}}});
  engine.AddChild(step2, {.tags = {"app:1"}, .layers = {{Id("app"), 10}}});
  Inventory inventory = engine.BuildOrDie();
  ASSERT_TRUE(inventory.images[1].intermediate);
  ASSERT_TRUE(inventory.images[2].intermediate);

  Outcome outcome = KeepParents(inventory, {true, false, false, false});
  EXPECT_FALSE(outcome.deleting[0]);
  // The reason names the image that stays, not the intermediate.
  EXPECT_EQ(outcome.staying_child[0], 3u);
  EXPECT_THAT(outcome.reasons[0], HasSubstr("app:1"));

  outcome = KeepParents(inventory, {true, false, false, true});
  EXPECT_TRUE(outcome.deleting[0]);
}

TEST(KeepParentsTest, AnIntermediateUsedByAContainerHoldsItsParents) {
  TestEngine engine;
  std::string base =
      engine.AddImage({.tags = {"base:1"}, .layers = {{Id("base"), 100}}});
  std::string step = engine.AddChild(base, {.layers = {{Id("s"), 1}}});
  engine.AddChild(step, {.tags = {"app:1"}, .layers = {{Id("app"), 10}}});
  engine.AddContainer({.name = "debug", .image_id = step, .state = "exited"});
  Inventory inventory = engine.BuildOrDie();
  ASSERT_TRUE(inventory.images[1].intermediate);
  Outcome outcome = KeepParents(inventory, {true, false, true});
  EXPECT_FALSE(outcome.deleting[0]);
  EXPECT_TRUE(outcome.deleting[2]);
}

TEST(KeepParentsTest, GrandparentsStayToo) {
  TestEngine engine;
  std::string os =
      engine.AddImage({.tags = {"os:1"}, .layers = {{Id("os"), 100}}});
  std::string runtime =
      engine.AddChild(os, {.tags = {"runtime:1"}, .layers = {{Id("rt"), 50}}});
  engine.AddChild(runtime, {.tags = {"app:1"}, .layers = {{Id("app"), 10}}});
  Inventory inventory = engine.BuildOrDie();
  Outcome outcome = KeepParents(inventory, {true, true, false});
  EXPECT_EQ(outcome.deleting, (std::vector<bool>{false, false, false}));
  EXPECT_THAT(outcome.reasons[1], HasSubstr("app:1"));
  EXPECT_THAT(outcome.reasons[0], HasSubstr("runtime:1"));
}

TEST(KeepParentsTest, UnrelatedImagesAreUntouched) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"}, .layers = {{Id("a"), 1}}});
  engine.AddImage({.tags = {"b:1"}, .layers = {{Id("b"), 1}}});
  Inventory inventory = engine.BuildOrDie();
  Outcome outcome = KeepParents(inventory, {true, false});
  EXPECT_EQ(outcome.deleting, (std::vector<bool>{true, false}));
  EXPECT_EQ(outcome.reasons[0], "");
}

// ---- ImageName ----

TEST(ImageNameTest, FirstTagOrShortId) {
  TestEngine engine;
  std::string tagged = engine.AddImage({.tags = {"app:2", "app:latest"}});
  std::string untagged = engine.AddImage({});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(ImageName(inventory.images[0]), "app:2");
  EXPECT_EQ(ImageName(inventory.images[1]), untagged.substr(7, 12));
  EXPECT_EQ(ImageName(inventory.images[1]).size(), 12u);
}

}  // namespace
}  // namespace dgc
