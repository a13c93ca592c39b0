// Tests of rule evaluation (core/rule_evaluation.h), the first stage of
// planning, against SPEC.md §3 "Evaluation": one decision per reference by
// the first matching rule in file order, references no rule matches kept,
// dangling images decided by dangling rules alone, rule labels, older_than
// measured from Created, keep_newest groups (repository, rule, label) with
// ties broken by ID, and the reasons given.
#include "core/rule_evaluation.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/json_reader.h"
#include "core/policy.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNow =
    test_support::DefaultCapturedAt();  // 2026-11-25T22:40:00Z

absl::Time DaysAgo(int days) { return kNow - absl::Hours(24 * days); }

absl::Time Date(int year, int month, int day) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, 12, 0, 0),
                         absl::UTCTimeZone());
}

Policy MustParse(std::string_view json) {
  absl::StatusOr<Policy> policy = ParsePolicy(PaddedBody(json), "test.json");
  EXPECT_TRUE(policy.ok()) << policy.status();
  if (!policy.ok()) return Policy{};
  return *std::move(policy);
}

// The decision of reference `ref` of image `index`.
const RefDecision* DecisionOf(const std::vector<ImageVerdict>& verdicts,
                              ImageIndex index, std::string_view ref) {
  for (const RefDecision& decision : verdicts[index].refs) {
    if (decision.ref == ref) return &decision;
  }
  ADD_FAILURE() << "image " << index << " has no decision for \"" << ref
                << "\"";
  static const RefDecision kNone;
  return &kNone;
}

TEST(EvaluateRulesTest, OneDecisionPerTagOneForDanglingNoneForIntermediate) {
  TestEngine engine;
  std::string base =
      engine.AddImage({.id = Id("intermediate"), .layers = {{Id("base"), 10}}});
  engine.AddChild(base, {.id = Id("app"),
                         .tags = {"app:1", "app:latest", "other:x"},
                         .layers = {{Id("app"), 5}}});
  engine.AddImage({.id = Id("dangling"), .layers = {{Id("d"), 3}}});
  Inventory inventory = engine.BuildOrDie();
  ASSERT_TRUE(inventory.images[0].intermediate);
  Policy policy = MustParse(R"({"rules": []})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_THAT(verdicts[0].refs, IsEmpty());
  ASSERT_EQ(verdicts[1].refs.size(), 3u);
  EXPECT_EQ(verdicts[1].refs[0].ref, "app:1");
  EXPECT_EQ(verdicts[1].refs[1].ref, "app:latest");
  EXPECT_EQ(verdicts[1].refs[2].ref, "other:x");
  ASSERT_EQ(verdicts[2].refs.size(), 1u);
  EXPECT_EQ(verdicts[2].refs[0].ref, "");
}

TEST(EvaluateRulesTest, ReferencesNoRuleMatchesAreKept) {
  TestEngine engine;
  engine.AddImage({.tags = {"app:1"}, .created = DaysAgo(100)});
  engine.AddImage({.created = DaysAgo(100)});  // dangling
  Inventory inventory = engine.BuildOrDie();
  Policy policy =
      MustParse(R"({"rules": [{"match": "other", "older_than": "1d"}]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  for (ImageIndex i : {0u, 1u}) {
    ASSERT_EQ(verdicts[i].refs.size(), 1u);
    EXPECT_EQ(verdicts[i].refs[0].rule, nullptr);
    EXPECT_FALSE(verdicts[i].refs[0].selected);
    EXPECT_EQ(verdicts[i].refs[0].reason, "no rule matches");
    EXPECT_FALSE(verdicts[i].AnySelected());
    EXPECT_FALSE(verdicts[i].AllSelected());
  }
}

TEST(EvaluateRulesTest, TheFirstMatchingRuleInFileOrderDecides) {
  TestEngine engine;
  engine.AddImage({.tags = {"app:stable", "app:1"}, .created = DaysAgo(30)});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(R"({"rules": [
    {"name": "pinned", "match": "app:stable", "keep": true},
    {"name": "old", "match": "app", "older_than": "7d"},
    {"name": "never reached", "match": "*", "keep": true}
  ]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  const RefDecision* stable = DecisionOf(verdicts, 0, "app:stable");
  EXPECT_EQ(stable->rule, &policy.rules[0]);
  EXPECT_FALSE(stable->selected);
  EXPECT_EQ(stable->reason, "kept by rule \"pinned\"");
  const RefDecision* one = DecisionOf(verdicts, 0, "app:1");
  EXPECT_EQ(one->rule, &policy.rules[1]);
  EXPECT_TRUE(one->selected);
  EXPECT_TRUE(verdicts[0].AnySelected());
  EXPECT_FALSE(verdicts[0].AllSelected());

  // In the other order the broader rule decides both.
  Policy reversed = MustParse(R"({"rules": [
    {"name": "old", "match": "app", "older_than": "7d"},
    {"name": "pinned", "match": "app:stable", "keep": true}
  ]})");
  verdicts = EvaluateRules(inventory, reversed, kNow);
  EXPECT_EQ(DecisionOf(verdicts, 0, "app:stable")->rule, &reversed.rules[0]);
  EXPECT_TRUE(verdicts[0].AllSelected());
}

