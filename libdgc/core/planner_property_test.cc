// Property tests of the planner (core/planner.h) on several hundred random
// inventories and policies. Each round is seeded on its own (the seed is
// printed with every failure, with the inventory and the policy), and
// builds: shared layers, tags over a few repositories (registry with a
// port included), multi-tag images, digests, dangling images, parent
// chains through untagged intermediates, containers in every state,
// labels (inherited by children, as builds do), LastTagTime; and a random
// valid policy of the SPEC §3 fields with a random protect and min_age.
//
// What every plan must satisfy, checked against facts recomputed here from
// the generated inputs:
//   - no protected image (used by a container, matching protect.match or
//     protect.labels, younger than min_age, or an ancestor of an image that
//     stays) is in any action, untag included;
//   - the refs of a delete are all the image's tags (and only its
//     references); those of an untag a proper subset of its tags;
//   - reclaimable_bytes equals a brute-force recount (chains all of whose
//     users, intermediates included, are deleted or pruned), the actions'
//     bytes add up to it, and each action's bytes are what it frees after
//     the ones before it;
//   - untags come before deletes, and each deleted image after all its
//     removed descendants; also_removes lists untagged, unused ancestors
//     whose children are all gone, and every such ancestor is listed;
//   - no image is in two actions; every listed image is deleted or kept;
//   - the summary counts and naive_bytes;
//   - the deleted, untagged and pruned images are exactly those SPEC §3
//     asks for (first-match rules, keep_newest groups, older_than, then
//     protections).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "core/json_reader.h"
#include "core/plan.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/test_inventory.h"
#include "core/time_text.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;

const absl::Time kNow = test_support::DefaultCapturedAt();

constexpr int kRounds = 1000;
constexpr uint32_t kBaseSeed = 20261125;

const std::vector<std::string> kRepositories = {
    "app",
    "myapp-main-1",
    "myapp-main-2",
    "myapp-dev-1",
    "postgres",
    "tool",
    "localhost:5000/svc",
    "registry.example.com/team/web"};
const std::vector<std::string> kTags = {"1", "2", "latest", "stable"};
const std::vector<std::string> kStates = {"created",    "running", "paused",
                                          "restarting", "exited",  "dead"};
const std::vector<std::string> kGlobs = {
    "app",   "myapp-main-*", "myapp-*",          "*",
    "app:1", "app:latest",   "localhost:5000/*", "postgres:*",
    "t?ol",  "[am]*",        "*:stable",         "registry.example.com/*",
    "*/svc", "[!a]*",        "myapp-main-[0-9]"};
const std::vector<std::string> kDurations = {"90m", "36h", "1d",
                                             "7d",  "2w",  "30d"};
const std::vector<std::string> kRuleLabels = {"tier=db", "project", "project=a",
                                              "gc.keep=false"};

// One generated image, as the test knows it.
struct GenImage {
  std::string id;
  std::vector<std::string> tags;
  std::vector<std::string> digests;
  int parent = -1;  // index, -1 for none
  std::vector<int> children;
  absl::Time created;
  std::optional<absl::Time> last_tag_time;
  Labels labels;
  std::vector<std::string> chains;  // chain keys, bottom first
  std::vector<std::string> container_states;
  int64_t size = 0;
};

struct Generated {
  std::vector<GenImage> images;
  std::map<std::string, int64_t> chain_sizes;
  std::string policy_json;
  Inventory inventory;
};

template <typename T>
const T& Pick(std::mt19937& rng, const std::vector<T>& items) {
  std::uniform_int_distribution<size_t> index(0, items.size() - 1);
  return items[index(rng)];
}

bool Chance(std::mt19937& rng, double p) {
  return std::bernoulli_distribution(p)(rng);
}

int Uniform(std::mt19937& rng, int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(rng);
}

void SetLabel(Labels* labels, const std::string& key,
              const std::string& value) {
  for (auto& [k, v] : *labels) {
    if (k == key) {
      v = value;
      return;
    }
  }
  labels->emplace_back(key, value);
  std::sort(labels->begin(), labels->end());
}

std::string JsonArray(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& item : items) quoted.push_back("\"" + item + "\"");
  return "[" + absl::StrJoin(quoted, ", ") + "]";
}

std::vector<std::string> PickSome(std::mt19937& rng,
                                  const std::vector<std::string>& items,
                                  int low, int high) {
  std::vector<std::string> picked;
  int count = Uniform(rng, low, high);
  for (int i = 0; i < count; ++i) {
    const std::string& item = Pick(rng, items);
    if (std::find(picked.begin(), picked.end(), item) == picked.end()) {
      picked.push_back(item);
    }
  }
  return picked;
}

