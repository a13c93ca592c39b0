// Aligned text tables as the docker CLI prints them (columns padded to the
// widest cell plus three spaces, at least 10 wide), with every cell made
// safe for a terminal: control characters escaped, long text shortened.
//
// Example:
//   dgc::Table table({"REPOSITORY", "SIZE"});
//   table.AddRow({"docker-backend", "50MB"});
//   table.Print(std::cout);
#ifndef DGC_PLUGIN_TABLE_H_
#define DGC_PLUGIN_TABLE_H_

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/safe_text.h"

namespace dgc {

class Table {
 public:
  explicit Table(std::vector<std::string> header);

  // AddRow adds one row; cells are made terminal-safe.
  void AddRow(std::vector<std::string> cells);
  // empty reports whether no row was added (the header does not count).
  bool empty() const { return rows_.size() <= 1; }

  // Print writes the header and the rows.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;  // the header first
};

// PrintWarnings writes each of a document's warnings to `err` as a
// "WARNING: …" line, terminal-safe.
void PrintWarnings(const std::vector<std::string>& warnings, std::ostream& err);

}  // namespace dgc

#endif  // DGC_PLUGIN_TABLE_H_
