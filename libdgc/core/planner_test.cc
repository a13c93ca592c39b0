// Tests of the planner (core/planner.h) against SPEC.md §3 and §4: which
// references are selected (first matching rule, keep_newest groups,
// older_than, dangling rules), which images are protected (containers in
// every state, protect.match, protect.labels, min_age from Created and
// LastTagTime, parents of images that stay) and get no action at all,
// untag versus delete, the order of actions, intermediates pruned with
// their last child, reasons, kept images and the summary's exact bytes.
#include "core/planner.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/accounting.h"
#include "core/json_reader.h"
#include "core/policy.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNow =
    test_support::DefaultCapturedAt();  // 2026-11-25T22:40:00Z

absl::Time Date(int month, int day) {
  return absl::FromCivil(absl::CivilSecond(2026, month, day, 12, 0, 0),
                         absl::UTCTimeZone());
}

absl::Time DaysAgo(int days) { return kNow - absl::Hours(24 * days); }

Policy MustParse(std::string_view json) {
  absl::StatusOr<Policy> policy = ParsePolicy(PaddedBody(json), "test.json");
  EXPECT_TRUE(policy.ok()) << policy.status();
  if (!policy.ok()) return Policy{};
  return *std::move(policy);
}

Plan PlanFor(const Inventory& inventory, std::string_view policy_json) {
  return ComputePlan(inventory, MustParse(policy_json), kNow);
}

// The action on image `id`, or nullptr.
const Action* ActionOn(const Plan& plan, std::string_view id) {
  const Action* found = nullptr;
  for (const Action& action : plan.actions) {
    if (action.image == id) {
      EXPECT_EQ(found, nullptr) << "two actions on " << id;
      found = &action;
    }
  }
  return found;
}

// The kept entry of image `id`, or nullptr.
const KeptImage* KeptEntry(const Plan& plan, std::string_view id) {
  for (const KeptImage& kept : plan.kept) {
    if (kept.image == id) return &kept;
  }
  return nullptr;
}

// Every image ID any action touches: its image and what it also removes.
std::vector<std::string> TouchedImages(const Plan& plan) {
  std::vector<std::string> ids;
  for (const Action& action : plan.actions) {
    ids.push_back(action.image);
    ids.insert(ids.end(), action.also_removes.begin(),
               action.also_removes.end());
  }
  return ids;
}

bool Touched(const Plan& plan, std::string_view id) {
  std::vector<std::string> ids = TouchedImages(plan);
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// "op image-name" for each action, naming images by `names`.
std::vector<std::string> Steps(
    const Plan& plan,
    const std::vector<std::pair<std::string, std::string>>& names) {
  std::vector<std::string> steps;
  for (const Action& action : plan.actions) {
    std::string name = action.image;
    for (const auto& [id, n] : names) {
      if (id == action.image) name = n;
    }
    steps.push_back(std::string(OpName(action.op)) + " " + name);
  }
  return steps;
}

// Expects image `id` to be kept and protected, with no action on it.
void ExpectProtected(const Plan& plan, const std::string& id,
                     std::string_view reason_part) {
  EXPECT_FALSE(Touched(plan, id)) << id << " is in an action";
  const KeptImage* kept = KeptEntry(plan, id);
  ASSERT_NE(kept, nullptr) << id << " is not in kept";
  EXPECT_TRUE(kept->is_protected);
  EXPECT_THAT(kept->reason, HasSubstr(std::string(reason_part)));
}

// ---- which references are selected ----

TEST(PlannerTest, TheFirstMatchingRuleDecides) {
  TestEngine engine;
  std::string stable = engine.AddImage({.tags = {"app:stable"},
                                        .layers = {{Id("s"), 10}},
                                        .created = Date(10, 1)});
  std::string one = engine.AddImage(
      {.tags = {"app:1"}, .layers = {{Id("1"), 20}}, .created = Date(10, 16)});
  Inventory inventory = engine.BuildOrDie();
  const char* kPinnedFirst = R"({"rules": [
    {"name": "pinned", "match": "app:stable", "keep": true},
    {"name": "legacy", "match": "app", "older_than": "7d"}]})";

  Plan plan = PlanFor(inventory, kPinnedFirst);
  ASSERT_EQ(plan.actions.size(), 1u);
  const Action& action = plan.actions[0];
  EXPECT_EQ(action.op, ActionOp::kDelete);
  EXPECT_EQ(action.image, one);
  EXPECT_THAT(action.refs, ElementsAre("app:1"));
  EXPECT_EQ(action.rule, "legacy");
  EXPECT_EQ(action.reason, "older than 7d (created 2026-10-16)");
  EXPECT_EQ(action.bytes, 20u);
  const KeptImage* kept = KeptEntry(plan, stable);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->rule, "pinned");
  EXPECT_EQ(kept->reason, "kept by rule \"pinned\"");
  EXPECT_FALSE(kept->is_protected);
  EXPECT_THAT(kept->refs, ElementsAre("app:stable"));

  // With the broad rule first, app:stable goes too.
  Plan reversed = PlanFor(inventory, R"({"rules": [
    {"name": "legacy", "match": "app", "older_than": "7d"},
    {"name": "pinned", "match": "app:stable", "keep": true}]})");
  EXPECT_EQ(reversed.summary.deletes, 2u);
  EXPECT_NE(ActionOn(reversed, stable), nullptr);
}

