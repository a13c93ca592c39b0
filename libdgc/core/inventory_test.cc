// Tests of BuildInventory, CheckExactAccounting, RepositoryOf, NewerFirst
// and Inventory::FindImage (core/inventory.h): on the bodies recorded from a
// real engine (api-1.41), on the API 1.52 bodies, and on engines described with
// TestEngine: parents, children and intermediates, containers in every state,
// rejected inputs with their exact messages, and warnings for sizes that
// cannot be derived exactly.
#include "core/inventory.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/string_views.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

std::string Message(const absl::Status& status) {
  return std::string(ToStd(status.message()));
}

absl::Time Utc(int year, int month, int day, int hour, int minute, int second) {
  return absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second),
      absl::UTCTimeZone());
}

// The tags of `indexes`' images, for readable expectations.
std::vector<std::string> IdsOf(const Inventory& inventory,
                               const std::vector<ImageIndex>& indexes) {
  std::vector<std::string> ids;
  for (ImageIndex i : indexes) ids.push_back(inventory.images[i].id);
  return ids;
}

// ---- recorded API 1.41 engine ----

constexpr char kApp[] =
    "sha256:7d4ed35a1303c48324f7069638d7d246c3f2716c5d79d8597280fe449d60be2f";
constexpr char kTool[] =
    "sha256:08f31ef4c09aa48b3fead2c486775429534701f268932a52eccf29fcaf00e90c";
constexpr char kDangling[] =
    "sha256:9ca9d53f214849d83129b1170a7ffb23e580d323c2620b85a221f31c12616a91";
constexpr char kOther[] =
    "sha256:4434d072e463636d9b41ad8304059cfc67a548957c563893d4b553e77ec36f47";
constexpr char kBuilt[] =
    "sha256:df058ecdd860c43e036ea0d8e09395478ad7f8082073fef717b77df3e0e5136b";
constexpr char kBuiltParent[] =
    "sha256:f64fe5484a0ec715c6c79209f2df1d6d87d23653c94022011bbaf442fcadf363";
constexpr char kBuiltGrandparent[] =
    "sha256:8b8eaa4d6e870c537e61e99d74385c540946de7f38f1e0ba3d8dcbd6ed38495d";

class RecordedInventoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<EngineBodies> bodies =
        test_support::RecordedBodies("api-1.41");
    ASSERT_TRUE(bodies.ok()) << bodies.status();
    absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
    ASSERT_TRUE(inventory.ok()) << inventory.status();
    inventory_ = *std::move(inventory);
  }

  const Image& image(std::string_view id) {
    ImageIndex index = inventory_.FindImage(id);
    EXPECT_NE(index, kNoImage) << id;
    return inventory_.images.at(index);
  }

  Inventory inventory_;
};

TEST_F(RecordedInventoryTest, EngineInfo) {
  EXPECT_EQ(inventory_.engine.host, "unix:///var/run/docker.sock");
  EXPECT_EQ(inventory_.engine.api_version, "1.41");
  EXPECT_EQ(inventory_.engine.server_version, "20.10.24+dfsg1");
  EXPECT_EQ(inventory_.engine.storage_driver, "vfs");
  EXPECT_FALSE(inventory_.engine.containerd_store);
  EXPECT_EQ(inventory_.engine_layers_size, 1993359);
  EXPECT_EQ(inventory_.captured_at, test_support::DefaultCapturedAt());
  EXPECT_TRUE(inventory_.ContentKnown());  // a graph driver has no blobs
}

TEST_F(RecordedInventoryTest, ImagesInTheEnginesOrderAndFoundById) {
  ASSERT_EQ(inventory_.images.size(), 7u);
  EXPECT_EQ(inventory_.images[0].id, kBuilt);
  EXPECT_EQ(inventory_.images[6].id, kDangling);
  for (ImageIndex i = 0; i < inventory_.images.size(); ++i) {
    EXPECT_EQ(inventory_.FindImage(inventory_.images[i].id), i);
  }
  EXPECT_EQ(inventory_.FindImage(Id("not there")), kNoImage);
  EXPECT_EQ(inventory_.FindImage(""), kNoImage);
}