std::string RandomPolicy(std::mt19937& rng) {
  std::vector<std::string> rules;
  int count = Chance(rng, 0.1) ? 0 : Uniform(rng, 1, 4);
  for (int r = 0; r < count; ++r) {
    std::vector<std::string> fields;
    if (Chance(rng, 0.7))
      fields.push_back("\"name\": \"r" + std::to_string(r) + "\"");
    if (Chance(rng, 0.2)) {
      fields.push_back("\"dangling\": true");
    } else if (Chance(rng, 0.5)) {
      fields.push_back("\"match\": \"" + Pick(rng, kGlobs) + "\"");
    } else {
      fields.push_back("\"match\": " + JsonArray(PickSome(rng, kGlobs, 1, 3)));
    }
    if (Chance(rng, 0.2)) {
      fields.push_back("\"labels\": " +
                       JsonArray(PickSome(rng, kRuleLabels, 1, 2)));
    }
    if (Chance(rng, 0.15)) {
      fields.push_back("\"keep\": true");
    } else {
      bool keep_newest = Chance(rng, 0.5);
      if (keep_newest) {
        fields.push_back("\"keep_newest\": " +
                         std::to_string(Uniform(rng, 0, 3)));
        if (Chance(rng, 0.4)) {
          static const std::vector<std::string> kGroups = {"repository", "rule",
                                                           "label:project"};
          fields.push_back("\"group_by\": \"" + Pick(rng, kGroups) + "\"");
        }
      }
      if (!keep_newest || Chance(rng, 0.5)) {
        fields.push_back("\"older_than\": \"" + Pick(rng, kDurations) + "\"");
      }
    }
    rules.push_back("{" + absl::StrJoin(fields, ", ") + "}");
  }
  std::string json = "{\"rules\": [" + absl::StrJoin(rules, ",\n  ") + "]";
  if (Chance(rng, 0.4)) {
    std::vector<std::string> protect;
    if (Chance(rng, 0.6)) {
      static const std::vector<std::string> kProtectGlobs = {
          "postgres:*", "app:stable", "*/svc", "tool"};
      protect.push_back("\"match\": " +
                        JsonArray(PickSome(rng, kProtectGlobs, 1, 2)));
    }
    if (Chance(rng, 0.6)) {
      static const std::vector<std::string> kProtectLabels = {"gc.keep=true",
                                                              "tier=db"};
      protect.push_back("\"labels\": " +
                        JsonArray(PickSome(rng, kProtectLabels, 1, 2)));
    }
    json += ", \"protect\": {" + absl::StrJoin(protect, ", ") + "}";
  }
  if (Chance(rng, 0.5)) {
    static const std::vector<std::string> kMinAges = {"1h", "30m", "90m", "2d"};
    json += ", \"min_age\": \"" + Pick(rng, kMinAges) + "\"";
  }
  return json + "}";
}