TEST(PlannerTest, ReferencesNoRuleMatchesAreKept) {
  TestEngine engine;
  std::string other =
      engine.AddImage({.tags = {"other:1"}, .created = Date(1, 1)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory,
                      R"({"rules": [{"match": "app", "older_than": "1d"}]})");
  EXPECT_THAT(plan.actions, IsEmpty());
  const KeptImage* kept = KeptEntry(plan, other);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->reason, "no rule matches");
  EXPECT_EQ(kept->rule, "");
  EXPECT_FALSE(kept->is_protected);
  EXPECT_THAT(kept->refs, ElementsAre("other:1"));
}

TEST(PlannerTest, DanglingImagesOnlyByDanglingRules) {
  TestEngine engine;
  std::string tagged = engine.AddImage(
      {.tags = {"app:1"}, .layers = {{Id("t"), 10}}, .created = Date(9, 1)});
  std::string dangling =
      engine.AddImage({.layers = {{Id("d"), 30}}, .created = Date(9, 2)});
  Inventory inventory = engine.BuildOrDie();

  Plan match_all =
      PlanFor(inventory, R"({"rules": [{"match": "*", "older_than": "1d"}]})");
  ASSERT_EQ(match_all.actions.size(), 1u);
  EXPECT_EQ(match_all.actions[0].image, tagged);
  ASSERT_NE(KeptEntry(match_all, dangling), nullptr);

  Plan dangling_only = PlanFor(
      inventory,
      R"({"rules": [{"name": "d", "dangling": true, "older_than": "1d"}]})");
  ASSERT_EQ(dangling_only.actions.size(), 1u);
  const Action& action = dangling_only.actions[0];
  EXPECT_EQ(action.image, dangling);
  EXPECT_EQ(action.op, ActionOp::kDelete);
  EXPECT_THAT(action.refs, IsEmpty());  // deleted by ID
  EXPECT_EQ(action.rule, "d");
  EXPECT_THAT(action.reason, HasSubstr("older than 1d (created 2026-09-02)"));
  EXPECT_EQ(action.bytes, 30u);
  ASSERT_NE(KeptEntry(dangling_only, tagged), nullptr);
}

TEST(PlannerTest, KeepNewestPerRepository) {
  TestEngine engine;
  std::vector<std::string> a, b;
  for (int i = 1; i <= 4; ++i) {
    a.push_back(engine.AddImage({.tags = {"a:" + std::to_string(i)},
                                 .layers = {{Id("a" + std::to_string(i)), 10}},
                                 .created = Date(10, i)}));
  }
  for (int i = 1; i <= 3; ++i) {
    b.push_back(engine.AddImage({.tags = {"b:" + std::to_string(i)},
                                 .layers = {{Id("b" + std::to_string(i)), 10}},
                                 .created = Date(9, i)}));
  }
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": [
    {"name": "releases", "match": ["a", "b"], "keep_newest": 2}]})");

  EXPECT_EQ(plan.summary.deletes, 3u);
  for (const std::string& id : {a[0], a[1], b[0]}) {
    ASSERT_NE(ActionOn(plan, id), nullptr) << id;
    EXPECT_EQ(ActionOn(plan, id)->op, ActionOp::kDelete);
  }
  EXPECT_EQ(ActionOn(plan, a[0])->reason, "not among the newest 2 of a");
  EXPECT_EQ(ActionOn(plan, b[0])->reason, "not among the newest 2 of b");
  for (const std::string& id : {a[2], a[3], b[1], b[2]}) {
    EXPECT_EQ(ActionOn(plan, id), nullptr) << id;
  }
  EXPECT_EQ(KeptEntry(plan, a[3])->reason, "newest 2 of a");
  EXPECT_EQ(KeptEntry(plan, a[3])->rule, "releases");
  EXPECT_EQ(KeptEntry(plan, b[2])->reason, "newest 2 of b");
}

TEST(PlannerTest, KeepNewestGroupByRuleTreatsNumberedRepositoriesAsOneFamily) {
  TestEngine engine;
  std::vector<std::string> main;
  for (int i = 1; i <= 4; ++i) {
    main.push_back(engine.AddImage(
        {.tags = {"myapp-main-" + std::to_string(i) + ":latest"},
         .layers = {{Id("m" + std::to_string(i)), 100}},
         .created = Date(11, i)}));
  }
  Inventory inventory = engine.BuildOrDie();

  Plan by_rule = PlanFor(inventory, R"({"rules": [
    {"match": "myapp-main-*", "keep_newest": 2, "group_by": "rule"}]})");
  EXPECT_NE(ActionOn(by_rule, main[0]), nullptr);
  EXPECT_NE(ActionOn(by_rule, main[1]), nullptr);
  EXPECT_EQ(ActionOn(by_rule, main[2]), nullptr);
  EXPECT_EQ(ActionOn(by_rule, main[3]), nullptr);
  EXPECT_EQ(by_rule.summary.reclaimable_bytes, 200u);

  Plan by_repository = PlanFor(inventory, R"({"rules": [
    {"match": "myapp-main-*", "keep_newest": 2}]})");
  EXPECT_THAT(by_repository.actions, IsEmpty());
}

TEST(PlannerTest, KeepNewestGroupByLabel) {
  TestEngine engine;
  const std::string kKey = "com.docker.compose.project";
  std::string shop_old = engine.AddImage({.tags = {"shop-web:1"},
                                          .created = Date(10, 1),
                                          .labels = {{kKey, "shop"}}});
  std::string shop_new = engine.AddImage({.tags = {"shop-db:1"},
                                          .created = Date(10, 2),
                                          .labels = {{kKey, "shop"}}});
  std::string blog = engine.AddImage({.tags = {"blog-web:1"},
                                      .created = Date(9, 1),
                                      .labels = {{kKey, "blog"}}});
  std::string bare_old =
      engine.AddImage({.tags = {"x:1"}, .created = Date(8, 1)});
  std::string bare_new =
      engine.AddImage({.tags = {"y:1"}, .created = Date(8, 2)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": [
    {"match": "*", "keep_newest": 1, "group_by": "label:com.docker.compose.project"}]})");
  EXPECT_NE(ActionOn(plan, shop_old), nullptr);
  EXPECT_EQ(ActionOn(plan, shop_new), nullptr);
  EXPECT_EQ(ActionOn(plan, blog), nullptr);
  // Images without the label are one more group.
  EXPECT_NE(ActionOn(plan, bare_old), nullptr);
  EXPECT_EQ(ActionOn(plan, bare_new), nullptr);
}

