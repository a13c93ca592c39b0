// UTF-8 helpers for code that walks text character by character (globs,
// terminal output).
#ifndef DGC_CORE_UTF8_H_
#define DGC_CORE_UTF8_H_

#include <cstddef>
#include <string_view>

namespace dgc {

// Utf8CharLength returns the length in bytes of the UTF-8 character that
// starts at text[i], or 1 for a byte that starts no complete character.
inline size_t Utf8CharLength(std::string_view text, size_t i) {
  auto c = static_cast<unsigned char>(text[i]);
  size_t length = c < 0x80    ? 1
                  : c >= 0xF0 ? 4
                  : c >= 0xE0 ? 3
                  : c >= 0xC0 ? 2
                              : 1;
  return i + length <= text.size() ? length : 1;
}

}  // namespace dgc

#endif  // DGC_CORE_UTF8_H_