TEST_F(RecordedInventoryTest, ClassicBuildParentsChildrenAndIntermediates) {
  const Image& built = image(kBuilt);
  const Image& parent = image(kBuiltParent);
  const Image& grandparent = image(kBuiltGrandparent);
  const Image& tool = image(kTool);
  EXPECT_EQ(inventory_.images[built.parent].id, kBuiltParent);
  EXPECT_EQ(inventory_.images[parent.parent].id, kBuiltGrandparent);
  EXPECT_EQ(inventory_.images[grandparent.parent].id, kTool);
  EXPECT_EQ(tool.parent, kNoImage);
  EXPECT_THAT(IdsOf(inventory_, tool.children), ElementsAre(kBuiltGrandparent));
  EXPECT_THAT(IdsOf(inventory_, grandparent.children),
              ElementsAre(kBuiltParent));
  EXPECT_THAT(IdsOf(inventory_, parent.children), ElementsAre(kBuilt));
  EXPECT_THAT(built.children, IsEmpty());

  EXPECT_TRUE(parent.intermediate);
  EXPECT_TRUE(grandparent.intermediate);
  EXPECT_FALSE(parent.dangling());
  EXPECT_FALSE(tool.intermediate);  // tagged, with a child
  EXPECT_FALSE(built.intermediate);
}

TEST_F(RecordedInventoryTest, DanglingImageHasNoTagsAndIsNotIntermediate) {
  const Image& dangling = image(kDangling);
  EXPECT_THAT(dangling.tags, IsEmpty());
  EXPECT_THAT(dangling.digests, IsEmpty());
  EXPECT_FALSE(dangling.intermediate);
  EXPECT_TRUE(dangling.dangling());
  EXPECT_FALSE(image(kApp).dangling());
}

TEST_F(RecordedInventoryTest, ContainersInEveryRecordedStateAreLinked) {
  ASSERT_EQ(inventory_.containers.size(), 4u);
  std::vector<std::string> app_containers;
  for (ContainerIndex c : image(kApp).containers) {
    app_containers.push_back(inventory_.containers[c].name + " " +
                             inventory_.containers[c].state);
  }
  EXPECT_THAT(app_containers, ElementsAre("cron-1 paused", "api-1 created"));
  ASSERT_EQ(image(kBuilt).containers.size(), 1u);
  EXPECT_EQ(inventory_.containers[image(kBuilt).containers[0]].state,
            "running");
  ASSERT_EQ(image(kTool).containers.size(), 1u);
  EXPECT_EQ(inventory_.containers[image(kTool).containers[0]].state, "exited");
  EXPECT_TRUE(image(kApp).in_use());
  EXPECT_FALSE(image(kOther).in_use());
  EXPECT_FALSE(image(kDangling).in_use());
  for (const Container& container : inventory_.containers) {
    ASSERT_NE(container.image_index, kNoImage) << container.name;
    EXPECT_EQ(inventory_.images[container.image_index].id, container.image_id);
  }
}

TEST_F(RecordedInventoryTest, TimesTagsAndLabels) {
  const Image& app = image(kApp);
  EXPECT_THAT(app.tags,
              ElementsAre("app:1", "app:latest", "localhost:5000/team/app:1"));
  EXPECT_EQ(app.created, Utc(2025, 1, 2, 3, 4, 5));
  EXPECT_EQ(app.last_tagged, app.created);  // LastTagTime: never
  EXPECT_EQ(app.size, 1986256);
  EXPECT_THAT(app.labels, ElementsAre(Pair("gc.keep", "false"),
                                      Pair("org.example.team", "core")));
  const Image& built = image(kBuilt);
  EXPECT_EQ(built.created,
            Utc(2026, 11, 25, 23, 15, 5) + absl::Nanoseconds(110372604));
  EXPECT_EQ(built.last_tagged,
            Utc(2026, 11, 25, 23, 15, 6) + absl::Nanoseconds(12792859));
}

