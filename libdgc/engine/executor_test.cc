// Unit tests of the Executor over FakeTransport, with inventories from
// TestEngine and plans built by hand or by ComputePlan: the requests of each
// action in order (a re-check; for a delete that removes references by name,
// a GET of the image and a DELETE by ID that the engine refuses for a child,
// or else for the references; then for each reference a GET of it and its
// DELETE), freed bytes priced from the layer chains the engine reports
// deleted, every re-check skip with its exact reason, engine errors that
// fail one action, an engine that stops answering or a stop request that
// ends the run, the hooks, the summary, and SameEngine. No request may
// ever carry "force".
#include "engine/executor.h"

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/inventory.h"
#include "core/json_reader.h"
#include "core/plan.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/test_inventory.h"
#include "engine/engine_client.h"
#include "engine/fake_transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {

// Readable ResultStatus values in failure messages.
static void PrintTo(ResultStatus status, std::ostream* os) {
  *os << StatusName(status);
}

namespace {

using test_support::FakeAnswer;
using test_support::FakeTransport;
using test_support::Id;
using test_support::TestEngine;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kHost[] = "unix:///var/run/docker.sock";

std::string Quoted(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& item : items) quoted.push_back("\"" + item + "\"");
  return absl::StrJoin(quoted, ",");
}

// An inspect body for image `id` as the engine has it now.
std::string InspectJson(std::string_view id,
                        const std::vector<std::string>& tags,
                        const std::vector<std::string>& digests = {}) {
  return absl::StrFormat(
      R"({"Id":"%s","RepoTags":[%s],"RepoDigests":[%s],"Parent":"",)"
      R"("Created":"2026-01-01T00:00:00Z","Size":1,)"
      R"("RootFS":{"Type":"layers","Layers":[]},)"
      R"("Metadata":{"LastTagTime":"0001-01-01T00:00:00Z"}})",
      id, Quoted(tags), Quoted(digests));
}

// A DELETE /images/{name} body: untagged references, then deleted IDs.
std::string DeleteJson(const std::vector<std::string>& untagged,
                       const std::vector<std::string>& deleted) {
  std::vector<std::string> items;
  for (const std::string& ref : untagged) {
    items.push_back(absl::StrFormat(R"({"Untagged":"%s"})", ref));
  }
  for (const std::string& id : deleted) {
    items.push_back(absl::StrFormat(R"({"Deleted":"%s"})", id));
  }
  return "[" + absl::StrJoin(items, ",") + "]";
}

// Whether the engine deletes `image` by ID without force, as moby's
// isSingleReference decides: at most one tag, and all its references in one
// repository. Otherwise it refuses, changing nothing.
bool DeletableById(const Image& image) {
  std::set<std::string_view> repositories;
  for (const std::string& tag : image.tags) {
    repositories.insert(RepositoryOf(tag));
  }
  for (const std::string& digest : image.digests) {
    repositories.insert(RepositoryOf(digest));
  }
  return image.tags.size() <= 1 && repositories.size() <= 1;
}

// The engine's answers to DELETE by ID (no force) of an image with a child,
// and of one with references in several repositories (recorded from Docker
// 20.10.24).
FakeAnswer RefusedForAChild(std::string_view id) {
  return FakeAnswer::EngineError(
      409, absl::StrFormat("conflict: unable to delete %s (cannot be forced) "
                           "- image has dependent child images",
                           ShortId(id)));
}

FakeAnswer RefusedForItsReferences(std::string_view id) {
  return FakeAnswer::EngineError(
      409, absl::StrFormat("conflict: unable to delete %s (must be forced) - "
                           "image is referenced in multiple repositories",
                           ShortId(id)));
}

// A /containers/json body with one container.
std::string ContainerJson(std::string_view name, std::string_view image_id,
                          std::string_view state) {
  std::string names = name.empty() ? "[]" : absl::StrFormat(R"(["/%s"])", name);
  return absl::StrFormat(
      R"([{"Id":"%s","Names":%s,"Image":"x","ImageID":"%s","State":"%s"}])",
      test_support::Hex(absl::StrFormat("container %s", name)), names, image_id,
      state);
}

// The path of the engine's "ancestor" container query for `id`.
std::string AncestorPath(std::string_view id) {
  return absl::StrFormat(
      "/v1.41/containers/json?all=1&filters=%%7B%%22ancestor%%22%%3A%%5B%%22"
      "%s%%22%%5D%%7D",
      id);
}

// The listing of every container that deletions by ID share.
constexpr char kContainersPath[] = "/v1.41/containers/json?all=1";

std::string InspectPath(std::string_view name) {
  return absl::StrFormat("/v1.41/images/%s/json", name);
}

std::string DeletePath(std::string_view name) {
  return absl::StrFormat("/v1.41/images/%s", name);
}

Action DeleteAction(std::string image, std::vector<std::string> refs,
                    uint64_t bytes) {
  Action action;
  action.op = ActionOp::kDelete;
  action.image = std::move(image);
  action.refs = std::move(refs);
  action.bytes = bytes;
  action.rule = "test";
  action.reason = "a test";
  return action;
}

Action UntagAction(std::string image, std::vector<std::string> refs) {
  Action action = DeleteAction(std::move(image), std::move(refs), 0);
  action.op = ActionOp::kUntag;
  return action;
}

// The chain IDs of image `id`'s layers, top first (the order the engine
// reports them deleted in).
std::vector<std::string> ChainsTopFirst(const Inventory& inventory,
                                        std::string_view id) {
  std::vector<std::string> chains;
  ImageIndex index = inventory.FindImage(id);
  if (index == kNoImage) return chains;
  const std::vector<LayerId>& layers = inventory.images[index].layers;
  for (size_t i = layers.size(); i-- > 0;) {
    chains.push_back(inventory.layers.ChainId(layers[i]));
  }
  return chains;
}

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport_.On(
        "GET", "/version",
        FakeAnswer::Json(R"({"Version":"20.10.24","ApiVersion":"1.41",)"
                         R"("MinAPIVersion":"1.12"})"));
    ASSERT_TRUE(client_.Connect().ok());
    transport_.ClearRecords();
  }

  void TearDown() override {
    for (const std::string& line : transport_.RequestLines()) {
      EXPECT_THAT(line, Not(HasSubstr("force"))) << "a request used force";
    }
    EXPECT_THAT(transport_.refused(), IsEmpty());
  }

  // Builds the inventory from engine_ and serves every image as it is in
  // it: inspect by ID and by each reference, no containers, a DELETE of
  // each reference that untags it, and a DELETE by ID that untags the last
  // reference and deletes the image and the chains no other image uses.
  void Build() {
    inventory_ = engine_.BuildOrDie();
    for (const Image& image : inventory_.images) Serve(image);
    transport_.On("GET", kContainersPath, FakeAnswer::Json("[]"));
  }

  void Serve(const Image& image) {
    transport_.On(
        "GET", InspectPath(image.id),
        FakeAnswer::Json(InspectJson(image.id, image.tags, image.digests)));
    transport_.On("GET", AncestorPath(image.id), FakeAnswer::Json("[]"));
    std::vector<std::string> refs =
        ReferencesToDelete(image.tags, image.digests);
    for (const std::string& ref : refs) {
      transport_.On(
          "GET", InspectPath(ref),
          FakeAnswer::Json(InspectJson(image.id, image.tags, image.digests)));
      transport_.On("DELETE", DeletePath(ref),
                    FakeAnswer::Json(DeleteJson({ref}, {})));
    }
    std::vector<std::string> deleted = {image.id};
    for (const std::string& chain : UnsharedChains(image.id)) {
      deleted.push_back(chain);
    }
    ServeDeleteById(image.id, refs, deleted);
  }

  // Answers DELETE /images/<id> with the last of `refs` untagged, then
  // `deleted`. When the image has references in several repositories (or
  // several tags), the first DELETE by ID is refused for them, as the
  // engine does: the executor sends that one before it removes the others
  // by name, and the second once they are gone.
  void ServeDeleteById(const std::string& id,
                       const std::vector<std::string>& refs,
                       const std::vector<std::string>& deleted) {
    FakeAnswer done = FakeAnswer::Json(
        DeleteJson(refs.empty() ? std::vector<std::string>{}
                                : std::vector<std::string>{refs.back()},
                   deleted));
    ImageIndex index = inventory_.FindImage(id);
    if (index != kNoImage && !DeletableById(inventory_.images[index])) {
      transport_.On("DELETE", DeletePath(id), RefusedForItsReferences(id));
      transport_.OnAfterCalls(1, "DELETE", DeletePath(id), std::move(done));
    } else {
      transport_.On("DELETE", DeletePath(id), std::move(done));
    }
  }

  // The chains of `id` no other image of the inventory uses, top first.
  std::vector<std::string> UnsharedChains(std::string_view id) const {
    std::vector<std::string> unshared;
    ImageIndex index = inventory_.FindImage(id);
    const std::vector<LayerId>& layers = inventory_.images[index].layers;
    for (size_t i = layers.size(); i-- > 0;) {
      bool shared = false;
      for (ImageIndex other = 0; other < inventory_.images.size(); ++other) {
        if (other == index) continue;
        for (LayerId layer : inventory_.images[other].layers) {
          shared = shared || layer == layers[i];
        }
      }
      if (!shared) unshared.push_back(inventory_.layers.ChainId(layers[i]));
    }
    return unshared;
  }

  Plan MakePlan(std::vector<Action> actions) const {
    Plan plan;
    plan.engine = inventory_.engine;
    plan.now = test_support::DefaultCapturedAt();
    plan.actions = std::move(actions);
    for (const Action& action : plan.actions) {
      plan.summary.reclaimable_bytes += action.bytes;
      ++(action.op == ActionOp::kDelete ? plan.summary.deletes
                                        : plan.summary.untags);
    }
    return plan;
  }

  ApplyReport Apply(const Plan& plan, const ExecutorHooks& hooks = {}) {
    Executor executor(client_, inventory_);
    return executor.Apply(plan, hooks);
  }

  // Hooks that decide after each result: one action at a time.
  static ExecutorHooks OneAtATime() {
    ExecutorHooks hooks;
    hooks.results_decide = true;
    return hooks;
  }

  size_t DeleteCount() const {
    size_t deletes = 0;
    for (const HttpRequest& request : transport_.requests()) {
      deletes += request.method == "DELETE" ? 1 : 0;
    }
    return deletes;
  }

  TestEngine engine_;
  Inventory inventory_;
  FakeTransport transport_{Access::kReadWrite, kHost};
  EngineClient client_{transport_, test_support::NoWaitRetry()};
};

