// Several engines in one run of plan, apply, df or check (SPEC.md §11):
// `--context` given more than once, or `--all-contexts`. Each engine runs
// the command's own one-engine function with its own context, output and
// diagnostics (engine/fleet.h runs them, a few at a time); this file
// decides when a run is a fleet and prints the result: a section per
// engine and a total, or one dgc.fleet/v1 document.
//
// Example (in a command's run function, after its flags are checked):
//   absl::StatusOr<std::vector<std::string>> fleet =
//       FleetContexts(flags, invocation, all_contexts);
//   if (!fleet.ok()) return fleet.status();
//   if (!fleet->empty())
//     return RunFleetCommand(invocation, FleetKind::kPlan, json, *fleet, one);
//   return one(invocation);
#ifndef DGC_PLUGIN_FLEET_COMMAND_H_
#define DGC_PLUGIN_FLEET_COMMAND_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/fleet_document.h"
#include "engine/fleet.h"
#include "plugin/command.h"

namespace dgc {

// A command's run on one engine: `engine` names it (its context) and holds
// its own output streams. Returns the exit code, or an error.
using EngineCommand = std::function<absl::StatusOr<int>(Invocation& engine)>;

// AddAllContextsFlag declares --all-contexts on `flags`.
void AddAllContextsFlag(FlagSet& flags, bool* all_contexts);

// FleetContexts returns the contexts of a fleet run: every --context when
// given more than once, every context (ListContexts) with
// `all_contexts`; empty for a run on one engine. Errors: a usage error
// for --all-contexts with --host or --context; those of ListContexts.
absl::StatusOr<std::vector<std::string>> FleetContexts(
    const FlagSet& flags, const Invocation& invocation, bool all_contexts);

// NotInFleet returns a usage error saying that `flag` is for one engine
// (e.g. apply --plan), for a command run on a fleet.
absl::Status NotInFleet(const FlagSet& flags, std::string_view flag,
                        std::string_view why);

// RunCommandOnFleet runs `command` on each engine of `contexts` (see
// RunFleet) and writes each engine's diagnostics, then the fleet's notes,
// to invocation.err, each line prefixed with its context.
FleetRun RunCommandOnFleet(const Invocation& invocation,
                           const std::vector<std::string>& contexts,
                           const EngineCommand& command);

// RunFleetCommand runs `command` on the fleet and prints it to
// invocation.out: the dgc.fleet/v1 document of `kind` when `json`, else a
// section per engine (a heading with its context and host, then its table
// or its error) and a total line. Returns the fleet's exit code.
int RunFleetCommand(Invocation& invocation, FleetKind kind, bool json,
                    const std::vector<std::string>& contexts,
                    const EngineCommand& command);

}  // namespace dgc

#endif  // DGC_PLUGIN_FLEET_COMMAND_H_
