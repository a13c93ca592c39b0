// Text from outside (engine answers, image names, policy fields, file
// names) made safe to show on a terminal and in one-line messages: control
// characters, bidirectional overrides and invalid UTF-8 escaped so they
// cannot move the cursor, recolour a screen or reorder a line, and long
// text cut. The one sanitiser of libdgc and docker-gc.
//
// Example:
//   dgc::TerminalSafe("a\x1b[2Jb")       // "a\\x1b[2Jb"
//   dgc::TerminalSafe(std::string(100, 'x'), 10)  // "xxxxxxxxx…"
#ifndef DGC_CORE_SAFE_TEXT_H_
#define DGC_CORE_SAFE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace dgc {

// TerminalSafe escapes what a terminal would obey instead of showing: C0
// controls and DEL as \xNN, bytes that are not valid UTF-8 as \xNN, C1
// controls, bidirectional controls (U+061C, U+200E, U+200F,
// U+202A..U+202E, U+2066..U+2069) and U+2028/U+2029 as \uNNNN. It
// shortens the result to at most `max_chars` characters on screen (an
// escape counts its length), the last of them "…" when cut; the work is
// bounded by `max_chars`, not by the length of `text`.
std::string TerminalSafe(std::string_view text, size_t max_chars = 80);

}  // namespace dgc

#endif  // DGC_CORE_SAFE_TEXT_H_
