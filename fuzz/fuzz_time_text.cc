// libFuzzer target: the readers of times and durations (core/time_text.h,
// ParseEngineTime in core/engine_bodies.h): `--now`, a policy's durations
// and every time field of an engine body. Two properties are checked: a
// time ParseRfc3339 reads is the one absl::ParseTime reads (its fast path
// for the engine's shape must agree), and a time of years 1 to 9999 that
// FormatRfc3339 writes reads back as the same second.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "core/engine_bodies.h"
#include "core/time_text.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = dgc::fuzz::Text(data, size);
  (void)dgc::ParsePolicyDuration(text);
  absl::Time engine_time;
  (void)dgc::ParseEngineTime(text, &engine_time);
  absl::StatusOr<absl::Time> time = dgc::ParseRfc3339(text);
  if (!time.ok()) return 0;
  absl::Time absl_time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &absl_time,
                       &error) ||
      absl_time != *time) {
    std::abort();  // ParseRfc3339 disagrees with absl::ParseTime
  }
  static const absl::Time kFirst =
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  static const absl::Time kLast = absl::FromCivil(
      absl::CivilSecond(9999, 12, 31, 23, 59, 59), absl::UTCTimeZone());
  if (*time < kFirst || *time > kLast) return 0;
  (void)dgc::FormatDate(*time);
  absl::StatusOr<absl::Time> again =
      dgc::ParseRfc3339(dgc::FormatRfc3339(*time));
  if (!again.ok() ||
      *again != absl::FromUnixSeconds(absl::ToUnixSeconds(*time))) {
    std::abort();  // FormatRfc3339 wrote what ParseRfc3339 does not read back
  }
  return 0;
}
