// Tests of gc.json parsing (core/policy.h) against SPEC.md §3: every field
// accepted in every documented form, defaults, and every error with its
// exact message ("SOURCE: rule N (\"NAME\"): field \"F\": …"), several
// errors reported together one per line; DefaultPolicy, Rule::Describe and
// LabelCondition.
#include "core/policy.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "core/json_reader.h"
#include "core/string_views.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

absl::StatusOr<Policy> Parse(std::string_view json) {
  return ParsePolicy(PaddedBody(json), "gc.json");
}

// Parses a policy that must be valid.
Policy MustParse(std::string_view json) {
  absl::StatusOr<Policy> policy = Parse(json);
  EXPECT_TRUE(policy.ok()) << json << "\n" << policy.status();
  if (!policy.ok()) return Policy{};
  return *std::move(policy);
}

// The error message of a policy that must be invalid.
std::string ErrorOf(std::string_view json) {
  absl::StatusOr<Policy> policy = Parse(json);
  EXPECT_FALSE(policy.ok()) << json << " parsed";
  if (policy.ok()) return "";
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(ToStd(policy.status().message()));
}

// The error of a policy with `rule` (a JSON object) as its only rule.
std::string RuleError(std::string_view rule) {
  return ErrorOf(std::string("{\"rules\": [") + std::string(rule) + "]}");
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n');
}

std::vector<std::string> Patterns(const std::vector<Glob>& globs) {
  std::vector<std::string> patterns;
  for (const Glob& glob : globs) patterns.push_back(glob.pattern());
  return patterns;
}

// ---- accepted policies ----

TEST(PolicyParseTest, TheSpecExample) {
  Policy policy = MustParse(R"({
    "rules": [
      {"name": "releases", "match": "onai-integrator-login-main-*", "keep_newest": 2},
      {"name": "legacy",   "match": "docker-*", "older_than": "7d"},
      {"name": "dangling", "dangling": true, "older_than": "24h"}
    ],
    "protect": {"match": ["postgres:*"], "labels": ["gc.keep=true"]},
    "min_age": "1h"
  })");
  EXPECT_EQ(policy.source, "gc.json");
  ASSERT_EQ(policy.rules.size(), 3u);

  const Rule& releases = policy.rules[0];
  EXPECT_EQ(releases.number, 1u);
  EXPECT_EQ(releases.name, "releases");
  EXPECT_THAT(Patterns(releases.match),
              ElementsAre("onai-integrator-login-main-*"));
  EXPECT_FALSE(releases.dangling);
  EXPECT_EQ(releases.keep_newest, 2u);
  EXPECT_FALSE(releases.older_than.has_value());
  EXPECT_EQ(releases.group_by, GroupBy::kRepository);
  EXPECT_FALSE(releases.keep);
  EXPECT_THAT(releases.labels, IsEmpty());

  const Rule& legacy = policy.rules[1];
  EXPECT_EQ(legacy.number, 2u);
  EXPECT_EQ(legacy.name, "legacy");
  EXPECT_THAT(Patterns(legacy.match), ElementsAre("docker-*"));
  ASSERT_TRUE(legacy.older_than.has_value());
  EXPECT_EQ(legacy.older_than->duration, absl::Hours(7 * 24));
  EXPECT_EQ(legacy.older_than->text, "7d");
  EXPECT_FALSE(legacy.keep_newest.has_value());

  const Rule& dangling = policy.rules[2];
  EXPECT_EQ(dangling.number, 3u);
  EXPECT_TRUE(dangling.dangling);
  EXPECT_THAT(dangling.match, IsEmpty());
  ASSERT_TRUE(dangling.older_than.has_value());
  EXPECT_EQ(dangling.older_than->duration, absl::Hours(24));

  EXPECT_THAT(Patterns(policy.protect_match), ElementsAre("postgres:*"));
  ASSERT_EQ(policy.protect_labels.size(), 1u);
  EXPECT_EQ(policy.protect_labels[0].key, "gc.keep");
  EXPECT_EQ(policy.protect_labels[0].value, "true");
  EXPECT_EQ(policy.min_age.duration, absl::Hours(1));
  EXPECT_EQ(policy.min_age.text, "1h");
}

