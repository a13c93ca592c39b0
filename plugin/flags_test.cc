// Tests of FlagSet, UsageError and IsUsageError (plugin/flags.h): long and
// short flags, =value and attached values, booleans with =false, unknown
// flags, missing values, "--", interspersed arguments, help, and the usage
// text.
#include "plugin/flags.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/string_views.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Message(const absl::Status& status) {
  return std::string(ToStd(status.message()));
}

// The flags of `docker gc plan`-like commands.
class FlagSetTest : public ::testing::Test {
 protected:
  FlagSetTest() : flags_("docker gc plan") {
    flags_.String("format", 0, &format_, "Output format: table or json",
                  "FORMAT");
    flags_.String("policy", 'p', &policy_, "Policy file", "FILE");
    flags_.String("output", 'o', &output_, "Also write the plan to FILE",
                  "FILE");
    flags_.Bool("yes", 'y', &yes_, "Do not prompt");
    flags_.Bool("quiet", 0, &quiet_, "Only print totals");
  }

  absl::StatusOr<std::vector<std::string>> Parse(
      std::vector<std::string> args) {
    return flags_.Parse(args);
  }

  // Checks that `args` fails with a usage error for this command and
  // returns its message.
  std::string UsageErrorOf(std::vector<std::string> args) {
    absl::StatusOr<std::vector<std::string>> parsed = Parse(args);
    EXPECT_FALSE(parsed.ok());
    if (parsed.ok()) return "";
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    std::string command;
    EXPECT_TRUE(IsUsageError(parsed.status(), &command));
    EXPECT_EQ(command, "docker gc plan");
    return Message(parsed.status());
  }

  FlagSet flags_;
  std::string format_ = "table";
  std::string policy_;
  std::string output_;
  bool yes_ = false;
  bool quiet_ = false;
};

TEST_F(FlagSetTest, NoArguments) {
  absl::StatusOr<std::vector<std::string>> args = Parse({});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, IsEmpty());
  EXPECT_EQ(format_, "table");
  EXPECT_FALSE(yes_);
  EXPECT_FALSE(flags_.help_requested());
}

TEST_F(FlagSetTest, LongFlagWithSeparateValue) {
  ASSERT_TRUE(Parse({"--format", "json"}).ok());
  EXPECT_EQ(format_, "json");
}

TEST_F(FlagSetTest, LongFlagWithEqualsValue) {
  ASSERT_TRUE(Parse({"--format=json", "--policy=/etc/docker/gc.json"}).ok());
  EXPECT_EQ(format_, "json");
  EXPECT_EQ(policy_, "/etc/docker/gc.json");
}

TEST_F(FlagSetTest, EqualsValueKeepsFurtherEqualsSigns) {
  ASSERT_TRUE(Parse({"--policy=a=b.json"}).ok());
  EXPECT_EQ(policy_, "a=b.json");
}

TEST_F(FlagSetTest, EmptyEqualsValueIsAValue) {
  ASSERT_TRUE(Parse({"--output="}).ok());
  EXPECT_EQ(output_, "");
  policy_ = "x";
  ASSERT_TRUE(Parse({"-p="}).ok());
  EXPECT_EQ(policy_, "");
}

TEST_F(FlagSetTest, ShortFlagWithSeparateAttachedAndEqualsValue) {
  ASSERT_TRUE(Parse({"-p", "gc.json"}).ok());
  EXPECT_EQ(policy_, "gc.json");
  ASSERT_TRUE(Parse({"-pother.json"}).ok());
  EXPECT_EQ(policy_, "other.json");
  ASSERT_TRUE(Parse({"-p=third.json"}).ok());
  EXPECT_EQ(policy_, "third.json");
}

TEST_F(FlagSetTest, ValueThatLooksLikeAFlagIsTaken) {
  ASSERT_TRUE(Parse({"--output", "--yes"}).ok());
  EXPECT_EQ(output_, "--yes");
  EXPECT_FALSE(yes_);
}

TEST_F(FlagSetTest, LaterValuesWin) {
  ASSERT_TRUE(Parse({"--format", "json", "--format=table"}).ok());
  EXPECT_EQ(format_, "table");
}

TEST_F(FlagSetTest, BoolFlags) {
  ASSERT_TRUE(Parse({"--yes"}).ok());
  EXPECT_TRUE(yes_);
  ASSERT_TRUE(Parse({"--yes=false"}).ok());
  EXPECT_FALSE(yes_);
  ASSERT_TRUE(Parse({"--yes=true"}).ok());
  EXPECT_TRUE(yes_);
  ASSERT_TRUE(Parse({"-y=false"}).ok());
  EXPECT_FALSE(yes_);
  ASSERT_TRUE(Parse({"-y"}).ok());
  EXPECT_TRUE(yes_);
}

