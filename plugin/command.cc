// The table of commands and what they share: global flags and help.
#include "plugin/command.h"

#include <array>

namespace dgc {

void AddGlobalFlags(FlagSet& flags, GlobalFlags* global) {
  GlobalOptions& c = global->connection;
  flags.String("host", 'H', &c.host, "Daemon socket to connect to", "host");
  flags.String("context", 'c', &c.context,
               "Name of the context to use to connect to the daemon", "string");
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
  static constexpr std::array<Command, 6> kCommands = {{
      {"plan", "Show what the policy deletes and the exact bytes it frees",
       RunPlan},
      {"apply", "Delete what the policy (or a saved plan) selects, safely",
       RunApply},
      {"df",
       "Show disk usage per image and repository, with exact shared "
       "bytes",
       RunDf},
      {"policy", "Check a policy file (policy check FILE)", RunPolicy},
      {"snapshot", "Save the engine's inventory to a file", RunSnapshot},
      {"version", "Show the docker-gc, libdgc and engine versions", RunVersion},
  }};
  return kCommands;
}

void PrintCommandHelp(std::ostream& out, std::string_view usage_line,
                      std::string_view summary, const FlagSet& flags) {
  out << "\nUsage:  " << usage_line << "\n\n"
      << summary << "\n\n"
      << flags.Usage();
}

}  // namespace dgc
