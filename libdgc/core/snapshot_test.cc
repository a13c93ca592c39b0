// Tests of dgc.snapshot/v1 (core/snapshot.h): SnapshotJson of raw bodies
// read back by ParseSnapshot gives what parsing the bodies directly gives;
// snapshots assembled by hand from the recorded bodies parse; missing
// members, other schemas and garbage are rejected with exact messages.
#include "core/snapshot.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/inventory.h"
#include "core/string_views.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kWrongType[] =
    "The JSON element does not have the requested type.";

std::string Message(const absl::Status& status) {
  return std::string(ToStd(status.message()));
}

absl::StatusOr<EngineBodies> Parse(std::string_view text) {
  return ParseSnapshot(PaddedBody(text));
}

// Every field EngineBodies carries, compared one by one.
void ExpectSameBodies(const EngineBodies& got, const EngineBodies& want) {
  EXPECT_EQ(got.host, want.host);
  EXPECT_EQ(got.captured_at, want.captured_at);
  EXPECT_EQ(got.version.version, want.version.version);
  EXPECT_EQ(got.version.api_version, want.version.api_version);
  EXPECT_EQ(got.version.min_api_version, want.version.min_api_version);
  EXPECT_EQ(got.version.os, want.version.os);
  EXPECT_EQ(got.version.arch, want.version.arch);
  ASSERT_EQ(got.info.has_value(), want.info.has_value());
  if (got.info.has_value()) {
    EXPECT_EQ(got.info->driver, want.info->driver);
    EXPECT_EQ(got.info->containerd_snapshotter,
              want.info->containerd_snapshotter);
  }
  ASSERT_EQ(got.system_df.has_value(), want.system_df.has_value());
  if (got.system_df.has_value()) {
    EXPECT_EQ(got.system_df->layers_size, want.system_df->layers_size);
  }
  ASSERT_EQ(got.images.size(), want.images.size());
  for (size_t i = 0; i < got.images.size(); ++i) {
    const ImageSummary& a = got.images[i];
    const ImageSummary& b = want.images[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.parent_id, b.parent_id) << a.id;
    EXPECT_EQ(a.repo_tags, b.repo_tags) << a.id;
    EXPECT_EQ(a.repo_digests, b.repo_digests) << a.id;
    EXPECT_EQ(a.created, b.created) << a.id;
    EXPECT_EQ(a.size, b.size) << a.id;
    EXPECT_EQ(a.labels, b.labels) << a.id;
  }
  ASSERT_EQ(got.containers.size(), want.containers.size());
  for (size_t i = 0; i < got.containers.size(); ++i) {
    const ContainerSummary& a = got.containers[i];
    const ContainerSummary& b = want.containers[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.name, b.name) << a.id;
    EXPECT_EQ(a.image, b.image) << a.id;
    EXPECT_EQ(a.image_id, b.image_id) << a.id;
    EXPECT_EQ(a.state, b.state) << a.id;
  }
  ASSERT_EQ(got.details.size(), want.details.size());
  for (const auto& [id, b] : want.details) {
    auto it = got.details.find(id);
    ASSERT_NE(it, got.details.end()) << id;
    const ImageDetails& a = it->second;
    EXPECT_EQ(a.inspect.id, b.inspect.id) << id;
    EXPECT_EQ(a.inspect.parent, b.inspect.parent) << id;
    EXPECT_EQ(a.inspect.repo_tags, b.inspect.repo_tags) << id;
    EXPECT_EQ(a.inspect.repo_digests, b.inspect.repo_digests) << id;
    EXPECT_EQ(a.inspect.created, b.inspect.created) << id;
    EXPECT_EQ(a.inspect.last_tag_time, b.inspect.last_tag_time) << id;
    EXPECT_EQ(a.inspect.diff_ids, b.inspect.diff_ids) << id;
    EXPECT_EQ(a.inspect.size, b.inspect.size) << id;
    EXPECT_EQ(a.inspect.labels, b.inspect.labels) << id;
    ASSERT_EQ(a.history.size(), b.history.size()) << id;
    for (size_t i = 0; i < a.history.size(); ++i) {
      EXPECT_EQ(a.history[i].size, b.history[i].size) << id;
      EXPECT_EQ(a.history[i].metadata_step, b.history[i].metadata_step) << id;
    }
  }
}