Generated Generate(std::mt19937& rng) {
  Generated gen;
  int count = Uniform(rng, 1, 14);
  std::set<std::string> used_tags;
  std::set<absl::Time> used_times;
  // Distinct Created times: "newest" needs no tie-break here.
  auto unique_time = [&](absl::Time t) {
    while (used_times.count(t) > 0) t -= absl::Seconds(1);
    used_times.insert(t);
    return t;
  };
  for (int i = 0; i < count; ++i) {
    GenImage image;
    image.id = Id("property image " + std::to_string(i));
    if (i > 0 && Chance(rng, 0.55)) image.parent = Uniform(rng, 0, i - 1);
    if (image.parent >= 0) {
      const GenImage& parent = gen.images[image.parent];
      gen.images[image.parent].children.push_back(i);
      image.chains = parent.chains;
      image.labels = parent.labels;
      int64_t room = absl::ToInt64Seconds(kNow - parent.created);
      image.created = unique_time(
          parent.created +
          absl::Seconds(room <= 1
                            ? 0
                            : std::uniform_int_distribution<int64_t>(
                                  1, std::min<int64_t>(room, 3 * 86400))(rng)));
    } else if (Chance(rng, 0.12)) {
      image.created = unique_time(kNow - absl::Minutes(Uniform(rng, 1, 180)));
    } else {
      image.created =
          unique_time(kNow - absl::Seconds(Uniform(rng, 3600, 60 * 86400)));
    }
    int new_layers = Uniform(rng, image.parent >= 0 ? 0 : 1, 3);
    for (int l = 0; l < new_layers; ++l) {
      std::string key = (image.chains.empty() ? "" : image.chains.back()) +
                        "/d" + std::to_string(Uniform(rng, 0, 5));
      auto [it, added] = gen.chain_sizes.try_emplace(key, 0);
      if (added) it->second = Chance(rng, 0.2) ? 0 : Uniform(rng, 1, 1000);
      image.chains.push_back(key);
    }
    // Labels: children inherit; some add or (rarely) override.
    if (Chance(rng, 0.1))
      SetLabel(&image.labels, "gc.keep", Chance(rng, 0.5) ? "true" : "false");
    if (Chance(rng, 0.3))
      SetLabel(&image.labels, "project", Chance(rng, 0.5) ? "a" : "b");
    if (Chance(rng, 0.1)) SetLabel(&image.labels, "tier", "db");
    gen.images.push_back(std::move(image));
  }
  // Tags once the parents are known: most parents are untagged (the
  // intermediates of a classic build), leaves are tagged more often.
  for (int i = 0; i < count; ++i) {
    GenImage& image = gen.images[i];
    bool parent = !image.children.empty();
    int tag_count = Chance(rng, parent ? 0.6 : 0.25) ? 0
                    : Chance(rng, 0.7)               ? 1
                                                     : Uniform(rng, 2, 3);
    for (int t = 0; t < tag_count; ++t) {
      std::string tag = Pick(rng, kRepositories) + ":" + Pick(rng, kTags);
      if (used_tags.insert(tag).second) image.tags.push_back(tag);
    }
    if (!image.tags.empty() && Chance(rng, 0.15)) {
      image.digests.push_back(Pick(rng, kRepositories) + "@" +
                              Id("manifest " + std::to_string(i)));
    }
    if (!image.tags.empty() && Chance(rng, 0.25)) {
      image.last_tag_time =
          Chance(rng, 0.4)
              ? kNow - absl::Minutes(Uniform(rng, 0, 150))
              : image.created + (kNow - image.created) / Uniform(rng, 1, 4);
    }
  }
  int containers = Uniform(rng, 0, 4);
  std::vector<std::pair<std::string, std::string>> container_list;  // id, state
  for (int c = 0; c < containers; ++c) {
    std::string state = Pick(rng, kStates);
    if (Chance(rng, 0.1)) {
      container_list.emplace_back(Id("gone image"), state);
    } else {
      int target = Uniform(rng, 0, count - 1);
      gen.images[target].container_states.push_back(state);
      container_list.emplace_back(gen.images[target].id, state);
    }
  }

  TestEngine engine;
  for (GenImage& image : gen.images) {
    test_support::TestImage test;
    test.id = image.id;
    test.tags = image.tags;
    test.digests = image.digests;
    test.created = image.created;
    test.last_tag_time = image.last_tag_time;
    test.labels = image.labels;
    if (image.parent >= 0) test.parent = gen.images[image.parent].id;
    for (const std::string& chain : image.chains) {
      std::string diff = chain.substr(chain.rfind('/') + 1);
      int64_t size = gen.chain_sizes.at(chain);
      test.layers.emplace_back(Id(diff), size);
      image.size += size;
    }
    engine.AddImage(std::move(test));
  }
  for (size_t c = 0; c < container_list.size(); ++c) {
    engine.AddContainer({.name = "c" + std::to_string(c),
                         .image_id = container_list[c].first,
                         .state = container_list[c].second});
  }
  gen.inventory = engine.BuildOrDie();
  gen.policy_json = RandomPolicy(rng);
  return gen;
}

std::string Describe(const Generated& gen) {
  std::ostringstream out;
  for (size_t i = 0; i < gen.images.size(); ++i) {
    const GenImage& image = gen.images[i];
    out << "  #" << i << " " << image.id.substr(7, 8) << " tags=["
        << absl::StrJoin(image.tags, ",") << "]";
    if (!image.digests.empty()) out << " digests=" << image.digests.size();
    if (image.parent >= 0) out << " parent=#" << image.parent;
    if (gen.inventory.images[i].intermediate) out << " intermediate";
    out << " created=" << FormatRfc3339(image.created);
    if (image.last_tag_time)
      out << " tagged=" << FormatRfc3339(*image.last_tag_time);
    if (!image.labels.empty()) {
      out << " labels={";
      for (const auto& [k, v] : image.labels) out << k << "=" << v << ";";
      out << "}";
    }
    if (!image.container_states.empty()) {
      out << " containers=[" << absl::StrJoin(image.container_states, ",")
          << "]";
    }
    out << " chains=[" << absl::StrJoin(image.chains, " ") << "]\n";
  }
  out << "  policy: " << gen.policy_json << "\n";
  return out.str();
}

// ---- the SPEC §3 model ----

struct ModelRef {
  std::string ref;
  const Rule* rule = nullptr;
  bool selected = false;
};

