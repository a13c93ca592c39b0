// `docker gc plan`: evaluate the policy and show every action with the
// exact bytes it frees. Reads only: it holds a read-only transport and
// never constructs an Executor.
#include "absl/strings/str_format.h"
#include "core/plan_json.h"
#include "engine/files.h"
#include "engine/policy_file.h"
#include "engine/session.h"
#include "plugin/command.h"
#include "plugin/fleet_command.h"
#include "plugin/inventory_source.h"
#include "plugin/plan_table.h"
#include "plugin/table.h"

namespace dgc {
namespace {

constexpr char kUsage[] = "docker gc plan [OPTIONS]";
constexpr char kSummary[] =
    "Evaluate the retention policy and show what it would delete or untag,\n"
    "why, and exactly how many bytes each action frees. Changes nothing.";

}  // namespace

absl::StatusOr<int> RunPlan(Invocation& invocation) {
  FlagSet flags("docker gc plan");
  std::string policy_file, output;
  ReadFlags read;
  flags.String("policy", 'p', &policy_file,
               "Policy file (default $DOCKER_CONFIG/gc.json, then "
               "/etc/docker/gc.json, else dangling images older than 24h)",
               "file");
  AddReadFlags(flags, &read);
  AddNoCacheFlag(flags, &invocation);
  flags.String("output", 'o', &output, "Also write the plan JSON to a file",
               "file");
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
    if (!read.from.empty()) {
      return NotInFleet(flags, "--from", "a snapshot is one engine's");
    }
    if (!output.empty()) {
      return NotInFleet(flags, "--output",
                        "a saved plan is for one engine; use --format json");
    }
    if (!metrics_file.empty()) {
      return NotInFleet(flags, "--metrics-file",
                        "its metrics describe one engine");
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
  absl::StatusOr<std::optional<absl::Time>> now_flag =
      CheckReadFlags(flags, read);
  if (!now_flag.ok()) return now_flag.status();
  absl::StatusOr<Policy> policy =
      LoadPolicy(policy_file, invocation.global.connection, invocation.env);
  if (!policy.ok()) return policy.status();
  // Docker's own usage is read only when the policy or the metrics need it.
  InventoryScope scope = NeedsDockerUsage(*policy) || !metrics_file.empty()
                             ? InventoryScope::kAll
                             : InventoryScope::kImages;
  EngineCommand plan_one = [&](Invocation& engine) -> absl::StatusOr<int> {
    absl::StatusOr<Inventory> inventory =
        LoadInventory(engine, read.from, scope);
    if (!inventory.ok()) return inventory.status();
    engine.metrics.AddInventory(*inventory);
    absl::StatusOr<Plan> planned = MakePlan(*inventory, *policy, *now_flag);
    if (!planned.ok()) return planned.status();
    const Plan& plan = *planned;
    engine.metrics.AddPlan(plan);
    PrintWarnings(plan.warnings, engine.err);
    std::string json = PlanToJson(plan);
    if (!output.empty()) {
      if (absl::Status written = WriteFile(output, json); !written.ok()) {
        return written;
      }
    }
    if (engine.fleet_document != nullptr) *engine.fleet_document = json;
    if (read.format == "json") {
      engine.out << json;
    } else {
      PrintPlanTable(plan, &*policy, engine.out);
    }
    return kExitOk;
  };
  if (!fleet->empty()) {
    return RunFleetCommand(invocation, FleetKind::kPlan, read.format == "json",
                           *fleet, plan_one);
  }
  return plan_one(invocation);
}

}  // namespace dgc
