// Tests of reading containerd's content store (engine/content_store.h): an
// index, its manifests, configs and layer blobs found from an image's ID,
// sizes from the files, blobs shared by digest counted once, missing
// platforms left out, a store that is not the engine's not taken, and
// exact bytes as a result; OCI layouts as `docker load` keeps them (an
// index with platforms and annotations, gzip-compressed layer blobs).
#include "engine/content_store.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/str_format.h"
#include "core/accounting.h"
#include "core/sha256.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;
using test_support::TestEngine;
using ::testing::SizeIs;

class ContentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("dgc-content-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ /
                           "io.containerd.content.v1.content/blobs/sha256");
  }
  void TearDown() override { fs::remove_all(root_); }

  // Stores `content` as a blob; returns its digest.
  std::string Put(const std::string& content) {
    std::string hex = Sha256Hex(content);
    std::ofstream(root_ / "io.containerd.content.v1.content/blobs/sha256" / hex)
        << content;
    return "sha256:" + hex;
  }

  // A manifest of `config` and `layers` (digests), stored; its digest.
  std::string Manifest(const std::string& config,
                       const std::vector<std::string>& layers) {
    std::string items;
    for (const std::string& layer : layers) {
      items += absl::StrFormat(R"(%s{"digest":"%s","size":1})",
                               items.empty() ? "" : ",", layer);
    }
    return Put(absl::StrFormat(
        R"({"schemaVersion":2,"config":{"digest":"%s"},"layers":[%s]})", config,
        items));
  }

  // An inventory of images with these IDs on the containerd store.
  Inventory Images(const std::vector<std::string>& ids) {
    TestEngine engine;
    engine.set_containerd_store(true);
    for (size_t i = 0; i < ids.size(); ++i) {
      engine.AddImage({.id = ids[i],
                       .tags = {absl::StrFormat("app:%d", i)},
                       .layers = {{"sha256:d" + std::to_string(i), 4096}},
                       .size = 4096 + 1000});
    }
    Inventory inventory = engine.BuildOrDie();
    inventory.engine.host = "unix:///run/docker.sock";
    return inventory;
  }

  fs::path root_;
};

TEST_F(ContentStoreTest, AnIndexItsManifestsAndTheirBlobs) {
  std::string shared_layer = Put(std::string(1000, 'x'));
  std::string layer_a = Put(std::string(300, 'a'));
  std::string manifest_a =
      Manifest(Put("{\"config\":\"a\"}"), {shared_layer, layer_a});
  std::string manifest_b = Manifest(Put("{\"config\":\"b\"}"), {shared_layer});
  // An index with a platform whose manifest was never pulled.
  std::string index = Put(absl::StrFormat(
      R"({"manifests":[{"digest":"%s"},{"digest":"sha256:%s"}]})", manifest_a,
      std::string(64, 'f')));
  Inventory inventory = Images({index, manifest_b});
  std::optional<std::string> store = FindContentStore(
      inventory, [&](std::string_view name) -> std::optional<std::string> {
        if (name == "DOCKER_GC_CONTAINERD_ROOT") return root_.string();
        return std::nullopt;
      });
  ASSERT_EQ(store, root_.string());
  ReadContentBlobs(*store, &inventory);
  EXPECT_TRUE(inventory.ContentKnown());
  EXPECT_EQ(inventory.content_store, root_.string());
  // index, manifest a, config a, shared layer, layer a: 5; then b: 3.
  EXPECT_THAT(inventory.images[0].blobs, SizeIs(5));
  EXPECT_THAT(inventory.images[1].blobs, SizeIs(3));
  EXPECT_THAT(inventory.blobs, SizeIs(7));  // the shared layer once
  uint64_t index_size =
      fs::file_size(root_ / "io.containerd.content.v1.content/blobs/sha256" /
                    index.substr(7));
  // Deleting the index image frees its own blobs, not the shared layer.
  uint64_t own =
      index_size +
      fs::file_size(root_ / "io.containerd.content.v1.content/blobs/sha256" /
                    manifest_a.substr(7)) +
      std::string("{\"config\":\"a\"}").size() + 300;
  ImageIndex first = 0;
  EXPECT_EQ(BytesFreedByRemoving(inventory, {&first, 1}), 4096 + own);
}

