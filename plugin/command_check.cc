// `docker gc check`: a monitoring plugin by the Nagios conventions (SPEC.md
// §9). Reads the engine read-only, measures usage as the policy's
// threshold does, prints exactly one line and exits 0 OK, 1 WARNING, 2
// CRITICAL or 3 UNKNOWN — every error, usage errors included, is UNKNOWN
// here, never main's exit codes. The levels are nagios_check.h's.
#include "absl/strings/str_format.h"
#include "core/string_views.h"
#include "core/watermark.h"
#include "engine/policy_file.h"
#include "engine/session.h"
#include "plugin/command.h"
#include "plugin/fleet_command.h"
#include "plugin/inventory_source.h"
#include "plugin/metrics.h"
#include "plugin/nagios_check.h"

namespace dgc {
namespace {

constexpr char kUsage[] = "docker gc check [OPTIONS]";
constexpr char kSummary[] =
    "Check the engine's usage for Nagios, Icinga and the like: one line,\n"
    "\"DOCKER-GC OK - disk 71.0% (high 85%, critical 92.5%); ... | "
    "perfdata\",\n"
    "and exit 0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN. Changes nothing.\n"
    "\n"
    "Usage is measured as the policy's threshold measures it: percentages\n"
    "of the disk holding the engine's data, or sizes of Docker's own usage.\n"
    "WARNING at or above --warn (default: the policy's high watermark, when\n"
    "a cleanup is due). CRITICAL at or above --crit (default for\n"
    "percentages: halfway from the warning level to a full disk, e.g. 92.5%\n"
    "for 85%), or at or above the warning level when everything the policy\n"
    "may delete cannot bring usage below its high watermark. UNKNOWN when\n"
    "the engine cannot be read, or there is no level (no threshold in the\n"
    "policy, and neither --warn nor --crit).";

struct CheckOptions {
  std::string policy_file, warn, crit, timeout, metrics_file;
};

// Reads the engine and decides. Errors: every error of the flags, the
// policy and the engine, which the check reports as UNKNOWN.
absl::StatusOr<CheckResult> Check(Invocation& invocation, const FlagSet& flags,
                                  const CheckOptions& options,
                                  CheckLevels* levels, RunMetrics* metrics) {
  if (absl::Status valid =
          CheckTimeoutFlag(flags, options.timeout, &invocation);
      !valid.ok()) {
    return valid;
  }
  if (absl::Status valid = CheckMetricsFileFlag(flags, options.metrics_file);
      !valid.ok()) {
    return valid;
  }
  absl::StatusOr<Policy> policy = LoadPolicy(
      options.policy_file, invocation.global.connection, invocation.env);
  if (!policy.ok()) return policy.status();
  absl::StatusOr<CheckLevels> resolved =
      ResolveCheckLevels(options.warn, options.crit, policy->threshold);
  if (!resolved.ok()) return resolved.status();
  *levels = *resolved;
  absl::StatusOr<Inventory> inventory = LoadInventory(invocation, "");
  if (!inventory.ok()) return inventory.status();
  metrics->AddInventory(*inventory);
  absl::StatusOr<Plan> plan = MakePlan(*inventory, *policy, std::nullopt);
  if (!plan.ok()) return plan.status();
  metrics->AddPlan(*plan);
  CheckMeasure measure{.disk = levels->percent};
  if (measure.disk) {
    if (!inventory->data_disk.has_value()) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "percentages are of the disk holding the engine's data, which "
          "docker gc cannot measure from here (the engine at %s must be "
          "reached through a local unix socket): use sizes of Docker's own "
          "usage instead, e.g. --warn 40GB --crit 50GB",
          inventory->engine.host));
    }
    measure.used_bytes = inventory->data_disk->used_bytes;
    measure.total_bytes = inventory->data_disk->total_bytes;
  } else {
    measure.used_bytes = ComputeDockerUsage(*inventory).total();
  }
  return EvaluateCheck(*levels, measure, *plan);
}

