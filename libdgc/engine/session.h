// The one orchestration of libdgc: every front end (the docker-gc plugin,
// the C API and, through it, the bindings) reads inventories, checks them,
// plans, applies and measures disk usage through this file, so that a
// refusal, a warning or a default in one is in all of them.
//
// The steps, and where each lives:
//   - connect:   EngineSession::Open (read-only for plan, df, snapshot and
//                version; read-write only for apply);
//   - read:      EngineSession::ReadInventory, or InventoryFromSnapshot /
//                InventoryFromSnapshotFile; both run CheckAccounting, which
//                refuses what cannot be accounted exactly and records
//                accounting warnings in the inventory, whence they reach
//                every document (dgc.df/v1, dgc.plan/v1);
//   - clock:     DefaultClock, when no time is given;
//   - plan:      MakePlan;
//   - df:        DiskUsageDocument;
//   - apply:     ApplyRun::Prepare (a fresh inventory, then the policy's plan
//                or a saved plan checked to be for this engine), then
//                ApplyRun::Execute.
//
// Example:
//   absl::StatusOr<std::unique_ptr<dgc::EngineSession>> session =
//       dgc::EngineSession::Open(endpoint, dgc::Access::kReadOnly);
//   absl::StatusOr<dgc::Inventory> inventory = (*session)->ReadInventory();
//   dgc::Plan plan = dgc::MakePlan(*inventory, policy, std::nullopt);
#ifndef DGC_ENGINE_SESSION_H_
#define DGC_ENGINE_SESSION_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/apply_report.h"
#include "core/inventory.h"
#include "core/json_reader.h"
#include "core/plan.h"
#include "core/policy.h"
#include "engine/curl_transport.h"
#include "engine/endpoint.h"
#include "engine/engine_client.h"
#include "engine/executor.h"
#include "engine/transport.h"

namespace dgc {

struct SessionOptions {
  TransportOptions transport;
  // When set, every engine request and its timing is reported here.
  RequestTrace trace;
  // docker gc's cache directory (CacheDirectory); "" for none (--no-cache).
  std::string cache_directory;
};

// A saved snapshot's text and what it holds.
struct SnapshotCapture {
  std::string document;  // dgc.snapshot/v1, ending with a newline
  size_t images = 0;
  size_t containers = 0;
};

// One connection to one engine. Not thread-safe.
// What EngineSession::ReadInventory reads.
enum class InventoryScope {
  kAll,  // everything, Docker's own disk usage (/system/df) included
  // What a plan of images alone needs (see NeedsDockerUsage): no
  // /system/df, the engine's slowest call, so no LayersSize check and no
  // containers' writable layers, volumes or build cache.
  kImages,
};

class EngineSession {
 public:
  // Open prepares a session with `access` to the engine at `endpoint`;
  // nothing is sent until it is used. Errors: those of
  // CurlTransport::Create (a host it cannot use).
  static absl::StatusOr<std::unique_ptr<EngineSession>> Open(
      const Endpoint& endpoint, Access access,
      const SessionOptions& options = {});

  // A session over any transport (tests use a FakeTransport).
  explicit EngineSession(std::unique_ptr<Transport> transport,
                         std::string cache_directory = "");

  EngineClient& client() { return client_; }
  Access access() const { return transport_->access(); }

  // Connect reads the engine's version and negotiates the API version.
  // Errors: those of EngineClient::Connect.
  absl::Status Connect();

  // ReadInventory reads the engine's inventory afresh (images, containers,
  // /info and, unless `scope` is kImages, /system/df; each image's inspect
  // and history, the inspect of each container not running), checks it
  // with CheckAccounting (against /system/df's LayersSize), and
  // measures the data disk when this machine sees it (MeasureDataDisk),
  // and remembers the images' last uses in the cache directory
  // (RememberLastUse; a failure to write it is a warning). Errors:
  // those of EngineClient::FetchBodies; an inventory that does not hold
  // together (code kProtocol); those of CheckAccounting.
  absl::StatusOr<Inventory> ReadInventory(
      InventoryScope scope = InventoryScope::kAll);