TEST(PolicyParseTest, MatchAsAStringAndAsAnArray) {
  Policy policy = MustParse(R"({"rules": [
    {"match": "a", "older_than": "1d"},
    {"match": ["b", "c:*", "registry.example.com/*"], "older_than": "1d"}
  ]})");
  ASSERT_EQ(policy.rules.size(), 2u);
  EXPECT_THAT(Patterns(policy.rules[0].match), ElementsAre("a"));
  EXPECT_THAT(Patterns(policy.rules[1].match),
              ElementsAre("b", "c:*", "registry.example.com/*"));
  EXPECT_FALSE(policy.rules[1].match[0].has_tag());
  EXPECT_TRUE(policy.rules[1].match[1].has_tag());
}

TEST(PolicyParseTest, NamesDefaultToRuleN) {
  Policy policy = MustParse(R"({"rules": [
    {"match": "a", "older_than": "1d"},
    {"name": "second", "match": "b", "older_than": "1d"},
    {"dangling": true, "older_than": "1d"}
  ]})");
  ASSERT_EQ(policy.rules.size(), 3u);
  EXPECT_EQ(policy.rules[0].name, "rule 1");
  EXPECT_EQ(policy.rules[1].name, "second");
  EXPECT_EQ(policy.rules[2].name, "rule 3");
  EXPECT_EQ(policy.rules[2].number, 3u);
}

TEST(PolicyParseTest, LabelsKeyAndKeyEqualsValue) {
  Policy policy = MustParse(R"({"rules": [
    {"match": "*", "labels": ["com.example.tier", "env=prod", "x=a=b", "y="],
     "older_than": "1d"}
  ]})");
  ASSERT_EQ(policy.rules.size(), 1u);
  const std::vector<LabelCondition>& labels = policy.rules[0].labels;
  ASSERT_EQ(labels.size(), 4u);
  EXPECT_EQ(labels[0].key, "com.example.tier");
  EXPECT_FALSE(labels[0].value.has_value());
  EXPECT_EQ(labels[1].key, "env");
  EXPECT_EQ(labels[1].value, "prod");
  // The value is everything after the first '='.
  EXPECT_EQ(labels[2].key, "x");
  EXPECT_EQ(labels[2].value, "a=b");
  // "y=" asks for the label set to the empty string.
  EXPECT_EQ(labels[3].key, "y");
  EXPECT_EQ(labels[3].value, "");
}

TEST(PolicyParseTest, DurationsInEveryUnit) {
  Policy policy = MustParse(R"({"rules": [
    {"match": "a", "older_than": "90m"},
    {"match": "b", "older_than": "36h"},
    {"match": "c", "older_than": "7d"},
    {"match": "d", "older_than": "2w"}
  ], "min_age": "30m"})");
  ASSERT_EQ(policy.rules.size(), 4u);
  EXPECT_EQ(policy.rules[0].older_than->duration, absl::Minutes(90));
  EXPECT_EQ(policy.rules[0].older_than->text, "90m");
  EXPECT_EQ(policy.rules[1].older_than->duration, absl::Hours(36));
  EXPECT_EQ(policy.rules[1].older_than->text, "36h");
  EXPECT_EQ(policy.rules[2].older_than->duration, absl::Hours(7 * 24));
  EXPECT_EQ(policy.rules[3].older_than->duration, absl::Hours(14 * 24));
  EXPECT_EQ(policy.rules[3].older_than->text, "2w");
  EXPECT_EQ(policy.min_age.duration, absl::Minutes(30));
  EXPECT_EQ(policy.min_age.text, "30m");
}

TEST(PolicyParseTest, KeepNewestWithOlderThan) {
  Policy policy = MustParse(
      R"({"rules": [{"match": "a", "keep_newest": 3, "older_than": "7d"}]})");
  ASSERT_EQ(policy.rules.size(), 1u);
  EXPECT_EQ(policy.rules[0].keep_newest, 3u);
  EXPECT_EQ(policy.rules[0].older_than->duration, absl::Hours(7 * 24));
}

TEST(PolicyParseTest, KeepNewestLimits) {
  Policy policy = MustParse(R"({"rules": [
    {"match": "a", "keep_newest": 0},
    {"match": "b", "keep_newest": 4294967295}
  ]})");
  ASSERT_EQ(policy.rules.size(), 2u);
  EXPECT_EQ(policy.rules[0].keep_newest, 0u);
  EXPECT_EQ(policy.rules[1].keep_newest, 4294967295u);
}