// An engine with a shared base layer: app (three tags), tool (one tag)
// and an untagged image.
class SmallEngineTest : public ExecutorTest {
 protected:
  void SetUp() override {
    ExecutorTest::SetUp();
    app_ = engine_.AddImage(
        {.tags = {"app:1", "app:latest", "localhost:5000/team/app:1"},
         .layers = {
             {Id("base"), 1000}, {Id("app"), 100}, {Id("app config"), 10}}});
    tool_ = engine_.AddImage(
        {.tags = {"tool:2"}, .layers = {{Id("base"), 1000}, {Id("tool"), 50}}});
    dangling_ = engine_.AddImage({.layers = {{Id("scratch"), 7}}});
    Build();
  }

  Action DeleteApp() const {
    return DeleteAction(
        app_, {"app:1", "app:latest", "localhost:5000/team/app:1"}, 110);
  }
  Action DeleteTool() const { return DeleteAction(tool_, {"tool:2"}, 50); }
  Action DeleteDangling() const { return DeleteAction(dangling_, {}, 7); }

  std::string app_, tool_, dangling_;
};

// ---- deleting and untagging ----

TEST_F(SmallEngineTest, DeleteRemovesEachReferenceInOrderAfterAGetOfIt) {
  // Every reference but the last repository's goes by name; then the
  // image goes by ID (which removes that repository's references), so
  // that the engine checks children and containers before the last one.
  // Before the first, the engine is asked for a new child: a DELETE by ID
  // (after a GET of the image, as before any DELETE by ID) that it refuses
  // for the references in several repositories, changing nothing.
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre("GET " + InspectPath(app_), "GET " + AncestorPath(app_),
                  "GET " + InspectPath(app_), "DELETE " + DeletePath(app_),
                  "GET /v1.41/images/app:1/json", "DELETE /v1.41/images/app:1",
                  "GET /v1.41/images/app:latest/json",
                  "DELETE /v1.41/images/app:latest", "GET " + InspectPath(app_),
                  "DELETE " + DeletePath(app_)));
  ASSERT_THAT(report.results, SizeIs(1));
  const ActionResult& result = report.results[0];
  EXPECT_EQ(result.status, ResultStatus::kDone) << result.detail;
  EXPECT_EQ(result.detail, "");
  EXPECT_EQ(result.op, ActionOp::kDelete);
  EXPECT_EQ(result.image, app_);
  EXPECT_THAT(result.refs,
              ElementsAre("app:1", "app:latest", "localhost:5000/team/app:1"));
  EXPECT_THAT(result.untagged,
              ElementsAre("app:1", "app:latest", "localhost:5000/team/app:1"));
  std::vector<std::string> chains = ChainsTopFirst(inventory_, app_);
  ASSERT_THAT(chains, SizeIs(3));
  EXPECT_THAT(result.deleted, ElementsAre(app_, chains[0], chains[1]));
  EXPECT_EQ(result.freed_bytes, 110u);
  EXPECT_EQ(result.predicted_bytes, 110u);
  EXPECT_NE(result.finished_at, absl::InfinitePast());
  EXPECT_EQ(report.summary.done, 1u);
  EXPECT_EQ(report.summary.freed_bytes, 110u);
  EXPECT_EQ(report.summary.stopped, "");
  EXPECT_EQ(report.engine.host, kHost);
}

TEST_F(SmallEngineTest, FreedBytesArePricedFromTheReportedChainsOnly) {
  // The engine reports the base chain deleted too (as it would if tool
  // were gone): it is priced, though the plan did not predict it.
  std::vector<std::string> chains = ChainsTopFirst(inventory_, tool_);
  ServeDeleteById(tool_, {"tool:2"}, {tool_, chains[0], chains[1]});
  ApplyReport report = Apply(MakePlan({DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[0].freed_bytes, 1050u);
  EXPECT_EQ(report.results[0].predicted_bytes, 50u);
  EXPECT_EQ(report.summary.freed_bytes, 1050u);
  EXPECT_EQ(report.summary.predicted_bytes, 50u);
}

TEST_F(SmallEngineTest, ChainsTheInventoryDoesNotKnowAreNotPriced) {
  std::vector<std::string> chains = ChainsTopFirst(inventory_, tool_);
  ServeDeleteById(tool_, {"tool:2"}, {tool_, chains[0], Id("unknown chain")});
  ApplyReport report = Apply(MakePlan({DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[0].freed_bytes, 50u);
}

TEST_F(SmallEngineTest, ImageWithOneTagIsDeletedByIdAfterAGetOfIt) {
  // Its only request is the DELETE by ID: the shared listing of containers,
  // then one GET of the image (the re-check and the last check before the
  // DELETE at once), then the DELETE.
  ApplyReport report = Apply(MakePlan({DeleteTool()}));
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre(std::string("GET ") + kContainersPath,
                  "GET " + InspectPath(tool_), "DELETE " + DeletePath(tool_)));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
  EXPECT_THAT(report.results[0].untagged, ElementsAre("tool:2"));
  EXPECT_EQ(report.results[0].freed_bytes, 50u);
}

TEST_F(SmallEngineTest, DanglingImageIsDeletedByIdAfterAGetOfIt) {
  ApplyReport report = Apply(MakePlan({DeleteDangling()}));
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre(std::string("GET ") + kContainersPath,
                          "GET " + InspectPath(dangling_),
                          "DELETE " + DeletePath(dangling_)));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
  EXPECT_EQ(report.results[0].freed_bytes, 7u);
  EXPECT_THAT(report.results[0].untagged, IsEmpty());
}

TEST_F(SmallEngineTest, UntagRemovesOnlyItsReferences) {
  ApplyReport report = Apply(MakePlan({UntagAction(app_, {"app:latest"})}));
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre("GET " + InspectPath(app_), "GET " + AncestorPath(app_),
                  "GET /v1.41/images/app:latest/json",
                  "DELETE /v1.41/images/app:latest"));
  ASSERT_THAT(report.results, SizeIs(1));
  const ActionResult& result = report.results[0];
  EXPECT_EQ(result.op, ActionOp::kUntag);
  EXPECT_EQ(result.status, ResultStatus::kDone) << result.detail;
  EXPECT_EQ(result.detail, "");
  EXPECT_THAT(result.untagged, ElementsAre("app:latest"));
  EXPECT_THAT(result.deleted, IsEmpty());
  EXPECT_EQ(result.freed_bytes, 0u);
}

TEST_F(SmallEngineTest, UntagOfSeveralReferencesGoesInOrder) {
  ApplyReport report = Apply(
      MakePlan({UntagAction(app_, {"localhost:5000/team/app:1", "app:1"})}));
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre("GET " + InspectPath(app_), "GET " + AncestorPath(app_),
                  "GET /v1.41/images/localhost:5000/team/app:1/json",
                  "DELETE /v1.41/images/localhost:5000/team/app:1",
                  "GET /v1.41/images/app:1/json",
                  "DELETE /v1.41/images/app:1"));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
}

