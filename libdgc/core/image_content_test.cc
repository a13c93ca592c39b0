// Tests of SetImageContent: content blobs counted once across images, an
// index's other platforms' snapshots taken from what list Size has beyond
// the blobs and the history, shared between images with the same chains,
// and a warning when the figures do not add up.
#include "core/image_content.h"

#include <string>
#include <vector>

#include "core/accounting.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;
using test_support::TestImage;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A containerd-store engine of images with one 4096-byte layer each; an
// image's list Size is `size` (its layer plus its content, as the engine
// counts them).
Inventory ContainerdInventory(const std::vector<int64_t>& sizes) {
  TestEngine engine;
  engine.set_containerd_store(true);
  for (size_t i = 0; i < sizes.size(); ++i) {
    engine.AddImage(
        TestImage{.id = Id("index " + std::to_string(i)),
                  .layers = {{Id("host layer " + std::to_string(i)), 4096}},
                  .size = sizes[i]});
  }
  absl::StatusOr<Inventory> inventory = BuildInventory(engine.Bodies());
  EXPECT_TRUE(inventory.ok()) << inventory.status();
  return inventory.ok() ? *std::move(inventory) : Inventory{};
}

// An index `index_id` of 300 bytes with its host platform's manifest (500),
// config (600) and layer blob (5000), and `other`'s, of the same sizes, when
// `other` is not empty.
ImageContent IndexContent(const std::string& index_id,
                          const std::string& other) {
  ImageContent content;
  content.index_digest = index_id;
  content.blobs = {{index_id, 300},
                   {Id("host manifest " + index_id), 500},
                   {Id("host config " + index_id), 600},
                   {Id("host blob " + index_id), 5000}};
  if (!other.empty()) {
    content.blobs.push_back({Id("other manifest " + other), 500});
    content.blobs.push_back({Id("other config " + other), 600});
    content.blobs.push_back({Id("other blob " + other), 5000});
    content.other_platforms = {{Id("other layer " + other)}};
  }
  return content;
}

TEST(SetImageContentTest, AManifestImagesListSizeIsItsSnapshotsAndBlobs) {
  Inventory inventory = ContainerdInventory({4096 + 1100});
  ImageContent content;
  content.blobs = {{inventory.images[0].id, 500}, {Id("config"), 600}};
  SetImageContent(0, std::move(content), &inventory);
  EXPECT_TRUE(inventory.images[0].blobs_known);
  EXPECT_THAT(inventory.images[0].platform_snapshots, IsEmpty());
  EXPECT_THAT(inventory.warnings, IsEmpty());
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}), 4096u + 1100u);
}

TEST(SetImageContentTest,
     AnIndexsOtherPlatformSnapshotsAreWhatListSizeHasMore) {
  // List Size: both platforms' blobs (not the index) and both snapshots.
  Inventory inventory = ContainerdInventory({6100 + 6100 + 4096 + 8192});
  const std::string id = inventory.images[0].id;
  SetImageContent(0, IndexContent(id, "arm64"), &inventory);
  EXPECT_THAT(inventory.warnings, IsEmpty());
  ASSERT_EQ(inventory.platform_snapshots.size(), 1u);
  EXPECT_EQ(inventory.platform_snapshots[0].size, 8192u);
  EXPECT_THAT(inventory.images[0].platform_snapshots, ElementsAre(0u));
  EXPECT_EQ(TotalLayerBytes(inventory), 4096u + 8192u);
  // Everything goes: both snapshots, every blob, the index too.
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}),
            4096u + 8192u + 300u + 6100u + 6100u);
}

TEST(SetImageContentTest, AnIndexWithoutItsOtherPlatformHasNoMoreSnapshots) {
  Inventory inventory = ContainerdInventory({6100 + 4096});
  SetImageContent(0, IndexContent(inventory.images[0].id, ""), &inventory);
  EXPECT_THAT(inventory.warnings, IsEmpty());
  EXPECT_THAT(inventory.platform_snapshots, IsEmpty());
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}), 4096u + 300u + 6100u);
}

TEST(SetImageContentTest, TheSameOtherPlatformIsSharedByItsImages) {
  int64_t size = 6100 + 6100 + 4096 + 8192;
  Inventory inventory = ContainerdInventory({size, size});
  SetImageContent(0, IndexContent(inventory.images[0].id, "shared"),
                  &inventory);
  SetImageContent(1, IndexContent(inventory.images[1].id, "shared"),
                  &inventory);
  EXPECT_THAT(inventory.warnings, IsEmpty());
  ASSERT_EQ(inventory.platform_snapshots.size(), 1u);
  EXPECT_EQ(TotalLayerBytes(inventory), 4096u + 4096u + 8192u);
  // Deleting one keeps the other platform's snapshot and blobs.
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}), 4096u + 300u + 6100u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0, 1}),
            2 * (4096u + 300u + 6100u) + 8192u + 6100u);
}

TEST(SetImageContentTest, MoreThanItsBlobsAndHistoryWithoutAPlatformIsSaid) {
  Inventory inventory = ContainerdInventory({4096 + 1100 + 28672});
  ImageContent content;
  content.blobs = {{inventory.images[0].id, 500}, {Id("config"), 600}};
  SetImageContent(0, std::move(content), &inventory);
  EXPECT_FALSE(inventory.images[0].layer_sizes_exact);
  EXPECT_EQ(inventory.warnings.size(), 1u);
}

TEST(SetImageContentTest, AClassicBuildsLargerListSizeIsNotAProblem) {
  // The engine's list Size of an image the classic builder made counts its
  // RUN snapshots larger than LayersSize does; the history is right.
  TestEngine engine;
  engine.set_containerd_store(true);
  std::string base = engine.AddImage(
      TestImage{.id = Id("base"), .layers = {{Id("base layer"), 4096}}});
  std::string built =
      engine.AddChild(base, TestImage{.id = Id("built"),
                                      .layers = {{Id("run layer"), 8192}},
                                      .size = 4096 + 8192 + 1100 + 28672});
  absl::StatusOr<Inventory> inventory = BuildInventory(engine.Bodies());
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  ImageIndex index = inventory->FindImage(built);
  ASSERT_NE(inventory->images[index].parent, kNoImage);
  ImageContent content;
  content.blobs = {{built, 500}, {Id("built config"), 600}};
  SetImageContent(index, std::move(content), &*inventory);
  EXPECT_THAT(inventory->warnings, IsEmpty());
  EXPECT_TRUE(inventory->images[index].layer_sizes_exact);
}

TEST(SetImageContentTest, FiguresThatDoNotAddUpAreSaid) {
  // Less than its own blobs and snapshots: the engine counts otherwise.
  Inventory inventory = ContainerdInventory({1000});
  SetImageContent(0, IndexContent(inventory.images[0].id, ""), &inventory);
  EXPECT_FALSE(inventory.images[0].layer_sizes_exact);
  ASSERT_EQ(inventory.warnings.size(), 1u);
  EXPECT_THAT(inventory.warnings[0],
              HasSubstr("layer sizes from history add up to 4096 bytes and "
                        "its content blobs to 6100, but the image is 1000"));
}

}  // namespace
}  // namespace dgc
