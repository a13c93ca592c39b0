// Tests of the audit log (plugin/audit_log.h): records appended whole, one
// line each, and a torn last line (an earlier run cut off mid-record) found
// where it starts, reported, and never glued onto by the next record.
#include "plugin/audit_log.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::HasSubstr;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() /
        ("dgc-audit-test-" + std::to_string(::getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
    path_ = (directory_ / "audit.log").string();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void Write(const std::string& text) {
    std::ofstream(path_, std::ios::binary) << text;
  }
  std::string Read() const {
    std::ifstream file(path_, std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  std::filesystem::path directory_;
  std::string path_;
};

TEST_F(AuditLogTest, CreatesTheFileAndAppendsOneLinePerRecord) {
  absl::StatusOr<AuditLog> log = AuditLog::Open(path_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_FALSE(log->torn().has_value());
  ASSERT_TRUE(log->Append(R"({"n":1})").ok());
  ASSERT_TRUE(log->Append(R"({"n":2})").ok());
  EXPECT_EQ(Read(), "{\"n\":1}\n{\"n\":2}\n");
}

TEST_F(AuditLogTest, AppendsAfterCompleteLines) {
  Write("{\"earlier\":1}\n");
  absl::StatusOr<AuditLog> log = AuditLog::Open(path_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_FALSE(log->torn().has_value());
  ASSERT_TRUE(log->Append(R"({"n":1})").ok());
  EXPECT_EQ(Read(), "{\"earlier\":1}\n{\"n\":1}\n");
}

TEST_F(AuditLogTest, FindsATornLastLineAndStartsOnANewLine) {
  Write("{\"earlier\":1}\n{\"op\":\"delete\",\"ima");
  absl::StatusOr<AuditLog> log = AuditLog::Open(path_);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(log->torn().has_value());
  EXPECT_EQ(log->torn()->offset, 14u);
  EXPECT_EQ(log->torn()->size, 19u);
  ASSERT_TRUE(log->Append(R"({"n":1})").ok());
  ASSERT_TRUE(log->Append(R"({"n":2})").ok());
  EXPECT_EQ(
      Read(),
      "{\"earlier\":1}\n{\"op\":\"delete\",\"ima\n{\"n\":1}\n{\"n\":2}\n");
}

TEST_F(AuditLogTest, AFileOfOneTornLineStartsAtZero) {
  Write("{\"op\":");
  absl::StatusOr<AuditLog> log = AuditLog::Open(path_);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(log->torn().has_value());
  EXPECT_EQ(log->torn()->offset, 0u);
  EXPECT_EQ(log->torn()->size, 6u);
}

TEST_F(AuditLogTest, FindsTheStartOfATornLineLongerThanOneRead) {
  // The end of the file is read 4 KiB at a time.
  std::string head = "{\"earlier\":1}\n";
  std::string torn = "{\"detail\":\"" + std::string(10000, 'x');
  Write(head + torn);
  absl::StatusOr<AuditLog> log = AuditLog::Open(path_);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(log->torn().has_value());
  EXPECT_EQ(log->torn()->offset, head.size());
  EXPECT_EQ(log->torn()->size, torn.size());
}

TEST_F(AuditLogTest, AZeroFilledTailIsTorn) {
  // What a power loss can leave: the file's size grew, its data did not.
  Write(std::string("{\"n\":1}\n") + std::string(5, '\0'));
  absl::StatusOr<AuditLog> log = AuditLog::Open(path_);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(log->torn().has_value());
  EXPECT_EQ(log->torn()->offset, 8u);
  EXPECT_EQ(log->torn()->size, 5u);
}

TEST_F(AuditLogTest, ALineTornAfterOpenIsNotGluedOnto) {
  // Another writer cut off between this run's open and its first record.
  absl::StatusOr<AuditLog> log = AuditLog::Open(path_);
  ASSERT_TRUE(log.ok()) << log.status();
  std::ofstream(path_, std::ios::app) << "{\"other\":";
  ASSERT_TRUE(log->Append(R"({"n":1})").ok());
  EXPECT_EQ(Read(), "{\"other\":\n{\"n\":1}\n");
}

TEST_F(AuditLogTest, TheWarningNamesTheLogTheOffsetAndTheSize) {
  std::string warning = TornLineWarning("/var/log/gc.jsonl", TornLine{14, 19});
  EXPECT_THAT(warning, HasSubstr("WARNING: the audit log /var/log/gc.jsonl "
                                 "ends in a torn line: 19 bytes at byte "
                                 "offset 14 without a newline"));
  EXPECT_EQ(warning.back(), '\n');
}

TEST_F(AuditLogTest, OpenErrorsNameTheFile) {
  std::string missing = (directory_ / "no-such-dir" / "audit.log").string();
  absl::StatusOr<AuditLog> log = AuditLog::Open(missing);
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(),
              HasSubstr("cannot open the audit log " + missing));
}

}  // namespace
}  // namespace dgc
