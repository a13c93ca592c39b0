// Retention policies (SPEC.md §3): the gc.json format, parsed and checked.
//
// Parsing is strict: unknown fields, wrong types, a rule with both or
// neither of `match` and `dangling`, a rule without an effect, negative
// counts — each is an error naming the file, the rule (by index and name)
// and the field, so that a pattern that would silently never match cannot
// slip through. All errors of a file are reported at once.
//
// Example:
//   absl::StatusOr<dgc::Policy> policy =
//       dgc::ParsePolicy(text, "/etc/docker/gc.json");
#ifndef DGC_CORE_POLICY_H_
#define DGC_CORE_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/glob.h"
#include "core/inventory.h"
#include "core/json_reader.h"

namespace dgc {

// "key" (the label is set) or "key=value" (set to exactly that value).
struct LabelCondition {
  std::string key;
  std::optional<std::string> value;

  // Holds reports whether `labels` satisfy the condition.
  bool Holds(const Labels& labels) const;
  // Text returns the condition as written ("key" or "key=value").
  std::string Text() const;
};

// A policy duration with the text it was written as ("7d").
struct PolicyDuration {
  absl::Duration duration;
  std::string text;
};

// A policy size with the text it was written as ("5GB").
struct PolicySize {
  uint64_t bytes = 0;
  std::string text;
};

// One watermark of `threshold` (SPEC.md §7): a share of the filesystem
// holding the engine's data, or a size of Docker's own usage.
struct Watermark {
  bool percent = false;
  // Hundredths of a percent when `percent` (85% is 8500), else bytes.
  uint64_t value = 0;
  std::string text;  // as written: "85%", "40GB"
};

// `threshold`: act at or above `high`, take candidates until `low`. Both
// are percentages or both sizes, and low < high.
struct Threshold {
  Watermark high;
  Watermark low;
};

// `order`: which candidates a threshold takes, least recently used first.
enum class Order {
  kPolicy,  // only what the rules and resource sections select
  kLru,     // also any unprotected, unused image no rule keeps
};

// `build_cache`: records unused for longer than `older_than`, while the
// cache stays above `keep_storage`; at least one of the two is given.
struct BuildCacheSection {
  std::optional<PolicyDuration> older_than = std::nullopt;
  std::optional<PolicySize> keep_storage = std::nullopt;
};

// `containers`: created, exited and dead containers stopped for longer
// than `stopped_older_than`.
struct ContainersSection {
  PolicyDuration stopped_older_than;
  std::vector<LabelCondition> protect_labels{};
  // Whether containers with restart policy always or unless-stopped may go.
  bool include_restart_policies = false;
};

// `volumes`: anonymous volumes no container mounts, older than the age.
struct VolumesSection {
  PolicyDuration anonymous_unused_older_than;
};

enum class GroupBy { kRepository, kRule, kLabel };

struct Rule {
  size_t number = 0;  // 1-based position in the file
  std::string name;   // "rule N" when the file gives none
  std::vector<Glob> match;
  bool dangling = false;
  std::vector<LabelCondition> labels;
  std::optional<uint32_t> keep_newest;
  std::optional<PolicyDuration> older_than;
  GroupBy group_by = GroupBy::kRepository;
  std::string group_label;  // the KEY of group_by "label:KEY"
  bool keep = false;

  // Describe returns a one-line summary ("match onai-* keep_newest 2").
  std::string Describe() const;
};

struct Policy {
  std::vector<Rule> rules;
  std::vector<Glob> protect_match;
  std::vector<LabelCondition> protect_labels;
  PolicyDuration min_age{absl::Hours(1), "1h"};
  std::optional<Threshold> threshold;  // absent: act on everything selected
  Order order = Order::kPolicy;
  // Resource sections (SPEC.md §8), each off unless present.
  std::optional<BuildCacheSection> build_cache;
  std::optional<ContainersSection> containers;
  std::optional<VolumesSection> volumes;
  // Where the policy came from: a file name, or "built-in default".
  std::string source;
};

// ParsePolicy parses a gc.json document. `source` names it in errors and
// becomes Policy::source. Errors: InvalidArgument whose message has one
// line per problem, each "SOURCE: rule N (\"NAME\"): field \"F\": …" (or
// "SOURCE: field \"F\": …" for top-level fields).
absl::StatusOr<Policy> ParsePolicy(const PaddedBody& text,
                                   std::string_view source);

// NeedsDockerUsage reports whether planning `policy` needs Docker's own
// disk usage (GET /system/df): for a threshold, or for a section of build
// cache, containers or volumes. A policy of images alone does not.
bool NeedsDockerUsage(const Policy& policy);

// DefaultPolicy is used when no policy file exists: dangling images older
// than 24h are deleted; nothing else is touched.
Policy DefaultPolicy();

// MatchesReference reports whether `glob` matches the reference
// "repository:tag": the whole reference when the glob has a ':', else its
// repository.
bool MatchesReference(const Glob& glob, std::string_view reference);

}  // namespace dgc

#endif  // DGC_CORE_POLICY_H_
