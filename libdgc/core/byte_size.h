// Sizes and percentages as policies write them (SPEC.md §7): "40GB",
// "512MiB", "1000B", "1.5GB" (powers of 1000 for kB, MB, GB, TB; of 1024
// for KiB, MiB, GiB, TiB), and "85%" or "65.5%". Integers throughout: a
// percentage is kept in hundredths of a percent, a size in bytes, so that
// watermark arithmetic is exact.
//
// Example:
//   absl::StatusOr<uint64_t> bytes = dgc::ParseByteSize("1.5GB");
//   // *bytes == 1500000000
//   absl::StatusOr<uint32_t> share = dgc::ParsePercent("65.5%");
//   // *share == 6550
#ifndef DGC_CORE_BYTE_SIZE_H_
#define DGC_CORE_BYTE_SIZE_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace dgc {

// A percentage in hundredths of a percent: 100% is kWholePercent.
inline constexpr uint32_t kWholePercent = 10000;

// ParseByteSize reads a number (whole, or with a decimal fraction) and one
// unit: B, kB, MB, GB, TB, KiB, MiB, GiB or TiB, as written (no space).
// Errors: InvalidArgument naming the text, for another form, a fraction
// that is not a whole number of bytes, or a size over 2^64 - 1 bytes.
absl::StatusOr<uint64_t> ParseByteSize(std::string_view text);

// ParsePercent reads "N%" with at most two decimals, N in (0, 100], and
// returns it in hundredths of a percent. Errors: InvalidArgument naming
// the text.
absl::StatusOr<uint32_t> ParsePercent(std::string_view text);

// ShareOf returns the bytes that `share` (hundredths of a percent) of
// `total` comes to, rounded down.
uint64_t ShareOf(uint64_t total, uint32_t share);

}  // namespace dgc

#endif  // DGC_CORE_BYTE_SIZE_H_