TEST(PolicyParseTest, GroupByRepositoryRuleAndLabel) {
  Policy policy = MustParse(R"({"rules": [
    {"match": "a", "keep_newest": 1},
    {"match": "b", "keep_newest": 1, "group_by": "repository"},
    {"match": "myapp-main-*", "keep_newest": 2, "group_by": "rule"},
    {"match": "*", "keep_newest": 1,
     "group_by": "label:com.docker.compose.project"}
  ]})");
  ASSERT_EQ(policy.rules.size(), 4u);
  EXPECT_EQ(policy.rules[0].group_by, GroupBy::kRepository);
  EXPECT_EQ(policy.rules[1].group_by, GroupBy::kRepository);
  EXPECT_EQ(policy.rules[2].group_by, GroupBy::kRule);
  EXPECT_EQ(policy.rules[3].group_by, GroupBy::kLabel);
  EXPECT_EQ(policy.rules[3].group_label, "com.docker.compose.project");
}

TEST(PolicyParseTest, KeepRule) {
  Policy policy = MustParse(R"({"rules": [
    {"name": "pinned", "match": ["app:stable", "app:prod-*"], "keep": true}
  ]})");
  ASSERT_EQ(policy.rules.size(), 1u);
  EXPECT_TRUE(policy.rules[0].keep);
  EXPECT_FALSE(policy.rules[0].keep_newest.has_value());
  EXPECT_FALSE(policy.rules[0].older_than.has_value());
}

TEST(PolicyParseTest, DanglingFalseWithMatchIsAMatchRule) {
  Policy policy = MustParse(
      R"({"rules": [{"match": "a", "dangling": false, "older_than": "1d"}]})");
  ASSERT_EQ(policy.rules.size(), 1u);
  EXPECT_FALSE(policy.rules[0].dangling);
}

TEST(PolicyParseTest, DefaultsWithoutProtectAndMinAge) {
  Policy policy =
      MustParse(R"({"rules": [{"match": "a", "older_than": "1d"}]})");
  EXPECT_THAT(policy.protect_match, IsEmpty());
  EXPECT_THAT(policy.protect_labels, IsEmpty());
  EXPECT_EQ(policy.min_age.duration, absl::Hours(1));
  EXPECT_EQ(policy.min_age.text, "1h");
}

TEST(PolicyParseTest, EmptyRulesKeepEverything) {
  Policy policy = MustParse(R"({"rules": []})");
  EXPECT_THAT(policy.rules, IsEmpty());
}

TEST(PolicyParseTest, ProtectMatchAsAStringAndLabelsKeyOnly) {
  Policy policy = MustParse(R"({"rules": [],
    "protect": {"match": "postgres:*", "labels": ["keep"]}})");
  EXPECT_THAT(Patterns(policy.protect_match), ElementsAre("postgres:*"));
  ASSERT_EQ(policy.protect_labels.size(), 1u);
  EXPECT_EQ(policy.protect_labels[0].key, "keep");
  EXPECT_FALSE(policy.protect_labels[0].value.has_value());
}

TEST(PolicyParseTest, SourceNamesThePolicy) {
  absl::StatusOr<Policy> policy =
      ParsePolicy(PaddedBody(R"({"rules": []})"), "/etc/docker/gc.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->source, "/etc/docker/gc.json");
}

// ---- errors: unknown fields ----

TEST(PolicyErrorTest, UnknownRuleField) {
  EXPECT_EQ(RuleError(R"({"match": "a", "olderthan": "7d", "older_than": "1d",
                          "name": "x"})"),
            "gc.json: rule 1 (\"x\"): field \"olderthan\": unknown field "
            "(known: name, match, dangling, labels, keep_newest, older_than, "
            "group_by, keep)");
}

TEST(PolicyErrorTest, UnknownTopLevelField) {
  EXPECT_EQ(ErrorOf(R"({"rules": [], "min-age": "1h"})"),
            "gc.json: field \"min-age\": unknown field (known: rules, "
            "protect, min_age, threshold, order, build_cache, containers, "
            "volumes)");
}

