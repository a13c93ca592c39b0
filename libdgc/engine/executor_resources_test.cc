// Unit tests of the Executor's actions on containers, volumes and build
// cache, over FakeTransport with inventories from TestEngine: for each op
// the exact requests (the re-check, then the removal), every skip with its
// exact reason, engine errors that fail one action, freed bytes from the
// inventory (containers, volumes) or from the engine's SpaceReclaimed
// (build cache), stop requests, an engine out of reach mid-run, and a
// mixed plan performed in order with image actions. No request may ever
// carry "force", and no removal a query other than the prune's filter.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "core/inventory.h"
#include "core/json_reader.h"
#include "core/plan.h"
#include "core/plan_json.h"
#include "core/test_inventory.h"
#include "engine/engine_client.h"
#include "engine/executor.h"
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
using test_support::Hex;
using test_support::Id;
using test_support::TestEngine;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kHost[] = "unix:///var/run/docker.sock";

// ---- the engine's bodies and paths ----

// An engine time as the engine writes it: RFC 3339 with nanoseconds, and
// 0001-01-01T00:00:00Z for "never".
std::string EngineTime(absl::Time time) {
  if (time == absl::InfinitePast()) return "0001-01-01T00:00:00Z";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", time, absl::UTCTimeZone());
}

// GET /containers/{id}/json of a container in `state`.
std::string ContainerInspectJson(std::string_view id, std::string_view state,
                                 absl::Time started_at, absl::Time finished_at,
                                 std::string_view restart_policy = "no") {
  return absl::StrFormat(
      R"({"Id":"%s","Created":"2026-01-01T00:00:00Z",)"
      R"("State":{"Status":"%s","Running":%s,"StartedAt":"%s",)"
      R"("FinishedAt":"%s"},)"
      R"("HostConfig":{"RestartPolicy":{"Name":"%s","MaximumRetryCount":0}}})",
      id, state, state == "running" ? "true" : "false", EngineTime(started_at),
      EngineTime(finished_at), restart_policy);
}

// GET /containers/json with one container named `name` ("" for none).
std::string ContainerListJson(std::string_view id, std::string_view name,
                              std::string_view state) {
  std::string names = name.empty() ? "[]" : absl::StrFormat(R"(["/%s"])", name);
  return absl::StrFormat(
      R"([{"Id":"%s","Names":%s,"Image":"pg","ImageID":"%s","State":"%s"}])",
      id, names, Id("postgres"), state);
}

// POST /build/prune's answer: the records deleted (null when none, as
// the engine writes it) and the bytes.
std::string PrunedJson(const std::vector<std::string>& deleted,
                       uint64_t bytes) {
  std::string list = "null";
  if (!deleted.empty()) {
    list = absl::StrFormat(R"(["%s"])", absl::StrJoin(deleted, R"(",")"));
  }
  return absl::StrFormat(R"({"CachesDeleted":%s,"SpaceReclaimed":%d})", list,
                         bytes);
}

// The query filters={"<key>":["<value>"]}, URL-encoded as the client
// sends it.
std::string EncodedFilter(std::string_view key, std::string_view value) {
  return absl::StrFormat("filters=%%7B%%22%s%%22%%3A%%5B%%22%s%%22%%5D%%7D",
                         key, value);
}

std::string ContainerPath(std::string_view id) {
  return absl::StrFormat("/v1.41/containers/%s", id);
}

std::string ContainerInspectPath(std::string_view id) {
  return ContainerPath(id) + "/json";
}

std::string MountingPath(std::string_view volume) {
  return "/v1.41/containers/json?all=1&" + EncodedFilter("volume", volume);
}

std::string AncestorPath(std::string_view id) {
  return "/v1.41/containers/json?all=1&" + EncodedFilter("ancestor", id);
}

std::string VolumePath(std::string_view name) {
  return absl::StrFormat("/v1.41/volumes/%s", name);
}

std::string PrunePath(std::string_view record) {
  return "/v1.41/build/prune?" + EncodedFilter("id", record);
}

std::string ImagePath(std::string_view name) {
  return absl::StrFormat("/v1.41/images/%s", name);
}

// ---- the engine the tests run against ----

// Times of the engine: the job stopped long ago, with the nanoseconds the
// engine keeps; the idle container was created and never started.
const absl::Time kJobStarted =
    absl::FromUnixSeconds(1790000000) + absl::Nanoseconds(61811391);
const absl::Time kJobFinished =
    absl::FromUnixSeconds(1790000000) + absl::Nanoseconds(180225213);
const absl::Time kIdleCreated = absl::FromUnixSeconds(1785000000);

// BuildKit record IDs (25 lower-case letters and digits); the child was
// built on the parent.
constexpr char kChildRecord[] = "k1child0record0abcdefghij";
constexpr char kParentRecord[] = "p2parent0record0abcdefgh0";
constexpr char kOtherRecord[] = "o3other0record0abcdefghi0";

class ExecutorResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport_.On(
        "GET", "/version",
        FakeAnswer::Json(R"({"Version":"20.10.24","ApiVersion":"1.41",)"
                         R"("MinAPIVersion":"1.12"})"));
    ASSERT_TRUE(client_.Connect().ok());
    transport_.ClearRecords();

    tool_ = engine_.AddImage(
        {.tags = {"tool:2"}, .layers = {{Id("tool layer"), 50}}});
    job_ = engine_.AddContainer({.name = "job-1",
                                 .image_id = Id("job image"),
                                 .state = "exited",
                                 .size_rw = 4096,
                                 .started_at = kJobStarted,
                                 .finished_at = kJobFinished});
    idle_ = engine_.AddContainer({.name = "idle-1",
                                  .image_id = Id("idle image"),
                                  .state = "created",
                                  .created = kIdleCreated,
                                  .size_rw = 512});
    engine_.AddVolume({.name = volume_,
                       .driver = "local",
                       .labels = {{"com.docker.volume.anonymous", ""}},
                       .size = 10000,
                       .ref_count = 0});
    engine_.AddVolume({.name = unsized_volume_, .driver = "local"});
    engine_.AddBuildCache({.id = kChildRecord,
                           .type = "regular",
                           .parents = {kParentRecord},
                           .size = 300});
    engine_.AddBuildCache(
        {.id = kParentRecord, .type = "regular", .size = 700});
    inventory_ = engine_.BuildOrDie();
    ServeAsInventory();
  }

  void TearDown() override {
    for (const std::string& line : transport_.RequestLines()) {
      EXPECT_THAT(line, Not(HasSubstr("force"))) << "a request used force";
    }
    for (const HttpRequest& request : transport_.requests()) {
      if (request.method == "DELETE") {
        EXPECT_EQ(request.path.find('?'), std::string::npos)
            << "a removal with a query: " << request.path;
      }
    }
    EXPECT_THAT(transport_.refused(), IsEmpty());
    EXPECT_THAT(transport_.unrouted(), IsEmpty());
  }

  // Answers as the engine does when nothing changed since the inventory:
  // each container's inspect as it is, no container mounting a volume,
  // every removal done, each record pruned alone with its size, and the
  // image tool:2 deleted with its layer.
  void ServeAsInventory() {
    ServeContainer(job_, "exited", kJobStarted, kJobFinished);
    ServeContainer(idle_, "created", absl::InfinitePast(),
                   absl::InfinitePast());
    for (const Volume& volume : inventory_.volumes) {
      transport_.On("GET", MountingPath(volume.name), FakeAnswer::Json("[]"));
      transport_.On("DELETE", VolumePath(volume.name),
                    FakeAnswer::Http(204, ""));
    }
    for (const BuildCacheRecord& record : inventory_.build_cache) {
      transport_.On("POST", PrunePath(record.id),
                    FakeAnswer::Json(PrunedJson(
                        {record.id}, static_cast<uint64_t>(record.size))));
    }
    std::string inspect = absl::StrFormat(
        R"({"Id":"%s","RepoTags":["tool:2"],"RepoDigests":[],"Parent":"",)"
        R"("Created":"2026-01-01T00:00:00Z","Size":50,)"
        R"("RootFS":{"Type":"layers","Layers":[]}})",
        tool_);
    transport_.On("GET", ImagePath(tool_) + "/json", FakeAnswer::Json(inspect));
    transport_.On("GET", AncestorPath(tool_), FakeAnswer::Json("[]"));
    // The listing deletions by ID share: read after the container went.
    transport_.On("GET", "/v1.41/containers/json?all=1",
                  FakeAnswer::Json("[]"));
    transport_.On("DELETE", ImagePath(tool_),
                  FakeAnswer::Json(absl::StrFormat(
                      R"([{"Untagged":"tool:2"},{"Deleted":"%s"},)"
                      R"({"Deleted":"%s"}])",
                      tool_, ToolChain())));
  }

  // The inspect of container `id` answers with `state` and times.
  void ServeContainer(std::string_view id, std::string_view state,
                      absl::Time started_at, absl::Time finished_at) {
    transport_.On("GET", ContainerInspectPath(id),
                  FakeAnswer::Json(ContainerInspectJson(id, state, started_at,
                                                        finished_at)));
    transport_.On("DELETE", ContainerPath(id), FakeAnswer::Http(204, ""));
  }

  std::string ToolChain() const {
    ImageIndex index = inventory_.FindImage(tool_);
    return inventory_.layers.ChainId(inventory_.images[index].layers[0]);
  }

  // A remove_container action as the planner makes it: the container's ID
  // and name, when it stopped (FinishedAt, or creation when it never ran)
  // and its writable layer as the predicted bytes.
  Action RemoveContainer(std::string_view id) const {
    Action action;
    action.op = ActionOp::kRemoveContainer;
    action.rule = "containers";
    action.reason = "stopped for longer than 30d";
    for (const Container& container : inventory_.containers) {
      if (container.id != id) continue;
      action.container = container.id;
      action.container_name = container.name;
      action.image = container.image_id;
      action.stopped_at = container.finished_at != absl::InfinitePast()
                              ? container.finished_at
                              : container.created;
      action.bytes = static_cast<uint64_t>(container.size_rw.value_or(0));
    }
    return action;
  }

  Action RemoveVolume(std::string_view name, uint64_t bytes = 10000) const {
    Action action;
    action.op = ActionOp::kRemoveVolume;
    action.rule = "volumes";
    action.reason = "anonymous, unused for longer than 30d";
    action.volume = std::string(name);
    action.bytes = bytes;
    return action;
  }

  Action PruneBuildCache(std::vector<std::string> records,
                         uint64_t bytes = 1000) const {
    Action action;
    action.op = ActionOp::kPruneBuildCache;
    action.rule = "build_cache";
    action.reason = "unused for longer than 7d";
    action.records = std::move(records);
    action.bytes = bytes;
    return action;
  }

  Action DeleteTool() const {
    Action action;
    action.op = ActionOp::kDelete;
    action.image = tool_;
    action.refs = {"tool:2"};
    action.bytes = 50;
    action.rule = "legacy";
    action.reason = "older than 7d";
    return action;
  }

  Plan MakePlan(std::vector<Action> actions) const {
    Plan plan;
    plan.engine = inventory_.engine;
    plan.now = test_support::DefaultCapturedAt();
    plan.actions = std::move(actions);
    for (const Action& action : plan.actions) {
      plan.summary.reclaimable_bytes += action.bytes;
    }
    return plan;
  }

  ApplyReport Apply(const Plan& plan, const ExecutorHooks& hooks = {}) {
    Executor executor(client_, inventory_);
    return executor.Apply(plan, hooks);
  }

  // Apply of a plan of one action; its result.
  ActionResult ApplyOne(const Action& action) {
    ApplyReport report = Apply(MakePlan({action}));
    EXPECT_THAT(report.results, SizeIs(1));
    return report.results.empty() ? ActionResult() : report.results[0];
  }

  size_t Removals() const {
    size_t removals = 0;
    for (const HttpRequest& request : transport_.requests()) {
      removals += request.method == "GET" ? 0 : 1;
    }
    return removals;
  }

  TestEngine engine_;
  Inventory inventory_;
  FakeTransport transport_{Access::kReadWrite, kHost};
  EngineClient client_{transport_, test_support::NoWaitRetry()};
  std::string tool_, job_, idle_;
  const std::string volume_ = Hex("anonymous volume");
  const std::string unsized_volume_ = Hex("volume without a size");
};

