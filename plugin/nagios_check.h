// `docker gc check` (SPEC.md §9) without I/O: its levels, its state and
// its one line of output, by the Nagios plugin conventions (exit 0 OK, 1
// WARNING, 2 CRITICAL, 3 UNKNOWN; "DOCKER-GC STATE - text | perfdata").
//
// The levels, in the units of one measure — the data disk (percentages)
// or Docker's own usage (sizes), as the policy's threshold measures:
//   - WARNING at or above --warn, by default the policy's high watermark:
//     a cleanup is due (the next apply brings usage down);
//   - CRITICAL at or above --crit, by default (percentages only) halfway
//     from the warning level to a full disk (92.5% for 85%); and also at
//     or above the warning level when the policy cannot bring usage below
//     its own high watermark (everything it may delete is not enough, so
//     docker gc alone will not fix it);
//   - UNKNOWN when it cannot tell: no level (no threshold in the policy
//     and neither --warn nor --crit), an engine error, a usage error.
//
// Example:
//   absl::StatusOr<dgc::CheckLevels> levels =
//       dgc::ResolveCheckLevels("85%", "", policy.threshold);
//   dgc::CheckResult result = dgc::EvaluateCheck(*levels, measure, plan);
//   std::cout << result.line << "\n";
//   return static_cast<int>(result.state);
#ifndef DGC_PLUGIN_NAGIOS_CHECK_H_
#define DGC_PLUGIN_NAGIOS_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/plan.h"
#include "core/policy.h"

namespace dgc {

enum class CheckState { kOk = 0, kWarning = 1, kCritical = 2, kUnknown = 3 };

// CheckStateName returns "OK", "WARNING", "CRITICAL" or "UNKNOWN".
std::string_view CheckStateName(CheckState state);

// The levels a check compares usage with: both percentages of the data
// disk, or both sizes of Docker's usage (Watermark's units).
struct CheckLevels {
  bool percent = false;
  std::optional<Watermark> warning{};
  std::optional<Watermark> critical{};
  // The warning level is the policy's high watermark (it says "high").
  bool warning_is_high = false;
};

// ResolveCheckLevels reads --warn and --crit ("" when not given; "85%" or
// "40GB") and fills in the defaults from `threshold` (see the top of this
// file). Errors: InvalidArgument naming the flag for a value that is
// neither a percentage nor a size, --warn and --crit of different kinds,
// --crit below --warn; FailedPrecondition when there is no level at all.
absl::StatusOr<CheckLevels> ResolveCheckLevels(
    std::string_view warn, std::string_view crit,
    const std::optional<Threshold>& threshold);

// What the check measured: the data disk, or Docker's own usage.
struct CheckMeasure {
  bool disk = false;
  uint64_t used_bytes = 0;
  uint64_t total_bytes = 0;  // the disk's size (disk only)
};

struct CheckResult {
  CheckState state = CheckState::kUnknown;
  std::string line{};  // the one output line, without a newline
  std::optional<uint64_t> warning_bytes{};
  std::optional<uint64_t> critical_bytes{};
};

// EvaluateCheck compares `measure` with `levels` (percentages of
// measure.total_bytes, rounded down to bytes as watermarks are); `plan` is
// the policy's plan, for what it reclaims and whether it reaches below its
// high watermark.
CheckResult EvaluateCheck(const CheckLevels& levels,
                          const CheckMeasure& measure, const Plan& plan);

// UnknownLine returns "DOCKER-GC UNKNOWN - MESSAGE", the message on one
// line (its lines joined with "; ") and terminal-safe.
std::string UnknownLine(std::string_view message);

// One engine's check in a fleet: its context and its line (EvaluateCheck's
// or UnknownLine's), which starts with "DOCKER-GC STATE - ".
struct FleetCheckEngine {
  std::string context;
  CheckState state = CheckState::kUnknown;
  std::string line;
};

// FleetCheckLine returns the one line of a check of several engines and
// sets `worst` to its state, the worst of theirs (CRITICAL, then WARNING,
// then UNKNOWN, then OK): "DOCKER-GC WORST - a: STATE text; b: STATE text
// | a_used=... b_used=...", each perfdata label prefixed with its context.
std::string FleetCheckLine(const std::vector<FleetCheckEngine>& engines,
                           CheckState* worst);

}  // namespace dgc

#endif  // DGC_PLUGIN_NAGIOS_CHECK_H_
