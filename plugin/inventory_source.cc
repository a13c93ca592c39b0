// Loading a command's inventory from the engine or a snapshot (see
// inventory_source.h).
#include "plugin/inventory_source.h"

#include "absl/strings/str_format.h"
#include "core/snapshot.h"
#include "core/time_text.h"
#include "engine/curl_transport.h"
#include "engine/engine_client.h"
#include "plugin/files.h"

namespace dgc {

absl::StatusOr<std::unique_ptr<Transport>> OpenTransport(
    const Invocation& invocation, Access access) {
  absl::StatusOr<Endpoint> endpoint =
      ResolveEndpoint(invocation.global.connection, invocation.env);
  if (!endpoint.ok()) return endpoint.status();
  absl::StatusOr<std::unique_ptr<CurlTransport>> transport =
      CurlTransport::Create(*endpoint, access);
  if (!transport.ok()) return transport.status();
  return std::unique_ptr<Transport>(std::move(*transport));
}

absl::StatusOr<Inventory> LoadInventory(const Invocation& invocation,
                                        std::string_view from_file,
                                        bool system_df) {
  absl::StatusOr<EngineBodies> bodies;
  if (!from_file.empty()) {
    absl::StatusOr<PaddedBody> text = ReadFile(from_file);
    if (!text.ok()) return text.status();
    bodies = ParseSnapshot(*text);
    if (!bodies.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "snapshot %s: %s", from_file, bodies.status().message()));
    }
  } else {
    absl::StatusOr<std::unique_ptr<Transport>> transport =
        OpenTransport(invocation, Access::kReadOnly);
    if (!transport.ok()) return transport.status();
    EngineClient client(**transport);
    bodies = client.FetchBodies({.system_df = system_df});
    if (!bodies.ok()) return bodies.status();
  }
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  if (!inventory.ok() && !from_file.empty()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "snapshot %s: %s", from_file, inventory.status().message()));
  }
  return inventory;
}

absl::StatusOr<std::optional<absl::Time>> ParseNowFlag(std::string_view command,
                                                       std::string_view text) {
  if (text.empty()) return std::nullopt;
  absl::StatusOr<absl::Time> time = ParseRfc3339(text);
  if (!time.ok()) {
    return UsageError(command,
                      absl::StrFormat("--now: %s", time.status().message()));
  }
  return *time;
}

absl::Time ClockFor(std::optional<absl::Time> now_flag,
                    const Inventory& inventory) {
  if (now_flag.has_value()) return *now_flag;
  if (inventory.captured_at != absl::InfinitePast()) {
    return inventory.captured_at;
  }
  return absl::Now();
}

}  // namespace dgc
