// Terminal-safe text (see safe_text.h).
#include "core/safe_text.h"

#include <vector>

#include "absl/strings/str_format.h"
#include "core/utf8.h"

namespace dgc {

std::string TerminalSafe(std::string_view text, size_t max_chars) {
  // Each piece is one character on screen or one escape, with its width.
  struct Piece {
    std::string text;
    size_t width;
  };
  std::vector<Piece> pieces;
  size_t total = 0;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t length = Utf8CharLength(text, i);
    Piece piece;
    if (c < 0x20 || c == 0x7f) {
      piece.text = absl::StrFormat("\\x%02x", c);
    } else if (c == 0xC2 && length == 2 &&
               static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      // U+0080..U+009F: C1 controls, which some terminals obey.
      piece.text =
          absl::StrFormat("\\u%04x", static_cast<unsigned char>(text[i + 1]));
    } else {
      piece.text = std::string(text.substr(i, length));
    }
    piece.width = piece.text.size() == length ? 1 : piece.text.size();
    total += piece.width;
    pieces.push_back(std::move(piece));
    i += length;
  }
  std::string out;
  if (total <= max_chars) {
    for (const Piece& piece : pieces) out += piece.text;
    return out;
  }
  size_t width = 0;
  for (const Piece& piece : pieces) {
    if (width + piece.width + 1 > max_chars) break;  // room for the "…"
    out += piece.text;
    width += piece.width;
  }
  return out + "…";
}

}  // namespace dgc