  // CaptureSnapshot reads the same bodies as ReadInventory and returns them
  // as a dgc.snapshot/v1 document, after checking that they build an
  // inventory (not that it can be accounted: a snapshot is raw facts).
  absl::StatusOr<SnapshotCapture> CaptureSnapshot();

 private:
  std::unique_ptr<Transport> transport_;
  EngineClient client_;
  std::string cache_directory_;
};

// InventoryFromSnapshot reads a dgc.snapshot/v1 document and checks the
// inventory as ReadInventory does. `source` names it in errors ("snapshot
// SOURCE: ..."). Errors: InvalidArgument for a malformed snapshot; those of
// CheckAccounting.
absl::StatusOr<Inventory> InventoryFromSnapshot(const PaddedBody& text,
                                                std::string_view source);

// InventoryFromSnapshotFile reads the snapshot file `path` ("-": stdin).
// Errors: those of ReadFile and InventoryFromSnapshot.
absl::StatusOr<Inventory> InventoryFromSnapshotFile(std::string_view path);

// DefaultClock returns the time ages are measured at when none is given:
// when the inventory was read (the current time, for a live engine), or a
// snapshot's captured_at; the current time for a snapshot without one.
absl::Time DefaultClock(const Inventory& inventory);

// MakePlan evaluates `policy` on `inventory` at `now` (DefaultClock when
// nullopt). Pure apart from reading the clock. Errors: FailedPrecondition
// for a percentage threshold when the inventory's data disk could not be
// measured (a remote engine, a snapshot).
absl::StatusOr<Plan> MakePlan(const Inventory& inventory, const Policy& policy,
                              std::optional<absl::Time> now);

// DiskUsageDocument returns the dgc.df/v1 document of `inventory`; with
// `plan` (MakePlan's, of a policy), also what it would reclaim of each
// resource kind and its watermark.
std::string DiskUsageDocument(const Inventory& inventory,
                              const Plan* plan = nullptr);

// What an apply performs: exactly one of `policy` (planned afresh on the
// engine's current inventory, at `now` or DefaultClock) and `saved_plan`
// (exactly its actions, each re-checked; only for the same engine).
struct ApplyRequest {
  const Policy* policy = nullptr;
  const Plan* saved_plan = nullptr;
  std::optional<absl::Time> now = std::nullopt;
  // Whether the caller reports Docker's own disk usage (metrics): else a
  // policy that does not need it (NeedsDockerUsage) is planned without
  // reading it (InventoryScope::kImages).
  bool report_docker_usage = true;
};

// One apply on one engine: prepared (inventory read, plan made and
// checked), then executed once.
class ApplyRun {
 public:
  // Prepare reads the engine's inventory afresh through `session` (which
  // must be read-write and outlive the run) and makes the plan to apply.
  // Errors: InvalidArgument for a request without exactly one of policy and
  // saved_plan; FailedPrecondition for a read-only session or a saved plan
  // made for another engine; those of ReadInventory.
  static absl::StatusOr<ApplyRun> Prepare(EngineSession& session,
                                          const ApplyRequest& request);

  const Inventory& inventory() const { return inventory_; }
  const Plan& plan() const { return plan_; }

  // Execute performs the plan's actions (see Executor) and returns the
  // report; `hooks` can stop the run between actions and see each result.
  ApplyReport Execute(const ExecutorHooks& hooks);

 private:
  ApplyRun(EngineSession& session, Inventory inventory, Plan plan)
      : session_(&session),
        inventory_(std::move(inventory)),
        plan_(std::move(plan)) {}

  EngineSession* session_;
  Inventory inventory_;
  Plan plan_;
};

}  // namespace dgc

#endif  // DGC_ENGINE_SESSION_H_
