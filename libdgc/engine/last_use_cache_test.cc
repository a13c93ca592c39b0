// Tests of remembered last uses (engine/last_use_cache.h): a container's
// use of an image is remembered after the container is gone, the newest
// use wins, images the engine no longer has are dropped, and a file that
// is corrupt, of another schema or of another engine is not trusted; and
// where the cache directory is.
#include "engine/last_use_cache.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "core/sha256.h"
#include "core/test_inventory.h"
#include "core/watermark.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;
using test_support::TestEngine;
using ::testing::IsEmpty;

const absl::Time kUsed = absl::FromUnixSeconds(1790000000);

class LastUseCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() /
        ("dgc-last-use-" + std::to_string(::getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  // An engine with image "app:1"; with a container on it started at
  // `started` when given.
  Inventory Engine(std::optional<absl::Time> started,
                   std::string id = "ENGINE") {
    TestEngine engine;
    app_ = engine.AddImage({.tags = {"app:1"}});
    if (started.has_value()) {
      engine.AddContainer({.name = "job",
                           .image_id = app_,
                           .state = "exited",
                           .started_at = *started,
                           .finished_at = *started + absl::Minutes(1)});
    }
    EngineBodies bodies = engine.Bodies();
    bodies.info->id = std::move(id);
    return *BuildInventory(std::move(bodies));
  }

  std::string File(const std::string& engine = "ENGINE") const {
    return (directory_ / ("last-use-" + Sha256Hex(engine) + ".json")).string();
  }

  fs::path directory_;
  std::string app_;
};

TEST_F(LastUseCacheTest, AUseIsRememberedAfterTheContainerIsGone) {
  Inventory with_container = Engine(kUsed);
  ASSERT_TRUE(RememberLastUse(directory_.string(), &with_container).ok());
  EXPECT_TRUE(fs::exists(File()));
  Inventory without = Engine(std::nullopt);
  EXPECT_EQ(ImageLastUse(without, 0), test_support::DefaultCreated());
  ASSERT_TRUE(RememberLastUse(directory_.string(), &without).ok());
  EXPECT_EQ(without.remembered_last_use.at(app_), kUsed);
  EXPECT_EQ(ImageLastUse(without, 0), kUsed);
  // And again on the next run: it stays remembered.
  Inventory later = Engine(std::nullopt);
  ASSERT_TRUE(RememberLastUse(directory_.string(), &later).ok());
  EXPECT_EQ(later.remembered_last_use.at(app_), kUsed);
}

TEST_F(LastUseCacheTest, TheNewestUseWins) {
  Inventory first = Engine(kUsed);
  ASSERT_TRUE(RememberLastUse(directory_.string(), &first).ok());
  Inventory second = Engine(kUsed + absl::Hours(5));
  ASSERT_TRUE(RememberLastUse(directory_.string(), &second).ok());
  Inventory older = Engine(kUsed - absl::Hours(5));
  ASSERT_TRUE(RememberLastUse(directory_.string(), &older).ok());
  EXPECT_EQ(older.remembered_last_use.at(app_), kUsed + absl::Hours(5));
}

TEST_F(LastUseCacheTest, ImagesTheEngineNoLongerHasAreForgotten) {
  Inventory with_container = Engine(kUsed);
  ASSERT_TRUE(RememberLastUse(directory_.string(), &with_container).ok());
  TestEngine other;
  other.AddImage({.id = test_support::Id("other"), .tags = {"other:1"}});
  EngineBodies bodies = other.Bodies();
  bodies.info->id = "ENGINE";
  Inventory without_app = *BuildInventory(std::move(bodies));
  ASSERT_TRUE(RememberLastUse(directory_.string(), &without_app).ok());
  std::ifstream file(File());
  std::string text((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(text.find(app_), std::string::npos) << text;
}

TEST_F(LastUseCacheTest, UntrustworthyFilesAreIgnoredAndRewritten) {
  Inventory with_container = Engine(kUsed);
  ASSERT_TRUE(RememberLastUse(directory_.string(), &with_container).ok());
  for (const std::string& text :
       {std::string("{not json"),
        std::string(R"({"schema":"other/v1","engine":"ENGINE","images":{}})"),
        R"({"schema":"dgc.last-use/v1","engine":"SOMEONE-ELSE","images":{")" +
            app_ + R"(":"2030-01-01T00:00:00Z"}})"}) {
    std::ofstream(File()) << text;
    Inventory without = Engine(std::nullopt);
    ASSERT_TRUE(RememberLastUse(directory_.string(), &without).ok());
    EXPECT_THAT(without.remembered_last_use, IsEmpty()) << text;
  }
}

TEST_F(LastUseCacheTest, NoDirectoryOrNoEngineIdIsLeftAlone) {
  Inventory inventory = Engine(kUsed, /*id=*/"");
  ASSERT_TRUE(RememberLastUse(directory_.string(), &inventory).ok());
  EXPECT_FALSE(fs::exists(directory_));
  Inventory named = Engine(kUsed);
  ASSERT_TRUE(RememberLastUse("", &named).ok());
  EXPECT_THAT(named.remembered_last_use, IsEmpty());
}

TEST(CacheDirectoryTest, XdgCacheHomeFirst) {
  std::map<std::string, std::string> vars = {{"XDG_CACHE_HOME", "/x"},
                                             {"HOME", "/home/u"}};
  auto env = [&](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  EXPECT_EQ(CacheDirectory(env), "/x/docker-gc");
  vars.erase("XDG_CACHE_HOME");
  EXPECT_EQ(CacheDirectory(env), ::geteuid() == 0 ? "/var/cache/docker-gc"
                                                  : "/home/u/.cache/docker-gc");
}

}  // namespace
}  // namespace dgc