TEST_F(SmallEngineTest, UntagIsNotSkippedForANewReference) {
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::Json(InspectJson(
                    app_, {"app:1", "app:latest", "localhost:5000/team/app:1",
                           "app:new"})));
  ApplyReport report = Apply(MakePlan({UntagAction(app_, {"app:latest"})}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
}

TEST_F(SmallEngineTest, DeleteWhoseResponseLacksTheImageIdFails) {
  // The engine untagged the last reference but kept the image.
  ServeDeleteById(tool_, {"tool:2"}, {});
  ApplyReport report = Apply(MakePlan({DeleteTool(), DeleteDangling()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_EQ(report.results[0].detail,
            "the engine untagged the image but did not delete it");
  EXPECT_EQ(report.results[0].freed_bytes, 0u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.summary.failed, 1u);
  EXPECT_EQ(report.summary.done, 1u);
}

TEST_F(ExecutorTest, DeleteKeepsTheLastRepositoryForTheDeleteById) {
  std::string digest_b = "b@sha256:" + test_support::Hex("b digest");
  std::string digest_c = "c@sha256:" + test_support::Hex("c digest");
  std::string id = engine_.AddImage({.tags = {"a:1", "b:1"},
                                     .digests = {digest_b, digest_c},
                                     .layers = {{Id("abc"), 9}}});
  Build();
  // b's digest goes with b's last tag; c has no tag, so its digest is a
  // reference of its own.
  ApplyReport report =
      Apply(MakePlan({DeleteAction(id, {"a:1", "b:1", digest_c}, 9)}));
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre("GET " + InspectPath(id), "GET " + AncestorPath(id),
                  "GET " + InspectPath(id), "DELETE " + DeletePath(id),
                  "GET /v1.41/images/a:1/json", "DELETE /v1.41/images/a:1",
                  "GET " + InspectPath(digest_c),
                  "DELETE " + DeletePath(digest_c), "GET " + InspectPath(id),
                  "DELETE " + DeletePath(id)));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
  EXPECT_EQ(report.results[0].freed_bytes, 9u);
}

TEST_F(SmallEngineTest,
       SkipsTheDeleteByIdWhenTheImageGainedAReferenceMeanwhile) {
  // Seen by the GET before the last DELETE by ID (the third GET of the ID),
  // not by the re-check nor before the check for a child.
  transport_.OnAfterCalls(
      2, "GET", InspectPath(app_),
      FakeAnswer::Json(
          InspectJson(app_, {"localhost:5000/team/app:1", "app:hotfix"})));
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "it gained the reference app:hotfix since the plan");
  EXPECT_EQ(transport_.Count("GET", InspectPath(app_)), 3u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:latest")), 1u);
  // Only the check for a child, which the engine refused.
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(app_)), 1u);
}

TEST_F(SmallEngineTest, SkipsTheChildCheckWhenTheImageGainedAReference) {
  // Seen by the GET before the DELETE by ID that asks for a child (the
  // second GET of the ID): even a DELETE the engine should refuse is not
  // sent for an image that gained a reference.
  transport_.OnAfterCalls(
      1, "GET", InspectPath(app_),
      FakeAnswer::Json(InspectJson(
          app_,
          {"app:1", "app:latest", "localhost:5000/team/app:1", "app:hotfix"})));
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "it gained the reference app:hotfix since the plan");
  EXPECT_EQ(transport_.Count("GET", InspectPath(app_)), 2u);
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, SkipsTheDeleteByIdWhenTheImageWentMeanwhile) {
  transport_.OnAfterCalls(1, "GET", InspectPath(app_),
                          FakeAnswer::EngineError(404, "No such image"));
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, "already removed");
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(app_)), 0u);
}

TEST_F(SmallEngineTest, SkipsADeleteByIdOfAnImageRemovedAfterItsCheck) {
  // Gone between its GET and its DELETE: the engine answers 404.
  transport_.On("DELETE", DeletePath(tool_),
                FakeAnswer::EngineError(404, "No such image"));
  ApplyReport report = Apply(MakePlan({DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, tool_ + " was removed by someone else");
  EXPECT_EQ(transport_.Count("GET", InspectPath(tool_)), 1u);
}

TEST_F(SmallEngineTest, SkipsAnUntagThatWouldRemoveTheLastReference) {
  // The tags the plan kept are gone: untagging app:latest would delete
  // the image, which the plan never said.
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::Json(InspectJson(app_, {"app:latest"})));
  ApplyReport report = Apply(MakePlan({UntagAction(app_, {"app:latest"})}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "its other references are gone: untagging would delete it");
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, DeleteWithoutPruneSaysNoprune) {
  // A plan that must keep an untagged parent deletes with noprune=1.
  Action action = DeleteTool();
  action.prune = false;
  transport_.On("DELETE", DeletePath(tool_) + "?noprune=1",
                FakeAnswer::Json(DeleteJson({"tool:2"}, {tool_})));
  ApplyReport report = Apply(MakePlan({action}));
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre(std::string("GET ") + kContainersPath,
                          "GET " + InspectPath(tool_),
                          "DELETE " + DeletePath(tool_) + "?noprune=1"));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
}

TEST_F(SmallEngineTest, SkipsADeleteWhenAChildWasBuiltOnTheImage) {
  // Found before any reference is removed: the engine refuses the DELETE
  // by ID for the child (it checks children before references, and
  // changes nothing), so no reference goes by name.
  transport_.On("DELETE", DeletePath(app_), RefusedForAChild(app_));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_THAT(
      report.results[0].detail,
      AllOf(
          HasSubstr("an image was built on it since the plan ("),
          HasSubstr("unable to delete " + ShortId(app_) +
                    " (cannot be forced) - image has dependent child images")));
  EXPECT_THAT(report.results[0].untagged, IsEmpty());
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre("GET " + InspectPath(app_), "GET " + AncestorPath(app_),
                  "GET " + InspectPath(app_), "DELETE " + DeletePath(app_),
                  std::string("GET ") + kContainersPath,
                  "GET " + InspectPath(tool_), "DELETE " + DeletePath(tool_)));
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
}

TEST_F(SmallEngineTest, AnyOtherRefusalOfTheChildCheckFailsTheActionUntouched) {
  // A container started since the re-check: the engine refuses for it.
  std::string message = absl::StrFormat(
      "conflict: unable to delete %s (cannot be forced) - image is being "
      "used by running container 4f2a1c9e8b7d",
      ShortId(app_));
  transport_.On("DELETE", DeletePath(app_),
                FakeAnswer::EngineError(409, message));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_THAT(report.results[0].detail, HasSubstr(message));
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:1")), 0u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(app_)), 1u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.summary.stopped, "");
}

TEST_F(SmallEngineTest, AChildCheckTheEngineCarriesOutEndsTheAction) {
  // The other references went between the GET and the DELETE by ID, so the
  // engine deleted the image: the action is done, with nothing left to
  // remove by name, and priced from what the engine reported.
  std::vector<std::string> chains = ChainsTopFirst(inventory_, app_);
  transport_.On("DELETE", DeletePath(app_),
                FakeAnswer::Json(DeleteJson({"localhost:5000/team/app:1"},
                                            {app_, chains[0], chains[1]})));
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
  EXPECT_THAT(report.results[0].untagged,
              ElementsAre("localhost:5000/team/app:1"));
  EXPECT_EQ(report.results[0].freed_bytes, 110u);
  EXPECT_EQ(DeleteCount(), 1u);
}