// ---- remove_container ----

TEST_F(ExecutorResourcesTest, ContainerIsInspectedThenRemovedWithoutAQuery) {
  ActionResult result = ApplyOne(RemoveContainer(job_));
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("GET " + ContainerInspectPath(job_),
                          "DELETE " + ContainerPath(job_)));
  EXPECT_EQ(result.status, ResultStatus::kDone) << result.detail;
  EXPECT_EQ(result.detail, "");
  EXPECT_EQ(result.op, ActionOp::kRemoveContainer);
  EXPECT_EQ(result.container, job_);
  EXPECT_EQ(result.predicted_bytes, 4096u);
  // The engine's SizeRw from the inventory, not the prediction.
  EXPECT_EQ(result.freed_bytes, 4096u);
}

TEST_F(ExecutorResourcesTest, FreedBytesOfAContainerAreTheInventorySizeRw) {
  Action action = RemoveContainer(job_);
  action.bytes = 1;  // the prediction is not copied
  ApplyReport report = Apply(MakePlan({action}));
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].freed_bytes, 4096u);
  EXPECT_EQ(report.summary.freed_bytes, 4096u);
  EXPECT_EQ(report.summary.predicted_bytes, 1u);
}

TEST_F(ExecutorResourcesTest, AContainerTheInventoryDoesNotKnowFreesZero) {
  std::string stranger = Hex("container stranger");
  ServeContainer(stranger, "exited", kJobStarted, kJobFinished);
  Action action = RemoveContainer(job_);
  action.container = stranger;
  ActionResult result = ApplyOne(action);
  EXPECT_EQ(result.status, ResultStatus::kDone) << result.detail;
  EXPECT_EQ(result.freed_bytes, 0u);
}

TEST_F(ExecutorResourcesTest, AContainerThatNeverRanIsRemoved) {
  ActionResult result = ApplyOne(RemoveContainer(idle_));
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("GET " + ContainerInspectPath(idle_),
                          "DELETE " + ContainerPath(idle_)));
  EXPECT_EQ(result.status, ResultStatus::kDone) << result.detail;
  EXPECT_EQ(result.freed_bytes, 512u);
}

TEST_F(ExecutorResourcesTest, ADeadContainerIsRemoved) {
  ServeContainer(job_, "dead", kJobStarted, kJobFinished);
  EXPECT_EQ(ApplyOne(RemoveContainer(job_)).status, ResultStatus::kDone);
}

TEST_F(ExecutorResourcesTest, StoppedAtReadBackFromAPlanDocumentStillMatches) {
  // Plan documents keep seconds; the engine's FinishedAt has nanoseconds.
  absl::StatusOr<Plan> plan =
      ParsePlan(PaddedBody(PlanToJson(MakePlan({RemoveContainer(job_)}))));
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_THAT(plan->actions, SizeIs(1));
  ASSERT_NE(plan->actions[0].stopped_at, kJobFinished);
  ApplyReport report = Apply(*plan);
  ASSERT_THAT(report.results, SizeIs(1));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone)
      << report.results[0].detail;
}

