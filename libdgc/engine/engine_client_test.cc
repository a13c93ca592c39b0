// Unit tests of EngineClient over FakeTransport: API version negotiation
// and the version in every path, errors that name the endpoint, the path
// and what the engine said, FetchBodies over the recorded API 1.41 bodies
// (parsed the same as directly, raw bodies kept byte for byte, /system/df
// only when asked), images that vanish while they are read, and the
// single-image calls (inspect, containers of an image, delete) with their
// paths, escaping and error codes; and the calls on containers, volumes
// and build cache: each request line exactly as sent (no force, no v, no
// all, no keep-storage), empty 204 answers, the prune body, error codes,
// names refused before anything is sent, and a read-only transport that
// refuses every removal.
#include "engine/engine_client.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/error_code.h"
#include "core/inventory.h"
#include "core/snapshot.h"
#include "core/test_inventory.h"
#include "engine/fake_transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::FakeAnswer;
using test_support::FakeTransport;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kHost[] = "unix:///var/run/docker.sock";
constexpr char kRecorded[] = "api-1.41";

// A /version body as an engine of API `api` (accepting `min` and newer)
// sends it.
std::string VersionJson(std::string_view api, std::string_view min = "1.12") {
  return absl::StrFormat(
      R"({"Version":"99.0.0","ApiVersion":"%s","MinAPIVersion":"%s",)"
      R"("Os":"linux","Arch":"amd64","KernelVersion":"6.1.0"})",
      api, min);
}

// A minimal inspect body for `id` with `tags`.
std::string InspectJson(std::string_view id,
                        const std::vector<std::string>& tags) {
  std::vector<std::string> quoted;
  for (const std::string& tag : tags) quoted.push_back("\"" + tag + "\"");
  return absl::StrFormat(
      R"({"Id":"%s","RepoTags":[%s],"RepoDigests":[],"Parent":"",)"
      R"("Created":"2026-01-01T00:00:00Z","Size":10,)"
      R"("RootFS":{"Type":"layers","Layers":["%s"]},)"
      R"("Metadata":{"LastTagTime":"0001-01-01T00:00:00Z"}})",
      id, absl::StrJoin(quoted, ","), test_support::Id("layer"));
}

// Undoes %XX escapes (for checking what an escaped query says).
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(
          std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// ---- a printable form of EngineBodies, for whole-value comparisons ----

std::string Join(const std::vector<std::string>& items) {
  return "[" + absl::StrJoin(items, ",") + "]";
}

std::string DumpLabels(const Labels& labels) {
  std::vector<std::string> pairs;
  for (const auto& [key, value] : labels) pairs.push_back(key + "=" + value);
  return Join(pairs);
}

// Dump prints every field of `bodies` but captured_at (the time of the
// fetch), with details in image ID order.
std::string Dump(const EngineBodies& bodies) {
  std::string out;
  out += absl::StrFormat("host %s\n", bodies.host);
  const VersionBody& v = bodies.version;
  out += absl::StrFormat("version %s api %s min %s %s/%s\n", v.version,
                         v.api_version, v.min_api_version, v.os, v.arch);
  if (bodies.info.has_value()) {
    out += absl::StrFormat("info id %s driver %s containerd %d\n",
                           bodies.info->id, bodies.info->driver,
                           bodies.info->containerd_snapshotter);
  } else {
    out += "no info\n";
  }
  for (const ImageSummary& image : bodies.images) {
    out += absl::StrFormat(
        "image %s parent %s tags %s digests %s created %d size %d labels "
        "%s\n",
        image.id, image.parent_id, Join(image.repo_tags),
        Join(image.repo_digests), image.created, image.size,
        DumpLabels(image.labels));
  }
  for (const ContainerSummary& c : bodies.containers) {
    out += absl::StrFormat("container %s name %s image %s image_id %s %s\n",
                           c.id, c.name, c.image, c.image_id, c.state);
  }
  std::vector<std::string> ids;
  for (const auto& [id, details] : bodies.details) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    const ImageDetails& d = bodies.details.at(id);
    const ImageInspect& i = d.inspect;
    out += absl::StrFormat(
        "details %s: id %s parent %s tags %s digests %s created %s "
        "last_tag %s diffs %s size %d labels %s\n",
        id, i.id, i.parent, Join(i.repo_tags), Join(i.repo_digests),
        absl::FormatTime(i.created), absl::FormatTime(i.last_tag_time),
        Join(i.diff_ids), i.size, DumpLabels(i.labels));
    for (const HistoryEntry& h : d.history) {
      out += absl::StrFormat("  history %d %d\n", h.size, h.metadata_step);
    }
  }
  if (bodies.system_df.has_value()) {
    out += absl::StrFormat("system_df %d\n", bodies.system_df->layers_size);
  } else {
    out += "no system_df\n";
  }
  for (const std::string& warning : bodies.warnings) {
    out += "warning " + warning + "\n";
  }
  return out;
}

std::string Recorded(std::string_view file) {
  absl::StatusOr<std::string> text = test_support::ReadTestdata(
      std::string(kRecorded) + "/" + std::string(file));
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

std::string ShortHex(std::string_view id) {
  return std::string(id.substr(7, 12));
}

class EngineClientTest : public ::testing::Test {
 protected:
  void ServeVersion(std::string_view api, std::string_view min = "1.12") {
    transport_.On("GET", "/version", FakeAnswer::Json(VersionJson(api, min)));
  }

  // Serves the recorded API 1.41 engine at the versioned paths of `api`
  // (the bodies are the same whatever version is negotiated).
  void ServeRecorded(std::string_view api = "1.41") {
    if (api == "1.41") {
      transport_.On("GET", "/version",
                    FakeAnswer::Json(Recorded("version.json")));
    } else {
      ServeVersion(api);
    }
    ASSERT_TRUE(test_support::ServeRecordedEngine(transport_, api).ok());
  }

  // The image IDs of the recorded engine, in list order.
  static std::vector<std::string> RecordedIds() {
    absl::StatusOr<EngineBodies> bodies =
        test_support::RecordedBodies(kRecorded);
    EXPECT_TRUE(bodies.ok()) << bodies.status();
    std::vector<std::string> ids;
    if (!bodies.ok()) return ids;
    for (const ImageSummary& image : bodies->images) ids.push_back(image.id);
    return ids;
  }

  static EngineBodies RecordedParsed() {
    absl::StatusOr<EngineBodies> bodies =
        test_support::RecordedBodies(kRecorded);
    EXPECT_TRUE(bodies.ok()) << bodies.status();
    return bodies.ok() ? *std::move(bodies) : EngineBodies();
  }

  FakeTransport transport_{Access::kReadWrite, kHost};
  EngineClient client_{transport_, test_support::NoWaitRetry()};
};

// ---- CompareApiVersions ----

TEST(CompareApiVersionsTest, ComparesNumbersNotText) {
  EXPECT_EQ(CompareApiVersions("1.41", "1.41"), 0);
  EXPECT_LT(CompareApiVersions("1.41", "1.42"), 0);
  EXPECT_GT(CompareApiVersions("1.53", "1.41"), 0);
  EXPECT_LT(CompareApiVersions("1.9", "1.24"), 0);
  EXPECT_GT(CompareApiVersions("1.100", "1.53"), 0);
  EXPECT_GT(CompareApiVersions("2.0", "1.99"), 0);
  EXPECT_EQ(CompareApiVersions("nonsense", "0.0"), 0);
}

// ---- Connect ----

TEST_F(EngineClientTest, ConnectUsesTheEngineVersionWhenOlderThanOurs) {
  ServeVersion("1.41");
  ASSERT_TRUE(client_.Connect().ok());
  EXPECT_EQ(client_.api_version(), "1.41");
  EXPECT_EQ(client_.version().version, "99.0.0");
  EXPECT_EQ(client_.version().min_api_version, "1.12");
  EXPECT_EQ(client_.host(), kHost);
  EXPECT_THAT(transport_.RequestLines(), ElementsAre("GET /version"));
  EXPECT_EQ(client_.VersionedPath("/info"), "/v1.41/info");
}

TEST_F(EngineClientTest, ConnectUsesOurVersionWhenTheEngineIsNewer) {
  ServeVersion("1.60");
  ASSERT_TRUE(client_.Connect().ok());
  EXPECT_EQ(client_.api_version(), kMaxApiVersion);
}

TEST_F(EngineClientTest, ConnectComparesMinorVersionsAsNumbers) {
  ServeVersion("1.100");  // "1.100" < "1.53" as text, > as a version
  ASSERT_TRUE(client_.Connect().ok());
  EXPECT_EQ(client_.api_version(), kMaxApiVersion);
}

TEST_F(EngineClientTest, ConnectAcceptsExactlyOurMaxAndOurMin) {
  ServeVersion(kMaxApiVersion, kMaxApiVersion);
  ASSERT_TRUE(client_.Connect().ok());
  EXPECT_EQ(client_.api_version(), kMaxApiVersion);

  FakeTransport old_transport;
  old_transport.On("GET", "/version",
                   FakeAnswer::Json(VersionJson(kMinApiVersion)));
  EngineClient old_client(old_transport);
  ASSERT_TRUE(old_client.Connect().ok());
  EXPECT_EQ(old_client.api_version(), kMinApiVersion);
}

TEST_F(EngineClientTest, ADocker29EngineThatRejectsOldVersionsIsReadAtItsOwn) {
  // Docker 29.0-29.2 answer 400 to any version below 1.44: libdgc asks at
  // the engine's own 1.52, never below its minimum.
  ServeVersion("1.52", "1.44");
  ASSERT_TRUE(client_.Connect().ok());
  EXPECT_EQ(client_.api_version(), "1.52");
  EXPECT_EQ(client_.VersionedPath("/images/json"), "/v1.52/images/json");
}

TEST_F(EngineClientTest, ConnectRefusesAnEngineOlderThan124) {
  ServeVersion("1.23");
  absl::Status status = client_.Connect();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("1.23"), HasSubstr(kHost), HasSubstr("1.24")));
}

