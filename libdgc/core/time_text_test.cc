// Tests of RFC 3339 times and policy durations (core/time_text.h).
#include "core/time_text.h"

#include <string>

#include "absl/status/status.h"
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
