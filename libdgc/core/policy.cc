// Parsing and checking gc.json policies (see policy.h).
#include "core/policy.h"

#include <limits>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/policy_fields.h"
#include "core/policy_sections.h"
#include "core/string_views.h"

namespace dgc {
namespace {

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

constexpr std::string_view kLabelGroupPrefix = "label:";

// Collects every problem of one policy file.
class PolicyParser {
 public:
  explicit PolicyParser(std::string_view source) : source_(source) {}

  absl::StatusOr<Policy> Parse(const PaddedBody& text);

 private:
  // Problems of the rule being parsed, before its name is known.
  struct RuleProblems {
    std::vector<std::string> lines;
    void Add(std::string_view field, std::string_view message) {
      lines.push_back(
          field.empty() ? std::string(message)
                        : absl::StrFormat("field \"%s\": %s", field, message));
    }
  };

  absl::Status ParseRoot(value& root, Policy* policy);
  absl::Status ParseRules(value& v, Policy* policy);
  absl::Status ParseRule(value& v, size_t number, Rule* rule);
  absl::Status ParseProtect(value& v, Policy* policy);
  // What a rule's fields said, valid or not: a field that failed to parse
  // must not also be reported missing.
  struct Present {
    bool match = false;
    bool dangling = false;  // "dangling": true, or invalid
    bool keep_newest = false;
    bool older_than = false;
    bool keep = false;  // "keep": true, or invalid
    bool group_by = false;
  };
  void CheckRule(const Rule& rule, const Present& present,
                 RuleProblems* problems);
  void TopLevelError(std::string_view field, std::string_view message) {
    errors_.push_back(
        absl::StrFormat("%s: field \"%s\": %s", source_, field, message));
  }