TEST_F(RecordedInventoryTest, LayerSizesAreExactWithoutWarnings) {
  EXPECT_THAT(inventory_.warnings, IsEmpty());
  for (const Image& img : inventory_.images) {
    EXPECT_TRUE(img.layer_sizes_exact) << img.id;
    uint64_t total = 0;
    for (LayerId layer : img.layers) {
      EXPECT_TRUE(inventory_.layers.layer(layer).size_exact) << img.id;
      total += inventory_.layers.layer(layer).size;
    }
    EXPECT_EQ(total, static_cast<uint64_t>(img.size)) << img.id;
  }
}

TEST_F(RecordedInventoryTest, SharedChainsAndTheSameDiffOnAnotherParent) {
  EXPECT_EQ(inventory_.layers.size(), 8u);
  const Image& app = image(kApp);
  const Image& tool = image(kTool);
  const Image& other = image(kOther);
  const Image& built = image(kBuilt);
  ASSERT_EQ(app.layers.size(), 2u);
  ASSERT_EQ(other.layers.size(), 2u);
  EXPECT_EQ(app.layers[0], tool.layers[0]);  // busybox, shared
  // app's data diff sits on busybox in app and on a config layer in other.
  EXPECT_EQ(inventory_.layers.diff_id(app.layers[1]),
            inventory_.layers.diff_id(other.layers[1]));
  EXPECT_NE(app.layers[1], other.layers[1]);
  // The classic build reuses tool's chains.
  ASSERT_EQ(built.layers.size(), 3u);
  EXPECT_EQ(built.layers[0], tool.layers[0]);
  EXPECT_EQ(built.layers[1], tool.layers[1]);
  EXPECT_EQ(inventory_.layers.layer(built.layers[2]).size, 3u);
  EXPECT_EQ(image(kBuiltGrandparent).layers, tool.layers);
}

// ---- API 1.52 bodies ----

TEST(Api152InventoryTest, ContainerdStoreImagesWaitForTheirContentBlobs) {
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.52");
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_EQ(inventory->engine.api_version, "1.52");
  EXPECT_EQ(inventory->engine.server_version, "29.0.0");
  EXPECT_EQ(inventory->engine.storage_driver, "overlayfs");
  EXPECT_TRUE(inventory->engine.containerd_store);
  EXPECT_EQ(inventory->engine_layers_size, 7000);
  // Until the content store is read, the blobs are unknown: bounds only.
  EXPECT_FALSE(inventory->ContentKnown());
  for (const Image& image : inventory->images) {
    EXPECT_FALSE(image.blobs_known);
    EXPECT_THAT(image.blobs, IsEmpty());
    // The engine makes RepoDigests up from the image's own ID.
    EXPECT_THAT(image.digests, IsEmpty());
  }
}

TEST(Api152InventoryTest, GraphDriverEngineLinksEverything) {
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.52");
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  bodies->info->driver = "overlay2";
  bodies->info->containerd_snapshotter = false;
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_TRUE(inventory->ContentKnown());
  ASSERT_EQ(inventory->images.size(), 2u);
  const Image& web = inventory->images[0];
  const Image& old = inventory->images[1];
  EXPECT_THAT(web.tags,
              ElementsAre("web:2.0", "registry.example.com:5000/team/web:2.0"));
  EXPECT_EQ(web.created, Utc(2025, 11, 20, 10, 0, 0) + absl::Milliseconds(500));
  EXPECT_EQ(web.last_tagged,
            Utc(2025, 11, 21, 7, 0, 0) + absl::Milliseconds(250));
  ASSERT_EQ(web.containers.size(), 1u);
  EXPECT_EQ(inventory->containers[web.containers[0]].name, "web-1");
  EXPECT_TRUE(old.dangling());
  EXPECT_EQ(old.last_tagged, old.created);
  EXPECT_EQ(web.layers[0], old.layers[0]);
  EXPECT_THAT(inventory->warnings, IsEmpty());
}

// ---- TestEngine: parents, children, intermediates ----

