// Performing a plan's actions safely (see executor.h).
#include "engine/executor.h"

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/string_views.h"
#include "engine/content_store.h"

namespace dgc {
namespace {

// Errors after which no further request can succeed: end the run. For a
// request that changes the engine they also mean that its answer was lost:
// it may have reached the engine, which may have done it.
bool EngineUnreachable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

// What a result says first when the engine's answer to `request` was lost.
std::string AnswerLost(std::string_view request, const absl::Status& lost) {
  return absl::StrFormat(
      "the engine's answer to %s was lost (%s); the request was not sent "
      "again",
      request, lost.message());
}

// Settles `result` as unknown: the answer to `request` was lost (`lost`)
// and `why` says why nothing told what the engine did. Returns `lost`,
// which ends the run.
absl::Status Unknown(std::string_view request, const absl::Status& lost,
                     std::string_view why, ActionResult* result) {
  result->status = ResultStatus::kUnknown;
  result->detail = absl::StrFormat("%s; %s", AnswerLost(request, lost), why);
  return lost;
}

bool Contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// Why `image` may not go when `action` is performed: an image of `images`
// built on it that the action leaves; nullopt when there is none.
std::optional<std::string> BuiltOn(const std::vector<ImageSummary>& images,
                                   const std::string& image,
                                   const Action& action) {
  for (const ImageSummary& child : images) {
    if (child.parent_id != image || child.id == action.image ||
        Contains(action.also_removes, child.id)) {
      continue;
    }
    return absl::StrFormat("an image was built on it since the plan (%s)",
                           child.id);
  }
  return std::nullopt;
}

// How docker names a container in messages: its name, else its short ID.
std::string ContainerName(const ContainerSummary& container) {
  return container.name.empty() ? container.id.substr(0, 12) : container.name;
}

// Whether a container that is stopped now ran since the plan saw it stop
// at `stopped_at` (its FinishedAt, or its creation when it had never run).
// Compared to the second, as plan documents keep times.
bool RanSincePlan(const ContainerInspect& now, absl::Time stopped_at) {
  bool never_ran = now.started_at == absl::InfinitePast() &&
                   now.finished_at == absl::InfinitePast();
  if (never_ran) return false;
  return now.finished_at == absl::InfinitePast() ||
         absl::ToUnixSeconds(now.finished_at) !=
             absl::ToUnixSeconds(stopped_at);
}

// Settles `result` as failed with `error`; returns the error when it
// should end the run (the engine out of reach), else OK.
absl::Status Fail(const absl::Status& error, ActionResult* result) {
  result->status = ResultStatus::kFailed;
  result->detail = std::string(error.message());
  return EngineUnreachable(error) ? error : absl::OkStatus();
}

// Settles `result` as skipped, saying why.
void Skip(std::string reason, ActionResult* result) {
  result->status = ResultStatus::kSkipped;
  result->detail = std::move(reason);
}

// A size the engine reported, or 0 when it did not (negative).
uint64_t ReportedSize(int64_t size) {
  return size > 0 ? static_cast<uint64_t>(size) : 0;
}

// The size of `key` in `sizes`, 0 when it is not there.
uint64_t SizeOf(const absl::flat_hash_map<std::string, uint64_t>& sizes,
                std::string_view key) {
  auto size = sizes.find(ToAbsl(key));
  return size == sizes.end() ? 0 : size->second;
}

std::string ContainerUse(const ContainerSummary& container,
                         std::string_view image_id) {
  std::string name = ContainerName(container);
  if (container.image_id == image_id) {
    return absl::StrFormat("now in use by container %s (%s)", name,
                           container.state);
  }
  return absl::StrFormat("an image built on it is in use by container %s (%s)",
                         name, container.state);
}

// The names to DELETE, in order. An untag removes its references. A delete
// removes by name every reference but one tag of one repository (and that
// repository's digests), then deletes the image by ID, never with force:
// the engine then checks for children and containers before it changes
// anything, so a race can make the last request fail but never leave the
// image untagged and still there.
std::vector<std::string> NamesToDelete(const Action& action) {
  if (action.op == ActionOp::kUntag) return action.refs;
  std::vector<std::string> names;
  if (!action.refs.empty()) {
    // The final repository: the last tag's (tags come before digests).
    const std::string& last = action.refs.back();
    const std::string* final_tag = nullptr;
    for (const std::string& ref : action.refs) {
      if (ref.find('@') == std::string::npos) final_tag = &ref;
    }
    std::string_view final_repository =
        RepositoryOf(final_tag != nullptr ? *final_tag : last);
    for (const std::string& ref : action.refs) {
      bool is_digest = ref.find('@') != std::string::npos;
      bool stays_for_the_id =
          &ref == final_tag ||
          (is_digest && RepositoryOf(ref) == final_repository);
      if (!stays_for_the_id) names.push_back(ref);
    }
  }
  names.push_back(action.image);
  return names;
}

// Settles `result` when a check found a reason not to go on (skipped) or
// could not ask the engine (failed); returns whether it did. An engine out
// of reach also sets `fatal`, which ends the run.
bool Blocked(const absl::StatusOr<std::optional<std::string>>& check,
             ActionResult* result, absl::Status* fatal) {
  if (check.ok() && !check->has_value()) return false;
  if (check.ok()) {
    Skip(**check, result);
  } else {
    *fatal = Fail(check.status(), result);
  }
  return true;
}

// How the engine refuses, without force, to delete by ID an image that has
// references in several repositories (or several tags): it changes nothing,
// and it checks for child images first.
constexpr char kReferencedInManyRepositories[] =
    "image is referenced in multiple repositories";

// Settles `result` with the engine's answer to DELETE `name`. Returns the
// error that should end the run (the engine out of reach), if any.
absl::Status Record(const std::string& name,
                    const absl::StatusOr<DeleteResponse>& response,
                    ActionResult* result) {
  if (absl::IsNotFound(response.status())) {
    // Someone else removed it between the check and the delete.
    Skip(absl::StrFormat("%s was removed by someone else", name), result);
    return absl::OkStatus();
  }
  if (absl::IsFailedPrecondition(response.status()) &&
      absl::StrContains(response.status().message(), "dependent child")) {
    // Deleting by ID, the engine checks before it changes anything: the
    // image is untouched, and now the parent of an image that stays.
    Skip(absl::StrFormat("an image was built on it since the plan (%s)",
                         response.status().message()),
         result);
    return absl::OkStatus();
  }
  if (!response.ok()) return Fail(response.status(), result);
  result->untagged.insert(result->untagged.end(), response->untagged.begin(),
                          response->untagged.end());
  result->deleted.insert(result->deleted.end(), response->deleted.begin(),
                         response->deleted.end());
  result->status = ResultStatus::kDone;
  return absl::OkStatus();
}

ActionResult ResultFor(const Action& action) {
  ActionResult result;
  result.op = action.op;
  result.image = action.image;
  result.refs = action.refs;
  result.container = action.container;
  result.volume = action.volume;
  result.records = action.records;
  result.predicted_bytes = action.bytes;
  return result;
}

}  // namespace

Executor::Executor(EngineClient& client, const Inventory& inventory)
    : client_(client), inventory_(inventory) {
  std::vector<std::string> chain_ids = inventory.layers.ChainIds();
  for (LayerId id = 0; id < chain_ids.size(); ++id) {
    chain_sizes_[std::move(chain_ids[id])] = inventory.layers.layer(id).size;
  }
  holders_.assign(inventory.layers.size(), 0);
  for (const Image& image : inventory.images) {
    for (LayerId layer : image.layers) ++holders_[layer];
  }
  for (const Container& container : inventory.containers) {
    container_sizes_[container.id] =
        ReportedSize(container.size_rw.value_or(0));
  }
  for (const Volume& volume : inventory.volumes) {
    volume_sizes_[volume.name] = ReportedSize(volume.size);
  }
}

absl::StatusOr<std::optional<std::string>> Executor::Recheck(
    const Action& action, const absl::StatusOr<ImageInspect>& inspect) {
  absl::StatusOr<std::optional<std::string>> image =
      RecheckImage(action, inspect);
  if (!image.ok() || image->has_value()) return image;
  absl::StatusOr<std::vector<ContainerSummary>> containers =
      client_.ContainersOf(action.image);
  if (!containers.ok()) return containers.status();
  if (!containers->empty()) {
    return std::optional<std::string>(
        ContainerUse(containers->front(), action.image));
  }
  if (action.op == ActionOp::kDelete && inventory_.engine.containerd_store) {
    return RecheckNoChild(action);
  }
  return std::optional<std::string>();
}

absl::StatusOr<std::optional<std::string>> Executor::RecheckImage(
    const Action& action, const absl::StatusOr<ImageInspect>& inspect) const {
  if (absl::IsNotFound(inspect.status())) {
    return std::optional<std::string>(action.op == ActionOp::kDelete
                                          ? "already removed"
                                          : "the image is gone");
  }
  if (!inspect.ok()) return inspect.status();
  std::vector<std::string> refs =
      ReferencesToDelete(inspect->repo_tags, inspect->repo_digests);
  for (const std::string& ref : action.refs) {
    if (!Contains(refs, ref)) {
      return std::optional<std::string>(
          absl::StrFormat("%s no longer names this image", ref));
    }
  }
  if (action.op == ActionOp::kDelete) {
    for (const std::string& ref : refs) {
      if (!Contains(action.refs, ref)) {
        return std::optional<std::string>(
            absl::StrFormat("it gained the reference %s since the plan", ref));
      }
    }
  } else if (std::all_of(refs.begin(), refs.end(), [&](const std::string& r) {
               return Contains(action.refs, r);
             })) {
    // Untagging must never remove the last reference: that deletes.
    return std::optional<std::string>(
        "its other references are gone: untagging would delete it");
  }
  return std::optional<std::string>();
}

absl::StatusOr<std::optional<std::string>> Executor::DropGoneRefs(
    const Action& action, const absl::StatusOr<ImageInspect>& inspect,
    std::optional<Action>* present, ActionResult* result) {
  if (!inspect.ok()) return std::optional<std::string>();  // RecheckImage's
  std::vector<std::string> refs =
      ReferencesToDelete(inspect->repo_tags, inspect->repo_digests);
  std::vector<std::string> gone;
  for (const std::string& ref : action.refs) {
    if (Contains(refs, ref)) continue;
    absl::StatusOr<ImageInspect> named = client_.InspectImage(ref);
    if (absl::IsNotFound(named.status())) {
      gone.push_back(ref);
    } else if (!named.ok()) {
      return named.status();
    }  // else it names another image now: RecheckImage skips the action
  }
  if (gone.empty()) return std::optional<std::string>();
  std::string said = absl::StrFormat(
      "%s named no image any more (removed before this run: by a run that "
      "was cut off, or by someone else)",
      absl::StrJoin(gone, ", "));
  if (action.op == ActionOp::kUntag && gone.size() == action.refs.size()) {
    return std::optional<std::string>("already untagged: " + said);
  }
  present->emplace(action);
  std::vector<std::string>& left = (*present)->refs;
  left.erase(std::remove_if(
                 left.begin(), left.end(),
                 [&](const std::string& ref) { return Contains(gone, ref); }),
             left.end());
  result->detail = said;
  return std::optional<std::string>();
}

bool Executor::DeletesById(const Action& action) const {
  if (action.op != ActionOp::kDelete || inventory_.engine.containerd_store ||
      inventory_.FindImage(action.image) == kNoImage) {
    return false;
  }
  std::vector<std::string> names = NamesToDelete(action);
  return names.size() == 1;
}

std::optional<std::string> Executor::InUse(
    const Action& action,
    const std::vector<ContainerSummary>& containers) const {
  // A container's image, and each image it is built on, as the inventory
  // knows them (an image's parent never changes). A container of an image
  // built since the inventory was read is the engine's to refuse: that
  // image is a child of the planned one (see the file comment).
  ImageIndex planned = inventory_.FindImage(action.image);
  for (const ContainerSummary& container : containers) {
    for (ImageIndex index = inventory_.FindImage(container.image_id);
         index != kNoImage; index = inventory_.images[index].parent) {
      if (index == planned) return ContainerUse(container, action.image);
    }
  }
  return std::nullopt;
}

namespace {

// The images a delete removes (its image and the untagged parents it also
// removes), as inventory indices; kNoImage for one the inventory lacks.
std::vector<ImageIndex> RemovedImages(const Inventory& inventory,
                                      const Action& action) {
  std::vector<ImageIndex> removed = {inventory.FindImage(action.image)};
  for (const std::string& parent : action.also_removes) {
    removed.push_back(inventory.FindImage(parent));
  }
  return removed;
}

}  // namespace

size_t Executor::GroupEnd(const std::vector<Action>& actions, size_t begin,
                          size_t limit) const {
  // What the group's actions claim: the images they remove and every image
  // those are built on, and per layer how many of the group's images hold
  // it and how many of its actions.
  absl::flat_hash_set<ImageIndex> family;
  struct LayerClaim {
    uint32_t images = 0;
    uint32_t actions = 0;
  };
  absl::flat_hash_map<LayerId, LayerClaim> layers;
  size_t end = begin;
  while (end < actions.size() && end - begin < limit &&
         (end == begin || DeletesById(actions[end]))) {
    std::vector<ImageIndex> removed = RemovedImages(inventory_, actions[end]);
    if (absl::c_linear_search(removed, kNoImage) && end > begin) break;
    absl::flat_hash_set<ImageIndex> lineage;
    absl::flat_hash_map<LayerId, uint32_t> held;  // by this action's images
    for (ImageIndex image : removed) {
      if (image == kNoImage) continue;
      for (LayerId layer : inventory_.images[image].layers) ++held[layer];
      for (ImageIndex i = image; i != kNoImage;
           i = inventory_.images[i].parent) {
        lineage.insert(i);
      }
    }
    bool joins = absl::c_none_of(
        lineage, [&](ImageIndex i) { return family.contains(i); });
    for (const auto& [layer, count] : held) {
      if (!joins) break;
      auto claim = layers.find(layer);
      // Shared with another action of the group: which of them frees it
      // would depend on their order, unless an image outside keeps it.
      joins = claim == layers.end() ||
              holders_[layer] > claim->second.images + count;
    }
    if (!joins) break;
    family.insert(lineage.begin(), lineage.end());
    for (const auto& [layer, count] : held) {
      LayerClaim& claim = layers[layer];
      claim.images += count;
      ++claim.actions;
    }
    ++end;
  }
  return end;
}

absl::Status Executor::DeleteByIdGroup(absl::Span<const Action> actions,
                                       absl::Span<ActionResult> results,
                                       size_t* performed) {
  if (listing_uses_ < actions.size()) {
    listing_ = client_.ListContainers();
    listing_uses_ = std::max(kSharedListing, actions.size());
  }
  listing_uses_ -= actions.size();
  // The inspects are the actions' last checks: their DELETEs follow.
  std::vector<std::string> images;
  for (const Action& action : actions) images.push_back(action.image);
  std::vector<absl::StatusOr<ImageInspect>> inspects =
      client_.InspectImages(images);
  std::vector<std::optional<Action>> present(actions.size());
  std::vector<size_t> passed;  // the actions whose DELETE goes
  absl::Status fatal;
  *performed = actions.size();
  for (size_t i = 0; i < actions.size(); ++i) {
    absl::StatusOr<std::optional<std::string>> check =
        DropGoneRefs(actions[i], inspects[i], &present[i], &results[i]);
    const Action& current = present[i].value_or(actions[i]);
    if (check.ok() && !check->has_value()) {
      check = RecheckImage(current, inspects[i]);
    }
    if (check.ok() && !check->has_value()) {
      if (listing_.ok()) {
        check = InUse(current, *listing_);
      } else {
        check = listing_.status();
      }
    }
    if (!Blocked(check, &results[i], &fatal)) passed.push_back(i);
    if (!fatal.ok()) {
      *performed = i + 1;  // the engine is gone: run nothing after it
      break;
    }
  }
  std::vector<EngineClient::ImageDeletion> deletions;
  for (size_t i : passed) {
    const Action& current = present[i].value_or(actions[i]);
    deletions.push_back({.name = current.image, .prune = current.prune});
  }
  std::vector<absl::StatusOr<DeleteResponse>> responses =
      client_.DeleteImages(deletions);
  // Every DELETE sent is settled, whatever happened to the others.
  for (size_t k = 0; k < passed.size(); ++k) {
    size_t i = passed[k];
    const Action& current = present[i].value_or(actions[i]);
    absl::Status lost =
        Settle(current, current.image, responses[k], &results[i]);
    if (results[i].status == ResultStatus::kDone)
      SettleDone(current, &results[i]);
    if (fatal.ok()) fatal = lost;
  }
  return fatal;
}

void Executor::Forget(const Action& action) {
  for (ImageIndex image : RemovedImages(inventory_, action)) {
    if (image == kNoImage) continue;
    for (LayerId layer : inventory_.images[image].layers) {
      if (holders_[layer] > 0) --holders_[layer];
    }
  }
}

absl::Status Executor::DeleteParents(const Action& action,
                                     ActionResult* result) {
  // The image went; a parent that cannot go stays, and the report says
  // why (the error ends the run only when the engine is out of reach).
  auto stays = [&](const std::string& parent, const absl::Status& why) {
    if (!EngineUnreachable(why)) {
      result->detail = absl::StrFormat("its untagged parent %s stays: %s",
                                       parent.substr(0, 19), why.message());
      return absl::OkStatus();
    }
    result->detail =
        absl::StrFormat("whether its untagged parent %s went is not known: %s",
                        parent.substr(0, 19), why.message());
    return why;
  };
  if (action.also_removes.empty()) return absl::OkStatus();
  // One listing for them all: each goes by ID, nearest first, once nothing
  // but the plan builds on it.
  absl::StatusOr<std::vector<ImageSummary>> images = client_.ListImages();
  if (!images.ok()) return stays(action.also_removes.front(), images.status());
  for (const std::string& parent : action.also_removes) {
    if (std::optional<std::string> child = BuiltOn(*images, parent, action)) {
      return stays(parent, absl::FailedPreconditionError(*child));
    }
    absl::StatusOr<DeleteResponse> response =
        client_.DeleteImage(parent, /*prune=*/false);
    if (absl::IsNotFound(response.status())) continue;  // gone meanwhile
    if (!response.ok()) return stays(parent, response.status());
    for (const std::string& id : response->deleted) {
      result->deleted.push_back(id);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Executor::RecheckNoChild(
    const Action& action) {
  // The containerd store deletes an image by ID though an image was built
  // on it (the child keeps the snapshots): look for one first.
  absl::StatusOr<std::vector<ImageSummary>> images = client_.ListImages();
  if (!images.ok()) return images.status();
  if (std::optional<std::string> child =
          BuiltOn(*images, action.image, action)) {
    return child;
  }
  for (const std::string& parent : action.also_removes) {
    if (std::optional<std::string> child = BuiltOn(*images, parent, action)) {
      return child;
    }
  }
  return std::optional<std::string>();
}

uint64_t Executor::PriceDeleted(const std::vector<std::string>& deleted) const {
  // Image IDs and layers unknown to the inventory price at 0: freed_bytes
  // never counts what it cannot name.
  uint64_t bytes = 0;
  for (const std::string& id : deleted) {
    bytes += SizeOf(chain_sizes_, id);
  }
  return bytes;
}

absl::Status Executor::DeleteByName(const Action& action,
                                    const std::string& name,
                                    ActionResult* result) {
  return Settle(action, name, client_.DeleteImage(name, action.prune), result);
}

absl::Status Executor::Settle(const Action& action, const std::string& name,
                              const absl::StatusOr<DeleteResponse>& response,
                              ActionResult* result) {
  if (EngineUnreachable(response.status())) {
    return SettleLostDelete(action, name, response.status(), result);
  }
  return Record(name, response, result);
}

absl::Status Executor::SettleLostDelete(const Action& action,
                                        const std::string& name,
                                        const absl::Status& lost,
                                        ActionResult* result) {
  std::string request = "DELETE " + name;
  absl::StatusOr<ImageInspect> now = client_.InspectImage(name);
  if (!now.ok() && !absl::IsNotFound(now.status())) {
    return Unknown(request, lost,
                   absl::StrFormat("reading the image again failed too (%s): "
                                   "whether the engine did it is not known",
                                   now.status().message()),
                   result);
  }
  std::string said = AnswerLost(request, lost);
  if (name != action.image) {  // a reference
    if (now.ok() && now->id == action.image) {
      result->status = ResultStatus::kFailed;
      result->detail = absl::StrFormat(
          "%s; %s still names the image: not untagged", said, name);
      return absl::OkStatus();
    }
    result->untagged.push_back(name);
    result->status = ResultStatus::kDone;
    result->detail = absl::StrFormat(
        "%s; %s no longer names the image: untagged", said, name);
    return absl::OkStatus();
  }
  // By ID: the references the image still had go with it, or some of them
  // went before the engine gave up on it.
  std::vector<std::string> left;
  if (now.ok()) left = ReferencesToDelete(now->repo_tags, now->repo_digests);
  for (const std::string& ref : action.refs) {
    if (!Contains(left, ref) && !Contains(result->untagged, ref)) {
      result->untagged.push_back(ref);
    }
  }
  if (now.ok()) {
    result->status = ResultStatus::kFailed;
    result->detail =
        absl::StrFormat("%s; the image is still there: not deleted", said);
    return absl::OkStatus();
  }
  result->deleted.push_back(action.image);
  result->status = ResultStatus::kDone;
  result->detail = absl::StrFormat(
      "%s; the image is gone: deleted, but which of its layers went with it "
      "is not known, so freed_bytes does not count them",
      said);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Executor::CheckName(
    const Action& action, const std::string& name) {
  absl::StatusOr<ImageInspect> current = client_.InspectImage(name);
  if (name == action.image) {
    // Deleting by ID: only the references the plan expects may remain.
    if (absl::IsNotFound(current.status())) {
      return std::optional<std::string>("already removed");
    }
    if (!current.ok()) return current.status();
    for (const std::string& ref :
         ReferencesToDelete(current->repo_tags, current->repo_digests)) {
      if (!Contains(action.refs, ref)) {
        return std::optional<std::string>(
            absl::StrFormat("it gained the reference %s since the plan", ref));
      }
    }
    return std::optional<std::string>();
  }
  if (!current.ok() && !absl::IsNotFound(current.status())) {
    return current.status();
  }
  if (!current.ok() || current->id != action.image) {
    return std::optional<std::string>(
        absl::StrFormat("%s no longer names this image", name));
  }
  return std::optional<std::string>();
}

absl::StatusOr<bool> Executor::CheckNoChild(const Action& action,
                                            ActionResult* result) {
  absl::StatusOr<DeleteResponse> response =
      client_.DeleteImage(action.image, action.prune);
  if (absl::IsFailedPrecondition(response.status()) &&
      absl::StrContains(response.status().message(),
                        kReferencedInManyRepositories)) {
    return true;
  }
  // A child, or any other answer: the action ends here. (A success means
  // the engine deleted the image: its other references went meanwhile.)
  if (absl::Status fatal = Settle(action, action.image, response, result);
      !fatal.ok()) {
    return fatal;
  }
  return false;
}

absl::Status Executor::DeleteRefs(const Action& action, ActionResult* result) {
  std::vector<std::string> names = NamesToDelete(action);
  absl::Status fatal;
  // References removed by name before the image go even if the engine then
  // refuses the image for a child: ask the engine for one first, with the
  // same last check as any DELETE by ID.
  if (action.op == ActionOp::kDelete && names.size() > 1) {
    if (Blocked(CheckName(action, action.image), result, &fatal)) return fatal;
    absl::StatusOr<bool> no_child = CheckNoChild(action, result);
    if (!no_child.ok()) return no_child.status();
    if (!*no_child) {
      if (result->status != ResultStatus::kDone) return absl::OkStatus();
      names.clear();  // the engine deleted the image already
    }
  }
  for (const std::string& name : names) {
    // The last check before each delete.
    if (Blocked(CheckName(action, name), result, &fatal)) return fatal;
    if (fatal = DeleteByName(action, name, result); !fatal.ok()) return fatal;
    if (result->status != ResultStatus::kDone) return absl::OkStatus();
  }
  SettleDone(action, result);
  return absl::OkStatus();
}

void Executor::SettleDone(const Action& action, ActionResult* result) const {
  result->freed_bytes = PriceDeleted(result->deleted);
  if (action.op == ActionOp::kDelete &&
      !Contains(result->deleted, action.image)) {
    result->status = ResultStatus::kFailed;
    result->detail = "the engine untagged the image but did not delete it";
  }
}

absl::StatusOr<std::optional<std::string>> Executor::RecheckContainer(
    const Action& action) {
  absl::StatusOr<ContainerInspect> now =
      client_.InspectContainer(action.container);
  if (absl::IsNotFound(now.status())) {
    return std::optional<std::string>("already removed");
  }
  if (!now.ok()) return now.status();
  if (now->id != action.container) {
    return std::optional<std::string>(
        absl::StrFormat("%s now names another container (%s)", action.container,
                        now->id.substr(0, 12)));
  }
  if (now->state.empty()) {
    return std::optional<std::string>("the engine did not say its state");
  }
  if (!NeedsContainerDetails(now->state)) {
    return std::optional<std::string>(
        absl::StrFormat("it is %s now", now->state));
  }
  if (action.stopped_at != absl::InfinitePast() &&
      RanSincePlan(*now, action.stopped_at)) {
    return std::optional<std::string>("it ran again since the plan");
  }
  return std::optional<std::string>();
}

absl::Status Executor::RemoveContainer(const Action& action,
                                       ActionResult* result) {
  absl::Status fatal;
  if (Blocked(RecheckContainer(action), result, &fatal)) return fatal;
  absl::Status removed = client_.RemoveContainer(action.container);
  if (EngineUnreachable(removed)) {
    return SettleLostRemoval(action, removed, result);
  }
  if (absl::IsNotFound(removed)) {
    Skip("it was removed by someone else", result);
    return absl::OkStatus();
  }
  // A conflict too (running again, a removal in progress): the engine
  // refused, changing nothing.
  if (!removed.ok()) return Fail(removed, result);
  result->status = ResultStatus::kDone;
  result->freed_bytes = SizeOf(container_sizes_, action.container);
  return absl::OkStatus();
}

absl::Status Executor::SettleLostRemoval(const Action& action,
                                         const absl::Status& lost,
                                         ActionResult* result) {
  std::string request = "DELETE /containers/" + action.container;
  absl::StatusOr<ContainerInspect> now =
      client_.InspectContainer(action.container);
  if (!now.ok() && !absl::IsNotFound(now.status())) {
    return Unknown(request, lost,
                   absl::StrFormat("reading the container again failed too "
                                   "(%s): whether the engine removed it is "
                                   "not known",
                                   now.status().message()),
                   result);
  }
  std::string said = AnswerLost(request, lost);
  if (now.ok()) {
    result->status = ResultStatus::kFailed;
    result->detail =
        absl::StrFormat("%s; the container is still there: not removed", said);
    return absl::OkStatus();
  }
  result->status = ResultStatus::kDone;
  result->detail = absl::StrFormat("%s; the container is gone: removed", said);
  result->freed_bytes = SizeOf(container_sizes_, action.container);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Executor::RecheckVolume(
    const Action& action) {
  absl::StatusOr<std::vector<ContainerSummary>> mounting =
      client_.ContainersMounting(action.volume);
  if (!mounting.ok()) return mounting.status();
  if (!mounting->empty()) {
    return std::optional<std::string>(absl::StrFormat(
        "mounted by container %s now", ContainerName(mounting->front())));
  }
  return std::optional<std::string>();
}

absl::Status Executor::RemoveVolume(const Action& action,
                                    ActionResult* result) {
  absl::Status fatal;
  if (Blocked(RecheckVolume(action), result, &fatal)) return fatal;
  absl::Status removed = client_.RemoveVolume(action.volume);
  if (EngineUnreachable(removed)) {
    return Unknown("DELETE /volumes/" + action.volume, removed,
                   "whether the engine removed the volume is not known",
                   result);
  }
  if (absl::IsNotFound(removed)) {
    Skip("already removed", result);
    return absl::OkStatus();
  }
  if (absl::IsFailedPrecondition(removed)) {
    // In use: a container mounted it since the re-check. Not safe, and
    // the engine changed nothing.
    Skip(std::string(removed.message()), result);
    return absl::OkStatus();
  }
  if (!removed.ok()) return Fail(removed, result);
  result->status = ResultStatus::kDone;
  result->freed_bytes = SizeOf(volume_sizes_, action.volume);
  return absl::OkStatus();
}

absl::Status Executor::PruneBuildCache(const Action& action,
                                       ActionResult* result) {
  // One record per request, in plan order (children before parents):
  // BuildKit removes a parent only once no child is left.
  for (const std::string& record : action.records) {
    absl::StatusOr<BuildCachePruned> pruned = client_.PruneBuildCache(record);
    if (EngineUnreachable(pruned.status())) {
      return Unknown(
          "POST /build/prune of record " + record, pruned.status(),
          "whether the engine pruned it is not known (the records listed "
          "in \"deleted\" were pruned before)",
          result);
    }
    if (!pruned.ok()) {
      // What the earlier requests removed stays reported.
      return Fail(pruned.status(), result);
    }
    result->freed_bytes += pruned->space_reclaimed;
    result->deleted.insert(result->deleted.end(), pruned->deleted.begin(),
                           pruned->deleted.end());
  }
  if (result->deleted.empty()) {
    Skip(
        "the engine pruned none of the records: they are gone already, in "
        "use or shared",
        result);
    return absl::OkStatus();
  }
  result->status = ResultStatus::kDone;
  // BuildKit keeps, without a word, a record that is gone, in use or
  // shared; it should never prune one the plan did not list.
  std::vector<std::string> notes, unexpected, not_pruned;
  for (const std::string& id : result->deleted) {
    if (!Contains(action.records, id)) unexpected.push_back(id);
  }
  for (const std::string& record : action.records) {
    if (!Contains(result->deleted, record)) not_pruned.push_back(record);
  }
  if (!unexpected.empty()) {
    notes.push_back(absl::StrFormat("warning: the engine also pruned %s",
                                    absl::StrJoin(unexpected, ", ")));
  }
  if (!not_pruned.empty()) {
    notes.push_back(absl::StrFormat(
        "the engine did not prune %s: gone already, in use or shared",
        absl::StrJoin(not_pruned, ", ")));
  }
  result->detail = absl::StrJoin(notes, "; ");
  return absl::OkStatus();
}

absl::Status Executor::Perform(const Action& action, ActionResult* result) {
  switch (action.op) {
    case ActionOp::kRemoveContainer:
      return RemoveContainer(action, result);
    case ActionOp::kRemoveVolume:
      return RemoveVolume(action, result);
    case ActionOp::kPruneBuildCache:
      return PruneBuildCache(action, result);
    case ActionOp::kUntag:
    case ActionOp::kDelete:
      break;
  }
  absl::StatusOr<ImageInspect> inspect = client_.InspectImage(action.image);
  std::optional<Action> present;
  absl::Status fatal;
  if (Blocked(DropGoneRefs(action, inspect, &present, result), result,
              &fatal)) {
    return fatal;
  }
  const Action& current = present.has_value() ? *present : action;
  if (Blocked(Recheck(current, inspect), result, &fatal)) return fatal;
  if (action.op == ActionOp::kDelete && inventory_.engine.containerd_store) {
    return DeleteMeasured(current, result);
  }
  return DeleteRefs(current, result);
}

absl::Status Executor::DeleteMeasured(const Action& action,
                                      ActionResult* result) {
  // The containerd store's DELETE reports the image, not what it freed:
  // measure the drop of the snapshots (LayersSize) and the blobs that left
  // the content store (the image's, and any it held only through labels).
  absl::StatusOr<int64_t> before = client_.LayersSize();
  if (!before.ok()) {
    return EngineUnreachable(before.status()) ? before.status()
                                              : absl::OkStatus();
  }
  absl::flat_hash_map<std::string, uint64_t> blobs_before;
  if (!inventory_.content_store.empty()) {
    blobs_before = ListContentBlobs(inventory_.content_store);
  }
  // That store's prune takes untagged parents that other images still
  // build on: never prune there; delete the plan's parents one by one.
  Action unpruned = action;
  unpruned.prune = false;
  if (absl::Status fatal = DeleteRefs(unpruned, result); !fatal.ok()) {
    return fatal;
  }
  if (result->status != ResultStatus::kDone) return absl::OkStatus();
  if (action.prune) {
    if (absl::Status fatal = DeleteParents(action, result); !fatal.ok()) {
      return fatal;
    }
  }
  absl::StatusOr<int64_t> after = client_.LayersSize();
  if (!after.ok()) {
    return EngineUnreachable(after.status()) ? after.status()
                                             : absl::OkStatus();
  }
  uint64_t content_freed = 0;
  if (!blobs_before.empty()) {
    absl::flat_hash_map<std::string, uint64_t> blobs_after =
        ListContentBlobs(inventory_.content_store);
    for (const auto& [digest, size] : blobs_before) {
      if (!blobs_after.contains(digest)) content_freed += size;
    }
  }
  result->freed_bytes =
      static_cast<uint64_t>(std::max<int64_t>(*before - *after, 0)) +
      content_freed;
  return absl::OkStatus();
}

ApplyReport Executor::Apply(const Plan& plan, const ExecutorHooks& hooks) {
  ApplyReport report;
  report.engine = inventory_.engine;
  report.summary.predicted_bytes = plan.summary.reclaimable_bytes;
  report.summary.freed_measured_by =
      !inventory_.engine.containerd_store ? "deleted_layers"
      : inventory_.content_store.empty()  ? "layers_size"
                                          : "layers_size_and_content_store";
  std::string stopped;
  size_t total = plan.actions.size();
  std::vector<ActionResult> results;
  for (size_t begin = 0; begin < total;) {
    if (stopped.empty() && hooks.stop_requested) {
      stopped = hooks.stop_requested().value_or("");
    }
    size_t end = begin + 1;
    results.clear();
    for (size_t i = begin; i < end; ++i) {
      results.push_back(ResultFor(plan.actions[i]));
    }
    if (!stopped.empty()) {
      results[0].status = ResultStatus::kSkipped;
      results[0].detail = "not run: " + stopped;
    } else {
      absl::Status fatal;
      if (DeletesById(plan.actions[begin])) {
        end = GroupEnd(plan.actions, begin,
                       hooks.results_decide ? 1 : kParallelDeletes);
        for (size_t i = begin + 1; i < end; ++i) {
          results.push_back(ResultFor(plan.actions[i]));
        }
        size_t performed = 0;
        fatal = DeleteByIdGroup(
            absl::MakeConstSpan(plan.actions).subspan(begin, end - begin),
            absl::MakeSpan(results), &performed);
        end = begin + performed;
        results.resize(performed);
      } else {
        listing_uses_ = 0;  // the engine changed meanwhile: list again
        fatal = Perform(plan.actions[begin], &results[0]);
      }
      if (!fatal.ok()) {
        stopped = absl::StrFormat("the engine stopped answering (%s)",
                                  fatal.message());
      }
    }
    for (size_t i = begin; i < end; ++i) {
      ActionResult& result = results[i - begin];
      result.finished_at = absl::Now();
      switch (result.status) {
        case ResultStatus::kDone:
          ++report.summary.done;
          if (plan.actions[i].op == ActionOp::kDelete) Forget(plan.actions[i]);
          break;
        case ResultStatus::kSkipped:
          ++report.summary.skipped;
          break;
        case ResultStatus::kFailed:
          ++report.summary.failed;
          break;
        case ResultStatus::kUnknown:
          ++report.summary.unknown;
          break;
      }
      report.summary.freed_bytes += result.freed_bytes;
      if (hooks.on_result) hooks.on_result(result, i, total);
      report.results.push_back(std::move(result));
    }
    begin = end;
  }
  report.summary.stopped = stopped;
  return report;
}

absl::Status SameEngine(const Plan& plan, const Inventory& inventory) {
  const EngineInfo& planned = plan.engine;
  const EngineInfo& current = inventory.engine;
  bool same = !planned.id.empty() && !current.id.empty()
                  ? planned.id == current.id
                  : planned.host == current.host;
  if (same) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrFormat(
      "the plan is for the engine %s (ID %s), not %s (ID %s): refusing to "
      "apply it here",
      planned.host, planned.id.empty() ? "unknown" : planned.id, current.host,
      current.id.empty() ? "unknown" : current.id));
}

}  // namespace dgc
