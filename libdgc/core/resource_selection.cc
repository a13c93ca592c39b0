// What the resource sections select (see resource_selection.h).
#include "core/resource_selection.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "core/engine_bodies.h"
#include "core/time_text.h"

namespace dgc {
namespace {

bool ExpectedBack(std::string_view restart_policy) {
  return restart_policy == "always" || restart_policy == "unless-stopped";
}

std::string ContainerName(const Container& container) {
  return container.name.empty() ? container.id.substr(0, 12) : container.name;
}

ContainerDecision DecideContainer(const Container& container,
                                  const ContainersSection& section,
                                  absl::Time now) {
  ContainerDecision d;
  if (!NeedsContainerDetails(container.state)) return d;  // running & co.
  d.considered = true;
  if (!container.details_known) {
    d.reason = "its details could not be read (removed meanwhile?)";
    return d;
  }
  bool never_started = container.finished_at == absl::InfinitePast();
  d.stopped_at = never_started ? container.created : container.finished_at;
  if (ExpectedBack(container.restart_policy) &&
      !section.include_restart_policies) {
    d.reason = absl::StrFormat(
        "restart policy %s: expected back (include_restart_policies is "
        "false)",
        container.restart_policy);
    return d;
  }
  for (const LabelCondition& label : section.protect_labels) {
    if (label.Holds(container.labels)) {
      d.reason = absl::StrFormat("protected: label %s", label.Text());
      return d;
    }
  }
  std::string since = never_started
                          ? absl::StrFormat("created %s, never started",
                                            FormatRfc3339(d.stopped_at))
                          : absl::StrFormat("%s %s", container.state,
                                            FormatRfc3339(d.stopped_at));
  if (now - d.stopped_at <= section.stopped_older_than.duration) {
    d.reason = absl::StrFormat("stopped less than %s ago (%s)",
                               section.stopped_older_than.text, since);
    return d;
  }
  d.remove = true;
  d.reason = absl::StrFormat("stopped longer than %s ago (%s)",
                             section.stopped_older_than.text, since);
  return d;
}

VolumeDecision DecideVolume(const Inventory& inventory, const Volume& volume,
                            const VolumesSection& section, absl::Time now,
                            const std::vector<bool>& removed_containers) {
  VolumeDecision d;
  d.considered = true;
  if (!volume.anonymous) {
    d.reason = "named: never removed";
    return d;
  }
  int64_t removed_mounts = 0;
  for (ContainerIndex c : volume.containers) {
    if (c < removed_containers.size() && removed_containers[c]) {
      ++removed_mounts;
      continue;
    }
    const Container& container = inventory.containers[c];
    d.reason = absl::StrFormat("mounted by container %s (%s)",
                               ContainerName(container), container.state);
    return d;
  }
  if (volume.ref_count > removed_mounts) {
    d.reason = absl::StrFormat("in use: the engine counts %d references to it",
                               volume.ref_count);
    return d;
  }
  if (volume.created_at == absl::InfinitePast()) {
    d.reason = "its creation time is unknown";
    return d;
  }
  const PolicyDuration& age = section.anonymous_unused_older_than;
  if (now - volume.created_at <= age.duration) {
    d.reason = absl::StrFormat("anonymous, created less than %s ago (%s)",
                               age.text, FormatRfc3339(volume.created_at));
    return d;
  }
  d.remove = true;
  d.reason = absl::StrFormat(
      "anonymous and unused%s, created longer than %s ago (%s)",
      removed_mounts > 0 ? " once its container is removed" : "", age.text,
      FormatRfc3339(volume.created_at));
  return d;
}

// When a record was last used: LastUsedAt, or its creation when never.
absl::Time LastUsed(const BuildCacheRecord& record) {
  return record.last_used_at != absl::InfinitePast() ? record.last_used_at
                                                     : record.created_at;
}

bool Prunable(const BuildCacheRecord& record, const BuildCacheSection& section,
              absl::Time now) {
  if (record.in_use || record.shared || record.type == "internal" ||
      record.type == "frontend") {
    return false;
  }
  if (!section.older_than.has_value()) return true;
  return LastUsed(record) != absl::InfinitePast() &&
         now - LastUsed(record) > section.older_than->duration;
}

}  // namespace

std::vector<ContainerDecision> DecideContainers(const Inventory& inventory,
                                                const Policy& policy,
                                                absl::Time now) {
  std::vector<ContainerDecision> decisions(inventory.containers.size());
  if (!policy.containers.has_value()) return decisions;
  for (size_t i = 0; i < inventory.containers.size(); ++i) {
    decisions[i] =
        DecideContainer(inventory.containers[i], *policy.containers, now);
  }
  return decisions;
}

std::vector<VolumeDecision> DecideVolumes(
    const Inventory& inventory, const Policy& policy, absl::Time now,
    const std::vector<bool>& removed_containers) {
  std::vector<VolumeDecision> decisions(inventory.volumes.size());
  if (!policy.volumes.has_value()) return decisions;
  for (size_t i = 0; i < inventory.volumes.size(); ++i) {
    decisions[i] = DecideVolume(inventory, inventory.volumes[i],
                                *policy.volumes, now, removed_containers);
  }
  return decisions;
}

BuildCacheSelection SelectBuildCache(const Inventory& inventory,
                                     const Policy& policy, absl::Time now) {
  BuildCacheSelection selection;
  const std::vector<BuildCacheRecord>& records = inventory.build_cache;
  for (const BuildCacheRecord& record : records) {
    if (!record.shared && record.size > 0) {
      selection.cache_bytes += static_cast<uint64_t>(record.size);
    }
  }
  selection.cache_bytes_after = selection.cache_bytes;
  if (!policy.build_cache.has_value()) return selection;
  const BuildCacheSection& section = *policy.build_cache;

  absl::flat_hash_map<std::string, size_t> by_id;
  for (size_t i = 0; i < records.size(); ++i) by_id[records[i].id] = i;
  // A record can go only with every record built on it: count children.
  std::vector<uint32_t> children(records.size(), 0);
  for (const BuildCacheRecord& record : records) {
    for (const std::string& parent : record.parents) {
      auto it = by_id.find(parent);
      if (it != by_id.end()) ++children[it->second];
    }
  }
  std::vector<bool> candidate(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    candidate[i] = Prunable(records[i], section, now);
  }
  // Leaves first, least recently used first; a parent becomes a leaf when
  // its last child goes.
  auto older = [&](size_t a, size_t b) {
    if (LastUsed(records[a]) != LastUsed(records[b])) {
      return LastUsed(records[a]) > LastUsed(records[b]);  // min-heap
    }
    return records[a].id > records[b].id;
  };
  std::vector<size_t> leaves;
  for (size_t i = 0; i < records.size(); ++i) {
    if (candidate[i] && children[i] == 0) leaves.push_back(i);
  }
  std::make_heap(leaves.begin(), leaves.end(), older);
  auto above_keep_storage = [&] {
    return !section.keep_storage.has_value() ||
           selection.cache_bytes_after > section.keep_storage->bytes;
  };
  while (!leaves.empty() && above_keep_storage()) {
    std::pop_heap(leaves.begin(), leaves.end(), older);
    size_t i = leaves.back();
    leaves.pop_back();
    selection.records.push_back(i);
    uint64_t size =
        static_cast<uint64_t>(std::max<int64_t>(records[i].size, 0));
    selection.bytes += size;
    selection.cache_bytes_after -= std::min(size, selection.cache_bytes_after);
    for (const std::string& parent : records[i].parents) {
      auto it = by_id.find(parent);
      if (it == by_id.end()) continue;
      size_t p = it->second;
      if (--children[p] == 0 && candidate[p]) {
        leaves.push_back(p);
        std::push_heap(leaves.begin(), leaves.end(), older);
      }
    }
  }
  std::string age = section.older_than
                        ? absl::StrFormat("unused for longer than %s",
                                          section.older_than->text)
                        : "unused";
  selection.reason = section.keep_storage
                         ? absl::StrFormat(
                               "%s, least recently used first, down to "
                               "keep_storage %s",
                               age, section.keep_storage->text)
                         : age;
  return selection;
}

}  // namespace dgc