TEST(EvaluateRulesTest, DanglingImagesAreDecidedByDanglingRulesAlone) {
  TestEngine engine;
  engine.AddImage({.tags = {"app:1"}, .created = DaysAgo(30)});
  engine.AddImage({.created = DaysAgo(30)});  // dangling
  Inventory inventory = engine.BuildOrDie();

  // A catch-all match rule does not decide the dangling image...
  Policy match_all =
      MustParse(R"({"rules": [{"match": "*", "older_than": "1d"}]})");
  std::vector<ImageVerdict> verdicts =
      EvaluateRules(inventory, match_all, kNow);
  EXPECT_TRUE(verdicts[0].AllSelected());
  EXPECT_EQ(verdicts[1].refs[0].rule, nullptr);
  EXPECT_FALSE(verdicts[1].AnySelected());

  // ...and a dangling rule does not decide the tagged one.
  Policy dangling =
      MustParse(R"({"rules": [{"dangling": true, "older_than": "1d"}]})");
  verdicts = EvaluateRules(inventory, dangling, kNow);
  EXPECT_EQ(verdicts[0].refs[0].rule, nullptr);
  EXPECT_FALSE(verdicts[0].AnySelected());
  EXPECT_EQ(verdicts[1].refs[0].rule, &dangling.rules[0]);
  EXPECT_TRUE(verdicts[1].AllSelected());
  EXPECT_THAT(verdicts[1].refs[0].reason, HasSubstr("older than 1d"));
}

TEST(EvaluateRulesTest, RuleLabelsMustAllHold) {
  TestEngine engine;
  engine.AddImage({.tags = {"db:1"},
                   .created = DaysAgo(30),
                   .labels = {{"tier", "db"}, {"team", "core"}}});
  engine.AddImage(
      {.tags = {"db:2"}, .created = DaysAgo(30), .labels = {{"tier", "db"}}});
  engine.AddImage({.tags = {"db:3"}, .created = DaysAgo(30)});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(R"({"rules": [
    {"name": "core db", "match": "*", "labels": ["tier=db", "team"], "keep": true},
    {"name": "rest", "match": "*", "older_than": "7d"}
  ]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  EXPECT_EQ(verdicts[0].refs[0].rule, &policy.rules[0]);
  EXPECT_FALSE(verdicts[0].refs[0].selected);
  EXPECT_EQ(verdicts[1].refs[0].rule, &policy.rules[1]);
  EXPECT_TRUE(verdicts[1].refs[0].selected);
  EXPECT_EQ(verdicts[2].refs[0].rule, &policy.rules[1]);
}

