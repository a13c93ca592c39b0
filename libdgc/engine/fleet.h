// Several engines in one run (SPEC.md §11): the docker contexts named, or
// all of them, each resolved to its endpoint, asked for its /info ID so
// that two contexts naming the same engine handle it once, then each run
// on its own (its own session, re-checks, lock and log), a few at a time;
// one failing never stops the others. Front ends (the plugin's commands,
// the C API) pass the per-engine run; the fleet document is
// core/fleet_document.h's.
//
// Example:
//   std::vector<dgc::FleetTarget> targets =
//       dgc::ResolveFleetTargets(options, {"a", "b"}, env);
//   dgc::FleetRun run = dgc::RunFleet(targets, dgc::ProbeEngine,
//       [&](const dgc::FleetTarget& target) { ...; return output; });
//   std::string json = dgc::FleetDocument(dgc::FleetKind::kPlan,
//                                         run.entries, run.duplicates);
#ifndef DGC_ENGINE_FLEET_H_
#define DGC_ENGINE_FLEET_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/fleet_document.h"
#include "engine/endpoint.h"
#include "engine/session.h"

namespace dgc {

// How many engines a fleet runs at once.
inline constexpr size_t kFleetParallelism = 4;

// One context of a fleet and its endpoint (or why it has none).
struct FleetTarget {
  std::string context;
  absl::StatusOr<Endpoint> endpoint;
};

// ResolveFleetTargets resolves each context of `contexts` (a name given
// twice is kept once, in first order) with ResolveEndpoint, from `options`
// with its host and context replaced. A context that does not resolve
// keeps its error (e.g. NotFound for an unknown name).
std::vector<FleetTarget> ResolveFleetTargets(
    const GlobalOptions& options, const std::vector<std::string>& contexts,
    const EnvironmentLookup& env);

// What one engine's run produced: its exit code (0, or 3 when some actions
// failed) and document, or the error that stopped it (with the document
// when it wrote one first: an apply that stopped part-way); and the text
// it printed for people and its diagnostics, for the front end to show.
struct FleetEngineOutput {
  absl::Status error = absl::OkStatus();
  int exit_code = 0;
  std::string document;
  std::string text;
  std::string diagnostics;
};

// What tells engines apart, from GET /info: its ID alone is not enough,
// as engines sharing a key.json (several on one machine, cloned machines)
// share it, so two endpoints are the same engine only when the ID, the
// name (host name) and the data root all match.
struct EngineIdentity {
  std::string id;               // ID
  std::string name;             // Name
  std::string docker_root_dir;  // DockerRootDir
  bool containerd_store = false;
};

// Reads an engine's identity before its run.
using FleetProbe =
    std::function<absl::StatusOr<EngineIdentity>(const Endpoint& endpoint)>;
// Runs the command on one engine; called from several threads at once, so
// it must share nothing mutable with other calls.
using FleetEngineRun =
    std::function<FleetEngineOutput(const FleetTarget& target)>;

// ProbeEngine connects to `endpoint` read-only with `options` and returns
// its identity from /info. Errors: those of EngineSession::Open,
// EngineClient::Connect and EngineClient::Get; InvalidArgument for a
// malformed body.
absl::StatusOr<EngineIdentity> ProbeEngine(const Endpoint& endpoint,
                                           const SessionOptions& options);

// The outcome of a fleet: one entry per engine handled (in the targets'
// order), the outputs beside them (outputs[i] is entries[i]'s; an engine
// that failed before its run has only its error), the contexts left out
// as duplicates, and notes for people (duplicates, mixed image stores).
struct FleetRun {
  std::vector<FleetEntry> entries;
  std::vector<FleetEngineOutput> outputs;
  std::vector<FleetDuplicate> duplicates;
  std::vector<std::string> notes;
  // The fleet's exit code (FleetExitCode of the engines').
  int exit_code = 0;
};

// RunFleet probes every target that resolved, leaves out those whose
// engine identity an earlier target has (a note says so; an empty ID
// never matches), and calls `run` for
// each remaining one whose probe succeeded, at most `parallelism` at a
// time; a target that did not resolve or whose probe failed is an entry
// with that error (exit code 1). Never fails as a whole.
FleetRun RunFleet(const std::vector<FleetTarget>& targets,
                  const FleetProbe& probe, const FleetEngineRun& run,
                  size_t parallelism = kFleetParallelism);

}  // namespace dgc

#endif  // DGC_ENGINE_FLEET_H_
