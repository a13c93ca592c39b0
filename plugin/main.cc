// docker-gc: the `docker gc` CLI plugin and standalone binary.
//
// Invoked by the docker CLI, argv is docker's own: global flags, then "gc",
// then the command (`--context prod gc plan`, or `help gc`). Standalone,
// "gc" is simply absent. This file turns either into one command run and
// maps its outcome to an exit code: 0 success, 1 error, 2 usage error, 3
// some apply actions failed (check: its Nagios state, 0 to 3). Under
// systemd, stderr lines carry syslog priority prefixes (journal.h).
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/string_views.h"
#include "dgc/version.h"
#include "plugin/command.h"
#include "plugin/journal.h"
#include "plugin/policy_reference.h"
#include "plugin/table.h"

namespace dgc {
namespace {

constexpr char kPluginMetadata[] =
    "{\"SchemaVersion\":\"0.1.0\",\"Vendor\":\"docker gc project\","
    "\"Version\":\"" DGC_VERSION_STRING
    "\",\"ShortDescription\":\"Exact, safe garbage collection for images\","
    "\"URL\":\"https://github.com/docker-gc/docker-gc\"}\n";

void PrintTopHelp(std::ostream& out) {
  out << "\nUsage:  docker gc [OPTIONS] COMMAND\n\n"
         "Exact, safe garbage collection for Docker images: see what can go,\n"
         "exactly how many bytes it frees, and delete it safely.\n\n"
         "Commands:\n";
  for (const Command& command : Commands()) {
    out << absl::StrFormat("  %-10s %s\n", command.name, command.summary);
  }
  out << "\nRun 'docker gc COMMAND --help' for more information on a "
         "command.\n"
         "Run 'docker gc help gc.json' for the policy file's format.\n"
         "plan, apply, df and check run on several engines with --context\n"
         "given more than once, or --all-contexts.\n";
}

const Command* FindCommand(std::string_view name) {
  for (const Command& command : Commands()) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

int Fail(std::ostream& err, const absl::Status& status) {
  JournalLevelScope error_lines(err, LogLevel::kError);
  std::string command;
  if (IsUsageError(status, &command)) {
    err << command << ": " << TerminalSafe(ToStd(status.message()), 400) << "\n"
        << "See '" << command << " --help'.\n";
    return kExitUsage;
  }
  err << "Error: " << TerminalSafe(ToStd(status.message()), 2000) << "\n";
  return kExitError;
}

int Main(std::vector<std::string> args) {
  if (!args.empty() && args[0] == "docker-cli-plugin-metadata") {
    std::cout << kPluginMetadata;
    return kExitOk;
  }
  JournalStderr journal(ProcessEnvironment());
  Invocation invocation{.global = {},
                        .args = {},
                        .out = std::cout,
                        .err = std::cerr,
                        .env = ProcessEnvironment()};
  FlagSet global_flags("docker gc");
  global_flags.set_interspersed(false);
  AddGlobalFlags(global_flags, &invocation.global);
  absl::StatusOr<std::vector<std::string>> rest = global_flags.Parse(args);
  if (!rest.ok()) return Fail(std::cerr, rest.status());
  // Called by docker: the plugin's own name comes before the command, and
  // may be followed by flags docker passes through (`docker gc --help`).
  if (!rest->empty() && rest->front() == "gc") {
    rest->erase(rest->begin());
    rest = global_flags.Parse(*rest);
    if (!rest.ok()) return Fail(std::cerr, rest.status());
  }
  bool help = global_flags.help_requested();
  if (!rest->empty() && rest->front() == "help") {
    // `docker help gc` arrives as "help gc"; `docker gc help df` too;
    // `docker gc help gc.json` prints the policy file's reference.
    rest->erase(rest->begin());
    if (!rest->empty() && rest->front() == "gc") rest->erase(rest->begin());
    if (!rest->empty() && rest->front() == kPolicyReferenceTopic) {
      std::cout << PolicyReference();
      return kExitOk;
    }
    if (rest->empty())
      help = true;
    else
      rest->push_back("--help");
  }
  if (rest->empty() || (help && !FindCommand(rest->front()))) {
    PrintTopHelp(std::cout);
    return kExitOk;
  }
  const Command* command = FindCommand(rest->front());
  if (command == nullptr) {
    return Fail(std::cerr,
                UsageError("docker gc",
                           absl::StrFormat("'%s' is not a docker gc command",
                                           rest->front())));
  }
  invocation.args.assign(rest->begin() + 1, rest->end());
  if (help) invocation.args.push_back("--help");
  invocation.metrics = RunMetrics(command->name, absl::Now());
  absl::StatusOr<int> code = command->run(invocation);
  std::cout.flush();
  if (!invocation.metrics_file.empty()) {
    absl::Status written =
        WriteRunMetrics(invocation.metrics_file, invocation.metrics,
                        absl::Now(), code.ok() && *code == kExitOk);
    if (!written.ok() && code.ok() && *code == kExitOk) {
      code = written;
    } else if (!written.ok()) {
      Fail(std::cerr, written);  // reported; the run's own outcome stays
    }
  }
  if (!code.ok()) return Fail(std::cerr, code.status());
  return *code;
}

}  // namespace
}  // namespace dgc

int main(int argc, char** argv) {
  return dgc::Main(std::vector<std::string>(argv + 1, argv + argc));
}