TEST(EvaluateRulesTest, DanglingRuleWithLabels) {
  TestEngine engine;
  engine.AddImage({.created = DaysAgo(30), .labels = {{"stage", "build"}}});
  engine.AddImage({.created = DaysAgo(30)});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(R"({"rules": [
    {"dangling": true, "labels": ["stage=build"], "older_than": "1d"}
  ]})");
  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  EXPECT_TRUE(verdicts[0].AllSelected());
  EXPECT_EQ(verdicts[1].refs[0].rule, nullptr);
}

TEST(EvaluateRulesTest, OlderThanIsMeasuredFromCreated) {
  TestEngine engine;
  // Created long ago but tagged a minute ago: age is from Created.
  engine.AddImage({.tags = {"a:old"},
                   .created = Date(2026, 10, 16),
                   .last_tag_time = kNow - absl::Minutes(1)});
  engine.AddImage({.tags = {"a:new"}, .created = Date(2026, 11, 20)});
  engine.AddImage({.tags = {"a:just-older"},
                   .created = kNow - absl::Hours(24 * 7) - absl::Seconds(1)});
  engine.AddImage({.tags = {"a:just-younger"},
                   .created = kNow - absl::Hours(24 * 7) + absl::Seconds(1)});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(
      R"({"rules": [{"name": "legacy", "match": "a", "older_than": "7d"}]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  EXPECT_TRUE(verdicts[0].refs[0].selected);
  EXPECT_EQ(verdicts[0].refs[0].reason, "older than 7d (created 2026-10-16)");
  EXPECT_FALSE(verdicts[1].refs[0].selected);
  EXPECT_EQ(verdicts[1].refs[0].reason, "younger than 7d (created 2026-11-20)");
  EXPECT_TRUE(verdicts[2].refs[0].selected);
  EXPECT_FALSE(verdicts[3].refs[0].selected);
}

TEST(EvaluateRulesTest, KeepNewestPerRepository) {
  TestEngine engine;
  for (int i = 1; i <= 4; ++i) {
    engine.AddImage(
        {.tags = {"a:" + std::to_string(i)}, .created = DaysAgo(10 - i)});
  }
  for (int i = 1; i <= 2; ++i) {
    engine.AddImage(
        {.tags = {"b:" + std::to_string(i)}, .created = DaysAgo(20 - i)});
  }
  Inventory inventory = engine.BuildOrDie();
  Policy policy =
      MustParse(R"({"rules": [{"match": ["a", "b"], "keep_newest": 2}]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  // a:3 and a:4 are the newest of a; b has only two.
  EXPECT_TRUE(verdicts[0].refs[0].selected);
  EXPECT_EQ(verdicts[0].refs[0].reason, "not among the newest 2 of a");
  EXPECT_TRUE(verdicts[1].refs[0].selected);
  EXPECT_FALSE(verdicts[2].refs[0].selected);
  EXPECT_EQ(verdicts[2].refs[0].reason, "newest 2 of a");
  EXPECT_FALSE(verdicts[3].refs[0].selected);
  EXPECT_FALSE(verdicts[4].refs[0].selected);
  EXPECT_EQ(verdicts[4].refs[0].reason, "newest 2 of b");
  EXPECT_FALSE(verdicts[5].refs[0].selected);
}

TEST(EvaluateRulesTest, AnImageWithTwoTagsInARepositoryCountsOnce) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:3", "a:latest"}, .created = DaysAgo(1)});
  engine.AddImage({.tags = {"a:2"}, .created = DaysAgo(2)});
  engine.AddImage({.tags = {"a:1"}, .created = DaysAgo(3)});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(R"({"rules": [{"match": "a", "keep_newest": 2}]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  EXPECT_FALSE(verdicts[0].AnySelected());
  EXPECT_FALSE(verdicts[1].AnySelected());
  EXPECT_TRUE(verdicts[2].AllSelected());
}

TEST(EvaluateRulesTest, KeepNewestTiesInCreatedAreBrokenByIdWhateverTheOrder) {
  // Two images created at the same second: exactly one is the newest, and
  // the same one whichever order the engine lists them in.
  auto winner = [](bool swapped) {
    TestEngine engine;
    test_support::TestImage x{
        .id = Id("x"), .tags = {"a:x"}, .created = DaysAgo(3)};
    test_support::TestImage y{
        .id = Id("y"), .tags = {"a:y"}, .created = DaysAgo(3)};
    engine.AddImage(swapped ? y : x);
    engine.AddImage(swapped ? x : y);
    Inventory inventory = engine.BuildOrDie();
    Policy policy =
        MustParse(R"({"rules": [{"match": "a", "keep_newest": 1}]})");
    std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
    EXPECT_NE(verdicts[0].AnySelected(), verdicts[1].AnySelected());
    return verdicts[0].AnySelected() ? inventory.images[1].id
                                     : inventory.images[0].id;
  };
  EXPECT_EQ(winner(false), winner(true));
}

TEST(EvaluateRulesTest, KeepNewestGroupByRuleSpansRepositories) {
  TestEngine engine;
  for (int i = 1; i <= 4; ++i) {
    engine.AddImage({.tags = {"myapp-main-" + std::to_string(i) + ":latest"},
                     .created = DaysAgo(10 - i)});
  }
  engine.AddImage({.tags = {"myapp-dev-1:latest"}, .created = DaysAgo(30)});
  Inventory inventory = engine.BuildOrDie();

  Policy by_rule = MustParse(R"({"rules": [
    {"match": "myapp-main-*", "keep_newest": 2, "group_by": "rule"}]})");
  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, by_rule, kNow);
  EXPECT_TRUE(verdicts[0].AllSelected());
  EXPECT_TRUE(verdicts[1].AllSelected());
  EXPECT_FALSE(verdicts[2].AnySelected());
  EXPECT_FALSE(verdicts[3].AnySelected());
  EXPECT_EQ(verdicts[4].refs[0].rule, nullptr);
  EXPECT_THAT(verdicts[0].refs[0].reason, HasSubstr("not among the newest 2"));
  EXPECT_THAT(verdicts[3].refs[0].reason, HasSubstr("newest 2"));

  // By repository (the default), each repository has one image: all kept.
  Policy by_repository =
      MustParse(R"({"rules": [{"match": "myapp-main-*", "keep_newest": 2}]})");
  verdicts = EvaluateRules(inventory, by_repository, kNow);
  for (ImageIndex i = 0; i < 4; ++i) EXPECT_FALSE(verdicts[i].AnySelected());
}

