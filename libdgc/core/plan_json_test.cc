// Tests of the dgc.plan/v1 document (core/plan_json.h): PlanToJson then
// ParsePlan keeps the actions, engine, summary, kept images and times of a
// computed plan; ParsePlan rejects another schema, an unknown op, an untag
// without references, a bad image ID and a missing "actions" with exact
// messages.
#include "core/plan_json.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/string_views.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const absl::Time kNow = test_support::DefaultCapturedAt();

absl::Time Date(int month, int day) {
  return absl::FromCivil(absl::CivilSecond(2026, month, day, 12, 0, 0),
                         absl::UTCTimeZone());
}

// A plan with every kind of entry: an untag, deletes (one with a pruned
// intermediate and several refs), kept images with and without protection.
Plan SamplePlan() {
  TestEngine engine;
  engine.set_host("unix:///run/user/1000/docker.sock");
  engine.set_api_version("1.41");
  engine.set_storage_driver("overlay2");
  std::string step =
      engine.AddImage({.id = Id("step"),
                       .layers = {{Id("base"), 1000}, {Id("s"), 5}},
                       .created = Date(9, 1)});
  engine.AddChild(step, {.tags = {"app:1", "app:old"},
                         .layers = {{Id("a"), 10}},
                         .created = Date(9, 2)});
  engine.AddImage({.tags = {"app:2", "keep:2"},
                   .layers = {{Id("base"), 1000}, {Id("k"), 20}},
                   .created = Date(9, 3)});
  std::string used = engine.AddImage(
      {.tags = {"app:3"}, .layers = {{Id("u"), 30}}, .created = Date(9, 4)});
  engine.AddImage({.layers = {{Id("d"), 40}}, .created = Date(9, 5)});
  engine.AddContainer({.name = "web", .image_id = used, .state = "exited"});
  Inventory inventory = engine.BuildOrDie();
  absl::StatusOr<Policy> policy = ParsePolicy(PaddedBody(R"({"rules": [
      {"name": "legacy", "match": "app", "older_than": "7d"},
      {"name": "dangling", "dangling": true, "older_than": "1d"}]})"),
                                              "/etc/docker/gc.json");
  EXPECT_TRUE(policy.ok()) << policy.status();
  Plan plan = ComputePlan(inventory, *policy, kNow);
  plan.warnings.push_back("image sha256:x: history does not add up");
  return plan;
}

absl::StatusOr<Plan> Parse(std::string_view json) {
  return ParsePlan(PaddedBody(json));
}

std::string ErrorOf(std::string_view json) {
  absl::StatusOr<Plan> plan = Parse(json);
  EXPECT_FALSE(plan.ok()) << json << " parsed";
  if (plan.ok()) return "";
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(ToStd(plan.status().message()));
}

const std::string kImage = Id("an image");

// A document with one action object `action`.
std::string WithAction(std::string_view action) {
  return std::string(R"({"schema": "dgc.plan/v1", "actions": [)") +
         std::string(action) + "]}";
}

TEST(PlanJsonTest, SamplePlanHasEveryKindOfEntry) {
  Plan plan = SamplePlan();
  ASSERT_EQ(plan.actions.size(), 3u);
  EXPECT_EQ(plan.actions[0].op, ActionOp::kUntag);
  EXPECT_EQ(plan.actions[1].op, ActionOp::kDelete);
  EXPECT_EQ(plan.actions[2].op, ActionOp::kDelete);
  EXPECT_FALSE(plan.actions[1].also_removes.empty() &&
               plan.actions[2].also_removes.empty());
  EXPECT_EQ(plan.kept.size(), 2u);
}