TEST_F(SmallEngineTest, SkipsADeleteByIdTheEngineRefusesForAChild) {
  std::string message =
      "conflict: unable to delete 08f31ef4c09a (cannot be forced) - image "
      "has dependent child images";
  transport_.On("DELETE", DeletePath(tool_),
                FakeAnswer::EngineError(409, message));
  ApplyReport report = Apply(MakePlan({DeleteTool(), DeleteDangling()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_THAT(report.results[0].detail,
              AllOf(HasSubstr("an image was built on it since the plan"),
                    HasSubstr(message)));
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
}

TEST_F(SmallEngineTest, ALostAnswerToTheChildCheckIsLearntFromTheImage) {
  // The DELETE by ID that asks for a child broke off: the image is read
  // back, is still there, so nothing was deleted; the run goes on.
  transport_.On("DELETE", DeletePath(app_),
                FakeAnswer::Fail(absl::UnavailableError("socket closed")));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_THAT(report.results[0].detail,
              AllOf(HasSubstr("DELETE " + app_ + " was lost (socket closed)"),
                    HasSubstr("not sent again"),
                    HasSubstr("the image is still there: not deleted")));
  EXPECT_THAT(report.results[0].untagged, IsEmpty());
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.summary.stopped, "");
  // Only the DELETE by ID that asked for a child, never sent again.
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(app_)), 1u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:1")), 0u);
}

// ---- re-check skips ----

TEST_F(SmallEngineTest, SkipsAnImageThatIsGone) {
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::EngineError(404, "No such image: " + app_));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, "already removed");
  EXPECT_EQ(report.results[0].freed_bytes, 0u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:1")), 0u);
  EXPECT_EQ(DeleteCount(), 1u);
}

TEST_F(SmallEngineTest, SkipsAnUntagOfAnImageThatIsGone) {
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::EngineError(404, "No such image: " + app_));
  ApplyReport report = Apply(MakePlan({UntagAction(app_, {"app:1"})}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, "the image is gone");
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, SkipsWhenAReferenceWasMovedToAnotherImage) {
  // app:latest now names another image: the planned image lost it.
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::Json(
                    InspectJson(app_, {"app:1", "localhost:5000/team/app:1"})));
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, "app:latest no longer names this image");
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, SkipsAnUntagWhoseReferenceWasMoved) {
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::Json(
                    InspectJson(app_, {"app:1", "localhost:5000/team/app:1"})));
  ApplyReport report = Apply(MakePlan({UntagAction(app_, {"app:latest"})}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, "app:latest no longer names this image");
  EXPECT_EQ(DeleteCount(), 0u);
}

// ---- references gone before the run (an earlier run cut off midway) ----

TEST_F(SmallEngineTest, ADeleteGoesOnWithoutAPlannedReferenceThatIsGone) {
  // An earlier run removed app:1 and was killed: this run finishes the
  // action with the references that are left.
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::Json(InspectJson(
                    app_, {"app:latest", "localhost:5000/team/app:1"})));
  transport_.On("GET", "/v1.41/images/app:1/json",
                FakeAnswer::EngineError(404, "No such image: app:1"));
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  ASSERT_THAT(report.results, SizeIs(1));
  const ActionResult& result = report.results[0];
  EXPECT_EQ(result.status, ResultStatus::kDone) << result.detail;
  EXPECT_THAT(result.detail,
              HasSubstr("app:1 named no image any more (removed before this "
                        "run: by a run that was cut off, or by someone "
                        "else)"));
  EXPECT_THAT(result.refs,
              ElementsAre("app:1", "app:latest", "localhost:5000/team/app:1"));
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:1")), 0u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:latest")), 1u);
  EXPECT_THAT(result.deleted, Contains(app_));
}

TEST_F(SmallEngineTest, ADeleteByIdGoesOnWhenItsOnlyReferenceIsGone) {
  transport_.On("GET", InspectPath(tool_),
                FakeAnswer::Json(InspectJson(tool_, {})));
  transport_.On("GET", "/v1.41/images/tool:2/json",
                FakeAnswer::EngineError(404, "No such image: tool:2"));
  ApplyReport report = Apply(MakePlan({DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
  EXPECT_THAT(report.results[0].detail, HasSubstr("tool:2 named no image"));
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(tool_)), 1u);
  EXPECT_EQ(DeleteCount(), 1u);
}

TEST_F(SmallEngineTest, AnUntagGoesOnWithoutAPlannedReferenceThatIsGone) {
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::Json(InspectJson(
                    app_, {"app:latest", "localhost:5000/team/app:1"})));
  transport_.On("GET", "/v1.41/images/app:1/json",
                FakeAnswer::EngineError(404, "No such image: app:1"));
  ApplyReport report =
      Apply(MakePlan({UntagAction(app_, {"app:1", "app:latest"})}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:1")), 0u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:latest")), 1u);
  EXPECT_EQ(DeleteCount(), 1u);
}

TEST_F(SmallEngineTest, AnUntagWhoseReferencesAreAllGoneIsSkipped) {
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::Json(InspectJson(
                    app_, {"app:latest", "localhost:5000/team/app:1"})));
  transport_.On("GET", "/v1.41/images/app:1/json",
                FakeAnswer::EngineError(404, "No such image: app:1"));
  ApplyReport report = Apply(MakePlan({UntagAction(app_, {"app:1"})}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_THAT(report.results[0].detail,
              HasSubstr("already untagged: app:1 named no image any more"));
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, SkipsAReferenceMovedBetweenTheRecheckAndItsDelete) {
  // The re-check sees all three tags; by the time of the GET before its
  // DELETE, app:latest names another image, which must not be untagged.
  std::string other = Id("someone else's image");
  transport_.On("GET", "/v1.41/images/app:latest/json",
                FakeAnswer::Json(InspectJson(other, {"app:latest"})));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, "app:latest no longer names this image");
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:1")), 1u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:latest")), 0u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("localhost:5000/team/app:1")),
            0u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
}

TEST_F(SmallEngineTest, SkipsAReferenceRemovedBetweenTheRecheckAndItsDelete) {
  transport_.On("GET", "/v1.41/images/app:1/json",
                FakeAnswer::EngineError(404, "No such image: app:1"));
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, "app:1 no longer names this image");
  // Only the DELETE by ID that asked for a child, which the engine refused.
  EXPECT_EQ(DeleteCount(), 1u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(app_)), 1u);
}

