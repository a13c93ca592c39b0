// A plan for people (see plan_table.h).
#include "plugin/plan_table.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "plugin/human_units.h"
#include "plugin/table.h"

namespace dgc {
namespace {

std::string Refs(const std::vector<std::string>& refs) {
  return refs.empty() ? "<none>" : absl::StrJoin(refs, ", ");
}

// The rules of the plan's actions, in the order they first appear.
std::vector<std::string> RulesInOrder(const Plan& plan) {
  std::vector<std::string> rules;
  for (const Action& action : plan.actions) {
    if (std::find(rules.begin(), rules.end(), action.rule) == rules.end()) {
      rules.push_back(action.rule);
    }
  }
  return rules;
}

std::string RuleHeading(const std::string& rule, const Policy* policy) {
  if (policy != nullptr) {
    for (const Rule& candidate : policy->rules) {
      if (candidate.name == rule) {
        return absl::StrFormat("Rule \"%s\" (%s)", TerminalSafe(rule),
                               TerminalSafe(candidate.Describe(), 200));
      }
    }
  }
  return absl::StrFormat("Rule \"%s\"", TerminalSafe(rule));
}

void PrintRuleSection(const Plan& plan, const std::string& rule,
                      const Policy* policy, std::ostream& out) {
  Table table({"ACTION", "IMAGE ID", "REFS", "CREATED", "BYTES", "REASON"});
  for (const Action& action : plan.actions) {
    if (action.rule != rule) continue;
    std::string refs = Refs(action.refs);
    if (!action.also_removes.empty()) {
      refs += absl::StrFormat(" (+%d untagged parents)",
                              action.also_removes.size());
    }
    table.AddRow({std::string(OpName(action.op)), ShortId(action.image), refs,
                  HumanAge(action.created, plan.now), HumanSize(action.bytes),
                  action.reason});
  }
  out << RuleHeading(rule, policy) << "\n";
  table.Print(out);
  out << "\n";
}

void PrintKept(const Plan& plan, std::ostream& out) {
  if (plan.kept.empty()) return;
  Table table({"IMAGE ID", "REFS", "CREATED", "REASON"});
  for (const KeptImage& kept : plan.kept) {
    table.AddRow({ShortId(kept.image), Refs(kept.refs),
                  HumanAge(kept.created, plan.now), kept.reason});
  }
  out << absl::StrFormat("Kept (%d %s)\n", plan.kept.size(),
                         plan.kept.size() == 1 ? "image" : "images");
  table.Print(out);
  out << "\n";
}

}  // namespace

void PrintPlanTable(const Plan& plan, const Policy* policy, std::ostream& out) {
  out << absl::StrFormat("Policy: %s\nEngine: %s\n\n",
                         TerminalSafe(plan.policy_source, 400),
                         TerminalSafe(plan.engine.host, 400));
  for (const std::string& rule : RulesInOrder(plan)) {
    PrintRuleSection(plan, rule, policy, out);
  }
  PrintKept(plan, out);
  if (plan.actions.empty()) out << "Nothing to do.\n";
  out << absl::StrFormat("%d to delete, %d to untag, %d kept\n",
                         plan.summary.deletes, plan.summary.untags,
                         plan.summary.kept);
  out << absl::StrFormat("Total reclaimable space: %s (naive estimate: %s)\n",
                         HumanSize(plan.summary.reclaimable_bytes),
                         HumanSize(plan.summary.naive_bytes));
}

}  // namespace dgc
