// `docker gc snapshot`: save the engine's raw inventory bodies as a
// dgc.snapshot/v1 file, for `df --from` and `plan --from` later or
// elsewhere.
#include <unistd.h>

#include "absl/strings/str_format.h"
#include "engine/files.h"
#include "engine/session.h"
#include "plugin/command.h"
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
  std::string timeout;
  AddTimeoutFlag(flags, &timeout);
  absl::StatusOr<bool> parsed =
      ParseCommandLine(invocation, flags, {kUsage, kSummary});
  if (!parsed.ok()) return parsed.status();
  if (!*parsed) return kExitOk;  // the help was printed
  if (absl::Status valid = CheckTimeoutFlag(flags, timeout, &invocation);
      !valid.ok()) {
    return valid;
  }
  if (output.empty() && ::isatty(STDOUT_FILENO)) {
    return UsageError(flags.command(),
                      "refusing to write a snapshot to a terminal: use -o "
                      "FILE");
  }
  const std::string destination = output.empty() ? "-" : output;
  absl::StatusOr<std::unique_ptr<EngineSession>> session =
      OpenSession(invocation, Access::kReadOnly);
  if (!session.ok()) return session.status();
  absl::StatusOr<SnapshotCapture> capture = (*session)->CaptureSnapshot();
  if (!capture.ok()) return capture.status();
  if (absl::Status written = WriteFile(destination, capture->document);
      !written.ok()) {
    return written;
  }
  if (destination != "-") {
    invocation.err << absl::StrFormat(
        "Saved %d images and %d containers from %s to %s\n", capture->images,
        capture->containers, (*session)->client().host(), destination);
  }
  return kExitOk;
}

}  // namespace dgc
