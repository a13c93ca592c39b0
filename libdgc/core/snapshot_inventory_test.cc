// The one-pass snapshot reader against the reader through EngineBodies:
// the same documents give the same df and plan, byte for byte in JSON, on
// every recorded engine's bodies and on a generated 20,000-image snapshot,
// and the same errors on broken ones.
#include "core/snapshot_inventory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "bench/synthetic_snapshot.h"
#include "core/disk_usage.h"
#include "core/disk_usage_json.h"
#include "core/plan_json.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/snapshot.h"
#include "core/test_inventory.h"

namespace dgc {
namespace {

using ::testing::HasSubstr;

// The df and plan documents of an inventory: everything a person sees.
std::string Documents(const Inventory& inventory, const Policy& policy) {
  Plan plan = ComputePlan(inventory, policy, inventory.captured_at);
  return DiskUsageToJson(inventory, ComputeDiskUsage(inventory), &plan) +
         PlanToJson(plan);
}

Policy PolicyOf(const std::string& json) {
  absl::StatusOr<Policy> policy = ParsePolicy(PaddedBody(json), "gc.json");
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.ok() ? *policy : DefaultPolicy();
}

// Expects both readers to give the same documents for `text`.
void ExpectSameAsThroughBodies(const std::string& text, const Policy& policy) {
  PaddedBody body(text);
  absl::StatusOr<EngineBodies> bodies = ParseSnapshot(body);
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  bool content_in_bodies = bodies->content.has_value();
  absl::StatusOr<Inventory> through_bodies = BuildInventory(*std::move(bodies));
  ASSERT_TRUE(through_bodies.ok()) << through_bodies.status();
  bool has_content = !content_in_bodies;
  absl::StatusOr<Inventory> one_pass =
      BuildInventoryFromSnapshot(body, &has_content);
  ASSERT_TRUE(one_pass.ok()) << one_pass.status();
  EXPECT_EQ(has_content, content_in_bodies);
  EXPECT_EQ(one_pass->layers.ChainIds(), through_bodies->layers.ChainIds());
  EXPECT_EQ(Documents(*one_pass, policy), Documents(*through_bodies, policy));
}

constexpr char kEveryImage[] =
    R"({"rules": [{"match": "*", "older_than": "1m"}]})";
constexpr char kNewestOfEach[] =
    R"({"rules": [{"match": "*", "keep_newest": 1}], "min_age": "0m"})";

class RecordedSnapshotTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RecordedSnapshotTest, OnePassGivesTheSameDfAndPlan) {
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies(GetParam());
  ASSERT_TRUE(raw.ok()) << raw.status();
  ExpectSameAsThroughBodies(SnapshotJson(*raw), PolicyOf(kEveryImage));
  ExpectSameAsThroughBodies(SnapshotJson(*raw), PolicyOf(kNewestOfEach));
  ExpectSameAsThroughBodies(SnapshotJson(*raw), DefaultPolicy());
}

TEST_P(RecordedSnapshotTest, DetailsInAnotherOrderGiveTheSameDfAndPlan) {
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies(GetParam());
  ASSERT_TRUE(raw.ok()) << raw.status();
  std::reverse(raw->details.begin(), raw->details.end());
  ExpectSameAsThroughBodies(SnapshotJson(*raw), PolicyOf(kEveryImage));
}

INSTANTIATE_TEST_SUITE_P(Recorded, RecordedSnapshotTest,
                         ::testing::Values("api-1.41", "api-1.52",
                                           "api-1.45-containerd"));

TEST(GeneratedSnapshotTest, TwentyThousandImagesGiveTheSameDfAndPlan) {
  bench::SyntheticSnapshot snapshot = bench::MakeSyntheticSnapshot(20000);
  ExpectSameAsThroughBodies(snapshot.snapshot,
                            PolicyOf(bench::IncidentLikePolicy()));
}

// ---- errors ----

// A snapshot of `images` (a list body) and `details` (the image_details
// object), otherwise empty.
constexpr char kHead[] =
    R"({"schema": "dgc.snapshot/v1", "version": {"ApiVersion": "1.41"}, )";

std::string SnapshotOf(const std::string& images, const std::string& details) {
  return std::string(kHead) + R"("images": )" + images +
         R"(, "containers": [], "image_details": )" + details + "}";
}

const std::string kId = test_support::Id("an image");

std::string ListEntry(const std::string& id) {
  return R"({"Id": ")" + id + R"(", "Created": 1, "Size": 0})";
}

std::string DetailsOf(const std::string& id, const std::string& inspect_id) {
  return "\"" + id + R"(": {"inspect": {"Id": ")" + inspect_id +
         R"(", "RootFS": {"Layers": []}}, "history": []})";
}

absl::Status OnePassError(const std::string& text) {
  bool has_content = false;
  return BuildInventoryFromSnapshot(PaddedBody(text), &has_content).status();
}

TEST(SnapshotInventoryErrorTest, AnImageWithoutDetails) {
  absl::Status status =
      OnePassError(SnapshotOf("[" + ListEntry(kId) + "]", "{}"));
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_THAT(status.message(), HasSubstr("no inspect and history bodies"));
}

TEST(SnapshotInventoryErrorTest, AnInspectOfAnotherImage) {
  std::string other = test_support::Id("another image");
  absl::Status status = OnePassError(SnapshotOf(
      "[" + ListEntry(kId) + "]", "{" + DetailsOf(kId, other) + "}"));
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_THAT(status.message(), HasSubstr("its inspect body is for " + other));
}

TEST(SnapshotInventoryErrorTest, AnImageListedTwice) {
  absl::Status status =
      OnePassError(SnapshotOf("[" + ListEntry(kId) + "," + ListEntry(kId) + "]",
                              "{" + DetailsOf(kId, kId) + "}"));
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_THAT(status.message(), HasSubstr("listed twice"));
}

TEST(SnapshotInventoryErrorTest, DetailsBeforeTheListAreReadToo) {
  std::string text =
      std::string(kHead) + R"("image_details": {)" + DetailsOf(kId, kId) +
      R"(}, "containers": [], "images": [)" + ListEntry(kId) + "]}";
  bool has_content = true;
  absl::StatusOr<Inventory> inventory =
      BuildInventoryFromSnapshot(PaddedBody(text), &has_content);
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  ASSERT_EQ(inventory->images.size(), 1u);
  EXPECT_EQ(inventory->images[0].id, kId);
  EXPECT_FALSE(has_content);
}

TEST(SnapshotInventoryErrorTest, MalformedJson) {
  absl::Status status = OnePassError(SnapshotOf("[", "{}"));
  EXPECT_TRUE(absl::IsInvalidArgument(status));
}

}  // namespace
}  // namespace dgc
