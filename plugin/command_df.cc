// `docker gc df`: disk usage per repository and image, with exact unique
// and shared bytes, as a table or as dgc.df/v1.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/disk_usage.h"
#include "core/watermark.h"
#include "engine/policy_file.h"
#include "engine/session.h"
#include "plugin/command.h"
#include "plugin/fleet_command.h"
#include "plugin/human_units.h"
#include "plugin/inventory_source.h"
#include "plugin/plan_table.h"
#include "plugin/table.h"

namespace dgc {
namespace {

constexpr char kUsage[] = "docker gc df [OPTIONS]";
constexpr char kSummary[] =
    "Show disk usage per repository and image. Shared layers are counted\n"
    "once: UNIQUE is what deleting only that image frees.";

// A figure that is exact, or marked "≈" when it is a bound (SPEC §10: the
// containerd store without its content store).
std::string Figure(uint64_t bytes, bool exact) {
  return exact ? HumanSize(bytes) : absl::StrCat("≈", HumanSize(bytes));
}

void PrintRepositories(const Inventory& inventory, const DiskUsage& usage,
                       std::ostream& out) {
  Table table({"REPOSITORY", "IMAGES", "SIZE", "UNIQUE"});
  for (const RepositoryUsage& repository : usage.repositories) {
    table.AddRow({repository.name, absl::StrCat(repository.images),
                  Figure(repository.size, inventory.ContentKnown()),
                  Figure(repository.unique_bytes, inventory.ContentKnown())});
  }
  table.Print(out);
}

void PrintImages(const Inventory& inventory, const DiskUsage& usage,
                 absl::Time now, std::ostream& out) {
  Table table({"IMAGE ID", "TAGS", "CREATED", "SIZE", "UNIQUE", "SHARED",
               "CONTAINERS"});
  for (const ImageUsage& entry : usage.images) {
    const Image& image = inventory.images[entry.image];
    std::string tags =
        image.tags.empty() ? "<none>" : absl::StrJoin(image.tags, ", ");
    table.AddRow({ShortId(image.id), tags, HumanAge(image.created, now),
                  HumanSize(entry.size),
                  Figure(entry.unique_bytes, inventory.ContentKnown()),
                  Figure(entry.shared_bytes, inventory.ContentKnown()),
                  absl::StrCat(entry.containers)});
  }
  table.Print(out);
}

void PrintTotals(const Inventory& inventory, const DiskUsageTotals& totals,
                 std::ostream& out) {
  bool exact = inventory.ContentKnown();
  out << absl::StrFormat(
      "Total: %d %s, %s %s on disk (%s unique to one image, %s shared)\n",
      totals.images, totals.images == 1 ? "image" : "images",
      Figure(totals.layers_bytes + totals.content_bytes, exact),
      inventory.engine.containerd_store ? "of snapshots and content blobs"
                                        : "of layers",
      Figure(totals.unique_bytes, exact), Figure(totals.shared_bytes, exact));
  if (inventory.engine.containerd_store) {
    out << absl::StrFormat(
        "Image store: containerd: %s of snapshots and %s of content blobs%s\n",
        HumanSize(totals.layers_bytes), Figure(totals.content_bytes, exact),
        exact ? ""
              : " (content store not visible: content counted as 0, every "
                "figure marked ≈ a lower bound)");
  }
  out << absl::StrFormat(
      "In use by containers: %s. Reclaimable by deleting every unused image: "
      "%s\n",
      Figure(totals.in_use_bytes, exact),
      Figure(totals.unused_reclaimable_bytes, exact));
}

// Every resource kind beside images, the data disk, and with a policy what
// it would reclaim of each.
void PrintResources(const Inventory& inventory, const Plan* plan,
                    std::ostream& out) {
  DockerUsage docker = ComputeDockerUsage(inventory);
  uint64_t by_kind[4] = {0, 0, 0, 0};  // images, containers, volumes, cache
  if (plan != nullptr) {
    for (const Action& action : plan->actions) {
      size_t kind = IsImageOp(action.op)                      ? 0
                    : action.op == ActionOp::kRemoveContainer ? 1
                    : action.op == ActionOp::kRemoveVolume    ? 2
                                                              : 3;
      by_kind[kind] += action.bytes;
    }
  }
  std::vector<std::string> header = {"KIND", "COUNT", "SIZE"};
  if (plan != nullptr) header.push_back("POLICY RECLAIMS");
  Table table(header);
  bool exact = inventory.ContentKnown();
  auto row = [&](std::string kind, size_t count, uint64_t bytes, size_t index) {
    std::vector<std::string> cells = {std::move(kind), absl::StrCat(count),
                                      Figure(bytes, exact || index != 0)};
    if (plan != nullptr) cells.push_back(HumanSize(by_kind[index]));
    table.AddRow(std::move(cells));
  };
  row("Images", inventory.images.size(),
      docker.layers_bytes + docker.content_bytes, 0);
  row("Containers", inventory.containers.size(), docker.containers_bytes, 1);
  row("Volumes", inventory.volumes.size(), docker.volumes_bytes, 2);
  row("Build cache", inventory.build_cache.size(), docker.build_cache_bytes, 3);
  table.Print(out);
  out << absl::StrFormat("Docker's own usage: %s\n",
                         Figure(docker.total(), exact));
  if (inventory.data_disk.has_value()) {
    const DiskSpace& disk = *inventory.data_disk;
    out << absl::StrFormat(
        "Disk holding %s: %s of %s used (%.1f%%)\n", disk.path,
        HumanSize(disk.used_bytes), HumanSize(disk.total_bytes),
        disk.total_bytes == 0 ? 0.0
                              : 100.0 * static_cast<double>(disk.used_bytes) /
                                    static_cast<double>(disk.total_bytes));
  }
  if (plan != nullptr && plan->watermark.has_value()) {
    out << WatermarkLine(*plan->watermark, /*planned=*/true) << "\n";
  }
}

}  // namespace

absl::StatusOr<int> RunDf(Invocation& invocation) {
  FlagSet flags("docker gc df");
  ReadFlags read;
  AddReadFlags(flags, &read);
  AddNoCacheFlag(flags, &invocation);
  std::string policy_file;
  flags.String("policy", 'p', &policy_file,
               "Also show what this policy would reclaim of each kind, and "
               "its watermark",
               "file");
  std::string timeout;
  AddTimeoutFlag(flags, &timeout);
  bool all_contexts = false;
  AddAllContextsFlag(flags, &all_contexts);
  absl::StatusOr<bool> parsed =
      ParseCommandLine(invocation, flags, {kUsage, kSummary});
  if (!parsed.ok()) return parsed.status();
  if (!*parsed) return kExitOk;  // the help was printed
  if (absl::Status valid = CheckTimeoutFlag(flags, timeout, &invocation);
      !valid.ok()) {
    return valid;
  }
  absl::StatusOr<std::optional<absl::Time>> now_flag =
      CheckReadFlags(flags, read);
  if (!now_flag.ok()) return now_flag.status();
  absl::StatusOr<std::vector<std::string>> fleet =
      FleetContexts(flags, invocation, all_contexts);
  if (!fleet.ok()) return fleet.status();
  if (!fleet->empty() && !read.from.empty()) {
    return NotInFleet(flags, "--from", "a snapshot is one engine's");
  }
  std::optional<Policy> policy;
  if (!policy_file.empty()) {
    absl::StatusOr<Policy> read_policy = ReadPolicyFile(policy_file);
    if (!read_policy.ok()) return read_policy.status();
    policy = *std::move(read_policy);
  }
  EngineCommand df_one = [&](Invocation& engine) -> absl::StatusOr<int> {
    absl::StatusOr<Inventory> inventory = LoadInventory(engine, read.from);
    if (!inventory.ok()) return inventory.status();
    PrintWarnings(inventory->warnings, engine.err);
    std::optional<Plan> plan;
    if (policy.has_value()) {
      absl::StatusOr<Plan> planned = MakePlan(*inventory, *policy, *now_flag);
      if (!planned.ok()) return planned.status();
      plan = *std::move(planned);
    }
    const Plan* plan_or_null = plan.has_value() ? &*plan : nullptr;
    if (read.format == "json" || engine.fleet_document != nullptr) {
      std::string json = DiskUsageDocument(*inventory, plan_or_null);
      if (engine.fleet_document != nullptr) *engine.fleet_document = json;
      if (read.format == "json") {
        engine.out << json;
        return kExitOk;
      }
    }
    DiskUsage usage = ComputeDiskUsage(*inventory);
    PrintRepositories(*inventory, usage, engine.out);
    engine.out << "\n";
    PrintImages(*inventory, usage, now_flag->value_or(DefaultClock(*inventory)),
                engine.out);
    engine.out << "\n";
    PrintTotals(*inventory, usage.totals, engine.out);
    engine.out << "\n";
    PrintResources(*inventory, plan_or_null, engine.out);
    return kExitOk;
  };
  if (!fleet->empty()) {
    return RunFleetCommand(invocation, FleetKind::kDf, read.format == "json",
                           *fleet, df_one);
  }
  return df_one(invocation);
}

}  // namespace dgc
