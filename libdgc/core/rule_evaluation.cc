// First-match rule evaluation per reference (see rule_evaluation.h).
#include "core/rule_evaluation.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/time_text.h"

namespace dgc {
namespace {

bool LabelsHold(const Rule& rule, const Image& image) {
  return std::all_of(rule.labels.begin(), rule.labels.end(),
                     [&](const LabelCondition& condition) {
                       return condition.Holds(image.labels);
                     });
}

const Rule* FirstRuleForReference(const Policy& policy, const Image& image,
                                  std::string_view ref) {
  for (const Rule& rule : policy.rules) {
    if (rule.dangling) continue;
    bool matched = std::any_of(
        rule.match.begin(), rule.match.end(),
        [&](const Glob& glob) { return MatchesReference(glob, ref); });
    if (matched && LabelsHold(rule, image)) return &rule;
  }
  return nullptr;
}

const Rule* FirstDanglingRule(const Policy& policy, const Image& image) {
  for (const Rule& rule : policy.rules) {
    if (rule.dangling && LabelsHold(rule, image)) return &rule;
  }
  return nullptr;
}

// The group a reference counts in for its rule's keep_newest, and the
// group's name in reasons.
struct Group {
  std::string key;
  std::string name;
};

Group GroupOf(const Rule& rule, const Image& image, std::string_view ref) {
  switch (rule.group_by) {
    case GroupBy::kRepository: {
      std::string repository =
          ref.empty() ? "dangling images" : std::string(RepositoryOf(ref));
      return {repository, repository};
    }
    case GroupBy::kRule: {
      std::vector<std::string> patterns;
      for (const Glob& glob : rule.match) patterns.push_back(glob.pattern());
      std::string name =
          rule.dangling ? "dangling images" : absl::StrJoin(patterns, ", ");
      return {"", name};
    }
    case GroupBy::kLabel:
      for (const auto& [key, value] : image.labels) {
        if (key == rule.group_label) {
          return {"=" + value, rule.group_label + "=" + value};
        }
      }
      return {"", "images without label " + rule.group_label};
  }
  return {};
}

// The N newest images of every (rule, group), for keep_newest.
class NewestImages {
 public:
  // Add counts `image` in a group of `rule`. An image's references are
  // added one after another, so a repeat is always the last member.
  void Add(const Rule& rule, const std::string& group_key, ImageIndex image) {
    std::vector<ImageIndex>& members = groups_[{rule.number, group_key}];
    if (members.empty() || members.back() != image) members.push_back(image);
  }

  // Rank orders each group by Created, newest first, then by ID, and
  // remembers the first keep_newest of each.
  void Rank(const Inventory& inventory, const Policy& policy) {
    for (auto& [group, members] : groups_) {
      std::sort(members.begin(), members.end(),
                [&](ImageIndex a, ImageIndex b) {
                  return NewerFirst(inventory.images[a], inventory.images[b]);
                });
      uint32_t keep = *policy.rules[group.first - 1].keep_newest;
      members.resize(std::min<size_t>(members.size(), keep));
    }
  }

  bool IsNewest(const Rule& rule, const std::string& group_key,
                ImageIndex image) const {
    auto it = groups_.find({rule.number, group_key});
    return it != groups_.end() &&
           std::find(it->second.begin(), it->second.end(), image) !=
               it->second.end();
  }

 private:
  absl::flat_hash_map<std::pair<size_t, std::string>, std::vector<ImageIndex>>
      groups_;
};

std::string CreatedClause(const Image& image) {
  return absl::StrFormat("created %s", FormatDate(image.created));
}

// Decides one reference under its rule.
void Decide(const Rule& rule, const Image& image, ImageIndex index,
            const NewestImages& newest, absl::Time now, RefDecision* decision) {
  decision->rule = &rule;
  std::string prefix = rule.dangling ? "dangling, " : "";
  if (rule.keep) {
    decision->reason = absl::StrFormat("kept by rule \"%s\"", rule.name);
    return;
  }
  bool old_enough = !rule.older_than.has_value() ||
                    now - image.created > rule.older_than->duration;
  if (rule.keep_newest.has_value()) {
    Group group = GroupOf(rule, image, decision->ref);
    if (newest.IsNewest(rule, group.key, index)) {
      decision->reason = absl::StrFormat("%snewest %d of %s", prefix,
                                         *rule.keep_newest, group.name);
      return;
    }
    prefix += absl::StrFormat("not among the newest %d of %s",
                              *rule.keep_newest, group.name);
    if (rule.older_than.has_value()) prefix += ", ";
  }
  if (!old_enough) {
    decision->reason = absl::StrFormat(
        "%syounger than %s (%s)", rule.keep_newest ? "" : prefix,
        rule.older_than->text, CreatedClause(image));
    return;
  }
  decision->selected = true;
  decision->reason =
      rule.older_than.has_value()
          ? absl::StrFormat("%solder than %s (%s)", prefix,
                            rule.older_than->text, CreatedClause(image))
          : prefix;
}

}  // namespace

bool ImageVerdict::AnySelected() const {
  return std::any_of(refs.begin(), refs.end(),
                     [](const RefDecision& d) { return d.selected; });
}

bool ImageVerdict::AllSelected() const {
  return !refs.empty() &&
         std::all_of(refs.begin(), refs.end(),
                     [](const RefDecision& d) { return d.selected; });
}

std::vector<ImageVerdict> EvaluateRules(const Inventory& inventory,
                                        const Policy& policy, absl::Time now) {
  std::vector<ImageVerdict> verdicts(inventory.images.size());
  // First pass: the deciding rule of every reference, and the groups.
  NewestImages newest;
  for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
    const Image& image = inventory.images[i];
    if (image.intermediate) continue;
    std::vector<RefDecision>& refs = verdicts[i].refs;
    if (image.dangling()) {
      refs.emplace_back().rule = FirstDanglingRule(policy, image);
    } else {
      for (const std::string& tag : image.tags) {
        RefDecision& decision = refs.emplace_back();
        decision.ref = tag;
        decision.rule = FirstRuleForReference(policy, image, tag);
      }
    }
    for (const RefDecision& decision : refs) {
      if (decision.rule != nullptr && decision.rule->keep_newest) {
        newest.Add(*decision.rule,
                   GroupOf(*decision.rule, image, decision.ref).key, i);
      }
    }
  }
  newest.Rank(inventory, policy);
  // Second pass: kept or selected, and why.
  for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
    for (RefDecision& decision : verdicts[i].refs) {
      if (decision.rule == nullptr) {
        decision.reason = "no rule matches";
        continue;
      }
      Decide(*decision.rule, inventory.images[i], i, newest, now, &decision);
    }
  }
  return verdicts;
}

}  // namespace dgc