TEST_F(EngineClientTest, ConnectRefusesApi19AsOlderThan124) {
  ServeVersion("1.9");  // "1.9" > "1.24" as text
  absl::Status status = client_.Connect();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), AllOf(HasSubstr("1.9"), HasSubstr(kHost)));
}

TEST_F(EngineClientTest, ConnectRefusesAnEngineWhoseMinimumIsAboveOurMax) {
  ServeVersion("1.60", "1.54");
  absl::Status status = client_.Connect();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), AllOf(HasSubstr("1.54"), HasSubstr(kHost),
                                      HasSubstr(std::string(kMaxApiVersion))));
}

TEST_F(EngineClientTest, ConnectAcceptsAMissingMinApiVersion) {
  transport_.On(
      "GET", "/version",
      FakeAnswer::Json(R"({"Version":"1.13.1","ApiVersion":"1.26"})"));
  ASSERT_TRUE(client_.Connect().ok());
  EXPECT_EQ(client_.api_version(), "1.26");
}

TEST_F(EngineClientTest, VersionWithoutApiVersionIsInvalid) {
  transport_.On("GET", "/version",
                FakeAnswer::Json(R"({"Version":"20.10.24","Os":"linux"})"));
  absl::Status status = client_.Connect();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), AllOf(HasSubstr(kHost), HasSubstr("/version"),
                                      HasSubstr("ApiVersion")));
}

TEST_F(EngineClientTest, VersionThatIsNotJsonIsInvalid) {
  transport_.On("GET", "/version", FakeAnswer::Json("Docker is great\n"));
  absl::Status status = client_.Connect();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr(kHost), HasSubstr("GET /version")));
}

TEST_F(EngineClientTest, TruncatedVersionIsInvalid) {
  std::string full = Recorded("version.json");
  for (size_t length :
       {size_t{0}, size_t{1}, size_t{40}, full.size() / 2, full.size() - 2}) {
    FakeTransport transport;
    transport.On("GET", "/version", FakeAnswer::Json(full.substr(0, length)));
    EngineClient client(transport);
    absl::Status status = client.Connect();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << "length " << length << ": " << status;
    EXPECT_THAT(status.message(),
                AllOf(HasSubstr(kHost), HasSubstr("/version")))
        << "length " << length;
  }
}

TEST_F(EngineClientTest, VersionWithTrailingDataIsInvalid) {
  transport_.On("GET", "/version",
                FakeAnswer::Json(VersionJson("1.41") + " {}"));
  EXPECT_EQ(client_.Connect().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineClientTest, EngineErrorCarriesItsMessageAndTheHost) {
  transport_.On("GET", "/version", FakeAnswer::EngineError(500, "boom"));
  absl::Status status = client_.Connect();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(status.message(), AllOf(HasSubstr("boom"), HasSubstr(kHost),
                                      HasSubstr("500"), HasSubstr("/version")));
}

TEST_F(EngineClientTest, HtmlErrorPageIsShownAsAnExcerpt) {
  std::string page =
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\n"
      "<center><h1>502 Bad Gateway</h1></center>\n" +
      std::string(500, 'x') + "THE-END</body></html>\n";
  transport_.On("GET", "/version", FakeAnswer::Http(502, page));
  absl::Status status = client_.Connect();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr(kHost), HasSubstr("502"),
                    HasSubstr("<html>\\x0d\\x0a<head><title>502 Bad Gateway"),
                    HasSubstr("…"), Not(HasSubstr("THE-END")),
                    Not(HasSubstr("\n")), Not(HasSubstr("\r"))));
}

TEST_F(EngineClientTest, TransportErrorOfConnectSaysHowOftenItWasSent) {
  absl::Status down = absl::UnavailableError(
      "cannot connect to the Docker engine at unix:///var/run/docker.sock");
  transport_.On("GET", "/version", FakeAnswer::Fail(down));
  absl::Status status = client_.Connect();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(),
            std::string(down.message()) + "; sent 3 times, giving up");
  EXPECT_EQ(transport_.Count("GET", "/version"), 3u);
}

TEST_F(EngineClientTest, TimeoutOfConnectIsReturnedAsItIsAfterOneSend) {
  absl::Status slow = absl::DeadlineExceededError(
      "the Docker engine did not answer GET /version within 2s");
  transport_.On("GET", "/version", FakeAnswer::Fail(slow));
  EXPECT_EQ(client_.Connect(), slow);
  EXPECT_EQ(transport_.Count("GET", "/version"), 1u);
}

// ---- the negotiated version in every path ----

TEST_F(EngineClientTest, EveryPathCarriesTheNegotiatedVersion) {
  ServeRecorded("1.45");
  std::string id = RecordedIds().front();
  transport_.On("GET", "/v1.45/images/app:1/json",
                FakeAnswer::Json(InspectJson(id, {"app:1"})));
  transport_.On(
      "GET",
      "/v1.45/containers/json?all=1&filters=%7B%22ancestor%22%3A%5B%22" + id +
          "%22%5D%7D",
      FakeAnswer::Json("[]"));
  transport_.On("DELETE", "/v1.45/images/app:1",
                FakeAnswer::Json(R"([{"Untagged":"app:1"}])"));

  ASSERT_TRUE(
      client_
          .FetchBodies(
              {.system_df = true, .raw = nullptr, .cache_directory = ""})
          .ok());
  ASSERT_TRUE(client_.InspectImage("app:1").ok());
  ASSERT_TRUE(client_.ContainersOf(id).ok());
  ASSERT_TRUE(client_.DeleteImage("app:1").ok());
  ASSERT_TRUE(client_.Get("/info").ok());

  std::vector<std::string> lines = transport_.RequestLines();
  ASSERT_THAT(lines, Not(IsEmpty()));
  EXPECT_EQ(lines.front(), "GET /version");
  EXPECT_EQ(transport_.Count("GET", "/version"), 1u) << "connects once";
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_THAT(transport_.requests()[i].path, StartsWith("/v1.45/"))
        << lines[i];
  }
  EXPECT_THAT(transport_.unrouted(), IsEmpty());
}

// ---- FetchBodies ----

TEST_F(EngineClientTest, FetchBodiesParsesTheRecordedEngineAsDirectly) {
  ServeRecorded();
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies(
      {.system_df = true, .raw = nullptr, .cache_directory = ""});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(Dump(*fetched), Dump(RecordedParsed()));
  EXPECT_THAT(fetched->warnings, IsEmpty());
  EXPECT_EQ(fetched->host, kHost);
  EXPECT_EQ(fetched->images.size(), 7u);
  EXPECT_THAT(transport_.unrouted(), IsEmpty());
  // The inventory builds, as from the recorded bodies.
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(fetched));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_EQ(inventory->engine.api_version, "1.41");
}