TEST(PolicyErrorTest, UnknownProtectField) {
  EXPECT_EQ(ErrorOf(R"({"rules": [], "protect": {"label": ["a"]}})"),
            "gc.json: field \"protect.label\": unknown field (known: match, "
            "labels)");
}

// ---- errors: types ----

// A field with a wrong value is reported once: not also as missing (no
// "has no effect", no "needs match or dangling").
TEST(PolicyErrorTest, WrongTypesInARule) {
  EXPECT_EQ(RuleError(R"({"name": 5, "match": "a", "older_than": "1d"})"),
            "gc.json: rule 1 (\"rule 1\"): field \"name\": want a string");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": 5, "older_than": "1d"})"),
            "gc.json: rule 1 (\"x\"): field \"match\": want a glob or an "
            "array of globs");
  EXPECT_EQ(
      RuleError(R"({"name": "x", "match": ["a", 5], "older_than": "1d"})"),
      "gc.json: rule 1 (\"x\"): field \"match\": want a glob or an "
      "array of globs");
  EXPECT_EQ(
      RuleError(R"({"name": "x", "dangling": "yes", "older_than": "1d"})"),
      "gc.json: rule 1 (\"x\"): field \"dangling\": want true or false");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "labels": "tier=db",
                          "older_than": "1d"})"),
            "gc.json: rule 1 (\"x\"): field \"labels\": want an array of "
            "\"key\" or \"key=value\" strings");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "labels": [1],
                          "older_than": "1d"})"),
            "gc.json: rule 1 (\"x\"): field \"labels\": want an array of "
            "\"key\" or \"key=value\" strings");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "keep_newest": "2"})"),
            "gc.json: rule 1 (\"x\"): field \"keep_newest\": want a whole "
            "number");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "keep": "true"})"),
            "gc.json: rule 1 (\"x\"): field \"keep\": want true or false");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "keep_newest": 1,
                          "group_by": 1})"),
            "gc.json: rule 1 (\"x\"): field \"group_by\": want a string");
}

TEST(PolicyErrorTest, OlderThanNotAString) {
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "older_than": 7})"),
            "gc.json: rule 1 (\"x\"): field \"older_than\": want a duration "
            "such as \"90m\", \"36h\", \"7d\" or \"2w\"");
}

TEST(PolicyErrorTest, WrongTopLevelTypes) {
  EXPECT_EQ(ErrorOf(R"({"rules": {}})"),
            "gc.json: field \"rules\": want an array of rules");
  EXPECT_EQ(ErrorOf(R"({"rules": [5]})"), "gc.json: rule 1: want an object");
  EXPECT_EQ(ErrorOf(R"({"rules": [{"match": "a", "keep": true}, "x"]})"),
            "gc.json: rule 2: want an object");
  EXPECT_EQ(ErrorOf(R"({"rules": [], "protect": ["postgres:*"]})"),
            "gc.json: field \"protect\": want an object with \"match\" "
            "and/or \"labels\"");
  EXPECT_EQ(ErrorOf(R"({"rules": [], "min_age": 3600})"),
            "gc.json: field \"min_age\": want a duration such as \"90m\", "
            "\"36h\", \"7d\" or \"2w\"");
  EXPECT_EQ(ErrorOf(R"({"rules": [], "protect": {"match": 5}})"),
            "gc.json: field \"protect.match\": want a glob or an array of "
            "globs");
  EXPECT_EQ(ErrorOf(R"({"rules": [], "protect": {"labels": "a=b"}})"),
            "gc.json: field \"protect.labels\": want an array of \"key\" or "
            "\"key=value\" strings");
}

// Valid JSON that is not an object is not "invalid JSON"; nor is an empty
// file.
TEST(PolicyErrorTest, NotAnObject) {
  for (std::string_view text :
       {"[]", "[{\"rules\": []}]", "null", "5", "\"rules\"", "", " \n"}) {
    EXPECT_EQ(ErrorOf(text), "gc.json: want a JSON object with \"rules\"")
        << "text: " << text;
  }
}

TEST(PolicyErrorTest, MissingRules) {
  EXPECT_EQ(ErrorOf(R"({})"), "gc.json: field \"rules\": missing");
  EXPECT_EQ(ErrorOf(R"({"min_age": "1h"})"),
            "gc.json: field \"rules\": missing");
}

