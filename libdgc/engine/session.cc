// The one orchestration of libdgc (see session.h).
#include "engine/session.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/accounting.h"
#include "core/disk_usage.h"
#include "core/disk_usage_json.h"
#include "core/error_code.h"
#include "core/planner.h"
#include "core/snapshot.h"
#include "core/snapshot_inventory.h"
#include "engine/content_store.h"
#include "engine/disk_space.h"
#include "engine/file_read_ahead.h"
#include "engine/files.h"
#include "engine/last_use_cache.h"

namespace dgc {
namespace {

// Prefixes an error about a snapshot with its name, keeping its code.
absl::Status SnapshotError(std::string_view source, const absl::Status& error) {
  return Reworded(error,
                  absl::StrFormat("snapshot %s: %s", source, error.message()));
}

// The inventory a snapshot from `source` gave (`content`: whether it kept
// its content store's facts), with the checks every snapshot gets.
absl::StatusOr<Inventory> CheckedSnapshotInventory(
    absl::StatusOr<Inventory> inventory, bool content,
    std::string_view source) {
  if (!inventory.ok()) return SnapshotError(source, inventory.status());
  if (inventory->engine.containerd_store && !content) {
    inventory->warnings.push_back(absl::StrFormat(
        "snapshot %s holds no content blobs (its engine's content store was "
        "not visible when it was captured): content bytes are bounds",
        source));
  }
  if (absl::Status checked = CheckAccounting(&*inventory); !checked.ok()) {
    return checked;
  }
  return inventory;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EngineSession>> EngineSession::Open(
    const Endpoint& endpoint, Access access, const SessionOptions& options) {
  absl::StatusOr<std::unique_ptr<CurlTransport>> transport =
      CurlTransport::Create(endpoint, access, options.transport);
  if (!transport.ok()) return transport.status();
  (*transport)->set_trace(options.trace);
  return std::make_unique<EngineSession>(*std::move(transport),
                                         options.cache_directory);
}

EngineSession::EngineSession(std::unique_ptr<Transport> transport,
                             std::string cache_directory)
    : transport_(std::move(transport)),
      client_(*transport_),
      cache_directory_(std::move(cache_directory)) {}

absl::Status EngineSession::Connect() { return client_.Connect(); }

absl::StatusOr<Inventory> EngineSession::ReadInventory(InventoryScope scope) {
  absl::StatusOr<EngineBodies> bodies =
      client_.FetchBodies({.system_df = scope == InventoryScope::kAll,
                           .raw = nullptr,
                           .cache_directory = cache_directory_});
  if (!bodies.ok()) return bodies.status();
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  if (!inventory.ok()) {
    return WithErrorCode(inventory.status(), ErrorCode::kProtocol);
  }
  inventory->data_disk = MeasureDataDisk(inventory->engine.host,
                                         inventory->engine.docker_root_dir);
  // The content store's before the check: it tells the snapshots of an
  // index's other platforms, which LayersSize counts.
  if (std::optional<std::string> store =
          FindContentStore(*inventory, ProcessEnvironment())) {
    ReadContentBlobs(*store, &*inventory);
  } else if (inventory->engine.containerd_store) {
    inventory->warnings.push_back(absl::StrFormat(
        "the content store of the engine at %s is not visible from here: "
        "content bytes are bounds (set DOCKER_GC_CONTAINERD_ROOT to "
        "containerd's root)",
        inventory->engine.host));
  }
  if (absl::Status checked = CheckAccounting(&*inventory); !checked.ok()) {
    return checked;
  }
  if (absl::Status remembered = RememberLastUse(cache_directory_, &*inventory);
      !remembered.ok()) {
    inventory->warnings.push_back(absl::StrFormat(
        "last uses of images are not remembered: %s", remembered.message()));
  }
  return inventory;
}

absl::StatusOr<SnapshotCapture> EngineSession::CaptureSnapshot() {
  RawEngineBodies raw;
  absl::StatusOr<EngineBodies> bodies = client_.FetchBodies(
      {.system_df = true, .raw = &raw, .cache_directory = cache_directory_});
  if (!bodies.ok()) return bodies.status();
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  if (!inventory.ok()) {
    return WithErrorCode(inventory.status(), ErrorCode::kProtocol);
  }
  // The content store is not in the engine's bodies: keep what it shows,
  // so that the snapshot's figures are as exact as the live ones.
  if (std::optional<std::string> store =
          FindContentStore(*inventory, ProcessEnvironment())) {
    raw.content = ReadContentStore(*store, *inventory);
  }
  return SnapshotCapture{.document = SnapshotJson(raw),
                         .images = inventory->images.size(),
                         .containers = inventory->containers.size()};
}

absl::StatusOr<Inventory> InventoryFromSnapshot(const PaddedBody& text,
                                                std::string_view source) {
  bool content = false;
  absl::StatusOr<Inventory> inventory =
      BuildInventoryFromSnapshot(text, &content);
  return CheckedSnapshotInventory(std::move(inventory), content, source);
}

absl::StatusOr<Inventory> InventoryFromSnapshotFile(std::string_view path) {
  // A regular file is parsed while it is read; anything else once read.
  absl::StatusOr<std::unique_ptr<FileReadAhead>> file =
      FileReadAhead::Start(path);
  if (!file.ok()) return file.status();
  if (*file == nullptr) {
    absl::StatusOr<PaddedBody> text = ReadFile(path);
    if (!text.ok()) return text.status();
    return InventoryFromSnapshot(*text, path);
  }
  bool content = false;
  absl::StatusOr<Inventory> inventory =
      BuildInventoryFromSnapshot((*file)->text(), &content);
  // A read that failed explains the document better than its parse.
  if (absl::Status read = (*file)->Finish(); !read.ok()) return read;
  return CheckedSnapshotInventory(std::move(inventory), content, path);
}

absl::Time DefaultClock(const Inventory& inventory) {
  if (inventory.captured_at != absl::InfinitePast()) {
    return inventory.captured_at;
  }
  return absl::Now();
}

absl::StatusOr<Plan> MakePlan(const Inventory& inventory, const Policy& policy,
                              std::optional<absl::Time> now) {
  if (policy.threshold.has_value() && policy.threshold->high.percent &&
      !inventory.data_disk.has_value()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s: the threshold %s is a share of the disk holding the engine's "
        "data (%s), which docker gc cannot measure from here (the engine at "
        "%s must be reached through a local unix socket): use sizes of "
        "Docker's own usage instead, e.g. {\"high\": \"40GB\", \"low\": "
        "\"30GB\"}",
        policy.source, policy.threshold->high.text,
        inventory.engine.docker_root_dir.empty()
            ? "unknown"
            : inventory.engine.docker_root_dir,
        inventory.engine.host));
  }
  return ComputePlan(inventory, policy, now.value_or(DefaultClock(inventory)));
}

std::string DiskUsageDocument(const Inventory& inventory, const Plan* plan) {
  return DiskUsageToJson(inventory, ComputeDiskUsage(inventory), plan);
}

absl::StatusOr<ApplyRun> ApplyRun::Prepare(EngineSession& session,
                                           const ApplyRequest& request) {
  if ((request.policy == nullptr) == (request.saved_plan == nullptr)) {
    return absl::InvalidArgumentError(
        "an apply needs exactly one of a policy and a saved plan");
  }
  if (session.access() != Access::kReadWrite) {
    return absl::FailedPreconditionError(
        "apply needs a read-write connection to the engine");
  }
  bool images_alone = request.policy != nullptr &&
                      !NeedsDockerUsage(*request.policy) &&
                      !request.report_docker_usage;
  absl::StatusOr<Inventory> inventory = session.ReadInventory(
      images_alone ? InventoryScope::kImages : InventoryScope::kAll);
  if (!inventory.ok()) return inventory.status();
  if (request.saved_plan != nullptr) {
    if (absl::Status same = SameEngine(*request.saved_plan, *inventory);
        !same.ok()) {
      return same;
    }
    return ApplyRun(session, *std::move(inventory), *request.saved_plan);
  }
  absl::StatusOr<Plan> plan =
      MakePlan(*inventory, *request.policy, request.now);
  if (!plan.ok()) return plan.status();
  return ApplyRun(session, *std::move(inventory), *std::move(plan));
}

ApplyReport ApplyRun::Execute(const ExecutorHooks& hooks) {
  Executor executor(session_->client(), inventory_);
  if (!plan_.watermark.has_value() || !plan_.watermark->acted) {
    ApplyReport report = executor.Apply(plan_, hooks);
    report.watermark = plan_.watermark;
    return report;
  }
  // Re-measure after each action; stop once at or below the low watermark.
  WatermarkReport watermark = *plan_.watermark;
  uint64_t freed = 0;
  auto measure = [&]() -> uint64_t {
    if (watermark.disk && inventory_.data_disk.has_value()) {
      absl::StatusOr<DiskSpace> disk = MeasureDisk(inventory_.data_disk->path);
      if (disk.ok()) return disk->used_bytes;
    }
    // Docker's usage: what it was less what the engine reported freed.
    return watermark.used_before_bytes -
           std::min(freed, watermark.used_before_bytes);
  };
  watermark.used_after_bytes = measure();
  ExecutorHooks measured = hooks;
  measured.results_decide = true;  // none goes past the low watermark
  measured.on_result = [&](const ActionResult& result, size_t index,
                           size_t total) {
    freed += result.freed_bytes;
    watermark.used_after_bytes = measure();
    if (hooks.on_result) hooks.on_result(result, index, total);
  };
  std::string reached;  // why the run ended early, when it reached low
  measured.stop_requested = [&]() -> std::optional<std::string> {
    if (hooks.stop_requested) {
      if (std::optional<std::string> stop = hooks.stop_requested()) return stop;
    }
    if (watermark.used_after_bytes <= watermark.low_bytes) {
      reached = absl::StrFormat(
          "usage is at or below the low watermark (%d of %d bytes)",
          watermark.used_after_bytes, watermark.low_bytes);
      return reached;
    }
    return std::nullopt;
  };
  ApplyReport report = executor.Apply(plan_, measured);
  // Reaching low is the end the run is for, not an interruption.
  if (!reached.empty() && report.summary.stopped == reached) {
    report.summary.stopped.clear();
  }
  watermark.shortfall_bytes =
      watermark.used_after_bytes > watermark.low_bytes
          ? watermark.used_after_bytes - watermark.low_bytes
          : 0;
  report.watermark = watermark;
  return report;
}

}  // namespace dgc