TEST(PlannerTest, KeepNewestWithOlderThan) {
  TestEngine engine;
  std::string old1 = engine.AddImage({.tags = {"a:1"}, .created = Date(10, 1)});
  std::string old2 =
      engine.AddImage({.tags = {"a:2"}, .created = Date(10, 16)});
  std::string recent =
      engine.AddImage({.tags = {"a:3"}, .created = Date(11, 20)});
  std::string newest =
      engine.AddImage({.tags = {"a:4"}, .created = Date(11, 24)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": [
    {"match": "a", "keep_newest": 1, "older_than": "7d"}]})");
  EXPECT_EQ(plan.summary.deletes, 2u);
  ASSERT_NE(ActionOn(plan, old1), nullptr);
  ASSERT_NE(ActionOn(plan, old2), nullptr);
  EXPECT_THAT(ActionOn(plan, old2)->reason,
              HasSubstr("not among the newest 1 of a"));
  EXPECT_THAT(ActionOn(plan, old2)->reason,
              HasSubstr("older than 7d (created 2026-10-16)"));
  ASSERT_NE(KeptEntry(plan, recent), nullptr);
  EXPECT_THAT(KeptEntry(plan, recent)->reason,
              HasSubstr("younger than 7d (created 2026-11-20)"));
  ASSERT_NE(KeptEntry(plan, newest), nullptr);
  EXPECT_EQ(KeptEntry(plan, newest)->reason, "newest 1 of a");
}

TEST(PlannerTest, OlderThanKeepsYoungerImagesWithAReason) {
  TestEngine engine;
  std::string young =
      engine.AddImage({.tags = {"a:1"}, .created = Date(11, 20)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(
      inventory,
      R"({"rules": [{"name": "x", "match": "a", "older_than": "7d"}]})");
  EXPECT_THAT(plan.actions, IsEmpty());
  ASSERT_NE(KeptEntry(plan, young), nullptr);
  EXPECT_EQ(KeptEntry(plan, young)->reason,
            "younger than 7d (created 2026-11-20)");
  EXPECT_EQ(KeptEntry(plan, young)->rule, "x");
}

TEST(PlannerTest, TiesInCreatedAreBrokenByIdInEitherListOrder) {
  auto deleted = [](bool swapped) {
    TestEngine engine;
    test_support::TestImage x{
        .id = Id("x"), .tags = {"a:x"}, .created = Date(10, 1)};
    test_support::TestImage y{
        .id = Id("y"), .tags = {"a:y"}, .created = Date(10, 1)};
    engine.AddImage(swapped ? y : x);
    engine.AddImage(swapped ? x : y);
    Plan plan = PlanFor(engine.BuildOrDie(),
                        R"({"rules": [{"match": "a", "keep_newest": 1}]})");
    EXPECT_EQ(plan.actions.size(), 1u);
    return plan.actions.empty() ? std::string() : plan.actions[0].image;
  };
  std::string first = deleted(false);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, deleted(true));
}

TEST(PlannerTest, CountingTheNewestIncludesProtectedImages) {
  TestEngine engine;
  std::string a3 = engine.AddImage({.tags = {"a:3"}, .created = Date(10, 3)});
  std::string a2 = engine.AddImage({.tags = {"a:2"}, .created = Date(10, 2)});
  std::string a1 = engine.AddImage({.tags = {"a:1"}, .created = Date(10, 1)});
  engine.AddContainer({.name = "web", .image_id = a3, .state = "running"});
  Inventory inventory = engine.BuildOrDie();
  Plan plan =
      PlanFor(inventory, R"({"rules": [{"match": "a", "keep_newest": 2}]})");
  // a:3 (in use) takes one of the two places: a:1 goes.
  EXPECT_EQ(ActionOn(plan, a3), nullptr);
  EXPECT_EQ(ActionOn(plan, a2), nullptr);
  ASSERT_NE(ActionOn(plan, a1), nullptr);
  EXPECT_EQ(plan.summary.deletes, 1u);
}

TEST(PlannerTest, AProtectedOlderImageIsKeptAndDoesNotShiftTheCount) {
  TestEngine engine;
  std::string a3 = engine.AddImage({.tags = {"a:3"}, .created = Date(10, 3)});
  std::string a2 = engine.AddImage({.tags = {"a:2"}, .created = Date(10, 2)});
  std::string a1 = engine.AddImage({.tags = {"a:1"}, .created = Date(10, 1)});
  engine.AddContainer({.name = "old-job", .image_id = a2, .state = "exited"});
  Inventory inventory = engine.BuildOrDie();
  Plan plan =
      PlanFor(inventory, R"({"rules": [{"match": "a", "keep_newest": 1}]})");
  EXPECT_EQ(ActionOn(plan, a3), nullptr);
  ExpectProtected(plan, a2, "in use by container old-job (exited)");
  ASSERT_NE(ActionOn(plan, a1), nullptr);
}

// ---- untag versus delete ----

TEST(PlannerTest, MultiTagImageWithOneTagSelectedIsUntagged) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1", "keep:1"},
                                       .layers = {{Id("x"), 500}},
                                       .created = Date(9, 1)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": [
    {"name": "legacy", "match": "app", "older_than": "7d"}]})");
  ASSERT_EQ(plan.actions.size(), 1u);
  const Action& action = plan.actions[0];
  EXPECT_EQ(action.op, ActionOp::kUntag);
  EXPECT_EQ(action.image, image);
  EXPECT_THAT(action.refs, ElementsAre("app:1"));
  EXPECT_EQ(action.bytes, 0u);
  EXPECT_THAT(action.also_removes, IsEmpty());
  EXPECT_EQ(action.rule, "legacy");
  EXPECT_EQ(action.reason, "older than 7d (created 2026-09-01)");
  // The image stays, with the tag nobody selected.
  const KeptImage* kept = KeptEntry(plan, image);
  ASSERT_NE(kept, nullptr);
  EXPECT_THAT(kept->refs, ElementsAre("keep:1"));
  EXPECT_FALSE(kept->is_protected);
  EXPECT_EQ(plan.summary.untags, 1u);
  EXPECT_EQ(plan.summary.deletes, 0u);
  EXPECT_EQ(plan.summary.kept, 1u);
  EXPECT_EQ(plan.summary.reclaimable_bytes, 0u);
  EXPECT_EQ(plan.summary.naive_bytes, 0u);
}