// ---- round trips ----

class SnapshotRoundTripTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SnapshotRoundTripTest, SnapshotOfRawBodiesParsesToTheSameBodies) {
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies(GetParam());
  ASSERT_TRUE(raw.ok()) << raw.status();
  absl::StatusOr<EngineBodies> direct =
      test_support::RecordedBodies(GetParam());
  ASSERT_TRUE(direct.ok()) << direct.status();

  std::string text = SnapshotJson(*raw);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  absl::StatusOr<EngineBodies> parsed = Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ExpectSameBodies(*parsed, *direct);
  EXPECT_THAT(parsed->warnings, IsEmpty());
}

TEST_P(SnapshotRoundTripTest, SnapshotIsStable) {
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies(GetParam());
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(SnapshotJson(*raw), SnapshotJson(*raw));
}

INSTANTIATE_TEST_SUITE_P(Recorded, SnapshotRoundTripTest,
                         ::testing::Values("api-1.41", "api-1.52",
                                           "api-1.45-containerd"));

// What a containerd store's content store showed, for the recorded images
// of api-1.45-containerd: the untagged record's manifest, config and layer
// blobs; nothing for the others (they stay bounded).
ContentStoreFacts RecordedContent() {
  ContentStoreFacts facts;
  facts.root = "/var/lib/docker/containerd/daemon";
  facts.unattributed_bytes = 1167;
  ImageContent& record =
      facts.images
          ["sha256:"
           "81bd82f406dad11eed3a66685685e638ac6f4960dbc190d8c26283e1903455f5"];
  record.blobs = {
      {"sha256:"
       "81bd82f406dad11eed3a66685685e638ac6f4960dbc190d8c26283e1903455f5",
       577},
      {"sha256:"
       "4434d072e463636d9b41ad8304059cfc67a548957c563893d4b553e77ec36f47",
       489},
      {"sha256:"
       "b673e837b83a23a219ea4043f9fe457e2d45996a5d3be51c7310ca0f3d277c4a",
       10240},
      {"sha256:"
       "f58644e11e56e05cc425f75878748780d5277892032b98bf7e594c8ac199a542",
       10240}};
  record.other_platforms = {{test_support::Id("arm64 layer")}};
  return facts;
}

TEST(SnapshotContentTest, TheContentStoresFactsRoundTrip) {
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies("api-1.45-containerd");
  ASSERT_TRUE(raw.ok()) << raw.status();
  raw->content = RecordedContent();
  std::string text = SnapshotJson(*raw);
  absl::StatusOr<EngineBodies> parsed = Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_TRUE(parsed->content.has_value());
  const ContentStoreFacts& want = *raw->content;
  EXPECT_EQ(parsed->content->root, want.root);
  EXPECT_EQ(parsed->content->unattributed_bytes, want.unattributed_bytes);
  ASSERT_EQ(parsed->content->images.size(), 1u);
  const std::string id = parsed->content->images.begin()->first;
  const ImageContent& content = parsed->content->images.begin()->second;
  const ImageContent& expected = want.images.at(id);
  EXPECT_THAT(content.blobs,
              ::testing::UnorderedElementsAreArray(expected.blobs));
  EXPECT_EQ(content.index_digest, "");
  EXPECT_EQ(content.other_platforms, expected.other_platforms);
  // Writing what was read gives the same text.
  RawEngineBodies again = *raw;
  again.content = *parsed->content;
  EXPECT_EQ(SnapshotJson(again), text);

  // The inventory has the record's blobs; the others stay bounded.
  absl::StatusOr<Inventory> inventory = BuildInventory(*parsed);
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  const Image& record = inventory->images[inventory->FindImage(id)];
  EXPECT_TRUE(record.blobs_known);
  EXPECT_EQ(record.blobs.size(), 4u);
  EXPECT_FALSE(inventory->ContentKnown());
}

