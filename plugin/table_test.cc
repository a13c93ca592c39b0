// Tests of Table (plugin/table.h): column alignment as the docker CLI
// prints it (widest cell plus 3 spaces, at least 10), UTF-8 width, and
// cells made safe for a terminal.
#include "plugin/table.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace dgc {
namespace {

std::string Printed(const Table& table) {
  std::ostringstream out;
  table.Print(out);
  return out.str();
}

TEST(TableTest, ColumnsAreTheWidestCellPlusThreeSpaces) {
  Table table({"REPOSITORY", "SIZE", "UNIQUE"});
  table.AddRow({"onai-integrator-login-main-api", "1.235MB", "0B"});
  table.AddRow({"docker-backend", "50MB", "12kB"});
  EXPECT_EQ(Printed(table),
            "REPOSITORY                       SIZE      UNIQUE\n"
            "onai-integrator-login-main-api   1.235MB   0B\n"
            "docker-backend                   50MB      12kB\n");
}

TEST(TableTest, ColumnsAreAtLeastTenWide) {
  Table table({"A", "B", "C"});
  table.AddRow({"1", "22", "333"});
  EXPECT_EQ(Printed(table),
            "A         B         C\n"
            "1         22        333\n");
}

TEST(TableTest, SevenCharacterCellGetsExactlyTheMinimumWidth) {
  // 7 + 3 = 10: the padding and the minimum agree.
  Table table({"1234567", "X"});
  EXPECT_EQ(Printed(table), "1234567   X\n");
  Table wider({"12345678", "X"});
  EXPECT_EQ(Printed(wider), "12345678   X\n");
}

TEST(TableTest, TheLastColumnIsNotPadded) {
  Table table({"NAME", "LONGEST LAST COLUMN"});
  table.AddRow({"a", "b"});
  EXPECT_EQ(Printed(table),
            "NAME      LONGEST LAST COLUMN\n"
            "a         b\n");
}

TEST(TableTest, Utf8CellsAreAlignedByCharactersNotBytes) {
  Table table({"NAME", "SIZE"});
  table.AddRow({"caf\xc3\xa9-\xe2\x9c\x93-image", "1kB"});
  table.AddRow({"cafe-x-image", "2kB"});
  EXPECT_EQ(Printed(table),
            "NAME           SIZE\n"
            "caf\xc3\xa9-\xe2\x9c\x93-image   1kB\n"
            "cafe-x-image   2kB\n");
}

TEST(TableTest, HeaderOnly) {
  Table table({"IMAGE ID", "SIZE"});
  EXPECT_EQ(Printed(table), "IMAGE ID   SIZE\n");
}

TEST(TableTest, EmptyUntilARowIsAdded) {
  // The header is not a row: plan_table.cc skips a rule's section when its
  // table is empty().
  Table table({"IMAGE ID", "SIZE"});
  EXPECT_TRUE(table.empty());
  table.AddRow({"x", "y"});
  EXPECT_FALSE(table.empty());
}

TEST(TableTest, ShortRowsPrintWhatTheyHave) {
  Table table({"A", "B", "C"});
  table.AddRow({"only"});
  EXPECT_EQ(Printed(table),
            "A         B         C\n"
            "only\n");
}

TEST(TableTest, CellsAreMadeTerminalSafe) {
  Table table({"REPOSITORY", "TAG"});
  table.AddRow({"evil\x1b[31mred", "a\nb"});
  EXPECT_EQ(Printed(table),
            "REPOSITORY        TAG\n"
            "evil\\x1b[31mred   a\\x0ab\n");
}

}  // namespace
}  // namespace dgc