TEST(BuildInventoryTest, ParentsChildrenAndTheIntermediateFlag) {
  TestEngine engine;
  std::string base =
      engine.AddImage({.tags = {"base:1"}, .layers = {{Id("d base"), 100}}});
  std::string step = engine.AddChild(base, {.layers = {{Id("d step"), 10}}});
  std::string app =
      engine.AddChild(step, {.tags = {"app:1"}, .layers = {{Id("d app"), 5}}});
  std::string leaf = engine.AddChild(base, {.layers = {{Id("d leaf"), 1}}});
  Inventory inventory = engine.BuildOrDie();

  const Image& base_image = inventory.images[inventory.FindImage(base)];
  const Image& step_image = inventory.images[inventory.FindImage(step)];
  const Image& app_image = inventory.images[inventory.FindImage(app)];
  const Image& leaf_image = inventory.images[inventory.FindImage(leaf)];
  EXPECT_THAT(IdsOf(inventory, base_image.children), ElementsAre(step, leaf));
  EXPECT_THAT(IdsOf(inventory, step_image.children), ElementsAre(app));
  EXPECT_EQ(inventory.images[app_image.parent].id, step);
  EXPECT_EQ(inventory.images[step_image.parent].id, base);

  // Untagged with a child: intermediate, not dangling.
  EXPECT_TRUE(step_image.intermediate);
  EXPECT_FALSE(step_image.dangling());
  // Untagged without children: dangling.
  EXPECT_FALSE(leaf_image.intermediate);
  EXPECT_TRUE(leaf_image.dangling());
  // Tagged: neither.
  EXPECT_FALSE(base_image.intermediate);
  EXPECT_FALSE(base_image.dangling());
  // The child's chains extend the parent's.
  EXPECT_EQ(app_image.layers[0], base_image.layers[0]);
  EXPECT_EQ(app_image.layers[1], step_image.layers[1]);
}

TEST(BuildInventoryTest, UntaggedParentWithADigestIsNotIntermediate) {
  TestEngine engine;
  std::string base = engine.AddImage(
      {.digests = {"registry.example.com/base@" + Id("manifest")},
       .layers = {{Id("d base"), 100}}});
  engine.AddChild(base, {.tags = {"app:1"}, .layers = {{Id("d app"), 5}}});
  Inventory inventory = engine.BuildOrDie();
  const Image& base_image = inventory.images[inventory.FindImage(base)];
  EXPECT_FALSE(base_image.intermediate);
  EXPECT_TRUE(base_image.dangling());  // no tag
}

TEST(BuildInventoryTest, ParentNotListedIsIgnored) {
  TestEngine engine;
  std::string child = engine.AddImage(
      {.tags = {"app:1"}, .layers = {{Id("d"), 1}}, .parent = Id("gone")});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(inventory.images[inventory.FindImage(child)].parent, kNoImage);
}

TEST(BuildInventoryTest, ParentLoopIsRejected) {
  // A real engine cannot produce one; a hand-made snapshot can.
  TestEngine engine;
  engine.AddImage({.id = Id("a"), .layers = {{Id("d"), 1}}, .parent = Id("b")});
  engine.AddImage({.id = Id("b"), .layers = {{Id("d"), 1}}, .parent = Id("a")});
  absl::StatusOr<Inventory> inventory = engine.Build();
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(inventory.status()),
            "image " + Id("a") + ": its chain of parents loops");
}

// ---- containers ----

TEST(BuildInventoryTest, ContainersInEveryStateAreLinked) {
  TestEngine engine;
  std::string app =
      engine.AddImage({.tags = {"app:1"}, .layers = {{Id("d"), 10}}});
  const std::vector<std::string> states = {"created",    "running", "paused",
                                           "restarting", "exited",  "dead"};
  for (const std::string& state : states) {
    engine.AddContainer(
        {.name = "c-" + state, .image_id = app, .state = state});
  }
  Inventory inventory = engine.BuildOrDie();
  const Image& image = inventory.images[0];
  ASSERT_EQ(image.containers.size(), states.size());
  for (size_t i = 0; i < states.size(); ++i) {
    const Container& container = inventory.containers[image.containers[i]];
    EXPECT_EQ(container.state, states[i]);
    EXPECT_EQ(container.name, "c-" + states[i]);
    EXPECT_EQ(container.image_index, 0u);
    EXPECT_EQ(container.id, test_support::Hex("container c-" + states[i]));
  }
  EXPECT_TRUE(image.in_use());
}