struct Model {
  std::vector<std::vector<ModelRef>> refs;  // per image
  std::vector<bool> direct;                 // directly protected
  std::vector<bool> deleted, untagged, pruned;
  // An intermediate protected by itself (label, min_age) that deleting its
  // children would make the engine prune.
  bool intermediate_directly_protected = false;
};

bool RuleMatches(const Rule& rule, const GenImage& image,
                 const std::string& ref) {
  if (ref.empty() != rule.dangling) return false;
  if (!rule.dangling) {
    bool matched =
        std::any_of(rule.match.begin(), rule.match.end(),
                    [&](const Glob& g) { return MatchesReference(g, ref); });
    if (!matched) return false;
  }
  return std::all_of(
      rule.labels.begin(), rule.labels.end(),
      [&](const LabelCondition& c) { return c.Holds(image.labels); });
}

std::string GroupKey(const Rule& rule, const GenImage& image,
                     const std::string& ref) {
  switch (rule.group_by) {
    case GroupBy::kRepository:
      return ref.empty() ? "" : "repo " + std::string(RepositoryOf(ref));
    case GroupBy::kRule:
      return "all";
    case GroupBy::kLabel:
      for (const auto& [k, v] : image.labels) {
        if (k == rule.group_label) return "label " + v;
      }
      return "no label";
  }
  return "";
}

Model Evaluate(const Generated& gen, const Policy& policy) {
  const Inventory& inv = gen.inventory;
  size_t n = gen.images.size();
  Model model;
  model.refs.resize(n);
  // Deciding rules, and keep_newest groups.
  std::map<std::pair<const Rule*, std::string>, std::vector<int>> groups;
  for (size_t i = 0; i < n; ++i) {
    if (inv.images[i].intermediate) continue;
    const GenImage& image = gen.images[i];
    std::vector<std::string> refs = image.tags;
    if (refs.empty()) refs.push_back("");
    for (const std::string& ref : refs) {
      ModelRef decision;
      decision.ref = ref;
      for (const Rule& rule : policy.rules) {
        if (RuleMatches(rule, image, ref)) {
          decision.rule = &rule;
          break;
        }
      }
      if (decision.rule != nullptr && decision.rule->keep_newest) {
        std::vector<int>& members =
            groups[{decision.rule, GroupKey(*decision.rule, image, ref)}];
        if (std::find(members.begin(), members.end(), int(i)) ==
            members.end()) {
          members.push_back(int(i));
        }
      }
      model.refs[i].push_back(decision);
    }
  }
  for (auto& [key, members] : groups) {
    std::sort(members.begin(), members.end(), [&](int a, int b) {
      return gen.images[a].created > gen.images[b].created;
    });
  }
  for (size_t i = 0; i < n; ++i) {
    for (ModelRef& decision : model.refs[i]) {
      const Rule* rule = decision.rule;
      if (rule == nullptr || rule->keep) continue;
      const GenImage& image = gen.images[i];
      if (rule->keep_newest) {
        const std::vector<int>& members =
            groups.at({rule, GroupKey(*rule, image, decision.ref)});
        size_t rank =
            std::find(members.begin(), members.end(), int(i)) - members.begin();
        if (rank < *rule->keep_newest) continue;
      }
      decision.selected = !rule->older_than ||
                          kNow - image.created > rule->older_than->duration;
    }
  }
  // Direct protections.
  model.direct.assign(n, false);
  for (size_t i = 0; i < n; ++i) {
    const GenImage& image = gen.images[i];
    bool p = !image.container_states.empty();
    for (const Glob& glob : policy.protect_match) {
      for (const std::string& tag : image.tags)
        p = p || MatchesReference(glob, tag);
    }
    for (const LabelCondition& c : policy.protect_labels)
      p = p || c.Holds(image.labels);
    absl::Time last = image.created;
    if (image.last_tag_time && *image.last_tag_time > last)
      last = *image.last_tag_time;
    p = p || kNow - last < policy.min_age.duration;
    model.direct[i] = p;
  }
  // Children have larger indices than their parents: decide bottom-up.
  model.deleted.assign(n, false);
  model.untagged.assign(n, false);
  model.pruned.assign(n, false);
  for (size_t i = n; i-- > 0;) {
    const GenImage& image = gen.images[i];
    bool children_gone =
        std::all_of(image.children.begin(), image.children.end(),
                    [&](int c) { return model.deleted[c] || model.pruned[c]; });
    if (inv.images[i].intermediate) {
      // The engine prunes it with its last child.
      model.pruned[i] = children_gone && image.container_states.empty();
      if (model.pruned[i] && model.direct[i]) {
        model.intermediate_directly_protected = true;
      }
      continue;
    }
    const std::vector<ModelRef>& refs = model.refs[i];
    bool any = std::any_of(refs.begin(), refs.end(),
                           [](auto& r) { return r.selected; });
    bool all = std::all_of(refs.begin(), refs.end(),
                           [](auto& r) { return r.selected; });
    if (!any || model.direct[i] || !children_gone) continue;
    (all ? model.deleted : model.untagged)[i] = true;
  }
  return model;
}

