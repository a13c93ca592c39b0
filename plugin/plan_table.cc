// A plan for people (see plan_table.h).
#include "plugin/plan_table.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "plugin/human_units.h"
#include "plugin/table.h"

namespace dgc {
namespace {

// An action's bytes: exact, or "≈" and the bounds (SPEC.md §10).
std::string ActionBytes(const Action& action) {
  if (action.exact) return HumanSize(action.bytes);
  return absl::StrFormat("≈%s–%s", HumanSize(action.bytes),
                         HumanSize(action.bytes_max));
}

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

// The heading of a resource section's actions ("" for a rule's).
std::string SectionHeading(const Action& action) {
  switch (action.op) {
    case ActionOp::kRemoveContainer:
      return "Containers";
    case ActionOp::kRemoveVolume:
      return "Volumes";
    case ActionOp::kPruneBuildCache:
      return "Build cache";
    default:
      return "";
  }
}

// What a resource action acts on, for people.
std::string Target(const Action& action) {
  switch (action.op) {
    case ActionOp::kRemoveContainer:
      return absl::StrFormat("%s (%s)", action.container_name,
                             action.container.substr(0, 12));
    case ActionOp::kRemoveVolume:
      return action.volume.size() == 64 ? action.volume.substr(0, 12)
                                        : action.volume;
    case ActionOp::kPruneBuildCache:
      return absl::StrFormat("%d %s", action.records.size(),
                             action.records.size() == 1 ? "record" : "records");
    default:
      return ShortId(action.image);
  }
}

void PrintResourceSection(const Plan& plan, const Action& first,
                          std::ostream& out) {
  Table table({"ACTION", "TARGET", "BYTES", "REASON"});
  for (const Action& action : plan.actions) {
    if (action.op != first.op) continue;
    table.AddRow({std::string(OpName(action.op)), Target(action),
                  ActionBytes(action), action.reason});
  }
  out << SectionHeading(first) << "\n";
  table.Print(out);
  out << "\n";
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
                  HumanAge(action.created, plan.now), ActionBytes(action),
                  action.reason});
  }
  out << RuleHeading(rule, policy) << "\n";
  table.Print(out);
  out << "\n";
}

void PrintKeptResources(const Plan& plan, std::ostream& out) {
  if (plan.kept_resources.empty()) return;
  Table table({"KIND", "NAME", "REASON"});
  for (const KeptResource& kept : plan.kept_resources) {
    std::string name = !kept.name.empty()     ? kept.name
                       : kept.id.size() == 64 ? kept.id.substr(0, 12)
                                              : kept.id;
    table.AddRow({kept.kind, name, kept.reason});
  }
  out << absl::StrFormat("Kept containers and volumes (%d)\n",
                         plan.kept_resources.size());
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

std::string WatermarkLine(const WatermarkReport& watermark, bool planned) {
  auto level = [&](uint64_t bytes) {
    if (!watermark.disk || watermark.total_bytes == 0) return HumanSize(bytes);
    return absl::StrFormat("%.1f%%",
                           100.0 * static_cast<double>(bytes) /
                               static_cast<double>(watermark.total_bytes));
  };
  std::string measure =
      watermark.disk ? absl::StrFormat("Disk at %s (%s of %s)",
                                       level(watermark.used_before_bytes),
                                       HumanSize(watermark.used_before_bytes),
                                       HumanSize(watermark.total_bytes))
                     : absl::StrFormat("Docker's usage at %s",
                                       HumanSize(watermark.used_before_bytes));
  if (!watermark.acted) {
    return absl::StrFormat("%s, below the high watermark %s: nothing to do",
                           measure, level(watermark.high_bytes));
  }
  std::string line = absl::StrFormat(
      "%s, at or above the high watermark %s: %s %s (low watermark %s)",
      measure, level(watermark.high_bytes),
      planned ? "the plan brings it to" : "brought to",
      level(watermark.used_after_bytes), level(watermark.low_bytes));
  if (watermark.shortfall_bytes > 0) {
    line += absl::StrFormat("; %s short of it: nothing else may go",
                            HumanSize(watermark.shortfall_bytes));
  }
  return line;
}

void PrintPlanTable(const Plan& plan, const Policy* policy, std::ostream& out) {
  out << absl::StrFormat("Policy: %s\nEngine: %s\n\n",
                         TerminalSafe(plan.policy_source, 400),
                         TerminalSafe(plan.engine.host, 400));
  for (const std::string& rule : RulesInOrder(plan)) {
    auto first =
        std::find_if(plan.actions.begin(), plan.actions.end(),
                     [&](const Action& action) { return action.rule == rule; });
    if (IsImageOp(first->op)) {
      PrintRuleSection(plan, rule, policy, out);
    } else {
      PrintResourceSection(plan, *first, out);
    }
  }
  PrintKept(plan, out);
  PrintKeptResources(plan, out);
  if (plan.actions.empty()) out << "Nothing to do.\n";
  const PlanSummary& summary = plan.summary;
  out << absl::StrFormat("%d to delete, %d to untag, %d kept", summary.deletes,
                         summary.untags, summary.kept);
  if (summary.containers + summary.volumes + summary.build_cache_records > 0) {
    out << absl::StrFormat(
        "; %d containers, %d volumes and %d build cache records to remove",
        summary.containers, summary.volumes, summary.build_cache_records);
  }
  out << "\n";
  out << absl::StrFormat(
      "Total reclaimable space: %s (naive estimate: %s)\n",
      plan.summary.exact
          ? HumanSize(plan.summary.reclaimable_bytes)
          : absl::StrFormat("≈%s–%s", HumanSize(plan.summary.reclaimable_bytes),
                            HumanSize(plan.summary.reclaimable_bytes_max)),
      HumanSize(plan.summary.naive_bytes));
  if (plan.watermark.has_value()) {
    out << WatermarkLine(*plan.watermark, /*planned=*/true) << "\n";
  }
}

}  // namespace dgc