TEST_F(ExecutorResourcesTest, SkipsAContainerAlreadyRemoved) {
  transport_.On("GET", ContainerInspectPath(job_),
                FakeAnswer::EngineError(404, "No such container: " + job_));
  ActionResult result = ApplyOne(RemoveContainer(job_));
  EXPECT_EQ(result.status, ResultStatus::kSkipped);
  EXPECT_EQ(result.detail, "already removed");
  EXPECT_EQ(result.freed_bytes, 0u);
  EXPECT_EQ(Removals(), 0u);
}

TEST_F(ExecutorResourcesTest, SkipsAContainerThatIsNotStoppedNow) {
  for (std::string state : {"running", "paused", "restarting", "removing"}) {
    transport_.ClearRecords();
    ServeContainer(job_, state, kJobStarted, absl::InfinitePast());
    ActionResult result = ApplyOne(RemoveContainer(job_));
    EXPECT_EQ(result.status, ResultStatus::kSkipped) << state;
    EXPECT_EQ(result.detail, "it is " + state + " now");
    EXPECT_EQ(Removals(), 0u) << state;
  }
}

TEST_F(ExecutorResourcesTest, SkipsAContainerWhoseStateTheEngineDoesNotSay) {
  transport_.On("GET", ContainerInspectPath(job_),
                FakeAnswer::Json(absl::StrFormat(
                    R"({"Id":"%s","State":{"FinishedAt":"%s"}})", job_,
                    EngineTime(kJobFinished))));
  ActionResult result = ApplyOne(RemoveContainer(job_));
  EXPECT_EQ(result.status, ResultStatus::kSkipped);
  EXPECT_EQ(result.detail, "the engine did not say its state");
  EXPECT_EQ(Removals(), 0u);
}

TEST_F(ExecutorResourcesTest, SkipsAContainerThatRanAgainSinceThePlan) {
  // Started again and stopped again: another FinishedAt.
  ServeContainer(job_, "exited", kJobFinished + absl::Hours(24 * 40),
                 kJobFinished + absl::Hours(24 * 40) + absl::Seconds(3));
  ActionResult result = ApplyOne(RemoveContainer(job_));
  EXPECT_EQ(result.status, ResultStatus::kSkipped);
  EXPECT_EQ(result.detail, "it ran again since the plan");
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("GET " + ContainerInspectPath(job_)));
}

TEST_F(ExecutorResourcesTest,
       SkipsAContainerThatRanForTheFirstTimeSinceThePlan) {
  ServeContainer(idle_, "exited", kIdleCreated + absl::Hours(1),
                 kIdleCreated + absl::Hours(2));
  ActionResult result = ApplyOne(RemoveContainer(idle_));
  EXPECT_EQ(result.status, ResultStatus::kSkipped);
  EXPECT_EQ(result.detail, "it ran again since the plan");
  EXPECT_EQ(Removals(), 0u);
}

TEST_F(ExecutorResourcesTest, WithoutAStoppedAtOnlyTheStateIsChecked) {
  ServeContainer(job_, "exited", kJobFinished + absl::Hours(1),
                 kJobFinished + absl::Hours(2));
  Action action = RemoveContainer(job_);
  action.stopped_at = absl::InfinitePast();
  EXPECT_EQ(ApplyOne(action).status, ResultStatus::kDone);
}

TEST_F(ExecutorResourcesTest, SkipsAnIdThatNowNamesAnotherContainer) {
  // A plan naming the container otherwise than by its full ID.
  transport_.On(
      "GET", ContainerInspectPath("job-1"),
      FakeAnswer::Json(ContainerInspectJson(
          Hex("container job-1 again"), "exited", kJobStarted, kJobFinished)));
  Action action = RemoveContainer(job_);
  action.container = "job-1";
  ActionResult result = ApplyOne(action);
  EXPECT_EQ(result.status, ResultStatus::kSkipped);
  EXPECT_EQ(result.detail,
            absl::StrFormat("job-1 now names another container (%s)",
                            Hex("container job-1 again").substr(0, 12)));
  EXPECT_EQ(Removals(), 0u);
}

TEST_F(ExecutorResourcesTest,
       SkipsAContainerRemovedBetweenTheCheckAndItsRemoval) {
  transport_.On("DELETE", ContainerPath(job_),
                FakeAnswer::EngineError(404, "No such container: " + job_));
  ActionResult result = ApplyOne(RemoveContainer(job_));
  EXPECT_EQ(result.status, ResultStatus::kSkipped);
  EXPECT_EQ(result.detail, "it was removed by someone else");
  EXPECT_EQ(result.freed_bytes, 0u);
}

