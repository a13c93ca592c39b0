// The executor: performs a plan's actions in order, never with force, each
// one re-checked against the engine immediately before it runs. When a
// re-check finds the action no longer safe (or already done) the action is
// skipped, saying why. An engine error fails that action and the run goes
// on; an engine that stops answering, or a stop request, ends the run, the
// remaining actions skipped as not run.
//
// Images (untag, delete) go through DELETE /images/{name}. An untag removes
// its references by name; a delete removes all but one repository's
// references by name, then the image by ID, so that the engine checks
// children and containers before it removes the last reference. Before an
// action: the image must still exist, have no reference the plan did not
// know, and no container of any state may use it (or an image built on
// it); before each DELETE of a reference, that reference must still name
// the planned image. A planned reference that names no image any more (an
// earlier run cut off midway, or someone else, removed it) is done: the
// action goes on without it, so that running an interrupted plan again
// finishes it; one that names another image now skips the action. Freed
// bytes are measured from the layer chains the engine reports deleted,
// priced by the inventory's layer sizes.
//
// A delete whose only request is that DELETE by ID (the image has no
// reference, or references in one repository only: the engine then
// removes them with it) is re-checked more cheaply, on the default store:
// the engine itself re-checks, atomically with that very request and
// changing nothing when it refuses, what the container check is for (a
// container of any state using the image: 409 "image is being used by
// ... container"; one using an image built on it: that image is a child,
// 409 "image has dependent child images"). So for such actions one
// listing of every container (GET /containers/json?all=1) stands for the
// per-action one, shared by up to kSharedListing consecutive such actions
// and read again after any other action; a container created since is
// the engine's to refuse (the action fails with the engine's message,
// nothing changed), as one created between a per-action listing and the
// DELETE always was. The inspect of the image is the action's last check,
// just before its DELETE; it checks all that the re-check and the check of
// the name do. Any other action (an untag, a delete that must first remove
// references by name, which the engine does without a container check)
// keeps the per-action container listing just before its first request.
//
// Consecutive such actions go together, up to kParallelDeletes at a time
// (one unless ExecutorHooks::results_decide is false): their inspects are sent
// at once, then the DELETEs of those that pass, at once, and every one is
// settled before the next group starts. A group never holds two actions whose
// outcome depends on their order: an image and one it is built on (or an
// untagged parent one of them also removes), or two images sharing a layer that
// no image left outside the group holds (each action's freed bytes stay what
// the plan predicted for it). A stop request is honoured between groups:
// the actions in flight are finished, no other is started.
//
// An image built on the planned image since the plan must stop a delete
// before any reference goes: the engine would refuse the final DELETE by
// ID, leaving the image there without those references. So a delete that
// removes references by name first asks the engine itself, with one request
// instead of a list of every image: a DELETE by ID, without force, of an image
// that still has references in several repositories (or several tags) changes
// nothing; the engine refuses it "(cannot be forced) - image has dependent
// child images" when there is a child (the action is skipped), else "(must be
// forced) - image is referenced in multiple repositories" (the references then
// go by name). Any other answer settles the action there.
//
// remove_container: GET /containers/{id}/json first; skipped when the
// container is gone ("already removed"), is another container than the
// plan's (the engine's ID differs), is not created, exited or dead now
// ("it is running now"), or ran since the plan: its FinishedAt is no
// longer the plan's stopped_at (compared to the second, as plan documents
// keep times; a container that never ran has nothing to compare). Then
// DELETE /containers/{id} with no query: no force (the engine refuses a
// container that runs again), no v (its volumes stay; only a remove_volume
// action removes a volume). Freed bytes: the container's writable layer as
// the engine reported it (/system/df SizeRw) in the inventory the executor
// was given, i.e. read at the start of the apply; 0 when unknown.
//
// remove_volume: GET /containers/json?all=1 with the "volume" filter
// first; skipped while any container, in any state, mounts it. Then
// DELETE /volumes/{name} without force; a refusal because it is in use
// (409: a container took it since) skips the action with the engine's
// message. Freed bytes: the volume's size as the inventory has it
// (/system/df UsageData.Size), 0 when unknown.
//
// prune_build_cache: POST /build/prune filtered to one record, for each of
// the action's records in order (children before parents), without `all`
// or `keep-storage`, so BuildKit itself leaves alone any record in use,
// shared, internal or a frontend's: that is the re-check, done by the
// engine at the moment it prunes. Freed bytes: the sum of the engine's
// SpaceReclaimed; `deleted` lists its CachesDeleted. Records the engine did
// not prune (gone, in use or shared now) and, as a warning, any record it
// pruned that the plan did not list are named in the detail; when it
// pruned none, the action is skipped.
//
// A request that changes the engine is sent once, never again (only reads
// are retried: RetryPolicy). When its answer is lost (the connection broke
// off, or no answer within the timeout) the engine may have done it or
// not: the executor reads the target back, the image by the name it
// deleted or the container, and reports what it finds, done or failed,
// with a detail saying the answer was lost; the run goes on. When that
// read fails too, or for a volume or a build cache record (not read back),
// the result is `unknown` and the run ends there.
//
// Example:
//   dgc::Executor executor(client, inventory);
//   dgc::ApplyReport report = executor.Apply(plan, hooks);
#ifndef DGC_ENGINE_EXECUTOR_H_
#define DGC_ENGINE_EXECUTOR_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "core/apply_report.h"
#include "core/inventory.h"
#include "core/plan.h"
#include "engine/engine_client.h"

