// libFuzzer target: the dgc.snapshot/v1 readers that `plan --from` and
// `df --from` run on a file: the one-pass BuildInventoryFromSnapshot
// (core/snapshot_inventory.h) and ParseSnapshot then BuildInventory
// (core/snapshot.h). On well-formed JSON they must agree on whether the
// snapshot is valid and, when it is, on the plan a policy makes of it (on
// malformed JSON they may not: each only checks the balance of what it
// skips, and they skip different fields). A valid inventory is checked,
// measured (df) and planned as the front ends do, and its plan must read
// back (ParsePlan).
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/accounting.h"
#include "core/disk_usage.h"
#include "core/disk_usage_json.h"
#include "core/inventory.h"
#include "core/plan_json.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/snapshot.h"
#include "core/snapshot_inventory.h"
#include "fuzz/fuzz_input.h"

namespace {

// Every kind of rule and section, a threshold of sizes (a snapshot has no
// disk to take a share of) and least-recently-used order.
constexpr char kPolicy[] = R"({
  "threshold": {"high": "1kB", "low": "1B"},
  "order": "lru",
  "rules": [
    {"name": "keep", "match": "keep*", "keep": true},
    {"name": "family", "match": ["app-*", "*:v?"], "keep_newest": 1,
     "group_by": "rule"},
    {"name": "labelled", "match": "*", "labels": ["project"],
     "keep_newest": 2, "group_by": "label:project", "older_than": "1h"},
    {"name": "dangling", "dangling": true, "older_than": "1h"}
  ],
  "protect": {"match": ["postgres:*"], "labels": ["gc.keep=true"]},
  "min_age": "1h",
  "containers": {"stopped_older_than": "1h"},
  "volumes": {"anonymous_unused_older_than": "1h"},
  "build_cache": {"older_than": "1h", "keep_storage": "1B"}
})";

const dgc::Policy& FuzzPolicy() {
  static const dgc::Policy policy =
      *dgc::ParsePolicy(dgc::PaddedBody(kPolicy), "fuzz policy");
  return policy;
}

// WellFormed reports whether `text` is one well-formed JSON document.
bool WellFormed(const dgc::PaddedBody& text) {
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  return parser.parse(text.view().data(), text.view().size(), false)
             .get(root) == simdjson::SUCCESS;
}

// PlanOf returns the plan document of `inventory` under the fuzz policy,
// after the checks and the df document the front ends make of it.
std::string PlanOf(dgc::Inventory& inventory) {
  if (!dgc::CheckAccounting(&inventory).ok()) std::abort();  // always OK
  dgc::Plan plan = dgc::ComputePlan(inventory, FuzzPolicy(),
                                    inventory.captured_at + absl::Hours(2));
  (void)dgc::DiskUsageToJson(inventory, dgc::ComputeDiskUsage(inventory),
                             &plan);
  std::string document = dgc::PlanToJson(plan);
  if (!dgc::ParsePlan(dgc::PaddedBody(document)).ok()) std::abort();
  return document;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dgc::PaddedBody text = dgc::fuzz::Padded(data, size);
  bool has_content = false;
  absl::StatusOr<dgc::Inventory> one_pass =
      dgc::BuildInventoryFromSnapshot(text, &has_content);
  absl::StatusOr<dgc::EngineBodies> bodies = dgc::ParseSnapshot(text);
  absl::StatusOr<dgc::Inventory> two_pass =
      bodies.ok() ? dgc::BuildInventory(*std::move(bodies)) : bodies.status();
  if (!one_pass.ok() || !two_pass.ok()) {
    if (one_pass.ok() != two_pass.ok() && WellFormed(text)) std::abort();
    return 0;
  }
  if (PlanOf(*one_pass) != PlanOf(*two_pass) && WellFormed(text)) {
    std::abort();  // the readers built different inventories
  }
  return 0;
}
