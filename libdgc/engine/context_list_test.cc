// Tests of ListContexts (engine/context_list.h) on a temporary docker
// config directory: "default" alone without contexts, then the stored
// contexts sorted by name, and a broken meta.json named in the error.
#include "engine/context_list.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ContextListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_dir_ =
        fs::path(::testing::TempDir()) /
        ("context_list_test_" + std::to_string(getpid()) + "_" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(config_dir_);
    fs::create_directories(config_dir_);
  }
  void TearDown() override { fs::remove_all(config_dir_); }

  EnvironmentLookup Env() const {
    std::string dir = config_dir_.string();
    return [dir](std::string_view name) -> std::optional<std::string> {
      if (name == "DOCKER_CONFIG") return dir;
      return std::nullopt;
    };
  }

  void WriteMeta(const std::string& name, const std::string& json) {
    fs::path path = config_dir_ / "contexts" / "meta" /
                    ContextDirectoryName(name) / "meta.json";
    fs::create_directories(path.parent_path());
    std::ofstream(path) << json;
  }

  static std::string Meta(const std::string& name) {
    return R"({"Name":")" + name +
           R"(","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///x.sock"}}})";
  }

  fs::path config_dir_;
};

TEST_F(ContextListTest, DefaultAloneWithoutContexts) {
  absl::StatusOr<std::vector<std::string>> names = ListContexts({}, Env());
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("default"));
}

TEST_F(ContextListTest, DefaultThenStoredContextsSorted) {
  WriteMeta("staging", Meta("staging"));
  WriteMeta("prod", Meta("prod"));
  WriteMeta("build-1", Meta("build-1"));
  absl::StatusOr<std::vector<std::string>> names = ListContexts({}, Env());
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("default", "build-1", "prod", "staging"));
}

TEST_F(ContextListTest, ConfigFlagWinsOverEnvironment) {
  GlobalOptions options;
  options.config_dir = (config_dir_ / "other").string();
  WriteMeta("prod", Meta("prod"));
  absl::StatusOr<std::vector<std::string>> names = ListContexts(options, Env());
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("default"));
}

TEST_F(ContextListTest, BrokenMetaIsNamed) {
  WriteMeta("prod", "{not json");
  absl::StatusOr<std::vector<std::string>> names = ListContexts({}, Env());
  ASSERT_FALSE(names.ok());
  EXPECT_EQ(names.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(names.status().message(), HasSubstr("meta.json"));
}

TEST_F(ContextListTest, MetaWithoutNameIsAnError) {
  WriteMeta("prod", R"({"Endpoints":{}})");
  absl::StatusOr<std::vector<std::string>> names = ListContexts({}, Env());
  ASSERT_FALSE(names.ok());
  EXPECT_THAT(names.status().message(), HasSubstr("no Name"));
}

}  // namespace
}  // namespace dgc
