// Tests of RFC 3339 times and policy durations (core/time_text.h).
#include "core/time_text.h"

#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/string_views.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

absl::Time Utc(int year, int month, int day, int hour, int minute, int second) {
  return absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second),
      absl::UTCTimeZone());
}

std::string Message(const absl::Status& status) {
  return std::string(ToStd(status.message()));
}

// ---- FormatRfc3339 / FormatDate ----

TEST(FormatRfc3339Test, WritesUtcWithWholeSeconds) {
  EXPECT_EQ(FormatRfc3339(Utc(2026, 11, 25, 22, 40, 0)),
            "2026-11-25T22:40:00Z");
}

TEST(FormatRfc3339Test, DropsFractionsOfASecond) {
  EXPECT_EQ(
      FormatRfc3339(Utc(2026, 11, 25, 22, 40, 7) + absl::Milliseconds(999)),
      "2026-11-25T22:40:07Z");
}

TEST(FormatRfc3339Test, UnixEpoch) {
  EXPECT_EQ(FormatRfc3339(absl::UnixEpoch()), "1970-01-01T00:00:00Z");
}

TEST(FormatRfc3339Test, InfinitePastIsEmpty) {
  EXPECT_EQ(FormatRfc3339(absl::InfinitePast()), "");
}

TEST(FormatDateTest, WritesTheUtcCalendarDate) {
  EXPECT_EQ(FormatDate(Utc(2026, 10, 16, 23, 59, 59)), "2026-10-16");
  EXPECT_EQ(FormatDate(Utc(2026, 1, 2, 0, 0, 0)), "2026-01-02");
}

// ---- ParseRfc3339 ----

TEST(ParseRfc3339Test, ReadsUtc) {
  absl::StatusOr<absl::Time> time = ParseRfc3339("2026-11-25T22:40:00Z");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2026, 11, 25, 22, 40, 0));
}

TEST(ParseRfc3339Test, ReadsNanosecondFractions) {
  absl::StatusOr<absl::Time> time =
      ParseRfc3339("2026-11-25T23:13:24.082681774Z");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2026, 11, 25, 23, 13, 24) + absl::Nanoseconds(82681774));
}

TEST(ParseRfc3339Test, ReadsShortFractions) {
  absl::StatusOr<absl::Time> time = ParseRfc3339("2025-11-20T10:00:00.5Z");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2025, 11, 20, 10, 0, 0) + absl::Milliseconds(500));
}

TEST(ParseRfc3339Test, AppliesPositiveOffsets) {
  absl::StatusOr<absl::Time> time = ParseRfc3339("2026-11-26T00:40:00+02:00");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2026, 11, 25, 22, 40, 0));
}

TEST(ParseRfc3339Test, AppliesNegativeOffsetsWithFractions) {
  absl::StatusOr<absl::Time> time =
      ParseRfc3339("2026-11-25T17:10:00.25-05:30");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2026, 11, 25, 22, 40, 0) + absl::Milliseconds(250));
}

TEST(ParseRfc3339Test, RoundTripsWithFormat) {
  absl::Time time = Utc(2024, 2, 29, 12, 0, 1);
  absl::StatusOr<absl::Time> parsed = ParseRfc3339(FormatRfc3339(time));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, time);
}

TEST(ParseRfc3339Test, GoZeroTimeParses) {
  absl::StatusOr<absl::Time> time = ParseRfc3339("0001-01-01T00:00:00Z");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(1, 1, 1, 0, 0, 0));
}

TEST(ParseRfc3339Test, RejectionNamesTheText) {
  absl::StatusOr<absl::Time> time = ParseRfc3339("yesterday");
  ASSERT_FALSE(time.ok());
  EXPECT_EQ(time.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(time.status()),
            "invalid time \"yesterday\": want RFC 3339, e.g. "
            "2026-11-25T22:40:00Z");
}

