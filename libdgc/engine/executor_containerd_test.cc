// Unit tests of the Executor on the containerd image store, over a
// FakeTransport that also removes content blobs from a temporary content
// store when the engine "deletes" an image: freed bytes are the drop of
// LayersSize plus the image's blobs that were in the store and went (never
// one that was absent already, nor one that stays), the report says how
// they were measured, an image built on the image since the plan stops
// the delete before any DELETE (that store would delete a parent by ID),
// and untagged parents go one by one without prune (that store's prune
// takes a parent another image builds on), each after the same check.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/inventory.h"
#include "core/plan.h"
#include "core/test_inventory.h"
#include "engine/engine_client.h"
#include "engine/executor.h"
#include "engine/fake_transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;
using test_support::FakeAnswer;
using test_support::FakeTransport;
using test_support::Id;
using test_support::TestEngine;
using test_support::TestImage;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A FakeTransport whose DELETE of `path` removes `files` first, as
// containerd's collector does when the engine deletes an image.
class ContentStoreTransport : public FakeTransport {
 public:
  void RemoveOnDelete(std::string path, std::vector<fs::path> files) {
    delete_path_ = std::move(path);
    files_ = std::move(files);
  }

 protected:
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    if (request.method == "DELETE" && request.path == delete_path_) {
      for (const fs::path& file : files_) fs::remove(file);
    }
    return FakeTransport::Send(request);
  }

 private:
  std::string delete_path_;
  std::vector<fs::path> files_;
};

class ContainerdExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(BlobDirectory());
    TestEngine engine;
    engine.set_containerd_store(true);
    engine.AddImage(TestImage{
        .id = kApp,
        .layers = {{Id("shared layer"), 8192}, {Id("app layer"), 4096}}});
    engine.AddImage(
        TestImage{.id = kBase, .layers = {{Id("shared layer"), 8192}}});
    inventory_ = engine.BuildOrDie();
    inventory_.content_store = root_.string();
    Image& app = inventory_.images[inventory_.FindImage(kApp)];
    app.blobs = {Blob(kApp, 500), Blob(Id("app config"), 600),
                 Blob(Id("app layer blob"), 7000),
                 Blob(Id("shared layer blob"), 5000),
                 Blob(Id("absent blob"), 9000)};
    Image& base = inventory_.images[inventory_.FindImage(kBase)];
    base.blobs = {Blob(kBase, 400), Blob(Id("shared layer blob"), 5000)};
    fs::remove(BlobFile(Id("absent blob")));  // listed, not in the store

    transport_.On("GET", "/version",
                  FakeAnswer::Json(R"({"Version":"26.1.5","ApiVersion":"1.45",)"
                                   R"("MinAPIVersion":"1.24"})"));
    ASSERT_TRUE(client_.Connect().ok());
    transport_.On("GET", Path("/images/" + std::string(kApp) + "/json"),
                  FakeAnswer::Json(absl::StrFormat(
                      R"({"Id":"%s","RepoTags":[],"RepoDigests":[],)"
                      R"("Created":"2026-01-01T00:00:00Z","Size":500,)"
                      R"("RootFS":{"Type":"layers","Layers":[]}})",
                      kApp)));
    transport_.On("GET",
                  Path("/containers/json?all=1&filters=%7B%22ancestor%22%3A%"
                       "5B%22" +
                       std::string(kApp) + "%22%5D%7D"),
                  FakeAnswer::Json("[]"));
    transport_.On("GET", Path("/system/df?type=image"),
                  FakeAnswer::Json(R"({"LayersSize":12288})"));
    transport_.OnAfterCalls(1, "GET", Path("/system/df?type=image"),
                            FakeAnswer::Json(R"({"LayersSize":8192})"));
    transport_.On(
        "DELETE", Path("/images/" + std::string(kApp) + "?noprune=1"),
        FakeAnswer::Json(absl::StrFormat(R"([{"Deleted":"%s"}])", kApp)));
    transport_.RemoveOnDelete(
        Path("/images/" + std::string(kApp) + "?noprune=1"),
        {BlobFile(kApp), BlobFile(Id("app config")),
         BlobFile(Id("app layer blob"))});
  }

  void TearDown() override {
    for (const std::string& line : transport_.RequestLines()) {
      EXPECT_THAT(line, Not(HasSubstr("force"))) << "a request used force";
    }
    fs::remove_all(root_);
  }

  static std::string Path(const std::string& path) { return "/v1.45" + path; }
  fs::path BlobDirectory() const {
    return root_ / "io.containerd.content.v1.content/blobs/sha256";
  }
  fs::path BlobFile(const std::string& digest) const {
    return BlobDirectory() / digest.substr(7);
  }
  // Interns a blob and writes its file of `size` bytes.
  BlobId Blob(const std::string& digest, uint64_t size) {
    std::ofstream(BlobFile(digest)) << std::string(size, 'x');
    return inventory_.InternBlob(digest, size);
  }
  void ListImages(const std::string& body) {
    transport_.On("GET", Path("/images/json?all=1"), FakeAnswer::Json(body));
  }
  ApplyReport ApplyDeleteOfApp(std::vector<std::string> also_removes = {}) {
    Plan plan;
    plan.engine = inventory_.engine;
    Action action;
    action.op = ActionOp::kDelete;
    action.image = kApp;
    action.prune = true;
    action.also_removes = std::move(also_removes);
    action.bytes = 4096 + 500 + 600 + 7000;
    plan.actions = {action};
    plan.summary.reclaimable_bytes = action.bytes;
    Executor executor(client_, inventory_);
    return executor.Apply(plan, {});
  }

  static constexpr char kApp[] =
      "sha256:aaaa000000000000000000000000000000000000000000000000000000000001";
  static constexpr char kBase[] =
      "sha256:bbbb000000000000000000000000000000000000000000000000000000000002";
  fs::path root_;
  Inventory inventory_;
  ContentStoreTransport transport_;
  EngineClient client_{transport_, test_support::NoWaitRetry()};
};

