// libFuzzer target: the dgc.plan/v1 reader (ParsePlan in core/plan_json.h)
// that `apply --plan FILE` runs on a saved plan. A plan it reads must
// write (PlanToJson) a document it reads again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/plan_json.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<dgc::Plan> plan =
      dgc::ParsePlan(dgc::fuzz::Padded(data, size));
  if (!plan.ok()) return 0;
  absl::StatusOr<dgc::Plan> again =
      dgc::ParsePlan(dgc::PaddedBody(dgc::PlanToJson(*plan)));
  if (!again.ok()) std::abort();  // PlanToJson wrote what ParsePlan refuses
  return 0;
}