TEST(PolicyErrorTest, InvalidJson) {
  for (std::string_view text :
       {"{", R"({"rules": [)", R"({"rules": []} x)", "{rules: []}"}) {
    EXPECT_THAT(ErrorOf(text), StartsWith("gc.json: invalid JSON: "))
        << "text: " << text;
  }
}

// ---- errors: rule structure ----

TEST(PolicyErrorTest, BothMatchAndDangling) {
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "dangling": true,
                          "older_than": "1d"})"),
            "gc.json: rule 1 (\"x\"): has both \"match\" and \"dangling\"; "
            "use one");
}

TEST(PolicyErrorTest, NeitherMatchNorDangling) {
  EXPECT_EQ(RuleError(R"({"name": "x", "older_than": "1d"})"),
            "gc.json: rule 1 (\"x\"): needs \"match\" or \"dangling\": true");
  EXPECT_EQ(
      RuleError(R"({"name": "x", "dangling": false, "older_than": "1d"})"),
      "gc.json: rule 1 (\"x\"): needs \"match\" or \"dangling\": true");
}

TEST(PolicyErrorTest, NoEffect) {
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a"})"),
            "gc.json: rule 1 (\"x\"): has no effect: give \"keep_newest\", "
            "\"older_than\" or \"keep\": true");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "keep": false})"),
            "gc.json: rule 1 (\"x\"): has no effect: give \"keep_newest\", "
            "\"older_than\" or \"keep\": true");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "labels": ["k"]})"),
            "gc.json: rule 1 (\"x\"): has no effect: give \"keep_newest\", "
            "\"older_than\" or \"keep\": true");
}

TEST(PolicyErrorTest, KeepWithKeepNewestOrOlderThan) {
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "keep": true,
                          "keep_newest": 2})"),
            "gc.json: rule 1 (\"x\"): field \"keep\": cannot be combined "
            "with \"keep_newest\" or \"older_than\"");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "keep": true,
                          "older_than": "7d"})"),
            "gc.json: rule 1 (\"x\"): field \"keep\": cannot be combined "
            "with \"keep_newest\" or \"older_than\"");
}

TEST(PolicyErrorTest, BadKeepNewest) {
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "keep_newest": -1})"),
            "gc.json: rule 1 (\"x\"): field \"keep_newest\": -1 is negative");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "keep_newest": 1.5,
                          "older_than": "1d"})"),
            "gc.json: rule 1 (\"x\"): field \"keep_newest\": want a whole "
            "number");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "keep_newest": 4294967296,
                          "older_than": "1d"})"),
            "gc.json: rule 1 (\"x\"): field \"keep_newest\": 4294967296 is "
            "too large");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a",
                          "keep_newest": 99999999999999999999,
                          "older_than": "1d"})"),
            "gc.json: rule 1 (\"x\"): field \"keep_newest\": want a whole "
            "number");
}

TEST(PolicyErrorTest, BadDurations) {
  for (std::string_view text :
       {"7", "d", "7x", "7s", "7D", "-1d", "1.5h", "7 d", " 7d", "7dd", "1e3d",
        "99999999999999999999d", ""}) {
    std::string rule =
        std::string(
            R"({"name": "x", "match": "a", "keep_newest": 1, "older_than": ")") +
        std::string(text) + "\"}";
    EXPECT_EQ(RuleError(rule),
              "gc.json: rule 1 (\"x\"): field \"older_than\": invalid "
              "duration \"" +
                  std::string(text) +
                  "\": want a whole number and a unit m, h, d or w, e.g. "
                  "90m, 36h, 7d, 2w")
        << "duration " << text;
  }
  EXPECT_EQ(ErrorOf(R"({"rules": [], "min_age": "1 hour"})"),
            "gc.json: field \"min_age\": invalid duration \"1 hour\": want a "
            "whole number and a unit m, h, d or w, e.g. 90m, 36h, 7d, 2w");
}