TEST(PlannerTest, AllTagsSelectedDeletesWithEveryReferenceInOrder) {
  TestEngine engine;
  const std::string mirror_digest = "mirror.example.com/app@" + Id("m");
  std::string image = engine.AddImage(
      {.tags = {"app:2", "app:latest", "registry.example.com:5000/team/app:2"},
       .digests = {"registry.example.com:5000/team/app@" + Id("r"),
                   mirror_digest},
       .layers = {{Id("x"), 500}},
       .created = Date(9, 1)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": [
    {"match": ["app", "registry.example.com:5000/*"], "older_than": "7d"}]})");
  ASSERT_EQ(plan.actions.size(), 1u);
  const Action& action = plan.actions[0];
  EXPECT_EQ(action.op, ActionOp::kDelete);
  EXPECT_EQ(action.image, image);
  // Every tag as listed, then the digest of the repository without a tag.
  EXPECT_THAT(action.refs, ElementsAre("app:2", "app:latest",
                                       "registry.example.com:5000/team/app:2",
                                       mirror_digest));
  EXPECT_EQ(action.bytes, 500u);
  EXPECT_EQ(plan.summary.naive_bytes, 500u);
  EXPECT_EQ(KeptEntry(plan, image), nullptr);
}

TEST(PlannerTest, TagsSelectedByDifferentRulesDeleteTheImage) {
  TestEngine engine;
  std::string image = engine.AddImage({.tags = {"app:1", "tool:1"},
                                       .layers = {{Id("x"), 70}},
                                       .created = Date(9, 1)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": [
    {"name": "apps", "match": "app", "older_than": "7d"},
    {"name": "tools", "match": "tool", "older_than": "2w"}]})");
  ASSERT_EQ(plan.actions.size(), 1u);
  const Action& action = plan.actions[0];
  EXPECT_EQ(action.op, ActionOp::kDelete);
  EXPECT_EQ(action.image, image);
  EXPECT_THAT(action.refs, ElementsAre("app:1", "tool:1"));
  EXPECT_EQ(action.rule, "apps");
  EXPECT_THAT(action.reason, HasSubstr("older than 7d"));
  EXPECT_THAT(action.reason, HasSubstr("older than 2w"));
  EXPECT_EQ(action.bytes, 70u);
}

TEST(PlannerTest, SelectedAndKeptByDifferentRulesUntags) {
  TestEngine engine;
  std::string image =
      engine.AddImage({.tags = {"app:1", "app:stable"}, .created = Date(9, 1)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": [
    {"name": "pinned", "match": "app:stable", "keep": true},
    {"name": "legacy", "match": "app", "older_than": "7d"}]})");
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_EQ(plan.actions[0].op, ActionOp::kUntag);
  EXPECT_THAT(plan.actions[0].refs, ElementsAre("app:1"));
  const KeptImage* kept = KeptEntry(plan, image);
  ASSERT_NE(kept, nullptr);
  EXPECT_THAT(kept->refs, ElementsAre("app:stable"));
  EXPECT_EQ(kept->rule, "pinned");
  EXPECT_EQ(kept->reason, "kept by rule \"pinned\"");
}

// ---- protections ----

class PlannerContainerStateTest : public ::testing::TestWithParam<std::string> {
};

TEST_P(PlannerContainerStateTest, AnImageUsedByAContainerIsLeftAlone) {
  TestEngine engine;
  std::string app = engine.AddImage({.tags = {"app:1", "app:old"},
                                     .layers = {{Id("a"), 10}},
                                     .created = Date(9, 1)});
  engine.AddContainer({.name = "app-1", .image_id = app, .state = GetParam()});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory,
                      R"({"rules": [{"match": "app", "older_than": "7d"}]})");
  EXPECT_THAT(plan.actions, IsEmpty());
  ExpectProtected(plan, app, "in use by container app-1 (" + GetParam() + ")");
  EXPECT_EQ(KeptEntry(plan, app)->reason,
            "in use by container app-1 (" + GetParam() + ")");
  EXPECT_THAT(KeptEntry(plan, app)->refs, ElementsAre("app:1", "app:old"));
}

INSTANTIATE_TEST_SUITE_P(AllStates, PlannerContainerStateTest,
                         ::testing::Values("created", "running", "paused",
                                           "restarting", "exited", "dead"));