TEST(BuildInventoryTest, ContainerOfAGoneImageIsKeptUnlinked) {
  TestEngine engine;
  engine.AddImage({.tags = {"app:1"}, .layers = {{Id("d"), 10}}});
  engine.AddContainer({.name = "orphan",
                       .image_id = Id("gone"),
                       .state = "exited",
                       .image = "old:1"});
  Inventory inventory = engine.BuildOrDie();
  ASSERT_EQ(inventory.containers.size(), 1u);
  EXPECT_EQ(inventory.containers[0].image_index, kNoImage);
  EXPECT_EQ(inventory.containers[0].image, "old:1");
  EXPECT_FALSE(inventory.images[0].in_use());
}

// ---- rejected inputs ----

TEST(BuildInventoryTest, DuplicateImageIdIsRejected) {
  TestEngine engine;
  std::string app =
      engine.AddImage({.tags = {"app:1"}, .layers = {{Id("d"), 10}}});
  EngineBodies bodies = engine.Bodies();
  bodies.images.push_back(bodies.images[0]);
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(inventory.status()), "image " + app + " is listed twice");
}

TEST(BuildInventoryTest, ImageWithoutDetailsIsRejected) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"}, .layers = {{Id("d"), 1}}});
  std::string missing = engine.AddImage({.tags = {"b:1"}, .layers = {}});
  EngineBodies bodies = engine.Bodies();
  bodies.details.erase(missing);
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(inventory.status()),
            "image " + missing + ": no inspect and history bodies for it");
}

TEST(BuildInventoryTest, InspectBodyOfAnotherImageIsRejected) {
  TestEngine engine;
  std::string app = engine.AddImage({.tags = {"a:1"}, .layers = {}});
  EngineBodies bodies = engine.Bodies();
  bodies.details[app].inspect.id = Id("someone else");
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(inventory.status()),
            "image " + app + ": its inspect body is for " + Id("someone else"));
}

TEST(BuildInventoryTest, DetailsOfUnlistedImagesAreIgnored) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"}, .layers = {{Id("d"), 1}}});
  EngineBodies bodies = engine.Bodies();
  bodies.details[Id("unlisted")].inspect.id = Id("unlisted");
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_EQ(inventory->images.size(), 1u);
}

TEST(BuildInventoryTest, EmptyEngine) {
  TestEngine engine;
  Inventory inventory = engine.BuildOrDie();
  EXPECT_THAT(inventory.images, IsEmpty());
  EXPECT_THAT(inventory.containers, IsEmpty());
  EXPECT_EQ(inventory.layers.size(), 0u);
  EXPECT_FALSE(inventory.engine_layers_size.has_value());
}

// ---- sizes and warnings ----

TEST(BuildInventoryTest, SizeThatDoesNotAddUpWarnsAndMarksTheImage) {
  TestEngine engine;
  std::string app =
      engine.AddImage({.tags = {"a:1"},
                       .layers = {{Id("d1"), 100}, {Id("d2"), 50}},
                       .size = 200});
  std::string ok =
      engine.AddImage({.tags = {"b:1"}, .layers = {{Id("d3"), 7}}});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_FALSE(inventory.images[0].layer_sizes_exact);
  EXPECT_TRUE(inventory.images[1].layer_sizes_exact);
  EXPECT_THAT(inventory.warnings,
              ElementsAre("image " + app +
                          ": layer sizes from history add up to 150 bytes, "
                          "but the image is 200 bytes"));
  const Layer& layer = inventory.layers.layer(inventory.images[0].layers[1]);
  EXPECT_EQ(layer.size, 50u);
  EXPECT_FALSE(layer.size_exact);
  EXPECT_EQ(inventory.images[0].size, 200);
  (void)ok;
}