TEST_F(SmallEngineTest, SkipsADeleteWhenTheImageGainedAReference) {
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::Json(InspectJson(
                    app_, {"app:1", "app:latest", "localhost:5000/team/app:1",
                           "app:hotfix"})));
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "it gained the reference app:hotfix since the plan");
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, SkipsADeleteWhenAnUntaggedImageGainedATag) {
  transport_.On("GET", InspectPath(dangling_),
                FakeAnswer::Json(InspectJson(dangling_, {"rescued:1"})));
  ApplyReport report = Apply(MakePlan({DeleteDangling()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "it gained the reference rescued:1 since the plan");
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, SkipsADeleteWhenTheImageGainedADigestOfANewRepo) {
  std::string digest = "mirror.example/tool@sha256:" + test_support::Hex("m");
  transport_.On("GET", InspectPath(tool_),
                FakeAnswer::Json(InspectJson(tool_, {"tool:2"}, {digest})));
  ApplyReport report = Apply(MakePlan({DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "it gained the reference " + digest + " since the plan");
}

TEST_F(SmallEngineTest, ADigestOfATaggedRepositoryIsNoNewReference) {
  // The engine drops tool@sha256:… with the last tag of tool.
  std::string digest = "tool@sha256:" + test_support::Hex("t");
  transport_.On("GET", InspectPath(tool_),
                FakeAnswer::Json(InspectJson(tool_, {"tool:2"}, {digest})));
  ApplyReport report = Apply(MakePlan({DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
}

TEST_F(SmallEngineTest, SkipsAnImageNowUsedByAContainer) {
  transport_.On("GET", AncestorPath(app_),
                FakeAnswer::Json(ContainerJson("web-1", app_, "exited")));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, "now in use by container web-1 (exited)");
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:1")), 0u);
  EXPECT_EQ(transport_.Count("GET", "/v1.41/images/app:1/json"), 0u);
}

TEST_F(SmallEngineTest, SkipsAnUntagOfAnImageNowUsedByAContainer) {
  transport_.On("GET", AncestorPath(app_),
                FakeAnswer::Json(ContainerJson("api-1", app_, "created")));
  ApplyReport report = Apply(MakePlan({UntagAction(app_, {"app:1"})}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "now in use by container api-1 (created)");
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, ContainerWithoutANameIsNamedByItsShortId) {
  transport_.On("GET", kContainersPath,
                FakeAnswer::Json(ContainerJson("", tool_, "dead")));
  ApplyReport report = Apply(MakePlan({DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "now in use by container " +
                test_support::Hex("container ").substr(0, 12) + " (dead)");
}

TEST_F(SmallEngineTest, SkipsAnImageWhoseChildIsNowUsedByAContainer) {
  // A delete that first removes references by name keeps the engine's
  // per-action listing: the engine untags without a container check.
  std::string child = Id("a child built since the plan");
  transport_.On("GET", AncestorPath(app_),
                FakeAnswer::Json(ContainerJson("job-1", child, "running")));
  ApplyReport report = Apply(MakePlan({DeleteApp()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "an image built on it is in use by container job-1 (running)");
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, AChildBuiltSinceThePlanIsTheEnginesToRefuse) {
  // The shared listing shows a container of an image the inventory does
  // not know: it may be a child of tool, built since. The engine refuses
  // the DELETE by ID of an image with a child, changing nothing.
  std::string child = Id("a child built since the plan");
  transport_.On("GET", kContainersPath,
                FakeAnswer::Json(ContainerJson("job-1", child, "running")));
  transport_.On("DELETE", DeletePath(tool_), RefusedForAChild(tool_));
  ApplyReport report = Apply(MakePlan({DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_THAT(report.results[0].detail,
              HasSubstr("an image was built on it since the plan ("));
  EXPECT_THAT(report.results[0].deleted, IsEmpty());
}

// ---- engine errors ----

TEST_F(SmallEngineTest, ConflictFailsTheActionAndTheRunGoesOn) {
  std::string message =
      "conflict: unable to remove repository reference \"app:1\" (must "
      "force) - container 4f2a1c9e8b7d is using its referenced image "
      "7d4ed35a1303";
  transport_.On("DELETE", DeletePath("app:1"),
                FakeAnswer::EngineError(409, message));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_THAT(report.results[0].detail, HasSubstr(message));
  EXPECT_EQ(report.results[0].freed_bytes, 0u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:latest")), 0u)
      << "the action stops at its first failure";
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.summary.failed, 1u);
  EXPECT_EQ(report.summary.done, 1u);
  EXPECT_EQ(report.summary.stopped, "");
  EXPECT_EQ(report.summary.freed_bytes, 50u);
}

TEST_F(SmallEngineTest, NotFoundOnADeleteMidActionSkipsIt) {
  transport_.On("DELETE", DeletePath("app:latest"),
                FakeAnswer::EngineError(404, "No such image: app:latest"));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail, "app:latest was removed by someone else");
  // Only the check for a child, refused: the final DELETE by ID is not sent.
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(app_)), 1u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.summary.skipped, 1u);
  EXPECT_EQ(report.summary.stopped, "");
}

TEST_F(SmallEngineTest, ServerErrorFailsTheActionAndTheRunGoesOn) {
  // An engine that answers 500 is answering: that action failed, the run
  // goes on (SPEC §4: failed = "the engine refused or errored").
  transport_.On(
      "DELETE", DeletePath("app:1"),
      FakeAnswer::EngineError(500,
                              "driver \"overlay2\" failed to remove root "
                              "filesystem: device or resource busy"));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_THAT(report.results[0].detail, HasSubstr("device or resource busy"));
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone)
      << report.results[1].detail;
  EXPECT_EQ(report.summary.stopped, "");
}

TEST_F(SmallEngineTest, ServerErrorOnTheRecheckFailsTheAction) {
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::EngineError(500, "database is locked"));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_THAT(report.results[0].detail, HasSubstr("database is locked"));
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:1")), 0u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone)
      << report.results[1].detail;
}

TEST_F(SmallEngineTest, ALostAnswerThatCannotBeReadBackIsUnknownAndEndsTheRun) {
  absl::Status down = absl::UnavailableError(
      "the Docker engine at unix:///var/run/docker.sock broke off its "
      "response to DELETE /v1.41/images/tool:2: connection reset");
  transport_.On("DELETE", DeletePath(tool_), FakeAnswer::Fail(down));
  // The inspect before the DELETE is answered; the one after is not.
  transport_.OnAfterCalls(
      1, "GET", InspectPath(tool_),
      FakeAnswer::Fail(absl::UnavailableError("socket closed")));
  ApplyReport report =
      Apply(MakePlan({DeleteTool(), DeleteApp(), DeleteDangling()}));
  ASSERT_THAT(report.results, SizeIs(3));
  EXPECT_EQ(report.results[0].status, ResultStatus::kUnknown);
  EXPECT_THAT(
      report.results[0].detail,
      AllOf(HasSubstr("was lost"), HasSubstr("connection reset"),
            HasSubstr("reading the image again failed too (socket closed; "
                      "sent 3 times, giving up)"),
            HasSubstr("not known")));
  EXPECT_EQ(report.results[0].freed_bytes, 0u);
  std::string stopped =
      absl::StrFormat("the engine stopped answering (%s)", down.message());
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(report.results[i].status, ResultStatus::kSkipped);
    EXPECT_EQ(report.results[i].detail, "not run: " + stopped);
    EXPECT_EQ(report.results[i].freed_bytes, 0u);
  }
  EXPECT_EQ(report.summary.stopped, stopped);
  EXPECT_EQ(report.summary.unknown, 1u);
  EXPECT_EQ(report.summary.failed, 0u);
  EXPECT_EQ(report.summary.skipped, 2u);
  EXPECT_EQ(report.summary.done, 0u);
  // The DELETE once; after it only the inspects that tried to read it back.
  EXPECT_EQ(DeleteCount(), 1u);
  EXPECT_EQ(transport_.Count("GET", InspectPath(tool_)), 4u);
  EXPECT_EQ(transport_.RequestLines().back(), "GET " + InspectPath(tool_));
}

TEST_F(SmallEngineTest, ALostAnswerToADeleteTheEngineDidIsDone) {
  transport_.On("DELETE", DeletePath(tool_),
                FakeAnswer::Fail(absl::DeadlineExceededError(
                    "the Docker engine did not answer DELETE in time")));
  transport_.OnAfterCalls(
      1, "GET", InspectPath(tool_),
      FakeAnswer::EngineError(404, "No such image: " + tool_));
  ApplyReport report = Apply(MakePlan({DeleteTool(), DeleteDangling()}));
  ASSERT_THAT(report.results, SizeIs(2));
  const ActionResult& lost = report.results[0];
  EXPECT_EQ(lost.status, ResultStatus::kDone) << lost.detail;
  EXPECT_THAT(lost.detail, AllOf(HasSubstr("did not answer DELETE in time"),
                                 HasSubstr("the image is gone: deleted"),
                                 HasSubstr("freed_bytes does not count them")));
  EXPECT_THAT(lost.untagged, ElementsAre("tool:2"));
  EXPECT_THAT(lost.deleted, ElementsAre(tool_));
  EXPECT_EQ(lost.freed_bytes, 0u) << "the layers that went are not known";
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.summary.done, 2u);
  EXPECT_EQ(report.summary.stopped, "");
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(tool_)), 1u);
}

TEST_F(SmallEngineTest, ALostAnswerToAnUntagIsLearntFromTheName) {
  for (bool untagged : {true, false}) {
    SCOPED_TRACE(untagged ? "untagged" : "not untagged");
    transport_.ClearRecords();
    Build();
    transport_.On("DELETE", DeletePath("app:latest"),
                  FakeAnswer::Fail(absl::UnavailableError("reset")));
    if (untagged) {
      transport_.OnAfterCalls(
          1, "GET", InspectPath("app:latest"),
          FakeAnswer::EngineError(404, "No such image: app:latest"));
    }
    ApplyReport report = Apply(MakePlan({UntagAction(app_, {"app:latest"})}));
    ASSERT_THAT(report.results, SizeIs(1));
    const ActionResult& lost = report.results[0];
    EXPECT_EQ(lost.status,
              untagged ? ResultStatus::kDone : ResultStatus::kFailed);
    EXPECT_THAT(lost.detail,
                AllOf(HasSubstr("DELETE app:latest was lost (reset)"),
                      HasSubstr(untagged ? "no longer names the image: untagged"
                                         : "still names the image: not "
                                           "untagged")));
    if (untagged) {
      EXPECT_THAT(lost.untagged, ElementsAre("app:latest"));
    } else {
      EXPECT_THAT(lost.untagged, IsEmpty());
    }
    EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:latest")), 1u);
  }
}

TEST_F(SmallEngineTest, AnEngineThatStopsAnsweringDuringARecheckEndsTheRun) {
  transport_.On("GET", AncestorPath(app_),
                FakeAnswer::Fail(absl::DeadlineExceededError(
                    "the Docker engine did not answer in time")));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_THAT(report.results[0].detail, HasSubstr("did not answer in time"));
  EXPECT_EQ(report.results[1].status, ResultStatus::kSkipped);
  EXPECT_THAT(report.results[1].detail,
              HasSubstr("not run: the engine stopped answering ("));
  EXPECT_THAT(report.summary.stopped, HasSubstr("did not answer in time"));
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, AnEngineThatStopsAnsweringBeforeAGetByNameEndsTheRun) {
  transport_.On("GET", "/v1.41/images/app:latest/json",
                FakeAnswer::Fail(absl::UnavailableError("socket closed")));
  ApplyReport report = Apply(MakePlan({DeleteApp(), DeleteTool()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_NE(report.results[0].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[1].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[1].detail,
            "not run: the engine stopped answering (socket closed; sent 3 "
            "times, giving up)");
  EXPECT_EQ(report.summary.stopped,
            "the engine stopped answering (socket closed; sent 3 times, "
            "giving up)");
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("app:latest")), 0u);
  // Only the check for a child, refused: the final DELETE by ID is not sent.
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(app_)), 1u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(tool_)), 0u);
}

// ---- deletions by ID: the shared listing ----

TEST_F(SmallEngineTest, DeletionsByIdShareOneListingOfContainers) {
  Plan plan = MakePlan({DeleteTool(), DeleteDangling()});
  ApplyReport report = Apply(plan, OneAtATime());
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre(std::string("GET ") + kContainersPath,
                  "GET " + InspectPath(tool_), "DELETE " + DeletePath(tool_),
                  "GET " + InspectPath(dangling_),
                  "DELETE " + DeletePath(dangling_)));
  EXPECT_EQ(report.summary.done, 2u);
}

// ---- deletions by ID: groups in flight together ----

TEST_F(SmallEngineTest, UnrelatedDeletionsByIdGoTogether) {
  // tool and the untagged image share no layer: their inspects go at
  // once, then their DELETEs; each result is the one it would be alone.
  ApplyReport report = Apply(MakePlan({DeleteTool(), DeleteDangling()}));
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre(std::string("GET ") + kContainersPath,
                  "GET " + InspectPath(tool_), "GET " + InspectPath(dangling_),
                  "DELETE " + DeletePath(tool_),
                  "DELETE " + DeletePath(dangling_)));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[0].freed_bytes, 50u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[1].freed_bytes, 7u);
}

