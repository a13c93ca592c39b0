// Tests of the dgc.fleet/v1 document (core/fleet_document.h): each
// engine's document is kept whole with its context first, a failed engine
// is its error and code, the summary adds up the engines that did not
// fail, duplicates are listed, and the exit code is the worst.
#include "core/fleet_document.h"

#include <string>
#include <vector>

#include "core/error_code.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string PlanDoc(int bytes) {
  return "{\n  \"schema\": \"dgc.plan/v1\",\n  \"summary\": {\"images\": 3, "
         "\"reclaimable_bytes\": " +
         std::to_string(bytes) + "},\n  \"actions\": []\n}\n";
}

TEST(FleetDocumentTest, ContextGoesFirstAndTheRestIsKept) {
  std::string doc = PlanDoc(5);
  std::string with = DocumentWithContext(doc, "prod \"1\"");
  EXPECT_THAT(with, StartsWith("{\n  \"context\": \"prod \\\"1\\\"\",\n  "
                               "\"schema\": \"dgc.plan/v1\""));
  EXPECT_EQ(with.substr(with.size() - doc.size() + 1), doc.substr(1));
  EXPECT_EQ(DocumentWithContext("{}", "a"), "{\n  \"context\": \"a\"}");
}

TEST(FleetDocumentTest, PlanSummaryAddsUpEnginesThatDidNotFail) {
  std::vector<FleetEntry> entries = {
      {.context = "a", .host = "unix:///a.sock", .document = PlanDoc(1000)},
      {.context = "b",
       .host = "tcp://b:2376",
       .document = "",
       .error = WithErrorCode(absl::UnavailableError("cannot connect to b"),
                              ErrorCode::kUnavailable)},
      {.context = "c", .host = "unix:///c.sock", .document = PlanDoc(234)},
  };
  FleetSummary summary = SummarizeFleet(FleetKind::kPlan, entries);
  EXPECT_EQ(summary.engines, 3u);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.reclaimable_bytes, 1234u);

  std::vector<FleetDuplicate> duplicates = {{"a2", "a"}};
  std::string json = FleetDocument(FleetKind::kPlan, entries, duplicates);
  EXPECT_THAT(json, StartsWith("{\n  \"schema\": \"dgc.fleet/v1\""));
  EXPECT_THAT(json, HasSubstr("\"reclaimable_bytes\": 1234"));
  EXPECT_THAT(json, HasSubstr("\"message\": \"cannot connect to b\""));
  EXPECT_THAT(json, HasSubstr("\"code\": \"DGC_EUNAVAILABLE\""));
  EXPECT_THAT(json, HasSubstr("\"same_engine_as\": \"a\""));
  EXPECT_THAT(json, HasSubstr("\"failed\": 1"));
}

TEST(FleetDocumentTest, DfAndApplyFigures) {
  std::vector<FleetEntry> df = {
      {.context = "a",
       .host = "",
       .document = R"({"schema":"dgc.df/v1","totals":{"layers_bytes":9,)"
                   R"("unused_reclaimable_bytes":7}})"},
      {.context = "b",
       .host = "",
       .document = R"({"schema":"dgc.df/v1","totals":{)"
                   R"("unused_reclaimable_bytes":5}})"}};
  EXPECT_EQ(SummarizeFleet(FleetKind::kDf, df).reclaimable_bytes, 12u);

  std::vector<FleetEntry> apply = {
      {.context = "a",
       .host = "",
       .document = R"({"schema":"dgc.apply/v1","summary":{"done":2,)"
                   R"("skipped":1,"failed":0,"predicted_bytes":10,)"
                   R"("freed_bytes":10}})"},
      {.context = "b",
       .host = "",
       .document = R"({"schema":"dgc.apply/v1","summary":{"done":1,)"
                   R"("skipped":0,"failed":1,"predicted_bytes":6,)"
                   R"("freed_bytes":4}})"}};
  FleetSummary summary = SummarizeFleet(FleetKind::kApply, apply);
  EXPECT_EQ(summary.done, 3u);
  EXPECT_EQ(summary.skipped, 1u);
  EXPECT_EQ(summary.actions_failed, 1u);
  EXPECT_EQ(summary.predicted_bytes, 16u);
  EXPECT_EQ(summary.freed_bytes, 14u);
  std::string json = FleetDocument(FleetKind::kApply, apply, {});
  EXPECT_THAT(json, HasSubstr("\"freed_bytes\": 14"));
  EXPECT_THAT(json, HasSubstr("\"actions_failed\": 1"));
}

TEST(FleetDocumentTest, AnApplyThatStoppedKeepsItsReportAndCountsAsFailed) {
  // The engine died part-way: its report says what was done, and that is
  // freed all the same.
  std::string report =
      R"({"schema":"dgc.apply/v1","summary":{"done":1,"skipped":2,)"
      R"("failed":0,"predicted_bytes":9,"freed_bytes":3,)"
      R"("stopped":"the engine stopped answering"}})";
  std::vector<FleetEntry> apply = {
      {.context = "a",
       .host = "unix:///a.sock",
       .document = report,
       .error = absl::AbortedError("apply stopped")}};
  FleetSummary summary = SummarizeFleet(FleetKind::kApply, apply);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.done, 1u);
  EXPECT_EQ(summary.freed_bytes, 3u);
  std::string json = FleetDocument(FleetKind::kApply, apply, {});
  EXPECT_THAT(json, HasSubstr("\"stopped\":\"the engine stopped answering\""));
  EXPECT_THAT(json, Not(HasSubstr("\"error\"")));
  EXPECT_THAT(json, HasSubstr("\"failed\": 1"));
}

TEST(FleetDocumentTest, ExitCodeIsTheWorst) {
  EXPECT_EQ(FleetExitCode(std::vector<int>{}), 0);
  EXPECT_EQ(FleetExitCode(std::vector<int>{0, 0}), 0);
  EXPECT_EQ(FleetExitCode(std::vector<int>{0, 3}), 3);
  EXPECT_EQ(FleetExitCode(std::vector<int>{3, 1, 0}), 1);
  EXPECT_EQ(FleetExitCode(std::vector<int>{0, 2}), 1);
}

}  // namespace
}  // namespace dgc
