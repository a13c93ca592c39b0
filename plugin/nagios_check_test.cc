// Tests of docker gc check's levels, states and line (plugin/nagios_check.h):
// defaults from the policy's watermarks, flags that override them, each
// state at its boundary, and the line and perfdata exactly.
#include "plugin/nagios_check.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::HasSubstr;

Threshold PercentThreshold() {
  return {.high = {.percent = true, .value = 8500, .text = "85%"},
          .low = {.percent = true, .value = 6500, .text = "65%"}};
}

Threshold SizeThreshold() {
  return {.high = {.percent = false, .value = 40000000000, .text = "40GB"},
          .low = {.percent = false, .value = 30000000000, .text = "30GB"}};
}

CheckLevels Resolve(std::string_view warn, std::string_view crit,
                    const std::optional<Threshold>& threshold) {
  absl::StatusOr<CheckLevels> levels =
      ResolveCheckLevels(warn, crit, threshold);
  EXPECT_TRUE(levels.ok()) << levels.status();
  return levels.value_or(CheckLevels{});
}

TEST(ResolveCheckLevelsTest, DefaultsAreThePolicysHighAndHalfwayToFull) {
  CheckLevels levels = Resolve("", "", PercentThreshold());
  EXPECT_TRUE(levels.percent);
  EXPECT_TRUE(levels.warning_is_high);
  EXPECT_EQ(levels.warning->value, 8500u);
  EXPECT_EQ(levels.critical->value, 9250u);
  EXPECT_EQ(levels.critical->text, "92.5%");
}

TEST(ResolveCheckLevelsTest, SizesHaveNoDefaultCriticalLevel) {
  CheckLevels levels = Resolve("", "", SizeThreshold());
  EXPECT_FALSE(levels.percent);
  EXPECT_EQ(levels.warning->value, 40000000000u);
  EXPECT_FALSE(levels.critical.has_value());
  levels = Resolve("", "50GB", SizeThreshold());
  EXPECT_EQ(levels.warning->value, 40000000000u);
  EXPECT_EQ(levels.critical->value, 50000000000u);
}

TEST(ResolveCheckLevelsTest, FlagsOverrideThePolicy) {
  CheckLevels levels = Resolve("80%", "90%", PercentThreshold());
  EXPECT_FALSE(levels.warning_is_high);
  EXPECT_EQ(levels.warning->value, 8000u);
  EXPECT_EQ(levels.critical->value, 9000u);
  // --crit alone keeps the policy's high as the warning level.
  levels = Resolve("", "99%", PercentThreshold());
  EXPECT_TRUE(levels.warning_is_high);
  EXPECT_EQ(levels.critical->value, 9900u);
  // Sizes on a percentage policy: the policy's high is of another measure.
  levels = Resolve("", "50GB", PercentThreshold());
  EXPECT_FALSE(levels.percent);
  EXPECT_FALSE(levels.warning.has_value());
  // Without a threshold the flags are all there is.
  levels = Resolve("70%", "", std::nullopt);
  EXPECT_EQ(levels.critical->value, 8500u);
}

TEST(ResolveCheckLevelsTest, ErrorsNameTheFlag) {
  absl::StatusOr<CheckLevels> levels = ResolveCheckLevels("", "", std::nullopt);
  EXPECT_EQ(levels.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(levels.status().message()),
              HasSubstr("--warn and --crit"));
  levels = ResolveCheckLevels("lots", "", PercentThreshold());
  EXPECT_EQ(levels.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(levels.status().message()), HasSubstr("--warn"));
  levels = ResolveCheckLevels("", "101%", PercentThreshold());
  EXPECT_THAT(std::string(levels.status().message()), HasSubstr("--crit"));
  levels = ResolveCheckLevels("80%", "40GB", PercentThreshold());
  EXPECT_THAT(std::string(levels.status().message()),
              HasSubstr("both percentages or both sizes"));
  levels = ResolveCheckLevels("90%", "80%", PercentThreshold());
  EXPECT_THAT(std::string(levels.status().message()),
              HasSubstr("--crit 80% is below the warning level 90%"));
}

