// `docker gc apply`: perform the policy's actions, or exactly a saved
// plan's, each re-checked against the engine first; report what was done
// and the bytes the engine really freed.
#include <unistd.h>

#include <iostream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/apply_report.h"
#include "core/plan_json.h"
#include "engine/files.h"
#include "engine/policy_file.h"
#include "engine/session.h"
#include "plugin/apply_lock.h"
#include "plugin/audit_log.h"
#include "plugin/command.h"
#include "plugin/fleet_command.h"
#include "plugin/human_units.h"
#include "plugin/inventory_source.h"
#include "plugin/plan_table.h"
#include "plugin/stop_signals.h"
#include "plugin/table.h"

namespace dgc {
namespace {

constexpr char kUsage[] = "docker gc apply [OPTIONS]";
constexpr char kSummary[] =
    "Delete and untag what the policy selects (or exactly what a saved plan\n"
    "lists), re-checking each image against the engine first. Never forces.";

struct ApplyOptions {
  std::string policy_file, plan_file, format, now_text;
  std::string lock_file, lock_timeout = "0s", log_file;
  bool yes = false, force = false;
};

// Reads the saved plan of --plan. Errors name the file.
absl::StatusOr<Plan> ReadSavedPlan(std::string_view path) {
  absl::StatusOr<PaddedBody> text = ReadFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<Plan> plan = ParsePlan(*text);
  if (!plan.ok()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("plan %s: %s", path, plan.status().message()));
  }
  return plan;
}

// Shows the plan on stderr and asks; true for "y" or "yes".
bool Confirm(const Plan& plan, const Policy* policy, Invocation& invocation) {
  PrintPlanTable(plan, policy, invocation.err);
  invocation.err << "\nWARNING! This will delete or untag the images above.\n"
                    "Are you sure you want to continue? [y/N] ";
  invocation.err.flush();
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void PrintResultLine(const ActionResult& result, std::ostream& out) {
  std::string refs =
      result.refs.empty() ? "<none>" : absl::StrJoin(result.refs, ", ");
  std::string target = ShortId(result.image);
  if (result.op == ActionOp::kRemoveContainer) {
    target = result.container.substr(0, 12);
  } else if (result.op == ActionOp::kRemoveVolume) {
    target = result.volume.substr(0, 12);
    refs = result.volume;
  } else if (result.op == ActionOp::kPruneBuildCache) {
    target = absl::StrFormat("%d records", result.records.size());
    refs = "";
  }
  std::string line = absl::StrFormat(
      "%-8s %-7s %s   %-9s %s", StatusName(result.status), OpName(result.op),
      target, HumanSize(result.freed_bytes), refs);
  if (!result.detail.empty()) line += " (" + result.detail + ")";
  out << TerminalSafe(line, 400) << "\n";
  out.flush();
}

void PrintProgress(size_t done, size_t total, uint64_t freed,
                   std::ostream& err) {
  err << absl::StrFormat("\r[%d/%d] %s freed", done, total, HumanSize(freed));
  if (done == total) err << "\r\033[K";
  err.flush();
}

// A file of --lock or --log for `engine`: the path itself for one engine,
// with ".CONTEXT" appended for one engine of a fleet (each its own lock
// and log).
std::string PerEngine(const std::string& path, const Invocation& engine) {
  if (engine.fleet_document == nullptr) return path;
  return absl::StrCat(path, ".", engine.global.connection.context);
}

// Applies `request` on the engine `engine` names, holding its lock and
// writing its audit log; prints the results. Returns the exit code.
absl::StatusOr<int> ApplyOnEngine(Invocation& engine,
                                  const ApplyOptions& options,
                                  absl::Duration lock_timeout,
                                  ApplyRequest request, bool confirmed) {
  std::optional<ApplyLock> lock;
  if (!options.lock_file.empty()) {
    absl::StatusOr<ApplyLock> acquired =
        ApplyLock::Acquire(PerEngine(options.lock_file, engine), lock_timeout);
    if (!acquired.ok()) return acquired.status();
    lock.emplace(*std::move(acquired));
  }
  std::optional<AuditLog> audit;
  if (!options.log_file.empty()) {
    absl::StatusOr<AuditLog> opened =
        AuditLog::Open(PerEngine(options.log_file, engine));
    if (!opened.ok()) return opened.status();
    audit.emplace(*std::move(opened));
    if (audit->torn().has_value()) {
      engine.err << TornLineWarning(PerEngine(options.log_file, engine),
                                    *audit->torn());
    }
  }

  absl::StatusOr<std::unique_ptr<EngineSession>> session =
      OpenSession(engine, Access::kReadWrite);
  if (!session.ok()) return session.status();
  absl::StatusOr<ApplyRun> run = ApplyRun::Prepare(**session, request);
  if (!run.ok()) return run.status();
  const Plan& plan = run->plan();
  engine.metrics.AddInventory(run->inventory());
  engine.metrics.AddPlan(plan);
  PrintWarnings(plan.warnings, engine.err);
  if (!plan.actions.empty() && !confirmed &&
      !Confirm(plan, request.policy, engine)) {
    engine.err << "Nothing was changed.\n";
    return kExitOk;
  }

  if (engine.fleet_document == nullptr) WatchStopSignals(engine.env);
  bool table = options.format == "table";
  bool progress = engine.fleet_document == nullptr && ::isatty(STDERR_FILENO);
  uint64_t freed = 0;
  absl::Status audit_error;
  ExecutorHooks hooks;
  hooks.stop_requested = StopRequested;
  hooks.on_result = [&](const ActionResult& result, size_t index,
                        size_t total) {
    freed += result.freed_bytes;
    if (progress) engine.err << "\r\033[K" << std::flush;
    if (table) PrintResultLine(result, engine.out);
    if (progress) PrintProgress(index + 1, total, freed, engine.err);
    if (audit.has_value() && audit_error.ok()) {
      audit_error = audit->Append(AuditLine(result, run->inventory().engine));
    }
  };
  ApplyReport report = run->Execute(hooks);
  engine.metrics.AddApplyReport(report);

  if (table) {
    if (plan.actions.empty()) engine.out << "Nothing to do.\n";
    engine.out << absl::StrFormat("Total reclaimed space: %s\n",
                                  HumanSize(report.summary.freed_bytes));
    if (report.engine.containerd_store) {
      // That store's DELETE does not say which layers went (SPEC §10).
      engine.out << (report.summary.freed_measured_by == "layers_size"
                         ? "Measured as the drop of the engine's "
                           "LayersSize; freed content blobs are not "
                           "counted (content store not visible)\n"
                         : "Measured as the drop of the engine's "
                           "LayersSize plus the content blobs gone from "
                           "containerd's content store\n");
    }
    if (report.watermark.has_value()) {
      engine.out << WatermarkLine(*report.watermark, /*planned=*/false) << "\n";
    }
  } else {
    engine.out << ApplyReportToJson(report);
  }
  if (engine.fleet_document != nullptr) {
    *engine.fleet_document = ApplyReportToJson(report);
  }
  engine.out.flush();
  if (!audit_error.ok()) return audit_error;
  const ApplySummary& summary = report.summary;
  if (!summary.stopped.empty()) {
    return absl::AbortedError(absl::StrFormat(
        "apply stopped: %s; %d done, %d skipped, %d failed, %d unknown",
        summary.stopped, summary.done, summary.skipped, summary.failed,
        summary.unknown));
  }
  return summary.failed > 0 || summary.unknown > 0 ? kExitSomeFailed : kExitOk;
}

}  // namespace

absl::StatusOr<int> RunApply(Invocation& invocation) {
  FlagSet flags("docker gc apply");
  ApplyOptions options;
  flags.String("policy", 'p', &options.policy_file,
               "Policy file (default $DOCKER_CONFIG/gc.json, then "
               "/etc/docker/gc.json, else dangling images older than 24h)",
               "file");
  flags.String("plan", 0, &options.plan_file,
               "Apply exactly the actions of a saved plan (plan -o FILE)",
               "file");
  flags.Bool("yes", 'y', &options.yes, "Do not prompt for confirmation");
  flags.Bool("force", 'f', &options.force,
             "Same as --yes (as in docker image prune -f); never forces a "
             "delete");
  AddFormatFlag(flags, &options.format);
  AddNoCacheFlag(flags, &invocation);
  flags.String("now", 0, &options.now_text,
               "The time ages are measured at (RFC 3339); default now", "time");
  flags.String("lock", 0, &options.lock_file,
               "Hold this lock file, so that one apply runs at a time", "file");
  flags.String("lock-timeout", 0, &options.lock_timeout,
               "How long to wait for the lock (e.g. 30s, 5m)", "duration");
  flags.String("log", 0, &options.log_file,
               "Append one JSON line per action to this audit log", "file");
  std::string timeout, metrics_file;
  AddTimeoutFlag(flags, &timeout);
  AddMetricsFileFlag(flags, &metrics_file);
  bool all_contexts = false;
  AddAllContextsFlag(flags, &all_contexts);
  absl::StatusOr<bool> parsed =
      ParseCommandLine(invocation, flags, {kUsage, kSummary});
  if (!parsed.ok()) return parsed.status();
  if (!*parsed) return kExitOk;  // the help was printed
  absl::StatusOr<std::vector<std::string>> fleet =
      FleetContexts(flags, invocation, all_contexts);
  if (!fleet.ok()) return fleet.status();
  if (!fleet->empty()) {
    if (!options.plan_file.empty()) {
      return NotInFleet(flags, "--plan", "a saved plan is for one engine");
    }
    if (!metrics_file.empty()) {
      return NotInFleet(flags, "--metrics-file",
                        "its metrics describe one engine");
    }
    if (!options.yes && !options.force) {
      return NotInFleet(flags, "apply without --yes",
                        "confirm with --yes after a fleet plan");
    }
  }

  if (absl::Status valid = CheckMetricsFileFlag(flags, metrics_file);
      !valid.ok()) {
    return valid;
  }
  invocation.metrics_file = metrics_file;  // main writes it at the end
  if (absl::Status valid = CheckTimeoutFlag(flags, timeout, &invocation);
      !valid.ok()) {
    return valid;
  }
  if (absl::Status valid = CheckFormat(flags, options.format); !valid.ok()) {
    return valid;
  }
  if (!options.plan_file.empty() && !options.policy_file.empty()) {
    return UsageError(flags.command(),
                      "--plan and --policy cannot be used together");
  }
  bool confirmed = options.yes || options.force;
  if (!confirmed && !::isatty(STDIN_FILENO)) {
    return UsageError(flags.command(),
                      "refusing to apply without --yes: stdin is not a "
                      "terminal to confirm on");
  }
  absl::Duration lock_timeout;
  if (!absl::ParseDuration(options.lock_timeout, &lock_timeout) ||
      lock_timeout < absl::ZeroDuration()) {
    return UsageError(flags.command(),
                      absl::StrFormat("invalid --lock-timeout \"%s\": want a "
                                      "duration such as 30s or 5m",
                                      options.lock_timeout));
  }
  absl::StatusOr<std::optional<absl::Time>> now_flag =
      ParseNowFlag(flags.command(), options.now_text);
  if (!now_flag.ok()) return now_flag.status();

  Policy policy;  // stays empty for a saved plan
  Plan saved_plan;
  ApplyRequest request{.now = *now_flag,
                       .report_docker_usage = !metrics_file.empty()};
  if (options.plan_file.empty()) {
    absl::StatusOr<Policy> loaded = LoadPolicy(
        options.policy_file, invocation.global.connection, invocation.env);
    if (!loaded.ok()) return loaded.status();
    policy = *std::move(loaded);
    request.policy = &policy;
  } else {
    absl::StatusOr<Plan> loaded = ReadSavedPlan(options.plan_file);
    if (!loaded.ok()) return loaded.status();
    saved_plan = *std::move(loaded);
    request.saved_plan = &saved_plan;
  }
  EngineCommand apply_one = [&](Invocation& engine) -> absl::StatusOr<int> {
    return ApplyOnEngine(engine, options, lock_timeout, request, confirmed);
  };
  if (!fleet->empty()) {
    WatchStopSignals(invocation.env);
    return RunFleetCommand(invocation, FleetKind::kApply,
                           options.format == "json", *fleet, apply_one);
  }
  return apply_one(invocation);
}

}  // namespace dgc