TEST(PlanJsonTest, RoundTripKeepsEverything) {
  Plan plan = SamplePlan();
  std::string json = PlanToJson(plan);
  EXPECT_THAT(json, HasSubstr("\"schema\": \"dgc.plan/v1\""));
  EXPECT_EQ(json.back(), '\n');

  absl::StatusOr<Plan> back = Parse(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->engine.host, "unix:///run/user/1000/docker.sock");
  EXPECT_EQ(back->engine.host, plan.engine.host);
  EXPECT_EQ(back->engine.api_version, plan.engine.api_version);
  EXPECT_EQ(back->engine.server_version, plan.engine.server_version);
  EXPECT_EQ(back->engine.storage_driver, "overlay2");
  EXPECT_EQ(back->engine.id, plan.engine.id);
  EXPECT_EQ(back->now, kNow);
  EXPECT_EQ(back->policy_source, "/etc/docker/gc.json");
  EXPECT_EQ(back->warnings, plan.warnings);

  EXPECT_EQ(back->summary.images, plan.summary.images);
  EXPECT_EQ(back->summary.deletes, plan.summary.deletes);
  EXPECT_EQ(back->summary.untags, plan.summary.untags);
  EXPECT_EQ(back->summary.kept, plan.summary.kept);
  EXPECT_EQ(back->summary.reclaimable_bytes, plan.summary.reclaimable_bytes);
  EXPECT_EQ(back->summary.naive_bytes, plan.summary.naive_bytes);
  EXPECT_EQ(back->summary.deletes, 2u);
  EXPECT_EQ(back->summary.untags, 1u);

  ASSERT_EQ(back->actions.size(), plan.actions.size());
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& want = plan.actions[i];
    const Action& got = back->actions[i];
    EXPECT_EQ(got.op, want.op) << i;
    EXPECT_EQ(got.image, want.image) << i;
    EXPECT_EQ(got.refs, want.refs) << i;
    EXPECT_EQ(got.rule, want.rule) << i;
    EXPECT_EQ(got.reason, want.reason) << i;
    EXPECT_EQ(got.bytes, want.bytes) << i;
    EXPECT_EQ(got.also_removes, want.also_removes) << i;
    EXPECT_EQ(got.created, want.created) << i;
    EXPECT_EQ(got.size, want.size) << i;
  }
  ASSERT_EQ(back->kept.size(), plan.kept.size());
  for (size_t i = 0; i < plan.kept.size(); ++i) {
    const KeptImage& want = plan.kept[i];
    const KeptImage& got = back->kept[i];
    EXPECT_EQ(got.image, want.image) << i;
    EXPECT_EQ(got.refs, want.refs) << i;
    EXPECT_EQ(got.rule, want.rule) << i;
    EXPECT_EQ(got.reason, want.reason) << i;
    EXPECT_EQ(got.is_protected, want.is_protected) << i;
    EXPECT_EQ(got.created, want.created) << i;
  }

  // Writing the parsed plan again gives the same document.
  EXPECT_EQ(PlanToJson(*back), json);
}

TEST(PlanJsonTest, MinimalDocumentParses) {
  absl::StatusOr<Plan> plan = Parse(WithAction(
      R"({"op": "delete", "image": ")" + kImage + R"(", "refs": ["a:1"]})"));
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->actions.size(), 1u);
  EXPECT_EQ(plan->actions[0].op, ActionOp::kDelete);
  EXPECT_EQ(plan->actions[0].image, kImage);
  EXPECT_EQ(plan->actions[0].bytes, 0u);

  absl::StatusOr<Plan> empty =
      Parse(R"({"schema": "dgc.plan/v1", "actions": []})");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->actions.empty());
}

TEST(PlanJsonTest, UnknownFieldsAreIgnored) {
  absl::StatusOr<Plan> plan = Parse(
      R"({"schema": "dgc.plan/v1", "future": {"x": [1, 2]}, "actions": [
           {"op": "untag", "image": ")" +
      kImage + R"(", "refs": ["a:1"], "later": true}]})");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->actions[0].op, ActionOp::kUntag);
}