TEST(SnapshotContentTest, ABadDigestInTheContentIsNamed) {
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies("api-1.45-containerd");
  ASSERT_TRUE(raw.ok()) << raw.status();
  raw->content = RecordedContent();
  std::string text = SnapshotJson(*raw);
  size_t at = text.find("\"sha256:4434d0");
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 1, 7, "../../x");
  absl::StatusOr<EngineBodies> parsed = Parse(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("\"content\""));
  EXPECT_THAT(parsed.status().message(), HasSubstr("blobs"));
}

TEST(SnapshotContentTest, ContentOfAnImageNotListedIsRefused) {
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies("api-1.45-containerd");
  ASSERT_TRUE(raw.ok()) << raw.status();
  raw->content = RecordedContent();
  raw->content->images[test_support::Id("stranger")] = ImageContent{};
  absl::StatusOr<EngineBodies> parsed = Parse(SnapshotJson(*raw));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(parsed));
  ASSERT_FALSE(inventory.ok());
  EXPECT_THAT(inventory.status().message(), HasSubstr("which is not listed"));
}

TEST(SnapshotJsonTest, LayoutOfASmallSnapshot) {
  RawEngineBodies raw;
  raw.host = "unix:///var/run/docker.sock";
  raw.captured_at = absl::FromCivil(absl::CivilSecond(2026, 11, 25, 22, 40, 0),
                                    absl::UTCTimeZone());
  raw.version = PaddedBody("{\"ApiVersion\":\"1.41\"}\n");
  raw.images = PaddedBody("[]\n");
  raw.containers = PaddedBody("[]\r\n \t");
  RawEngineBodies::Details details;
  details.id = test_support::Id("a");
  details.inspect = PaddedBody("{\"Id\":\"" + test_support::Id("a") + "\"}\n");
  details.history = PaddedBody("[]");
  raw.details.push_back(std::move(details));
  EXPECT_EQ(SnapshotJson(raw),
            "{\"schema\":\"dgc.snapshot/v1\","
            "\"captured_at\":\"2026-11-25T22:40:00Z\","
            "\"host\":\"unix:///var/run/docker.sock\","
            "\"version\":{\"ApiVersion\":\"1.41\"},"
            "\"images\":[],\"containers\":[],"
            "\"image_details\":{\"" +
                test_support::Id("a") + "\":{\"inspect\":{\"Id\":\"" +
                test_support::Id("a") + "\"},\"history\":[]}}}\n");
}

TEST(SnapshotJsonTest, InfoAndSystemDfAreWrittenWhenFetched) {
  RawEngineBodies raw;
  raw.host = "tcp://10.0.0.5:2376";
  raw.version = PaddedBody("{\"ApiVersion\":\"1.52\"}");
  raw.info = PaddedBody("{\"Driver\":\"overlay2\"}");
  raw.images = PaddedBody("[]");
  raw.containers = PaddedBody("[]");
  raw.system_df = PaddedBody("{\"LayersSize\":42}\n");
  std::string text = SnapshotJson(raw);
  EXPECT_NE(text.find(",\"info\":{\"Driver\":\"overlay2\"},"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(",\"system_df\":{\"LayersSize\":42}}\n"),
            std::string::npos)
      << text;
  absl::StatusOr<EngineBodies> parsed = Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->host, "tcp://10.0.0.5:2376");
  EXPECT_EQ(parsed->captured_at, absl::InfinitePast());
  ASSERT_TRUE(parsed->info.has_value());
  EXPECT_EQ(parsed->info->driver, "overlay2");
  ASSERT_TRUE(parsed->system_df.has_value());
  EXPECT_EQ(parsed->system_df->layers_size, 42);
}

