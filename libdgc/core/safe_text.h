// Text from outside (engine answers, image names, policy fields, file
// names) made safe to show on a terminal and in one-line messages: control
// characters escaped so they cannot move the cursor or recolour a screen,
// and long text cut. The one sanitiser of libdgc and docker-gc.
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

// TerminalSafe escapes control characters (C0 and DEL as \xNN, C1 as
// \u00NN) and shortens the result to at most `max_chars` characters on
// screen, the last of them "…" when cut.
std::string TerminalSafe(std::string_view text, size_t max_chars = 80);

}  // namespace dgc

#endif  // DGC_CORE_SAFE_TEXT_H_
