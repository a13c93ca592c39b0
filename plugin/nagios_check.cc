// docker gc check's levels, state and output line (see nagios_check.h).
#include "plugin/nagios_check.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/byte_size.h"
#include "core/safe_text.h"
#include "core/string_views.h"
#include "plugin/human_units.h"

namespace dgc {
namespace {

// A percentage in hundredths as people write it: "85%", "92.5%", "0.05%".
std::string PercentText(uint64_t hundredths) {
  std::string text =
      absl::StrFormat("%d.%02d", hundredths / 100, hundredths % 100);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

// `used` of `total` in hundredths of a percent, rounded down (so that a
// usage below a level never shows as the level).
uint64_t Hundredths(uint64_t used, uint64_t total) {
  if (total == 0) return 0;
  return static_cast<uint64_t>(absl::uint128(used) * kWholePercent / total);
}

absl::StatusOr<Watermark> ParseLevel(std::string_view flag,
                                     std::string_view text) {
  Watermark level{.percent = text.ends_with("%"), .text = std::string(text)};
  absl::Status error;
  if (level.percent) {
    absl::StatusOr<uint32_t> share = ParsePercent(text);
    if (share.ok()) level.value = *share;
    error = share.status();
  } else {
    absl::StatusOr<uint64_t> bytes = ParseByteSize(text);
    if (bytes.ok()) level.value = *bytes;
    error = bytes.status();
  }
  if (!error.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid --%s: %s%s", flag, error.message(),
        level.percent ? "" : "; or a share of the data disk such as 85%"));
  }
  return level;
}

// A level in bytes of the measure.
uint64_t LevelBytes(const Watermark& level, const CheckMeasure& measure) {
  return level.percent
             ? ShareOf(measure.total_bytes, static_cast<uint32_t>(level.value))
             : level.value;
}

// Perfdata "label=value[UOM];[warn];[crit];[min];[max]" with the empty
// fields at the end left out.
std::string Perfdata(std::string_view label, std::vector<std::string> fields) {
  while (fields.size() > 1 && fields.back().empty()) fields.pop_back();
  return absl::StrFormat("%s=%s", label, absl::StrJoin(fields, ";"));
}

std::string OptionalBytes(const std::optional<uint64_t>& bytes) {
  return bytes.has_value() ? absl::StrCat(*bytes) : "";
}

std::string OptionalPercent(const std::optional<Watermark>& level) {
  return level.has_value() ? PercentText(level->value) : "";
}

}  // namespace

std::string_view CheckStateName(CheckState state) {
  switch (state) {
    case CheckState::kOk:
      return "OK";
    case CheckState::kWarning:
      return "WARNING";
    case CheckState::kCritical:
      return "CRITICAL";
    case CheckState::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

absl::StatusOr<CheckLevels> ResolveCheckLevels(
    std::string_view warn, std::string_view crit,
    const std::optional<Threshold>& threshold) {
  CheckLevels levels;
  if (!warn.empty()) {
    absl::StatusOr<Watermark> level = ParseLevel("warn", warn);
    if (!level.ok()) return level.status();
    levels.warning = *level;
  }
  if (!crit.empty()) {
    absl::StatusOr<Watermark> level = ParseLevel("crit", crit);
    if (!level.ok()) return level.status();
    levels.critical = *level;
  }
  if (levels.warning.has_value() && levels.critical.has_value() &&
      levels.warning->percent != levels.critical->percent) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--warn %s and --crit %s: want both percentages or both sizes", warn,
        crit));
  }
  if (levels.warning.has_value()) {
    levels.percent = levels.warning->percent;
  } else if (levels.critical.has_value()) {
    levels.percent = levels.critical->percent;
  } else if (threshold.has_value()) {
    levels.percent = threshold->high.percent;
  } else {
    return absl::FailedPreconditionError(
        "no levels to check: the policy has no threshold (watermarks); give "
        "--warn and --crit, e.g. --warn 85% --crit 95%");
  }
  if (!levels.warning.has_value() && threshold.has_value() &&
      threshold->high.percent == levels.percent) {
    levels.warning = threshold->high;
    levels.warning_is_high = true;
  }
  if (!levels.critical.has_value() && levels.percent &&
      levels.warning.has_value()) {
    uint64_t halfway = (levels.warning->value + kWholePercent) / 2;
    levels.critical = Watermark{
        .percent = true, .value = halfway, .text = PercentText(halfway) + "%"};
  }
  if (levels.warning.has_value() && levels.critical.has_value() &&
      levels.critical->value < levels.warning->value) {
    return absl::InvalidArgumentError(
        absl::StrFormat("--crit %s is below the warning level %s",
                        levels.critical->text, levels.warning->text));
  }
  return levels;
}