  std::string source_;
  std::vector<std::string> errors_;
};

bool ReadGroupBy(value& v, Rule* rule, std::string* problem) {
  std::string text;
  if (!ReadText(v, &text, problem)) return false;
  if (text == "repository") {
    rule->group_by = GroupBy::kRepository;
  } else if (text == "rule") {
    rule->group_by = GroupBy::kRule;
  } else if (text.size() > kLabelGroupPrefix.size() &&
             text.compare(0, kLabelGroupPrefix.size(), kLabelGroupPrefix) ==
                 0) {
    rule->group_by = GroupBy::kLabel;
    rule->group_label = text.substr(kLabelGroupPrefix.size());
  } else {
    *problem = absl::StrFormat(
        "\"%s\": want \"repository\", \"rule\" or \"label:KEY\"", text);
    return false;
  }
  return true;
}

absl::Status PolicyParser::ParseRule(value& v, size_t number, Rule* rule) {
  rule->number = number;
  rule->name = absl::StrFormat("rule %d", number);
  RuleProblems problems;
  Present present;
  absl::flat_hash_set<std::string> seen;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    std::string problem;
    bool ok = true;
    if (!seen.insert(std::string(key)).second) {
      ok = false;
      problem = "given twice";
    } else if (key == "name") {
      ok = ReadText(f, &rule->name, &problem);
      if (ok && rule->name.empty()) {
        ok = false;
        problem = "is empty";
        rule->name = absl::StrFormat("rule %d", number);
      }
    } else if (key == "match") {
      present.match = true;
      ok = ReadGlobs(f, &rule->match, &problem);
    } else if (key == "dangling") {
      ok = ReadFlag(f, &rule->dangling, &problem);
      present.dangling = rule->dangling || !ok;
    } else if (key == "labels") {
      ok = ReadLabelConditions(f, &rule->labels, &problem);
    } else if (key == "keep_newest") {
      present.keep_newest = true;
      ok = ReadCount(f, &rule->keep_newest, &problem);
    } else if (key == "older_than") {
      present.older_than = true;
      ok = ReadDuration(f, &rule->older_than, &problem);
    } else if (key == "group_by") {
      present.group_by = true;
      ok = ReadGroupBy(f, rule, &problem);
    } else if (key == "keep") {
      ok = ReadFlag(f, &rule->keep, &problem);
      present.keep = rule->keep || !ok;
    } else {
      ok = false;
      problem =
          "unknown field (known: name, match, dangling, labels, keep_newest, "
          "older_than, group_by, keep)";
    }
    if (!ok) problems.Add(key, problem);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  CheckRule(*rule, present, &problems);
  for (const std::string& line : problems.lines) {
    errors_.push_back(absl::StrFormat("%s: rule %d (\"%s\"): %s", source_,
                                      number, rule->name, line));
  }
  return absl::OkStatus();
}

void PolicyParser::CheckRule(const Rule& rule, const Present& present,
                             RuleProblems* problems) {
  if (present.match && present.dangling) {
    problems->Add("", "has both \"match\" and \"dangling\"; use one");
  } else if (!present.match && !present.dangling) {
    problems->Add("", "needs \"match\" or \"dangling\": true");
  }
  bool selects = rule.keep_newest.has_value() || rule.older_than.has_value();
  if (rule.keep && selects) {
    problems->Add("keep",
                  "cannot be combined with \"keep_newest\" or \"older_than\"");
  } else if (!present.keep_newest && !present.older_than && !present.keep) {
    problems->Add("",
                  "has no effect: give \"keep_newest\", \"older_than\" "
                  "or \"keep\": true");
  }
  if (present.group_by && !present.keep_newest) {
    problems->Add("group_by", "only applies with \"keep_newest\"");
  }
}

absl::Status PolicyParser::ParseRules(value& v, Policy* policy) {
  json_type type;
  if (auto error = v.type().get(type)) return JsonError(error, "rules");
  if (type != json_type::array) {
    TopLevelError("rules", "want an array of rules");
    return absl::OkStatus();
  }
  absl::flat_hash_set<std::string> names;
  return ForEachElement(v, [&](size_t index, value& item) -> absl::Status {
    json_type item_type;
    if (auto error = item.type().get(item_type)) {
      return JsonError(error, "rule");
    }
    if (item_type != json_type::object) {
      errors_.push_back(
          absl::StrFormat("%s: rule %d: want an object", source_, index + 1));
      return absl::OkStatus();
    }
    Rule rule;
    if (absl::Status s = ParseRule(item, index + 1, &rule); !s.ok()) return s;
    if (!names.insert(rule.name).second) {
      errors_.push_back(absl::StrFormat(
          "%s: rule %d (\"%s\"): field \"name\": another rule has this name",
          source_, rule.number, rule.name));
    }
    policy->rules.push_back(std::move(rule));
    return absl::OkStatus();
  });
}

absl::Status PolicyParser::ParseProtect(value& v, Policy* policy) {
  json_type type;
  if (auto error = v.type().get(type)) return JsonError(error, "protect");
  if (type != json_type::object) {
    TopLevelError("protect", "want an object with \"match\" and/or \"labels\"");
    return absl::OkStatus();
  }
  return ForEachField(v, [&](std::string_view key, value& f) {
    std::string problem;
    bool ok = true;
    if (key == "match") {
      ok = ReadGlobs(f, &policy->protect_match, &problem);
    } else if (key == "labels") {
      ok = ReadLabelConditions(f, &policy->protect_labels, &problem);
    } else {
      ok = false;
      problem = "unknown field (known: match, labels)";
    }
    if (!ok) TopLevelError(absl::StrFormat("protect.%s", key), problem);
    return absl::OkStatus();
  });
}

absl::Status PolicyParser::ParseRoot(value& root, Policy* policy) {
  bool has_rules = false;
  absl::flat_hash_set<std::string> seen;
  absl::Status status = ForEachField(root, [&](std::string_view key, value& f) {
    if (!seen.insert(std::string(key)).second) {
      TopLevelError(key, "given twice");
      return absl::OkStatus();
    }
    if (key == "rules") {
      has_rules = true;
      return ParseRules(f, policy);
    }
    if (key == "protect") return ParseProtect(f, policy);
    auto report = [&](std::string_view field, std::string_view problem) {
      TopLevelError(field, problem);
    };
    if (key == "threshold") return ReadThreshold(f, &policy->threshold, report);
    if (key == "order") return ReadOrder(f, &policy->order, report);
    if (key == "build_cache") {
      return ReadBuildCacheSection(f, &policy->build_cache, report);
    }
    if (key == "containers") {
      return ReadContainersSection(f, &policy->containers, report);
    }
    if (key == "volumes")
      return ReadVolumesSection(f, &policy->volumes, report);
    if (key == "min_age") {
      std::optional<PolicyDuration> min_age;
      std::string problem;
      if (ReadDuration(f, &min_age, &problem)) {
        policy->min_age = *min_age;
      } else {
        TopLevelError(key, problem);
      }
      return absl::OkStatus();
    }
    TopLevelError(key,
                  "unknown field (known: rules, protect, min_age, threshold, "
                  "order, build_cache, containers, volumes)");
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!has_rules) TopLevelError("rules", "missing");
  return absl::OkStatus();
}

absl::StatusOr<Policy> PolicyParser::Parse(const PaddedBody& text) {
  Policy policy;
  policy.source = source_;
  std::string_view content = text.view();
  size_t first = content.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || content[first] != '{') {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: want a JSON object with \"rules\"", source_));
  }
  simdjson::ondemand::parser parser;
  absl::Status status = ParseDocument(
      parser, text, [&](value& root) { return ParseRoot(root, &policy); });
  if (!status.ok()) {
    errors_.push_back(
        absl::StrFormat("%s: invalid JSON: %s", source_, status.message()));
  }
  if (!errors_.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n"));
  }
  return policy;
}

}  // namespace