// A plan that reclaims `reclaimable` bytes; with the percentage threshold,
// its watermark as the planner reports it for a disk of 1000 bytes.
Plan PlanOf(uint64_t used, uint64_t reclaimable, bool threshold = true) {
  Plan plan;
  plan.summary.reclaimable_bytes = reclaimable;
  if (threshold) {
    plan.watermark = WatermarkReport{.disk = true,
                                     .total_bytes = 1000,
                                     .high_bytes = 850,
                                     .low_bytes = 650,
                                     .used_before_bytes = used,
                                     .used_after_bytes = used - reclaimable,
                                     .acted = used >= 850};
  }
  return plan;
}

CheckResult Disk(uint64_t used, uint64_t reclaimable) {
  return EvaluateCheck(Resolve("", "", PercentThreshold()),
                       {.disk = true, .used_bytes = used, .total_bytes = 1000},
                       PlanOf(used, reclaimable));
}

TEST(EvaluateCheckTest, StatesAtTheirBoundaries) {
  EXPECT_EQ(Disk(849, 0).state, CheckState::kOk);
  EXPECT_EQ(Disk(850, 300).state, CheckState::kWarning);
  EXPECT_EQ(Disk(924, 300).state, CheckState::kWarning);
  EXPECT_EQ(Disk(925, 300).state, CheckState::kCritical);
}

TEST(EvaluateCheckTest, CriticalWhenThePolicyCannotGetBelowHigh) {
  EXPECT_EQ(Disk(900, 51).state, CheckState::kWarning);   // to 849
  EXPECT_EQ(Disk(900, 50).state, CheckState::kCritical);  // to 850
  EXPECT_EQ(Disk(900, 0).state, CheckState::kCritical);
}

TEST(EvaluateCheckTest, LineAndPerfdataExactly) {
  EXPECT_EQ(Disk(712, 0).line,
            "DOCKER-GC OK - disk 71.2% (high 85%, critical 92.5%); nothing "
            "to reclaim now | used=712B;850;925;0;1000 "
            "used_percent=71.2%;85;92.5;0;100 reclaimable=0B;;;0");
  EXPECT_EQ(Disk(870, 300).line,
            "DOCKER-GC WARNING - disk 87.0% (high 85%, critical 92.5%); the "
            "policy reclaims 300B, to 57.0% | used=870B;850;925;0;1000 "
            "used_percent=87%;85;92.5;0;100 reclaimable=300B;;;0");
  EXPECT_EQ(Disk(900, 20).line,
            "DOCKER-GC CRITICAL - disk 90.0% (high 85%, critical 92.5%); the "
            "policy reclaims 20B, to 88.0%, still at or above its high "
            "watermark: cleanup alone cannot fix it | "
            "used=900B;850;925;0;1000 used_percent=90%;85;92.5;0;100 "
            "reclaimable=20B;;;0");
}

TEST(EvaluateCheckTest, TheReadmesExample) {
  const uint64_t total = 107374182400;  // 100GiB, 87% used
  Plan plan;
  plan.summary.reclaimable_bytes = 12500000000;
  plan.watermark = WatermarkReport{.disk = true,
                                   .total_bytes = total,
                                   .high_bytes = 91268055040,
                                   .low_bytes = 69793218560,
                                   .used_before_bytes = 93415538688,
                                   .used_after_bytes = 80915538688,
                                   .shortfall_bytes = 11122320128,
                                   .acted = true};
  EXPECT_EQ(
      EvaluateCheck(
          Resolve("", "", PercentThreshold()),
          {.disk = true, .used_bytes = 93415538688, .total_bytes = total}, plan)
          .line,
      "DOCKER-GC WARNING - disk 87.0% (high 85%, critical 92.5%); the "
      "policy reclaims 12.5GB, to 75.3% | "
      "used=93415538688B;91268055040;99321118720;0;107374182400 "
      "used_percent=87%;85;92.5;0;100 reclaimable=12500000000B;;;0");
}