// The check of several engines (fleet_command.h): one line, the worst
// state, each engine's text and perfdata under its context.
int CheckFleet(Invocation& invocation, const FlagSet& flags,
               const CheckOptions& options,
               const absl::StatusOr<std::vector<std::string>>& fleet) {
  std::string line;
  CheckState state = CheckState::kUnknown;
  absl::Status timeout = CheckTimeoutFlag(flags, options.timeout, &invocation);
  if (!fleet.ok() || !timeout.ok()) {
    line =
        UnknownLine(ToStd((fleet.ok() ? timeout : fleet.status()).message()));
  } else if (!options.metrics_file.empty()) {
    line = UnknownLine(ToStd(
        NotInFleet(flags, "--metrics-file", "its metrics describe one engine")
            .message()));
  } else {
    FleetRun run = RunCommandOnFleet(
        invocation, *fleet, [&](Invocation& engine) -> absl::StatusOr<int> {
          CheckLevels levels;
          RunMetrics metrics("check", absl::Now());
          absl::StatusOr<CheckResult> checked =
              Check(engine, flags, options, &levels, &metrics);
          if (!checked.ok()) return checked.status();
          engine.out << checked->line;
          return static_cast<int>(checked->state);
        });
    std::vector<FleetCheckEngine> engines;
    for (size_t i = 0; i < run.entries.size(); ++i) {
      const FleetEngineOutput& output = run.outputs[i];
      engines.push_back(
          {.context = run.entries[i].context,
           .state = output.error.ok()
                        ? static_cast<CheckState>(output.exit_code)
                        : CheckState::kUnknown,
           .line = output.error.ok()
                       ? output.text
                       : UnknownLine(ToStd(output.error.message()))});
    }
    line = FleetCheckLine(engines, &state);
  }
  invocation.out << line << "\n";
  return static_cast<int>(state);
}

}  // namespace

absl::StatusOr<int> RunCheck(Invocation& invocation) {
  absl::Time started = absl::Now();
  FlagSet flags("docker gc check");
  CheckOptions options;
  flags.String("policy", 'p', &options.policy_file,
               "Policy file whose watermarks set the default levels "
               "(default $DOCKER_CONFIG/gc.json, then /etc/docker/gc.json)",
               "file");
  flags.String("warn", 0, &options.warn,
               "WARNING at or above this usage: a share of the data disk "
               "(85%) or a size of Docker's usage (40GB); default the "
               "policy's high watermark",
               "level");
  flags.String("crit", 0, &options.crit,
               "CRITICAL at or above this usage (95%, 50GB); default for "
               "percentages halfway from the warning level to a full disk",
               "level");
  AddNoCacheFlag(flags, &invocation);
  AddTimeoutFlag(flags, &options.timeout);
  AddMetricsFileFlag(flags, &options.metrics_file);
  bool all_contexts = false;
  AddAllContextsFlag(flags, &all_contexts);
  absl::StatusOr<bool> parsed =
      ParseCommandLine(invocation, flags, {kUsage, kSummary});
  if (parsed.ok() && !*parsed) return kExitOk;  // the help was printed
  if (parsed.ok()) {
    absl::StatusOr<std::vector<std::string>> fleet =
        FleetContexts(flags, invocation, all_contexts);
    if (!fleet.ok() || !fleet->empty()) {
      return CheckFleet(invocation, flags, options, fleet);
    }
  }

  RunMetrics metrics("check", started);
  CheckLevels levels;
  absl::StatusOr<CheckResult> checked =
      parsed.ok() ? Check(invocation, flags, options, &levels, &metrics)
                  : parsed.status();
  CheckResult result;
  if (checked.ok()) {
    result = *std::move(checked);
  } else {
    result.line = UnknownLine(ToStd(checked.status().message()));
  }
  metrics.AddCheck({.state = static_cast<int>(result.state),
                    .disk = levels.percent,
                    .warning_bytes = result.warning_bytes,
                    .critical_bytes = result.critical_bytes});
  if (!options.metrics_file.empty() && options.metrics_file != "-") {
    absl::Status written =
        WriteRunMetrics(options.metrics_file, metrics, absl::Now(),
                        result.state != CheckState::kUnknown);
    if (!written.ok()) {
      result.state = CheckState::kUnknown;
      result.line = UnknownLine(ToStd(written.message()));
    }
  }
  invocation.out << result.line << "\n";
  return static_cast<int>(result.state);
}

}  // namespace dgc
