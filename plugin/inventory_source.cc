// Engine sessions and inventories for commands (see inventory_source.h).
#include "plugin/inventory_source.h"

#include "absl/strings/str_format.h"
#include "core/time_text.h"
#include "engine/last_use_cache.h"
#include "plugin/flags.h"
#include "plugin/table.h"

namespace dgc {

absl::StatusOr<std::unique_ptr<EngineSession>> OpenSession(
    const Invocation& invocation, Access access) {
  absl::StatusOr<Endpoint> endpoint =
      ResolveEndpoint(invocation.global.connection, invocation.env);
  if (!endpoint.ok()) return endpoint.status();
  const GlobalOptions& flags = invocation.global.connection;
  if (IsSshHost(endpoint->host) &&
      (flags.tls || flags.tls_verify || !flags.tls_ca_cert.empty() ||
       !flags.tls_cert.empty() || !flags.tls_key.empty())) {
    // The docker CLI ignores them; a flag that does nothing is refused.
    return UsageError(
        "docker gc",
        absl::StrFormat("--tls, --tlsverify, --tlscacert, --tlscert and "
                        "--tlskey cannot be used with the ssh:// host %s: "
                        "ssh authenticates and encrypts the connection itself",
                        endpoint->host));
  }
  if (endpoint->tls.has_value() && !endpoint->tls->verify) {
    // As docker, --tls alone and a context's SkipTLSVerify do not verify
    // the engine; never silently.
    PrintWarnings(
        {absl::StrFormat(
            "the TLS certificate of the Docker engine at %s is not verified "
            "(%s): anyone on the network path could pose as the engine",
            endpoint->host,
            endpoint->context == "default"
                ? "--tls without --tlsverify"
                : absl::StrFormat("context \"%s\" has SkipTLSVerify",
                                  endpoint->context))},
        invocation.err);
  }
  return EngineSession::Open(*endpoint, access,
                             CommandSessionOptions(invocation));
}

SessionOptions CommandSessionOptions(const Invocation& invocation) {
  SessionOptions options;
  options.transport.request_timeout = invocation.timeout;
  if (!invocation.no_cache)
    options.cache_directory = CacheDirectory(invocation.env);
  if (invocation.global.debug) {
    std::ostream* err = &invocation.err;
    options.trace = [err](std::string_view line) {
      *err << "DEBUG: " << TerminalSafe(line, 400) << "\n";
    };
  }
  return options;
}

absl::StatusOr<Inventory> LoadInventory(const Invocation& invocation,
                                        std::string_view from_file,
                                        InventoryScope scope) {
  if (!from_file.empty()) return InventoryFromSnapshotFile(from_file);
  absl::StatusOr<std::unique_ptr<EngineSession>> session =
      OpenSession(invocation, Access::kReadOnly);
  if (!session.ok()) return session.status();
  return (*session)->ReadInventory(scope);
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

}  // namespace dgc