class ParseRfc3339RejectsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseRfc3339RejectsTest, NotRfc3339) {
  absl::StatusOr<absl::Time> time = ParseRfc3339(GetParam());
  ASSERT_FALSE(time.ok()) << "accepted \"" << GetParam() << "\" as "
                          << absl::FormatTime(*time);
  EXPECT_EQ(time.status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, ParseRfc3339RejectsTest,
    ::testing::Values("", "2026-11-25", "2026-11-25T22:40:00",
                      "2026-11-25T22:40Z", "2026-11-25 22:40:00Z",
                      "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z",
                      "2026-11-25T25:00:00Z", "1764110400",
                      "2026-11-25T22:40:00Zjunk"));

// RFC 3339 has no words for infinity and no surrounding blanks; absl's
// ParseTime accepts "infinite-future", "infinite-past" and whitespace, which
// must not leak through as a valid --now or captured_at.
INSTANTIATE_TEST_SUITE_P(NotTimes, ParseRfc3339RejectsTest,
                         ::testing::Values("infinite-future", "infinite-past",
                                           " 2026-11-25T22:40:00Z",
                                           "2026-11-25T22:40:00Z\n"));

TEST(ParseRfc3339Test, ReadsALeapSecondAsTheNextMinute) {
  absl::StatusOr<absl::Time> time = ParseRfc3339("2026-12-31T23:59:60.5Z");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2027, 1, 1, 0, 0, 0));
}

TEST(ParseRfc3339Test, KeepsQuarterNanosecondsOfLongerFractions) {
  absl::StatusOr<absl::Time> time =
      ParseRfc3339("1970-01-01T00:00:00.0000000017599Z");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, absl::UnixEpoch() + absl::Nanoseconds(7) / 4);
}

// ---- ParseRfc3339 against absl::ParseTime ----
//
// ParseRfc3339 reads the shape the Docker engine writes by hand; what it
// returns for any text must be what absl::ParseTime with RFC3339_full
// returns (behind the first- and last-byte check below), time and error
// alike. Generated times have every field width, fraction length and
// offset form, some fields out of range; each is also mutated byte by
// byte, truncated, and extended.