// ---- checks ----

class Checker {
 public:
  Checker(const Generated& gen, const Plan& plan)
      : gen_(gen), plan_(plan), n_(gen.images.size()) {
    for (size_t i = 0; i < n_; ++i) index_[gen.images[i].id] = int(i);
  }

  std::map<std::string, std::vector<std::string>> violations;
  bool model_skipped = false;  // the exact comparison did not apply

  void Fail(const std::string& check, const std::string& detail) {
    violations[check].push_back(detail);
  }

  int IndexOf(const std::string& id) {
    auto it = index_.find(id);
    return it == index_.end() ? -1 : it->second;
  }

  void Run(const Policy& policy) {
    Model model = Evaluate(gen_, policy);
    const Inventory& inv = gen_.inventory;

    // Where each image is removed (action position) or untagged.
    std::vector<int> removed_at(n_, -1), untagged_at(n_, -1), touched(n_, 0);
    std::vector<bool> deleted(n_, false);
    bool seen_delete = false;
    for (size_t p = 0; p < plan_.actions.size(); ++p) {
      const Action& action = plan_.actions[p];
      int i = IndexOf(action.image);
      if (i < 0) {
        Fail("action on an unknown image", action.image);
        continue;
      }
      ++touched[i];
      if (action.op == ActionOp::kUntag) {
        if (seen_delete)
          Fail("untags before deletes",
               "untag #" + std::to_string(i) + " after a delete");
        untagged_at[i] = int(p);
        if (action.bytes != 0)
          Fail("untag frees 0 bytes", "#" + std::to_string(i));
        if (!action.also_removes.empty())
          Fail("untag removes nothing else", "#" + std::to_string(i));
      } else {
        seen_delete = true;
        removed_at[i] = int(p);
        deleted[i] = true;
      }
      for (const std::string& id : action.also_removes) {
        int a = IndexOf(id);
        if (a < 0) {
          Fail("also_removes an unknown image", id);
          continue;
        }
        ++touched[a];
        removed_at[a] = int(p);
      }
    }
    for (size_t i = 0; i < n_; ++i) {
      if (touched[i] > 1)
        Fail("no image in two actions", "#" + std::to_string(i));
    }
    auto removed = [&](int i) { return removed_at[i] >= 0; };
    auto name = [](size_t i) { return "#" + std::to_string(i); };

    // Protection.
    for (size_t i = 0; i < n_; ++i) {
      if (touched[i] == 0) continue;
      if (model.direct[i]) {
        Fail(inv.images[i].intermediate ? "protected intermediate not removed"
                                        : "protected image has no action",
             name(i));
      }
      for (int c : gen_.images[i].children) {
        if (!removed(c)) {
          Fail(untagged_at[i] >= 0 ? "parent of a staying image is not untagged"
                                   : "parent of a staying image is not removed",
               name(i) + " child " + name(c));
        }
      }
    }

    // References.
    for (const Action& action : plan_.actions) {
      int i = IndexOf(action.image);
      if (i < 0) continue;
      const GenImage& image = gen_.images[i];
      std::set<std::string> tags(image.tags.begin(), image.tags.end());
      std::set<std::string> refs(action.refs.begin(), action.refs.end());
      if (refs.size() != action.refs.size()) Fail("refs are distinct", name(i));
      if (action.op == ActionOp::kUntag) {
        bool subset =
            std::includes(tags.begin(), tags.end(), refs.begin(), refs.end());
        if (!subset || refs.empty() || refs.size() == tags.size()) {
          Fail("untag refs are a proper subset of the tags",
               name(i) + " refs [" + absl::StrJoin(action.refs, ",") + "]");
        }
      } else {
        std::set<std::string> all = tags;
        all.insert(image.digests.begin(), image.digests.end());
        bool subset =
            std::includes(all.begin(), all.end(), refs.begin(), refs.end());
        bool has_tags =
            std::includes(refs.begin(), refs.end(), tags.begin(), tags.end());
        if (!subset || !has_tags) {
          Fail("delete refs are the image's references, every tag included",
               name(i) + " refs [" + absl::StrJoin(action.refs, ",") + "]");
        }
      }
    }

    // Bytes: a brute-force recount over every image, intermediates included.
    std::map<std::string, std::set<int>> users;
    for (size_t i = 0; i < n_; ++i) {
      for (const std::string& chain : gen_.images[i].chains)
        users[chain].insert(int(i));
    }
    auto freed_by = [&](const std::set<int>& set) {
      uint64_t bytes = 0;
      for (const auto& [chain, who] : users) {
        if (std::includes(set.begin(), set.end(), who.begin(), who.end())) {
          bytes += static_cast<uint64_t>(gen_.chain_sizes.at(chain));
        }
      }
      return bytes;
    };
    std::set<int> so_far;
    uint64_t before = 0, action_sum = 0;
    for (size_t p = 0; p < plan_.actions.size(); ++p) {
      for (size_t i = 0; i < n_; ++i) {
        if (removed_at[i] == int(p)) so_far.insert(int(i));
      }
      uint64_t after = freed_by(so_far);
      if (plan_.actions[p].bytes != after - before) {
        Fail("each action's bytes are what it frees after the ones before",
             "action " + std::to_string(p) + ": " +
                 std::to_string(plan_.actions[p].bytes) + " want " +
                 std::to_string(after - before));
      }
      before = after;
      action_sum += plan_.actions[p].bytes;
    }
    if (plan_.summary.reclaimable_bytes != before) {
      Fail("reclaimable_bytes equals the brute-force recount",
           std::to_string(plan_.summary.reclaimable_bytes) + " want " +
               std::to_string(before));
    }
    if (action_sum != plan_.summary.reclaimable_bytes) {
      Fail("actions' bytes add up to reclaimable_bytes",
           std::to_string(action_sum) + " vs " +
               std::to_string(plan_.summary.reclaimable_bytes));
    }

    // Order and pruning.
    for (size_t i = 0; i < n_; ++i) {
      if (!removed(int(i))) continue;
      std::vector<int> stack = gen_.images[i].children;
      while (!stack.empty()) {
        int d = stack.back();
        stack.pop_back();
        if (removed(d) && removed_at[d] > removed_at[i]) {
          Fail("deleted after its removed descendants",
               name(i) + " before descendant " + name(d));
        }
        stack.insert(stack.end(), gen_.images[d].children.begin(),
                     gen_.images[d].children.end());
      }
    }
    for (size_t p = 0; p < plan_.actions.size(); ++p) {
      const Action& action = plan_.actions[p];
      int i = IndexOf(action.image);
      if (i < 0) continue;
      int expected_parent = gen_.images[i].parent;
      for (const std::string& id : action.also_removes) {
        int a = IndexOf(id);
        if (a < 0) continue;
        if (a != expected_parent) {
          Fail("also_removes goes up the parent chain",
               name(i) + " lists " + name(a));
        }
        const GenImage& pruned = gen_.images[a];
        if (!pruned.tags.empty() || !pruned.digests.empty() ||
            !pruned.container_states.empty()) {
          Fail("also_removes only untagged unused images", name(a));
        }
        expected_parent = pruned.parent;
      }
    }
    for (size_t i = 0; i < n_; ++i) {
      const GenImage& image = gen_.images[i];
      if (!inv.images[i].intermediate || removed(int(i)) ||
          !image.container_states.empty()) {
        continue;
      }
      bool children_gone =
          std::all_of(image.children.begin(), image.children.end(),
                      [&](int c) { return removed(c); });
      if (children_gone) {
        Fail("every intermediate the engine prunes is listed", name(i));
      }
    }

    // Deleted or kept, and the kept entries.
    std::map<std::string, int> kept_count;
    for (const KeptImage& kept : plan_.kept) ++kept_count[kept.image];
    for (const KeptImage& kept : plan_.kept) {
      int i = IndexOf(kept.image);
      if (i < 0) {
        Fail("kept lists known images", kept.image);
        continue;
      }
      if (inv.images[i].intermediate)
        Fail("kept lists no intermediate", name(i));
      if (deleted[i]) Fail("a deleted image is not kept", name(i));
      const GenImage& image = gen_.images[i];
      std::set<std::string> refs(kept.refs.begin(), kept.refs.end());
      if (untagged_at[i] >= 0) {
        for (const std::string& r : plan_.actions[untagged_at[i]].refs)
          refs.insert(r);
      }
      if (refs != std::set<std::string>(image.tags.begin(), image.tags.end())) {
        Fail("kept refs and untagged refs are the image's tags", name(i));
      }
      bool any_selected =
          std::any_of(model.refs[i].begin(), model.refs[i].end(),
                      [](auto& r) { return r.selected; });
      if (any_selected && touched[i] == 0 && !kept.is_protected) {
        Fail("a selected image left alone is marked protected", name(i));
      }
      if (kept.is_protected && touched[i] > 0) {
        Fail("a protected kept image has no action", name(i));
      }
    }
    for (size_t i = 0; i < n_; ++i) {
      if (inv.images[i].intermediate) continue;
      int listed = kept_count[gen_.images[i].id] + (deleted[i] ? 1 : 0);
      if (listed != 1) {
        Fail("every listed image is deleted or kept, once",
             name(i) + " listed " + std::to_string(listed) + " times");
      }
    }

    // Summary.
    uint32_t images = 0, deletes = 0, untags = 0;
    uint64_t naive = 0;
    for (size_t i = 0; i < n_; ++i) {
      if (!inv.images[i].intermediate) ++images;
      if (deleted[i]) {
        ++deletes;
        naive += static_cast<uint64_t>(gen_.images[i].size);
      }
      if (untagged_at[i] >= 0) ++untags;
    }
    const PlanSummary& s = plan_.summary;
    if (s.images != images || s.deletes != deletes || s.untags != untags ||
        s.kept != plan_.kept.size() || s.kept != images - deletes ||
        s.naive_bytes != naive) {
      Fail("summary",
           absl::StrCat("images ", s.images, "/", images, " deletes ",
                        s.deletes, "/", deletes, " untags ", s.untags, "/",
                        untags, " kept ", s.kept, "/", images - deletes,
                        " naive ", s.naive_bytes, "/", naive));
    }

    // Exactly what SPEC §3 asks for. (When an intermediate is protected by
    // itself, which of its children must stay is a choice; skip.)
    if (model.intermediate_directly_protected) {
      model_skipped = true;
      return;
    }
    for (size_t i = 0; i < n_; ++i) {
      if (model.deleted[i] != deleted[i]) {
        Fail(model.deleted[i] ? "model: should be deleted"
                              : "model: should not be deleted",
             name(i));
      }
      bool untagged = untagged_at[i] >= 0;
      if (model.untagged[i] != untagged) {
        Fail(model.untagged[i] ? "model: should be untagged"
                               : "model: should not be untagged",
             name(i));
      } else if (untagged) {
        std::vector<std::string> want;
        for (const ModelRef& r : model.refs[i]) {
          if (r.selected) want.push_back(r.ref);
        }
        if (want != plan_.actions[untagged_at[i]].refs) {
          Fail("model: untagged refs",
               name(i) + " [" +
                   absl::StrJoin(plan_.actions[untagged_at[i]].refs, ",") +
                   "] want [" + absl::StrJoin(want, ",") + "]");
        }
      }
      bool pruned = removed(int(i)) && !deleted[i];
      if (model.pruned[i] != pruned) {
        Fail(model.pruned[i] ? "model: should be pruned"
                             : "model: should not be pruned",
             name(i));
      }
    }
  }