TEST_F(EngineClientTest, FetchBodiesDoesNotDependOnCompletionOrder) {
  ServeRecorded();
  transport_.set_reverse_completion(true);
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies(
      {.system_df = true, .raw = nullptr, .cache_directory = ""});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(Dump(*fetched), Dump(RecordedParsed()));
}

TEST_F(EngineClientTest, FetchBodiesReadsEachEndpointOnce) {
  ServeRecorded();
  ASSERT_TRUE(
      client_
          .FetchBodies(
              {.system_df = true, .raw = nullptr, .cache_directory = ""})
          .ok());
  std::vector<std::string> expected = {
      "GET /version", "GET /v1.41/images/json?all=1",
      "GET /v1.41/containers/json?all=1", "GET /v1.41/info",
      "GET /v1.41/system/df"};
  for (const std::string& id : RecordedIds()) {
    expected.push_back("GET /v1.41/images/" + id + "/json");
    expected.push_back("GET /v1.41/images/" + id + "/history");
  }
  // Then the inspect of the containers not running: job-1 (exited) and
  // api-1 (created), not web-1 (running) nor cron-1 (paused).
  for (const ContainerSummary& container : RecordedParsed().containers) {
    if (container.state == "exited" || container.state == "created") {
      expected.push_back("GET /v1.41/containers/" + container.id + "/json");
    }
  }
  ASSERT_EQ(expected.size(), 5 + 2 * RecordedIds().size() + 2);
  EXPECT_EQ(transport_.RequestLines(), expected);
}

TEST_F(EngineClientTest, FetchBodiesReadsSystemDfOnlyWhenAsked) {
  ServeRecorded();
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies({});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_FALSE(fetched->system_df.has_value());
  for (const std::string& line : transport_.RequestLines()) {
    EXPECT_THAT(line, Not(HasSubstr("/system/df")));
  }
  EngineBodies expected = RecordedParsed();
  expected.system_df.reset();
  EXPECT_EQ(Dump(*fetched), Dump(expected));
}

TEST_F(EngineClientTest, SystemDfIsReadWholeOnEveryVersion) {
  // Containers, volumes and build cache count too: no ?type= filter.
  for (const char* api : {"1.41", "1.42"}) {
    ServeRecorded(api);
    EngineClient client(transport_);
    absl::StatusOr<EngineBodies> fetched = client.FetchBodies(
        {.system_df = true, .raw = nullptr, .cache_directory = ""});
    ASSERT_TRUE(fetched.ok()) << fetched.status();
    std::string path = absl::StrFormat("/v%s/system/df", api);
    EXPECT_EQ(transport_.Count("GET", path), 1u) << api;
    for (const std::string& line : transport_.RequestLines()) {
      EXPECT_THAT(line, Not(HasSubstr("?type="))) << api;
    }
    ASSERT_TRUE(fetched->system_df.has_value());
    EXPECT_EQ(fetched->system_df->layers_size,
              RecordedParsed().system_df->layers_size);
    transport_.ClearRecords();
  }
}

TEST_F(EngineClientTest, FetchBodiesKeepsRawBodiesByteForByte) {
  ServeRecorded();
  transport_.set_reverse_completion(true);
  RawEngineBodies raw;
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies(
      {.system_df = true, .raw = &raw, .cache_directory = ""});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(raw.host, kHost);
  EXPECT_EQ(raw.captured_at, fetched->captured_at);
  EXPECT_EQ(raw.version.view(), Recorded("version.json"));
  EXPECT_EQ(raw.info.view(), Recorded("info.json"));
  EXPECT_EQ(raw.images.view(), Recorded("images.json"));
  EXPECT_EQ(raw.containers.view(), Recorded("containers.json"));
  EXPECT_EQ(raw.system_df.view(), Recorded("system_df.json"));
  std::vector<std::string> ids = RecordedIds();
  ASSERT_EQ(raw.details.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(raw.details[i].id, ids[i]);
    EXPECT_EQ(raw.details[i].inspect.view(),
              Recorded("inspect_" + ShortHex(ids[i]) + ".json"));
    EXPECT_EQ(raw.details[i].history.view(),
              Recorded("history_" + ShortHex(ids[i]) + ".json"));
  }
  // And they make a snapshot that reads back into the same bodies.
  absl::StatusOr<EngineBodies> reread =
      ParseSnapshot(PaddedBody(SnapshotJson(raw)));
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_EQ(Dump(*reread), Dump(*fetched));
}

TEST_F(EngineClientTest, RawBodiesWithoutSystemDfLeaveItEmpty) {
  ServeRecorded();
  RawEngineBodies raw;
  ASSERT_TRUE(
      client_
          .FetchBodies({.system_df = false, .raw = &raw, .cache_directory = ""})
          .ok());
  EXPECT_TRUE(raw.system_df.empty());
  EXPECT_FALSE(raw.info.empty());
}

TEST_F(EngineClientTest, ImageWhoseInspectIs404IsLeftOutWithAWarning) {
  ServeRecorded();
  std::vector<std::string> ids = RecordedIds();
  const std::string gone = ids[3];
  transport_.On("GET", "/v1.41/images/" + gone + "/json",
                FakeAnswer::EngineError(404, "No such image: " + gone));
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies({});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_THAT(fetched->warnings, SizeIs(1));
  EXPECT_THAT(fetched->warnings[0], HasSubstr(gone));
  EXPECT_EQ(fetched->images.size(), ids.size() - 1);
  for (const ImageSummary& image : fetched->images) {
    EXPECT_NE(image.id, gone);
  }
  EXPECT_FALSE(fetched->details.contains(gone));
  EXPECT_EQ(fetched->details.size(), ids.size() - 1);
  // Without raw bodies, no second read.
  EXPECT_EQ(transport_.Count("GET", "/v1.41/images/json?all=1"), 1u);
  // The rest is exactly the recorded engine.
  EngineBodies expected = RecordedParsed();
  expected.system_df.reset();
  expected.details.erase(gone);
  expected.images.erase(expected.images.begin() + 3);
  expected.warnings = fetched->warnings;
  EXPECT_EQ(Dump(*fetched), Dump(expected));
}

TEST_F(EngineClientTest, ImageWhoseHistoryIs404IsLeftOutWithAWarning) {
  ServeRecorded();
  transport_.set_reverse_completion(true);
  std::vector<std::string> ids = RecordedIds();
  const std::string gone = ids.back();
  transport_.On("GET", "/v1.41/images/" + gone + "/history",
                FakeAnswer::EngineError(404, "No such image: " + gone));
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies({});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_THAT(fetched->warnings, SizeIs(1));
  EXPECT_THAT(fetched->warnings[0], HasSubstr(gone));
  EXPECT_EQ(fetched->images.size(), ids.size() - 1);
  EXPECT_FALSE(fetched->details.contains(gone));
}

TEST_F(EngineClientTest, WithRawBodiesAVanishedImageMakesTheFetchRetry) {
  ServeRecorded();
  std::vector<std::string> ids = RecordedIds();
  const std::string gone = ids[2];
  transport_.On("GET", "/v1.41/images/" + gone + "/json",
                FakeAnswer::EngineError(404, "No such image"));
  transport_.On("GET", "/v1.41/images/" + gone + "/history",
                FakeAnswer::EngineError(404, "No such image"));
  // From the second read on, the list no longer has the image: cut its
  // entry (an object without nested arrays) out of the recorded list.
  std::string list = Recorded("images.json");
  size_t at = list.find("\"Id\":\"" + gone + "\"");
  ASSERT_NE(at, std::string::npos);
  size_t begin = list.rfind("{\"Containers\"", at);
  size_t end = list.find("\"VirtualSize\"", at);
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  end = list.find('}', end) + 1;
  std::string second_list = list[end] == ','
                                ? list.substr(0, begin) + list.substr(end + 1)
                                : list.substr(0, begin - 1) + list.substr(end);
  transport_.OnAfterCalls(1, "GET", "/v1.41/images/json?all=1",
                          FakeAnswer::Json(second_list));

  RawEngineBodies raw;
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies(
      {.system_df = false, .raw = &raw, .cache_directory = ""});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(transport_.Count("GET", "/v1.41/images/json?all=1"), 2u);
  EXPECT_THAT(fetched->warnings, IsEmpty());
  EXPECT_EQ(fetched->images.size(), ids.size() - 1);
  EXPECT_EQ(raw.images.view(), second_list);
  ASSERT_EQ(raw.details.size(), ids.size() - 1);
  for (const RawEngineBodies::Details& details : raw.details) {
    EXPECT_NE(details.id, gone);
    EXPECT_FALSE(details.inspect.empty()) << details.id;
    EXPECT_FALSE(details.history.empty()) << details.id;
  }
  absl::StatusOr<EngineBodies> reread =
      ParseSnapshot(PaddedBody(SnapshotJson(raw)));
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_TRUE(BuildInventory(*std::move(reread)).ok());
}