TEST_F(SmallEngineTest, AStopDuringAGroupFinishesTheGroupOnly) {
  // Asked before each group: the stop that comes while the group is in
  // flight lets it finish (its results told in plan order) and starts
  // nothing after it.
  std::vector<size_t> told;
  ExecutorHooks hooks;
  hooks.on_result = [&](const ActionResult&, size_t index, size_t) {
    told.push_back(index);
  };
  hooks.stop_requested = [&]() -> std::optional<std::string> {
    if (told.empty()) return std::nullopt;
    return std::string("interrupted by SIGTERM");
  };
  ApplyReport report = Apply(
      MakePlan({DeleteTool(), DeleteDangling(), UntagAction(app_, {"app:1"})}),
      hooks);
  ASSERT_THAT(report.results, SizeIs(3));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[2].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[2].detail, "not run: interrupted by SIGTERM");
  EXPECT_THAT(told, ElementsAre(0u, 1u, 2u));
  EXPECT_EQ(DeleteCount(), 2u);
}

TEST_F(SmallEngineTest, ResultsThatDecideMakeGroupsOfOne) {
  Apply(MakePlan({DeleteTool(), DeleteDangling()}), OneAtATime());
  std::vector<std::string> lines = transport_.RequestLines();
  ASSERT_THAT(lines, SizeIs(5));
  EXPECT_EQ(lines[2], "DELETE " + DeletePath(tool_)) << "one at a time";
}

TEST_F(SmallEngineTest, TheEngineGoneDuringTheChecksRunsNothingAfter) {
  // The first inspect finds no engine: that action fails, the other's
  // DELETE is not sent, and it is reported as not run.
  transport_.On("GET", InspectPath(tool_),
                FakeAnswer::Fail(absl::UnavailableError("socket closed")));
  ApplyReport report = Apply(MakePlan({DeleteTool(), DeleteDangling()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_EQ(report.results[1].status, ResultStatus::kSkipped);
  EXPECT_THAT(report.results[1].detail,
              HasSubstr("not run: the engine stopped answering"));
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(SmallEngineTest, EveryDeleteOfAGroupIsSettledWhenOneAnswerIsLost) {
  // The first DELETE's answer is lost and its image cannot be read back
  // (unknown, which ends the run); the other was sent too, and it is
  // settled with its own answer.
  transport_.On(
      "DELETE", DeletePath(tool_),
      FakeAnswer::Fail(absl::UnavailableError("connection reset by peer")));
  transport_.OnAfterCalls(
      1, "GET", InspectPath(tool_),
      FakeAnswer::Fail(absl::UnavailableError("socket closed")));
  ApplyReport report = Apply(
      MakePlan({DeleteTool(), DeleteDangling(), UntagAction(app_, {"app:1"})}));
  ASSERT_THAT(report.results, SizeIs(3));
  EXPECT_EQ(report.results[0].status, ResultStatus::kUnknown);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[1].freed_bytes, 7u);
  EXPECT_EQ(report.results[2].status, ResultStatus::kSkipped);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(tool_)), 1u);
}

TEST_F(SmallEngineTest, AnyOtherActionMakesTheNextDeletionListAgain) {
  // The untag of app keeps its own per-action listing; tool then reads
  // the shared one again, as the engine may have changed meanwhile.
  Plan plan =
      MakePlan({DeleteDangling(), UntagAction(app_, {"app:1"}), DeleteTool()});
  ApplyReport report = Apply(plan);
  EXPECT_EQ(report.summary.done, 3u);
  EXPECT_EQ(transport_.Count("GET", kContainersPath), 2u);
  EXPECT_EQ(transport_.Count("GET", AncestorPath(app_)), 1u);
}

TEST_F(SmallEngineTest, AContainerCreatedAfterTheListingIsTheEnginesToRefuse) {
  // The shared listing was empty; a container of tool came after it. The
  // engine refuses the DELETE by ID without force and changes nothing: the
  // action fails with its message, and the run goes on.
  std::string message = absl::StrFormat(
      "conflict: unable to delete %s (must be forced) - image is being used "
      "by stopped container 0f1e2d3c4b5a",
      ShortId(tool_));
  transport_.On("DELETE", DeletePath(tool_),
                FakeAnswer::EngineError(409, message));
  ApplyReport report = Apply(MakePlan({DeleteTool(), DeleteDangling()}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_THAT(report.results[0].detail, HasSubstr(message));
  EXPECT_THAT(report.results[0].deleted, IsEmpty());
  EXPECT_EQ(report.results[0].freed_bytes, 0u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath(tool_)), 1u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.summary.stopped, "");
}

TEST_F(SmallEngineTest, AFailedSharedListingFailsTheDeletionsItServes) {
  transport_.On("GET", kContainersPath,
                FakeAnswer::EngineError(500, "database is locked"));
  ApplyReport report = Apply(MakePlan({DeleteTool(), DeleteDangling()}));
  ASSERT_THAT(report.results, SizeIs(2));
  for (const ActionResult& result : report.results) {
    EXPECT_EQ(result.status, ResultStatus::kFailed);
    EXPECT_THAT(result.detail, HasSubstr("database is locked"));
  }
  EXPECT_EQ(DeleteCount(), 0u);
}

// Three images on one base layer, each with a layer of its own.
class SharedBaseTest : public ExecutorTest {
 protected:
  void SetUp() override {
    ExecutorTest::SetUp();
    for (const char* name : {"a", "b", "c"}) {
      ids_.push_back(
          engine_.AddImage({.tags = {std::string(name) + ":1"},
                            .layers = {{Id("base"), 1000}, {Id(name), 10}}}));
    }
    Build();
  }

  Action Delete(size_t i) const {
    return DeleteAction(ids_[i], {std::string(1, "abc"[i]) + ":1"}, 10);
  }

  std::vector<std::string> ids_;
};

TEST_F(SharedBaseTest, ALayerAnImageOutsideHoldsDoesNotSeparateThem) {
  Apply(MakePlan({Delete(0), Delete(1)}));
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre(std::string("GET ") + kContainersPath,
                  "GET " + InspectPath(ids_[0]), "GET " + InspectPath(ids_[1]),
                  "DELETE " + DeletePath(ids_[0]),
                  "DELETE " + DeletePath(ids_[1])));
}

TEST_F(SharedBaseTest, ALayerOnlyTheGroupHoldsSeparatesThem) {
  // With all three going, the last to go frees the base: which one that
  // is must not depend on the engine's timing, so c waits for a and b.
  Apply(MakePlan({Delete(0), Delete(1), Delete(2)}));
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre(
          std::string("GET ") + kContainersPath, "GET " + InspectPath(ids_[0]),
          "GET " + InspectPath(ids_[1]), "DELETE " + DeletePath(ids_[0]),
          "DELETE " + DeletePath(ids_[1]), "GET " + InspectPath(ids_[2]),
          "DELETE " + DeletePath(ids_[2])));
}

