// Where a command's inventory comes from: the live engine the global flags
// name, or a snapshot file (--from).
#ifndef DGC_PLUGIN_INVENTORY_SOURCE_H_
#define DGC_PLUGIN_INVENTORY_SOURCE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/inventory.h"
#include "engine/transport.h"
#include "plugin/command.h"

namespace dgc {

// OpenTransport resolves the endpoint from the global flags and the
// environment and opens a transport with `access` to it.
absl::StatusOr<std::unique_ptr<Transport>> OpenTransport(
    const Invocation& invocation, Access access);

// LoadInventory reads the inventory from the snapshot `from_file` when it
// is not empty, else from the engine (read-only). `system_df` also reads
// the engine's own /system/df. Errors name the file or the endpoint.
absl::StatusOr<Inventory> LoadInventory(const Invocation& invocation,
                                        std::string_view from_file,
                                        bool system_df);

// ParseNowFlag reads a --now value: nullopt when empty. Errors: a usage
// error of `command` naming the value.
absl::StatusOr<std::optional<absl::Time>> ParseNowFlag(std::string_view command,
                                                       std::string_view text);

// ClockFor returns the time ages are measured at: `now_flag` when given,
// else when the inventory was captured (the current time for a live
// inventory, the snapshot's captured_at for a snapshot that has one).
absl::Time ClockFor(std::optional<absl::Time> now_flag,
                    const Inventory& inventory);

}  // namespace dgc

#endif  // DGC_PLUGIN_INVENTORY_SOURCE_H_
