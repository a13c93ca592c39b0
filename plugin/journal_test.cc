// Tests of the journal's stderr (plugin/journal.h): recognising the stream
// $JOURNAL_STREAM names, each line's level and its prefix, lines written
// in pieces, and levels set by a caller.
#include "plugin/journal.h"

#include <sys/stat.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

// A pipe's write end and the $JOURNAL_STREAM value naming it.
class PipeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe(fds_), 0);
    struct stat status {};
    ASSERT_EQ(::fstat(fds_[1], &status), 0);
    device_ = status.st_dev;
    inode_ = status.st_ino;
  }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }

  int fds_[2] = {-1, -1};
  uint64_t device_ = 0;
  uint64_t inode_ = 0;
};

TEST_F(PipeTest, TheStreamJournalStreamNamesIsRecognised) {
  EXPECT_TRUE(
      IsJournalStream(absl::StrFormat("%d:%d", device_, inode_), fds_[1]));
}

TEST_F(PipeTest, AnotherInodeOrDeviceIsNotTheJournal) {
  EXPECT_FALSE(
      IsJournalStream(absl::StrFormat("%d:%d", device_, inode_ + 1), fds_[1]));
  EXPECT_FALSE(
      IsJournalStream(absl::StrFormat("%d:%d", device_ + 1, inode_), fds_[1]));
  // A descriptor that is not open is never the journal.
  EXPECT_FALSE(IsJournalStream(absl::StrFormat("%d:%d", device_, inode_), 999));
}

TEST_F(PipeTest, MalformedValuesAreNotTheJournal) {
  for (const std::string& value :
       {std::string(""), std::string(":"), absl::StrCat(device_),
        absl::StrFormat("%d:", device_), absl::StrFormat(":%d", inode_),
        absl::StrFormat("%d:%dx", device_, inode_),
        absl::StrFormat(" %d:%d", device_, inode_),
        absl::StrFormat("-%d:%d", device_, inode_)}) {
    EXPECT_FALSE(IsJournalStream(value, fds_[1])) << value;
  }
}

TEST(LineLevelTest, LevelsFollowHowDockerGcStartsItsLines) {
  EXPECT_EQ(LineLevel("Error: cannot connect"), LogLevel::kError);
  EXPECT_EQ(LineLevel("WARNING: history does not add up"), LogLevel::kWarning);
  EXPECT_EQ(LineLevel("WARNING! This will delete"), LogLevel::kWarning);
  EXPECT_EQ(LineLevel("DEBUG: GET /v1.41/info 200"), LogLevel::kDebug);
  EXPECT_EQ(LineLevel("Nothing was changed."), LogLevel::kInfo);
  EXPECT_EQ(LineLevel(""), LogLevel::kInfo);
  EXPECT_EQ(LineLevel("error: lower case is not docker gc's"), LogLevel::kInfo);
}

// Writes through a JournalPrefixBuffer into a string, as std::cerr would
// (unitbuf: a sync after every output).
class PrefixTest : public ::testing::Test {
 protected:
  PrefixTest() : buffer_(target_.rdbuf()), stream_(&buffer_) {
    stream_.setf(std::ios::unitbuf);
  }
  std::ostringstream target_;
  JournalPrefixBuffer buffer_;
  std::ostream stream_;
};

TEST_F(PrefixTest, EachLineGetsItsPriority) {
  stream_ << "Error: engine unreachable\n"
          << "WARNING: low disk\n"
          << "DEBUG: GET /info\n"
          << "Total reclaimed space: 0B\n";
  EXPECT_EQ(target_.str(),
            "<3>Error: engine unreachable\n"
            "<4>WARNING: low disk\n"
            "<7>DEBUG: GET /info\n"
            "<6>Total reclaimed space: 0B\n");
}

TEST_F(PrefixTest, ALineWrittenInPiecesGetsOnePrefix) {
  stream_ << "Error: "
          << "cannot write "
          << "x.prom"
          << "\n";
  stream_ << "WARNING: a\nDEBUG: b\n"
          << "c";
  stream_.flush();
  stream_ << "d\n";
  EXPECT_EQ(target_.str(),
            "<3>Error: cannot write x.prom\n"
            "<4>WARNING: a\n<7>DEBUG: b\n<6>cd\n");
}

TEST_F(PrefixTest, AScopeSetsTheLevelOfItsLines) {
  {
    JournalLevelScope scope(stream_, LogLevel::kError);
    stream_ << "docker gc plan: invalid --format\n"
            << "See 'docker gc plan --help'.\n";
  }
  stream_ << "after\n";
  EXPECT_EQ(target_.str(),
            "<3>docker gc plan: invalid --format\n"
            "<3>See 'docker gc plan --help'.\n"
            "<6>after\n");
}

TEST(JournalLevelScopeTest, DoesNothingOnAnOrdinaryStream) {
  std::ostringstream out;
  {
    JournalLevelScope scope(out, LogLevel::kError);
    out << "plain\n";
  }
  EXPECT_EQ(out.str(), "plain\n");
}

TEST(JournalStderrTest, LeavesStderrAloneWithoutJournalStream) {
  std::streambuf* before = std::cerr.rdbuf();
  {
    JournalStderr journal([](std::string_view) -> std::optional<std::string> {
      return std::nullopt;
    });
    EXPECT_EQ(std::cerr.rdbuf(), before);
  }
  {
    JournalStderr journal([](std::string_view name) {
      return name == "JOURNAL_STREAM" ? std::optional<std::string>("1:1")
                                      : std::nullopt;
    });
    EXPECT_EQ(std::cerr.rdbuf(), before);
  }
}

TEST_F(PipeTest, StderrOnTheJournalStreamGetsPrefixesWhileAlive) {
  std::cerr.flush();
  int saved = ::dup(STDERR_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(::dup2(fds_[1], STDERR_FILENO), STDERR_FILENO);
  std::string value = absl::StrFormat("%d:%d", device_, inode_);
  {
    JournalStderr journal([&](std::string_view name) {
      return name == "JOURNAL_STREAM" ? std::optional<std::string>(value)
                                      : std::nullopt;
    });
    std::cerr << "WARNING: w\n"
              << "Error: "
              << "e\n"
              << "partial";
  }
  std::cerr << "\nplain\n";
  std::cerr.flush();
  ASSERT_EQ(::dup2(saved, STDERR_FILENO), STDERR_FILENO);
  ::close(saved);
  ::close(fds_[1]);
  fds_[1] = ::dup(fds_[0]);  // TearDown closes something valid
  char text[256];
  ssize_t got = ::read(fds_[0], text, sizeof text);
  ASSERT_GT(got, 0);
  EXPECT_EQ(std::string(text, static_cast<size_t>(got)),
            "<4>WARNING: w\n<3>Error: e\n<6>partial\nplain\n");
}

}  // namespace
}  // namespace dgc