TEST_F(ContainerdExecutorTest, FreedIsTheLayersSizeDropPlusTheBlobsThatWent) {
  ListImages(
      absl::StrFormat(R"([{"Id":"%s","ParentId":"","RepoTags":[],"Size":1},)"
                      R"({"Id":"%s","ParentId":"","RepoTags":[],"Size":1}])",
                      kApp, kBase));
  ApplyReport report = ApplyDeleteOfApp();
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
  // 4096 of snapshots; the manifest, config and own layer blob. Not the
  // shared layer blob (still there), nor the one absent before.
  EXPECT_EQ(report.results[0].freed_bytes, 4096u + 500u + 600u + 7000u);
  EXPECT_EQ(report.summary.freed_bytes, report.summary.predicted_bytes);
  EXPECT_EQ(report.summary.freed_measured_by, "layers_size_and_content_store");
}

TEST_F(ContainerdExecutorTest, WithoutTheContentStoreOnlyTheLayersSizeDrop) {
  inventory_.content_store.clear();
  ListImages(absl::StrFormat(R"([{"Id":"%s","ParentId":"","Size":1}])", kApp));
  ApplyReport report = ApplyDeleteOfApp();
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].freed_bytes, 4096u);
  EXPECT_EQ(report.summary.freed_measured_by, "layers_size");
}

TEST_F(ContainerdExecutorTest, AnImageBuiltOnItSinceThePlanStopsTheDelete) {
  std::string child = Id("child");
  ListImages(absl::StrFormat(
      R"([{"Id":"%s","ParentId":"","Size":1},)"
      R"({"Id":"%s","ParentId":"%s","RepoTags":["kid:1"],"Size":1}])",
      kApp, child, kApp));
  ApplyReport report = ApplyDeleteOfApp();
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_THAT(report.results[0].detail,
              HasSubstr("an image was built on it since the plan (" + child));
  EXPECT_EQ(transport_.Count(
                "DELETE", Path("/images/" + std::string(kApp) + "?noprune=1")),
            0u);
  EXPECT_TRUE(fs::exists(BlobFile(kApp)));
}

TEST_F(ContainerdExecutorTest, UntaggedParentsGoOneByOneNeverByPrune) {
  // That store's prune would take a parent another image builds on.
  std::string parent = Id("parent");
  ListImages(absl::StrFormat(
      R"([{"Id":"%s","ParentId":"%s","Size":1},{"Id":"%s","Size":1}])", kApp,
      parent, parent));
  transport_.On(
      "DELETE", Path("/images/" + parent + "?noprune=1"),
      FakeAnswer::Json(absl::StrFormat(R"([{"Deleted":"%s"}])", parent)));
  ApplyReport report = ApplyDeleteOfApp({parent});
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
  EXPECT_THAT(report.results[0].deleted, ElementsAre(kApp, parent));
  for (const std::string& line : transport_.RequestLines()) {
    if (line.starts_with("DELETE")) {
      EXPECT_THAT(line, HasSubstr("noprune=1"));
    }
  }
}

TEST_F(ContainerdExecutorTest, AParentAnotherImageBuildsOnStays) {
  std::string parent = Id("parent");
  std::string sibling = Id("sibling");
  ListImages(absl::StrFormat(
      R"([{"Id":"%s","ParentId":"%s","Size":1},{"Id":"%s","Size":1}])", kApp,
      parent, parent));
  // Someone builds on the parent while the image is being deleted.
  transport_.OnAfterCalls(
      1, "GET", Path("/images/json?all=1"),
      FakeAnswer::Json(absl::StrFormat(
          R"([{"Id":"%s","Size":1},{"Id":"%s","ParentId":"%s","Size":1}])",
          parent, sibling, parent)));
  ApplyReport report = ApplyDeleteOfApp({parent});
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
  EXPECT_THAT(report.results[0].detail,
              HasSubstr("its untagged parent " + parent.substr(0, 19) +
                        " stays: an image was built on it"));
  EXPECT_EQ(
      transport_.Count("DELETE", Path("/images/" + parent + "?noprune=1")), 0u);
}

}  // namespace
}  // namespace dgc