TEST_F(EngineClientTest, WithRawBodiesTheFetchGivesUpAfterThreeAttempts) {
  // A snapshot must be self-consistent: when an image keeps vanishing
  // between the list and its details, the fetch fails rather than keep
  // raw bodies that disagree.
  ServeRecorded();
  std::vector<std::string> ids = RecordedIds();
  const std::string gone = ids[4];
  transport_.On("GET", "/v1.41/images/" + gone + "/json",
                FakeAnswer::EngineError(404, "No such image"));
  RawEngineBodies raw;
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies(
      {.system_df = false, .raw = &raw, .cache_directory = ""});
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(fetched.status().message(),
              AllOf(HasSubstr(kHost), HasSubstr("kept changing")));
  EXPECT_EQ(transport_.Count("GET", "/v1.41/images/json?all=1"), 3u);
  EXPECT_EQ(transport_.Count("GET", "/v1.41/images/" + gone + "/json"), 3u);
}

TEST_F(EngineClientTest, WithoutRawBodiesAVanishedImageIsLeftOutAtOnce) {
  ServeRecorded();
  std::vector<std::string> ids = RecordedIds();
  const std::string gone = ids[3];  // other:1, no parent or child
  transport_.On("GET", "/v1.41/images/" + gone + "/json",
                FakeAnswer::EngineError(404, "No such image"));
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies({});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(transport_.Count("GET", "/v1.41/images/json?all=1"), 1u);
  ASSERT_THAT(fetched->warnings, SizeIs(1));
  EXPECT_THAT(fetched->warnings[0], HasSubstr(gone));
  EXPECT_TRUE(BuildInventory(*std::move(fetched)).ok());
}

TEST_F(EngineClientTest, FetchBodiesFailsOnAnEngineErrorNamingThePath) {
  ServeRecorded();
  transport_.On("GET", "/v1.41/containers/json?all=1",
                FakeAnswer::EngineError(500, "containers are on fire"));
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies({});
  ASSERT_FALSE(fetched.ok());
  EXPECT_THAT(fetched.status().message(),
              AllOf(HasSubstr("containers are on fire"), HasSubstr(kHost),
                    HasSubstr("/v1.41/containers/json?all=1")));
}

TEST_F(EngineClientTest, TheFirstFailedRequestStopsTheBatch) {
  // Two in flight, as a real transport keeps a few: once the first inspect
  // fails, no other inspect or history request is sent.
  ServeRecorded();
  transport_.set_max_in_flight(2);
  std::string first = RecordedIds().front();
  transport_.On("GET", "/v1.41/images/" + first + "/json",
                FakeAnswer::EngineError(500, "layer store is on fire"));
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies({});
  ASSERT_FALSE(fetched.ok());
  EXPECT_THAT(fetched.status().message(), HasSubstr("layer store is on fire"));
  size_t details = 0;
  for (const HttpRequest& request : transport_.requests()) {
    if (request.path.starts_with("/v1.41/images/sha256:")) ++details;
  }
  EXPECT_EQ(details, 2u) << "the failed inspect and the one in flight";
  EXPECT_GT(RecordedIds().size(), 2u);
}

TEST_F(EngineClientTest, ABusyDiskUsageIsAskedAgainUntilTheEngineIsFree) {
  // Another client (a second docker gc, `docker system df`) is computing
  // disk usage: the engine refuses a second one until it is done.
  ServeRecorded();
  FakeAnswer busy =
      FakeAnswer::EngineError(500, "a disk usage operation is already running");
  absl::StatusOr<std::string> df =
      test_support::ReadTestdata("api-1.41/system_df.json");
  ASSERT_TRUE(df.ok());
  transport_.On("GET", "/v1.41/system/df", busy);
  transport_.OnAfterCalls(2, "GET", "/v1.41/system/df", FakeAnswer::Json(*df));
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies(
      {.system_df = true, .raw = nullptr, .cache_directory = ""});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_TRUE(fetched->system_df.has_value());
  EXPECT_EQ(fetched->system_df->layers_size, 1993359);
  EXPECT_EQ(transport_.Count("GET", "/v1.41/system/df"), 3u);

  transport_.On("GET", "/v1.41/system/df", busy);
  transport_.OnAfterCalls(4, "GET", "/v1.41/system/df", FakeAnswer::Json(*df));
  absl::StatusOr<int64_t> layers = client_.LayersSize();
  ASSERT_TRUE(layers.ok()) << layers.status();
  EXPECT_EQ(*layers, 1993359);
}

TEST_F(EngineClientTest, FetchBodiesFailsOnAMalformedBodyNamingThePath) {
  ServeRecorded();
  std::string id = RecordedIds()[1];
  transport_.On("GET", "/v1.41/images/" + id + "/history",
                FakeAnswer::Json(R"([{"Size":"big"}])"));
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies({});
  EXPECT_EQ(fetched.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      fetched.status().message(),
      AllOf(HasSubstr(kHost), HasSubstr("GET /v1.41/images/" + id + "/history"),
            HasSubstr("Size")));
}

TEST_F(EngineClientTest, FetchBodiesFailsOnATransportErrorAfterThreeSends) {
  ServeRecorded();
  absl::Status down = absl::UnavailableError("connection reset");
  transport_.On("GET", "/v1.41/info", FakeAnswer::Fail(down));
  absl::Status status = client_.FetchBodies({}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "connection reset; sent 3 times, giving up");
  EXPECT_EQ(transport_.Count("GET", "/v1.41/info"), 3u);
}

// ---- retries (RetryPolicy) ----

TEST_F(EngineClientTest, BatchRequestsThatBrokeOffAreSentAgainAndReadAsUsual) {
  // The image list answered 503 twice, one history broken off once: the
  // bodies read in the end are exactly the recorded engine's.
  ServeRecorded();
  transport_.set_max_in_flight(3);
  std::string list = "/v1.41/images/json?all=1";
  std::string history = "/v1.41/images/" + RecordedIds()[2] + "/history";
  std::string history_body = Recorded(
      absl::StrFormat("history_%s.json", RecordedIds()[2].substr(7, 12)));
  FakeAnswer recorded_list = FakeAnswer::Json(Recorded("images.json"));
  transport_.On("GET", list, FakeAnswer::EngineError(503, "starting"));
  transport_.OnAfterCalls(2, "GET", list, recorded_list);
  transport_.On("GET", history,
                FakeAnswer::Fail(absl::UnavailableError("broke off")));
  transport_.OnAfterCalls(1, "GET", history, FakeAnswer::Json(history_body));
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies(
      {.system_df = true, .raw = nullptr, .cache_directory = ""});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(Dump(*fetched), Dump(RecordedParsed()));
  EXPECT_EQ(transport_.Count("GET", list), 3u);
  EXPECT_EQ(transport_.Count("GET", history), 2u);
  EXPECT_EQ(transport_.Count("GET", "/v1.41/info"), 1u);
}

TEST_F(EngineClientTest, BatchGivesUpOnA503AfterThreeSendsNamingTheRequest) {
  ServeRecorded();
  std::string inspect = "/v1.41/images/" + RecordedIds()[0] + "/json";
  transport_.On("GET", inspect, FakeAnswer::EngineError(503, "overloaded"));
  absl::Status status = client_.FetchBodies({}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ErrorCodeOf(status), ErrorCode::kEngine);
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("GET " + inspect), HasSubstr("HTTP 503"),
                    HasSubstr("overloaded"), HasSubstr(kHost),
                    HasSubstr("sent 3 times, giving up")));
  EXPECT_EQ(transport_.Count("GET", inspect), 3u);
}

