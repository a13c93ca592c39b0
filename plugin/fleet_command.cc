// Plan, apply, df and check on several engines (see fleet_command.h).
#include "plugin/fleet_command.h"

#include <sstream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/safe_text.h"
#include "core/string_views.h"
#include "engine/context_list.h"
#include "plugin/human_units.h"
#include "plugin/inventory_source.h"
#include "plugin/table.h"

namespace dgc {
namespace {

// Runs `command` for `target` alone, with its output captured.
FleetEngineOutput RunOnEngine(const Invocation& fleet,
                              const FleetTarget& target,
                              const EngineCommand& command) {
  std::ostringstream out, err;
  FleetEngineOutput output;
  Invocation engine{.global = fleet.global,
                    .args = {},
                    .out = out,
                    .err = err,
                    .env = fleet.env,
                    .no_cache = fleet.no_cache,
                    .timeout = fleet.timeout,
                    .fleet_document = &output.document};
  engine.global.connection.host.clear();
  engine.global.connection.context = target.context;
  engine.global.contexts = {target.context};
  absl::StatusOr<int> code = command(engine);
  if (code.ok()) {
    output.exit_code = *code;
  } else {
    output.error = code.status();
  }
  output.text = out.str();
  output.diagnostics = err.str();
  return output;
}

// Writes `text` to `err`, each line prefixed with "[context] ".
void PrintPrefixed(std::string_view context, std::string_view text,
                   std::ostream& err) {
  for (absl::string_view line :
       absl::StrSplit(ToAbsl(text), '\n', absl::SkipEmpty())) {
    // Progress lines end with "\r"; only their last state is kept.
    size_t carriage = line.rfind('\r');
    if (carriage != absl::string_view::npos) line = line.substr(carriage + 1);
    if (line.empty()) continue;
    err << "[" << context << "] " << line << "\n";
  }
}

std::string TotalLine(FleetKind kind, const FleetSummary& summary) {
  std::string failed = summary.failed == 0
                           ? ""
                           : absl::StrFormat(" (%d failed)", summary.failed);
  std::string engines =
      absl::StrFormat("%d %s%s", summary.engines,
                      summary.engines == 1 ? "engine" : "engines", failed);
  switch (kind) {
    case FleetKind::kPlan:
      return absl::StrFormat("Total over %s: %s reclaimable", engines,
                             HumanSize(summary.reclaimable_bytes));
    case FleetKind::kDf:
      return absl::StrFormat(
          "Total over %s: %s reclaimable by deleting every unused image",
          engines, HumanSize(summary.reclaimable_bytes));
    case FleetKind::kApply:
      return absl::StrFormat(
          "Total reclaimed space over %s: %s (%d done, %d skipped, %d failed)",
          engines, HumanSize(summary.freed_bytes), summary.done,
          summary.skipped, summary.actions_failed);
  }
  return "";
}

}  // namespace

void AddAllContextsFlag(FlagSet& flags, bool* all_contexts) {
  flags.Bool("all-contexts", 0, all_contexts,
             "Run on the engine of every docker context (as docker context "
             "ls lists them); --context given more than once runs on those");
}

absl::StatusOr<std::vector<std::string>> FleetContexts(
    const FlagSet& flags, const Invocation& invocation, bool all_contexts) {
  const GlobalOptions& connection = invocation.global.connection;
  if (all_contexts) {
    if (!connection.host.empty() || !invocation.global.contexts.empty()) {
      return UsageError(flags.command(),
                        "--all-contexts cannot be used with --host or "
                        "--context");
    }
    return ListContexts(connection, invocation.env);
  }
  if (invocation.global.contexts.size() < 2) {
    return std::vector<std::string>{};
  }
  if (!connection.host.empty()) {
    return UsageError(flags.command(), "--host cannot be used with --context");
  }
  return invocation.global.contexts;
}

absl::Status NotInFleet(const FlagSet& flags, std::string_view flag,
                        std::string_view why) {
  return UsageError(
      flags.command(),
      absl::StrFormat("%s cannot be used with several engines (--context "
                      "more than once, --all-contexts): %s",
                      flag, why));
}

FleetRun RunCommandOnFleet(const Invocation& invocation,
                           const std::vector<std::string>& contexts,
                           const EngineCommand& command) {
  std::vector<FleetTarget> targets = ResolveFleetTargets(
      invocation.global.connection, contexts, invocation.env);
  SessionOptions probe_options = CommandSessionOptions(invocation);
  FleetRun fleet = RunFleet(
      targets,
      [&](const Endpoint& endpoint) {
        return ProbeEngine(endpoint, probe_options);
      },
      [&](const FleetTarget& target) {
        return RunOnEngine(invocation, target, command);
      });
  for (size_t i = 0; i < fleet.entries.size(); ++i) {
    PrintPrefixed(fleet.entries[i].context, fleet.outputs[i].diagnostics,
                  invocation.err);
  }
  for (const std::string& note : fleet.notes) {
    invocation.err << "NOTE: " << TerminalSafe(note, 400) << "\n";
  }
  return fleet;
}

int RunFleetCommand(Invocation& invocation, FleetKind kind, bool json,
                    const std::vector<std::string>& contexts,
                    const EngineCommand& command) {
  FleetRun fleet = RunCommandOnFleet(invocation, contexts, command);
  for (const FleetEntry& entry : fleet.entries) {
    if (entry.error.ok()) continue;
    invocation.err << "Error: " << entry.context << ": "
                   << TerminalSafe(ToStd(entry.error.message()), 2000) << "\n";
  }
  if (json) {
    invocation.out << FleetDocument(kind, fleet.entries, fleet.duplicates);
    return fleet.exit_code;
  }
  for (size_t i = 0; i < fleet.entries.size(); ++i) {
    const FleetEntry& entry = fleet.entries[i];
    invocation.out << absl::StrFormat(
        "=== %s (%s) ===\n", TerminalSafe(entry.context, 200),
        entry.host.empty() ? "no endpoint" : TerminalSafe(entry.host, 400));
    invocation.out << fleet.outputs[i].text;
    if (!entry.error.ok()) {
      invocation.out << "Error: "
                     << TerminalSafe(ToStd(entry.error.message()), 2000)
                     << "\n";
    }
    invocation.out << "\n";
  }
  for (const FleetDuplicate& duplicate : fleet.duplicates) {
    invocation.out << absl::StrFormat(
        "=== %s: the same engine as %s, handled once ===\n\n",
        TerminalSafe(duplicate.context, 200),
        TerminalSafe(duplicate.same_engine_as, 200));
  }
  invocation.out << TotalLine(kind, SummarizeFleet(kind, fleet.entries))
                 << "\n";
  return fleet.exit_code;
}

}  // namespace dgc
