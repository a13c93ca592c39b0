// `docker gc snapshot`: save the engine's raw inventory bodies as a
// dgc.snapshot/v1 file, for `df --from` and `plan --from` later or
// elsewhere.
#include <unistd.h>

#include "absl/strings/str_format.h"
#include "core/inventory.h"
#include "core/snapshot.h"
#include "engine/engine_client.h"
#include "plugin/command.h"
#include "plugin/files.h"
#include "plugin/inventory_source.h"

namespace dgc {
namespace {

constexpr char kUsage[] = "docker gc snapshot [OPTIONS]";
constexpr char kSummary[] =
    "Save the engine's images, containers and layers (the raw Engine API\n"
    "bodies) as a dgc.snapshot/v1 file.";

}  // namespace

absl::StatusOr<int> RunSnapshot(Invocation& invocation) {
  FlagSet flags("docker gc snapshot");
  std::string output;
  flags.String("output", 'o', &output,
               "Write to a file (\"-\" for stdout), instead of stdout", "file");
  absl::StatusOr<bool> parsed =
      ParseCommandLine(invocation, flags, {kUsage, kSummary});
  if (!parsed.ok()) return parsed.status();
  if (!*parsed) return kExitOk;  // the help was printed
  if (output.empty() && ::isatty(STDOUT_FILENO)) {
    return UsageError(flags.command(),
                      "refusing to write a snapshot to a terminal: use -o "
                      "FILE");
  }
  const std::string destination = output.empty() ? "-" : output;
  absl::StatusOr<std::unique_ptr<Transport>> transport =
      OpenTransport(invocation, Access::kReadOnly);
  if (!transport.ok()) return transport.status();
  EngineClient client(**transport);
  RawEngineBodies raw;
  absl::StatusOr<EngineBodies> bodies =
      client.FetchBodies({.system_df = true, .raw = &raw});
  if (!bodies.ok()) return bodies.status();
  // Check that what is saved can be read back into an inventory.
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  if (!inventory.ok()) return inventory.status();
  if (absl::Status written = WriteFile(destination, SnapshotJson(raw));
      !written.ok()) {
    return written;
  }
  if (destination != "-") {
    invocation.err << absl::StrFormat(
        "Saved %d images and %d containers from %s to %s\n",
        inventory->images.size(), inventory->containers.size(), client.host(),
        destination);
  }
  return kExitOk;
}

}  // namespace dgc
