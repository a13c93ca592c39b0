// The containerd image store as a real engine reports it: the bodies of
// testdata/api-1.45-containerd, recorded by capture_api_1.45_containerd.sh
// from trixie's dockerd 26.1.5 (API 1.45) on containerd 1.7.24. Image IDs
// are manifest digests, `Containers` is -1 in the list, the tag moved off
// `other:1` left an untagged record, and LayersSize also counts the
// containers' snapshots. Without the content store (core reads none) the
// snapshots are exact and the content blobs bounded: the truth, from the
// recorded drop of LayersSize and of the content store, lies in the bounds.
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "core/accounting.h"
#include "core/inventory.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kRecording[] = "api-1.45-containerd";
// The record `docker tag tool:2 other:1` left of other's image.
constexpr char kUntaggedRecord[] =
    "sha256:81bd82f406dad11eed3a66685685e638ac6f4960dbc190d8c26283e1903455f5";
constexpr char kTool[] =
    "sha256:1b64f23ddbbc8e222565c11cade29e0a43cdfc47d35e9da646e6178fd6bf2b9a";
constexpr char kApp[] =
    "sha256:ebc20419031afdcd9015fd2364c00d84e741bdbfac0adf1bb6cf23dc4680301b";
// Recorded: /system/df LayersSize before and after deleting the record, and
// the content blobs that went with it (its manifest, 577 bytes, and its
// config, 489; its layer blobs are shared).
constexpr uint64_t kLayersSizeBefore = 2125824;
constexpr uint64_t kLayersSizeAfter = 2101248;
constexpr uint64_t kContentFreed = 577 + 489;

Inventory RecordedInventory() {
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies(kRecording);
  EXPECT_TRUE(bodies.ok()) << bodies.status();
  if (!bodies.ok()) return Inventory{};
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  EXPECT_TRUE(inventory.ok()) << inventory.status();
  return inventory.ok() ? *std::move(inventory) : Inventory{};
}

TEST(ContainerdRecordedTest, IsReadAsTheContainerdStoreWithoutWarnings) {
  Inventory inventory = RecordedInventory();
  EXPECT_TRUE(inventory.engine.containerd_store);
  EXPECT_EQ(inventory.engine.api_version, "1.45");
  ASSERT_EQ(inventory.images.size(), 4u);
  // The snapshots from history add up; LayersSize has the containers' on top.
  EXPECT_THAT(inventory.warnings, IsEmpty());
  EXPECT_LE(TotalLayerBytes(inventory), kLayersSizeBefore);
  // No content store read here: every image's content is a bound.
  EXPECT_FALSE(inventory.ContentKnown());
  for (const Image& image : inventory.images) {
    EXPECT_FALSE(image.blobs_known) << image.id;
    EXPECT_GT(image.content_size, 0) << image.id;
  }
}

TEST(ContainerdRecordedTest, TheUntaggedRecordIsADanglingImage) {
  Inventory inventory = RecordedInventory();
  ImageIndex record = inventory.FindImage(kUntaggedRecord);
  ASSERT_NE(record, kNoImage);
  EXPECT_TRUE(inventory.images[record].dangling());
  // The engine's synthesised `other@<Id>` went with the tag.
  EXPECT_THAT(inventory.images[record].digests, IsEmpty());
}

TEST(ContainerdRecordedTest, ContainersAreFoundThoughTheListSaysMinusOne) {
  Inventory inventory = RecordedInventory();
  ImageIndex tool = inventory.FindImage(kTool);
  ImageIndex app = inventory.FindImage(kApp);
  ASSERT_NE(tool, kNoImage);
  ASSERT_NE(app, kNoImage);
  EXPECT_EQ(inventory.images[tool].containers.size(), 1u);  // job-1, exited
  EXPECT_EQ(inventory.images[app].containers.size(), 1u);   // api-1, created
}

TEST(ContainerdRecordedTest, SnapshotsFreedAreTheEnginesLayersSizeDrop) {
  Inventory inventory = RecordedInventory();
  ImageIndex record = inventory.FindImage(kUntaggedRecord);
  ASSERT_NE(record, kNoImage);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {record}),
            kLayersSizeBefore - kLayersSizeAfter);
}

TEST(ContainerdRecordedTest, ThePlansBoundsHoldWhatTheEngineFreed) {
  Inventory inventory = RecordedInventory();
  absl::StatusOr<Policy> policy = ParsePolicy(
      PaddedBody(std::string(R"({"rules": [{"match": "*", "older_than": "1d"},
                                   {"dangling": true, "older_than": "1d"}]})")),
      "test.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 12, 2, 0, 0, 0),
                                   absl::UTCTimeZone());
  Plan plan = ComputePlan(inventory, *policy, now);
  // The images of both containers stay; both untagged images go.
  std::vector<std::string> deleted;
  for (const Action& action : plan.actions) {
    if (action.op == ActionOp::kDelete) deleted.push_back(action.image);
  }
  EXPECT_THAT(deleted,
              UnorderedElementsAre(
                  kUntaggedRecord,
                  "sha256:32f4dc89225be4e488ce96d297d1d9219867b7cc00a6a4d1fa"
                  "213e2bcb21dded"));
  EXPECT_FALSE(plan.summary.exact);
  for (const Action& action : plan.actions) {
    EXPECT_FALSE(action.exact) << action.image;
    EXPECT_LE(action.bytes, action.bytes_max) << action.image;
  }
  // The record's snapshots are its own whatever goes first: its minimum
  // is the recorded LayersSize drop, and its maximum adds all its content
  // blobs, which holds what the engine freed.
  const Action* record = nullptr;
  for (const Action& action : plan.actions) {
    if (action.image == kUntaggedRecord) record = &action;
  }
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->bytes, kLayersSizeBefore - kLayersSizeAfter);
  EXPECT_GE(record->bytes_max,
            kLayersSizeBefore - kLayersSizeAfter + kContentFreed);
  EXPECT_EQ(
      record->bytes_max,
      record->bytes + static_cast<uint64_t>(
                          inventory.images[inventory.FindImage(kUntaggedRecord)]
                              .content_size));
}

}  // namespace
}  // namespace dgc
