// `docker gc df`: disk usage per repository and image, with exact unique
// and shared bytes, as a table or as dgc.df/v1.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/disk_usage.h"
#include "engine/session.h"
#include "plugin/command.h"
#include "plugin/human_units.h"
#include "plugin/inventory_source.h"
#include "plugin/table.h"

namespace dgc {
namespace {

constexpr char kUsage[] = "docker gc df [OPTIONS]";
constexpr char kSummary[] =
    "Show disk usage per repository and image. Shared layers are counted\n"
    "once: UNIQUE is what deleting only that image frees.";

void PrintRepositories(const DiskUsage& usage, std::ostream& out) {
  Table table({"REPOSITORY", "IMAGES", "SIZE", "UNIQUE"});
  for (const RepositoryUsage& repository : usage.repositories) {
    table.AddRow({repository.name, absl::StrCat(repository.images),
                  HumanSize(repository.size),
                  HumanSize(repository.unique_bytes)});
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
                  HumanSize(entry.size), HumanSize(entry.unique_bytes),
                  HumanSize(entry.shared_bytes),
                  absl::StrCat(entry.containers)});
  }
  table.Print(out);
}

void PrintTotals(const DiskUsageTotals& totals, std::ostream& out) {
  out << absl::StrFormat(
      "Total: %d %s, %s of layers on disk (%s unique to one image, %s "
      "shared)\n",
      totals.images, totals.images == 1 ? "image" : "images",
      HumanSize(totals.layers_bytes), HumanSize(totals.unique_bytes),
      HumanSize(totals.shared_bytes));
  out << absl::StrFormat(
      "In use by containers: %s. Reclaimable by deleting every unused image: "
      "%s\n",
      HumanSize(totals.in_use_bytes),
      HumanSize(totals.unused_reclaimable_bytes));
}

}  // namespace

absl::StatusOr<int> RunDf(Invocation& invocation) {
  FlagSet flags("docker gc df");
  ReadFlags read;
  AddReadFlags(flags, &read);
  absl::StatusOr<bool> parsed =
      ParseCommandLine(invocation, flags, {kUsage, kSummary});
  if (!parsed.ok()) return parsed.status();
  if (!*parsed) return kExitOk;  // the help was printed
  absl::StatusOr<std::optional<absl::Time>> now_flag =
      CheckReadFlags(flags, read);
  if (!now_flag.ok()) return now_flag.status();
  absl::StatusOr<Inventory> inventory = LoadInventory(invocation, read.from);
  if (!inventory.ok()) return inventory.status();
  PrintWarnings(inventory->warnings, invocation.err);
  if (read.format == "json") {
    invocation.out << DiskUsageDocument(*inventory);
    return kExitOk;
  }
  DiskUsage usage = ComputeDiskUsage(*inventory);
  PrintRepositories(usage, invocation.out);
  invocation.out << "\n";
  PrintImages(*inventory, usage, now_flag->value_or(DefaultClock(*inventory)),
              invocation.out);
  invocation.out << "\n";
  PrintTotals(usage.totals, invocation.out);
  return kExitOk;
}

}  // namespace dgc