TEST(SnapshotJsonTest, HostWithQuotesIsEscaped) {
  RawEngineBodies raw;
  raw.host = "unix:///tmp/we\"ird\n.sock";
  raw.version = PaddedBody("{\"ApiVersion\":\"1.41\"}");
  raw.images = PaddedBody("[]");
  raw.containers = PaddedBody("[]");
  absl::StatusOr<EngineBodies> parsed = Parse(SnapshotJson(raw));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->host, "unix:///tmp/we\"ird\n.sock");
}

// ---- snapshots assembled by hand ----

// A snapshot as a person would assemble it with curl: members in any order,
// pretty-printed, bodies pasted as they came.
std::string HandMadeSnapshot(std::string_view api_dir) {
  auto read = [&](std::string_view name) {
    absl::StatusOr<std::string> text = test_support::ReadTestdata(
        absl::StrCat(ToAbsl(api_dir), "/", ToAbsl(name)));
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? *text : std::string("null");
  };
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies(api_dir);
  EXPECT_TRUE(raw.ok()) << raw.status();
  std::string details;
  if (raw.ok()) {
    for (const RawEngineBodies::Details& d : raw->details) {
      if (!details.empty()) details += ",\n";
      absl::StrAppend(&details, "    \"", d.id,
                      "\": {\n      \"history\": ", ToAbsl(d.history.view()),
                      ",\n      \"inspect\": ", ToAbsl(d.inspect.view()),
                      "\n    }");
    }
  }
  return absl::StrCat("{\n  \"images\": ", read("images.json"),
                      ",\n  \"containers\": ", read("containers.json"),
                      ",\n  \"image_details\": {\n", details, "\n  },\n",
                      "  \"schema\": \"dgc.snapshot/v1\",\n",
                      "  \"captured_at\": \"2026-11-25T23:40:00+01:00\",\n",
                      "  \"host\": \"unix:///var/run/docker.sock\",\n",
                      "  \"version\": ", read("version.json"),
                      ",\n  \"system_df\": ", read("system_df.json"), "\n}\n");
}

TEST(ParseSnapshotTest, HandAssembledFromTheRecordedApi141Bodies) {
  absl::StatusOr<EngineBodies> parsed = Parse(HandMadeSnapshot("api-1.41"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  absl::StatusOr<EngineBodies> direct =
      test_support::RecordedBodies("api-1.41");
  ASSERT_TRUE(direct.ok()) << direct.status();
  direct->info.reset();  // not in the hand-made snapshot
  ExpectSameBodies(*parsed, *direct);
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(parsed));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_EQ(inventory->images.size(), 7u);
  EXPECT_EQ(inventory->engine.storage_driver, "");
}

TEST(ParseSnapshotTest, HandAssembledFromTheApi152Bodies) {
  absl::StatusOr<EngineBodies> parsed = Parse(HandMadeSnapshot("api-1.52"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->images.size(), 2u);
  EXPECT_EQ(parsed->version.api_version, "1.52");
  ASSERT_TRUE(parsed->system_df.has_value());
  EXPECT_EQ(parsed->system_df->layers_size, 7000);
}

TEST(ParseSnapshotTest, MinimalSnapshotTrimmedToTheFieldsLibdgcReads) {
  std::string id = test_support::Id("app");
  std::string text = absl::StrCat(
      "{\"schema\": \"dgc.snapshot/v1\",", " \"images\": [{\"Id\": \"", id,
      "\", \"RepoTags\": [\"app:1\"],", " \"Size\": 10}],",
      " \"containers\": [{\"Id\": \"c1\", \"ImageID\": \"", id,
      "\", \"State\": \"exited\"}],", " \"image_details\": {\"", id,
      "\": {\"inspect\": {\"Id\": \"", id, "\", \"RootFS\": {\"Layers\": [\"",
      test_support::Id("d"), "\"]}}, \"history\": [{\"Size\": 10}]}}}");
  absl::StatusOr<EngineBodies> parsed = Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->host, "");
  EXPECT_EQ(parsed->captured_at, absl::InfinitePast());
  EXPECT_EQ(parsed->version.api_version, "");
  EXPECT_FALSE(parsed->info.has_value());
  EXPECT_FALSE(parsed->system_df.has_value());
  ASSERT_EQ(parsed->images.size(), 1u);
  EXPECT_THAT(parsed->images[0].repo_tags, ElementsAre("app:1"));
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(parsed));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_TRUE(inventory->images[0].in_use());
  EXPECT_THAT(inventory->warnings, IsEmpty());
}