TEST(PolicyErrorTest, BadGlobs) {
  EXPECT_EQ(
      RuleError(R"({"name": "x", "match": "app-[0-9", "keep_newest": 1})"),
      "gc.json: rule 1 (\"x\"): field \"match\": pattern \"app-[0-9\" "
      "has an unclosed [");
  EXPECT_EQ(
      RuleError(R"({"name": "x", "match": ["ok", "app\\"], "keep_newest": 1})"),
      "gc.json: rule 1 (\"x\"): field \"match\": pattern \"app\\\" "
      "ends with a lone \\");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "", "keep_newest": 1})"),
            "gc.json: rule 1 (\"x\"): field \"match\": empty pattern");
  EXPECT_EQ(ErrorOf(R"({"rules": [], "protect": {"match": ["[x"]}})"),
            "gc.json: field \"protect.match\": pattern \"[x\" has an "
            "unclosed [");
}

TEST(PolicyErrorTest, EmptyMatchArray) {
  EXPECT_EQ(RuleError(R"({"name": "x", "match": [], "keep_newest": 1})"),
            "gc.json: rule 1 (\"x\"): field \"match\": an empty array "
            "matches nothing");
  EXPECT_EQ(ErrorOf(R"({"rules": [], "protect": {"match": []}})"),
            "gc.json: field \"protect.match\": an empty array matches "
            "nothing");
}

TEST(PolicyErrorTest, GroupByWithoutKeepNewest) {
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "older_than": "7d",
                          "group_by": "rule"})"),
            "gc.json: rule 1 (\"x\"): field \"group_by\": only applies with "
            "\"keep_newest\"");
}

TEST(PolicyErrorTest, BadGroupBy) {
  for (std::string_view text : {"repo", "label:", "label", "Rule", ""}) {
    std::string rule =
        std::string(
            R"({"name": "x", "match": "a", "keep_newest": 1, "group_by": ")") +
        std::string(text) + "\"}";
    EXPECT_EQ(RuleError(rule),
              "gc.json: rule 1 (\"x\"): field \"group_by\": \"" +
                  std::string(text) +
                  "\": want \"repository\", \"rule\" or \"label:KEY\"")
        << "group_by " << text;
  }
}

TEST(PolicyErrorTest, DuplicateNames) {
  EXPECT_EQ(ErrorOf(R"({"rules": [
              {"name": "x", "match": "a", "keep_newest": 1},
              {"name": "x", "match": "b", "keep_newest": 1}]})"),
            "gc.json: rule 2 (\"x\"): field \"name\": another rule has this "
            "name");
  // A given name may not take another rule's default name either.
  EXPECT_EQ(ErrorOf(R"({"rules": [
              {"name": "rule 2", "match": "a", "keep_newest": 1},
              {"match": "b", "keep_newest": 1}]})"),
            "gc.json: rule 2 (\"rule 2\"): field \"name\": another rule has "
            "this name");
}

TEST(PolicyErrorTest, LabelWithoutKey) {
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "labels": ["=v"],
                          "keep_newest": 1})"),
            "gc.json: rule 1 (\"x\"): field \"labels\": \"=v\" has no label "
            "key");
  EXPECT_EQ(RuleError(R"({"name": "x", "match": "a", "labels": [""],
                          "keep_newest": 1})"),
            "gc.json: rule 1 (\"x\"): field \"labels\": \"\" has no label "
            "key");
  EXPECT_EQ(ErrorOf(R"({"rules": [], "protect": {"labels": ["=true"]}})"),
            "gc.json: field \"protect.labels\": \"=true\" has no label key");
}

TEST(PolicyErrorTest, ErrorsNameTheSource) {
  absl::StatusOr<Policy> policy =
      ParsePolicy(PaddedBody(R"({"rules": [{"name": "x", "match": "a"}]})"),
                  "/home/ops/.docker/gc.json");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(std::string(ToStd(policy.status().message())),
            "/home/ops/.docker/gc.json: rule 1 (\"x\"): has no effect: give "
            "\"keep_newest\", \"older_than\" or \"keep\": true");
}

