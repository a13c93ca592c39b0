// Tests of the per-image details cache: what is Put is saved and loaded
// back byte for byte, only this run's entries are saved, and a file that
// is corrupt, truncated, of another schema or of another engine is
// ignored; then, through EngineClient::FetchBodies, a warm fetch asks the
// engine for no image's inspect or history, a changed tag set asks for
// that image's inspect again, and a cached body that is not the image's is
// never used.
#include "engine/details_cache.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/accounting.h"
#include "core/inventory.h"
#include "core/test_inventory.h"
#include "engine/engine_client.h"
#include "engine/fake_transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;
using test_support::FakeAnswer;
using test_support::FakeTransport;
using test_support::Id;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kEngine[] = "KBUT:ALXE:R6F3:QN7Y:YQF3:5S3H:MKAP:DWUV";

class DetailsCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        (fs::path(::testing::TempDir()) /
         ::testing::UnitTest::GetInstance()->current_test_info()->name())
            .string();
    fs::remove_all(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  // The one cache file in the directory.
  fs::path CacheFile() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(directory_)) {
      files.push_back(entry.path());
    }
    EXPECT_THAT(files, SizeIs(1));
    return files.empty() ? fs::path() : files.front();
  }
  std::string ReadCacheFile() const {
    std::ifstream in(CacheFile());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void WriteCacheFile(const std::string& text) const {
    std::ofstream(CacheFile(), std::ios::trunc) << text;
  }
  void SaveOne() const {
    DetailsCache cache = DetailsCache::Load(directory_, kEngine);
    cache.Put(Id("a"), {"b:1", "a:1"},
              PaddedBody(R"({"Id":")" + Id("a") + R"(","Size":5})" + "\n"),
              PaddedBody(R"([{"Size":5,"CreatedBy":"RUN x"}])"));
    ASSERT_TRUE(cache.Save().ok());
  }

  std::string directory_;
};

TEST_F(DetailsCacheTest, WhatIsPutIsLoadedBack) {
  SaveOne();
  DetailsCache cache = DetailsCache::Load(directory_, kEngine);
  const DetailsCache::Entry* entry = cache.Find(Id("a"));
  ASSERT_NE(entry, nullptr);
  EXPECT_THAT(entry->tags, ElementsAre("a:1", "b:1"));  // sorted
  EXPECT_EQ(entry->inspect.view(), R"({"Id":")" + Id("a") + R"(","Size":5})");
  EXPECT_EQ(entry->history.view(), R"([{"Size":5,"CreatedBy":"RUN x"}])");
  EXPECT_EQ(cache.Find(Id("b")), nullptr);
}

TEST_F(DetailsCacheTest, OnlyThisRunsEntriesAreSaved) {
  SaveOne();
  DetailsCache cache = DetailsCache::Load(directory_, kEngine);
  ASSERT_NE(cache.Find(Id("a")), nullptr);
  cache.Put(Id("b"), {}, PaddedBody("{}"), PaddedBody("[]"));
  ASSERT_TRUE(cache.Save().ok());
  DetailsCache again = DetailsCache::Load(directory_, kEngine);
  EXPECT_EQ(again.Find(Id("a")), nullptr) << "image a is gone from the engine";
  EXPECT_NE(again.Find(Id("b")), nullptr);
}

TEST_F(DetailsCacheTest, AnUnchangedCacheIsNotWrittenAgain) {
  SaveOne();
  fs::file_time_type written = fs::last_write_time(CacheFile());
  fs::last_write_time(CacheFile(), written - std::chrono::hours(1));
  DetailsCache cache = DetailsCache::Load(directory_, kEngine);
  const DetailsCache::Entry* entry = cache.Find(Id("a"));
  ASSERT_NE(entry, nullptr);
  cache.Put(Id("a"), {"a:1", "b:1"}, entry->inspect, entry->history);
  ASSERT_TRUE(cache.Save().ok());
  EXPECT_EQ(fs::last_write_time(CacheFile()), written - std::chrono::hours(1));
  // A tag more is a change: written again.
  cache.Put(Id("a"), {"a:1", "b:1", "c:1"}, entry->inspect, entry->history);
  ASSERT_TRUE(cache.Save().ok());
  EXPECT_NE(fs::last_write_time(CacheFile()), written - std::chrono::hours(1));
  EXPECT_THAT(DetailsCache::Load(directory_, kEngine).Find(Id("a"))->tags,
              ElementsAre("a:1", "b:1", "c:1"));
}

TEST_F(DetailsCacheTest, AFileThatCannotBeTrustedIsIgnored) {
  SaveOne();
  const std::string good = ReadCacheFile();
  const std::vector<std::string> bad = {
      "",
      "not json",
      good.substr(0, good.size() / 2),  // truncated
      R"({"schema":"dgc.image-details/v9","engine":")" + std::string(kEngine) +
          R"(","images":{}})",
      R"({"schema":"dgc.image-details/v1","engine":")" + std::string(kEngine) +
          R"(","images":{")" + Id("a") + R"(":{"tags":[],"inspect":"x"}}})",
  };
  for (const std::string& text : bad) {
    WriteCacheFile(text);
    DetailsCache cache = DetailsCache::Load(directory_, kEngine);
    EXPECT_EQ(cache.Find(Id("a")), nullptr) << text;
  }
}