TEST(PlannerTest, AnImageInUseIsProtectedEvenWhenNoRuleSelectsIt) {
  TestEngine engine;
  std::string app = engine.AddImage({.tags = {"app:1"}, .created = Date(9, 1)});
  engine.AddContainer({.name = "web", .image_id = app, .state = "running"});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": []})");
  EXPECT_THAT(plan.actions, IsEmpty());
  ExpectProtected(plan, app, "in use by container web (running)");
}

TEST(PlannerTest, AProtectedImageIsNotEvenUntagged) {
  TestEngine engine;
  std::string app =
      engine.AddImage({.tags = {"app:1", "keep:1"}, .created = Date(9, 1)});
  engine.AddContainer({.name = "w", .image_id = app, .state = "exited"});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory,
                      R"({"rules": [{"match": "app", "older_than": "7d"}]})");
  EXPECT_THAT(plan.actions, IsEmpty());
  ExpectProtected(plan, app, "in use by container w (exited)");
  EXPECT_EQ(plan.summary.untags, 0u);
}

TEST(PlannerTest, ProtectMatch) {
  TestEngine engine;
  std::string pg = engine.AddImage({.tags = {"postgres:15"},
                                    .layers = {{Id("pg"), 1}},
                                    .created = Date(1, 1)});
  std::string exporter = engine.AddImage({.tags = {"postgres-exporter:1"},
                                          .layers = {{Id("pe"), 2}},
                                          .created = Date(1, 1)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({
    "rules": [{"match": "*", "older_than": "7d"}],
    "protect": {"match": ["postgres:*"]}})");
  ExpectProtected(plan, pg, "postgres:*");
  ASSERT_NE(ActionOn(plan, exporter), nullptr);
  EXPECT_EQ(plan.summary.deletes, 1u);
}

TEST(PlannerTest, ProtectLabels) {
  TestEngine engine;
  std::string keep = engine.AddImage({.tags = {"a:1"},
                                      .created = Date(1, 1),
                                      .labels = {{"gc.keep", "true"}}});
  std::string other = engine.AddImage({.tags = {"a:2"},
                                       .created = Date(1, 2),
                                       .labels = {{"gc.keep", "false"}}});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({
    "rules": [{"match": "*", "older_than": "7d"}],
    "protect": {"labels": ["gc.keep=true"]}})");
  ExpectProtected(plan, keep, "gc.keep=true");
  ASSERT_NE(ActionOn(plan, other), nullptr);
}

TEST(PlannerTest, MinAgeFromCreated) {
  TestEngine engine;
  std::string fresh =
      engine.AddImage({.tags = {"a:1"}, .created = kNow - absl::Minutes(30)});
  std::string older =
      engine.AddImage({.tags = {"a:2"}, .created = kNow - absl::Minutes(90)});
  Inventory inventory = engine.BuildOrDie();
  // No min_age in the policy: the default 1h applies.
  Plan plan =
      PlanFor(inventory, R"({"rules": [{"match": "a", "older_than": "10m"}]})");
  ExpectProtected(plan, fresh, "min_age 1h");
  EXPECT_THAT(KeptEntry(plan, fresh)->reason,
              HasSubstr("created 2026-11-25T22:10:00Z"));
  ASSERT_NE(ActionOn(plan, older), nullptr);

  Plan strict = PlanFor(inventory, R"({"rules": [
    {"match": "a", "older_than": "10m"}], "min_age": "2h"})");
  EXPECT_THAT(strict.actions, IsEmpty());
}

