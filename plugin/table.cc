// Aligned, terminal-safe text tables (see table.h).
#include "plugin/table.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/utf8.h"

namespace dgc {
namespace {

constexpr size_t kMinWidth = 10;
constexpr size_t kPadding = 3;

// Characters on screen: UTF-8 continuation bytes take no column.
size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(),
      [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

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

Table::Table(std::vector<std::string> header) {
  rows_.push_back(std::move(header));
}

void Table::AddRow(std::vector<std::string> cells) {
  for (std::string& cell : cells) cell = TerminalSafe(cell);
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]) + kPadding);
    }
  }
  for (size_t& width : widths) width = std::max(width, kMinWidth);
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line.append(widths[i] - DisplayWidth(row[i]), ' ');
      }
    }
    out << line << '\n';
  }
}

void PrintWarnings(const std::vector<std::string>& warnings,
                   std::ostream& err) {
  for (const std::string& warning : warnings) {
    err << "WARNING: " << TerminalSafe(warning, 400) << "\n";
  }
}

}  // namespace dgc