TEST(PolicyErrorTest, SeveralErrorsOnePerLine) {
  std::string error = ErrorOf(R"({
    "rules": [
      {"name": "ok", "match": "a", "keep_newest": 1},
      {"name": "typo", "match": "b", "keep_newset": 2},
      {"match": "c", "older_than": "7 days"},
      {"name": "ok", "dangling": true, "match": "d", "keep": true}
    ],
    "protect": {"match": "[x", "colour": "red"},
    "min_age": "soon",
    "extra": 1
  })");
  std::vector<std::string> lines = Lines(error);
  EXPECT_THAT(
      lines,
      ElementsAre(
          "gc.json: rule 2 (\"typo\"): field \"keep_newset\": unknown field "
          "(known: name, match, dangling, labels, keep_newest, older_than, "
          "group_by, keep)",
          "gc.json: rule 2 (\"typo\"): has no effect: give \"keep_newest\", "
          "\"older_than\" or \"keep\": true",
          "gc.json: rule 3 (\"rule 3\"): field \"older_than\": invalid "
          "duration \"7 days\": want a whole number and a unit m, h, d or w, "
          "e.g. 90m, 36h, 7d, 2w",
          "gc.json: rule 4 (\"ok\"): has both \"match\" and \"dangling\"; "
          "use one",
          "gc.json: rule 4 (\"ok\"): field \"name\": another rule has this "
          "name",
          "gc.json: field \"protect.match\": pattern \"[x\" has an unclosed [",
          "gc.json: field \"protect.colour\": unknown field (known: match, "
          "labels)",
          "gc.json: field \"min_age\": invalid duration \"soon\": want a "
          "whole number and a unit m, h, d or w, e.g. 90m, 36h, 7d, 2w",
          "gc.json: field \"extra\": unknown field (known: rules, protect, "
          "min_age, threshold, order, build_cache, containers, volumes)"));
  for (const std::string& line : lines) {
    EXPECT_THAT(line, StartsWith("gc.json: "));
  }
}

// ---- DefaultPolicy ----

TEST(DefaultPolicyTest, DeletesDanglingImagesOlderThan24h) {
  Policy policy = DefaultPolicy();
  EXPECT_EQ(policy.source, "built-in default");
  ASSERT_EQ(policy.rules.size(), 1u);
  const Rule& rule = policy.rules[0];
  EXPECT_EQ(rule.number, 1u);
  EXPECT_TRUE(rule.dangling);
  EXPECT_THAT(rule.match, IsEmpty());
  EXPECT_FALSE(rule.keep);
  EXPECT_FALSE(rule.keep_newest.has_value());
  ASSERT_TRUE(rule.older_than.has_value());
  EXPECT_EQ(rule.older_than->duration, absl::Hours(24));
  EXPECT_EQ(rule.older_than->text, "24h");
  EXPECT_THAT(policy.protect_match, IsEmpty());
  EXPECT_THAT(policy.protect_labels, IsEmpty());
  EXPECT_EQ(policy.min_age.duration, absl::Hours(1));
}

TEST(DefaultPolicyTest, EqualsTheSameRuleWrittenAsJson) {
  Policy written = MustParse(
      R"({"rules": [{"name": "dangling", "dangling": true, "older_than": "24h"}]})");
  Policy builtin = DefaultPolicy();
  ASSERT_EQ(written.rules.size(), 1u);
  EXPECT_EQ(builtin.rules[0].Describe(), written.rules[0].Describe());
}

// ---- Rule::Describe ----

TEST(RuleDescribeTest, TheHeaderExample) {
  Policy policy =
      MustParse(R"({"rules": [{"match": "onai-*", "keep_newest": 2}]})");
  ASSERT_EQ(policy.rules.size(), 1u);
  EXPECT_EQ(policy.rules[0].Describe(), "match onai-* keep_newest 2");
}

TEST(RuleDescribeTest, NamesEveryPartOfTheRule) {
  Policy policy = MustParse(R"({"rules": [
    {"dangling": true, "older_than": "24h"},
    {"match": ["a", "b:*"], "labels": ["tier=db", "keep"], "keep": true},
    {"match": "myapp-main-*", "keep_newest": 3, "group_by": "rule",
     "older_than": "2w"},
    {"match": "*", "keep_newest": 1, "group_by": "label:project"}
  ]})");
  ASSERT_EQ(policy.rules.size(), 4u);
  EXPECT_EQ(policy.rules[0].Describe(), "dangling older_than 24h");

  std::string keep = policy.rules[1].Describe();
  EXPECT_THAT(keep, HasSubstr("a"));
  EXPECT_THAT(keep, HasSubstr("b:*"));
  EXPECT_THAT(keep, HasSubstr("tier=db"));
  EXPECT_THAT(keep, HasSubstr("keep"));

  std::string grouped = policy.rules[2].Describe();
  EXPECT_THAT(grouped, HasSubstr("match myapp-main-*"));
  EXPECT_THAT(grouped, HasSubstr("keep_newest 3"));
  EXPECT_THAT(grouped, HasSubstr("group_by rule"));
  EXPECT_THAT(grouped, HasSubstr("older_than 2w"));

  EXPECT_THAT(policy.rules[3].Describe(), HasSubstr("group_by label:project"));
}