// AbslRfc3339 is ParseRfc3339 before its hand-written reading: the check of
// the first and last bytes, then absl::ParseTime.
absl::StatusOr<absl::Time> AbslRfc3339(std::string_view text) {
  absl::Time time;
  std::string error;
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

std::string Describe(const absl::StatusOr<absl::Time>& time) {
  if (!time.ok()) return time.status().ToString();
  return absl::FormatTime(absl::RFC3339_full, *time, absl::UTCTimeZone());
}

::testing::AssertionResult ReadsAsAbslDoes(std::string_view text) {
  absl::StatusOr<absl::Time> got = ParseRfc3339(text);
  absl::StatusOr<absl::Time> want = AbslRfc3339(text);
  if (got.status() == want.status() && (!got.ok() || *got == *want)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << absl::CHexEscape(std::string(text)) << "\": got "
         << Describe(got) << ", absl::ParseTime gives " << Describe(want);
}

int Uniform(std::mt19937& rng, int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(rng);
}

// RandomTime writes a time in RFC 3339's shape: mostly four-digit years,
// two-digit fields in range and offsets Z or +01:00, and sometimes not
// (years of other widths, one- or three-digit fields, month 13, day 31 of
// a shorter month, hour 24, a leap second, offsets +01, +0100, +01:00:30).
std::string RandomTime(std::mt19937& rng) {
  auto field = [&](int low, int high, int out_of_range) {
    int value =
        Uniform(rng, 0, 15) == 0 ? out_of_range : Uniform(rng, low, high);
    int width = 2;
    switch (Uniform(rng, 0, 30)) {
      case 0:
        width = 1;
        break;
      case 1:
        width = 3;
        break;
    }
    return absl::StrFormat("%0*d", width, value);
  };
  std::string year = absl::StrFormat("%04d", Uniform(rng, 0, 9999));
  switch (Uniform(rng, 0, 30)) {
    case 0:
      year = absl::StrFormat("%d", Uniform(rng, 0, 999));
      break;
    case 1:
      year = absl::StrFormat("%05d", Uniform(rng, 0, 99999));
      break;
  }
  std::string text = absl::StrFormat(
      "%s-%s-%s%c%s:%s:%s", year, field(1, 12, Uniform(rng, 0, 1) * 13),
      field(1, Uniform(rng, 28, 31), Uniform(rng, 0, 1) * 32),
      Uniform(rng, 0, 9) == 0 ? 't' : 'T', field(0, 23, 24), field(0, 59, 60),
      field(0, 59, Uniform(rng, 60, 61)));
  if (int digits = Uniform(rng, -6, 18); digits > 0) {
    text += '.';
    for (int i = 0; i < digits; ++i) {
      text += static_cast<char>('0' + Uniform(rng, 0, 9));
    }
  }
  std::string sign = Uniform(rng, 0, 1) == 0 ? "+" : "-";
  std::string hours = field(0, 23, 24);
  std::string minutes = field(0, 59, 60);
  switch (Uniform(rng, 0, 9)) {
    case 0:
      return text + "Z";
    case 1:
      return text + "z";
    case 2:
      return text + sign + hours;
    case 3:
      return text + sign + hours + minutes;
    case 4:
      return text + sign + hours + ":" + minutes + ":" + field(0, 59, 60);
    default:
      return text + sign + hours + ":" + minutes;
  }
}

// RandomByte picks one of the bytes of RFC 3339 or a neighbour of them,
// blanks and NUL (where absl::ParseTime stops reading) included.
char RandomByte(std::mt19937& rng) {
  constexpr std::string_view kBytes("0123456789-+:.TtZz \t\0\n\xff", 23);
  return kBytes[Uniform(rng, 0, static_cast<int>(kBytes.size()) - 1)];
}

constexpr int kGeneratedTimes = 20000;
constexpr uint32_t kSeed = 20261125;

TEST(ParseRfc3339PropertyTest, GeneratedTimesReadAsAbslReadsThem) {
  std::mt19937 rng(kSeed);
  int accepted = 0;
  for (int i = 0; i < kGeneratedTimes; ++i) {
    std::string text = RandomTime(rng);
    ASSERT_TRUE(ReadsAsAbslDoes(text));
    if (AbslRfc3339(text).ok()) ++accepted;
  }
  // About half are valid, so times are compared and not only errors.
  EXPECT_GT(accepted, kGeneratedTimes / 3);
}

TEST(ParseRfc3339PropertyTest, MutatedTimesReadAsAbslReadsThem) {
  std::mt19937 rng(kSeed + 1);
  for (int i = 0; i < kGeneratedTimes / 10; ++i) {
    const std::string text = RandomTime(rng);
    for (size_t pos = 0; pos < text.size(); ++pos) {
      std::string mutated = text;
      mutated[pos] = RandomByte(rng);
      ASSERT_TRUE(ReadsAsAbslDoes(mutated));
      mutated[pos] = static_cast<char>(Uniform(rng, 0, 255));
      ASSERT_TRUE(ReadsAsAbslDoes(mutated));
      ASSERT_TRUE(ReadsAsAbslDoes(text.substr(0, pos)));
      ASSERT_TRUE(ReadsAsAbslDoes(text.substr(0, pos) + text.substr(pos + 1)));
      ASSERT_TRUE(ReadsAsAbslDoes(text.substr(0, pos) + RandomByte(rng) +
                                  text.substr(pos)));
    }
    ASSERT_TRUE(ReadsAsAbslDoes(text + RandomByte(rng)));
    ASSERT_TRUE(ReadsAsAbslDoes(text + text));
  }
}

TEST(ParseRfc3339PropertyTest, CornersReadAsAbslReadsThem) {
  for (std::string_view text : {"0000-01-01T00:00:00Z",
                                "0000-02-29T00:00:00Z",
                                "0001-01-01T00:00:00Z",
                                "9999-12-31T23:59:59.999999999Z",
                                "9999-12-31T23:59:60Z",
                                "2024-02-29T12:00:00Z",
                                "2026-02-29T12:00:00Z",
                                "2100-02-29T12:00:00Z",
                                "2000-02-29T12:00:00Z",
                                "2026-11-31T00:00:00Z",
                                "2026-11-25t22:40:00z",
                                "2026-11-25T22:40:00.Z",
                                "2026-11-25T22:40:00.1234567891234567899Z",
                                "2026-11-25T22:40:00+23:59",
                                "2026-11-25T22:40:00-23:59",
                                "2026-11-25T22:40:00+24:00",
                                "2026-11-25T22:40:00-00:00",
                                "2026-11-25T22:40:00+01:0000",
                                "2026-11-25T22:40:00+0100:00",
                                "2026-11-25T22:40:00+01:",
                                "2026-1-5T2:4:0Z",
                                "02026-11-25T22:40:00Z",
                                "292277026596-12-04T15:30:07Z",
                                "292277026596-12-04T15:30:08Z",
                                "99999999999999999999-01-01T00:00:00Z"}) {
    EXPECT_TRUE(ReadsAsAbslDoes(text));
  }
  EXPECT_TRUE(
      ReadsAsAbslDoes(std::string_view("2026-11-25T22:40:00Z\0junkZ", 26)));
}

// ---- ParsePolicyDuration ----

TEST(ParsePolicyDurationTest, ReadsEachUnit) {
  struct Case {
    const char* text;
    absl::Duration want;
  };
  for (const Case& c :
       {Case{"90m", absl::Minutes(90)}, Case{"36h", absl::Hours(36)},
        Case{"7d", absl::Hours(7 * 24)}, Case{"2w", absl::Hours(14 * 24)},
        Case{"1m", absl::Minutes(1)}, Case{"0h", absl::ZeroDuration()},
        Case{"007d", absl::Hours(7 * 24)}}) {
    absl::StatusOr<absl::Duration> duration = ParsePolicyDuration(c.text);
    ASSERT_TRUE(duration.ok()) << c.text << ": " << duration.status();
    EXPECT_EQ(*duration, c.want) << c.text;
  }
}

TEST(ParsePolicyDurationTest, ReadsACenturyOfMinutes) {
  absl::StatusOr<absl::Duration> duration = ParsePolicyDuration("52704000m");
  ASSERT_TRUE(duration.ok()) << duration.status();
  EXPECT_EQ(*duration, absl::Minutes(52704000));
}

TEST(ParsePolicyDurationTest, RejectionNamesTheTextAndTheUnits) {
  absl::StatusOr<absl::Duration> duration = ParsePolicyDuration("7");
  ASSERT_FALSE(duration.ok());
  EXPECT_EQ(duration.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(duration.status()),
            "invalid duration \"7\": want a whole number and a unit m, h, d "
            "or w, e.g. 90m, 36h, 7d, 2w");
}

class ParsePolicyDurationRejectsTest
    : public ::testing::TestWithParam<const char*> {};

TEST_P(ParsePolicyDurationRejectsTest, NotAPolicyDuration) {
  absl::StatusOr<absl::Duration> duration = ParsePolicyDuration(GetParam());
  ASSERT_FALSE(duration.ok()) << "accepted \"" << GetParam() << "\" as "
                              << absl::FormatDuration(*duration);
  EXPECT_EQ(duration.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(duration.status()),
            "invalid duration \"" + std::string(GetParam()) +
                "\": want a whole number and a unit m, h, d or w, e.g. 90m, "
                "36h, 7d, 2w");
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, ParsePolicyDurationRejectsTest,
    ::testing::Values("", "7", "d", "-1d", "1.5h", "+1d", "7D", "7s", "7y",
                      "1h30m", " 7d", "7d ", "7 d", "0x10m", "d7",
                      // Beyond a century of minutes, and beyond int64.
                      "52704001m", "9223372036854775807m",
                      "99999999999999999999d", "18446744073709551617w"));

}  // namespace
}  // namespace dgc
