// Tests of the metrics file (plugin/metrics.h): the text format's lines
// and escapes, and which metrics each kind of run writes, with what values.
// (tests/integration/test_metrics.py checks real files with promtool.)
#include "plugin/metrics.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTextTest, FamiliesHaveHelpTypeAndSamples) {
  MetricsText text;
  text.Gauge("docker_gc_x_bytes", "What x is.");
  text.Add({}, 12);
  text.Add({{"command", "plan"}, {"kind", "images"}}, 18446744073709551615u);
  text.Gauge("docker_gc_y_seconds", "Y.");
  text.AddSeconds({{"command", "apply"}}, 1.23456);
  EXPECT_EQ(text.text(),
            "# HELP docker_gc_x_bytes What x is.\n"
            "# TYPE docker_gc_x_bytes gauge\n"
            "docker_gc_x_bytes 12\n"
            "docker_gc_x_bytes{command=\"plan\",kind=\"images\"} "
            "18446744073709551615\n"
            "# HELP docker_gc_y_seconds Y.\n"
            "# TYPE docker_gc_y_seconds gauge\n"
            "docker_gc_y_seconds{command=\"apply\"} 1.235\n");
}

TEST(MetricsTextTest, LabelValuesAndHelpAreEscaped) {
  MetricsText text;
  text.Gauge("m", "a \\ b\nc \"d\"");
  text.Add({{"rule", "say \"hi\"\\\nbye"}}, 1);
  EXPECT_EQ(text.text(),
            "# HELP m a \\\\ b\\nc \"d\"\n"
            "# TYPE m gauge\n"
            "m{rule=\"say \\\"hi\\\"\\\\\\nbye\"} 1\n");
}

Inventory SmallInventory() {
  Inventory inventory;
  inventory.data_disk = DiskSpace{
      .path = "/var/lib/docker", .total_bytes = 1000, .used_bytes = 870};
  inventory.containers.push_back(Container{});
  inventory.containers.back().size_rw = 30;
  inventory.volumes.push_back(Volume{});
  inventory.volumes.back().size = 40;
  return inventory;
}

Action MakeAction(ActionOp op, std::string rule, uint64_t bytes) {
  Action action;
  action.op = op;
  action.rule = std::move(rule);
  action.bytes = bytes;
  return action;
}

ActionResult Result(ActionOp op, ResultStatus status, uint64_t freed_bytes) {
  ActionResult result;
  result.op = op;
  result.status = status;
  result.freed_bytes = freed_bytes;
  return result;
}

Plan SmallPlan() {
  Plan plan;
  plan.actions.push_back(MakeAction(ActionOp::kDelete, "old", 100));
  plan.actions.push_back(MakeAction(ActionOp::kDelete, "old", 5));
  plan.actions.push_back(
      MakeAction(ActionOp::kRemoveContainer, "containers", 30));
  plan.summary.reclaimable_bytes = 135;
  plan.watermark = WatermarkReport{.disk = true,
                                   .total_bytes = 1000,
                                   .high_bytes = 850,
                                   .low_bytes = 650,
                                   .used_before_bytes = 870,
                                   .used_after_bytes = 735,
                                   .shortfall_bytes = 85,
                                   .acted = true};
  return plan;
}

const absl::Time kStarted = absl::FromUnixSeconds(1700000000);
const absl::Time kFinished = kStarted + absl::Milliseconds(2500);

