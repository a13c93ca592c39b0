// RFC 3339 times and policy durations (see time_text.h).
#include "core/time_text.h"

#include <cctype>
#include <charconv>

#include "absl/strings/str_format.h"

namespace dgc {

std::string FormatRfc3339(absl::Time time) {
  if (time == absl::InfinitePast()) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

std::string FormatDate(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d", time, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseRfc3339(std::string_view text) {
  absl::Time time;
  std::string error;
  // absl::ParseTime also takes "infinite-future" and surrounding blanks;
  // RFC 3339 starts with the year and ends with Z or an offset's digit.
  bool shaped = !text.empty() &&
                std::isdigit(static_cast<unsigned char>(text.front())) &&
                (text.back() == 'Z' || text.back() == 'z' ||
                 std::isdigit(static_cast<unsigned char>(text.back())));
  if (!shaped ||
      !absl::ParseTime(absl::RFC3339_full, std::string(text), &time, &error)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid time \"%s\": want RFC 3339, e.g. 2026-11-25T22:40:00Z", text));
  }
  return time;
}

absl::StatusOr<absl::Duration> ParsePolicyDuration(std::string_view text) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid duration \"%s\": want a whole number and a unit m, h, d or "
        "w, e.g. 90m, 36h, 7d, 2w",
        text));
  };
  if (text.size() < 2) return invalid();
  int64_t count = 0;
  const char* digits_end = text.data() + text.size() - 1;
  auto [end, error] = std::from_chars(text.data(), digits_end, count);
  // Bounding the count first keeps the products below from overflowing.
  constexpr int64_t kMaxCount = int64_t{100} * 366 * 24 * 60;
  if (error != std::errc() || end != digits_end || count < 0 ||
      count > kMaxCount) {
    return invalid();
  }
  absl::Duration duration;
  switch (text.back()) {
    case 'm':
      duration = absl::Minutes(count);
      break;
    case 'h':
      duration = absl::Hours(count);
      break;
    case 'd':
      duration = absl::Hours(int64_t{24} * count);
      break;
    case 'w':
      duration = absl::Hours(int64_t{24} * 7 * count);
      break;
    default:
      return invalid();
  }
  // More than a century is a typo.
  if (duration > absl::Hours(int64_t{24} * 366 * 100)) return invalid();
  return duration;
}

}  // namespace dgc