TEST_F(EngineClientTest, TheEnginesOwnAnswersAreNotAskedAgain) {
  // 500, 4xx and a complete body that does not parse: once each.
  ServeRecorded();
  std::string inspect = "/v1.41/images/" + RecordedIds()[0] + "/json";
  for (FakeAnswer answer : {FakeAnswer::EngineError(500, "on fire"),
                            FakeAnswer::EngineError(400, "bad request"),
                            FakeAnswer::Json(R"({"Id": tru)")}) {
    transport_.ClearRecords();
    transport_.On("GET", inspect, answer);
    absl::Status status = client_.FetchBodies({}).status();
    EXPECT_FALSE(status.ok());
    EXPECT_THAT(status.message(), Not(HasSubstr("sent 3 times")));
    EXPECT_EQ(transport_.Count("GET", inspect), 1u) << answer.body;
  }
}

// ---- Get ----

TEST_F(EngineClientTest, GetMapsStatusesToCodes) {
  ServeVersion("1.41");
  ASSERT_TRUE(client_.Connect().ok());
  struct Case {
    long status;
    absl::StatusCode code;
  };
  for (Case c : {Case{400, absl::StatusCode::kInvalidArgument},
                 Case{401, absl::StatusCode::kPermissionDenied},
                 Case{403, absl::StatusCode::kPermissionDenied},
                 Case{404, absl::StatusCode::kNotFound},
                 Case{409, absl::StatusCode::kFailedPrecondition},
                 // The engine answered: its own error, not out of reach.
                 Case{500, absl::StatusCode::kInternal},
                 Case{503, absl::StatusCode::kInternal}}) {
    std::string path = absl::StrFormat("/status/%d", c.status);
    transport_.On("GET", "/v1.41" + path,
                  FakeAnswer::EngineError(c.status, "said no"));
    absl::StatusOr<HttpResponse> response = client_.Get(path);
    EXPECT_EQ(response.status().code(), c.code) << c.status;
    EXPECT_THAT(response.status().message(),
                AllOf(HasSubstr("said no"), HasSubstr(kHost),
                      HasSubstr("/v1.41" + path)));
  }
  transport_.On("GET", "/v1.41/ok", FakeAnswer::Http(204, ""));
  absl::StatusOr<HttpResponse> ok = client_.Get("/ok");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status, 204);
}

// ---- InspectImage ----

class SingleImageTest : public EngineClientTest {
 protected:
  void SetUp() override {
    ServeVersion("1.41");
    ASSERT_TRUE(client_.Connect().ok());
    transport_.ClearRecords();
  }
  const std::string id_ = test_support::Id("app");
};

TEST_F(SingleImageTest, InspectImageReadsTheImage) {
  transport_.On("GET", "/v1.41/images/" + id_ + "/json",
                FakeAnswer::Json(InspectJson(id_, {"app:1", "app:2"})));
  absl::StatusOr<ImageInspect> inspect = client_.InspectImage(id_);
  ASSERT_TRUE(inspect.ok()) << inspect.status();
  EXPECT_EQ(inspect->id, id_);
  EXPECT_THAT(inspect->repo_tags, ElementsAre("app:1", "app:2"));
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("GET /v1.41/images/" + id_ + "/json"));
}

TEST_F(SingleImageTest, InspectImageKeepsReferenceCharactersInThePath) {
  std::string digest =
      "localhost:5000/team/app@sha256:" + test_support::Hex("d");
  for (std::string name :
       {std::string("app:1"), std::string("localhost:5000/team/app:1"),
        std::string("Team_App-2.0:v1.2_rc-3"), digest}) {
    transport_.On("GET", "/v1.41/images/" + name + "/json",
                  FakeAnswer::Json(InspectJson(id_, {name})));
    absl::StatusOr<ImageInspect> inspect = client_.InspectImage(name);
    EXPECT_TRUE(inspect.ok()) << name << ": " << inspect.status();
  }
  EXPECT_THAT(transport_.unrouted(), IsEmpty());
}

TEST_F(SingleImageTest, InspectImageEscapesEverythingElse) {
  struct Case {
    std::string name;
    std::string escaped;
  };
  for (const Case& c :
       {Case{"a b", "a%20b"}, Case{"x?y", "x%3Fy"}, Case{"x#y", "x%23y"},
        Case{"100%", "100%25"}, Case{"a&b=c", "a%26b%3Dc"},
        Case{"caf\xc3\xa9", "caf%C3%A9"}, Case{"a+b", "a%2Bb"},
        Case{"a\nb", "a%0Ab"}, Case{"\"q\"", "%22q%22"}}) {
    transport_.ClearRecords();
    client_.InspectImage(c.name).IgnoreError();
    ASSERT_THAT(transport_.requests(), SizeIs(1)) << c.name;
    EXPECT_EQ(transport_.requests()[0].path,
              "/v1.41/images/" + c.escaped + "/json")
        << c.name;
  }
}

