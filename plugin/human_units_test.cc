// Tests of HumanSize, HumanDuration and HumanAge (plugin/human_units.h)
// against the outputs of docker/go-units' HumanSize and HumanDuration.
#include "plugin/human_units.h"

#include <cstdint>
#include <limits>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

TEST(HumanSizeTest, Bytes) {
  EXPECT_EQ(HumanSize(0), "0B");
  EXPECT_EQ(HumanSize(1), "1B");
  EXPECT_EQ(HumanSize(999), "999B");
}

TEST(HumanSizeTest, DecimalUnitsWithFourSignificantDigits) {
  EXPECT_EQ(HumanSize(1000), "1kB");
  EXPECT_EQ(HumanSize(1024), "1.024kB");
  EXPECT_EQ(HumanSize(9500), "9.5kB");
  EXPECT_EQ(HumanSize(1234567), "1.235MB");
  EXPECT_EQ(HumanSize(3478256), "3.478MB");
  EXPECT_EQ(HumanSize(3478256000), "3.478GB");
  EXPECT_EQ(HumanSize(1993359), "1.993MB");
  EXPECT_EQ(HumanSize(20000000000), "20GB");
  EXPECT_EQ(HumanSize(5500000000000), "5.5TB");
}

TEST(HumanSizeTest, RoundingUpStaysInTheSmallerUnitAsGoUnitsDoes) {
  // go-units divides while the size is >= 1000, then formats with %.4g:
  // 999999 bytes is 999.999kB, which %.4g writes as 1000.
  EXPECT_EQ(HumanSize(999999), "1000kB");
  EXPECT_EQ(HumanSize(999499), "999.5kB");
}

TEST(HumanSizeTest, LargestValues) {
  EXPECT_EQ(HumanSize(1000000000000000000), "1EB");
  EXPECT_EQ(HumanSize(std::numeric_limits<uint64_t>::max()), "18.45EB");
}

TEST(HumanDurationTest, Seconds) {
  EXPECT_EQ(HumanDuration(absl::ZeroDuration()), "Less than a second");
  EXPECT_EQ(HumanDuration(absl::Milliseconds(999)), "Less than a second");
  EXPECT_EQ(HumanDuration(absl::Seconds(1)), "1 second");
  EXPECT_EQ(HumanDuration(absl::Seconds(2)), "2 seconds");
  EXPECT_EQ(HumanDuration(absl::Seconds(59)), "59 seconds");
}

TEST(HumanDurationTest, Minutes) {
  EXPECT_EQ(HumanDuration(absl::Seconds(60)), "About a minute");
  EXPECT_EQ(HumanDuration(absl::Seconds(119)), "About a minute");
  EXPECT_EQ(HumanDuration(absl::Minutes(2)), "2 minutes");
  EXPECT_EQ(HumanDuration(absl::Minutes(59) + absl::Seconds(59)), "59 minutes");
}

TEST(HumanDurationTest, HoursRoundToTheNearest) {
  EXPECT_EQ(HumanDuration(absl::Minutes(60)), "About an hour");
  EXPECT_EQ(HumanDuration(absl::Minutes(89)), "About an hour");
  EXPECT_EQ(HumanDuration(absl::Minutes(90)), "2 hours");
  EXPECT_EQ(HumanDuration(absl::Hours(47)), "47 hours");
}

TEST(HumanDurationTest, DaysWeeksMonthsYears) {
  EXPECT_EQ(HumanDuration(absl::Hours(48)), "2 days");
  EXPECT_EQ(HumanDuration(absl::Hours(72)), "3 days");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 13)), "13 days");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 14)), "2 weeks");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 59)), "8 weeks");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 60)), "2 months");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 150)), "5 months");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 729)), "24 months");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 365 * 2)), "2 years");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 365 * 10 + 24 * 100)), "10 years");
}

TEST(HumanDurationTest, NegativeDurationsCountAsZero) {
  EXPECT_EQ(HumanDuration(-absl::Hours(5)), "Less than a second");
}

TEST(HumanAgeTest, AgeAtNowEndsWithAgo) {
  absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 11, 25, 22, 40, 0),
                                   absl::UTCTimeZone());
  EXPECT_EQ(HumanAge(now - absl::Hours(24 * 21), now), "3 weeks ago");
  EXPECT_EQ(HumanAge(now - absl::Minutes(30), now), "30 minutes ago");
  EXPECT_EQ(HumanAge(now, now), "Less than a second ago");
  // A time after `now` (clock skew) is not a negative age.
  EXPECT_EQ(HumanAge(now + absl::Hours(1), now), "Less than a second ago");
}

TEST(HumanAgeTest, UnknownTimeIsNotAvailable) {
  EXPECT_EQ(HumanAge(absl::InfinitePast(), absl::UnixEpoch()), "N/A");
}

}  // namespace
}  // namespace dgc
