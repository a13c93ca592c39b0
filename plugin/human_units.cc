// Sizes and ages in the docker CLI's units (see human_units.h).
#include "plugin/human_units.h"

#include <array>
#include <cmath>

#include "absl/strings/str_format.h"

namespace dgc {

std::string HumanSize(uint64_t bytes) {
  static constexpr std::array<const char*, 9> kUnits = {
      "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  double size = static_cast<double>(bytes);
  size_t unit = 0;
  while (size >= 1000.0 && unit + 1 < kUnits.size()) {
    size /= 1000.0;
    ++unit;
  }
  return absl::StrFormat("%.4g%s", size, kUnits[unit]);
}

std::string HumanDuration(absl::Duration duration) {
  int64_t seconds = absl::ToInt64Seconds(duration);
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return absl::StrFormat("%d seconds", seconds);
  int64_t minutes = absl::ToInt64Minutes(duration);
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return absl::StrFormat("%d minutes", minutes);
  int64_t hours = std::llround(absl::ToDoubleHours(duration));
  constexpr int64_t kDay = 24;
  if (hours == 1) return "About an hour";
  if (hours < 2 * kDay) return absl::StrFormat("%d hours", hours);
  if (hours < 14 * kDay) return absl::StrFormat("%d days", hours / kDay);
  if (hours < 60 * kDay) return absl::StrFormat("%d weeks", hours / kDay / 7);
  if (hours < 730 * kDay) {
    return absl::StrFormat("%d months", hours / 24 / 30);
  }
  return absl::StrFormat("%d years", absl::ToInt64Hours(duration) / 24 / 365);
}

std::string HumanAge(absl::Time time, absl::Time now) {
  if (time == absl::InfinitePast()) return "N/A";
  return HumanDuration(now - time) + " ago";
}

}  // namespace dgc
