// UTF-8 helpers for code that walks text character by character (globs,
// terminal output).
#ifndef DGC_CORE_UTF8_H_
#define DGC_CORE_UTF8_H_

#include <cstddef>
#include <string_view>

namespace dgc {

// One decoded UTF-8 character: its length in bytes (0: not valid UTF-8)
// and its code point.
struct Utf8Char {
  size_t length = 0;
  char32_t code_point = 0;
};

// Utf8Decode decodes the character that starts at text[i] (i < size). Its
// length is 0 when the bytes there are not valid UTF-8: a continuation
// byte, a truncated or overlong sequence, a surrogate, or a value above
// U+10FFFF.
inline Utf8Char Utf8Decode(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {1, lead};
  size_t length = 0;
  char32_t code_point = 0;
  char32_t minimum = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code_point = lead & 0x1F, minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code_point = lead & 0x0F, minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return {};
  }
  if (i + length > text.size()) return {};
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return {};
  }
  return {length, code_point};
}

// Utf8CharLength returns the length in bytes of the UTF-8 character that
// starts at text[i], or 1 for a byte that starts no valid character.
inline size_t Utf8CharLength(std::string_view text, size_t i) {
  const size_t length = Utf8Decode(text, i).length;
  return length == 0 ? 1 : length;
}

}  // namespace dgc

#endif  // DGC_CORE_UTF8_H_
