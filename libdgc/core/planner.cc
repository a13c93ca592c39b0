// Inventory + Policy + now → Plan (see planner.h).
#include "core/planner.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/protection.h"
#include "core/removal_model.h"
#include "core/resource_selection.h"
#include "core/rule_evaluation.h"
#include "core/watermark.h"

namespace dgc {
namespace {

// The planner's working state, one entry per image.
struct Decisions {
  std::vector<ImageVerdict> verdicts;
  std::vector<bool> deleting;
  std::vector<bool> untagging;
  std::vector<std::string> protection;  // "" when not protected
};

Decisions Decide(const Inventory& inventory, const Policy& policy,
                 absl::Time now, const std::vector<bool>& removed_containers) {
  Decisions d;
  size_t count = inventory.images.size();
  d.verdicts = EvaluateRules(inventory, policy, now);
  d.deleting.assign(count, false);
  d.untagging.assign(count, false);
  d.protection.assign(count, "");
  for (ImageIndex i = 0; i < count; ++i) {
    d.protection[i] =
        DirectProtection(inventory, policy, now, i, removed_containers);
    const ImageVerdict& verdict = d.verdicts[i];
    if (!d.protection[i].empty() || !verdict.AnySelected()) continue;
    (verdict.AllSelected() ? d.deleting : d.untagging)[i] = true;
  }
  std::vector<ImageIndex> staying_child =
      KeepParentsOfStayingImages(inventory, d.protection, &d.deleting);
  for (ImageIndex i = 0; i < count; ++i) {
    if (staying_child[i] == kNoImage || !d.protection[i].empty() ||
        inventory.images[i].intermediate) {
      continue;
    }
    d.protection[i] = ParentReason(inventory, staying_child[i]);
    d.untagging[i] = false;  // protected: nothing at all is done to it
  }
  return d;
}

// The first deciding rule among the decisions that are (or are not)
// selected.
const RefDecision* FirstDecision(const ImageVerdict& verdict, bool selected) {
  for (const RefDecision& decision : verdict.refs) {
    if (decision.selected == selected) return &decision;
  }
  return nullptr;
}

// One reason for several decisions: the shared one, or "ref: reason; …".
std::string CombinedReason(const ImageVerdict& verdict, bool selected) {
  std::vector<const RefDecision*> chosen;
  for (const RefDecision& decision : verdict.refs) {
    if (decision.selected == selected) chosen.push_back(&decision);
  }
  if (chosen.empty()) return "";
  bool same = std::all_of(chosen.begin(), chosen.end(), [&](auto* d) {
    return d->reason == chosen.front()->reason;
  });
  if (same) return chosen.front()->reason;
  std::vector<std::string> parts;
  parts.reserve(chosen.size());
  for (const RefDecision* d : chosen) {
    parts.push_back(absl::StrFormat("%s: %s", d->ref, d->reason));
  }
  return absl::StrJoin(parts, "; ");
}

// The first 16 bytes of `text` (zeros after a shorter one) as two numbers
// that order as the bytes do: texts whose heads differ order as these.
std::pair<uint64_t, uint64_t> OrderedHead(std::string_view text) {
  uint64_t words[2] = {0, 0};
  for (size_t i = 0; i < 16 && i < text.size(); ++i) {
    words[i / 8] |= uint64_t{static_cast<uint8_t>(text[i])}
                    << (8 * (7 - i % 8));
  }
  return {words[0], words[1]};
}

size_t RuleNumber(const ImageVerdict& verdict) {
  const RefDecision* first = FirstDecision(verdict, true);
  return first != nullptr && first->rule != nullptr ? first->rule->number : 0;
}

// Candidates in display order: by rule, oldest first, then by ID.
std::vector<ImageIndex> InRuleOrder(const Inventory& inventory,
                                    const Decisions& d,
                                    const std::vector<bool>& chosen) {
  struct Candidate {
    size_t rule;
    absl::Time created;
    // The ID's first 16 bytes, so that most ties on `created` are told
    // apart without reaching the image; the ID itself for the rest.
    std::pair<uint64_t, uint64_t> id_head;
    const std::string* id;
    ImageIndex image;
  };
  std::vector<Candidate> candidates;  // each rule number found once
  for (ImageIndex i = 0; i < chosen.size(); ++i) {
    if (chosen[i]) {
      const Image& image = inventory.images[i];
      candidates.push_back({RuleNumber(d.verdicts[i]), image.created,
                            OrderedHead(image.id), &image.id, i});
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [&](const Candidate& a, const Candidate& b) {
              if (a.rule != b.rule) return a.rule < b.rule;
              if (a.created != b.created) return a.created < b.created;
              if (a.id_head != b.id_head) return a.id_head < b.id_head;
              return *a.id < *b.id;
            });
  std::vector<ImageIndex> order;
  order.reserve(candidates.size());
  for (const Candidate& candidate : candidates) {
    order.push_back(candidate.image);
  }
  return order;
}

// Deletions in rule order, except that every image comes after the
// deleted images below it (children, through untagged intermediates).
std::vector<ImageIndex> DeletionOrder(const Inventory& inventory,
                                      const Decisions& d) {
  std::vector<ImageIndex> preferred = InRuleOrder(inventory, d, d.deleting);
  std::vector<ImageIndex> order;
  std::vector<bool> placed(inventory.images.size(), false);
  // Explicit stack: (image, whether its descendants were pushed).
  std::vector<std::pair<ImageIndex, bool>> stack;
  for (ImageIndex start : preferred) {
    stack.push_back({start, false});
    while (!stack.empty()) {
      auto [image, expanded] = stack.back();
      stack.pop_back();
      if (placed[image]) continue;
      if (expanded) {
        placed[image] = true;
        if (d.deleting[image]) order.push_back(image);
        continue;
      }
      stack.push_back({image, true});
      const std::vector<ImageIndex>& children =
          inventory.images[image].children;
      for (auto child = children.rbegin(); child != children.rend(); ++child) {
        if (!placed[*child]) stack.push_back({*child, false});
      }
    }
  }
  return order;
}

Action UntagAction(const Image& image, const ImageVerdict& verdict) {
  Action action;
  action.op = ActionOp::kUntag;
  action.image = image.id;
  for (const RefDecision& decision : verdict.refs) {
    if (decision.selected) action.refs.push_back(decision.ref);
  }
  action.rule = FirstDecision(verdict, true)->rule->name;
  action.reason = CombinedReason(verdict, true);
  action.created = image.created;
  action.size = static_cast<uint64_t>(std::max<int64_t>(image.size, 0));
  return action;
}

Action DeleteAction(const Inventory& inventory, ImageIndex index,
                    const ImageVerdict& verdict, const Removal& removal) {
  const Image& image = inventory.images[index];
  Action action;
  action.op = ActionOp::kDelete;
  action.image = image.id;
  action.refs = ReferencesToDelete(image.tags, image.digests);
  action.rule = FirstDecision(verdict, true)->rule->name;
  action.reason = CombinedReason(verdict, true);
  // Deleted although containers use it: the plan removes them first.
  if (!image.containers.empty()) {
    const Container& first = inventory.containers[image.containers.front()];
    action.reason += absl::StrFormat(
        "; its container%s %s%s removed first",
        image.containers.size() > 1 ? "s" : "", first.name,
        image.containers.size() > 1 ? " and others are" : " is");
  }
  action.bytes = removal.bytes;
  // Content blobs not read (the containerd store's, from afar): the bytes
  // above are its snapshots; the rest is bounded (UnknownContentBound).
  std::vector<ImageIndex> gone = removal.pruned;
  gone.push_back(index);
  action.bytes_max = action.bytes;
  bool unattributed = false;
  for (ImageIndex removed : gone) {
    const Image& unknown = inventory.images[removed];
    unattributed = unattributed || unknown.content_bounded;
    if (unknown.blobs_known) continue;
    action.exact = false;
    action.bytes_max += UnknownContentBound(inventory, unknown);
  }
  if (unattributed) {  // it may own any of the blobs no manifest names
    action.exact = false;
    action.bytes_max += inventory.unattributed_content;
  }
  action.prune = removal.prune;
  for (ImageIndex pruned : removal.pruned) {
    action.also_removes.push_back(inventory.images[pruned].id);
  }
  action.created = image.created;
  action.size = static_cast<uint64_t>(std::max<int64_t>(image.size, 0));
  return action;
}

Action ContainerAction(const Container& container,
                       const ContainerDecision& decision) {
  Action action;
  action.op = ActionOp::kRemoveContainer;
  action.image = container.image_index != kNoImage ? container.image_id : "";
  action.container = container.id;
  action.container_name = container.name;
  action.stopped_at = decision.stopped_at;
  action.rule = "containers";
  action.reason = decision.reason;
  action.bytes = static_cast<uint64_t>(
      std::max<int64_t>(container.size_rw.value_or(0), 0));
  action.created = container.created;
  return action;
}

Action VolumeAction(const Volume& volume, const VolumeDecision& decision) {
  Action action;
  action.op = ActionOp::kRemoveVolume;
  action.volume = volume.name;
  action.rule = "volumes";
  action.reason = decision.reason;
  action.bytes = static_cast<uint64_t>(std::max<int64_t>(volume.size, 0));
  action.created = volume.created_at;
  return action;
}

Action BuildCacheAction(const Inventory& inventory,
                        const BuildCacheSelection& selection) {
  Action action;
  action.op = ActionOp::kPruneBuildCache;
  for (size_t i : selection.records) {
    action.records.push_back(inventory.build_cache[i].id);
  }
  action.rule = "build_cache";
  action.reason = selection.reason;
  action.bytes = selection.bytes;
  return action;
}

// Indices of the decisions that remove, ordered by `key` (oldest first),
// then by index.
template <typename Decision, typename Key>
std::vector<size_t> Removals(const std::vector<Decision>& decisions, Key key) {
  std::vector<size_t> order;
  for (size_t i = 0; i < decisions.size(); ++i) {
    if (decisions[i].remove) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return key(a) < key(b); });
  return order;
}

KeptImage Kept(const Image& image, const ImageVerdict& verdict,
               const std::string& protection) {
  KeptImage kept;
  kept.image = image.id;
  kept.created = image.created;
  if (!protection.empty()) {
    kept.refs = image.tags;
    kept.reason = protection;
    kept.is_protected = true;
    return kept;
  }
  for (const RefDecision& decision : verdict.refs) {
    if (!decision.selected && !decision.ref.empty()) {
      kept.refs.push_back(decision.ref);
    }
  }
  const RefDecision* first = FirstDecision(verdict, false);
  if (first != nullptr && first->rule != nullptr) kept.rule = first->rule->name;
  kept.reason = CombinedReason(verdict, false);
  return kept;
}

// One action the policy selects, as the watermark selection sees it.
struct Candidate {
  ActionOp op;
  size_t index;  // of the image, container, volume or build cache record
  WatermarkCandidate order;
};

// Every removal the policy selects, in the order they run: containers
// (oldest stop first), image deletions (children first), volumes (oldest
// first), build cache records (children first). Prerequisites: an image's
// removed containers and deleted descendants; a volume's removed
// containers; a record's children.
std::vector<Candidate> Candidates(
    const Inventory& inventory,
    const std::vector<ContainerDecision>& containers, const Decisions& d,
    const std::vector<VolumeDecision>& volumes,
    const BuildCacheSelection& cache) {
  std::vector<Candidate> candidates;
  std::vector<size_t> container_candidate(containers.size(), SIZE_MAX);
  for (size_t c : Removals(
           containers, [&](size_t i) { return containers[i].stopped_at; })) {
    container_candidate[c] = candidates.size();
    candidates.push_back({ActionOp::kRemoveContainer,
                          c,
                          {.last_use = containers[c].stopped_at}});
  }
  std::vector<size_t> image_candidate(inventory.images.size(), SIZE_MAX);
  for (ImageIndex i : DeletionOrder(inventory, d)) {
    WatermarkCandidate order{.last_use = ImageLastUse(inventory, i)};
    for (ContainerIndex c : inventory.images[i].containers) {
      if (container_candidate[c] != SIZE_MAX) {
        order.prerequisites.push_back(container_candidate[c]);
      }
    }
    // Deleted descendants, through the intermediates the engine prunes.
    std::vector<ImageIndex> below;
    if (!inventory.images[i].children.empty()) {
      below = inventory.images[i].children;
    }
    while (!below.empty()) {
      ImageIndex child = below.back();
      below.pop_back();
      if (image_candidate[child] != SIZE_MAX) {
        order.prerequisites.push_back(image_candidate[child]);
      } else if (inventory.images[child].intermediate) {
        const std::vector<ImageIndex>& more = inventory.images[child].children;
        below.insert(below.end(), more.begin(), more.end());
      }
    }
    image_candidate[i] = candidates.size();
    candidates.push_back({ActionOp::kDelete, i, std::move(order)});
  }
  for (size_t v : Removals(volumes, [&](size_t i) {
         return inventory.volumes[i].created_at;
       })) {
    WatermarkCandidate order{.last_use = inventory.volumes[v].created_at};
    for (ContainerIndex c : inventory.volumes[v].containers) {
      if (container_candidate[c] != SIZE_MAX) {
        order.prerequisites.push_back(container_candidate[c]);
      }
    }
    candidates.push_back({ActionOp::kRemoveVolume, v, std::move(order)});
  }
  absl::flat_hash_map<std::string_view, size_t> record_candidate;
  for (size_t r : cache.records) {
    const BuildCacheRecord& record = inventory.build_cache[r];
    WatermarkCandidate order{.last_use =
                                 record.last_used_at != absl::InfinitePast()
                                     ? record.last_used_at
                                     : record.created_at};
    record_candidate[record.id] = candidates.size();
    candidates.push_back({ActionOp::kPruneBuildCache, r, std::move(order)});
  }
  for (Candidate& candidate : candidates) {  // a record's children first
    if (candidate.op != ActionOp::kPruneBuildCache) continue;
    for (const std::string& parent :
         inventory.build_cache[candidate.index].parents) {
      auto it = record_candidate.find(parent);
      if (it != record_candidate.end()) {
        candidates[it->second].order.prerequisites.push_back(
            static_cast<size_t>(&candidate - candidates.data()));
      }
    }
  }
  return candidates;
}

// The bytes one candidate frees, given those taken before it (`model`
// replays image deletions).
uint64_t CandidateBytes(const Inventory& inventory, const Candidate& candidate,
                        RemovalModel* model) {
  switch (candidate.op) {
    case ActionOp::kRemoveContainer:
      return ContainerAction(inventory.containers[candidate.index], {}).bytes;
    case ActionOp::kDelete:
      return model->Delete(static_cast<ImageIndex>(candidate.index)).bytes;
    case ActionOp::kRemoveVolume:
      return static_cast<uint64_t>(
          std::max<int64_t>(inventory.volumes[candidate.index].size, 0));
    case ActionOp::kPruneBuildCache:
      return static_cast<uint64_t>(
          std::max<int64_t>(inventory.build_cache[candidate.index].size, 0));
    case ActionOp::kUntag:
      break;
  }
  return 0;
}

// The watermark a threshold sets and what the plan does to the usage.
WatermarkReport Report(const WatermarkLevels& levels, uint64_t freed) {
  WatermarkReport report;
  report.disk = levels.disk;
  report.total_bytes = levels.total_bytes;
  report.high_bytes = levels.high_bytes;
  report.low_bytes = levels.low_bytes;
  report.used_before_bytes = levels.used_bytes;
  report.used_after_bytes =
      levels.used_bytes - std::min(freed, levels.used_bytes);
  report.acted = levels.used_bytes >= levels.high_bytes;
  if (report.acted && report.used_after_bytes > levels.low_bytes) {
    report.shortfall_bytes = report.used_after_bytes - levels.low_bytes;
  }
  return report;
}

// Marks, for order lru, the images no rule selects that the watermark may
// take: not protected, not intermediate, and no reference kept by a keep
// or keep_newest rule.
void AddLeastRecentlyUsed(const Inventory& inventory, Decisions* d) {
  static const Rule* const kLruRule = [] {
    auto* rule = new Rule;
    rule->name = "lru";
    return rule;
  }();
  for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
    // Leaves only: a parent goes with its children or not at all.
    if (d->deleting[i] || d->untagging[i] || !d->protection[i].empty() ||
        inventory.images[i].intermediate ||
        !inventory.images[i].children.empty()) {
      continue;
    }
    ImageVerdict& verdict = d->verdicts[i];
    bool kept_by_rule = std::any_of(
        verdict.refs.begin(), verdict.refs.end(), [](const RefDecision& r) {
          return r.rule != nullptr &&
                 (r.rule->keep || r.rule->keep_newest.has_value());
        });
    if (kept_by_rule) continue;
    for (RefDecision& decision : verdict.refs) {
      decision.selected = true;
      decision.rule = kLruRule;
      decision.reason = "least recently used (order lru)";
    }
    d->deleting[i] = !verdict.refs.empty();
  }
}

}  // namespace

