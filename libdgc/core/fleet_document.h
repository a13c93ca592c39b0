// The dgc.fleet/v1 document: several engines' own documents (dgc.plan/v1,
// dgc.apply/v1 or dgc.df/v1) in one, each marked with the docker context it
// came from, with the failed engines' errors and a summary that adds up the
// engines' figures (SPEC.md §11). Pure: the documents come in as text.
//
// Example:
//   std::vector<dgc::FleetEntry> entries = {
//       {.context = "a", .host = "unix:///a.sock", .document = plan_a},
//       {.context = "b", .host = "tcp://b:2376",
//        .error = absl::UnavailableError("cannot connect")}};
//   std::string json = dgc::FleetDocument(dgc::FleetKind::kPlan, entries, {});
#ifndef DGC_CORE_FLEET_DOCUMENT_H_
#define DGC_CORE_FLEET_DOCUMENT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace dgc {

// Which command's documents a fleet document holds.
enum class FleetKind { kPlan, kApply, kDf };

// One engine of a fleet: its document, or the error that stopped it, or
// both when it failed after writing its document (an apply that stopped
// part-way: its document says what was and was not done, and why).
struct FleetEntry {
  std::string context;   // the docker context's name
  std::string host;      // its endpoint ("" when it could not be resolved)
  std::string document;  // the engine's own JSON document ("" when none)
  absl::Status error = absl::OkStatus();
};

// A context left out because it names an engine already in the fleet
// (the same /info ID): that engine is handled once, under `same_engine_as`.
struct FleetDuplicate {
  std::string context;
  std::string same_engine_as;
};

// The figures of a fleet, added up over the engines' documents.
struct FleetSummary {
  size_t engines = 0;  // entries, failed ones included (not duplicates)
  size_t failed = 0;   // entries with an error, with a document or not
  // plan: summary.reclaimable_bytes; df: totals.unused_reclaimable_bytes.
  uint64_t reclaimable_bytes = 0;
  // apply: the sums of summary.{predicted,freed}_bytes, done, skipped and
  // failed (as actions_failed).
  uint64_t predicted_bytes = 0;
  uint64_t freed_bytes = 0;
  uint64_t done = 0;
  uint64_t skipped = 0;
  uint64_t actions_failed = 0;
};

// SummarizeFleet adds up the figures of `entries`' documents of `kind`. A
// figure a document lacks counts as 0 (documents are libdgc's own).
FleetSummary SummarizeFleet(FleetKind kind,
                            std::span<const FleetEntry> entries);

// DocumentWithContext returns the JSON object `document` with a first
// member "context": `context` (the engine's document inside a fleet).
std::string DocumentWithContext(std::string_view document,
                                std::string_view context);

// FleetDocument returns the dgc.fleet/v1 document of `entries` (in their
// order) and `duplicates`, ending with a newline: each engine's document
// with its context, or {"context", "host", "error": {"message", "code"}}
// for a failed one without a document (code: the DGC_E... name of its
// ErrorCode).
std::string FleetDocument(FleetKind kind, std::span<const FleetEntry> entries,
                          std::span<const FleetDuplicate> duplicates);

// FleetExitCode returns the exit code of a fleet from its engines' (SPEC.md
// §2, §11): 1 when any engine failed (any code other than 0 and 3), else 3
// when any had actions fail, else 0 (also for no engines).
int FleetExitCode(std::span<const int> codes);

}  // namespace dgc

#endif  // DGC_CORE_FLEET_DOCUMENT_H_