TEST_F(DetailsCacheTest, AnotherEnginesCacheIsNotUsed) {
  SaveOne();
  // The file of another engine is another file; and one copied over this
  // engine's name still says whose it is.
  EXPECT_EQ(DetailsCache::Load(directory_, "OTHER").Find(Id("a")), nullptr);
  std::string text = ReadCacheFile();
  text.replace(text.find(kEngine), std::string(kEngine).size(), "OTHER");
  WriteCacheFile(text);
  EXPECT_EQ(DetailsCache::Load(directory_, kEngine).Find(Id("a")), nullptr);
}

// ---- through EngineClient::FetchBodies ----

class CachedFetchTest : public DetailsCacheTest {
 protected:
  void SetUp() override {
    DetailsCacheTest::SetUp();
    transport_.On("GET", "/version",
                  FakeAnswer::Json(R"({"Version":"20.10.24","ApiVersion":)"
                                   R"("1.41","MinAPIVersion":"1.12"})"));
    ASSERT_TRUE(client_.Connect().ok());
    ASSERT_TRUE(test_support::ServeRecordedEngine(transport_, "1.41").ok());
  }
  absl::StatusOr<EngineBodies> Fetch() {
    transport_.ClearRecords();
    return client_.FetchBodies(
        {.system_df = false, .raw = nullptr, .cache_directory = directory_});
  }
  size_t DetailRequests() const {
    size_t count = 0;
    for (const HttpRequest& request : transport_.requests()) {
      if (request.path.starts_with("/v1.41/images/sha256:")) ++count;
    }
    return count;
  }

  FakeTransport transport_;
  EngineClient client_{transport_, test_support::NoWaitRetry()};
};

TEST_F(CachedFetchTest, AWarmFetchAsksForNoImagesDetails) {
  absl::StatusOr<EngineBodies> cold = Fetch();
  ASSERT_TRUE(cold.ok()) << cold.status();
  EXPECT_EQ(DetailRequests(), 2 * cold->images.size());
  absl::StatusOr<EngineBodies> warm = Fetch();
  ASSERT_TRUE(warm.ok()) << warm.status();
  EXPECT_EQ(DetailRequests(), 0u);
  // The same facts either way.
  absl::StatusOr<Inventory> from_cold = BuildInventory(*cold);
  absl::StatusOr<Inventory> from_warm = BuildInventory(*warm);
  ASSERT_TRUE(from_cold.ok() && from_warm.ok());
  ASSERT_EQ(from_cold->images.size(), from_warm->images.size());
  for (size_t i = 0; i < from_cold->images.size(); ++i) {
    const Image& a = from_cold->images[i];
    const Image& b = from_warm->images[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.last_tagged, b.last_tagged);
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_EQ(a.layers, b.layers);
  }
  EXPECT_EQ(TotalLayerBytes(*from_cold), TotalLayerBytes(*from_warm));
}

TEST_F(CachedFetchTest, ATagChangeAsksForThatImagesInspectOnly) {
  ASSERT_TRUE(Fetch().ok());
  // Fill the cache, then list one image with another tag set.
  absl::StatusOr<std::string> list =
      test_support::ReadTestdata("api-1.41/images.json");
  ASSERT_TRUE(list.ok());
  std::string changed = *list;
  size_t at = changed.find("\"tool:2\"");
  ASSERT_NE(at, std::string::npos);
  changed.replace(at, 8, "\"tool:2\",\"tool:latest\"");
  transport_.On("GET", "/v1.41/images/json?all=1", FakeAnswer::Json(changed));
  ASSERT_TRUE(Fetch().ok());
  std::vector<std::string> asked;
  for (const HttpRequest& request : transport_.requests()) {
    if (request.path.starts_with("/v1.41/images/sha256:")) {
      asked.push_back(request.path.substr(request.path.rfind('/')));
    }
  }
  EXPECT_THAT(asked, ElementsAre("/json"));
}

TEST_F(CachedFetchTest, ACachedBodyOfAnotherImageIsNeverUsed) {
  ASSERT_TRUE(Fetch().ok());
  // Swap two images' inspect bodies in the file.
  std::string text = ReadCacheFile();
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.41");
  ASSERT_TRUE(bodies.ok());
  const std::string first = bodies->images[0].id, second = bodies->images[1].id;
  std::string marker = "\"Id\":\"" + first + "\"";
  size_t at = text.find(marker);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, marker.size(), "\"Id\":\"" + second + "\"");
  WriteCacheFile(text);
  absl::StatusOr<EngineBodies> warm = Fetch();
  ASSERT_TRUE(warm.ok()) << warm.status();
  EXPECT_EQ(DetailRequests(), 1u) << "the first image's inspect, asked again";
  EXPECT_EQ(warm->details.at(first).inspect.id, first);
  ASSERT_TRUE(BuildInventory(*warm).ok());
}

}  // namespace
}  // namespace dgc
