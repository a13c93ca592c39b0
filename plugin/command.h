// The commands of docker-gc: how one is invoked and the table of them.
//
// Each command lives in its own command_<name>.cc with its flags and its
// run function; the run function does I/O through the Invocation and
// leaves every decision to libdgc.
#ifndef DGC_PLUGIN_COMMAND_H_
#define DGC_PLUGIN_COMMAND_H_

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/endpoint.h"
#include "plugin/flags.h"
#include "plugin/metrics.h"

namespace dgc {

// Exit codes (SPEC.md §2).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSomeFailed = 3;

// The docker CLI's global flags, as docker-gc understands them.
struct GlobalFlags {
  GlobalOptions connection;
  // Every -c/--context given, in order (connection.context is the last):
  // plan, apply, df and check handle several as a fleet (fleet_command.h).
  std::vector<std::string> contexts;
  bool debug = false;
  std::string log_level;
};

// AddGlobalFlags declares the global flags on `flags` (every command
// accepts them too, so `docker-gc df -H …` works standalone).
void AddGlobalFlags(FlagSet& flags, GlobalFlags* global);

struct Invocation {
  GlobalFlags global;
  std::vector<std::string> args;  // after the command's name
  std::ostream& out;              // data only
  std::ostream& err;              // diagnostics, prompts, progress
  EnvironmentLookup env;
  bool no_cache = false;  // --no-cache: read and write no cache
  // --timeout: the longest one engine request may take (Infinite: none).
  absl::Duration timeout = absl::Minutes(2);
  // --metrics-file of plan and apply ("" for none): main writes `metrics`
  // there when the command returns (check writes its own).
  std::string metrics_file{};
  RunMetrics metrics{};
  // Set when the command runs for one engine of a fleet: it then also puts
  // its JSON document here, and neither prompts nor shows progress.
  std::string* fleet_document = nullptr;
};

struct Command {
  const char* name;
  const char* summary;
  // Runs the command; returns its exit code (kExitOk or kExitSomeFailed) or
  // an error, which main prints (exit 2 for usage errors, else 1).
  absl::StatusOr<int> (*run)(Invocation& invocation);
};

// Commands returns every command, in the order help lists them.
std::span<const Command> Commands();

// The run functions, one per command_<name>.cc.
absl::StatusOr<int> RunApply(Invocation& invocation);
// RunCheck returns the Nagios state (0 OK … 3 UNKNOWN) and never an error:
// it reports its errors itself, as UNKNOWN.
absl::StatusOr<int> RunCheck(Invocation& invocation);
absl::StatusOr<int> RunDf(Invocation& invocation);
absl::StatusOr<int> RunPlan(Invocation& invocation);
absl::StatusOr<int> RunPolicy(Invocation& invocation);
absl::StatusOr<int> RunSnapshot(Invocation& invocation);
absl::StatusOr<int> RunVersion(Invocation& invocation);

// A command's help text: its usage line and what it does.
struct CommandHelp {
  std::string_view usage;    // "docker gc df [OPTIONS]"
  std::string_view summary;  // one paragraph
};

// ParseCommandLine declares the global flags on `flags` and parses the
// command's arguments. Returns false when the command is done because
// --help was asked (the help is printed). Positional arguments go to
// `positional`; without it, any is a usage error.
absl::StatusOr<bool> ParseCommandLine(
    Invocation& invocation, FlagSet& flags, const CommandHelp& help,
    std::vector<std::string>* positional = nullptr);

// The flags several commands share.
void AddFormatFlag(FlagSet& flags, std::string* format);
void AddNowFlag(FlagSet& flags, std::string* now);

// The flags of the commands that read an inventory (df, plan): --format,
// --from and --now.
struct ReadFlags {
  std::string format;
  std::string from;  // a snapshot file, or "" for the engine
  std::string now;
};

// AddNoCacheFlag declares --no-cache, which sets invocation->no_cache.
void AddNoCacheFlag(FlagSet& flags, Invocation* invocation);

// AddTimeoutFlag declares --timeout (every command that talks to the
// engine); CheckTimeoutFlag then sets invocation->timeout from it. Errors:
// a usage error for a value that is not a duration ("30s", "2m", "0").
void AddTimeoutFlag(FlagSet& flags, std::string* timeout);
absl::Status CheckTimeoutFlag(const FlagSet& flags, const std::string& timeout,
                              Invocation* invocation);
void AddReadFlags(FlagSet& flags, ReadFlags* read);

// CheckReadFlags checks --format and returns --now (nullopt when not
// given). Errors: usage errors naming the flag.
absl::StatusOr<std::optional<absl::Time>> CheckReadFlags(const FlagSet& flags,
                                                         const ReadFlags& read);

// CheckFormat: a usage error unless `format` is "table" or "json".
absl::Status CheckFormat(const FlagSet& flags, std::string_view format);

}  // namespace dgc

#endif  // DGC_PLUGIN_COMMAND_H_
