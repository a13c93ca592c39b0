// Times and durations as libdgc reads and writes them: RFC 3339 in UTC for
// times, and policy durations with the units m, h, d and w ("90m", "7d").
//
// Example:
//   absl::StatusOr<absl::Time> created =
//       dgc::ParseRfc3339("2026-11-25T22:40:00Z");
//   if (!created.ok()) return created.status();
//   absl::StatusOr<absl::Duration> min_age = dgc::ParsePolicyDuration("7d");
//   if (!min_age.ok()) return min_age.status();
//   std::string expiry = dgc::FormatRfc3339(*created + *min_age);
//   // expiry == "2026-12-02T22:40:00Z"; FormatDate would give "2026-12-02".
#ifndef DGC_CORE_TIME_TEXT_H_
#define DGC_CORE_TIME_TEXT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dgc {

// FormatRfc3339 writes `time` as RFC 3339 in UTC with whole seconds
// ("2026-11-25T22:40:00Z"); InfinitePast gives "".
std::string FormatRfc3339(absl::Time time);

// FormatDate writes the UTC calendar date of `time` ("2026-10-16").
std::string FormatDate(absl::Time time);

// ParseRfc3339 reads an RFC 3339 time ("2026-11-25T22:40:00Z", fractional
// seconds and offsets allowed). Errors: InvalidArgument naming the text.
absl::StatusOr<absl::Time> ParseRfc3339(std::string_view text);

// ParsePolicyDuration reads a whole number followed by one unit: m
// (minutes), h (hours), d (days) or w (weeks). Errors: InvalidArgument
// naming the text.
absl::StatusOr<absl::Duration> ParsePolicyDuration(std::string_view text);

}  // namespace dgc

#endif  // DGC_CORE_TIME_TEXT_H_