namespace dgc {

struct ExecutorHooks {
  // Asked before each action; returning a reason ends the run there.
  std::function<std::optional<std::string>()> stop_requested;
  // Told after each action (for progress, tables and audit logs).
  std::function<void(const ActionResult& result, size_t index, size_t total)>
      on_result;
  // Whether what on_result is told decides if the next action runs (a
  // result callback that may stop the run, a low watermark to reach): the
  // actions then run one at a time, never a group of deletions.
  bool results_decide = false;
};

// How many consecutive deletions by ID share one listing of containers.
inline constexpr size_t kSharedListing = 64;

// How many deletions by ID may be in flight at once: the engine
// serialises much of a delete, so more gain little (docs/performance.md).
inline constexpr size_t kParallelDeletes = 4;

class Executor {
 public:
  // `client` needs a read-write transport; `inventory` (of the same engine,
  // read for this run) prices the layers the engine reports deleted and
  // gives the sizes of the containers and volumes removed. Both must
  // outlive the executor.
  Executor(EngineClient& client, const Inventory& inventory);

  // Apply performs `plan`'s actions and reports every one, in plan order.
  ApplyReport Apply(const Plan& plan, const ExecutorHooks& hooks);

 private:
  // Why the action must not run now, or nullopt; `inspect` is the image's,
  // read for this re-check. An error means the engine could not be asked.
  absl::StatusOr<std::optional<std::string>> Recheck(
      const Action& action, const absl::StatusOr<ImageInspect>& inspect);
  // DropGoneRefs: the planned references of an image action that are no
  // longer on the image (`inspect`) and name no image at all (a GET of
  // each answers 404) were removed before this run, by an earlier run cut
  // off midway or by someone else: for this action they are done. When
  // there are some, `present` gets the action without them, and the
  // result's detail names them. Returns why the action must not run (an
  // untag whose references are all gone: already untagged), or nullopt. A
  // reference that names another image now stays in the action, for
  // RecheckImage to skip it. An error means the engine could not be asked.
  absl::StatusOr<std::optional<std::string>> DropGoneRefs(
      const Action& action, const absl::StatusOr<ImageInspect>& inspect,
      std::optional<Action>* present, ActionResult* result);
  // RecheckImage is the part of Recheck that reads the image's inspect
  // (`inspect`, NotFound when it is gone).
  absl::StatusOr<std::optional<std::string>> RecheckImage(
      const Action& action, const absl::StatusOr<ImageInspect>& inspect) const;
  // DeletesById: whether the action's only request is DELETE by ID, on the
  // default store, of an image the inventory knows (see the file comment).
  bool DeletesById(const Action& action) const;
  // InUse: why, per the shared listing `containers`, `action`'s image must
  // stay (a container uses it or an image the inventory has built on it),
  // or nullopt.
  std::optional<std::string> InUse(
      const Action& action,
      const std::vector<ContainerSummary>& containers) const;
  // GroupEnd returns the end of the group of actions that DeletesById
  // starting at `begin` (which must DeletesById): the longest run of such
  // actions, at most `limit`, whose outcomes do not depend on their order
  // (see the file comment).
  size_t GroupEnd(const std::vector<Action>& actions, size_t begin,
                  size_t limit) const;
  // DeleteByIdGroup performs a group (GroupEnd) of actions, filling one
  // result each: the shared container listing (read when due), the
  // images' inspects at once, the re-checks, then the DELETEs of those
  // that pass, at once. Returns the transport error that should end the
  // run, if any, and sets `*performed` to how many of the group's actions
  // have their result (all, unless a re-check found the engine gone: the
  // others were not run).
  absl::Status DeleteByIdGroup(absl::Span<const Action> actions,
                               absl::Span<ActionResult> results,
                               size_t* performed);
  // Forget records that a delete went: the images it removed no longer
  // hold their layers (holders_).
  void Forget(const Action& action);
  // DeleteRefs performs the action's DELETE requests (see NamesToDelete in
  // executor.cc), each after CheckName, filling `result`. Returns the
  // transport error that should end the run, if any.
  absl::Status DeleteRefs(const Action& action, ActionResult* result);
  // CheckName: why DELETE `name` must not be sent now (the name no longer
  // names the image; deleting by ID, the image gained a reference), or
  // nullopt. An error means the engine could not be asked.
  absl::StatusOr<std::optional<std::string>> CheckName(const Action& action,
                                                       const std::string& name);
  // CheckNoChild asks the engine whether the image of a delete that must
  // first remove references by name has a child now: it sends DELETE by ID,
  // which the engine refuses without changing anything while the image has
  // references in several repositories (see the file comment). Returns true
  // when the only refusal was for those references, so they may go by name;
  // false when `result` was settled instead (skipped for a child or a
  // missing image, failed for any other answer, or done when the engine
  // deleted the image after all). Errors: the transport error that should
  // end the run.
  absl::StatusOr<bool> CheckNoChild(const Action& action, ActionResult* result);
  // DeleteByName sends DELETE `name` (a reference, or the action's image
  // by ID) and settles `result` with the outcome (Settle). Returns the
  // error that should end the run, if any.
  absl::Status DeleteByName(const Action& action, const std::string& name,
                            ActionResult* result);
  // Settle settles `result` with `response`, the outcome of DELETE `name`:
  // what the engine reported, or, when its answer was lost,
  // SettleLostDelete's finding. Returns the error that should end the
  // run, if any.
  absl::Status Settle(const Action& action, const std::string& name,
                      const absl::StatusOr<DeleteResponse>& response,
                      ActionResult* result);
  // SettleLostDelete settles `result` when the engine's answer to DELETE
  // `name` was lost (`lost`: the connection broke off, or no answer in
  // time), so the engine may have done it. The DELETE is never sent again:
  // `name` is inspected instead. A reference: done (untagged) when it no
  // longer names the image, failed when it still does. The image by ID:
  // done when it is gone (the references it had went with it; which layers
  // went is not known, so they are not priced), failed when it is still
  // there (the planned references it lost are reported untagged). When
  // the inspect fails too: unknown, and that error is returned, ending the
  // run.
  absl::Status SettleLostDelete(const Action& action, const std::string& name,
                                const absl::Status& lost, ActionResult* result);
  // SettleLostRemoval is SettleLostDelete for DELETE /containers/{id}:
  // done when the container is gone (its writable layer counted as
  // freed), failed when it is still there, unknown (ending the run) when
  // it cannot be inspected.
  absl::Status SettleLostRemoval(const Action& action, const absl::Status& lost,
                                 ActionResult* result);
  // RecheckContainer and RecheckVolume: why the action must not run now,
  // or nullopt (see the file comment). An error means the engine could not
  // be asked.
  absl::StatusOr<std::optional<std::string>> RecheckContainer(
      const Action& action);
  absl::StatusOr<std::optional<std::string>> RecheckVolume(
      const Action& action);
  // RemoveContainer, RemoveVolume and PruneBuildCache perform one action of
  // their op, re-check included, filling `result`. Like Perform, they
  // return the transport error that should end the run, if any.
  absl::Status RemoveContainer(const Action& action, ActionResult* result);
  absl::Status RemoveVolume(const Action& action, ActionResult* result);
  absl::Status PruneBuildCache(const Action& action, ActionResult* result);
  // Perform performs one action of any op, filling `result`. Returns the
  // transport error that should end the run, if any.
  absl::Status Perform(const Action& action, ActionResult* result);
  // RecheckNoChild looks, on the containerd store, for an image built on
  // the action's image (or one it also removes) that the plan leaves.
  absl::StatusOr<std::optional<std::string>> RecheckNoChild(
      const Action& action);
  // DeleteParents deletes, on the containerd store, the untagged parents
  // the plan's delete also removes (Action::also_removes), nearest first,
  // each by ID without prune once no image but those going builds on it
  // (one image listing for them all); the first that cannot go stops it,
  // said in the result's detail. Returns the error that should end the
  // run, if any.
  absl::Status DeleteParents(const Action& action, ActionResult* result);
  // DeleteMeasured deletes an image of the containerd store (DeleteRefs)
  // and measures what went: the drop of LayersSize read before and after,
  // plus the bytes of the content store's blobs the delete removed.
  absl::Status DeleteMeasured(const Action& action, ActionResult* result);
  uint64_t PriceDeleted(const std::vector<std::string>& deleted) const;
  // SettleDone prices an image action whose requests all succeeded, and
  // fails a delete the engine answered with untags only.
  void SettleDone(const Action& action, ActionResult* result) const;

  EngineClient& client_;
  const Inventory& inventory_;
  absl::flat_hash_map<std::string, uint64_t> chain_sizes_;
  // How many of the inventory's images hold each layer, less those this
  // run deleted.
  std::vector<uint32_t> holders_;
  // The engine's sizes at the start of the apply: containers' writable
  // layers by ID, volumes by name (0 when it did not report one).
  absl::flat_hash_map<std::string, uint64_t> container_sizes_;
  absl::flat_hash_map<std::string, uint64_t> volume_sizes_;
  // The shared listing of containers, and how many more deletions by ID
  // may use it (0: read it again).
  absl::StatusOr<std::vector<ContainerSummary>> listing_;
  size_t listing_uses_ = 0;
};

// SameEngine checks that `plan` was made for the engine `inventory` is
// from: the same engine ID when both have one, else the same host.
// Errors: FailedPrecondition naming both.
absl::Status SameEngine(const Plan& plan, const Inventory& inventory);

}  // namespace dgc

#endif  // DGC_ENGINE_EXECUTOR_H_