TEST(EvaluateCheckTest, PercentagesAreRoundedDownNeverUpToALevel) {
  CheckResult result = EvaluateCheck(
      Resolve("", "", PercentThreshold()),
      {.disk = true, .used_bytes = 849999, .total_bytes = 1000000}, Plan{});
  EXPECT_EQ(result.state, CheckState::kOk);
  EXPECT_THAT(result.line, HasSubstr("disk 84.9% "));
  EXPECT_THAT(result.line, HasSubstr("used_percent=84.99%;"));
}

TEST(EvaluateCheckTest, SizesOfDockersUsage) {
  CheckResult result = EvaluateCheck(Resolve("", "50GB", SizeThreshold()),
                                     {.disk = false, .used_bytes = 41000000000},
                                     PlanOf(0, 0, false));
  EXPECT_EQ(result.state, CheckState::kWarning);
  EXPECT_EQ(result.line,
            "DOCKER-GC WARNING - docker usage 41GB (high 40GB, critical 50GB); "
            "nothing to reclaim now | "
            "used=41000000000B;40000000000;50000000000;0 reclaimable=0B;;;0");
  EXPECT_EQ(result.warning_bytes, 40000000000u);
  EXPECT_EQ(result.critical_bytes, 50000000000u);
}

TEST(EvaluateCheckTest, OnlyACriticalLevel) {
  CheckResult result =
      EvaluateCheck(Resolve("", "10kB", std::nullopt),
                    {.disk = false, .used_bytes = 9999}, Plan{});
  EXPECT_EQ(result.state, CheckState::kOk);
  EXPECT_THAT(result.line, HasSubstr("(critical 10kB)"));
  EXPECT_THAT(result.line, HasSubstr("used=9999B;;10000;0 "));
  EXPECT_FALSE(result.warning_bytes.has_value());
}

TEST(UnknownLineTest, OneLineTerminalSafe) {
  EXPECT_EQ(UnknownLine("gc.json: rule 1: bad\ngc.json: rule 2: worse\n"),
            "DOCKER-GC UNKNOWN - gc.json: rule 1: bad; gc.json: rule 2: worse");
  EXPECT_EQ(UnknownLine("a\x1b[2Jb"), "DOCKER-GC UNKNOWN - a\\x1b[2Jb");
}

TEST(FleetCheckLineTest, WorstStateAndPerfdataPerEngine) {
  CheckState worst = CheckState::kOk;
  std::string line = FleetCheckLine(
      {{.context = "a",
        .state = CheckState::kOk,
        .line = "DOCKER-GC OK - docker usage 1kB | used=1000B;;;0 "
                "reclaimable=10B;;;0"},
       {.context = "b",
        .state = CheckState::kWarning,
        .line = "DOCKER-GC WARNING - docker usage 9kB | used=9000B;;;0"},
       {.context = "c",
        .state = CheckState::kUnknown,
        .line = UnknownLine("cannot connect")}},
      &worst);
  EXPECT_EQ(worst, CheckState::kWarning);
  EXPECT_EQ(line,
            "DOCKER-GC WARNING - a: OK docker usage 1kB; b: WARNING docker "
            "usage 9kB; c: UNKNOWN cannot connect | a_used=1000B;;;0 "
            "a_reclaimable=10B;;;0 b_used=9000B;;;0");
}

TEST(FleetCheckLineTest, CriticalBeatsUnknownBeatsOk) {
  CheckState worst = CheckState::kOk;
  FleetCheckLine({{.context = "a",
                   .state = CheckState::kUnknown,
                   .line = UnknownLine("x")},
                  {.context = "b",
                   .state = CheckState::kOk,
                   .line = "DOCKER-GC OK - fine"}},
                 &worst);
  EXPECT_EQ(worst, CheckState::kUnknown);
  FleetCheckLine({{.context = "a",
                   .state = CheckState::kUnknown,
                   .line = UnknownLine("x")},
                  {.context = "b",
                   .state = CheckState::kCritical,
                   .line = "DOCKER-GC CRITICAL - full"}},
                 &worst);
  EXPECT_EQ(worst, CheckState::kCritical);
}

}  // namespace
}  // namespace dgc