TEST(EvaluateRulesTest, KeepNewestGroupByLabel) {
  TestEngine engine;
  auto add = [&](std::string tag, int days, Labels labels) {
    engine.AddImage({.tags = {std::move(tag)},
                     .created = DaysAgo(days),
                     .labels = std::move(labels)});
  };
  add("shop-web:1", 5, {{"com.docker.compose.project", "shop"}});
  add("shop-db:1", 4, {{"com.docker.compose.project", "shop"}});
  add("blog-web:1", 9, {{"com.docker.compose.project", "blog"}});
  add("blog-web:2", 8, {{"com.docker.compose.project", "blog"}});
  add("loose:1", 7, {});
  add("loose:2", 6, {{"other", "x"}});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(R"({"rules": [
    {"match": "*", "keep_newest": 1, "group_by": "label:com.docker.compose.project"}
  ]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  EXPECT_TRUE(verdicts[0].AllSelected());  // shop: shop-db:1 is newer
  EXPECT_FALSE(verdicts[1].AnySelected());
  EXPECT_TRUE(verdicts[2].AllSelected());  // blog: blog-web:2 is newer
  EXPECT_FALSE(verdicts[3].AnySelected());
  // Images without the label form one group of their own.
  EXPECT_TRUE(verdicts[4].AllSelected());
  EXPECT_FALSE(verdicts[5].AnySelected());
  EXPECT_THAT(verdicts[0].refs[0].reason, HasSubstr("shop"));
  EXPECT_THAT(verdicts[2].refs[0].reason, HasSubstr("blog"));
}

