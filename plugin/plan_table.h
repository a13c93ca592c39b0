// A plan for people: actions grouped by rule, the images that stay and
// why, and the total ("Total reclaimable space: X (naive estimate: Y)").
#ifndef DGC_PLUGIN_PLAN_TABLE_H_
#define DGC_PLUGIN_PLAN_TABLE_H_

#include <ostream>

#include "core/plan.h"
#include "core/policy.h"

namespace dgc {

// PrintPlanTable writes `plan` to `out`, its actions grouped by rule in
// plan order. `policy`, when the plan was made with it here, adds each
// rule's description to its heading; a saved plan has none.
// WatermarkLine says where a threshold's measure stands ("disk 1.8GB of
// 2GB at 90.0%, at or above the high watermark 85.0%: the plan brings it
// to 80.0% (low watermark 80.0%)"); `planned` for a plan, else for what an
// apply did.
std::string WatermarkLine(const WatermarkReport& watermark, bool planned);

void PrintPlanTable(const Plan& plan, const Policy* policy, std::ostream& out);

}  // namespace dgc

#endif  // DGC_PLUGIN_PLAN_TABLE_H_
