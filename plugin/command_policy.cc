// `docker gc policy check FILE`: validate a policy; "ok" and one line per
// rule, or every problem (each naming the file, the rule and the field).
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/string_views.h"
#include "engine/policy_file.h"
#include "plugin/command.h"
#include "plugin/table.h"

namespace dgc {
namespace {

constexpr char kUsage[] = "docker gc policy check FILE";
constexpr char kSummary[] =
    "Check a policy file: print \"ok\" and a summary of each rule, or every\n"
    "problem found, naming the rule and the field.";

void PrintSummary(const Policy& policy, std::ostream& out) {
  out << "ok\n";
  for (const Rule& rule : policy.rules) {
    out << absl::StrFormat("rule %d \"%s\": %s\n", rule.number,
                           TerminalSafe(rule.name),
                           TerminalSafe(rule.Describe(), 400));
  }
  std::vector<std::string> protect;
  for (const Glob& glob : policy.protect_match)
    protect.push_back(glob.pattern());
  for (const LabelCondition& label : policy.protect_labels) {
    protect.push_back("label " + label.Text());
  }
  if (!protect.empty()) {
    out << "protect: " << TerminalSafe(absl::StrJoin(protect, ", "), 400)
        << "\n";
  }
  out << "min_age: " << policy.min_age.text << "\n";
  if (policy.threshold.has_value()) {
    out << absl::StrFormat(
        "threshold: high %s, low %s (%s)\n", policy.threshold->high.text,
        policy.threshold->low.text,
        policy.threshold->high.percent ? "of the disk holding Docker's data"
                                       : "of Docker's own usage");
  }
  out << "order: " << (policy.order == Order::kLru ? "lru" : "policy") << "\n";
  if (const auto& cache = policy.build_cache; cache.has_value()) {
    out << "build_cache:"
        << (cache->older_than ? " older_than " + cache->older_than->text : "")
        << (cache->keep_storage ? " keep_storage " + cache->keep_storage->text
                                : "")
        << "\n";
  }
  if (const auto& containers = policy.containers; containers.has_value()) {
    std::vector<std::string> labels;
    for (const LabelCondition& label : containers->protect_labels) {
      labels.push_back(label.Text());
    }
    out << TerminalSafe(
               absl::StrFormat("containers: stopped_older_than %s%s%s",
                               containers->stopped_older_than.text,
                               labels.empty() ? ""
                                              : ", protect_labels " +
                                                    absl::StrJoin(labels, ", "),
                               containers->include_restart_policies
                                   ? ", include_restart_policies"
                                   : ""),
               400)
        << "\n";
  }
  if (policy.volumes.has_value()) {
    out << "volumes: anonymous_unused_older_than "
        << policy.volumes->anonymous_unused_older_than.text << "\n";
  }
}

}  // namespace

absl::StatusOr<int> RunPolicy(Invocation& invocation) {
  FlagSet flags("docker gc policy check");
  std::vector<std::string> args;
  absl::StatusOr<bool> parsed =
      ParseCommandLine(invocation, flags, {kUsage, kSummary}, &args);
  if (!parsed.ok()) return parsed.status();
  if (!*parsed) return kExitOk;  // the help was printed
  if (args.empty() || args[0] != "check") {
    return UsageError("docker gc policy",
                      args.empty()
                          ? std::string("requires a command: check FILE")
                          : absl::StrFormat("unknown command \"%s\": "
                                            "want check FILE",
                                            args[0]));
  }
  if (args.size() != 2) {
    return UsageError(flags.command(),
                      "\"docker gc policy check\" requires exactly 1 "
                      "argument: the policy file");
  }
  absl::StatusOr<Policy> policy = ReadPolicyFile(args[1]);
  if (!policy.ok()) {
    // One line per problem, as the docker CLI prints multiple errors.
    for (absl::string_view line :
         absl::StrSplit(policy.status().message(), '\n')) {
      invocation.err << "Error: " << TerminalSafe(ToStd(line), 400) << "\n";
    }
    return kExitError;
  }
  PrintSummary(*policy, invocation.out);
  return kExitOk;
}

}  // namespace dgc