TEST(BuildInventoryTest, AmbiguousZeroLayerWarns) {
  // Two layers, one step with bytes: which layer is empty is a guess.
  TestEngine engine;
  std::string app = engine.AddImage(
      {.tags = {"a:1"},
       .layers = {{Id("d1"), 0}, {Id("d2"), 100}},
       .history = std::vector<HistoryEntry>{test_support::Step(0, "LABEL a=b"),
                                            test_support::Step(100, "RUN b")}});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_FALSE(inventory.images[0].layer_sizes_exact);
  EXPECT_THAT(inventory.warnings,
              ElementsAre("image " + app +
                          ": the history does not show which of its layers "
                          "are empty; sizes of layers shared with other "
                          "images may be misattributed"));
  for (LayerId layer : inventory.images[0].layers) {
    EXPECT_FALSE(inventory.layers.layer(layer).size_exact);
  }
}

TEST(BuildInventoryTest, HistoriesThatDisagreeOnASharedChainWarn) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"}, .layers = {{Id("d1"), 100}}});
  std::string b = engine.AddImage(
      {.tags = {"b:1"}, .layers = {{Id("d1"), 90}, {Id("d2"), 1}}});
  Inventory inventory = engine.BuildOrDie();
  LayerId shared = inventory.images[0].layers[0];
  EXPECT_EQ(inventory.images[1].layers[0], shared);
  EXPECT_EQ(inventory.layers.layer(shared).size, 100u);  // the first word
  EXPECT_TRUE(inventory.images[0].layer_sizes_exact);
  EXPECT_FALSE(inventory.images[1].layer_sizes_exact);
  EXPECT_THAT(inventory.warnings,
              ElementsAre("image " + b + ": layer " + Id("d1") +
                          " is 90 bytes by its history, 100 by another "
                          "image's"));
}

TEST(BuildInventoryTest, AnExactHistoryReplacesAGuess) {
  TestEngine engine;
  // First image: size does not add up, so its per-layer sizes are a guess.
  engine.AddImage({.tags = {"a:1"}, .layers = {{Id("d1"), 70}}, .size = 80});
  engine.AddImage({.tags = {"b:1"}, .layers = {{Id("d1"), 60}}});
  Inventory inventory = engine.BuildOrDie();
  const Layer& layer = inventory.layers.layer(inventory.images[0].layers[0]);
  EXPECT_EQ(layer.size, 60u);
  EXPECT_TRUE(layer.size_exact);
  EXPECT_TRUE(inventory.images[1].layer_sizes_exact);
  EXPECT_EQ(inventory.warnings.size(), 1u);
}

TEST(BuildInventoryTest, BodiesWarningsAreKept) {
  TestEngine engine;
  EngineBodies bodies = engine.Bodies();
  bodies.warnings.push_back("GET /system/df timed out");
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_THAT(inventory->warnings, ElementsAre("GET /system/df timed out"));
}

// ---- times and labels ----

TEST(BuildInventoryTest, LastTaggedIsTheLaterOfCreatedAndLastTagTime) {
  absl::Time created = Utc(2026, 1, 1, 0, 0, 0);
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"},
                   .created = created,
                   .last_tag_time = created + absl::Hours(5)});
  engine.AddImage({.tags = {"b:1"},
                   .created = created,
                   .last_tag_time = created - absl::Hours(5)});
  engine.AddImage({.tags = {"c:1"}, .created = created});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(inventory.images[0].last_tagged, created + absl::Hours(5));
  EXPECT_EQ(inventory.images[1].last_tagged, created);
  EXPECT_EQ(inventory.images[2].last_tagged, created);
  EXPECT_EQ(inventory.images[2].created, created);
}

TEST(BuildInventoryTest, CreatedFallsBackToTheListsSeconds) {
  TestEngine engine;
  std::string app =
      engine.AddImage({.tags = {"a:1"}, .created = Utc(2025, 5, 6, 7, 8, 9)});
  EngineBodies bodies = engine.Bodies();
  bodies.details[app].inspect.created = absl::InfinitePast();
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_EQ(inventory->images[0].created, Utc(2025, 5, 6, 7, 8, 9));
}

