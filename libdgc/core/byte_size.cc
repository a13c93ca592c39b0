// Sizes and percentages of policies (see byte_size.h).
#include "core/byte_size.h"

#include <array>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/str_format.h"

namespace dgc {
namespace {

// A decimal number split at its point: "1.25" is {125, 2}.
struct Decimal {
  absl::uint128 digits = 0;  // all digits, the fraction's included
  int fraction_digits = 0;
};

// Reads the leading decimal number of `*text` and removes it. False when
// there is none, or too many digits to be a size.
bool ConsumeDecimal(std::string_view* text, Decimal* out) {
  constexpr int kMaxDigits = 30;
  int digits = 0;
  bool point = false;
  size_t i = 0;
  for (; i < text->size(); ++i) {
    char c = (*text)[i];
    if (c == '.' && !point && digits > 0) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (++digits > kMaxDigits) return false;
    out->digits = out->digits * 10 + static_cast<unsigned>(c - '0');
    if (point) ++out->fraction_digits;
  }
  // "5." has no fraction digits: not a number as policies write them.
  if (digits == 0 || (point && out->fraction_digits == 0)) return false;
  text->remove_prefix(i);
  return true;
}

absl::uint128 PowerOfTen(int exponent) {
  absl::uint128 power = 1;
  for (int i = 0; i < exponent; ++i) power *= 10;
  return power;
}

absl::Status NotASize(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrFormat(
      "\"%s\" %s: want a size such as \"40GB\", \"512MiB\" or \"1000B\" "
      "(units B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)",
      text, why));
}

}  // namespace

absl::StatusOr<uint64_t> ParseByteSize(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 9> kUnits =
      {{{"B", 1},
        {"kB", 1000},
        {"MB", 1000 * 1000},
        {"GB", 1000 * 1000 * 1000},
        {"TB", uint64_t{1000} * 1000 * 1000 * 1000},
        {"KiB", 1024},
        {"MiB", 1024 * 1024},
        {"GiB", 1024 * 1024 * 1024},
        {"TiB", uint64_t{1024} * 1024 * 1024 * 1024}}};
  std::string_view rest = text;
  Decimal number;
  if (!ConsumeDecimal(&rest, &number)) return NotASize(text, "is not a size");
  const uint64_t* unit = nullptr;
  for (const auto& [name, bytes] : kUnits) {
    if (rest == name) unit = &bytes;
  }
  if (unit == nullptr) return NotASize(text, "has no known unit");
  absl::uint128 scaled = number.digits * *unit;
  absl::uint128 divisor = PowerOfTen(number.fraction_digits);
  if (scaled % divisor != 0) {
    return NotASize(text, "is not a whole number of bytes");
  }
  absl::uint128 bytes = scaled / divisor;
  if (absl::Uint128High64(bytes) != 0) return NotASize(text, "is too large");
  return absl::Uint128Low64(bytes);
}

absl::StatusOr<uint32_t> ParsePercent(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"%s\" %s: want a percentage such as \"85%%\" or \"65.5%%\" (above "
        "0, at most 100, two decimals at most)",
        text, why));
  };
  std::string_view rest = text;
  Decimal number;
  if (!ConsumeDecimal(&rest, &number) || rest != "%") {
    return invalid("is not a percentage");
  }
  if (number.fraction_digits > 2) return invalid("has too many decimals");
  absl::uint128 hundredths =
      number.digits * PowerOfTen(2 - number.fraction_digits);
  if (hundredths == 0 || hundredths > kWholePercent) {
    return invalid("is out of range");
  }
  return static_cast<uint32_t>(absl::Uint128Low64(hundredths));
}

uint64_t ShareOf(uint64_t total, uint32_t share) {
  return absl::Uint128Low64(absl::uint128(total) * share / kWholePercent);
}

}  // namespace dgc
