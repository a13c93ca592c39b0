// libFuzzer target: the gc.json policy reader (core/policy.h), as
// `policy check` and every plan run it on a user's file.
#include <cstddef>
#include <cstdint>

#include "core/policy.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<dgc::Policy> policy =
      dgc::ParsePolicy(dgc::fuzz::Padded(data, size), "fuzz.json");
  if (policy.ok()) {
    for (const dgc::Rule& rule : policy->rules) (void)rule.Describe();
    (void)dgc::NeedsDockerUsage(*policy);
  }
  return 0;
}