TEST(BuildInventoryTest, LabelsComeFromTheListOrElseTheInspectBody) {
  TestEngine engine;
  std::string a = engine.AddImage({.tags = {"a:1"}, .labels = {{"k", "list"}}});
  std::string b = engine.AddImage({.tags = {"b:1"}});
  EngineBodies bodies = engine.Bodies();
  bodies.details[a].inspect.labels = {{"k", "inspect"}};
  bodies.details[b].inspect.labels = {{"only", "inspect"}};
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_THAT(inventory->images[0].labels, ElementsAre(Pair("k", "list")));
  EXPECT_THAT(inventory->images[1].labels,
              ElementsAre(Pair("only", "inspect")));
}

// ---- engine info and CheckExactAccounting ----

TEST(BuildInventoryTest, EngineInfoComesFromTheBodies) {
  TestEngine engine;
  engine.set_host("tcp://build-host:2376");
  engine.set_api_version("1.43");
  engine.set_storage_driver("btrfs");
  engine.set_engine_layers_size(12345);
  engine.set_captured_at(Utc(2026, 2, 3, 4, 5, 6));
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(inventory.engine.host, "tcp://build-host:2376");
  EXPECT_EQ(inventory.engine.api_version, "1.43");
  EXPECT_EQ(inventory.engine.storage_driver, "btrfs");
  EXPECT_EQ(inventory.engine_layers_size, 12345);
  EXPECT_EQ(inventory.captured_at, Utc(2026, 2, 3, 4, 5, 6));
}

