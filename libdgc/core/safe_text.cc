// Terminal-safe text (see safe_text.h).
#include "core/safe_text.h"

#include "absl/strings/str_format.h"
#include "core/utf8.h"

namespace dgc {
namespace {

constexpr std::string_view kEllipsis = "…";  // one character on screen

// Whether a terminal would obey `c` rather than show it: C1 controls,
// bidirectional embeddings, overrides, isolates and marks (which reorder
// the rest of the line: "Trojan Source"), and the line and paragraph
// separators.
bool IsInvisibleControl(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
         c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

}  // namespace

std::string TerminalSafe(std::string_view text, size_t max_chars) {
  std::string out;
  size_t width = 0;      // characters on screen so far
  size_t cut_bytes = 0;  // out's size at the last point with room for "…"
  bool cut_set = max_chars == 0;
  for (size_t i = 0; i < text.size();) {
    const Utf8Char c = Utf8Decode(text, i);
    std::string escape;
    if (c.length == 0) {
      escape = absl::StrFormat("\\x%02x", static_cast<unsigned char>(text[i]));
    } else if (c.code_point < 0x20 || c.code_point == 0x7f) {
      escape = absl::StrFormat("\\x%02x", static_cast<unsigned>(c.code_point));
    } else if (IsInvisibleControl(c.code_point)) {
      escape = absl::StrFormat("\\u%04x", static_cast<unsigned>(c.code_point));
    }
    const size_t piece_width = escape.empty() ? 1 : escape.size();
    if (!cut_set && width + piece_width + 1 > max_chars) {
      cut_bytes = out.size();
      cut_set = true;
    }
    if (width + piece_width > max_chars) {
      out.resize(cut_bytes);
      return out.append(kEllipsis);
    }
    if (escape.empty()) {
      out.append(text.substr(i, c.length));
    } else {
      out += escape;
    }
    width += piece_width;
    i += c.length == 0 ? 1 : c.length;
  }
  return out;
}

}  // namespace dgc