Plan ComputePlan(const Inventory& inventory, const Policy& policy,
                 absl::Time now) {
  Plan plan;
  plan.engine = inventory.engine;
  plan.now = now;
  plan.policy_source = policy.source;
  plan.warnings = inventory.warnings;

  std::vector<ContainerDecision> containers =
      DecideContainers(inventory, policy, now);
  std::vector<bool> removed_containers(containers.size());
  for (size_t c = 0; c < containers.size(); ++c) {
    removed_containers[c] = containers[c].remove;
  }
  Decisions d = Decide(inventory, policy, now, removed_containers);
  const bool threshold = policy.threshold.has_value();
  if (threshold && policy.order == Order::kLru) {
    AddLeastRecentlyUsed(inventory, &d);
  }
  std::vector<VolumeDecision> volumes =
      DecideVolumes(inventory, policy, now, removed_containers);
  BuildCacheSelection cache = SelectBuildCache(inventory, policy, now);
  std::vector<Candidate> candidates =
      Candidates(inventory, containers, d, volumes, cache);

  // Which candidates go: all of them, or under a threshold the least
  // recently used until the predicted usage reaches the low watermark.
  std::vector<bool> taken(candidates.size(), !threshold);
  std::vector<bool> is_protected(inventory.images.size());
  for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
    is_protected[i] = !d.protection[i].empty();
  }
  std::optional<WatermarkLevels> levels;
  if (threshold) {
    levels = Levels(*policy.threshold, inventory);
    if (levels->used_bytes >= levels->high_bytes) {
      std::vector<WatermarkCandidate> order;
      for (const Candidate& candidate : candidates) {
        order.push_back(candidate.order);
      }
      RemovalModel model(inventory, is_protected, removed_containers);
      taken = TakeUntil(
          order, levels->used_bytes - levels->low_bytes, [&](size_t i) {
            return CandidateBytes(inventory, candidates[i], &model);
          });
    }
  }
  std::vector<std::string> not_needed(inventory.images.size());
  for (size_t k = 0; k < candidates.size(); ++k) {
    const Candidate& candidate = candidates[k];
    if (taken[k]) continue;
    std::string why = levels->used_bytes >= levels->high_bytes
                          ? "not needed to reach the low watermark"
                          : "below the high watermark";
    if (candidate.op == ActionOp::kDelete) {
      d.deleting[candidate.index] = false;
      not_needed[candidate.index] = why;
    } else if (candidate.op == ActionOp::kRemoveContainer) {
      containers[candidate.index].remove = false;
      containers[candidate.index].reason = why;
    } else if (candidate.op == ActionOp::kRemoveVolume) {
      volumes[candidate.index].remove = false;
      volumes[candidate.index].reason = why;
    }
  }

  // The actions, in order, each with its exact bytes given those before.
  RemovalModel model(inventory, std::move(is_protected), removed_containers);
  plan.actions.reserve(
      static_cast<size_t>(std::count(taken.begin(), taken.end(), true)) +
      static_cast<size_t>(
          std::count(d.untagging.begin(), d.untagging.end(), true)));
  std::vector<size_t> records;
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (!taken[k]) continue;
    const Candidate& candidate = candidates[k];
    switch (candidate.op) {
      case ActionOp::kRemoveContainer:
        plan.actions.push_back(
            ContainerAction(inventory.containers[candidate.index],
                            containers[candidate.index]));
        break;
      case ActionOp::kDelete: {
        ImageIndex i = static_cast<ImageIndex>(candidate.index);
        plan.actions.push_back(
            DeleteAction(inventory, i, d.verdicts[i], model.Delete(i)));
        break;
      }
      case ActionOp::kRemoveVolume:
        plan.actions.push_back(VolumeAction(inventory.volumes[candidate.index],
                                            volumes[candidate.index]));
        break;
      case ActionOp::kPruneBuildCache:
        records.push_back(candidate.index);
        break;
      case ActionOp::kUntag:
        break;
    }
  }
  if (!records.empty()) {
    BuildCacheSelection taken_cache = cache;
    taken_cache.records = records;
    taken_cache.bytes = 0;
    for (size_t r : records) {
      taken_cache.bytes += static_cast<uint64_t>(
          std::max<int64_t>(inventory.build_cache[r].size, 0));
    }
    plan.actions.push_back(BuildCacheAction(inventory, taken_cache));
  }
  // Untags free nothing: they reach no watermark, and go without one.
  if (!threshold) {
    std::vector<Action> untags;
    for (ImageIndex i : InRuleOrder(inventory, d, d.untagging)) {
      untags.push_back(UntagAction(inventory.images[i], d.verdicts[i]));
    }
    auto first_image_action = std::find_if(
        plan.actions.begin(), plan.actions.end(), [](const Action& action) {
          return action.op != ActionOp::kRemoveContainer;
        });
    plan.actions.insert(first_image_action, untags.begin(), untags.end());
  }

  std::vector<ImageIndex> staying;
  for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
    if (!inventory.images[i].intermediate && !d.deleting[i])
      staying.push_back(i);
  }
  std::sort(staying.begin(), staying.end(), [&](ImageIndex a, ImageIndex b) {
    return NewerFirst(inventory.images[a], inventory.images[b]);
  });
  for (ImageIndex i : staying) {
    if (not_needed[i].empty()) {
      plan.kept.push_back(
          Kept(inventory.images[i], d.verdicts[i], d.protection[i]));
      continue;
    }
    const Image& image = inventory.images[i];
    plan.kept.push_back(
        {.image = image.id,
         .refs = image.tags,
         .rule = FirstDecision(d.verdicts[i], true)->rule->name,
         .reason = absl::StrFormat("%s (%s)", not_needed[i],
                                   CombinedReason(d.verdicts[i], true)),
         .created = image.created});
  }
  for (size_t c = 0; c < containers.size(); ++c) {
    if (!containers[c].considered || containers[c].remove) continue;
    const Container& container = inventory.containers[c];
    plan.kept_resources.push_back(
        {"container", container.id, container.name, containers[c].reason});
  }
  for (size_t v = 0; v < volumes.size(); ++v) {
    if (!volumes[v].considered || volumes[v].remove) continue;
    plan.kept_resources.push_back(
        {"volume", inventory.volumes[v].name, "", volumes[v].reason});
  }

  PlanSummary& summary = plan.summary;
  for (const Image& image : inventory.images) {
    if (!image.intermediate) ++summary.images;
  }
  for (const Action& action : plan.actions) {
    switch (action.op) {
      case ActionOp::kDelete:
        ++summary.deletes;
        summary.naive_bytes += action.size;
        break;
      case ActionOp::kUntag:
        ++summary.untags;
        break;
      case ActionOp::kRemoveContainer:
        ++summary.containers;
        break;
      case ActionOp::kRemoveVolume:
        ++summary.volumes;
        break;
      case ActionOp::kPruneBuildCache:
        summary.build_cache_records +=
            static_cast<uint32_t>(action.records.size());
        break;
    }
    summary.reclaimable_bytes += action.bytes;
    summary.reclaimable_bytes_max +=
        action.exact ? action.bytes : action.bytes_max;
    summary.exact = summary.exact && action.exact;
  }
  summary.kept = static_cast<uint32_t>(plan.kept.size());
  if (levels.has_value()) {
    plan.watermark = Report(*levels, summary.reclaimable_bytes);
  }
  return plan;
}

std::string_view OpName(ActionOp op) {
  switch (op) {
    case ActionOp::kUntag:
      return "untag";
    case ActionOp::kDelete:
      return "delete";
    case ActionOp::kRemoveContainer:
      return "remove_container";
    case ActionOp::kRemoveVolume:
      return "remove_volume";
    case ActionOp::kPruneBuildCache:
      return "prune_build_cache";
  }
  return "";
}

std::optional<ActionOp> ParseOpName(std::string_view text) {
  for (ActionOp op :
       {ActionOp::kUntag, ActionOp::kDelete, ActionOp::kRemoveContainer,
        ActionOp::kRemoveVolume, ActionOp::kPruneBuildCache}) {
    if (OpName(op) == text) return op;
  }
  return std::nullopt;
}

}  // namespace dgc