// The shapes of an OCI image layout `docker load` keeps as they are: an
// index whose entries carry mediaType, platform and annotations, OCI
// manifests, and gzip-compressed layers (binary: counted, never followed).
TEST_F(ContentStoreTest, AnOciIndexWithPlatformsAndGzipLayers) {
  // gzip's magic, then bytes that are not JSON: a compressed layer.
  std::string gzip_amd64 =
      Put(std::string("\x1f\x8b\x08\x00", 4) + std::string(5000, '\x7f'));
  std::string gzip_arm64 =
      Put(std::string("\x1f\x8b\x08\x00", 4) + std::string(7000, '\x01'));
  auto oci_manifest = [&](const std::string& config, const std::string& layer) {
    return Put(absl::StrFormat(
        R"({"config":{"digest":"%s","mediaType":"application/vnd.oci.image.config.v1+json","size":2},)"
        R"("layers":[{"annotations":{"a":"b"},"digest":"%s","mediaType":)"
        R"("application/vnd.oci.image.layer.v1.tar+gzip","size":9}],)"
        R"("mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2})",
        config, layer));
  };
  std::string amd64 =
      oci_manifest(Put(R"({"architecture":"amd64"})"), gzip_amd64);
  std::string arm64 =
      oci_manifest(Put(R"({"architecture":"arm64"})"), gzip_arm64);
  auto oci_index = [&](const std::string& other) {
    return Put(absl::StrFormat(
        R"({"manifests":[{"digest":"%s","mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        R"("platform":{"architecture":"amd64","os":"linux"},"size":1},)"
        R"({"annotations":{"x":"y"},"digest":"%s","platform":{"architecture":)"
        R"("arm64","os":"linux","variant":"v8"},"size":1}],)"
        R"("mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2})",
        amd64, other));
  };
  std::string both = oci_index(arm64);
  // The same host platform; the other's manifest is not in the store.
  std::string partial = oci_index("sha256:" + std::string(64, 'a'));
  Inventory inventory = Images({both, partial});
  ReadContentBlobs(root_.string(), &inventory);
  EXPECT_TRUE(inventory.ContentKnown());
  auto bytes = [&](const Image& image) {
    uint64_t total = 0;
    for (BlobId blob : image.blobs) total += inventory.blobs[blob].size;
    return total;
  };
  auto file_size = [&](const std::string& digest) {
    return fs::file_size(root_ /
                         "io.containerd.content.v1.content/blobs/sha256" /
                         digest.substr(7));
  };
  // Index, then each platform's manifest, config and compressed layer,
  // at the sizes of their files.
  EXPECT_THAT(inventory.images[0].blobs, SizeIs(7));
  EXPECT_EQ(bytes(inventory.images[0]),
            file_size(both) + file_size(amd64) + file_size(arm64) +
                std::string(R"({"architecture":"amd64"})").size() +
                std::string(R"({"architecture":"arm64"})").size() + 5004 +
                7004);
  EXPECT_THAT(inventory.images[1].blobs, SizeIs(4));
  EXPECT_EQ(bytes(inventory.images[1]),
            file_size(partial) + file_size(amd64) +
                std::string(R"({"architecture":"amd64"})").size() + 5004);
  // The host platform's blobs are shared: once in the store.
  EXPECT_THAT(inventory.blobs, SizeIs(8));
}

// A platform whose manifest and config are in the store but whose layers
// are not: what is there counts, what is not takes no space.
TEST_F(ContentStoreTest, APlatformWithoutItsLayersCountsWhatIsThere) {
  std::string config = Put(R"({"architecture":"arm64"})");
  std::string manifest = Manifest(config, {"sha256:" + std::string(64, 'b')});
  std::string index =
      Put(absl::StrFormat(R"({"manifests":[{"digest":"%s"}]})", manifest));
  Inventory inventory = Images({index});
  ReadContentBlobs(root_.string(), &inventory);
  EXPECT_TRUE(inventory.images[0].blobs_known);
  EXPECT_THAT(inventory.images[0].blobs, SizeIs(3));
  EXPECT_EQ(inventory.blob_by_digest.count("sha256:" + std::string(64, 'b')),
            0u);
}

TEST_F(ContentStoreTest, AStoreWithoutTheEnginesImagesIsNotTheEnginesStore) {
  Inventory inventory = Images({"sha256:" + std::string(64, 'e')});
  auto env = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "DOCKER_GC_CONTAINERD_ROOT") return root_.string();
    return std::nullopt;
  };
  EXPECT_EQ(FindContentStore(inventory, env), std::nullopt);
  // Nor from afar, nor on a graph driver.
  Put("x");
  inventory.engine.host = "tcp://10.0.0.5:2376";
  EXPECT_EQ(FindContentStore(inventory, env), std::nullopt);
}

TEST_F(ContentStoreTest, AnImageWhoseContentIsMissingStaysBounded) {
  std::string manifest = Manifest(Put("{}"), {Put("layer")});
  Inventory inventory = Images({manifest, "sha256:" + std::string(64, 'c')});
  ReadContentBlobs(root_.string(), &inventory);
  EXPECT_TRUE(inventory.images[0].blobs_known);
  EXPECT_FALSE(inventory.images[1].blobs_known);
  EXPECT_FALSE(inventory.ContentKnown());
  EXPECT_THAT(
      inventory.warnings,
      ::testing::Contains(::testing::HasSubstr("its bytes are bounds")));
}

}  // namespace
}  // namespace dgc