// ---- LabelCondition ----

TEST(LabelConditionTest, KeyHoldsWhenTheLabelIsSetToAnything) {
  LabelCondition condition{"gc.keep", std::nullopt};
  EXPECT_TRUE(condition.Holds({{"gc.keep", "true"}}));
  EXPECT_TRUE(condition.Holds({{"a", "1"}, {"gc.keep", ""}}));
  EXPECT_FALSE(condition.Holds({{"gc.keeper", "true"}}));
  EXPECT_FALSE(condition.Holds({}));
}

TEST(LabelConditionTest, KeyValueHoldsOnlyForThatValue) {
  LabelCondition condition{"gc.keep", "true"};
  EXPECT_TRUE(condition.Holds({{"a", "1"}, {"gc.keep", "true"}}));
  EXPECT_FALSE(condition.Holds({{"gc.keep", "false"}}));
  EXPECT_FALSE(condition.Holds({{"gc.keep", "TRUE"}}));
  EXPECT_FALSE(condition.Holds({{"gc.keep", ""}}));
  EXPECT_FALSE(condition.Holds({{"other", "true"}}));
  EXPECT_FALSE(condition.Holds({}));
}

TEST(LabelConditionTest, EmptyValueHoldsOnlyForAnEmptyLabel) {
  LabelCondition condition{"k", ""};
  EXPECT_TRUE(condition.Holds({{"k", ""}}));
  EXPECT_FALSE(condition.Holds({{"k", "v"}}));
  EXPECT_FALSE(condition.Holds({}));
}

TEST(LabelConditionTest, TextIsAsWritten) {
  EXPECT_EQ((LabelCondition{"gc.keep", std::nullopt}).Text(), "gc.keep");
  EXPECT_EQ((LabelCondition{"gc.keep", "true"}).Text(), "gc.keep=true");
  EXPECT_EQ((LabelCondition{"x", "a=b"}).Text(), "x=a=b");
  EXPECT_EQ((LabelCondition{"y", ""}).Text(), "y=");
}

TEST(LabelConditionTest, ParsedConditionsRoundTripThroughText) {
  Policy policy = MustParse(R"({"rules": [],
    "protect": {"labels": ["gc.keep=true", "pinned", "x=a=b", "y="]}})");
  std::vector<std::string> texts;
  for (const LabelCondition& c : policy.protect_labels)
    texts.push_back(c.Text());
  EXPECT_THAT(texts, ElementsAre("gc.keep=true", "pinned", "x=a=b", "y="));
}

}  // namespace
}  // namespace dgc

namespace dgc {
namespace {

TEST(NeedsDockerUsageTest, OnlyForAThresholdOrAResourceSection) {
  auto needs = [](const char* json) {
    absl::StatusOr<Policy> policy = ParsePolicy(PaddedBody(json), "gc.json");
    EXPECT_TRUE(policy.ok()) << policy.status();
    return policy.ok() && NeedsDockerUsage(*policy);
  };
  EXPECT_FALSE(NeedsDockerUsage(DefaultPolicy()));
  EXPECT_FALSE(needs(R"({"rules": [{"match": "*", "keep_newest": 2}]})"));
  EXPECT_TRUE(needs(R"({"rules": [{"match": "*", "keep_newest": 2}],
                        "threshold": {"high": "85%", "low": "65%"}})"));
  EXPECT_TRUE(needs(R"({"rules": [], "build_cache": {"older_than": "7d"}})"));
  EXPECT_TRUE(
      needs(R"({"rules": [], "containers": {"stopped_older_than": "7d"}})"));
  EXPECT_TRUE(needs(
      R"({"rules": [], "volumes": {"anonymous_unused_older_than": "7d"}})"));
}

}  // namespace
}  // namespace dgc