TEST_F(SingleImageTest, InspectImageOfAnUnknownNameIsNotFound) {
  transport_.On("GET", "/v1.41/images/nope:1/json",
                FakeAnswer::EngineError(404, "No such image: nope:1"));
  absl::StatusOr<ImageInspect> inspect = client_.InspectImage("nope:1");
  EXPECT_EQ(inspect.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(inspect.status().message(),
              AllOf(HasSubstr("No such image: nope:1"), HasSubstr(kHost)));
}

TEST_F(SingleImageTest, InspectImageWithAMalformedBodyIsInvalid) {
  transport_.On("GET", "/v1.41/images/app:1/json",
                FakeAnswer::Json(R"({"RepoTags":["app:1"]})"));  // no Id
  absl::StatusOr<ImageInspect> inspect = client_.InspectImage("app:1");
  EXPECT_EQ(inspect.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(inspect.status().message(),
              AllOf(HasSubstr(kHost), HasSubstr("/v1.41/images/app:1/json")));
}

// ---- ContainersOf ----

TEST_F(SingleImageTest, ContainersOfUsesAnEncodedAncestorFilter) {
  std::string path =
      "/v1.41/containers/json?all=1&filters=%7B%22ancestor%22%3A%5B%22" + id_ +
      "%22%5D%7D";
  transport_.On("GET", path,
                FakeAnswer::Json(absl::StrFormat(
                    R"([{"Id":"%s","Names":["/web-1"],"Image":"app:1",)"
                    R"("ImageID":"%s","State":"exited"}])",
                    test_support::Hex("c"), id_)));
  absl::StatusOr<std::vector<ContainerSummary>> containers =
      client_.ContainersOf(id_);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_THAT(*containers, SizeIs(1));
  EXPECT_EQ((*containers)[0].name, "web-1");
  EXPECT_EQ((*containers)[0].state, "exited");
  EXPECT_EQ((*containers)[0].image_id, id_);

  ASSERT_THAT(transport_.requests(), SizeIs(1));
  const std::string& sent = transport_.requests()[0].path;
  std::string_view query = std::string_view(sent).substr(sent.find('?') + 1);
  ASSERT_THAT(std::string(query), StartsWith("all=1&filters="));
  std::string_view filters =
      query.substr(std::string_view("all=1&filters=").size());
  for (char c : {'"', '{', '}', '[', ']', ' ', '&', '='}) {
    EXPECT_EQ(filters.find(c), std::string_view::npos)
        << "unescaped '" << c << "' in " << sent;
  }
  EXPECT_EQ(PercentDecode(filters), "{\"ancestor\":[\"" + id_ + "\"]}");
}

TEST_F(SingleImageTest, ContainersOfAnUnusedImageIsEmpty) {
  transport_.On(
      "GET",
      "/v1.41/containers/json?all=1&filters=%7B%22ancestor%22%3A%5B%22" + id_ +
          "%22%5D%7D",
      FakeAnswer::Json("[]\n"));
  absl::StatusOr<std::vector<ContainerSummary>> containers =
      client_.ContainersOf(id_);
  ASSERT_TRUE(containers.ok()) << containers.status();
  EXPECT_THAT(*containers, IsEmpty());
}

// ---- retries of single requests ----

TEST_F(SingleImageTest, ASingleGetIsSentAgainUntilItIsAnswered) {
  std::string path = "/v1.41/images/" + id_ + "/json";
  transport_.On("GET", path, FakeAnswer::EngineError(502, "bad gateway"));
  transport_.OnAfterCalls(1, "GET", path,
                          FakeAnswer::Fail(absl::UnavailableError("reset")));
  transport_.OnAfterCalls(2, "GET", path,
                          FakeAnswer::Json(InspectJson(id_, {"app:1"})));
  absl::StatusOr<ImageInspect> inspect = client_.InspectImage(id_);
  ASSERT_TRUE(inspect.ok()) << inspect.status();
  EXPECT_EQ(inspect->id, id_);
  EXPECT_EQ(transport_.Count("GET", path), 3u);
}

TEST_F(SingleImageTest, AGetThatTimesOutIsNotSentAgain) {
  std::string path = "/v1.41/images/" + id_ + "/json";
  absl::Status slow = absl::DeadlineExceededError("no answer within 2s");
  transport_.On("GET", path, FakeAnswer::Fail(slow));
  EXPECT_EQ(client_.InspectImage(id_).status(), slow);
  EXPECT_EQ(transport_.Count("GET", path), 1u);
}

TEST_F(SingleImageTest, ADeleteIsNeverSentAgain) {
  std::string path = "/v1.41/images/app:1";
  for (FakeAnswer answer :
       {FakeAnswer::Fail(absl::UnavailableError("broke off its response")),
        FakeAnswer::EngineError(503, "unavailable"),
        FakeAnswer::EngineError(502, "bad gateway")}) {
    transport_.ClearRecords();
    transport_.On("DELETE", path, answer);
    absl::Status status = client_.DeleteImage("app:1").status();
    EXPECT_FALSE(status.ok());
    EXPECT_THAT(status.message(), Not(HasSubstr("sent ")));
    EXPECT_EQ(transport_.Count("DELETE", path), 1u) << status;
  }
}

TEST_F(EngineClientTest, FetchBodiesFailsWhenConnectFails) {
  ServeVersion("1.20");
  absl::StatusOr<EngineBodies> fetched = client_.FetchBodies({});
  EXPECT_EQ(fetched.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(transport_.RequestLines(), ElementsAre("GET /version"));
}

// ---- DeleteImage ----

TEST_F(SingleImageTest, DeleteImageSendsDeleteAndReadsTheResponse) {
  std::string chain = test_support::Id("chain");
  transport_.On("DELETE", "/v1.41/images/localhost:5000/team/app:1",
                FakeAnswer::Json(absl::StrFormat(
                    R"([{"Untagged":"localhost:5000/team/app:1"},)"
                    R"({"Deleted":"%s"},{"Deleted":"%s"}])",
                    id_, chain)));
  absl::StatusOr<DeleteResponse> deleted =
      client_.DeleteImage("localhost:5000/team/app:1");
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_THAT(deleted->untagged, ElementsAre("localhost:5000/team/app:1"));
  EXPECT_THAT(deleted->deleted, ElementsAre(id_, chain));
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("DELETE /v1.41/images/localhost:5000/team/app:1"));
}

TEST_F(SingleImageTest, DeleteImageKeepsReferenceCharactersAndEscapesTheRest) {
  std::string digest = "reg.example:443/a/b@sha256:" + test_support::Hex("d");
  client_.DeleteImage(digest).IgnoreError();
  client_.DeleteImage(id_).IgnoreError();
  client_.DeleteImage("a b").IgnoreError();
  client_.DeleteImage("app:1?force=1").IgnoreError();
  client_.DeleteImage("app:1&force=true").IgnoreError();
  EXPECT_THAT(
      transport_.RequestLines(),
      ElementsAre("DELETE /v1.41/images/" + digest,
                  "DELETE /v1.41/images/" + id_, "DELETE /v1.41/images/a%20b",
                  "DELETE /v1.41/images/app:1%3Fforce%3D1",
                  "DELETE /v1.41/images/app:1%26force%3Dtrue"));
  // Never a query, so never a force parameter.
  for (const HttpRequest& request : transport_.requests()) {
    EXPECT_EQ(request.path.find('?'), std::string::npos) << request.path;
    EXPECT_EQ(request.path.find('&'), std::string::npos) << request.path;
  }
}

TEST_F(SingleImageTest, DeleteImageOfAnUnknownNameIsNotFound) {
  transport_.On("DELETE", "/v1.41/images/nope:1",
                FakeAnswer::EngineError(404, "No such image: nope:1"));
  absl::StatusOr<DeleteResponse> deleted = client_.DeleteImage("nope:1");
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(deleted.status().message(), HasSubstr("No such image: nope:1"));
}

TEST_F(SingleImageTest, DeleteImageConflictIsFailedPreconditionWithTheMessage) {
  std::string message =
      "conflict: unable to remove repository reference \"app:1\" (must force)"
      " - container 0123456789ab is using its referenced image 7d4ed35a1303";
  transport_.On("DELETE", "/v1.41/images/app:1",
                FakeAnswer::EngineError(409, message));
  absl::StatusOr<DeleteResponse> deleted = client_.DeleteImage("app:1");
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(deleted.status().message(),
              AllOf(HasSubstr(message), HasSubstr(kHost),
                    HasSubstr("DELETE /v1.41/images/app:1")));
}

TEST_F(SingleImageTest, DeleteImageWithAMalformedBodyIsInvalid) {
  transport_.On("DELETE", "/v1.41/images/app:1",
                FakeAnswer::Json(R"({"Untagged":"app:1"})"));
  absl::StatusOr<DeleteResponse> deleted = client_.DeleteImage("app:1");
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(deleted.status().message(),
              HasSubstr("DELETE /v1.41/images/app:1"));
}

TEST_F(SingleImageTest, DeleteImageWithoutPruneAddsOnlyNoprune) {
  transport_.On(
      "DELETE", "/v1.41/images/" + id_ + "?noprune=1",
      FakeAnswer::Json(absl::StrFormat(R"([{"Deleted":"%s"}])", id_)));
  absl::StatusOr<DeleteResponse> deleted =
      client_.DeleteImage(id_, /*prune=*/false);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_THAT(deleted->deleted, ElementsAre(id_));
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("DELETE /v1.41/images/" + id_ + "?noprune=1"));
}

// ---- containers, volumes and build cache ----

// The answers of Docker 20.10.24 to these calls.
constexpr char kRunningConflict[] =
    "You cannot remove a running container %s. Stop the container before "
    "attempting removal or force remove";
constexpr char kVolumeInUse[] = "remove %s: volume is in use - [%s]";

class ResourceCallsTest : public SingleImageTest {
 protected:
  // The query of the one request sent, after "?", percent-decoded.
  std::string SentQuery() const {
    EXPECT_THAT(transport_.requests(), SizeIs(1));
    if (transport_.requests().empty()) return "";
    const std::string& path = transport_.requests()[0].path;
    size_t question = path.find('?');
    if (question == std::string::npos) return "";
    std::string_view query = std::string_view(path).substr(question + 1);
    for (char c : {'"', '{', '}', '[', ']', ' ', ':'}) {
      EXPECT_EQ(query.find(c), std::string_view::npos)
          << "unescaped '" << c << "' in " << path;
    }
    return PercentDecode(query);
  }

  const std::string container_ = test_support::Hex("container");
  const std::string volume_ = test_support::Hex("volume");
  const std::string record_ = "r7lqy3m0hc2s5k4x9t1vbnw8e";  // as BuildKit makes
};

TEST_F(ResourceCallsTest, InspectContainerReadsTheRecordedBody) {
  const std::string id =
      "a6d60228ab4130b8285ff066b716ee3dd87952be3e8aea3a8dca542fb174d1e5";
  transport_.On("GET", "/v1.41/containers/" + id + "/json",
                FakeAnswer::Json(Recorded("container_a6d60228ab41.json")));
  absl::StatusOr<ContainerInspect> inspect = client_.InspectContainer(id);
  ASSERT_TRUE(inspect.ok()) << inspect.status();
  EXPECT_EQ(inspect->id, id);
  EXPECT_EQ(inspect->state, "exited");
  EXPECT_EQ(inspect->restart_policy, "no");
  EXPECT_EQ(inspect->finished_at,
            absl::FromUnixSeconds(1795386907) +
                absl::Nanoseconds(180225213));  // 22:35:07.180225213Z
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("GET /v1.41/containers/" + id + "/json"));
}

