// The planner: Inventory + Policy + now → Plan. Pure: no I/O, no clock.
//
// Each reference is decided by the first rule that matches it (SPEC.md §3);
// an image whose references are all selected is deleted, one with some
// selected is untagged; protected images are left alone entirely: in use by
// any container, matched by `protect`, younger than `min_age`, or the
// parent of an image that stays. Bytes are computed by replaying the
// actions against the layer reference counts, modelling what the engine
// does (a delete also removes untagged parents left without children), so
// each action's bytes are exact given the ones before it.
//
// Example:
//   dgc::Plan plan = dgc::ComputePlan(inventory, policy, absl::Now());
#ifndef DGC_CORE_PLANNER_H_
#define DGC_CORE_PLANNER_H_

#include "absl/time/time.h"
#include "core/inventory.h"
#include "core/plan.h"
#include "core/policy.h"

namespace dgc {

// ComputePlan evaluates `policy` on `inventory` with ages measured at `now`.
Plan ComputePlan(const Inventory& inventory, const Policy& policy,
                 absl::Time now);

}  // namespace dgc

#endif  // DGC_CORE_PLANNER_H_