CheckResult EvaluateCheck(const CheckLevels& levels,
                          const CheckMeasure& measure, const Plan& plan) {
  CheckResult result;
  if (levels.warning.has_value()) {
    result.warning_bytes = LevelBytes(*levels.warning, measure);
  }
  if (levels.critical.has_value()) {
    result.critical_bytes = LevelBytes(*levels.critical, measure);
  }
  uint64_t used = measure.used_bytes;
  uint64_t reclaimable = plan.summary.reclaimable_bytes;
  uint64_t after = used - std::min(reclaimable, used);
  bool warning =
      result.warning_bytes.has_value() && used >= *result.warning_bytes;
  // The policy acts, and everything it may delete leaves usage at or
  // above its high watermark.
  bool beyond_policy =
      plan.watermark.has_value() && plan.watermark->acted &&
      plan.watermark->used_after_bytes >= plan.watermark->high_bytes;
  bool critical =
      result.critical_bytes.has_value() && used >= *result.critical_bytes;
  if (critical || (warning && beyond_policy)) {
    result.state = CheckState::kCritical;
  } else if (warning) {
    result.state = CheckState::kWarning;
  } else {
    result.state = CheckState::kOk;
  }

  auto show = [&](uint64_t bytes) {
    if (!measure.disk) return HumanSize(bytes);
    uint64_t hundredths = Hundredths(bytes, measure.total_bytes);
    return absl::StrFormat("%d.%d%%", hundredths / 100, hundredths % 100 / 10);
  };
  std::vector<std::string> level_texts;
  if (levels.warning.has_value()) {
    level_texts.push_back(
        absl::StrFormat("%s %s", levels.warning_is_high ? "high" : "warning",
                        levels.warning->text));
  }
  if (levels.critical.has_value()) {
    level_texts.push_back("critical " + levels.critical->text);
  }
  std::string text =
      absl::StrFormat("%s %s (%s)", measure.disk ? "disk" : "docker usage",
                      show(used), absl::StrJoin(level_texts, ", "));
  if (reclaimable == 0) {
    text += "; nothing to reclaim now";
  } else {
    text += absl::StrFormat("; the policy reclaims %s, to %s",
                            HumanSize(reclaimable), show(after));
  }
  if (warning && beyond_policy) {
    text +=
        ", still at or above its high watermark: cleanup alone cannot "
        "fix it";
  }

  std::vector<std::string> perfdata;
  perfdata.push_back(Perfdata(
      "used", {absl::StrCat(used, "B"), OptionalBytes(result.warning_bytes),
               OptionalBytes(result.critical_bytes), "0",
               measure.disk ? absl::StrCat(measure.total_bytes) : ""}));
  if (measure.disk) {
    perfdata.push_back(
        Perfdata("used_percent",
                 {PercentText(Hundredths(used, measure.total_bytes)) + "%",
                  OptionalPercent(levels.warning),
                  OptionalPercent(levels.critical), "0", "100"}));
  }
  perfdata.push_back(
      Perfdata("reclaimable", {absl::StrCat(reclaimable, "B"), "", "", "0"}));
  result.line =
      absl::StrFormat("DOCKER-GC %s - %s | %s", CheckStateName(result.state),
                      TerminalSafe(text, 1000), absl::StrJoin(perfdata, " "));
  return result;
}

std::string UnknownLine(std::string_view message) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(ToAbsl(message), '\n', absl::SkipWhitespace());
  return absl::StrFormat("DOCKER-GC UNKNOWN - %s",
                         TerminalSafe(absl::StrJoin(lines, "; "), 1000));
}

std::string FleetCheckLine(const std::vector<FleetCheckEngine>& engines,
                           CheckState* worst) {
  // Severity of each state, in CheckState's order: OK, WARNING, CRITICAL,
  // UNKNOWN.
  constexpr int kSeverity[] = {0, 2, 3, 1};
  *worst = CheckState::kOk;
  std::vector<std::string> texts, perfdata;
  for (const FleetCheckEngine& engine : engines) {
    if (kSeverity[static_cast<int>(engine.state)] >
        kSeverity[static_cast<int>(*worst)]) {
      *worst = engine.state;
    }
    std::string_view line = engine.line;
    std::string_view data;
    if (size_t bar = line.find(" | "); bar != std::string_view::npos) {
      data = line.substr(bar + 3);
      line = line.substr(0, bar);
    }
    if (size_t dash = line.find(" - "); dash != std::string_view::npos) {
      line = line.substr(dash + 3);
    }
    texts.push_back(absl::StrFormat("%s: %s %s", engine.context,
                                    CheckStateName(engine.state), line));
    for (absl::string_view item :
         absl::StrSplit(ToAbsl(data), ' ', absl::SkipEmpty())) {
      perfdata.push_back(absl::StrCat(engine.context, "_", item));
    }
  }
  std::string out = absl::StrFormat("DOCKER-GC %s - %s", CheckStateName(*worst),
                                    absl::StrJoin(texts, "; "));
  if (!perfdata.empty()) out += " | " + absl::StrJoin(perfdata, " ");
  return out;
}

}  // namespace dgc
