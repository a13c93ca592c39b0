// Prometheus text-format metrics of a run (see metrics.h).
#include "plugin/metrics.h"

#include <map>

#include "absl/strings/str_format.h"
#include "engine/files.h"

namespace dgc {
namespace {

// The resource kinds of docker_gc_usage_bytes and
// docker_gc_last_run_freed_bytes, in RunMetrics::ByKind's order.
constexpr const char* kKinds[4] = {"images", "containers", "volumes",
                                   "build_cache"};

size_t KindIndex(ActionOp op) {
  switch (op) {
    case ActionOp::kUntag:
    case ActionOp::kDelete:
      return 0;
    case ActionOp::kRemoveContainer:
      return 1;
    case ActionOp::kRemoveVolume:
      return 2;
    case ActionOp::kPruneBuildCache:
      return 3;
  }
  return 0;
}

// Escape writes `text` with `\` and newlines escaped, and `"` too when
// `quote` (label values; help texts leave it).
std::string Escape(std::string_view text, bool quote) {
  std::string escaped;
  for (char c : text) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else if (c == '"' && quote) {
      escaped += "\\\"";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace

void MetricsText::Gauge(std::string_view name, std::string_view help) {
  family_ = std::string(name);
  absl::StrAppendFormat(&text_, "# HELP %s %s\n# TYPE %s gauge\n", family_,
                        Escape(help, false), family_);
}

void MetricsText::Add(const MetricLabels& labels, uint64_t value) {
  AddText(labels, absl::StrCat(value));
}

void MetricsText::AddSeconds(const MetricLabels& labels, double seconds) {
  AddText(labels, absl::StrFormat("%.3f", seconds));
}

void MetricsText::AddText(const MetricLabels& labels, std::string_view value) {
  text_ += family_;
  if (!labels.empty()) {
    text_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) text_ += ',';
      absl::StrAppendFormat(&text_, "%s=\"%s\"", labels[i].first,
                            Escape(labels[i].second, true));
    }
    text_ += '}';
  }
  absl::StrAppendFormat(&text_, " %s\n", value);
}

void RunMetrics::AddInventory(const Inventory& inventory) {
  disk_ = inventory.data_disk;
  DockerUsage usage = ComputeDockerUsage(inventory);
  usage_ =
      ByKind{usage.layers_bytes + usage.content_bytes, usage.containers_bytes,
             usage.volumes_bytes, usage.build_cache_bytes};
}

void RunMetrics::AddPlan(const Plan& plan) {
  reclaimable_bytes_ = plan.summary.reclaimable_bytes;
  std::map<std::string, uint64_t> by_rule;
  for (const Action& action : plan.actions)
    by_rule[action.rule] += action.bytes;
  reclaimable_by_rule_.assign(by_rule.begin(), by_rule.end());
  watermark_ = plan.watermark;
}

void RunMetrics::AddApplyReport(const ApplyReport& report) {
  applied_ = report.summary;
  for (const ActionResult& result : report.results) {
    freed_by_kind_[KindIndex(result.op)] += result.freed_bytes;
  }
  if (report.watermark.has_value()) watermark_ = report.watermark;
}

void RunMetrics::AddCheck(const CheckMetrics& check) { check_ = check; }

std::string RunMetrics::Text(absl::Time finished, bool success) const {
  MetricsText metrics;
  const MetricLabels command = {{"command", command_}};
  auto with = [&](std::string_view name, std::string_view value) {
    MetricLabels labels = command;
    labels.emplace_back(name, value);
    return labels;
  };
  auto by_kind = [&](std::string_view name, std::string_view help,
                     const ByKind& bytes) {
    metrics.Gauge(name, help);
    for (size_t kind = 0; kind < bytes.size(); ++kind) {
      metrics.Add(with("kind", kKinds[kind]), bytes[kind]);
    }
  };

  metrics.Gauge("docker_gc_last_run_timestamp_seconds",
                "When the last run of the command ended, in seconds since "
                "the epoch.");
  metrics.AddSeconds(command,
                     absl::ToDoubleSeconds(finished - absl::UnixEpoch()));
  metrics.Gauge("docker_gc_last_run_duration_seconds",
                "How long the last run of the command took.");
  metrics.AddSeconds(command, absl::ToDoubleSeconds(finished - started_));
  metrics.Gauge("docker_gc_last_run_success",
                "1 when the last run of the command succeeded (exit 0, or a "
                "check that measured), else 0.");
  metrics.Add(command, success ? 1 : 0);

  if (check_.has_value()) {
    metrics.Gauge("docker_gc_check_state",
                  "The last check's Nagios state: 0 OK, 1 WARNING, 2 "
                  "CRITICAL, 3 UNKNOWN.");
    metrics.Add(command, static_cast<uint64_t>(check_->state));
    std::string measure = check_->disk ? "disk" : "docker";
    if (check_->warning_bytes.has_value()) {
      metrics.Gauge("docker_gc_check_warning_bytes",
                    "The check's WARNING level (at or above), in bytes of "
                    "its measure (the data disk, or Docker's own usage).");
      metrics.Add(with("measure", measure), *check_->warning_bytes);
    }
    if (check_->critical_bytes.has_value()) {
      metrics.Gauge("docker_gc_check_critical_bytes",
                    "The check's CRITICAL level (at or above), in bytes of "
                    "its measure (the data disk, or Docker's own usage).");
      metrics.Add(with("measure", measure), *check_->critical_bytes);
    }
  }

  if (applied_.has_value()) {
    metrics.Gauge("docker_gc_last_run_actions",
                  "Actions of the last apply, by outcome.");
    metrics.Add(with("status", "done"), applied_->done);
    metrics.Add(with("status", "skipped"), applied_->skipped);
    metrics.Add(with("status", "failed"), applied_->failed);
    metrics.Add(with("status", "unknown"), applied_->unknown);
    by_kind("docker_gc_last_run_freed_bytes",
            "Bytes the last apply freed, by resource kind, as the engine "
            "reported them.",
            freed_by_kind_);
  }

  if (disk_.has_value()) {
    metrics.Gauge("docker_gc_disk_size_bytes",
                  "Size of the filesystem holding the engine's data "
                  "(DockerRootDir), when the run read the engine.");
    metrics.Add(command, disk_->total_bytes);
    metrics.Gauge("docker_gc_disk_used_bytes",
                  "Used bytes of the filesystem holding the engine's data "
                  "(as df counts them), when the run read the engine.");
    metrics.Add(command, disk_->used_bytes);
  }
  if (usage_.has_value()) {
    by_kind("docker_gc_usage_bytes",
            "Docker's own usage by resource kind (image layers, containers' "
            "writable layers, volumes, unshared build cache), when the run "
            "read the engine.",
            *usage_);
  }

  if (reclaimable_bytes_.has_value()) {
    metrics.Gauge("docker_gc_reclaimable_bytes",
                  "Bytes the policy's plan frees, exactly (for apply: as "
                  "planned before it acted).");
    metrics.Add(command, *reclaimable_bytes_);
    if (!reclaimable_by_rule_.empty()) {
      metrics.Gauge("docker_gc_rule_reclaimable_bytes",
                    "Bytes the policy's plan frees, by the rule or resource "
                    "section that decided each action.");
      for (const auto& [rule, bytes] : reclaimable_by_rule_) {
        metrics.Add(with("rule", rule), bytes);
      }
    }
  }

  if (watermark_.has_value()) {
    const WatermarkReport& watermark = *watermark_;
    MetricLabels measure = with("measure", watermark.disk ? "disk" : "docker");
    metrics.Gauge("docker_gc_watermark_high_bytes",
                  "The policy's high watermark, in bytes of its measure "
                  "(the data disk, or Docker's own usage).");
    metrics.Add(measure, watermark.high_bytes);
    metrics.Gauge("docker_gc_watermark_low_bytes",
                  "The policy's low watermark, in bytes of its measure.");
    metrics.Add(measure, watermark.low_bytes);
    metrics.Gauge("docker_gc_watermark_used_bytes",
                  "The watermark's measure when the run read the engine.");
    metrics.Add(measure, watermark.used_before_bytes);
    metrics.Gauge("docker_gc_watermark_used_after_bytes",
                  "The watermark's measure after the plan: predicted (plan, "
                  "check) or measured (apply).");
    metrics.Add(measure, watermark.used_after_bytes);
    metrics.Gauge("docker_gc_watermark_shortfall_bytes",
                  "How far above the low watermark the measure stays even "
                  "after everything the policy allows.");
    metrics.Add(measure, watermark.shortfall_bytes);
  }
  return metrics.text();
}

void AddMetricsFileFlag(FlagSet& flags, std::string* path) {
  flags.String("metrics-file", 0, path,
               "Also write the run's metrics to this file, in Prometheus "
               "text format (for node_exporter's textfile collector)",
               "file");
}

absl::Status CheckMetricsFileFlag(const FlagSet& flags, std::string_view path) {
  if (path != "-") return absl::OkStatus();
  return UsageError(flags.command(),
                    "--metrics-file needs a file: stdout carries the "
                    "command's own output");
}

absl::Status WriteRunMetrics(std::string_view path, const RunMetrics& metrics,
                             absl::Time finished, bool success) {
  return WriteFile(path, metrics.Text(finished, success));
}

}  // namespace dgc
