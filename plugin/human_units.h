// Sizes and ages for people, in the docker CLI's units and words:
// decimal sizes with 4 significant digits ("3.478GB", "9.5kB", "0B") and
// durations like "3 weeks" (docker/go-units HumanSize and HumanDuration).
#ifndef DGC_PLUGIN_HUMAN_UNITS_H_
#define DGC_PLUGIN_HUMAN_UNITS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace dgc {

// HumanSize formats `bytes` as docker does ("1.235MB").
std::string HumanSize(uint64_t bytes);

// HumanDuration formats a duration as docker does ("About an hour",
// "3 weeks"); negative durations count as zero.
std::string HumanDuration(absl::Duration duration);

// HumanAge formats the age of `time` at `now` ("3 weeks ago").
std::string HumanAge(absl::Time time, absl::Time now);

}  // namespace dgc

#endif  // DGC_PLUGIN_HUMAN_UNITS_H_