TEST(RunMetricsTest, APlanWritesTheEngineAndWhatItReclaims) {
  RunMetrics metrics("plan", kStarted);
  metrics.AddInventory(SmallInventory());
  metrics.AddPlan(SmallPlan());
  EXPECT_EQ(
      metrics.Text(kFinished, true),
      "# HELP docker_gc_last_run_timestamp_seconds When the last run of the "
      "command ended, in seconds since the epoch.\n"
      "# TYPE docker_gc_last_run_timestamp_seconds gauge\n"
      "docker_gc_last_run_timestamp_seconds{command=\"plan\"} "
      "1700000002.500\n"
      "# HELP docker_gc_last_run_duration_seconds How long the last run of "
      "the command took.\n"
      "# TYPE docker_gc_last_run_duration_seconds gauge\n"
      "docker_gc_last_run_duration_seconds{command=\"plan\"} 2.500\n"
      "# HELP docker_gc_last_run_success 1 when the last run of the command "
      "succeeded (exit 0, or a check that measured), else 0.\n"
      "# TYPE docker_gc_last_run_success gauge\n"
      "docker_gc_last_run_success{command=\"plan\"} 1\n"
      "# HELP docker_gc_disk_size_bytes Size of the filesystem holding the "
      "engine's data (DockerRootDir), when the run read the engine.\n"
      "# TYPE docker_gc_disk_size_bytes gauge\n"
      "docker_gc_disk_size_bytes{command=\"plan\"} 1000\n"
      "# HELP docker_gc_disk_used_bytes Used bytes of the filesystem holding "
      "the engine's data (as df counts them), when the run read the "
      "engine.\n"
      "# TYPE docker_gc_disk_used_bytes gauge\n"
      "docker_gc_disk_used_bytes{command=\"plan\"} 870\n"
      "# HELP docker_gc_usage_bytes Docker's own usage by resource kind "
      "(image layers, containers' writable layers, volumes, unshared build "
      "cache), when the run read the engine.\n"
      "# TYPE docker_gc_usage_bytes gauge\n"
      "docker_gc_usage_bytes{command=\"plan\",kind=\"images\"} 0\n"
      "docker_gc_usage_bytes{command=\"plan\",kind=\"containers\"} 30\n"
      "docker_gc_usage_bytes{command=\"plan\",kind=\"volumes\"} 40\n"
      "docker_gc_usage_bytes{command=\"plan\",kind=\"build_cache\"} 0\n"
      "# HELP docker_gc_reclaimable_bytes Bytes the policy's plan frees, "
      "exactly (for apply: as planned before it acted).\n"
      "# TYPE docker_gc_reclaimable_bytes gauge\n"
      "docker_gc_reclaimable_bytes{command=\"plan\"} 135\n"
      "# HELP docker_gc_rule_reclaimable_bytes Bytes the policy's plan "
      "frees, by the rule or resource section that decided each action.\n"
      "# TYPE docker_gc_rule_reclaimable_bytes gauge\n"
      "docker_gc_rule_reclaimable_bytes{command=\"plan\",rule="
      "\"containers\"} 30\n"
      "docker_gc_rule_reclaimable_bytes{command=\"plan\",rule=\"old\"} 105\n"
      "# HELP docker_gc_watermark_high_bytes The policy's high watermark, in "
      "bytes of its measure (the data disk, or Docker's own usage).\n"
      "# TYPE docker_gc_watermark_high_bytes gauge\n"
      "docker_gc_watermark_high_bytes{command=\"plan\",measure=\"disk\"} "
      "850\n"
      "# HELP docker_gc_watermark_low_bytes The policy's low watermark, in "
      "bytes of its measure.\n"
      "# TYPE docker_gc_watermark_low_bytes gauge\n"
      "docker_gc_watermark_low_bytes{command=\"plan\",measure=\"disk\"} 650\n"
      "# HELP docker_gc_watermark_used_bytes The watermark's measure when "
      "the run read the engine.\n"
      "# TYPE docker_gc_watermark_used_bytes gauge\n"
      "docker_gc_watermark_used_bytes{command=\"plan\",measure=\"disk\"} "
      "870\n"
      "# HELP docker_gc_watermark_used_after_bytes The watermark's measure "
      "after the plan: predicted (plan, check) or measured (apply).\n"
      "# TYPE docker_gc_watermark_used_after_bytes gauge\n"
      "docker_gc_watermark_used_after_bytes{command=\"plan\",measure="
      "\"disk\"} 735\n"
      "# HELP docker_gc_watermark_shortfall_bytes How far above the low "
      "watermark the measure stays even after everything the policy "
      "allows.\n"
      "# TYPE docker_gc_watermark_shortfall_bytes gauge\n"
      "docker_gc_watermark_shortfall_bytes{command=\"plan\",measure="
      "\"disk\"} 85\n");
}

