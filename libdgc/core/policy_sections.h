// The sections of a gc.json policy beside `rules` and `protect` (SPEC.md
// §7 and §8): `threshold`, `order`, `build_cache`, `containers` and
// `volumes`, read as strictly as rules are. Problems are reported through
// a sink, each naming its field by path ("threshold.low"), so that every
// problem of a file is found at once; a returned error means the JSON
// itself is malformed.
//
// Example:
//   absl::Status s = dgc::ReadThreshold(value, &policy.threshold,
//       [&](std::string_view field, std::string_view problem) { ... });
#ifndef DGC_CORE_POLICY_SECTIONS_H_
#define DGC_CORE_POLICY_SECTIONS_H_

#include <simdjson.h>

#include <optional>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "core/policy.h"

namespace dgc {

// Receives one problem: the field's path and what is wrong with it.
using ProblemSink =
    absl::FunctionRef<void(std::string_view field, std::string_view problem)>;

// ReadThreshold reads {"high": W, "low": W}: both percentages or both
// sizes, low below high.
absl::Status ReadThreshold(simdjson::ondemand::value& v,
                           std::optional<Threshold>* out, ProblemSink report);

// ReadOrder reads "policy" or "lru".
absl::Status ReadOrder(simdjson::ondemand::value& v, Order* out,
                       ProblemSink report);

// ReadBuildCacheSection reads {"older_than": D, "keep_storage": S}, at least
// one of them.
absl::Status ReadBuildCacheSection(simdjson::ondemand::value& v,
                                   std::optional<BuildCacheSection>* out,
                                   ProblemSink report);

// ReadContainersSection reads {"stopped_older_than": D (required),
// "protect_labels": [...], "include_restart_policies": bool}.
absl::Status ReadContainersSection(simdjson::ondemand::value& v,
                                   std::optional<ContainersSection>* out,
                                   ProblemSink report);

// ReadVolumesSection reads {"anonymous_unused_older_than": D (required)}.
absl::Status ReadVolumesSection(simdjson::ondemand::value& v,
                                std::optional<VolumesSection>* out,
                                ProblemSink report);

}  // namespace dgc

#endif  // DGC_CORE_POLICY_SECTIONS_H_