TEST(BuildInventoryTest, WithoutInfoTheStoreIsNotContainerd) {
  TestEngine engine;
  EngineBodies bodies = engine.Bodies();
  bodies.info.reset();
  absl::StatusOr<Inventory> inventory = BuildInventory(std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  EXPECT_EQ(inventory->engine.storage_driver, "");
  EXPECT_FALSE(inventory->engine.containerd_store);
}

// ---- the TestEngine helper itself ----

TEST(TestEngineTest, IdsAreSha256DigestsOfTheName) {
  EXPECT_EQ(Id("a"),
            "sha256:"
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
  EXPECT_EQ(test_support::Hex("a"),
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
}

TEST(TestEngineTest, HistoryIsNewestFirstWithMetadataStepsOnTop) {
  test_support::TestImage image{
      .layers = {{Id("a"), 5}, {Id("b"), 0, "COPY b /b"}},
      .metadata_steps = {"CMD [\"x\"]", "ENV a=b"}};
  std::vector<HistoryEntry> history = test_support::HistoryFor(image);
  ASSERT_EQ(history.size(), 4u);
  // CMD and ENV create no layer; COPY and the default RUN step do.
  EXPECT_TRUE(history[0].metadata_step);
  EXPECT_EQ(history[0].size, 0);
  EXPECT_TRUE(history[1].metadata_step);
  EXPECT_FALSE(history[2].metadata_step);
  EXPECT_EQ(history[2].size, 0);
  EXPECT_FALSE(history[3].metadata_step);
  EXPECT_EQ(history[3].size, 5);
}

TEST(TestEngineTest, BodiesCarryEveryField) {
  TestEngine engine;
  absl::Time created = Utc(2026, 3, 4, 5, 6, 7);
  std::string parent = engine.AddImage({.layers = {{Id("p"), 1}}});
  std::string id =
      engine.AddChild(parent, {.tags = {"app:1"},
                               .digests = {"app@" + Id("m")},
                               .layers = {{Id("a"), 100}},
                               .created = created,
                               .last_tag_time = created + absl::Minutes(1),
                               .labels = {{"k", "v"}},
                               .metadata_steps = {"ENV a=b"}});
  std::string container = engine.AddContainer({.name = "c", .image_id = id});
  EXPECT_EQ(parent, Id("image 0"));
  EXPECT_EQ(id, Id("image 1"));
  EXPECT_EQ(container, test_support::Hex("container c"));
  EngineBodies bodies = engine.Bodies();
  ASSERT_EQ(bodies.images.size(), 2u);
  const ImageSummary& summary = bodies.images[1];
  EXPECT_EQ(summary.id, id);
  EXPECT_EQ(summary.parent_id, parent);
  EXPECT_THAT(summary.repo_tags, ElementsAre("app:1"));
  EXPECT_THAT(summary.repo_digests, ElementsAre("app@" + Id("m")));
  EXPECT_EQ(summary.created, absl::ToUnixSeconds(created));
  EXPECT_EQ(summary.size, 101);
  EXPECT_THAT(summary.labels, ElementsAre(Pair("k", "v")));
  const ImageDetails& details = bodies.details.at(id);
  EXPECT_EQ(details.inspect.id, id);
  EXPECT_EQ(details.inspect.parent, parent);
  EXPECT_EQ(details.inspect.created, created);
  EXPECT_EQ(details.inspect.last_tag_time, created + absl::Minutes(1));
  EXPECT_THAT(details.inspect.diff_ids, ElementsAre(Id("p"), Id("a")));
  EXPECT_EQ(details.inspect.size, 101);
  EXPECT_EQ(details.history.size(), 3u);
  EXPECT_EQ(bodies.details.at(parent).inspect.last_tag_time,
            absl::InfinitePast());
  ASSERT_EQ(bodies.containers.size(), 1u);
  EXPECT_EQ(bodies.containers[0].image, id);
  EXPECT_EQ(bodies.containers[0].state, "running");
  EXPECT_FALSE(bodies.system_df.has_value());
  EXPECT_EQ(bodies.version.api_version, "1.41");
  ASSERT_TRUE(bodies.info.has_value());
  EXPECT_EQ(bodies.info->driver, "overlay2");
}

// ---- RepositoryOf ----

TEST(RepositoryOfTest, Tags) {
  EXPECT_EQ(RepositoryOf("app:1"), "app");
  EXPECT_EQ(RepositoryOf("library/nginx:1.25-alpine"), "library/nginx");
  EXPECT_EQ(RepositoryOf("ghcr.io/org/team/app:v2.0.1"),
            "ghcr.io/org/team/app");
}

TEST(RepositoryOfTest, RegistryWithPort) {
  EXPECT_EQ(RepositoryOf("localhost:5000/app:1"), "localhost:5000/app");
  EXPECT_EQ(RepositoryOf("registry.example.com:5000/team/web:2.0"),
            "registry.example.com:5000/team/web");
  // No tag: the port's colon is not a tag separator.
  EXPECT_EQ(RepositoryOf("localhost:5000/app"), "localhost:5000/app");
}

TEST(RepositoryOfTest, Digests) {
  EXPECT_EQ(RepositoryOf("app@sha256:" + std::string(64, 'a')), "app");
  EXPECT_EQ(
      RepositoryOf("localhost:5000/team/app@sha256:" + std::string(64, 'b')),
      "localhost:5000/team/app");
}

TEST(RepositoryOfTest, NoTag) {
  EXPECT_EQ(RepositoryOf("app"), "app");
  EXPECT_EQ(RepositoryOf(""), "");
}

// ---- NewerFirst ----

Image ImageAt(std::string id, int64_t unix_seconds) {
  Image image;
  image.id = std::move(id);
  image.created = absl::FromUnixSeconds(unix_seconds);
  return image;
}

TEST(NewerFirstTest, LaterCreatedComesFirstWhateverTheIds) {
  Image older = ImageAt("sha256:" + std::string(64, '1'), 1000);
  Image newer = ImageAt("sha256:" + std::string(64, '9'), 2000);
  EXPECT_TRUE(NewerFirst(newer, older));
  EXPECT_FALSE(NewerFirst(older, newer));
}

TEST(NewerFirstTest, OnATieTheSmallerIdCountsAsNewer) {
  Image small = ImageAt("sha256:" + std::string(64, 'a'), 1000);
  Image large = ImageAt("sha256:" + std::string(64, 'b'), 1000);
  EXPECT_TRUE(NewerFirst(small, large));
  EXPECT_FALSE(NewerFirst(large, small));
  // A strict weak order: an image is not before itself.
  EXPECT_FALSE(NewerFirst(small, small));
}

}  // namespace
}  // namespace dgc