TEST(EvaluateRulesTest, KeepNewestWithOlderThanSelectsOnlyOldOnes) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"}, .created = Date(2026, 10, 1)});
  engine.AddImage({.tags = {"a:2"}, .created = Date(2026, 10, 16)});
  engine.AddImage({.tags = {"a:3"}, .created = Date(2026, 11, 22)});
  engine.AddImage({.tags = {"a:4"}, .created = Date(2026, 11, 24)});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(R"({"rules": [
    {"match": "a", "keep_newest": 1, "older_than": "7d"}]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  EXPECT_TRUE(verdicts[0].AllSelected());
  EXPECT_TRUE(verdicts[1].AllSelected());
  EXPECT_THAT(verdicts[1].refs[0].reason,
              HasSubstr("not among the newest 1 of a"));
  EXPECT_THAT(verdicts[1].refs[0].reason,
              HasSubstr("older than 7d (created 2026-10-16)"));
  // Not among the newest, but younger than 7d: kept.
  EXPECT_FALSE(verdicts[2].AnySelected());
  EXPECT_THAT(verdicts[2].refs[0].reason,
              HasSubstr("younger than 7d (created 2026-11-22)"));
  EXPECT_FALSE(verdicts[3].AnySelected());
  EXPECT_EQ(verdicts[3].refs[0].reason, "newest 1 of a");
}

TEST(EvaluateRulesTest, KeepNewestCountsOnlyReferencesTheRuleDecides) {
  // a:pinned is decided by the keep rule, so it does not take one of the
  // two places of rule "recent".
  TestEngine engine;
  engine.AddImage({.tags = {"a:pinned"}, .created = DaysAgo(1)});
  engine.AddImage({.tags = {"a:3"}, .created = DaysAgo(2)});
  engine.AddImage({.tags = {"a:2"}, .created = DaysAgo(3)});
  engine.AddImage({.tags = {"a:1"}, .created = DaysAgo(4)});
  Inventory inventory = engine.BuildOrDie();
  Policy policy = MustParse(R"({"rules": [
    {"name": "pin", "match": "a:pinned", "keep": true},
    {"name": "recent", "match": "a", "keep_newest": 2}]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  EXPECT_FALSE(verdicts[0].AnySelected());
  EXPECT_FALSE(verdicts[1].AnySelected());
  EXPECT_FALSE(verdicts[2].AnySelected());
  EXPECT_TRUE(verdicts[3].AllSelected());
}

TEST(EvaluateRulesTest, KeepNewestOfDanglingImages) {
  TestEngine engine;
  engine.AddImage({.created = DaysAgo(3)});
  engine.AddImage({.created = DaysAgo(1)});
  engine.AddImage({.created = DaysAgo(2)});
  Inventory inventory = engine.BuildOrDie();
  Policy policy =
      MustParse(R"({"rules": [{"dangling": true, "keep_newest": 1}]})");

  std::vector<ImageVerdict> verdicts = EvaluateRules(inventory, policy, kNow);
  EXPECT_TRUE(verdicts[0].AllSelected());
  EXPECT_FALSE(verdicts[1].AnySelected());
  EXPECT_TRUE(verdicts[2].AllSelected());
}

TEST(ImageVerdictTest, AnyAndAllSelected) {
  ImageVerdict none;
  EXPECT_FALSE(none.AnySelected());
  EXPECT_FALSE(none.AllSelected());  // nothing to delete without references

  ImageVerdict mixed;
  mixed.refs.push_back(
      {.ref = "a:1", .rule = nullptr, .selected = true, .reason = ""});
  mixed.refs.push_back(
      {.ref = "a:2", .rule = nullptr, .selected = false, .reason = ""});
  EXPECT_TRUE(mixed.AnySelected());
  EXPECT_FALSE(mixed.AllSelected());

  mixed.refs[1].selected = true;
  EXPECT_TRUE(mixed.AllSelected());
}

}  // namespace
}  // namespace dgc