TEST(ParseSnapshotTest, CapturedAtWithAnOffsetIsReadAsUtc) {
  absl::StatusOr<EngineBodies> parsed = Parse(
      "{\"schema\": \"dgc.snapshot/v1\", \"captured_at\": "
      "\"2026-11-25T23:40:00.5+01:00\", \"images\": [], \"containers\": [], "
      "\"image_details\": {}}");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->captured_at,
            absl::FromCivil(absl::CivilSecond(2026, 11, 25, 22, 40, 0),
                            absl::UTCTimeZone()) +
                absl::Milliseconds(500));
}

TEST(ParseSnapshotTest, EmptyEngine) {
  absl::StatusOr<EngineBodies> parsed = Parse(
      "{\"schema\": \"dgc.snapshot/v1\", \"images\": null, "
      "\"containers\": null, \"image_details\": null}");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->images, IsEmpty());
  EXPECT_THAT(parsed->containers, IsEmpty());
  EXPECT_TRUE(parsed->details.empty());
}

// ---- rejected snapshots ----

constexpr char kValidTail[] =
    "\"images\": [], \"containers\": [], \"image_details\": {}}";

TEST(ParseSnapshotTest, MissingRequiredMembers) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c :
       {Case{"{\"schema\": \"dgc.snapshot/v1\", \"containers\": [], "
             "\"image_details\": {}}",
             "missing \"images\""},
        Case{"{\"schema\": \"dgc.snapshot/v1\", \"images\": [], "
             "\"image_details\": {}}",
             "missing \"containers\""},
        Case{"{\"schema\": \"dgc.snapshot/v1\", \"images\": [], "
             "\"containers\": []}",
             "missing \"image_details\""}}) {
    absl::StatusOr<EngineBodies> parsed = Parse(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Message(parsed.status()), c.message);
  }
}

TEST(ParseSnapshotTest, DetailsWithoutInspectOrHistory) {
  std::string id = test_support::Id("app");
  absl::StatusOr<EngineBodies> parsed = Parse(absl::StrCat(
      "{\"schema\": \"dgc.snapshot/v1\", \"images\": [], \"containers\": [], "
      "\"image_details\": {\"",
      id, "\": {\"history\": []}}}"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  // Keys are shortened to 64 characters in messages.
  EXPECT_EQ(Message(parsed.status()),
            absl::StrCat("field \"image_details\": field \"", id.substr(0, 63),
                         "…\": missing \"inspect\""));

  parsed = Parse(
      "{\"schema\": \"dgc.snapshot/v1\", \"images\": [], \"containers\": [], "
      "\"image_details\": {\"x\": {\"inspect\": {\"Id\": \"x\"}}}}");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Message(parsed.status()),
            "field \"image_details\": field \"x\": missing \"history\"");
}

TEST(ParseSnapshotTest, OtherSchemasAreRejected) {
  for (auto [schema, shown] :
       {std::pair<const char*, const char*>{"\"dgc.plan/v1\"", "dgc.plan/v1"},
        {"\"dgc.snapshot/v2\"", "dgc.snapshot/v2"},
        {"\"\"", ""}}) {
    absl::StatusOr<EngineBodies> parsed =
        Parse(absl::StrCat("{\"schema\": ", schema, ", ", kValidTail));
    ASSERT_FALSE(parsed.ok()) << schema;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Message(parsed.status()),
              absl::StrCat("\"schema\" is \"", shown,
                           "\", want \"dgc.snapshot/v1\""));
  }
}

TEST(ParseSnapshotTest, MissingSchemaIsRejected) {
  absl::StatusOr<EngineBodies> parsed = Parse(absl::StrCat("{", kValidTail));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(parsed.status()),
            "\"schema\" is \"\", want \"dgc.snapshot/v1\"");
}

