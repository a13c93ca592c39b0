// `docker gc version`: the versions of docker-gc, libdgc and the engine.
#include "absl/strings/str_format.h"
#include "core/json_writer.h"
#include "core/library_version.h"
#include "dgc/version.h"
#include "engine/session.h"
#include "plugin/command.h"
#include "plugin/inventory_source.h"
#include "plugin/table.h"

namespace dgc {
namespace {

constexpr char kUsage[] = "docker gc version [OPTIONS]";
constexpr char kSummary[] =
    "Show the versions of docker-gc, libdgc and the Docker engine.";

void PrintJson(const EngineClient* client, std::ostream& out) {
  JsonWriter json;
  json.BeginObject();
  json.Key("docker_gc").String(DGC_VERSION_STRING);
  json.Key("libdgc").String(LibraryVersion());
  if (client != nullptr) {
    json.Key("engine").BeginObject();
    json.Key("host").String(client->host());
    json.Key("version").String(client->version().version);
    json.Key("api_version").String(client->version().api_version);
    json.Key("negotiated_api_version").String(client->api_version());
    json.EndObject();
  }
  json.EndObject();
  out << json.Finish();
}

}  // namespace

absl::StatusOr<int> RunVersion(Invocation& invocation) {
  FlagSet flags("docker gc version");
  std::string format;
  AddFormatFlag(flags, &format);
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
  if (absl::Status valid = CheckFormat(flags, format); !valid.ok()) {
    return valid;
  }
  if (format == "table") {
    invocation.out << "docker-gc version " << DGC_VERSION_STRING << "\n"
                   << "libdgc version " << LibraryVersion() << "\n";
  }
  absl::StatusOr<std::unique_ptr<EngineSession>> session =
      OpenSession(invocation, Access::kReadOnly);
  if (!session.ok()) return session.status();
  absl::Status connected = (*session)->Connect();
  const EngineClient& client = (*session)->client();
  if (format == "json") {
    PrintJson(connected.ok() ? &client : nullptr, invocation.out);
  } else if (connected.ok()) {
    invocation.out << absl::StrFormat(
        "Engine: %s (API %s, using %s) at %s\n",
        TerminalSafe(client.version().version),
        TerminalSafe(client.version().api_version), client.api_version(),
        TerminalSafe(client.host(), 400));
  }
  if (!connected.ok()) return connected;
  return kExitOk;
}

}  // namespace dgc
