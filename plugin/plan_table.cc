// A plan for people (see plan_table.h).
#include "plugin/plan_table.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "plugin/human_units.h"
#include "plugin/table.h"

namespace dgc {
namespace {

std::string ShortId(std::string_view id) {
  if (id.substr(0, 7) == "sha256:") id.remove_prefix(7);
  return std::string(id.substr(0, 12));
}

std::string Refs(const std::vector<std::string>& refs) {
  return refs.empty() ? "<none>" : absl::StrJoin(refs, ", ");
}

void PrintRuleSection(const Plan& plan, const Rule& rule, std::ostream& out) {
  Table table({"ACTION", "IMAGE ID", "REFS", "CREATED", "BYTES", "REASON"});
  for (const Action& action : plan.actions) {
    if (action.rule != rule.name) continue;
    std::string refs = Refs(action.refs);
    if (!action.also_removes.empty()) {
      refs += absl::StrFormat(" (+%d untagged parents)",
                              action.also_removes.size());
    }
    table.AddRow({std::string(OpName(action.op)), ShortId(action.image), refs,
                  HumanAge(action.created, plan.now), HumanSize(action.bytes),
                  action.reason});
  }
  if (table.empty()) return;
  out << absl::StrFormat("Rule \"%s\" (%s)\n", TerminalSafe(rule.name),
                         TerminalSafe(rule.Describe(), 200));
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

void PrintPlanTable(const Plan& plan, const Policy& policy, std::ostream& out) {
  out << absl::StrFormat("Policy: %s\nEngine: %s\n\n",
                         TerminalSafe(plan.policy_source, 400),
                         TerminalSafe(plan.engine.host, 400));
  for (const Rule& rule : policy.rules) PrintRuleSection(plan, rule, out);
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
