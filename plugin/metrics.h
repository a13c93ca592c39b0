// --metrics-file (SPEC.md §9): one run of plan, apply or check as a
// Prometheus text-format file for node_exporter's textfile collector,
// written atomically (temporary file, then rename; mode 0644).
//
// Every metric is a gauge: a run replaces the whole file, so each value
// describes the last run (the Prometheus guidance for batch jobs: last run
// time, duration, success, and what it processed), not a count kept across
// runs; none is therefore named `_total`. Every sample carries the label
// command="plan"|"apply"|"check", so that the files of several commands can
// sit side by side in one textfile directory without duplicate series.
//
// Example:
//   dgc::RunMetrics metrics("plan", absl::Now());
//   metrics.AddInventory(inventory);
//   metrics.AddPlan(plan);
//   absl::Status written = dgc::WriteRunMetrics(
//       "/var/lib/node_exporter/docker-gc.prom", metrics, absl::Now(), true);
#ifndef DGC_PLUGIN_METRICS_H_
#define DGC_PLUGIN_METRICS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/apply_report.h"
#include "core/inventory.h"
#include "core/plan.h"
#include "core/watermark.h"
#include "plugin/flags.h"

namespace dgc {

// A sample's labels, in the order they are written.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// The Prometheus text exposition format (version 0.0.4), built family by
// family: Gauge() writes a family's HELP and TYPE lines, then Add() its
// samples. Label values and help texts are escaped as the format says.
class MetricsText {
 public:
  // Gauge starts the family `name` (a valid metric name) of type gauge.
  void Gauge(std::string_view name, std::string_view help);
  // Add writes one sample of the current family.
  void Add(const MetricLabels& labels, uint64_t value);
  // AddSeconds writes a sample in seconds, to the millisecond.
  void AddSeconds(const MetricLabels& labels, double seconds);

  const std::string& text() const { return text_; }

 private:
  void AddText(const MetricLabels& labels, std::string_view value);

  std::string family_;
  std::string text_;
};

// What `docker gc check` decided, for its metrics.
struct CheckMetrics {
  int state = 3;                             // 0 OK … 3 UNKNOWN
  bool disk = false;                         // the measure: disk or Docker's
  std::optional<uint64_t> warning_bytes{};   // WARNING at or above
  std::optional<uint64_t> critical_bytes{};  // CRITICAL at or above
};

// The metrics of one run of `command`, gathered as the run goes; a run
// that fails early has only the run's own metrics (time, duration,
// success). Holds copies: what it was given may go away.
class RunMetrics {
 public:
  RunMetrics() = default;
  RunMetrics(std::string command, absl::Time started)
      : command_(std::move(command)), started_(started) {}

  // AddInventory records the engine as the run read it: the data disk
  // (when measured) and Docker's own usage by resource kind.
  void AddInventory(const Inventory& inventory);
  // AddPlan records what the plan reclaims, in total and by rule, and its
  // watermark (with a threshold).
  void AddPlan(const Plan& plan);
  // AddApplyReport records the actions done, skipped and failed, the bytes
  // freed by resource kind, and the usage measured after the apply.
  void AddApplyReport(const ApplyReport& report);
  // AddCheck records check's state and levels.
  void AddCheck(const CheckMetrics& check);

  // Text returns the file's contents for a run that ended at `finished`,
  // successfully or not.
  std::string Text(absl::Time finished, bool success) const;

 private:
  std::string command_;
  absl::Time started_;
  // By resource kind: images, containers, volumes, build cache.
  using ByKind = std::array<uint64_t, 4>;

  std::optional<DiskSpace> disk_;
  std::optional<ByKind> usage_;
  std::optional<uint64_t> reclaimable_bytes_;
  std::vector<std::pair<std::string, uint64_t>> reclaimable_by_rule_;
  std::optional<WatermarkReport> watermark_;
  std::optional<ApplySummary> applied_;
  ByKind freed_by_kind_ = {0, 0, 0, 0};
  std::optional<CheckMetrics> check_;
};

// AddMetricsFileFlag declares --metrics-file on `flags`, bound to `path`.
void AddMetricsFileFlag(FlagSet& flags, std::string* path);

// CheckMetricsFileFlag: a usage error for "-" (stdout carries the
// command's own output).
absl::Status CheckMetricsFileFlag(const FlagSet& flags, std::string_view path);

// WriteRunMetrics replaces `path` atomically with metrics.Text(finished,
// success), readable by everyone (0644). Errors: those of WriteFile,
// naming the file.
absl::Status WriteRunMetrics(std::string_view path, const RunMetrics& metrics,
                             absl::Time finished, bool success);

}  // namespace dgc

#endif  // DGC_PLUGIN_METRICS_H_