TEST_F(FlagSetTest, BoolFlagDoesNotTakeTheNextArgument) {
  absl::StatusOr<std::vector<std::string>> args = Parse({"--yes", "false"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_TRUE(yes_);
  EXPECT_THAT(*args, ElementsAre("false"));
}

TEST_F(FlagSetTest, BoolFlagWithAnotherValueIsAUsageError) {
  EXPECT_EQ(UsageErrorOf({"--yes=maybe"}),
            "invalid argument \"maybe\" for \"--yes\" flag: want true or "
            "false");
  EXPECT_EQ(UsageErrorOf({"--quiet="}),
            "invalid argument \"\" for \"--quiet\" flag: want true or false");
  EXPECT_EQ(UsageErrorOf({"-y=no"}),
            "invalid argument \"no\" for \"-y\" flag: want true or false");
}

TEST_F(FlagSetTest, UnknownLongFlag) {
  EXPECT_EQ(UsageErrorOf({"--force-everything"}),
            "unknown flag: --force-everything");
  EXPECT_EQ(UsageErrorOf({"--formats=json"}), "unknown flag: --formats");
}

TEST_F(FlagSetTest, UnknownShortFlag) {
  EXPECT_EQ(UsageErrorOf({"-x"}), "unknown shorthand flag: 'x' in -x");
  EXPECT_EQ(UsageErrorOf({"-xyz"}), "unknown shorthand flag: 'x' in -xyz");
}

TEST_F(FlagSetTest, MissingValues) {
  EXPECT_EQ(UsageErrorOf({"--format"}), "flag needs an argument: --format");
  EXPECT_EQ(UsageErrorOf({"json", "-o"}), "flag needs an argument: -o");
}

TEST_F(FlagSetTest, FlagsAndArgumentsInterspersed) {
  absl::StatusOr<std::vector<std::string>> args =
      Parse({"check", "--format", "json", "gc.json", "-y", "more"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("check", "gc.json", "more"));
  EXPECT_EQ(format_, "json");
  EXPECT_TRUE(yes_);
}

TEST_F(FlagSetTest, DoubleDashEndsTheFlags) {
  absl::StatusOr<std::vector<std::string>> args =
      Parse({"-y", "--", "--format", "json", "-p", "--"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("--format", "json", "-p", "--"));
  EXPECT_EQ(format_, "table");
  EXPECT_TRUE(yes_);
}

TEST_F(FlagSetTest, SingleDashIsAnArgument) {
  absl::StatusOr<std::vector<std::string>> args = Parse({"-", "-y"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("-"));
  EXPECT_TRUE(yes_);
}

TEST_F(FlagSetTest, InterspersedOffStopsAtTheFirstArgument) {
  flags_.set_interspersed(false);
  absl::StatusOr<std::vector<std::string>> args =
      Parse({"--format", "json", "gc", "plan", "--yes", "-p", "x"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("gc", "plan", "--yes", "-p", "x"));
  EXPECT_EQ(format_, "json");
  EXPECT_FALSE(yes_);
  EXPECT_EQ(policy_, "");
}

TEST_F(FlagSetTest, InterspersedOffStillHonoursDoubleDash) {
  flags_.set_interspersed(false);
  absl::StatusOr<std::vector<std::string>> args = Parse({"-y", "--", "-p"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("-p"));
}

TEST_F(FlagSetTest, HelpIsRequestedByLongAndShortForms) {
  ASSERT_TRUE(Parse({"--help"}).ok());
  EXPECT_TRUE(flags_.help_requested());
  FlagSet other("docker gc df");
  ASSERT_TRUE(other.Parse({"x", "-h"}).ok());
  EXPECT_TRUE(other.help_requested());
}

TEST_F(FlagSetTest, CommandIsKept) {
  EXPECT_EQ(flags_.command(), "docker gc plan");
}

TEST_F(FlagSetTest, UsageListsEveryFlagAligned) {
  EXPECT_EQ(flags_.Usage(),
            "Options:\n"
            "      --format FORMAT   Output format: table or json\n"
            "  -p, --policy FILE     Policy file\n"
            "  -o, --output FILE     Also write the plan to FILE\n"
            "  -y, --yes             Do not prompt\n"
            "      --quiet           Only print totals\n");
}

TEST(FlagSetUsageTest, DefaultValueNameIsString) {
  FlagSet flags("docker gc df");
  std::string from;
  flags.String("from", 0, &from, "Snapshot to read");
  EXPECT_EQ(flags.Usage(),
            "Options:\n"
            "      --from string   Snapshot to read\n");
}

TEST(FlagSetUsageTest, NoFlags) {
  FlagSet flags("docker gc version");
  EXPECT_EQ(flags.Usage(), "Options:\n");
}

// ---- UsageError / IsUsageError ----

TEST(UsageErrorTest, IsInvalidArgumentCarryingTheCommand) {
  absl::Status status = UsageError("docker gc apply", "requires a plan");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "requires a plan");
  std::string command;
  EXPECT_TRUE(IsUsageError(status, &command));
  EXPECT_EQ(command, "docker gc apply");
}

TEST(UsageErrorTest, OtherErrorsAreNotUsageErrors) {
  std::string command = "unchanged";
  EXPECT_FALSE(
      IsUsageError(absl::InvalidArgumentError("bad policy"), &command));
  EXPECT_FALSE(IsUsageError(absl::OkStatus(), &command));
  EXPECT_FALSE(IsUsageError(absl::UnavailableError("no engine"), &command));
  EXPECT_EQ(command, "unchanged");
}

TEST(RepeatedStringTest, KeepsEveryValueAndTheLast) {
  FlagSet flags("docker gc plan");
  std::string last;
  std::vector<std::string> all;
  flags.RepeatedString("context", 'c', &last, &all, "Context", "string");
  ASSERT_TRUE(
      flags.Parse({"--context", "a", "-c", "b", "--context=c", "-cd"}).ok());
  EXPECT_THAT(all, ElementsAre("a", "b", "c", "d"));
  EXPECT_EQ(last, "d");
  EXPECT_FALSE(flags.Parse({"--context"}).ok());
  EXPECT_THAT(flags.Usage(), HasSubstr("-c, --context string"));
}

}  // namespace
}  // namespace dgc
