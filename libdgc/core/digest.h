// A sha256 digest held as its 32 bytes: the compact, allocation-free key of
// the diff IDs in the layer graph (an engine's text form, "sha256:<hex>",
// is 71 characters).
//
// Example:
//   std::optional<dgc::Digest> digest = dgc::DigestFromText("sha256:5f70…");
//   if (digest) std::string text = dgc::DigestText(*digest);
#ifndef DGC_CORE_DIGEST_H_
#define DGC_CORE_DIGEST_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace dgc {

struct Digest {
  std::array<uint8_t, 32> bytes{};

  friend bool operator==(const Digest& a, const Digest& b) {
    return a.bytes == b.bytes;
  }
  template <typename H>
  friend H AbslHashValue(H hash, const Digest& digest) {
    return H::combine_contiguous(std::move(hash), digest.bytes.data(),
                                 digest.bytes.size());
  }

  // head returns the first 8 bytes as a number: a digest's bytes are
  // uniformly spread, so they suffice to hash one.
  uint64_t head() const {
    uint64_t first = 0;
    std::memcpy(&first, bytes.data(), sizeof first);
    return first;
  }
};

// DigestFromText returns the digest written as "sha256:" and 64 lower-case
// hex digits, or nullopt for any other text (which has no 32-byte form that
// gives the same text back).
std::optional<Digest> DigestFromText(std::string_view text);

// DigestText returns "sha256:" and the digest's 64 lower-case hex digits.
std::string DigestText(const Digest& digest);

}  // namespace dgc

#endif  // DGC_CORE_DIGEST_H_
