// Unit tests of the one orchestration (session.h) over FakeTransport with
// the bodies recorded from Docker 20.10.24: what ReadInventory reads and
// checks, the accounting warning and refusal reaching the inventory, the
// read-only rule holding for every transport, ApplyRun's refusals before
// any write, the default clock, snapshot errors naming their source, the
// library error codes of engine failures, and request tracing.
#include "engine/session.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/accounting.h"
#include "core/error_code.h"
#include "core/planner.h"
#include "core/test_inventory.h"
#include "engine/fake_transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::FakeAnswer;
using test_support::FakeTransport;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kHost[] = "unix:///var/run/docker.sock";

std::string RecordedFile(std::string_view file) {
  absl::StatusOr<std::string> text =
      test_support::ReadTestdata(absl::StrFormat("api-1.41/%s", file));
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

class SessionTest : public ::testing::Test {
 protected:
  // A session over a fake engine serving the recorded bodies; `transport_`
  // stays readable after the session took ownership.
  std::unique_ptr<EngineSession> Open(Access access) {
    auto transport = std::make_unique<FakeTransport>(access, kHost);
    transport_ = transport.get();
    transport_->On("GET", "/version",
                   FakeAnswer::Json(RecordedFile("version.json")));
    EXPECT_TRUE(test_support::ServeRecordedEngine(*transport_).ok());
    return std::make_unique<EngineSession>(std::move(transport));
  }

  FakeTransport* transport_ = nullptr;
};

TEST_F(SessionTest, ReadInventoryReadsTheEngineUsageAndFindsItExact) {
  std::unique_ptr<EngineSession> session = Open(Access::kReadOnly);
  absl::StatusOr<Inventory> inventory = session->ReadInventory();
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_EQ(transport_->Count("GET", "/v1.41/system/df"), 1u);
  ASSERT_TRUE(inventory->engine_layers_size.has_value());
  EXPECT_EQ(static_cast<uint64_t>(*inventory->engine_layers_size),
            TotalLayerBytes(*inventory));
  EXPECT_THAT(inventory->warnings, IsEmpty());
  EXPECT_THAT(transport_->refused(), IsEmpty());
}

TEST_F(SessionTest, ReadingImagesAloneLeavesTheEngineUsageUnread) {
  std::unique_ptr<EngineSession> session = Open(Access::kReadOnly);
  absl::StatusOr<Inventory> inventory =
      session->ReadInventory(InventoryScope::kImages);
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_EQ(transport_->Count("GET", "/v1.41/system/df"), 0u);
  EXPECT_FALSE(inventory->engine_layers_size.has_value());
  EXPECT_THAT(inventory->volumes, IsEmpty());
  EXPECT_FALSE(inventory->images.empty());
  EXPECT_THAT(inventory->warnings, IsEmpty());
}

TEST_F(SessionTest, ALayersSizeMismatchBecomesAWarningInEveryDocument) {
  std::unique_ptr<EngineSession> session = Open(Access::kReadOnly);
  transport_->On("GET", "/v1.41/system/df",
                 FakeAnswer::Json(R"({"LayersSize": 12345})"));
  absl::StatusOr<Inventory> inventory = session->ReadInventory();
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  std::string expected = absl::StrFormat(
      "the engine reports 12345 bytes of layers, docker gc counts %d",
      TotalLayerBytes(*inventory));
  EXPECT_THAT(inventory->warnings, Contains(HasSubstr(expected)));
  EXPECT_THAT(DiskUsageDocument(*inventory), HasSubstr(expected));
  absl::StatusOr<Plan> plan =
      MakePlan(*inventory, DefaultPolicy(), std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->warnings, Contains(HasSubstr(expected)));
}

TEST_F(SessionTest, TheContainerdStoreWithoutItsContentStoreGivesBounds) {
  std::unique_ptr<EngineSession> session = Open(Access::kReadOnly);
  transport_->On(
      "GET", "/v1.41/info",
      FakeAnswer::Json(R"({"ID":"X","Driver":"overlayfs","DriverStatus":)"
                       R"([["driver-type","io.containerd.snapshotter.v1"]]})"));
  absl::StatusOr<Inventory> inventory = session->ReadInventory();
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_TRUE(inventory->engine.containerd_store);
  EXPECT_FALSE(inventory->ContentKnown());
  EXPECT_THAT(inventory->warnings,
              Contains(AllOf(HasSubstr(kHost), HasSubstr("content bytes are "
                                                         "bounds"))));
  absl::StatusOr<Plan> plan =
      MakePlan(*inventory, DefaultPolicy(), std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status();
  for (const Action& action : plan->actions) {
    EXPECT_FALSE(action.exact);
    EXPECT_GE(action.bytes_max, action.bytes);
  }
}

TEST_F(SessionTest, EngineFailuresCarryTheirOwnCodes) {
  struct Case {
    FakeAnswer answer;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {FakeAnswer::EngineError(500, "boom"), ErrorCode::kEngine},
      {FakeAnswer::EngineError(400, "client version too new"),
       ErrorCode::kEngine},
      {FakeAnswer::Json("[{\"Id\": 7}]"), ErrorCode::kProtocol},
      {FakeAnswer::EngineError(403, "denied"), ErrorCode::kPermission},
      {FakeAnswer::Fail(absl::UnavailableError("down")),
       ErrorCode::kUnavailable},
      {FakeAnswer::Fail(absl::DeadlineExceededError("slow")),
       ErrorCode::kTimeout},
  };
  for (const Case& c : cases) {
    std::unique_ptr<EngineSession> session = Open(Access::kReadOnly);
    transport_->On("GET", "/v1.41/images/json?all=1", c.answer);
    absl::StatusOr<Inventory> inventory = session->ReadInventory();
    ASSERT_FALSE(inventory.ok());
    EXPECT_EQ(ErrorCodeOf(inventory.status()), c.code) << inventory.status();
  }
}

TEST_F(SessionTest, AReadOnlyTransportRefusesWritesWhateverItIs) {
  // The rule lives in Transport, so even a direct DELETE through the
  // session's client never reaches the (fake) engine.
  std::unique_ptr<EngineSession> session = Open(Access::kReadOnly);
  ASSERT_TRUE(session->Connect().ok());
  absl::StatusOr<DeleteResponse> deleted =
      session->client().DeleteImage("app:1");
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(deleted.status().message()), HasSubstr("read-only"));
  EXPECT_THAT(transport_->refused(), ElementsAre("DELETE /v1.41/images/app:1"));
  EXPECT_THAT(transport_->RequestLines(), ElementsAre("GET /version"));
}

TEST_F(SessionTest, ApplyNeedsAReadWriteSessionAndSendsNothingOtherwise) {
  std::unique_ptr<EngineSession> session = Open(Access::kReadOnly);
  Policy policy = DefaultPolicy();
  absl::StatusOr<ApplyRun> run =
      ApplyRun::Prepare(*session, {.policy = &policy});
  EXPECT_EQ(run.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(transport_->RequestLines(), IsEmpty());
}

TEST_F(SessionTest, ApplyNeedsExactlyOneOfAPolicyAndASavedPlan) {
  std::unique_ptr<EngineSession> session = Open(Access::kReadWrite);
  Policy policy = DefaultPolicy();
  Plan plan;
  EXPECT_EQ(ApplyRun::Prepare(*session, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ApplyRun::Prepare(*session, {.policy = &policy, .saved_plan = &plan})
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(transport_->RequestLines(), IsEmpty());
}

TEST_F(SessionTest, ASavedPlanForAnotherEngineIsRefusedBeforeAnyDelete) {
  std::unique_ptr<EngineSession> session = Open(Access::kReadWrite);
  Plan plan;
  plan.engine.id = "ANOTHER:ENGINE";
  plan.engine.host = kHost;
  Action action;
  action.image = test_support::Id("x");
  plan.actions.push_back(action);
  absl::StatusOr<ApplyRun> run =
      ApplyRun::Prepare(*session, {.saved_plan = &plan});
  EXPECT_EQ(run.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(run.status().message()), HasSubstr("ANOTHER:ENGINE"));
  for (const std::string& line : transport_->RequestLines()) {
    EXPECT_THAT(line, ::testing::StartsWith("GET ")) << line;
  }
}

TEST_F(SessionTest, APolicyIsPlannedOnTheFreshInventoryAtTheGivenTime) {
  std::unique_ptr<EngineSession> session = Open(Access::kReadWrite);
  Policy policy = DefaultPolicy();
  absl::Time at = absl::FromUnixSeconds(1900000000);
  absl::StatusOr<ApplyRun> run =
      ApplyRun::Prepare(*session, {.policy = &policy, .now = at});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->plan().now, at);
  Plan expected = ComputePlan(run->inventory(), policy, at);
  EXPECT_EQ(run->plan().actions.size(), expected.actions.size());
  EXPECT_EQ(run->plan().summary.reclaimable_bytes,
            expected.summary.reclaimable_bytes);
}

TEST(DefaultClockTest, IsTheCaptureTimeElseNow) {
  Inventory inventory;
  inventory.captured_at = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(DefaultClock(inventory), absl::FromUnixSeconds(1700000000));
  inventory.captured_at = absl::InfinitePast();
  absl::Time before = absl::Now();
  absl::Time clock = DefaultClock(inventory);
  EXPECT_GE(clock, before);
  EXPECT_LE(clock, absl::Now());
}

TEST(InventoryFromSnapshotTest, ErrorsNameTheSnapshotAndKeepTheirCode) {
  absl::StatusOr<Inventory> inventory =
      InventoryFromSnapshot(PaddedBody(std::string("{]")), "mine.json");
  EXPECT_EQ(ErrorCodeOf(inventory.status()), ErrorCode::kInvalid);
  EXPECT_THAT(std::string(inventory.status().message()),
              ::testing::StartsWith("snapshot mine.json: "));
  inventory = InventoryFromSnapshotFile("/nonexistent/snapshot.json");
  EXPECT_EQ(ErrorCodeOf(inventory.status()), ErrorCode::kNotFound);
  EXPECT_EQ(inventory.status().message(),
            "file not found: /nonexistent/snapshot.json");
}

TEST(TransportTraceTest, EveryRequestIsReportedWithItsOutcome) {
  FakeTransport transport(Access::kReadOnly, kHost);
  std::vector<std::string> lines;
  transport.set_trace([&](std::string_view line) { lines.emplace_back(line); });
  transport.On("GET", "/version", FakeAnswer::Json("{}"));
  transport.On("GET", "/down", FakeAnswer::Fail(absl::UnavailableError("x")));
  ASSERT_TRUE(transport.Perform({.path = "/version"}).ok());
  EXPECT_FALSE(transport.Perform({.path = "/down"}).ok());
  EXPECT_FALSE(transport.Perform({.method = "DELETE", .path = "/a"}).ok());
  std::vector<HttpRequest> many = {{.path = "/version"},
                                   {.method = "POST", .path = "/b"}};
  transport.PerformMany(
      many, [](size_t, absl::StatusOr<HttpResponse>) { return true; });
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(lines[0], AllOf(::testing::StartsWith("GET /version: HTTP 200, "
                                                    "2 bytes, "),
                              HasSubstr("ms")));
  EXPECT_EQ(lines[1], "GET /down: x");
  EXPECT_THAT(lines[2], AllOf(::testing::StartsWith("DELETE /a: refusing"),
                              HasSubstr("read-only")));
  EXPECT_THAT(lines, Contains(::testing::StartsWith("POST /b: refusing")));
  EXPECT_THAT(transport.refused(), ElementsAre("DELETE /a", "POST /b"));
}

}  // namespace
}  // namespace dgc
