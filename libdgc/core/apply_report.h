// What an apply did: one result per planned action, in plan order, with
// what the engine reported and the bytes it actually freed.
#ifndef DGC_CORE_APPLY_REPORT_H_
#define DGC_CORE_APPLY_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/inventory.h"
#include "core/plan.h"

namespace dgc {

enum class ResultStatus {
  kDone,     // the engine did it
  kSkipped,  // the re-check found it unsafe or already done, or not run
  kFailed,   // the engine refused or errored
  // The engine's answer to a request that changes it was lost (the
  // connection broke off, or no answer in time) and no later request
  // could tell whether it did it.
  kUnknown,
};

// StatusName returns "done", "skipped", "failed" or "unknown".
std::string_view StatusName(ResultStatus status);

struct ActionResult {
  ActionOp op = ActionOp::kDelete;
  std::string image;
  std::vector<std::string> refs;
  // The target of the other ops, as in the action.
  std::string container;
  std::string volume;
  std::vector<std::string> records;
  ResultStatus status = ResultStatus::kSkipped;
  // Why skipped or failed; for a done action "" or a note (e.g. records the
  // engine did not prune).
  std::string detail;
  uint64_t predicted_bytes = 0;
  // What the engine freed, from what it reported: for an image, the sizes
  // of the layer chains it reported deleted; for a container, the size of
  // its writable layer and for a volume its data, as the engine reported
  // them when the apply read it; for build cache, its SpaceReclaimed.
  uint64_t freed_bytes = 0;
  std::vector<std::string> untagged;  // as the engine reported them
  std::vector<std::string> deleted;   // image and layer IDs, as reported
  absl::Time finished_at = absl::InfinitePast();
};

struct ApplySummary {
  uint32_t done = 0;
  uint32_t skipped = 0;
  uint32_t failed = 0;
  uint32_t unknown = 0;
  uint64_t predicted_bytes = 0;  // the plan's reclaimable_bytes
  uint64_t freed_bytes = 0;      // measured
  // How images' freed bytes were measured: "deleted_layers" (the layers
  // the engine reported deleted; the graphdriver store),
  // "layers_size_and_content_store" (the drop of /system/df LayersSize plus
  // the content blobs gone; the containerd store) or "layers_size" (that
  // store without its content store: content is not counted, a lower
  // bound).
  std::string freed_measured_by;
  // Why the run stopped before the end ("" when it did not): an interrupt,
  // or an engine that stopped answering.
  std::string stopped;
};

struct ApplyReport {
  EngineInfo engine;
  ApplySummary summary;
  std::vector<ActionResult> results;
  // With a threshold: the plan's levels, and the usage measured when the
  // apply stopped (used_after_bytes).
  std::optional<WatermarkReport> watermark;
};

// ApplyReportToJson returns the dgc.apply/v1 document of `report`,
// indented, ending with a newline.
std::string ApplyReportToJson(const ApplyReport& report);

// ActionResultToJson returns one result as it appears in the report's
// "results" array, compact, without a newline.
std::string ActionResultToJson(const ActionResult& result);

// AuditLine returns one JSON line (no newline) recording `result` for an
// audit log: time, engine, op, image, refs, status, bytes, detail.
std::string AuditLine(const ActionResult& result, const EngineInfo& engine);

}  // namespace dgc

#endif  // DGC_CORE_APPLY_REPORT_H_