// A legacy build: base, and child built on it.
class ParentAndChildTest : public ExecutorTest {
 protected:
  void SetUp() override {
    ExecutorTest::SetUp();
    base_ =
        engine_.AddImage({.tags = {"base:1"}, .layers = {{Id("base"), 1000}}});
    child_ = engine_.AddChild(
        base_, {.tags = {"child:1"}, .layers = {{Id("child"), 30}}});
    Build();
  }

  std::string base_, child_;
};

TEST_F(ParentAndChildTest, AContainerOfAKnownChildKeepsItsParent) {
  transport_.On("GET", kContainersPath,
                FakeAnswer::Json(ContainerJson("svc-1", child_, "exited")));
  ApplyReport report = Apply(MakePlan({DeleteAction(base_, {"base:1"}, 1000)}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[0].detail,
            "an image built on it is in use by container svc-1 (exited)");
  EXPECT_EQ(DeleteCount(), 0u);
}

TEST_F(ParentAndChildTest, AnImageAndOneBuiltOnItNeverGoTogether) {
  Apply(MakePlan({DeleteAction(child_, {"child:1"}, 30),
                  DeleteAction(base_, {"base:1"}, 1000)}));
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre(std::string("GET ") + kContainersPath,
                  "GET " + InspectPath(child_), "DELETE " + DeletePath(child_),
                  "GET " + InspectPath(base_), "DELETE " + DeletePath(base_)));
}

// ---- hooks and summary ----

TEST_F(SmallEngineTest, StopRequestedSkipsTheRest) {
  int asked = 0;
  ExecutorHooks hooks;
  hooks.stop_requested = [&]() -> std::optional<std::string> {
    ++asked;
    if (asked == 1) return std::nullopt;
    return std::string("interrupted");
  };
  ApplyReport report =
      Apply(MakePlan({DeleteTool(), DeleteApp(), DeleteDangling()}), hooks);
  ASSERT_THAT(report.results, SizeIs(3));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(report.results[i].status, ResultStatus::kSkipped);
    EXPECT_EQ(report.results[i].detail, "not run: interrupted");
  }
  EXPECT_EQ(report.summary.stopped, "interrupted");
  EXPECT_EQ(asked, 2) << "asked before each action until it said stop";
  EXPECT_EQ(transport_.Count("GET", InspectPath(app_)), 0u);
  EXPECT_EQ(DeleteCount(), 1u);
}

TEST_F(SmallEngineTest, OnResultDecidesWhetherTheNextDeletionByIdRuns) {
  // As a watermark does: the first result says stop before the second
  // deletion by ID starts.
  size_t told = 0;
  ExecutorHooks hooks;
  hooks.on_result = [&](const ActionResult&, size_t, size_t) { ++told; };
  hooks.stop_requested = [&]() -> std::optional<std::string> {
    if (told == 0) return std::nullopt;
    return std::string("the watermark was reached");
  };
  hooks.results_decide = true;
  ApplyReport report = Apply(MakePlan({DeleteTool(), DeleteDangling()}), hooks);
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[1].status, ResultStatus::kSkipped);
  EXPECT_EQ(report.results[1].detail, "not run: the watermark was reached");
  EXPECT_EQ(transport_.Count("GET", InspectPath(dangling_)), 0u);
  EXPECT_EQ(DeleteCount(), 1u);
}

TEST_F(SmallEngineTest, StopRequestedBeforeTheFirstActionRunsNothing) {
  ExecutorHooks hooks;
  hooks.stop_requested = []() -> std::optional<std::string> {
    return std::string("the lock was lost");
  };
  ApplyReport report = Apply(MakePlan({DeleteTool(), DeleteApp()}), hooks);
  ASSERT_THAT(report.results, SizeIs(2));
  for (const ActionResult& result : report.results) {
    EXPECT_EQ(result.status, ResultStatus::kSkipped);
    EXPECT_EQ(result.detail, "not run: the lock was lost");
  }
  EXPECT_THAT(transport_.requests(), IsEmpty());
}

TEST_F(SmallEngineTest, OnResultIsCalledOncePerActionInOrder) {
  transport_.On("GET", InspectPath(app_),
                FakeAnswer::EngineError(404, "No such image"));
  transport_.On("DELETE", DeletePath(dangling_),
                FakeAnswer::EngineError(
                    409,
                    "conflict: unable to delete 1a2b3c4d5e6f (must be "
                    "forced) - image is being used by stopped "
                    "container 0f1e2d3c4b5a"));
  struct Seen {
    std::string image;
    ResultStatus status;
    std::string detail;
    size_t index;
    size_t total;
  };
  std::vector<Seen> seen;
  ExecutorHooks hooks;
  hooks.on_result = [&](const ActionResult& result, size_t index,
                        size_t total) {
    seen.push_back({result.image, result.status, result.detail, index, total});
  };
  ApplyReport report =
      Apply(MakePlan({DeleteTool(), DeleteApp(), DeleteDangling()}), hooks);
  ASSERT_THAT(seen, SizeIs(3));
  ASSERT_THAT(report.results, SizeIs(3));
  std::vector<std::string> order = {tool_, app_, dangling_};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].image, order[i]);
    EXPECT_EQ(seen[i].index, i);
    EXPECT_EQ(seen[i].total, 3u);
    EXPECT_EQ(seen[i].status, report.results[i].status);
    EXPECT_EQ(seen[i].detail, report.results[i].detail);
  }
  EXPECT_EQ(seen[0].status, ResultStatus::kDone);
  EXPECT_EQ(seen[1].status, ResultStatus::kSkipped);
  EXPECT_EQ(seen[2].status, ResultStatus::kFailed);
}