 private:
  const Generated& gen_;
  const Plan& plan_;
  size_t n_;
  std::map<std::string, int> index_;
};

TEST(PlannerPropertyTest, RandomInventoriesAndPolicies) {
  std::map<std::string, int> failing_rounds;  // check -> rounds
  std::map<std::string, int> shown;
  int actions = 0, deletes = 0, untags = 0, pruned = 0, protected_kept = 0;
  int model_skipped = 0;
  for (int round = 0; round < kRounds; ++round) {
    uint32_t seed = kBaseSeed + static_cast<uint32_t>(round);
    std::mt19937 rng(seed);
    Generated gen = Generate(rng);
    absl::StatusOr<Policy> policy =
        ParsePolicy(PaddedBody(gen.policy_json), "random.json");
    ASSERT_TRUE(policy.ok()) << "seed " << seed << "\n"
                             << gen.policy_json << "\n"
                             << policy.status();
    Plan plan = ComputePlan(gen.inventory, *policy, kNow);

    Checker checker(gen, plan);
    checker.Run(*policy);
    model_skipped += checker.model_skipped;
    for (const auto& [check, details] : checker.violations) {
      ++failing_rounds[check];
      if (shown[check]++ < 2) {
        ADD_FAILURE() << "seed " << seed << ": " << check << ": "
                      << absl::StrJoin(details, "; ") << "\n"
                      << Describe(gen);
      }
    }
    actions += static_cast<int>(plan.actions.size());
    for (const Action& action : plan.actions) {
      deletes += action.op == ActionOp::kDelete;
      untags += action.op == ActionOp::kUntag;
      pruned += static_cast<int>(action.also_removes.size());
    }
    for (const KeptImage& kept : plan.kept) protected_kept += kept.is_protected;
  }
  std::ostringstream summary;
  for (const auto& [check, rounds] : failing_rounds) {
    summary << "  " << check << ": " << rounds << " of " << kRounds
            << " rounds\n";
  }
  EXPECT_TRUE(failing_rounds.empty()) << "failing checks:\n" << summary.str();
  // The generator must exercise what the checks are about.
  EXPECT_GT(deletes, kRounds / 2);
  EXPECT_GT(untags, 20);
  EXPECT_GT(pruned, 20);
  EXPECT_GT(protected_kept, 50);
  EXPECT_LT(model_skipped, kRounds / 10);
  std::printf(
      "[ property ] %d actions: %d deletes, %d untags, %d pruned; "
      "%d protected kept; exact model skipped in %d rounds\n",
      actions, deletes, untags, pruned, protected_kept, model_skipped);
}

