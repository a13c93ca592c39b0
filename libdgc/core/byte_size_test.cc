// Tests of ParseByteSize, ParsePercent and ShareOf (core/byte_size.h):
// every unit, decimals that come to whole bytes and those that do not,
// limits, and the forms that are refused with a message naming the text.
#include "core/byte_size.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(const absl::Status& status) {
  return std::string(status.message());
}

TEST(ParseByteSizeTest, EveryUnit) {
  EXPECT_EQ(*ParseByteSize("1000B"), 1000u);
  EXPECT_EQ(*ParseByteSize("0B"), 0u);
  EXPECT_EQ(*ParseByteSize("2kB"), 2000u);
  EXPECT_EQ(*ParseByteSize("3MB"), 3000000u);
  EXPECT_EQ(*ParseByteSize("40GB"), 40000000000u);
  EXPECT_EQ(*ParseByteSize("1TB"), 1000000000000u);
  EXPECT_EQ(*ParseByteSize("1KiB"), 1024u);
  EXPECT_EQ(*ParseByteSize("512MiB"), 536870912u);
  EXPECT_EQ(*ParseByteSize("2GiB"), 2147483648u);
  EXPECT_EQ(*ParseByteSize("1TiB"), 1099511627776u);
}

TEST(ParseByteSizeTest, DecimalsThatComeToWholeBytes) {
  EXPECT_EQ(*ParseByteSize("1.5GB"), 1500000000u);
  EXPECT_EQ(*ParseByteSize("0.5KiB"), 512u);
  EXPECT_EQ(*ParseByteSize("2.25MiB"), 2359296u);
  EXPECT_EQ(*ParseByteSize("1.000B"), 1u);
}

TEST(ParseByteSizeTest, FractionsOfABytAreRefused) {
  EXPECT_THAT(ErrorOf(ParseByteSize("1.5B").status()),
              HasSubstr("\"1.5B\" is not a whole number of bytes"));
  EXPECT_THAT(ErrorOf(ParseByteSize("0.1KiB").status()),
              HasSubstr("not a whole number of bytes"));
}

TEST(ParseByteSizeTest, TheLargestSizeAndOneBeyond) {
  EXPECT_EQ(*ParseByteSize("18446744073709551615B"),
            std::numeric_limits<uint64_t>::max());
  EXPECT_THAT(ErrorOf(ParseByteSize("18446744073709551616B").status()),
              HasSubstr("too large"));
  EXPECT_THAT(ErrorOf(ParseByteSize("20000000TB").status()),
              HasSubstr("too large"));
}

TEST(ParseByteSizeTest, OtherFormsAreRefusedNamingTheText) {
  for (const char* text :
       {"", "GB", "40", "40 GB", "40gb", "40KB", "40G", "-1GB", "+1GB", "1e3B",
        ".5GB", "5.GB", "1.2.3GB", "40GBs", "１GB"}) {
    absl::StatusOr<uint64_t> size = ParseByteSize(text);
    ASSERT_FALSE(size.ok()) << text;
    EXPECT_THAT(ErrorOf(size.status()),
                HasSubstr("\"" + std::string(text) + "\""));
    EXPECT_THAT(ErrorOf(size.status()), HasSubstr("KiB, MiB, GiB, TiB"));
  }
}

TEST(ParsePercentTest, WholeAndDecimalPercentages) {
  EXPECT_EQ(*ParsePercent("85%"), 8500u);
  EXPECT_EQ(*ParsePercent("65.5%"), 6550u);
  EXPECT_EQ(*ParsePercent("0.01%"), 1u);
  EXPECT_EQ(*ParsePercent("100%"), kWholePercent);
  EXPECT_EQ(*ParsePercent("100.00%"), kWholePercent);
}

TEST(ParsePercentTest, OutOfRangeAndOtherFormsAreRefused) {
  for (const char* text : {"0%", "0.00%", "100.01%", "101%", "85", "85 %", "%",
                           "-5%", "85.123%", "85%%", "abc"}) {
    absl::StatusOr<uint32_t> share = ParsePercent(text);
    ASSERT_FALSE(share.ok()) << text;
    EXPECT_THAT(ErrorOf(share.status()),
                HasSubstr("\"" + std::string(text) + "\""));
  }
}

TEST(ShareOfTest, RoundsDownExactly) {
  EXPECT_EQ(ShareOf(1000, 6500), 650u);
  EXPECT_EQ(ShareOf(999, 6550), 654u);  // 654.345
  EXPECT_EQ(ShareOf(0, 8500), 0u);
  EXPECT_EQ(ShareOf(std::numeric_limits<uint64_t>::max(), kWholePercent),
            std::numeric_limits<uint64_t>::max());
}

}  // namespace
}  // namespace dgc
