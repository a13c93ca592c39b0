// sha256 digests between their text and their 32 bytes (see digest.h).
#include "core/digest.h"

#include <array>

namespace dgc {
namespace {

constexpr std::string_view kPrefix = "sha256:";
constexpr char kHex[] = "0123456789abcdef";

// The value of each byte as a lower-case hex digit, or -1.
constexpr std::array<int8_t, 256> kHexValue = [] {
  std::array<int8_t, 256> values{};
  values.fill(-1);
  for (int c = '0'; c <= '9'; ++c) values[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) {
    values[c] = static_cast<int8_t>(c - 'a' + 10);
  }
  return values;
}();

}  // namespace

std::optional<Digest> DigestFromText(std::string_view text) {
  if (text.size() != kPrefix.size() + 64 ||
      text.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  text.remove_prefix(kPrefix.size());
  Digest digest;
  for (size_t i = 0; i < digest.bytes.size(); ++i) {
    int high = kHexValue[static_cast<uint8_t>(text[2 * i])];
    int low = kHexValue[static_cast<uint8_t>(text[2 * i + 1])];
    if (high < 0 || low < 0) return std::nullopt;
    digest.bytes[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return digest;
}

std::string DigestText(const Digest& digest) {
  std::string text(kPrefix);
  text.reserve(kPrefix.size() + 64);
  for (uint8_t byte : digest.bytes) {
    text.push_back(kHex[byte >> 4]);
    text.push_back(kHex[byte & 0xf]);
  }
  return text;
}

}  // namespace dgc