bool LabelCondition::Holds(const Labels& labels) const {
  for (const auto& [label_key, label_value] : labels) {
    if (label_key == key) return !value.has_value() || *value == label_value;
  }
  return false;
}

std::string LabelCondition::Text() const {
  return value.has_value() ? key + "=" + *value : key;
}

std::string Rule::Describe() const {
  std::vector<std::string> parts;
  if (dangling) parts.push_back("dangling");
  if (!match.empty()) {
    std::vector<std::string> patterns;
    for (const Glob& glob : match) patterns.push_back(glob.pattern());
    parts.push_back("match " + absl::StrJoin(patterns, ", "));
  }
  if (!labels.empty()) {
    std::vector<std::string> texts;
    for (const LabelCondition& label : labels) texts.push_back(label.Text());
    parts.push_back("labels " + absl::StrJoin(texts, ", "));
  }
  if (keep) parts.push_back("keep");
  if (keep_newest.has_value()) {
    parts.push_back(absl::StrFormat("keep_newest %d", *keep_newest));
    if (group_by == GroupBy::kRule) parts.push_back("group_by rule");
    if (group_by == GroupBy::kLabel) {
      parts.push_back("group_by label:" + group_label);
    }
  }
  if (older_than.has_value()) parts.push_back("older_than " + older_than->text);
  return absl::StrJoin(parts, " ");
}

absl::StatusOr<Policy> ParsePolicy(const PaddedBody& text,
                                   std::string_view source) {
  return PolicyParser(source).Parse(text);
}

bool NeedsDockerUsage(const Policy& policy) {
  return policy.threshold.has_value() || policy.build_cache.has_value() ||
         policy.containers.has_value() || policy.volumes.has_value();
}

Policy DefaultPolicy() {
  Policy policy;
  policy.source = "built-in default";
  Rule rule;
  rule.number = 1;
  rule.name = "dangling";
  rule.dangling = true;
  rule.older_than = PolicyDuration{absl::Hours(24), "24h"};
  policy.rules.push_back(std::move(rule));
  return policy;
}

bool MatchesReference(const Glob& glob, std::string_view reference) {
  return glob.Matches(glob.has_tag() ? reference : RepositoryOf(reference));
}

}  // namespace dgc
