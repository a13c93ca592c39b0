// The table of commands and what they share: global flags and help.
#include "plugin/command.h"

#include <array>

#include "absl/strings/str_format.h"
#include "plugin/inventory_source.h"

namespace dgc {

void AddGlobalFlags(FlagSet& flags, GlobalFlags* global) {
  GlobalOptions& c = global->connection;
  flags.String("host", 'H', &c.host, "Daemon socket to connect to", "host");
  flags.RepeatedString("context", 'c', &c.context, &global->contexts,
                       "Name of the context to use to connect to the daemon",
                       "string");
  flags.String("config", 0, &c.config_dir, "Location of client config files",
               "string");
  flags.Bool("tls", 0, &c.tls, "Use TLS; implied by --tlsverify");
  flags.Bool("tlsverify", 0, &c.tls_verify, "Use TLS and verify the remote");
  flags.String("tlscacert", 0, &c.tls_ca_cert,
               "Trust certs signed only by this CA", "string");
  flags.String("tlscert", 0, &c.tls_cert, "Path to TLS certificate file",
               "string");
  flags.String("tlskey", 0, &c.tls_key, "Path to TLS key file", "string");
  flags.Bool("debug", 'D', &global->debug, "Enable debug mode");
  flags.String("log-level", 'l', &global->log_level,
               "Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\")",
               "string");
}

std::span<const Command> Commands() {
  static constexpr std::array<Command, 7> kCommands = {{
      {"plan", "Show what the policy deletes and the exact bytes it frees",
       RunPlan},
      {"apply", "Delete what the policy (or a saved plan) selects, safely",
       RunApply},
      {"df",
       "Show disk usage per image and repository, with exact shared "
       "bytes",
       RunDf},
      {"check", "Check disk usage for monitoring (a Nagios plugin)", RunCheck},
      {"policy", "Check a policy file (policy check FILE)", RunPolicy},
      {"snapshot", "Save the engine's inventory to a file", RunSnapshot},
      {"version", "Show the docker-gc, libdgc and engine versions", RunVersion},
  }};
  return kCommands;
}

absl::StatusOr<bool> ParseCommandLine(Invocation& invocation, FlagSet& flags,
                                      const CommandHelp& help,
                                      std::vector<std::string>* positional) {
  AddGlobalFlags(flags, &invocation.global);
  absl::StatusOr<std::vector<std::string>> args = flags.Parse(invocation.args);
  if (!args.ok()) return args.status();
  if (flags.help_requested()) {
    invocation.out << "\nUsage:  " << help.usage << "\n\n"
                   << help.summary << "\n\n"
                   << flags.Usage();
    return false;
  }
  if (positional != nullptr) {
    *positional = *std::move(args);
  } else if (!args->empty()) {
    return UsageError(
        flags.command(),
        absl::StrFormat("\"%s\" accepts no arguments", flags.command()));
  }
  return true;
}

void AddFormatFlag(FlagSet& flags, std::string* format) {
  *format = "table";
  flags.String("format", 0, format, "Output format: \"table\" or \"json\"",
               "string");
}

void AddNowFlag(FlagSet& flags, std::string* now) {
  flags.String("now", 0, now,
               "The time ages are measured at (RFC 3339); default now, or "
               "the snapshot's time with --from",
               "time");
}

void AddNoCacheFlag(FlagSet& flags, Invocation* invocation) {
  flags.Bool("no-cache", 0, &invocation->no_cache,
             "Neither read nor write docker gc's cache (remembered last uses "
             "of images)");
}

void AddTimeoutFlag(FlagSet& flags, std::string* timeout) {
  *timeout = "2m";
  flags.String("timeout", 0, timeout,
               "The longest one engine request may take (e.g. 30s, 5m; 0: "
               "no limit)",
               "duration");
}

absl::Status CheckTimeoutFlag(const FlagSet& flags, const std::string& timeout,
                              Invocation* invocation) {
  absl::Duration duration;
  if (!absl::ParseDuration(timeout, &duration) ||
      duration < absl::ZeroDuration()) {
    return UsageError(flags.command(),
                      absl::StrFormat("invalid --timeout \"%s\": want a "
                                      "duration such as 30s or 2m, or 0",
                                      timeout));
  }
  invocation->timeout =
      duration == absl::ZeroDuration() ? absl::InfiniteDuration() : duration;
  return absl::OkStatus();
}

void AddReadFlags(FlagSet& flags, ReadFlags* read) {
  AddFormatFlag(flags, &read->format);
  flags.String("from", 0, &read->from,
               "Read the inventory from a snapshot file instead of the engine",
               "file");
  AddNowFlag(flags, &read->now);
}

absl::StatusOr<std::optional<absl::Time>> CheckReadFlags(
    const FlagSet& flags, const ReadFlags& read) {
  if (absl::Status valid = CheckFormat(flags, read.format); !valid.ok()) {
    return valid;
  }
  return ParseNowFlag(flags.command(), read.now);
}

absl::Status CheckFormat(const FlagSet& flags, std::string_view format) {
  if (format == "table" || format == "json") return absl::OkStatus();
  return UsageError(
      flags.command(),
      absl::StrFormat("invalid --format \"%s\": want table or json", format));
}

}  // namespace dgc