TEST(PlanJsonTest, ContainerdStoreAndBoundsRoundTrip) {
  Plan plan = SamplePlan();
  plan.engine.containerd_store = true;
  plan.actions[0].exact = false;
  plan.actions[0].bytes_max = plan.actions[0].bytes + 1500;
  std::string json = PlanToJson(plan);
  EXPECT_THAT(json, HasSubstr("\"image_store\": \"containerd\""));
  EXPECT_THAT(json, HasSubstr("\"bytes_min\""));
  absl::StatusOr<Plan> back = Parse(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->engine.containerd_store);
  EXPECT_FALSE(back->actions[0].exact);
  EXPECT_EQ(back->actions[0].bytes_max, plan.actions[0].bytes_max);
  EXPECT_EQ(PlanToJson(*back), json);
}

TEST(PlanJsonTest, UnknownImageStoreIsRefused) {
  EXPECT_THAT(ErrorOf(R"({"schema": "dgc.plan/v1", "engine": {"image_store":
      "zfs-magic"}, "actions": []})"),
              HasSubstr("engine.image_store is \"zfs-magic\""));
}

TEST(PlanJsonTest, WrongSchema) {
  EXPECT_EQ(ErrorOf(R"({"schema": "dgc.df/v1", "actions": []})"),
            "\"schema\" is \"dgc.df/v1\", want \"dgc.plan/v1\"");
  EXPECT_EQ(ErrorOf(R"({"schema": "dgc.plan/v2", "actions": []})"),
            "\"schema\" is \"dgc.plan/v2\", want \"dgc.plan/v1\"");
  EXPECT_EQ(ErrorOf(R"({"actions": []})"),
            "\"schema\" is \"\", want \"dgc.plan/v1\"");
}

TEST(PlanJsonTest, MissingActions) {
  EXPECT_EQ(ErrorOf(R"({"schema": "dgc.plan/v1", "kept": []})"),
            "missing \"actions\"");
}

TEST(PlanJsonTest, UnknownOp) {
  EXPECT_EQ(ErrorOf(WithAction(R"({"op": "prune", "image": ")" + kImage +
                               R"(", "refs": ["a:1"]})")),
            "field \"actions\": element 0: field \"op\": \"prune\": want "
            "\"untag\", \"delete\", \"remove_container\", \"remove_volume\" "
            "or \"prune_build_cache\"");
  EXPECT_EQ(ErrorOf(WithAction(R"({"image": ")" + kImage + R"("})")),
            "field \"actions\": element 0: field \"op\": \"\": want "
            "\"untag\", \"delete\", \"remove_container\", \"remove_volume\" "
            "or \"prune_build_cache\"");
}

TEST(PlanJsonTest, ResourceActionsRoundTrip) {
  Plan plan;
  Action container;
  container.op = ActionOp::kRemoveContainer;
  container.image = kImage;
  container.container = std::string(64, 'c');
  container.container_name = "job-1";
  container.stopped_at = absl::FromUnixSeconds(1790000000);
  container.bytes = 4096;
  Action volume;
  volume.op = ActionOp::kRemoveVolume;
  volume.volume = std::string(64, 'a');
  volume.bytes = 3;
  Action cache;
  cache.op = ActionOp::kPruneBuildCache;
  cache.records = {"hw53o5aio51xtltp5xjp8v7fx", "p0"};
  cache.bytes = 51;
  plan.actions = {container, volume, cache};
  absl::StatusOr<Plan> reread = ParsePlan(PaddedBody(PlanToJson(plan)));
  ASSERT_TRUE(reread.ok()) << reread.status();
  ASSERT_EQ(reread->actions.size(), 3u);
  EXPECT_EQ(reread->actions[0].op, ActionOp::kRemoveContainer);
  EXPECT_EQ(reread->actions[0].container, container.container);
  EXPECT_EQ(reread->actions[0].container_name, "job-1");
  EXPECT_EQ(reread->actions[0].stopped_at, container.stopped_at);
  EXPECT_EQ(reread->actions[0].bytes, 4096u);
  EXPECT_EQ(reread->actions[1].op, ActionOp::kRemoveVolume);
  EXPECT_EQ(reread->actions[1].volume, volume.volume);
  EXPECT_EQ(reread->actions[2].op, ActionOp::kPruneBuildCache);
  EXPECT_EQ(reread->actions[2].records, cache.records);
}