TEST_F(ExecutorResourcesTest, ARefusedRemovalFailsTheActionAndTheRunGoesOn) {
  // Started between the re-check and the removal: without force the
  // engine refuses, changing nothing.
  std::string refusal = absl::StrFormat(
      "You cannot remove a running container %s. Stop the container before "
      "attempting removal or force remove",
      job_);
  transport_.On("DELETE", ContainerPath(job_),
                FakeAnswer::EngineError(409, refusal));
  ApplyReport report =
      Apply(MakePlan({RemoveContainer(job_), RemoveContainer(idle_)}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_THAT(report.results[0].detail, HasSubstr(refusal));
  EXPECT_EQ(report.results[0].freed_bytes, 0u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.summary.failed, 1u);
  EXPECT_EQ(report.summary.done, 1u);
  EXPECT_EQ(report.summary.freed_bytes, 512u);
  EXPECT_EQ(report.summary.stopped, "");
}

TEST_F(ExecutorResourcesTest, AServerErrorOnTheInspectFailsTheAction) {
  transport_.On("GET", ContainerInspectPath(job_),
                FakeAnswer::EngineError(500, "containerd is restarting"));
  ActionResult result = ApplyOne(RemoveContainer(job_));
  EXPECT_EQ(result.status, ResultStatus::kFailed);
  EXPECT_THAT(result.detail, HasSubstr("containerd is restarting"));
  EXPECT_EQ(Removals(), 0u);
}

// ---- remove_volume ----

TEST_F(ExecutorResourcesTest, VolumeIsCheckedForMountsThenRemoved) {
  ActionResult result = ApplyOne(RemoveVolume(volume_, 9999));
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("GET " + MountingPath(volume_),
                          "DELETE " + VolumePath(volume_)));
  EXPECT_EQ(result.status, ResultStatus::kDone) << result.detail;
  EXPECT_EQ(result.detail, "");
  EXPECT_EQ(result.op, ActionOp::kRemoveVolume);
  EXPECT_EQ(result.volume, volume_);
  EXPECT_EQ(result.predicted_bytes, 9999u);
  EXPECT_EQ(result.freed_bytes, 10000u);  // the inventory's UsageData.Size
}

TEST_F(ExecutorResourcesTest, AVolumeWithoutAReportedSizeFreesZero) {
  ActionResult result = ApplyOne(RemoveVolume(unsized_volume_, 0));
  EXPECT_EQ(result.status, ResultStatus::kDone) << result.detail;
  EXPECT_EQ(result.freed_bytes, 0u);
}

TEST_F(ExecutorResourcesTest, SkipsAVolumeThatAContainerOfAnyStateMountsNow) {
  for (std::string state : {"created", "running", "exited", "dead"}) {
    transport_.ClearRecords();
    transport_.On(
        "GET", MountingPath(volume_),
        FakeAnswer::Json(ContainerListJson(Hex("db"), "db-1", state)));
    ActionResult result = ApplyOne(RemoveVolume(volume_));
    EXPECT_EQ(result.status, ResultStatus::kSkipped) << state;
    EXPECT_EQ(result.detail, "mounted by container db-1 now") << state;
    EXPECT_EQ(result.freed_bytes, 0u);
    EXPECT_EQ(Removals(), 0u) << state;
  }
}

TEST_F(ExecutorResourcesTest,
       AMountingContainerWithoutANameIsNamedByItsShortId) {
  transport_.On("GET", MountingPath(volume_),
                FakeAnswer::Json(ContainerListJson(Hex("db"), "", "exited")));
  ActionResult result = ApplyOne(RemoveVolume(volume_));
  EXPECT_EQ(result.detail, absl::StrFormat("mounted by container %s now",
                                           Hex("db").substr(0, 12)));
}

TEST_F(ExecutorResourcesTest, SkipsAVolumeAlreadyRemoved) {
  transport_.On("DELETE", VolumePath(volume_),
                FakeAnswer::EngineError(
                    404, absl::StrFormat("get %s: no such volume", volume_)));
  ActionResult result = ApplyOne(RemoveVolume(volume_));
  EXPECT_EQ(result.status, ResultStatus::kSkipped);
  EXPECT_EQ(result.detail, "already removed");
  EXPECT_EQ(result.freed_bytes, 0u);
}

TEST_F(ExecutorResourcesTest, SkipsAVolumeTheEngineFindsInUseWithItsMessage) {
  std::string in_use =
      absl::StrFormat("remove %s: volume is in use - [%s]", volume_, Hex("db"));
  transport_.On("DELETE", VolumePath(volume_),
                FakeAnswer::EngineError(409, in_use));
  ActionResult result = ApplyOne(RemoveVolume(volume_));
  EXPECT_EQ(result.status, ResultStatus::kSkipped);
  EXPECT_EQ(result.detail,
            absl::StrFormat("the Docker engine at %s answered DELETE %s with "
                            "HTTP 409: %s",
                            kHost, VolumePath(volume_), in_use));
  EXPECT_EQ(result.freed_bytes, 0u);
}

TEST_F(ExecutorResourcesTest, AServerErrorOnAVolumeFailsItAndTheRunGoesOn) {
  transport_.On(
      "DELETE", VolumePath(volume_),
      FakeAnswer::EngineError(500, "local driver: permission denied"));
  ApplyReport report = Apply(
      MakePlan({RemoveVolume(volume_), RemoveVolume(unsized_volume_, 0)}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
  EXPECT_THAT(report.results[0].detail,
              HasSubstr("local driver: permission denied"));
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
}

// ---- prune_build_cache ----

TEST_F(ExecutorResourcesTest, RecordsArePrunedOneByOneChildrenFirst) {
  // The engine's SpaceReclaimed counts, not the inventory's sizes.
  transport_.On("POST", PrunePath(kChildRecord),
                FakeAnswer::Json(PrunedJson({kChildRecord}, 333)));
  transport_.On("POST", PrunePath(kParentRecord),
                FakeAnswer::Json(PrunedJson({kParentRecord}, 777)));
  ActionResult result =
      ApplyOne(PruneBuildCache({kChildRecord, kParentRecord}));
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("POST " + PrunePath(kChildRecord),
                          "POST " + PrunePath(kParentRecord)));
  EXPECT_EQ(result.status, ResultStatus::kDone) << result.detail;
  EXPECT_EQ(result.detail, "");
  EXPECT_EQ(result.op, ActionOp::kPruneBuildCache);
  EXPECT_THAT(result.records, ElementsAre(kChildRecord, kParentRecord));
  EXPECT_THAT(result.deleted, ElementsAre(kChildRecord, kParentRecord));
  EXPECT_EQ(result.predicted_bytes, 1000u);
  EXPECT_EQ(result.freed_bytes, 1110u);
}

TEST_F(ExecutorResourcesTest, ARecordGoneAlreadyLeavesTheRestDone) {
  transport_.On("POST", PrunePath(kChildRecord),
                FakeAnswer::Json(PrunedJson({}, 0)));
  ActionResult result =
      ApplyOne(PruneBuildCache({kChildRecord, kParentRecord}));
  EXPECT_EQ(result.status, ResultStatus::kDone);
  EXPECT_THAT(result.deleted, ElementsAre(kParentRecord));
  EXPECT_EQ(result.freed_bytes, 700u);
  EXPECT_EQ(result.detail,
            absl::StrFormat(
                "the engine did not prune %s: gone already, in use or shared",
                kChildRecord));
}

TEST_F(ExecutorResourcesTest, SkipsWhenTheEnginePrunedNoneOfTheRecords) {
  transport_.On("POST", PrunePath(kChildRecord),
                FakeAnswer::Json(PrunedJson({}, 0)));
  transport_.On("POST", PrunePath(kParentRecord),
                FakeAnswer::Json(R"({"CachesDeleted":[],"SpaceReclaimed":0})"));
  ActionResult result =
      ApplyOne(PruneBuildCache({kChildRecord, kParentRecord}));
  EXPECT_EQ(result.status, ResultStatus::kSkipped);
  EXPECT_EQ(result.detail,
            "the engine pruned none of the records: they are gone already, in "
            "use or shared");
  EXPECT_EQ(result.freed_bytes, 0u);
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(ExecutorResourcesTest, ARecordTheEngineAlsoPrunedIsReportedAsAWarning) {
  transport_.On(
      "POST", PrunePath(kChildRecord),
      FakeAnswer::Json(PrunedJson({kChildRecord, kOtherRecord}, 350)));
  ActionResult result = ApplyOne(PruneBuildCache({kChildRecord}));
  EXPECT_EQ(result.status, ResultStatus::kDone);
  EXPECT_THAT(result.deleted, ElementsAre(kChildRecord, kOtherRecord));
  EXPECT_EQ(result.freed_bytes, 350u);
  EXPECT_EQ(result.detail, absl::StrFormat("warning: the engine also pruned %s",
                                           kOtherRecord));
}

TEST_F(ExecutorResourcesTest, AFailedPruneKeepsWhatTheEarlierOnesDid) {
  transport_.On("POST", PrunePath(kParentRecord),
                FakeAnswer::EngineError(500, "failed to prune: lease held"));
  ApplyReport report = Apply(MakePlan(
      {PruneBuildCache({kChildRecord, kParentRecord}), RemoveVolume(volume_)}));
  ASSERT_THAT(report.results, SizeIs(2));
  const ActionResult& result = report.results[0];
  EXPECT_EQ(result.status, ResultStatus::kFailed);
  EXPECT_THAT(result.detail, HasSubstr("failed to prune: lease held"));
  EXPECT_THAT(result.deleted, ElementsAre(kChildRecord));
  EXPECT_EQ(result.freed_bytes, 300u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  EXPECT_EQ(report.summary.freed_bytes, 300u + 10000u);
}

// ---- the run ----

TEST_F(ExecutorResourcesTest, AMixedPlanRunsInOrder) {
  struct Seen {
    ActionOp op;
    ResultStatus status;
    size_t index;
    size_t total;
  };
  std::vector<Seen> seen;
  ExecutorHooks hooks;
  hooks.on_result = [&](const ActionResult& result, size_t index,
                        size_t total) {
    seen.push_back({result.op, result.status, index, total});
  };
  ApplyReport report = Apply(
      MakePlan({RemoveContainer(job_), DeleteTool(), RemoveVolume(volume_),
                PruneBuildCache({kChildRecord, kParentRecord})}),
      hooks);
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre(
          "GET " + ContainerInspectPath(job_), "DELETE " + ContainerPath(job_),
          "GET /v1.41/containers/json?all=1",
          "GET " + ImagePath(tool_) + "/json", "DELETE " + ImagePath(tool_),
          "GET " + MountingPath(volume_), "DELETE " + VolumePath(volume_),
          "POST " + PrunePath(kChildRecord),
          "POST " + PrunePath(kParentRecord)));
  ASSERT_THAT(report.results, SizeIs(4));
  std::vector<ActionOp> order = {ActionOp::kRemoveContainer, ActionOp::kDelete,
                                 ActionOp::kRemoveVolume,
                                 ActionOp::kPruneBuildCache};
  ASSERT_THAT(seen, SizeIs(4));
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(report.results[i].op, order[i]);
    EXPECT_EQ(report.results[i].status, ResultStatus::kDone)
        << i << ": " << report.results[i].detail;
    EXPECT_EQ(seen[i].op, order[i]);
    EXPECT_EQ(seen[i].index, i);
    EXPECT_EQ(seen[i].total, 4u);
  }
  EXPECT_THAT(report.results[1].deleted, ElementsAre(tool_, ToolChain()));
  EXPECT_EQ(report.results[1].freed_bytes, 50u);
  EXPECT_EQ(report.summary.done, 4u);
  EXPECT_EQ(report.summary.freed_bytes, 4096u + 50u + 10000u + 300u + 700u);
  EXPECT_EQ(report.summary.stopped, "");
}

TEST_F(ExecutorResourcesTest, AStopRequestSkipsTheRestOfTheRun) {
  int asked = 0;
  ExecutorHooks hooks;
  hooks.stop_requested = [&]() -> std::optional<std::string> {
    if (++asked <= 2) return std::nullopt;
    return std::string("interrupted");
  };
  ApplyReport report =
      Apply(MakePlan({RemoveVolume(volume_), RemoveContainer(job_),
                      PruneBuildCache({kChildRecord}), RemoveContainer(idle_)}),
            hooks);
  ASSERT_THAT(report.results, SizeIs(4));
  EXPECT_EQ(report.results[0].status, ResultStatus::kDone);
  EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
  for (size_t i = 2; i < 4; ++i) {
    EXPECT_EQ(report.results[i].status, ResultStatus::kSkipped);
    EXPECT_EQ(report.results[i].detail, "not run: interrupted");
    EXPECT_EQ(report.results[i].freed_bytes, 0u);
  }
  EXPECT_EQ(report.summary.stopped, "interrupted");
  EXPECT_EQ(asked, 3);
  EXPECT_EQ(transport_.Count("POST", PrunePath(kChildRecord)), 0u);
  EXPECT_EQ(transport_.Count("GET", ContainerInspectPath(idle_)), 0u);
}

TEST_F(ExecutorResourcesTest, AStopRequestBeforeTheFirstActionSendsNothing) {
  ExecutorHooks hooks;
  hooks.stop_requested = []() -> std::optional<std::string> {
    return std::string("the lock was lost");
  };
  ApplyReport report =
      Apply(MakePlan({RemoveContainer(job_), RemoveVolume(volume_),
                      PruneBuildCache({kChildRecord})}),
            hooks);
  for (const ActionResult& result : report.results) {
    EXPECT_EQ(result.status, ResultStatus::kSkipped);
    EXPECT_EQ(result.detail, "not run: the lock was lost");
  }
  EXPECT_THAT(transport_.requests(), IsEmpty());
}

// Each read of each op, failing at the transport, fails the action and
// ends the run there; nothing was done.
TEST_F(ExecutorResourcesTest, AnEngineOutOfReachAtAReadEndsTheRun) {
  struct Case {
    std::string path;
    Action action;
  };
  std::vector<Case> cases = {
      {ContainerInspectPath(job_), RemoveContainer(job_)},
      {MountingPath(volume_), RemoveVolume(volume_)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    transport_.ClearRecords();
    ServeAsInventory();
    absl::Status down = absl::UnavailableError(absl::StrFormat(
        "the Docker engine at %s broke off its response to GET %s", kHost,
        c.path));
    transport_.On("GET", c.path, FakeAnswer::Fail(down));
    ApplyReport report =
        Apply(MakePlan({c.action, RemoveContainer(idle_), DeleteTool()}));
    ASSERT_THAT(report.results, SizeIs(3));
    std::string given_up =
        std::string(down.message()) + "; sent 3 times, giving up";
    EXPECT_EQ(report.results[0].status, ResultStatus::kFailed);
    EXPECT_EQ(report.results[0].detail, given_up);
    std::string stopped =
        absl::StrFormat("the engine stopped answering (%s)", given_up);
    for (size_t i = 1; i < 3; ++i) {
      EXPECT_EQ(report.results[i].status, ResultStatus::kSkipped);
      EXPECT_EQ(report.results[i].detail, "not run: " + stopped);
    }
    EXPECT_EQ(report.summary.stopped, stopped);
    EXPECT_EQ(transport_.Count("GET", c.path), 3u);
    EXPECT_EQ(transport_.RequestLines().back(), "GET " + c.path)
        << "nothing is asked after the engine stopped answering";
  }
}

// A removal of a volume or a build cache record whose answer was lost is
// not read back: unknown, never sent again, and the run ends there.
TEST_F(ExecutorResourcesTest,
       ARemovalWhoseAnswerWasLostIsUnknownAndEndsTheRun) {
  struct Case {
    std::string method;
    std::string path;
    Action action;
  };
  std::vector<Case> cases = {
      {"DELETE", VolumePath(volume_), RemoveVolume(volume_)},
      {"POST", PrunePath(kChildRecord), PruneBuildCache({kChildRecord})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    transport_.ClearRecords();
    ServeAsInventory();
    absl::Status down = absl::UnavailableError(absl::StrFormat(
        "the Docker engine at %s broke off its response to %s %s", kHost,
        c.method, c.path));
    transport_.On(c.method, c.path, FakeAnswer::Fail(down));
    ApplyReport report =
        Apply(MakePlan({c.action, RemoveContainer(idle_), DeleteTool()}));
    ASSERT_THAT(report.results, SizeIs(3));
    EXPECT_EQ(report.results[0].status, ResultStatus::kUnknown);
    EXPECT_THAT(report.results[0].detail,
                AllOf(HasSubstr("was lost"), HasSubstr(down.message()),
                      HasSubstr("not sent again"), HasSubstr("not known")));
    std::string stopped =
        absl::StrFormat("the engine stopped answering (%s)", down.message());
    for (size_t i = 1; i < 3; ++i) {
      EXPECT_EQ(report.results[i].status, ResultStatus::kSkipped);
      EXPECT_EQ(report.results[i].detail, "not run: " + stopped);
    }
    EXPECT_EQ(report.summary.unknown, 1u);
    EXPECT_EQ(report.summary.failed, 0u);
    EXPECT_EQ(report.summary.stopped, stopped);
    EXPECT_EQ(transport_.Count(c.method, c.path), 1u);
    EXPECT_EQ(transport_.RequestLines().back(), c.method + " " + c.path);
  }
}

// A container removal whose answer was lost: the container is inspected
// again, and the action is done or failed as that finds; the run goes on.
TEST_F(ExecutorResourcesTest, AContainerRemovalWhoseAnswerWasLostIsReadBack) {
  absl::Status down = absl::UnavailableError(
      "the Docker engine broke off its response to DELETE");
  for (bool removed : {true, false}) {
    SCOPED_TRACE(removed ? "removed" : "not removed");
    transport_.ClearRecords();
    ServeAsInventory();
    transport_.On("DELETE", ContainerPath(job_), FakeAnswer::Fail(down));
    if (removed) {
      transport_.OnAfterCalls(
          1, "GET", ContainerInspectPath(job_),
          FakeAnswer::EngineError(404, "No such container: " + job_));
    }
    ApplyReport report =
        Apply(MakePlan({RemoveContainer(job_), RemoveContainer(idle_)}));
    ASSERT_THAT(report.results, SizeIs(2));
    const ActionResult& lost = report.results[0];
    EXPECT_EQ(lost.status,
              removed ? ResultStatus::kDone : ResultStatus::kFailed);
    EXPECT_THAT(lost.detail,
                AllOf(HasSubstr("DELETE /containers/" + job_ + " was lost"),
                      HasSubstr(down.message()),
                      HasSubstr(removed ? "the container is gone: removed"
                                        : "still there: not removed")));
    EXPECT_EQ(lost.freed_bytes, removed ? 4096u : 0u);
    EXPECT_EQ(report.results[1].status, ResultStatus::kDone);
    EXPECT_EQ(report.summary.stopped, "");
    EXPECT_EQ(transport_.Count("DELETE", ContainerPath(job_)), 1u);
    EXPECT_EQ(transport_.Count("GET", ContainerInspectPath(job_)), 2u);
  }
}

TEST_F(ExecutorResourcesTest, AnEngineOutOfReachMidPruneKeepsWhatWasDone) {
  transport_.On("POST", PrunePath(kParentRecord),
                FakeAnswer::Fail(absl::DeadlineExceededError(
                    "the Docker engine did not answer in time")));
  ApplyReport report = Apply(MakePlan(
      {PruneBuildCache({kChildRecord, kParentRecord}), RemoveVolume(volume_)}));
  ASSERT_THAT(report.results, SizeIs(2));
  EXPECT_EQ(report.results[0].status, ResultStatus::kUnknown);
  EXPECT_THAT(report.results[0].detail, HasSubstr("were pruned before"));
  EXPECT_THAT(report.results[0].deleted, ElementsAre(kChildRecord));
  EXPECT_EQ(report.results[0].freed_bytes, 300u);
  EXPECT_EQ(report.results[1].status, ResultStatus::kSkipped);
  EXPECT_THAT(report.summary.stopped, HasSubstr("did not answer in time"));
  EXPECT_EQ(report.summary.freed_bytes, 300u);
  EXPECT_EQ(transport_.Count("GET", MountingPath(volume_)), 0u);
}

}  // namespace
}  // namespace dgc
