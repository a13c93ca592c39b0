// RFC 3339 times and policy durations (see time_text.h).
#include "core/time_text.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>

#include "absl/strings/str_format.h"

namespace dgc {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ReadDigits reads the `width` decimal digits of `text` at `pos` into
// `value`; false when one of them is not a digit. Requires pos + width <=
// text.size().
bool ReadDigits(std::string_view text, size_t pos, size_t width, int* value) {
  int result = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (!IsDigit(text[i])) return false;
    result = result * 10 + (text[i] - '0');
  }
  *value = result;
  return true;
}

bool IsLeapYear(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// DaysFromCivil counts the days from 1970-01-01 to a proleptic Gregorian
// date (negative before it), for years 0 to 9999 and months 1 to 12
// (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int year, int month, int day) {
  if (month <= 2) --year;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year =
      (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return int64_t{era} * 146097 + day_of_era - 719468;
}

// ParseDockerShape reads the one shape the Docker engine writes,
// "YYYY-MM-DDTHH:MM:SS", a fraction of any length, then Z or an offset
// "+HH:MM", with every field in range; it gives absl::ParseTime's result
// for it, without allocating. nullopt for any other text, valid or not:
// absl::ParseTime decides those.
std::optional<absl::Time> ParseDockerShape(std::string_view text) {
  int year, month, day, hour, minute, second;
  // The 19 bytes before the fraction or the zone, and one for the zone.
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':' || !ReadDigits(text, 0, 4, &year) ||
      !ReadDigits(text, 5, 2, &month) || !ReadDigits(text, 8, 2, &day) ||
      !ReadDigits(text, 11, 2, &hour) || !ReadDigits(text, 14, 2, &minute) ||
      !ReadDigits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  // absl keeps the first 15 digits of a fraction, as femtoseconds.
  int64_t femtoseconds = 0;
  if (text[pos] == '.') {
    const size_t first = ++pos;
    int kept = 0;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      if (kept < 15) {
        femtoseconds = femtoseconds * 10 + (text[pos] - '0');
        ++kept;
      }
    }
    if (pos == first) return std::nullopt;
    for (; kept < 15; ++kept) femtoseconds *= 10;
  }
  std::string_view zone = text.substr(pos);
  int offset_seconds = 0;  // East of UTC.
  if (zone != "Z" && zone != "z") {
    int offset_hours, offset_minutes;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') ||
        zone[3] != ':' || !ReadDigits(zone, 1, 2, &offset_hours) ||
        !ReadDigits(zone, 4, 2, &offset_minutes) || offset_hours > 23 ||
        offset_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = (offset_hours * 60 + offset_minutes) * 60;
    if (zone[0] == '-') offset_seconds = -offset_seconds;
  }
  // absl reads a leap second :60 as the next minute's :00, fraction dropped.
  if (second == 60) femtoseconds = 0;
  const int64_t unix_seconds = DaysFromCivil(year, month, day) * 86400 +
                               hour * 3600 + minute * 60 + second -
                               offset_seconds;
  // absl::Time counts quarters of a nanosecond, rounding femtoseconds down.
  const int64_t quarters = femtoseconds / 250000;
  absl::Time time =
      absl::FromUnixSeconds(unix_seconds) + absl::Nanoseconds(quarters / 4);
  if (quarters % 4 != 0) time += absl::Nanoseconds(quarters % 4) / 4;
  return time;
}

}  // namespace

std::string FormatRfc3339(absl::Time time) {
  if (time == absl::InfinitePast()) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

std::string FormatDate(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d", time, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseRfc3339(std::string_view text) {
  if (std::optional<absl::Time> time = ParseDockerShape(text)) return *time;
  // Other shapes (offsets +0100 or +01, one-digit fields, years of other
  // widths) and every error take absl's path, which defines what is valid.
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