TEST(PlanJsonTest, ResourceTargetsMustBeNamesDockerGives) {
  EXPECT_EQ(ErrorOf(WithAction(
                R"({"op": "remove_container", "container": "../../x"})")),
            "field \"actions\": element 0: field \"container\": \"../../x\" "
            "is not a name Docker gives (letters, digits, '_', '.' and '-')");
  EXPECT_EQ(ErrorOf(WithAction(R"({"op": "remove_volume", "volume": ""})")),
            "field \"actions\": element 0: field \"volume\": \"\" is not a "
            "name Docker gives (letters, digits, '_', '.' and '-')");
  EXPECT_EQ(
      ErrorOf(WithAction(R"({"op": "prune_build_cache", "records": []})")),
      "field \"actions\": element 0: a prune_build_cache action needs "
      "\"records\"");
  EXPECT_EQ(
      ErrorOf(WithAction(R"({"op": "prune_build_cache", "records": ["a,b"]})")),
      "field \"actions\": element 0: field \"records\": \"a,b\" is not "
      "a name Docker gives (letters, digits, '_', '.' and '-')");
}

TEST(PlanJsonTest, UntagWithoutRefs) {
  EXPECT_EQ(ErrorOf(WithAction(R"({"op": "untag", "image": ")" + kImage +
                               R"(", "refs": []})")),
            "field \"actions\": element 0: an untag action needs \"refs\"");
  EXPECT_EQ(
      ErrorOf(WithAction(R"({"op": "untag", "image": ")" + kImage + R"("})")),
      "field \"actions\": element 0: an untag action needs \"refs\"");
}

TEST(PlanJsonTest, ErrorsNameTheActionsIndex) {
  std::string json = std::string(R"({"schema": "dgc.plan/v1", "actions": [
      {"op": "delete", "image": ")") +
                     kImage + R"("},
      {"op": "copy", "image": ")" +
                     kImage + R"("}]})";
  EXPECT_THAT(ErrorOf(json), StartsWith("field \"actions\": element 1: "));
}

TEST(PlanJsonTest, BadImageId) {
  // The plan's field is "image": the message names it.
  EXPECT_EQ(ErrorOf(WithAction(R"({"op": "delete", "image": "sha256:xyz"})")),
            "field \"actions\": element 0: field \"image\": \"sha256:xyz\" "
            "is not an image ID (sha256:<64 hex digits>)");
  EXPECT_EQ(ErrorOf(WithAction(R"({"op": "delete", "refs": ["a:1"]})")),
            "field \"actions\": element 0: field \"image\": \"\" is not an "
            "image ID (sha256:<64 hex digits>)");
}

TEST(PlanJsonTest, BadImageIdsAreRejected) {
  std::string upper = kImage;
  upper[10] = 'A';
  for (const std::string& id :
       {std::string("app:1"), kImage.substr(7), kImage + "0",
        kImage.substr(0, kImage.size() - 1), upper,
        "sha512:" + kImage.substr(7)}) {
    absl::StatusOr<Plan> plan =
        Parse(WithAction(R"({"op": "delete", "image": ")" + id + R"("})"));
    EXPECT_FALSE(plan.ok()) << id;
    if (!plan.ok()) {
      EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(ToStd(plan.status().message())),
                  HasSubstr("is not an image ID"));
    }
  }
}

TEST(PlanJsonTest, MalformedJson) {
  for (std::string_view text :
       {"", "{", R"({"schema": "dgc.plan/v1", "actions": [)",
        R"({"schema": "dgc.plan/v1", "actions": []} trailing)"}) {
    absl::StatusOr<Plan> plan = Parse(text);
    EXPECT_FALSE(plan.ok()) << text;
    if (!plan.ok()) {
      EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(PlanJsonTest, NegativeBytesAreRejected) {
  absl::StatusOr<Plan> plan = Parse(WithAction(
      R"({"op": "delete", "image": ")" + kImage + R"(", "bytes": -1})"));
  EXPECT_FALSE(plan.ok());
}

}  // namespace
}  // namespace dgc