TEST(ParseSnapshotTest, LongSchemaIsShortenedInTheMessage) {
  std::string schema(100, 's');
  absl::StatusOr<EngineBodies> parsed =
      Parse(absl::StrCat("{\"schema\": \"", schema, "\", ", kValidTail));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Message(parsed.status()),
            absl::StrCat("\"schema\" is \"", std::string(64, 's'),
                         "\", want \"dgc.snapshot/v1\""));
}

TEST(ParseSnapshotTest, SchemaThatIsNotAStringIsRejected) {
  absl::StatusOr<EngineBodies> parsed =
      Parse(absl::StrCat("{\"schema\": 1, ", kValidTail));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(parsed.status()),
            std::string("field \"schema\": schema: expected a string: ") +
                kWrongType);
}

TEST(ParseSnapshotTest, InvalidCapturedAtIsRejected) {
  absl::StatusOr<EngineBodies> parsed = Parse(absl::StrCat(
      "{\"schema\": \"dgc.snapshot/v1\", \"captured_at\": \"yesterday\", ",
      kValidTail));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(parsed.status()),
            "\"captured_at\": invalid time \"yesterday\": want RFC 3339, e.g. "
            "2026-11-25T22:40:00Z");
}

TEST(ParseSnapshotTest, BodiesOfTheWrongShapeNameTheMember) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::string head = "{\"schema\": \"dgc.snapshot/v1\", ";
  for (const Case& c : {
           Case{head + "\"images\": {}, \"containers\": [], "
                       "\"image_details\": {}}",
                std::string("field \"images\": expected an array: ") +
                    kWrongType},
           Case{head + "\"images\": [], \"containers\": \"none\", "
                       "\"image_details\": {}}",
                std::string("field \"containers\": expected an array: ") +
                    kWrongType},
           Case{head + "\"images\": [], \"containers\": [], "
                       "\"image_details\": []}",
                std::string("field \"image_details\": expected an object: ") +
                    kWrongType},
           Case{head + "\"images\": [], \"containers\": [{\"Id\": \"c\"}], "
                       "\"image_details\": {}}",
                "field \"containers\": element 0: missing required field "
                "\"ImageID\""},
           Case{head + "\"version\": {\"Version\": \"20.10\"}, " + kValidTail,
                "field \"version\": missing required field \"ApiVersion\""},
           Case{head + "\"system_df\": {\"LayersSize\": \"1 GB\"}, " +
                    kValidTail,
                std::string("field \"system_df\": field \"LayersSize\": "
                            "LayersSize: expected an integer: ") +
                    kWrongType},
           Case{head + "\"images\": [], \"containers\": [], "
                       "\"image_details\": {\"x\": {\"inspect\": {\"Id\": "
                       "\"x\"}, \"history\": [{\"Size\": -1}]}}}",
                "field \"image_details\": field \"x\": field \"history\": "
                "element 0: field \"Size\": negative size"},
       }) {
    absl::StatusOr<EngineBodies> parsed = Parse(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << c.text;
    EXPECT_EQ(Message(parsed.status()), c.message) << c.text;
  }
}

TEST(ParseSnapshotTest, GarbageIsInvalidArgument) {
  for (const char* text :
       {"", "not json", "[]", "{\"schema\": \"dgc.snapshot/v1\"",
        "{\"schema\": \"dgc.snapshot/v1\", \"images\": [], \"containers\": [], "
        "\"image_details\": {}} trailing",
        "\x89PNG\r\n\x1a\n"}) {
    absl::StatusOr<EngineBodies> parsed = Parse(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << text;
  }
}

TEST(ParseSnapshotTest, TrailingDataIsRejectedWithItsMessage) {
  absl::StatusOr<EngineBodies> parsed = Parse(
      absl::StrCat("{\"schema\": \"dgc.snapshot/v1\", ", kValidTail, "{}"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Message(parsed.status()), "unexpected data after the JSON value");
}

}  // namespace
}  // namespace dgc