// The checks above must be able to fail: plans broken on purpose are
// caught, every time.
TEST(PlannerPropertyTest, TheChecksCatchBrokenPlans) {
  std::map<std::string, int> applied, caught;
  for (int round = 0; round < 400; ++round) {
    uint32_t seed = kBaseSeed + static_cast<uint32_t>(round);
    std::mt19937 rng(seed);
    Generated gen = Generate(rng);
    absl::StatusOr<Policy> policy =
        ParsePolicy(PaddedBody(gen.policy_json), "random.json");
    ASSERT_TRUE(policy.ok()) << policy.status();
    const Plan plan = ComputePlan(gen.inventory, *policy, kNow);

    auto try_mutation = [&](const std::string& kind, Plan broken) {
      ++applied[kind];
      Checker checker(gen, broken);
      checker.Run(*policy);
      if (!checker.violations.empty()) {
        ++caught[kind];
      } else {
        ADD_FAILURE() << "seed " << seed << ": " << kind << " not caught\n"
                      << Describe(gen);
      }
    };
    std::vector<size_t> delete_positions, untag_positions;
    for (size_t p = 0; p < plan.actions.size(); ++p) {
      (plan.actions[p].op == ActionOp::kDelete ? delete_positions
                                               : untag_positions)
          .push_back(p);
    }
    for (size_t p : delete_positions) {
      if (plan.actions[p].bytes > 0) {
        Plan broken = plan;
        broken.actions[p].bytes += 1;
        broken.summary.reclaimable_bytes += 1;
        try_mutation("bytes off by one", broken);
        break;
      }
    }
    if (!delete_positions.empty() && !untag_positions.empty()) {
      Plan broken = plan;
      Action untag = broken.actions[untag_positions.back()];
      broken.actions.erase(broken.actions.begin() +
                           static_cast<long>(untag_positions.back()));
      broken.actions.push_back(untag);
      try_mutation("untag after a delete", broken);
    }
    for (size_t p : delete_positions) {
      if (!plan.actions[p].also_removes.empty()) {
        Plan broken = plan;
        broken.actions[p].also_removes.clear();
        try_mutation("pruned parent not listed", broken);
        break;
      }
    }
    if (delete_positions.size() >= 2) {
      Plan broken = plan;
      std::reverse(
          broken.actions.begin() + static_cast<long>(delete_positions.front()),
          broken.actions.end());
      // Only a real inversion counts: a deleted image before a descendant.
      bool inverted = false;
      for (size_t a = 0; a < broken.actions.size(); ++a) {
        ImageIndex parent = gen.inventory.FindImage(broken.actions[a].image);
        for (size_t b = a + 1; b < broken.actions.size(); ++b) {
          ImageIndex i = gen.inventory.FindImage(broken.actions[b].image);
          for (ImageIndex p = gen.inventory.images[i].parent; p != kNoImage;
               p = gen.inventory.images[p].parent) {
            inverted = inverted || (p == parent &&
                                    broken.actions[a].op == ActionOp::kDelete);
          }
        }
      }
      if (inverted) try_mutation("parent deleted before its child", broken);
    }
    for (const KeptImage& kept : plan.kept) {
      if (kept.is_protected) {
        Plan broken = plan;
        Action action;
        action.op = ActionOp::kDelete;
        action.image = kept.image;
        action.refs = kept.refs;
        broken.actions.push_back(action);
        broken.kept.erase(std::find_if(
            broken.kept.begin(), broken.kept.end(),
            [&](const KeptImage& k) { return k.image == kept.image; }));
        ++broken.summary.deletes;
        --broken.summary.kept;
        try_mutation("protected image deleted", broken);
        break;
      }
    }
    if (!plan.actions.empty()) {
      Plan broken = plan;
      broken.actions.pop_back();
      try_mutation("action dropped", broken);
    }
  }
  for (const auto& [kind, count] : applied) {
    EXPECT_GE(count, 5) << kind;
    EXPECT_EQ(caught[kind], count) << kind;
  }
  EXPECT_EQ(applied.size(), 6u);
}

}  // namespace
}  // namespace dgc
