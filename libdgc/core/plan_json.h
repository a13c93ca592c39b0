// The dgc.plan/v1 document (SPEC.md §4) of a Plan.
#ifndef DGC_CORE_PLAN_JSON_H_
#define DGC_CORE_PLAN_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/json_reader.h"
#include "core/json_writer.h"
#include "core/plan.h"

namespace dgc {

// PlanToJson returns the dgc.plan/v1 document of `plan`, indented, ending
// with a newline.
std::string PlanToJson(const Plan& plan);

// WriteWatermark writes the member "watermark": {...} of a plan or an
// apply report (SPEC.md §7).
void WriteWatermark(const WatermarkReport& watermark, JsonWriter* json);

// ParsePlan reads a dgc.plan/v1 document back (for `apply --plan`).
// Errors: InvalidArgument for another schema, malformed JSON, an action
// with an unknown op, no image ID or an image ID that is not sha256:<hex>.
absl::StatusOr<Plan> ParsePlan(const PaddedBody& text);

}  // namespace dgc

#endif  // DGC_CORE_PLAN_JSON_H_
