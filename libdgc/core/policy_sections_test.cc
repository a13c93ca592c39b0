// Tests of the policy sections of SPEC.md §7 and §8 (core/policy_sections.h
// through ParsePolicy): threshold, order, build_cache, containers and
// volumes accepted in their documented forms, and every problem reported
// with the file and the field's path, several at once.
#include "core/policy_sections.h"

#include <string>
#include <string_view>

#include "absl/strings/str_split.h"
#include "core/byte_size.h"
#include "core/json_reader.h"
#include "core/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kRules =
    R"("rules": [{"dangling": true, "keep": true}])";

// A policy of kRules and `sections` (JSON members, comma-separated).
absl::StatusOr<Policy> ParseWith(std::string_view sections) {
  return ParsePolicy(PaddedBody("{" + std::string(kRules) + ", " +
                                std::string(sections) + "}"),
                     "gc.json");
}

Policy MustParse(std::string_view sections) {
  absl::StatusOr<Policy> policy = ParseWith(sections);
  EXPECT_TRUE(policy.ok()) << sections << "\n" << policy.status();
  return policy.ok() ? *std::move(policy) : Policy{};
}

std::vector<std::string> ErrorLines(std::string_view sections) {
  absl::StatusOr<Policy> policy = ParseWith(sections);
  EXPECT_FALSE(policy.ok()) << sections << " parsed";
  if (policy.ok()) return {};
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  return absl::StrSplit(std::string(policy.status().message()), '\n');
}

TEST(ThresholdTest, PercentagesAndSizes) {
  Policy percent = MustParse(R"("threshold": {"high": "85%", "low": "65%"})");
  ASSERT_TRUE(percent.threshold.has_value());
  EXPECT_TRUE(percent.threshold->high.percent);
  EXPECT_EQ(percent.threshold->high.value, 8500u);
  EXPECT_EQ(percent.threshold->low.value, 6500u);
  EXPECT_EQ(percent.threshold->low.text, "65%");

  Policy sizes =
      MustParse(R"("threshold": {"low": "512MiB", "high": "1.5GB"})");
  ASSERT_TRUE(sizes.threshold.has_value());
  EXPECT_FALSE(sizes.threshold->high.percent);
  EXPECT_EQ(sizes.threshold->high.value, 1500000000u);
  EXPECT_EQ(sizes.threshold->low.value, 536870912u);
}

TEST(ThresholdTest, AbsentMeansActOnEverythingSelected) {
  Policy policy = MustParse(R"("order": "policy")");
  EXPECT_FALSE(policy.threshold.has_value());
  EXPECT_EQ(policy.order, Order::kPolicy);
}

TEST(ThresholdTest, LowMustBeBelowHigh) {
  EXPECT_THAT(ErrorLines(R"("threshold": {"high": "65%", "low": "65%"})"),
              ElementsAre("gc.json: field \"threshold.low\": 65% must be "
                          "below \"high\" (65%)"));
  EXPECT_THAT(ErrorLines(R"("threshold": {"high": "1GB", "low": "2GB"})"),
              ElementsAre("gc.json: field \"threshold.low\": 2GB must be "
                          "below \"high\" (1GB)"));
}

TEST(ThresholdTest, MixedPercentAndSizeIsRefused) {
  EXPECT_THAT(
      ErrorLines(R"("threshold": {"high": "85%", "low": "40GB"})"),
      ElementsAre("gc.json: field \"threshold\": \"high\" (85%) and \"low\" "
                  "(40GB) must both be percentages or both be sizes"));
}

TEST(ThresholdTest, BadValuesMissingAndUnknownFieldsAllReported) {
  std::vector<std::string> lines = ErrorLines(
      R"("threshold": {"high": "-5GB", "lo": "65%", "high": "90%"})");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[0], ::testing::StartsWith(
                            "gc.json: field \"threshold.high\": \"-5GB\""));
  EXPECT_EQ(lines[1],
            "gc.json: field \"threshold.lo\": unknown field (known: high, "
            "low)");
  EXPECT_EQ(lines[2], "gc.json: field \"threshold.high\": given twice");
  EXPECT_EQ(lines[3], "gc.json: field \"threshold.low\": missing");
  EXPECT_THAT(ErrorLines(R"("threshold": "85%")"),
              ElementsAre("gc.json: field \"threshold\": want an object"));
  EXPECT_THAT(ErrorLines(R"("threshold": {"high": 85, "low": "0%"})"),
              ::testing::SizeIs(2));
}

