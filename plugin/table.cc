// Aligned, terminal-safe text tables (see table.h).
#include "plugin/table.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"

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