TEST(RunMetricsTest, AnApplyAddsItsActionsAndFreedBytesByKind) {
  RunMetrics metrics("apply", kStarted);
  metrics.AddInventory(SmallInventory());
  metrics.AddPlan(SmallPlan());
  ApplyReport report;
  report.summary.done = 2;
  report.summary.skipped = 1;
  report.summary.freed_bytes = 131;
  report.results = {
      Result(ActionOp::kDelete, ResultStatus::kDone, 101),
      Result(ActionOp::kDelete, ResultStatus::kSkipped, 0),
      Result(ActionOp::kRemoveContainer, ResultStatus::kDone, 30)};
  report.watermark = SmallPlan().watermark;
  report.watermark->used_after_bytes = 740;  // measured
  std::string text = metrics.Text(kFinished, false);
  EXPECT_THAT(text,
              HasSubstr("docker_gc_last_run_success{command=\"apply\"} 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("docker_gc_last_run_actions")));
  metrics.AddApplyReport(report);
  text = metrics.Text(kFinished, true);
  EXPECT_THAT(text,
              HasSubstr("# TYPE docker_gc_last_run_actions gauge\n"
                        "docker_gc_last_run_actions{command=\"apply\",status="
                        "\"done\"} 2\n"
                        "docker_gc_last_run_actions{command=\"apply\",status="
                        "\"skipped\"} 1\n"
                        "docker_gc_last_run_actions{command=\"apply\",status="
                        "\"failed\"} 0\n"
                        "docker_gc_last_run_actions{command=\"apply\",status="
                        "\"unknown\"} 0\n"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE docker_gc_last_run_freed_bytes gauge\n"
                        "docker_gc_last_run_freed_bytes{command=\"apply\","
                        "kind=\"images\"} 101\n"
                        "docker_gc_last_run_freed_bytes{command=\"apply\","
                        "kind=\"containers\"} 30\n"
                        "docker_gc_last_run_freed_bytes{command=\"apply\","
                        "kind=\"volumes\"} 0\n"
                        "docker_gc_last_run_freed_bytes{command=\"apply\","
                        "kind=\"build_cache\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("docker_gc_watermark_used_after_bytes{command="
                              "\"apply\",measure=\"disk\"} 740\n"));
  EXPECT_THAT(text,
              HasSubstr("docker_gc_last_run_success{command=\"apply\"} 1\n"));
}

TEST(RunMetricsTest, AFailedRunHasOnlyTheRunsOwnMetrics) {
  RunMetrics metrics("check", kStarted);
  metrics.AddCheck({.state = 3});
  std::string text = metrics.Text(kFinished, false);
  EXPECT_THAT(text,
              HasSubstr("docker_gc_last_run_success{command=\"check\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("docker_gc_check_state{command=\"check\"} 3\n"));
  for (const char* absent :
       {"docker_gc_disk", "docker_gc_usage", "docker_gc_reclaimable",
        "docker_gc_watermark", "docker_gc_check_warning",
        "docker_gc_check_critical"}) {
    EXPECT_THAT(text, Not(HasSubstr(absent)));
  }
}

TEST(RunMetricsTest, ACheckWritesItsLevelsInBytesOfItsMeasure) {
  RunMetrics metrics("check", kStarted);
  metrics.AddCheck({.state = 1,
                    .disk = false,
                    .warning_bytes = 40000000000,
                    .critical_bytes = std::nullopt});
  std::string text = metrics.Text(kFinished, true);
  EXPECT_THAT(text, HasSubstr("docker_gc_check_state{command=\"check\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("docker_gc_check_warning_bytes{command="
                              "\"check\",measure=\"docker\"} 40000000000\n"));
  EXPECT_THAT(text, Not(HasSubstr("docker_gc_check_critical_bytes")));
}

TEST(WriteRunMetricsTest, ReplacesTheFileReadableByEveryone) {
  std::filesystem::path directory =
      std::filesystem::temp_directory_path() /
      ("dgc-metrics-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  std::string path = (directory / "docker-gc.prom").string();
  std::ofstream(path) << "old contents\n";
  ::chmod(path.c_str(), 0600);
  RunMetrics metrics("plan", kStarted);
  ASSERT_TRUE(WriteRunMetrics(path, metrics, kFinished, true).ok());
  std::stringstream written;
  written << std::ifstream(path).rdbuf();
  EXPECT_EQ(written.str(), metrics.Text(kFinished, true));
  struct stat status {};
  ASSERT_EQ(::stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0644u);
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);  // no temporary file left beside it
  std::filesystem::remove_all(directory);
}

TEST(WriteRunMetricsTest, ErrorsNameTheFile) {
  RunMetrics metrics("plan", kStarted);
  absl::Status written = WriteRunMetrics("/nonexistent-dir/docker-gc.prom",
                                         metrics, kFinished, true);
  EXPECT_FALSE(written.ok());
  EXPECT_THAT(std::string(written.message()),
              HasSubstr("/nonexistent-dir/docker-gc.prom"));
}

}  // namespace
}  // namespace dgc
