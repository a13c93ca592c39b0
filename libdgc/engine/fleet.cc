// Several engines in one run (see fleet.h).
#include "engine/fleet.h"

#include <atomic>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/engine_bodies.h"
#include "core/json_reader.h"

namespace dgc {
namespace {

// Calls `task(i)` for every i below `count`, at most `parallelism` at once.
void ForEachParallel(size_t count, size_t parallelism,
                     const std::function<void(size_t)>& task) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) task(i);
  };
  std::vector<std::thread> threads;
  size_t workers = std::min(count, std::max<size_t>(parallelism, 1));
  for (size_t i = 1; i < workers; ++i) threads.emplace_back(worker);
  if (workers > 0) worker();
  for (std::thread& thread : threads) thread.join();
}

}  // namespace

std::vector<FleetTarget> ResolveFleetTargets(
    const GlobalOptions& options, const std::vector<std::string>& contexts,
    const EnvironmentLookup& env) {
  std::vector<FleetTarget> targets;
  for (const std::string& context : contexts) {
    bool seen = false;
    for (const FleetTarget& target : targets) seen |= target.context == context;
    if (seen) continue;
    GlobalOptions one = options;
    one.host.clear();
    one.context = context;
    targets.push_back({context, ResolveEndpoint(one, env)});
  }
  return targets;
}

absl::StatusOr<EngineIdentity> ProbeEngine(const Endpoint& endpoint,
                                           const SessionOptions& options) {
  absl::StatusOr<std::unique_ptr<EngineSession>> session =
      EngineSession::Open(endpoint, Access::kReadOnly, options);
  if (!session.ok()) return session.status();
  if (absl::Status connected = (*session)->Connect(); !connected.ok()) {
    return connected;
  }
  absl::StatusOr<HttpResponse> response = (*session)->client().Get("/info");
  if (!response.ok()) return response.status();
  InfoBody info;
  EngineIdentity identity;
  simdjson::ondemand::parser parser;
  absl::Status parsed = ParseDocument(
      parser, response->body,
      [&](simdjson::ondemand::value& root) { return ParseInfo(root, &info); });
  if (parsed.ok()) {
    parsed = ParseDocument(
        parser, response->body, [&](simdjson::ondemand::value& root) {
          return ForEachField(
              root, [&](std::string_view key, simdjson::ondemand::value& v) {
                return key == "Name" ? ReadString(v, key, &identity.name)
                                     : absl::OkStatus();
              });
        });
  }
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "GET /info of %s: %s", endpoint.host, parsed.message()));
  }
  identity.id = info.id;
  identity.docker_root_dir = info.docker_root_dir;
  identity.containerd_store = info.containerd_snapshotter;
  return identity;
}

FleetRun RunFleet(const std::vector<FleetTarget>& targets,
                  const FleetProbe& probe, const FleetEngineRun& run,
                  size_t parallelism) {
  std::vector<absl::StatusOr<EngineIdentity>> infos(
      targets.size(), absl::UnknownError("not resolved"));
  ForEachParallel(targets.size(), parallelism, [&](size_t i) {
    if (targets[i].endpoint.ok()) infos[i] = probe(*targets[i].endpoint);
  });

  FleetRun fleet;
  std::vector<size_t> handled;  // indices into targets, in order
  absl::flat_hash_map<std::string, std::string> context_of_id;
  std::vector<std::string> containerd, graph;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (infos[i].ok() && !infos[i]->id.empty()) {
      const EngineIdentity& identity = *infos[i];
      auto [it, inserted] =
          context_of_id.emplace(absl::StrCat(identity.id, "\n", identity.name,
                                             "\n", identity.docker_root_dir),
                                targets[i].context);
      if (!inserted) {
        fleet.duplicates.push_back({targets[i].context, it->second});
        fleet.notes.push_back(absl::StrFormat(
            "context \"%s\" names the same engine as context \"%s\" (ID %s): "
            "it is handled once, as \"%s\"",
            targets[i].context, it->second, infos[i]->id, it->second));
        continue;
      }
      (identity.containerd_store ? containerd : graph)
          .push_back(targets[i].context);
    }
    handled.push_back(i);
  }
  if (!containerd.empty() && !graph.empty()) {
    fleet.notes.push_back(absl::StrFormat(
        "the engines keep images differently: %s use%s the containerd image "
        "store, %s not; each is handled and measured by its own store's rules",
        absl::StrJoin(containerd, ", "), containerd.size() == 1 ? "s" : "",
        absl::StrJoin(graph, ", ")));
  }

  fleet.entries.resize(handled.size());
  fleet.outputs.resize(handled.size());
  ForEachParallel(handled.size(), parallelism, [&](size_t k) {
    const FleetTarget& target = targets[handled[k]];
    FleetEntry& entry = fleet.entries[k];
    FleetEngineOutput& output = fleet.outputs[k];
    entry.context = target.context;
    if (target.endpoint.ok()) entry.host = target.endpoint->host;
    if (!target.endpoint.ok()) {
      output.error = target.endpoint.status();
    } else if (!infos[handled[k]].ok()) {
      output.error = infos[handled[k]].status();
    } else {
      output = run(target);
    }
    // A run that failed after writing its document (an apply that
    // stopped) keeps it: it says what was done before.
    entry.error = output.error;
    entry.document = output.document;
    if (!output.error.ok()) output.exit_code = 1;
  });
  std::vector<int> codes;
  for (const FleetEngineOutput& output : fleet.outputs) {
    codes.push_back(output.exit_code);
  }
  fleet.exit_code = FleetExitCode(codes);
  return fleet;
}

}  // namespace dgc