TEST(OrderTest, PolicyOrLru) {
  EXPECT_EQ(MustParse(R"("order": "lru")").order, Order::kLru);
  EXPECT_THAT(ErrorLines(R"("order": "fifo")"),
              ElementsAre("gc.json: field \"order\": \"fifo\": want "
                          "\"policy\" or \"lru\""));
  EXPECT_THAT(ErrorLines(R"("order": 1)"),
              ElementsAre("gc.json: field \"order\": want \"policy\" or "
                          "\"lru\""));
}

TEST(BuildCacheTest, EitherOrBothFields) {
  Policy both = MustParse(
      R"("build_cache": {"older_than": "7d", "keep_storage": "5GB"})");
  ASSERT_TRUE(both.build_cache.has_value());
  EXPECT_EQ(both.build_cache->older_than->duration, absl::Hours(24 * 7));
  EXPECT_EQ(both.build_cache->keep_storage->bytes, 5000000000u);
  EXPECT_EQ(both.build_cache->keep_storage->text, "5GB");
  Policy age = MustParse(R"("build_cache": {"older_than": "36h"})");
  EXPECT_FALSE(age.build_cache->keep_storage.has_value());
  EXPECT_FALSE(MustParse(R"("order": "lru")").build_cache.has_value());
}

TEST(BuildCacheTest, ProblemsNameTheField) {
  EXPECT_THAT(ErrorLines(R"("build_cache": {})"),
              ElementsAre("gc.json: field \"build_cache\": give "
                          "\"older_than\", \"keep_storage\" or both"));
  std::vector<std::string> lines = ErrorLines(
      R"("build_cache": {"older_than": "7 days", "keep_storage": 5, "x": 1})");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], ::testing::StartsWith(
                            "gc.json: field \"build_cache.older_than\": "));
  EXPECT_THAT(lines[1], ::testing::StartsWith(
                            "gc.json: field \"build_cache.keep_storage\": "
                            "want a size"));
  EXPECT_THAT(lines[2], ::testing::StartsWith(
                            "gc.json: field \"build_cache.x\": unknown"));
}

TEST(ContainersTest, AllFields) {
  Policy policy = MustParse(R"("containers": {"stopped_older_than": "30d",)"
                            R"( "protect_labels": ["keep=true", "pinned"],)"
                            R"( "include_restart_policies": true})");
  ASSERT_TRUE(policy.containers.has_value());
  EXPECT_EQ(policy.containers->stopped_older_than.text, "30d");
  ASSERT_EQ(policy.containers->protect_labels.size(), 2u);
  EXPECT_EQ(policy.containers->protect_labels[0].Text(), "keep=true");
  EXPECT_EQ(policy.containers->protect_labels[1].Text(), "pinned");
  EXPECT_TRUE(policy.containers->include_restart_policies);
  Policy defaults = MustParse(R"("containers": {"stopped_older_than": "1h"})");
  EXPECT_THAT(defaults.containers->protect_labels, IsEmpty());
  EXPECT_FALSE(defaults.containers->include_restart_policies);
}

TEST(ContainersTest, TheAgeIsRequired) {
  EXPECT_THAT(ErrorLines(R"("containers": {"protect_labels": []})"),
              ElementsAre("gc.json: field "
                          "\"containers.stopped_older_than\": missing"));
  EXPECT_THAT(
      ErrorLines(R"("containers": {"stopped_older_than": "30d",)"
                 R"( "include_restart_policies": "yes"})"),
      ElementsAre("gc.json: field \"containers.include_restart_policies\": "
                  "want true or false"));
}

TEST(VolumesTest, AnonymousUnusedOlderThan) {
  Policy policy =
      MustParse(R"("volumes": {"anonymous_unused_older_than": "30d"})");
  ASSERT_TRUE(policy.volumes.has_value());
  EXPECT_EQ(policy.volumes->anonymous_unused_older_than.duration,
            absl::Hours(24 * 30));
  EXPECT_THAT(ErrorLines(R"("volumes": {"named": true})"),
              ElementsAre("gc.json: field \"volumes.named\": unknown field "
                          "(known: anonymous_unused_older_than)",
                          "gc.json: field "
                          "\"volumes.anonymous_unused_older_than\": missing"));
}

TEST(SectionsTest, ProblemsOfEverySectionAreReportedTogether) {
  std::vector<std::string> lines =
      ErrorLines(R"("threshold": {"high": "50%", "low": "60%"}, "order": "x",)"
                 R"( "volumes": {}, "containers": [])");
  EXPECT_EQ(lines.size(), 4u);
}

}  // namespace
}  // namespace dgc