TEST(PlannerTest, MinAgeFromARecentLastTagTimeOnAnOldImage) {
  TestEngine engine;
  std::string pulled =
      engine.AddImage({.tags = {"a:1"},
                       .created = Date(1, 1),
                       .last_tag_time = kNow - absl::Minutes(5)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan =
      PlanFor(inventory, R"({"rules": [{"match": "a", "older_than": "7d"}]})");
  ExpectProtected(plan, pulled, "min_age 1h");
  EXPECT_THAT(KeptEntry(plan, pulled)->reason,
              HasSubstr("tagged 2026-11-25T22:35:00Z"));
}

TEST(PlannerTest, TaggedParentOfAKeptChildStays) {
  TestEngine engine;
  std::string base = engine.AddImage({.tags = {"base:1"},
                                      .layers = {{Id("base"), 100}},
                                      .created = Date(9, 1)});
  std::string app = engine.AddChild(
      base,
      {.tags = {"app:1"}, .layers = {{Id("app"), 10}}, .created = Date(9, 2)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory,
                      R"({"rules": [{"match": "base", "older_than": "7d"}]})");
  EXPECT_THAT(plan.actions, IsEmpty());
  ExpectProtected(plan, base, "app:1");
  ASSERT_NE(KeptEntry(plan, app), nullptr);
  EXPECT_FALSE(KeptEntry(plan, app)->is_protected);
}

TEST(PlannerTest, ParentOfAnUntaggedKeptChildStays) {
  TestEngine engine;
  std::string base = engine.AddImage({.tags = {"base:1"},
                                      .layers = {{Id("base"), 100}},
                                      .created = Date(9, 1)});
  std::string child = engine.AddChild(
      base,
      {.id = Id("child"), .layers = {{Id("c"), 10}}, .created = Date(9, 2)});
  Inventory inventory = engine.BuildOrDie();
  ASSERT_TRUE(inventory.images[1].dangling());
  Plan plan = PlanFor(inventory,
                      R"({"rules": [{"match": "base", "older_than": "7d"}]})");
  EXPECT_THAT(plan.actions, IsEmpty());
  ExpectProtected(plan, base, child.substr(7, 12));
  // The kept list has the untagged child too.
  EXPECT_NE(KeptEntry(plan, child), nullptr);
  EXPECT_EQ(plan.summary.kept, 2u);
}

TEST(PlannerTest, ParentStaysThroughAChainOfUntaggedIntermediates) {
  TestEngine engine;
  std::string base = engine.AddImage({.tags = {"base:1"},
                                      .layers = {{Id("base"), 100}},
                                      .created = Date(9, 1)});
  std::string step1 =
      engine.AddChild(base, {.layers = {{Id("s1"), 1}}, .created = Date(9, 2)});
  std::string step2 = engine.AddChild(
      step1, {.layers = {{Id("s2"), 2}}, .created = Date(9, 3)});
  std::string app = engine.AddChild(
      step2,
      {.tags = {"app:1"}, .layers = {{Id("app"), 10}}, .created = Date(9, 4)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory,
                      R"({"rules": [{"match": "base", "older_than": "7d"}]})");
  EXPECT_THAT(plan.actions, IsEmpty());
  ExpectProtected(plan, base, "app:1");
  // Intermediates are not listed.
  EXPECT_EQ(KeptEntry(plan, step1), nullptr);
  EXPECT_EQ(KeptEntry(plan, step2), nullptr);
  EXPECT_EQ(plan.summary.images, 2u);
  EXPECT_EQ(plan.summary.kept, 2u);
}

TEST(PlannerTest, ParentWithSomeTagsSelectedAndAChildThatStaysIsNotUntagged) {
  // SPEC §3.3: the parent of an image that stays is protected, and nothing
  // at all is done to a protected image.
  TestEngine engine;
  std::string base = engine.AddImage({.tags = {"base:old", "base:current"},
                                      .layers = {{Id("base"), 100}},
                                      .created = Date(9, 1)});
  engine.AddChild(
      base,
      {.tags = {"app:1"}, .layers = {{Id("app"), 10}}, .created = Date(9, 2)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(
      inventory, R"({"rules": [{"match": "base:old", "older_than": "7d"}]})");
  EXPECT_THAT(plan.actions, IsEmpty());
  ExpectProtected(plan, base, "app:1");
}

TEST(PlannerTest, ParentWhoseChildrenAreAllDeletedIsDeletedAfterThem) {
  TestEngine engine;
  std::string base = engine.AddImage({.tags = {"base:1"},
                                      .layers = {{Id("base"), 100}},
                                      .created = Date(9, 1)});
  std::string a = engine.AddChild(
      base,
      {.tags = {"a:1"}, .layers = {{Id("a"), 10}}, .created = Date(9, 2)});
  std::string b = engine.AddChild(
      base,
      {.tags = {"b:1"}, .layers = {{Id("b"), 20}}, .created = Date(9, 3)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan =
      PlanFor(inventory, R"({"rules": [{"match": "*", "older_than": "7d"}]})");
  ASSERT_EQ(plan.actions.size(), 3u);
  EXPECT_EQ(plan.actions[2].image, base);
  EXPECT_THAT(
      (std::vector<std::string>{plan.actions[0].image, plan.actions[1].image}),
      ::testing::UnorderedElementsAre(a, b));
  EXPECT_EQ(ActionOn(plan, a)->bytes, 10u);
  EXPECT_EQ(ActionOn(plan, b)->bytes, 20u);
  EXPECT_EQ(ActionOn(plan, base)->bytes, 100u);
  EXPECT_EQ(plan.summary.reclaimable_bytes, 130u);
  // Sizes include the parent's layers: the naive sum counts base 3 times.
  EXPECT_EQ(plan.summary.naive_bytes, 100u + 110u + 120u);
}

TEST(PlannerTest, ChildrenAreDeletedBeforeParentsDecidedByAnEarlierRule) {
  TestEngine engine;
  std::string base = engine.AddImage({.tags = {"base:1"},
                                      .layers = {{Id("base"), 100}},
                                      .created = Date(9, 1)});
  std::string app1 = engine.AddChild(
      base,
      {.tags = {"app:1"}, .layers = {{Id("a1"), 10}}, .created = Date(9, 2)});
  std::string app2 = engine.AddChild(
      base,
      {.tags = {"app:2"}, .layers = {{Id("a2"), 20}}, .created = Date(9, 3)});
  std::string other = engine.AddImage({.tags = {"u:1", "keep:1"},
                                       .layers = {{Id("u"), 5}},
                                       .created = Date(10, 5)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": [
    {"name": "parents", "match": "base", "older_than": "7d"},
    {"name": "children", "match": "app", "older_than": "7d"},
    {"name": "untag", "match": "u", "older_than": "7d"}]})");
  EXPECT_THAT(
      Steps(plan,
            {{base, "base"}, {app1, "app1"}, {app2, "app2"}, {other, "other"}}),
      ElementsAre("untag other", "delete app1", "delete app2", "delete base"));
}

// ---- intermediates ----

TEST(PlannerTest, AnUntaggedIntermediateIsPrunedWithItsLastChild) {
  TestEngine engine;
  std::string step =
      engine.AddImage({.id = Id("step"),
                       .layers = {{Id("base"), 1000}, {Id("s"), 5}},
                       .created = Date(9, 1)});
  std::string app = engine.AddChild(
      step,
      {.tags = {"app:1"}, .layers = {{Id("a"), 10}}, .created = Date(9, 2)});
  std::string other =
      engine.AddImage({.tags = {"other:1"},
                       .layers = {{Id("base"), 1000}, {Id("o"), 1}},
                       .created = Date(9, 3)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory,
                      R"({"rules": [{"match": "app", "older_than": "7d"}]})");
  ASSERT_EQ(plan.actions.size(), 1u);
  const Action& action = plan.actions[0];
  EXPECT_EQ(action.image, app);
  EXPECT_THAT(action.also_removes, ElementsAre(step));
  // a (10) and the intermediate's s (5); base stays for other:1.
  EXPECT_EQ(action.bytes, 15u);
  EXPECT_EQ(plan.summary.reclaimable_bytes, 15u);
  EXPECT_EQ(plan.summary.naive_bytes, 1015u);
  EXPECT_EQ(plan.summary.images, 2u);
  EXPECT_EQ(plan.summary.kept, 1u);
  EXPECT_NE(KeptEntry(plan, other), nullptr);
  EXPECT_EQ(KeptEntry(plan, step), nullptr);
}

TEST(PlannerTest, AChainOfIntermediatesIsPrunedBottomUp) {
  TestEngine engine;
  std::string root = engine.AddImage(
      {.id = Id("root"), .layers = {{Id("r"), 100}}, .created = Date(9, 1)});
  std::string mid = engine.AddChild(
      root,
      {.id = Id("mid"), .layers = {{Id("m"), 10}}, .created = Date(9, 2)});
  engine.AddChild(
      mid,
      {.tags = {"app:1"}, .layers = {{Id("a"), 1}}, .created = Date(9, 3)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory,
                      R"({"rules": [{"match": "app", "older_than": "7d"}]})");
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_THAT(plan.actions[0].also_removes, ElementsAre(mid, root));
  EXPECT_EQ(plan.actions[0].bytes, 111u);
  EXPECT_EQ(plan.summary.images, 1u);
}

TEST(PlannerTest, AnIntermediateGoesWithTheLastOfItsChildren) {
  TestEngine engine;
  std::string step = engine.AddImage(
      {.id = Id("step"), .layers = {{Id("s"), 100}}, .created = Date(9, 1)});
  std::string a = engine.AddChild(
      step, {.tags = {"a:1"}, .layers = {{Id("a"), 1}}, .created = Date(9, 2)});
  std::string b = engine.AddChild(
      step, {.tags = {"b:1"}, .layers = {{Id("b"), 2}}, .created = Date(9, 3)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan =
      PlanFor(inventory, R"({"rules": [{"match": "*", "older_than": "7d"}]})");
  ASSERT_EQ(plan.actions.size(), 2u);
  EXPECT_THAT(plan.actions[0].also_removes, IsEmpty());
  EXPECT_THAT(plan.actions[1].also_removes, ElementsAre(step));
  EXPECT_EQ(plan.actions[0].bytes + plan.actions[1].bytes, 103u);
  EXPECT_EQ(plan.actions[1].bytes,
            (plan.actions[1].image == a ? 1u : 2u) + 100u);
  (void)b;
}

TEST(PlannerTest, AnIntermediateUsedByAContainerStopsThePruning) {
  TestEngine engine;
  std::string base = engine.AddImage({.tags = {"base:1"},
                                      .layers = {{Id("base"), 100}},
                                      .created = Date(9, 1)});
  std::string step = engine.AddChild(
      base,
      {.id = Id("step"), .layers = {{Id("s"), 5}}, .created = Date(9, 2)});
  std::string app = engine.AddChild(
      step,
      {.tags = {"app:1"}, .layers = {{Id("a"), 10}}, .created = Date(9, 3)});
  engine.AddContainer({.name = "debug", .image_id = step, .state = "exited"});
  Inventory inventory = engine.BuildOrDie();
  ASSERT_TRUE(inventory.images[1].intermediate);
  Plan plan =
      PlanFor(inventory, R"({"rules": [{"match": "*", "older_than": "7d"}]})");
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_EQ(plan.actions[0].image, app);
  EXPECT_THAT(plan.actions[0].also_removes, IsEmpty());
  EXPECT_EQ(plan.actions[0].bytes, 10u);
  // base:1 is the parent of the intermediate that stays.
  ExpectProtected(plan, base, "stays");
  EXPECT_FALSE(Touched(plan, step));
}

TEST(PlannerTest, AProtectedIntermediateIsNotPrunedWithItsChild) {
  // The intermediate carries gc.keep=true; its child overrode the label.
  // Deleting the child would make the engine remove the protected
  // intermediate too, so the child must stay.
  TestEngine engine;
  std::string step = engine.AddImage({.id = Id("step"),
                                      .layers = {{Id("s"), 100}},
                                      .created = Date(9, 1),
                                      .labels = {{"gc.keep", "true"}}});
  engine.AddChild(step, {.tags = {"app:1"},
                         .layers = {{Id("a"), 1}},
                         .created = Date(9, 2),
                         .labels = {{"gc.keep", "false"}}});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({
    "rules": [{"match": "*", "older_than": "7d"}],
    "protect": {"labels": ["gc.keep=true"]}})");
  EXPECT_FALSE(Touched(plan, step));
}

// ---- reasons, kept list, summary ----

TEST(PlannerTest, KeptImagesAreListedNewestFirst) {
  TestEngine engine;
  std::string a = engine.AddImage({.tags = {"a:1"}, .created = Date(3, 1)});
  std::string b = engine.AddImage({.tags = {"b:1"}, .created = Date(5, 1)});
  std::string c = engine.AddImage({.created = Date(4, 1)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": []})");
  ASSERT_EQ(plan.kept.size(), 3u);
  EXPECT_EQ(plan.kept[0].image, b);
  EXPECT_EQ(plan.kept[1].image, c);
  EXPECT_EQ(plan.kept[2].image, a);
  EXPECT_EQ(plan.kept[0].created, Date(5, 1));
  EXPECT_THAT(plan.kept[1].refs, IsEmpty());
}

TEST(PlannerTest, SummaryAndExactBytes) {
  // base (1000) is shared by every image; keep:1 keeps it on disk.
  TestEngine engine;
  auto layers = [](std::string own, int64_t size) {
    return std::vector<test_support::TestLayer>{{Id("base"), 1000},
                                                {Id(own), size}};
  };
  std::string old1 = engine.AddImage(
      {.tags = {"old:1"}, .layers = layers("o1", 100), .created = Date(9, 1)});
  std::string keep1 = engine.AddImage(
      {.tags = {"keep:1"}, .layers = layers("k", 200), .created = Date(9, 2)});
  std::string dangling =
      engine.AddImage({.layers = layers("d", 30), .created = Date(9, 3)});
  std::string step = engine.AddImage(
      {.id = Id("step"), .layers = layers("i", 5), .created = Date(9, 4)});
  std::string app1 = engine.AddChild(
      step,
      {.tags = {"app:1"}, .layers = {{Id("a"), 7}}, .created = Date(9, 5)});
  std::string shared = engine.AddImage({.tags = {"old:2", "keep:2"},
                                        .layers = layers("u", 50),
                                        .created = Date(9, 6)});
  std::string young = engine.AddImage(
      {.layers = layers("y", 3), .created = kNow - absl::Hours(2)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = PlanFor(inventory, R"({"rules": [
    {"name": "old", "match": ["old", "app"], "older_than": "7d"},
    {"name": "dangling", "dangling": true, "older_than": "1d"}]})");

  EXPECT_EQ(plan.summary.images, 6u);  // step is an intermediate
  EXPECT_EQ(plan.summary.deletes, 3u);
  EXPECT_EQ(plan.summary.untags, 1u);
  EXPECT_EQ(plan.summary.kept, 3u);  // keep:1, old:2/keep:2, young dangling
  EXPECT_EQ(plan.kept.size(), 3u);
  EXPECT_NE(KeptEntry(plan, keep1), nullptr);
  EXPECT_NE(KeptEntry(plan, shared), nullptr);
  EXPECT_NE(KeptEntry(plan, young), nullptr);
  // o1 + d + a + the pruned intermediate's i.
  EXPECT_EQ(plan.summary.reclaimable_bytes, 100u + 30u + 7u + 5u);
  // old:1 1100, dangling 1030, app:1 1012.
  EXPECT_EQ(plan.summary.naive_bytes, 1100u + 1030u + 1012u);

  uint64_t sum = 0;
  for (const Action& action : plan.actions) sum += action.bytes;
  EXPECT_EQ(sum, plan.summary.reclaimable_bytes);
  std::vector<ImageIndex> removed;
  for (const std::string& id : {old1, dangling, app1, step}) {
    removed.push_back(inventory.FindImage(id));
  }
  EXPECT_EQ(BytesFreedByRemoving(inventory, removed),
            plan.summary.reclaimable_bytes);

  ASSERT_EQ(plan.actions.size(), 4u);
  EXPECT_EQ(plan.actions[0].op, ActionOp::kUntag);
  EXPECT_EQ(plan.actions[0].image, shared);
  EXPECT_THAT(plan.actions[0].refs, ElementsAre("old:2"));
  EXPECT_EQ(ActionOn(plan, app1)->size, 1012u);
  EXPECT_EQ(ActionOn(plan, app1)->created, Date(9, 5));
}

TEST(PlannerTest, PlanCarriesEngineNowAndPolicySource) {
  TestEngine engine;
  engine.set_host("tcp://build-01:2376");
  engine.set_api_version("1.43");
  engine.AddImage({.tags = {"a:1"}});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = DefaultPolicy();
  Plan plan = ComputePlan(inventory, policy, kNow);
  EXPECT_EQ(plan.engine.host, "tcp://build-01:2376");
  EXPECT_EQ(plan.engine.api_version, "1.43");
  EXPECT_EQ(plan.now, kNow);
  EXPECT_EQ(plan.policy_source, "built-in default");
}

TEST(PlannerTest, DefaultPolicyDeletesOnlyOldDanglingImages) {
  TestEngine engine;
  std::string old_dangling =
      engine.AddImage({.layers = {{Id("d1"), 10}}, .created = DaysAgo(2)});
  std::string new_dangling = engine.AddImage(
      {.layers = {{Id("d2"), 20}}, .created = kNow - absl::Hours(5)});
  std::string tagged = engine.AddImage(
      {.tags = {"app:1"}, .layers = {{Id("t"), 40}}, .created = DaysAgo(300)});
  Inventory inventory = engine.BuildOrDie();
  Plan plan = ComputePlan(inventory, DefaultPolicy(), kNow);
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_EQ(plan.actions[0].image, old_dangling);
  EXPECT_EQ(plan.actions[0].rule, "dangling");
  EXPECT_EQ(plan.summary.reclaimable_bytes, 10u);
  EXPECT_NE(KeptEntry(plan, new_dangling), nullptr);
  EXPECT_NE(KeptEntry(plan, tagged), nullptr);
}

TEST(PlannerTest, EmptyInventory) {
  TestEngine engine;
  Plan plan = PlanFor(engine.BuildOrDie(),
                      R"({"rules": [{"match": "*", "older_than": "1d"}]})");
  EXPECT_THAT(plan.actions, IsEmpty());
  EXPECT_THAT(plan.kept, IsEmpty());
  EXPECT_EQ(plan.summary.images, 0u);
  EXPECT_EQ(plan.summary.reclaimable_bytes, 0u);
}

}  // namespace
}  // namespace dgc
