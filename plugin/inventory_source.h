// Where a command's engine session and inventory come from: the engine the
// global flags name (with -D/--debug tracing each request to stderr), or a
// snapshot file (--from). The steps themselves are libdgc's
// (engine/session.h); this file only turns flags into their arguments.
#ifndef DGC_PLUGIN_INVENTORY_SOURCE_H_
#define DGC_PLUGIN_INVENTORY_SOURCE_H_

#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/inventory.h"
#include "engine/session.h"
#include "plugin/command.h"

namespace dgc {

// OpenSession resolves the endpoint from the global flags and the
// environment and opens a session with `access` to it. When TLS
// verification is off (--tls without --tlsverify, or a context's
// SkipTLSVerify) it says so on stderr first.
absl::StatusOr<std::unique_ptr<EngineSession>> OpenSession(
    const Invocation& invocation, Access access);

// CommandSessionOptions returns the session options of the invocation's
// flags: --timeout, --no-cache, -D/--debug (tracing to its stderr).
SessionOptions CommandSessionOptions(const Invocation& invocation);

// LoadInventory reads the inventory from the snapshot `from_file` when it
// is not empty, else from the engine (read-only), within `scope`. Errors
// name the file or the endpoint.
absl::StatusOr<Inventory> LoadInventory(
    const Invocation& invocation, std::string_view from_file,
    InventoryScope scope = InventoryScope::kAll);

// ParseNowFlag reads a --now value: nullopt when empty. Errors: a usage
// error of `command` naming the value.
absl::StatusOr<std::optional<absl::Time>> ParseNowFlag(std::string_view command,
                                                       std::string_view text);

}  // namespace dgc

#endif  // DGC_PLUGIN_INVENTORY_SOURCE_H_