TEST_F(ResourceCallsTest, InspectContainerOfAnUnknownIdIsNotFound) {
  transport_.On(
      "GET", "/v1.41/containers/" + container_ + "/json",
      FakeAnswer::EngineError(404, "No such container: " + container_));
  absl::StatusOr<ContainerInspect> inspect =
      client_.InspectContainer(container_);
  EXPECT_EQ(inspect.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(inspect.status().message(),
              AllOf(HasSubstr("No such container"), HasSubstr(kHost)));
}

TEST_F(ResourceCallsTest, NamesDockerDoesNotGiveAreRefusedAndNothingIsSent) {
  for (std::string name :
       {std::string(""), std::string("../images/app:1"), std::string("a/b"),
        std::string("x?force=1"), std::string("-x"), std::string("a b")}) {
    EXPECT_EQ(client_.InspectContainer(name).status().code(),
              absl::StatusCode::kInvalidArgument)
        << name;
    EXPECT_EQ(client_.RemoveContainer(name).code(),
              absl::StatusCode::kInvalidArgument)
        << name;
    EXPECT_EQ(client_.ContainersMounting(name).status().code(),
              absl::StatusCode::kInvalidArgument)
        << name;
    EXPECT_EQ(client_.RemoveVolume(name).code(),
              absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_THAT(transport_.requests(), IsEmpty());
}

TEST_F(ResourceCallsTest, RemovalsSendDeleteWithoutAQueryAndReadNoBody) {
  // The engine answers 204 with an empty body.
  transport_.On("DELETE", "/v1.41/containers/" + container_,
                FakeAnswer::Http(204, ""));
  transport_.On("DELETE", "/v1.41/volumes/" + volume_,
                FakeAnswer::Http(204, ""));
  absl::Status container_removed = client_.RemoveContainer(container_);
  EXPECT_TRUE(container_removed.ok()) << container_removed;
  absl::Status volume_removed = client_.RemoveVolume(volume_);
  EXPECT_TRUE(volume_removed.ok()) << volume_removed;
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("DELETE /v1.41/containers/" + container_,
                          "DELETE /v1.41/volumes/" + volume_));
}

TEST_F(ResourceCallsTest, RemoveContainerErrorsCarryTheEngineMessage) {
  std::string path = "/v1.41/containers/" + container_;
  transport_.On("DELETE", path,
                FakeAnswer::EngineError(404, "No such container: web-1"));
  absl::Status removed = client_.RemoveContainer(container_);
  EXPECT_EQ(removed.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(removed.message(), HasSubstr("No such container: web-1"));

  std::string conflict = absl::StrFormat(kRunningConflict, container_);
  transport_.On("DELETE", path, FakeAnswer::EngineError(409, conflict));
  removed = client_.RemoveContainer(container_);
  EXPECT_EQ(removed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(removed.message(), AllOf(HasSubstr(conflict), HasSubstr(kHost),
                                       HasSubstr("DELETE " + path)));

  transport_.On("DELETE", path, FakeAnswer::EngineError(500, "driver failed"));
  EXPECT_EQ(client_.RemoveContainer(container_).code(),
            absl::StatusCode::kInternal);
}

TEST_F(ResourceCallsTest, ContainersMountingUsesAnEncodedVolumeFilter) {
  transport_.On(
      "GET",
      "/v1.41/containers/json?all=1&filters=%7B%22volume%22%3A%5B%22" +
          volume_ + "%22%5D%7D",
      FakeAnswer::Json(absl::StrFormat(
          R"([{"Id":"%s","Names":["/db-1"],"Image":"pg","ImageID":"%s",)"
          R"("State":"created","Mounts":[{"Type":"volume","Name":"%s"}]}])",
          container_, id_, volume_)));
  absl::StatusOr<std::vector<ContainerSummary>> containers =
      client_.ContainersMounting(volume_);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_THAT(*containers, SizeIs(1));
  EXPECT_EQ((*containers)[0].name, "db-1");
  EXPECT_EQ((*containers)[0].state, "created");
  EXPECT_THAT((*containers)[0].volumes, ElementsAre(volume_));
  EXPECT_EQ(SentQuery(), "all=1&filters={\"volume\":[\"" + volume_ + "\"]}");
}

TEST_F(ResourceCallsTest, RemoveVolumeErrorsCarryTheEngineMessage) {
  std::string path = "/v1.41/volumes/" + volume_;
  transport_.On("DELETE", path,
                FakeAnswer::EngineError(
                    404, absl::StrFormat("get %s: no such volume", volume_)));
  absl::Status removed = client_.RemoveVolume(volume_);
  EXPECT_EQ(removed.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(removed.message(), HasSubstr("no such volume"));

  std::string in_use = absl::StrFormat(kVolumeInUse, volume_, container_);
  transport_.On("DELETE", path, FakeAnswer::EngineError(409, in_use));
  removed = client_.RemoveVolume(volume_);
  EXPECT_EQ(removed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(removed.message(), AllOf(HasSubstr(in_use), HasSubstr(kHost),
                                       HasSubstr("DELETE " + path)));
}

std::string PrunePath(std::string_view record) {
  return absl::StrFormat(
      "/v1.41/build/prune?filters=%%7B%%22id%%22%%3A%%5B%%22%s%%22%%5D%%7D",
      record);
}

TEST_F(ResourceCallsTest, PruneBuildCacheFiltersOnTheRecordAndNothingElse) {
  transport_.On("POST", PrunePath(record_),
                FakeAnswer::Json(absl::StrFormat(
                    R"({"CachesDeleted":["%s"],"SpaceReclaimed":4096})"
                    "\n",
                    record_)));
  absl::StatusOr<BuildCachePruned> pruned = client_.PruneBuildCache(record_);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_THAT(pruned->deleted, ElementsAre(record_));
  EXPECT_EQ(pruned->space_reclaimed, 4096u);
  EXPECT_THAT(transport_.RequestLines(),
              ElementsAre("POST " + PrunePath(record_)));
  // No all, no keep-storage: only the filter.
  EXPECT_EQ(SentQuery(), "filters={\"id\":[\"" + record_ + "\"]}");
}

TEST_F(ResourceCallsTest, PruneBuildCacheOfAGoneRecordDeletesNothing) {
  transport_.On(
      "POST", PrunePath(record_),
      FakeAnswer::Json(R"({"CachesDeleted":null,"SpaceReclaimed":0})"));
  absl::StatusOr<BuildCachePruned> pruned = client_.PruneBuildCache(record_);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_THAT(pruned->deleted, IsEmpty());
  EXPECT_EQ(pruned->space_reclaimed, 0u);
}

TEST_F(ResourceCallsTest, PruneBuildCacheWithAMalformedBodyIsInvalid) {
  for (std::string body :
       {std::string(R"({"CachesDeleted":[]})"),
        std::string(R"({"CachesDeleted":[],"SpaceReclaimed":-1})"),
        std::string(R"({"CachesDeleted":"x","SpaceReclaimed":1})"),
        std::string("[]"), std::string("")}) {
    transport_.On("POST", PrunePath(record_), FakeAnswer::Json(body));
    absl::StatusOr<BuildCachePruned> pruned = client_.PruneBuildCache(record_);
    EXPECT_EQ(pruned.status().code(), absl::StatusCode::kInvalidArgument)
        << body;
    EXPECT_THAT(pruned.status().message(),
                AllOf(HasSubstr(kHost), HasSubstr("POST /v1.41/build/prune")))
        << body;
  }
}

TEST_F(ResourceCallsTest, PruneBuildCacheMapsEngineErrorsToCodes) {
  struct Case {
    long status;
    absl::StatusCode code;
  };
  for (Case c : {Case{404, absl::StatusCode::kNotFound},
                 Case{409, absl::StatusCode::kFailedPrecondition},
                 Case{500, absl::StatusCode::kInternal}}) {
    transport_.On("POST", PrunePath(record_),
                  FakeAnswer::EngineError(c.status, "buildkit said no"));
    absl::StatusOr<BuildCachePruned> pruned = client_.PruneBuildCache(record_);
    EXPECT_EQ(pruned.status().code(), c.code) << c.status;
    EXPECT_THAT(pruned.status().message(), HasSubstr("buildkit said no"));
  }
}

TEST_F(ResourceCallsTest, PruneBuildCacheRefusesIdsThatArePatterns) {
  // The engine matches the id filter as a regular expression: "a.c" would
  // prune "abc", "" every record.
  for (std::string id :
       {std::string(""), std::string("a.c"), std::string(".*"),
        std::string("abc-def"), std::string("abc_def"), std::string("a|b")}) {
    absl::StatusOr<BuildCachePruned> pruned = client_.PruneBuildCache(id);
    EXPECT_EQ(pruned.status().code(), absl::StatusCode::kInvalidArgument) << id;
  }
  EXPECT_THAT(transport_.requests(), IsEmpty());
}

TEST_F(EngineClientTest, PruneBuildCacheNeedsApi139AndSendsNothingBelow) {
  // Before 1.39 the engine ignores the filter and prunes all it can.
  ServeVersion("1.38");
  ASSERT_TRUE(client_.Connect().ok());
  transport_.ClearRecords();
  absl::StatusOr<BuildCachePruned> pruned = client_.PruneBuildCache("abc");
  EXPECT_EQ(pruned.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(pruned.status().message(),
              AllOf(HasSubstr("1.38"), HasSubstr("1.39"), HasSubstr(kHost)));
  EXPECT_THAT(transport_.requests(), IsEmpty());

  ServeVersion("1.39");
  ASSERT_TRUE(client_.Connect().ok());
  transport_.ClearRecords();
  transport_.On("POST",
                "/v1.39/build/prune?filters=%7B%22id%22%3A%5B%22abc%22%5D%7D",
                FakeAnswer::Json(R"({"CachesDeleted":[],"SpaceReclaimed":0})"));
  EXPECT_TRUE(client_.PruneBuildCache("abc").ok());
  EXPECT_THAT(transport_.unrouted(), IsEmpty());
}

TEST(ReadOnlyEngineClientTest, RefusesDeleteImageAndSendsNothing) {
  FakeTransport transport(Access::kReadOnly, kHost);
  transport.On("GET", "/version", FakeAnswer::Json(VersionJson("1.41")));
  transport.On("DELETE", "/v1.41/images/app:1",
               FakeAnswer::Json(R"([{"Untagged":"app:1"}])"));
  EngineClient client(transport);
  ASSERT_TRUE(client.Connect().ok());
  absl::StatusOr<DeleteResponse> deleted = client.DeleteImage("app:1");
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(deleted.status().message(),
              AllOf(HasSubstr("read-only"), HasSubstr(kHost)));
  EXPECT_THAT(transport.RequestLines(), ElementsAre("GET /version"));
  EXPECT_THAT(transport.refused(), ElementsAre("DELETE /v1.41/images/app:1"));
}

TEST(ReadOnlyEngineClientTest, RefusesEveryResourceRemovalAndSendsNothing) {
  FakeTransport transport(Access::kReadOnly, kHost);
  transport.On("GET", "/version", FakeAnswer::Json(VersionJson("1.41")));
  EngineClient client(transport);
  ASSERT_TRUE(client.Connect().ok());
  std::string container = test_support::Hex("container");
  std::string volume = test_support::Hex("volume");
  transport.On("DELETE", "/v1.41/containers/" + container,
               FakeAnswer::Http(204, ""));
  transport.On("DELETE", "/v1.41/volumes/" + volume, FakeAnswer::Http(204, ""));
  transport.On("POST", PrunePath("abc"),
               FakeAnswer::Json(R"({"CachesDeleted":[],"SpaceReclaimed":0})"));
  absl::Status container_removed = client.RemoveContainer(container);
  absl::Status volume_removed = client.RemoveVolume(volume);
  absl::StatusOr<BuildCachePruned> pruned = client.PruneBuildCache("abc");
  for (const absl::Status& status :
       {container_removed, volume_removed, pruned.status()}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(status.message(),
                AllOf(HasSubstr("read-only"), HasSubstr(kHost)));
  }
  EXPECT_THAT(transport.RequestLines(), ElementsAre("GET /version"));
  EXPECT_THAT(transport.refused(),
              ElementsAre("DELETE /v1.41/containers/" + container,
                          "DELETE /v1.41/volumes/" + volume,
                          "POST " + PrunePath("abc")));
}

TEST(ReadOnlyEngineClientTest, StillReads) {
  FakeTransport transport(Access::kReadOnly, kHost);
  transport.On("GET", "/version", FakeAnswer::Json(VersionJson("1.41")));
  transport.On(
      "GET", "/v1.41/images/app:1/json",
      FakeAnswer::Json(InspectJson(test_support::Id("app"), {"app:1"})));
  EngineClient client(transport);
  ASSERT_TRUE(client.Connect().ok());
  EXPECT_TRUE(client.InspectImage("app:1").ok());
  std::string container = test_support::Hex("container");
  transport.On("GET", "/v1.41/containers/" + container + "/json",
               FakeAnswer::Json(absl::StrFormat(
                   R"({"Id":"%s","State":{"Status":"exited"}})", container)));
  EXPECT_TRUE(client.InspectContainer(container).ok());
  std::string volume = test_support::Hex("volume");
  transport.On("GET",
               "/v1.41/containers/json?all=1&filters=%7B%22volume%22%3A%5B%22" +
                   volume + "%22%5D%7D",
               FakeAnswer::Json("[]"));
  EXPECT_TRUE(client.ContainersMounting(volume).ok());
  EXPECT_THAT(transport.refused(), IsEmpty());
}

// ---- the fake itself ----

TEST(FakeTransportTest, SchedulesTakeOverAfterTheirCount) {
  FakeTransport transport;
  transport.On("GET", "/a", FakeAnswer::Json("1"));
  transport.OnAfter(2, "GET", "/a", FakeAnswer::Json("2"));
  transport.OnAfterCalls(3, "GET", "/a", FakeAnswer::Json("3"));
  transport.On("GET", "/b", FakeAnswer::Json("b"));
  std::vector<std::string> bodies;
  for (const char* path : {"/a", "/b", "/a", "/a", "/a", "/b"}) {
    absl::StatusOr<HttpResponse> r = transport.Perform({.path = path});
    ASSERT_TRUE(r.ok());
    bodies.emplace_back(r->body.view());
  }
  // Request 3 is the first after 2 performed; the 4th call of /a is the
  // first after 3 calls of it.
  EXPECT_THAT(bodies, ElementsAre("1", "b", "2", "2", "3", "b"));
  EXPECT_EQ(transport.Count("GET", "/a"), 4u);
  EXPECT_EQ(transport.performed(), 6u);
}

TEST(FakeTransportTest, OnReplacesEverySchedule) {
  FakeTransport transport;
  transport.OnAfter(0, "GET", "/a", FakeAnswer::Json("old"));
  transport.On("GET", "/a", FakeAnswer::Json("new"));
  absl::StatusOr<HttpResponse> r = transport.Perform({.path = "/a"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body.view(), "new");
}

TEST(FakeTransportTest, UnroutedRequestsAre404AndRecorded) {
  FakeTransport transport;
  absl::StatusOr<HttpResponse> r = transport.Perform({.path = "/nowhere"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(transport.unrouted(), ElementsAre("GET /nowhere"));
  EXPECT_THAT(transport.RequestLines(), ElementsAre("GET /nowhere"));
}

TEST(FakeTransportTest, ReadOnlyRefusesWritesLikeCurlTransport) {
  FakeTransport transport(Access::kReadOnly, kHost);
  transport.On("DELETE", "/x", FakeAnswer::Json("[]"));
  absl::StatusOr<HttpResponse> r =
      transport.Perform({.method = "DELETE", .path = "/x"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              AllOf(HasSubstr("read-only"), HasSubstr(kHost)));
  EXPECT_THAT(transport.requests(), IsEmpty());
  EXPECT_THAT(transport.refused(), ElementsAre("DELETE /x"));
  EXPECT_EQ(transport.performed(), 0u);
}

TEST(FakeTransportTest, PerformManyAnswersEachIndexOnce) {
  FakeTransport transport;
  transport.set_reverse_completion(true);
  transport.On("GET", "/0", FakeAnswer::Json("zero"));
  transport.On("GET", "/1", FakeAnswer::Fail(absl::UnavailableError("down")));
  std::vector<HttpRequest> requests = {{.path = "/0"}, {.path = "/1"}};
  std::vector<size_t> order;
  transport.PerformMany(
      requests, [&](size_t index, absl::StatusOr<HttpResponse> r) {
        order.push_back(index);
        if (index == 0) {
          EXPECT_TRUE(r.ok());
          if (r.ok()) {
            EXPECT_EQ(r->body.view(), "zero");
          }
        } else {
          EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
        }
        return true;
      });
  EXPECT_THAT(order, ElementsAre(1, 0));
  EXPECT_THAT(transport.RequestLines(), ElementsAre("GET /0", "GET /1"));
}

}  // namespace
}  // namespace dgc