TEST_F(SmallEngineTest, SummaryCountsAndBytes) {
  transport_.On("GET", InspectPath(dangling_),
                FakeAnswer::EngineError(404, "No such image"));
  Plan plan = MakePlan(
      {UntagAction(app_, {"app:latest"}), DeleteTool(), DeleteDangling()});
  plan.summary.reclaimable_bytes = 12345;  // copied, not recomputed
  ApplyReport report = Apply(plan);
  ASSERT_THAT(report.results, SizeIs(3));
  EXPECT_EQ(report.summary.done, 2u);
  EXPECT_EQ(report.summary.skipped, 1u);
  EXPECT_EQ(report.summary.failed, 0u);
  EXPECT_EQ(report.summary.predicted_bytes, 12345u);
  EXPECT_EQ(report.summary.freed_bytes, 50u);
  EXPECT_EQ(report.results[0].predicted_bytes, 0u);
  EXPECT_EQ(report.results[1].predicted_bytes, 50u);
  EXPECT_EQ(report.results[2].predicted_bytes, 7u);
  EXPECT_EQ(report.summary.stopped, "");
}

TEST_F(SmallEngineTest, AnEmptyPlanDoesNothing) {
  ApplyReport report = Apply(MakePlan({}));
  EXPECT_THAT(report.results, IsEmpty());
  EXPECT_EQ(
      report.summary.done + report.summary.skipped + report.summary.failed, 0u);
  EXPECT_THAT(transport_.requests(), IsEmpty());
}

// ---- a plan from ComputePlan, applied against a consistent engine ----

TEST_F(ExecutorTest, AppliedComputedPlanFreesExactlyWhatItPredicted) {
  engine_.AddImage(
      {.tags = {"old-a:1"}, .layers = {{Id("base"), 1000}, {Id("a"), 11}}});
  engine_.AddImage({.tags = {"old-b:1", "old-b:2"},
                    .layers = {{Id("base"), 1000}, {Id("b"), 22}}});
  engine_.AddImage(
      {.tags = {"keep:1"}, .layers = {{Id("base"), 1000}, {Id("k"), 33}}});
  engine_.AddImage({.tags = {"old-c:1", "new:1"},
                    .layers = {{Id("other base"), 400}, {Id("c"), 44}}});
  engine_.AddImage({.layers = {{Id("loose"), 55}}});
  std::string used =
      engine_.AddImage({.tags = {"old-used:1"}, .layers = {{Id("u"), 66}}});
  engine_.AddContainer({.name = "u-1", .image_id = used, .state = "exited"});
  Build();

  absl::StatusOr<Policy> policy = ParsePolicy(PaddedBody(R"({"rules": [
          {"name": "old", "match": "old-*", "older_than": "7d"},
          {"name": "dangling", "dangling": true, "older_than": "24h"}]})"),
                                              "gc.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  Plan plan =
      ComputePlan(inventory_, *policy, test_support::DefaultCapturedAt());
  ASSERT_EQ(plan.summary.untags, 1u);
  ASSERT_EQ(plan.summary.deletes, 3u);
  ASSERT_GT(plan.summary.reclaimable_bytes, 0u);

  // The engine reports each deleted image with the chains no image left
  // after it still uses, as a real engine does.
  std::vector<bool> gone(inventory_.images.size(), false);
  for (const Action& action : plan.actions) {
    if (action.op != ActionOp::kDelete) continue;
    ImageIndex index = inventory_.FindImage(action.image);
    ASSERT_NE(index, kNoImage);
    gone[index] = true;
    std::vector<std::string> deleted = {action.image};
    const std::vector<LayerId>& layers = inventory_.images[index].layers;
    for (size_t i = layers.size(); i-- > 0;) {
      bool still_used = false;
      for (ImageIndex other = 0; other < inventory_.images.size(); ++other) {
        if (gone[other]) continue;
        for (LayerId layer : inventory_.images[other].layers) {
          still_used = still_used || layer == layers[i];
        }
      }
      if (!still_used) deleted.push_back(inventory_.layers.ChainId(layers[i]));
    }
    ServeDeleteById(action.image, action.refs, deleted);
  }
  // The image that is only untagged keeps its other tag on the engine.
  ApplyReport report = Apply(plan);
  ASSERT_EQ(report.results.size(), plan.actions.size());
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    EXPECT_EQ(report.results[i].status, ResultStatus::kDone)
        << plan.actions[i].image << ": " << report.results[i].detail;
    EXPECT_EQ(report.results[i].freed_bytes, plan.actions[i].bytes)
        << plan.actions[i].image;
  }
  EXPECT_EQ(report.summary.done, 4u);
  EXPECT_EQ(report.summary.freed_bytes, plan.summary.reclaimable_bytes);
  EXPECT_EQ(report.summary.predicted_bytes, plan.summary.reclaimable_bytes);
  // 11 + 22 + 55 bytes, and the base stays with keep:1.
  EXPECT_EQ(report.summary.freed_bytes, 88u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("old-used:1")), 0u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("new:1")), 0u);
  EXPECT_EQ(transport_.Count("DELETE", DeletePath("old-c:1")), 1u);
  EXPECT_THAT(transport_.unrouted(), IsEmpty());
}

TEST_F(ExecutorTest, ParentsPrunedWithADeletedImageArePricedToo) {
  // A classic build: an untagged intermediate parent and its tagged child.
  // Deleting the child also removes the parent; the engine reports both.
  std::string parent =
      engine_.AddImage({.layers = {{Id("base"), 1000}, {Id("step 1"), 200}}});
  std::string child = engine_.AddChild(
      parent, {.tags = {"built:1"}, .layers = {{Id("step 2"), 30}}});
  Build();
  absl::StatusOr<Policy> policy = ParsePolicy(
      PaddedBody(R"({"rules": [{"match": "built", "older_than": "7d"}]})"),
      "gc.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  Plan plan =
      ComputePlan(inventory_, *policy, test_support::DefaultCapturedAt());
  ASSERT_THAT(plan.actions, SizeIs(1));
  ASSERT_EQ(plan.actions[0].image, child);
  ASSERT_EQ(plan.actions[0].bytes, 1230u);

  std::vector<std::string> child_chains = ChainsTopFirst(inventory_, child);
  ASSERT_THAT(child_chains, SizeIs(3));
  ServeDeleteById(
      child, {"built:1"},
      {child, child_chains[0], parent, child_chains[1], child_chains[2]});
  ApplyReport report = Apply(plan);
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
  EXPECT_EQ(report.results[0].detail, "");
  EXPECT_EQ(report.results[0].freed_bytes, 1230u);
  EXPECT_EQ(report.summary.freed_bytes, plan.summary.reclaimable_bytes);
}

// ---- SameEngine ----

Plan PlanFor(std::string host, std::string id) {
  Plan plan;
  plan.engine.host = std::move(host);
  plan.engine.id = std::move(id);
  return plan;
}

Inventory InventoryOf(std::string host, std::string id) {
  Inventory inventory;
  inventory.engine.host = std::move(host);
  inventory.engine.id = std::move(id);
  return inventory;
}

TEST(SameEngineTest, EqualIdsAreTheSameEngineWhateverTheHost) {
  EXPECT_TRUE(SameEngine(PlanFor("unix:///var/run/docker.sock", "ENGINE-1"),
                         InventoryOf("tcp://10.0.0.1:2376", "ENGINE-1"))
                  .ok());
}

TEST(SameEngineTest, DifferentIdsAreDifferentEnginesEvenOnOneHost) {
  absl::Status status =
      SameEngine(PlanFor("unix:///var/run/docker.sock", "ENGINE-1"),
                 InventoryOf("unix:///var/run/docker.sock", "ENGINE-2"));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("ENGINE-1"), HasSubstr("ENGINE-2"),
                    HasSubstr("unix:///var/run/docker.sock")));
}

TEST(SameEngineTest, WithoutBothIdsTheHostsAreCompared) {
  EXPECT_TRUE(SameEngine(PlanFor("unix:///var/run/docker.sock", ""),
                         InventoryOf("unix:///var/run/docker.sock", "ENGINE-1"))
                  .ok());
  EXPECT_TRUE(SameEngine(PlanFor("tcp://h:2376", "ENGINE-1"),
                         InventoryOf("tcp://h:2376", ""))
                  .ok());
  EXPECT_TRUE(
      SameEngine(PlanFor("tcp://h:2376", ""), InventoryOf("tcp://h:2376", ""))
          .ok());
  absl::Status status = SameEngine(PlanFor("tcp://a:2376", ""),
                                   InventoryOf("tcp://b:2376", "ENGINE-2"));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("tcp://a:2376"), HasSubstr("tcp://b:2376"),
                    HasSubstr("unknown"), HasSubstr("ENGINE-2")));
}

}  // namespace
}  // namespace dgc
