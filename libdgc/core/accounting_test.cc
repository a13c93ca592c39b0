// Tests of exact byte accounting (core/accounting.h): chains shared between
// images, the same diff on different parents, zero-size layers, sets that
// free only chains all of whose users are in the set, the drop in the real
// engine's LayersSize after deletes, and BytesFreedByRemoving against a
// brute-force recount on a few hundred random inventories.
#include "core/accounting.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/test_inventory.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;

// ---- small fixed inventories ----

TEST(BytesFreedByRemovingTest, SharedChainsAreFreedOnlyWithTheirLastUser) {
  TestEngine engine;
  engine.AddImage(
      {.tags = {"a:1"}, .layers = {{Id("base"), 100}, {Id("a"), 10}}});
  engine.AddImage(
      {.tags = {"b:1"}, .layers = {{Id("base"), 100}, {Id("b"), 20}}});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}), 10u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {1}), 20u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0, 1}), 130u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {1, 0}), 130u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {}), 0u);
}

TEST(BytesFreedByRemovingTest, SameDiffOnDifferentParentsIsNotShared) {
  TestEngine engine;
  engine.AddImage(
      {.tags = {"a:1"}, .layers = {{Id("base a"), 100}, {Id("app"), 7}}});
  engine.AddImage(
      {.tags = {"b:1"}, .layers = {{Id("base b"), 50}, {Id("app"), 7}}});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}), 107u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {1}), 57u);
}

TEST(BytesFreedByRemovingTest, SameDiffAsABaseAndOnTopIsNotShared) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"}, .layers = {{Id("x"), 5}}});
  engine.AddImage({.tags = {"b:1"}, .layers = {{Id("y"), 9}, {Id("x"), 5}}});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}), 5u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {1}), 14u);
}

TEST(BytesFreedByRemovingTest, ZeroSizeLayersFreeNothingButKeepChainsApart) {
  TestEngine engine;
  engine.AddImage(
      {.tags = {"a:1"},
       .layers = {{Id("base"), 100}, {Id("empty"), 0}, {Id("a"), 3}}});
  engine.AddImage(
      {.tags = {"b:1"}, .layers = {{Id("base"), 100}, {Id("a"), 3}}});
  Inventory inventory = engine.BuildOrDie();
  // a on top of the empty layer is another chain than a on base.
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}), 3u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {1}), 3u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0, 1}), 106u);
}

TEST(BytesFreedByRemovingTest, ASetFreesOnlyChainsAllOfWhoseUsersAreInIt) {
  TestEngine engine;
  engine.AddImage(
      {.tags = {"a:1"},
       .layers = {{Id("base"), 1000}, {Id("mid"), 100}, {Id("a"), 1}}});
  engine.AddImage(
      {.tags = {"b:1"},
       .layers = {{Id("base"), 1000}, {Id("mid"), 100}, {Id("b"), 2}}});
  engine.AddImage(
      {.tags = {"c:1"}, .layers = {{Id("base"), 1000}, {Id("c"), 4}}});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0, 1}), 103u);  // mid, a, b
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0, 2}), 5u);    // a, c
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0, 1, 2}), 1107u);
}

TEST(BytesFreedByRemovingTest, IdenticalImagesFreeNothingAlone) {
  TestEngine engine;
  engine.AddImage({.tags = {"a:1"}, .layers = {{Id("x"), 10}, {Id("y"), 20}}});
  engine.AddImage({.tags = {"a:2"}, .layers = {{Id("x"), 10}, {Id("y"), 20}}});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}), 0u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {1}), 0u);
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0, 1}), 30u);
}

TEST(BytesFreedByRemovingTest, ImageWithoutLayersFreesNothing) {
  TestEngine engine;
  engine.AddImage({.tags = {"scratch:1"}});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0}), 0u);
}

TEST(BytesFreedByRemovingTest, LargeSizesDoNotOverflow) {
  TestEngine engine;
  const int64_t big = int64_t{1} << 40;  // 1 TiB
  engine.AddImage(
      {.tags = {"a:1"}, .layers = {{Id("x"), big}, {Id("y"), big}}});
  engine.AddImage({.tags = {"b:1"}, .layers = {{Id("z"), big}}});
  Inventory inventory = engine.BuildOrDie();
  EXPECT_EQ(BytesFreedByRemoving(inventory, {0, 1}), uint64_t{3} << 40);
}

// ---- LayerRefCounts ----

TEST(LayerRefCountsTest, CountsUsersOfEveryChain) {
  TestEngine engine;
  engine.AddImage(
      {.tags = {"a:1"}, .layers = {{Id("base"), 100}, {Id("a"), 10}}});
  engine.AddImage(
      {.tags = {"b:1"}, .layers = {{Id("base"), 100}, {Id("b"), 20}}});
  engine.AddImage({.tags = {"c:1"}, .layers = {{Id("base"), 100}}});
  Inventory inventory = engine.BuildOrDie();
  LayerRefCounts refs(inventory);
  EXPECT_EQ(refs.users(inventory.images[0].layers[0]), 3u);
  EXPECT_EQ(refs.users(inventory.images[0].layers[1]), 1u);
  EXPECT_EQ(refs.users(inventory.images[1].layers[1]), 1u);
}

TEST(LayerRefCountsTest, CountsOnlyTheChosenImages) {
  TestEngine engine;
  engine.AddImage(
      {.tags = {"a:1"}, .layers = {{Id("base"), 100}, {Id("a"), 10}}});
  engine.AddImage(
      {.tags = {"b:1"}, .layers = {{Id("base"), 100}, {Id("b"), 20}}});
  Inventory inventory = engine.BuildOrDie();
  LayerRefCounts refs(
      inventory, [](const Image& image) { return image.tags[0] == "b:1"; });
  EXPECT_EQ(refs.users(inventory.images[0].layers[0]), 1u);
  EXPECT_EQ(refs.users(inventory.images[0].layers[1]), 0u);
  EXPECT_EQ(refs.users(inventory.images[1].layers[1]), 1u);
  // Removing the only counted user of base frees it, and b.
  EXPECT_EQ(refs.Remove(inventory.images[1]), 120u);
}

TEST(LayerRefCountsTest, RemoveReturnsWhatEachRemovalFreesInTurn) {
  TestEngine engine;
  engine.AddImage(
      {.tags = {"a:1"}, .layers = {{Id("base"), 100}, {Id("a"), 10}}});
  engine.AddImage(
      {.tags = {"b:1"}, .layers = {{Id("base"), 100}, {Id("b"), 20}}});
  Inventory inventory = engine.BuildOrDie();
  LayerRefCounts refs(inventory);
  EXPECT_EQ(refs.Remove(inventory.images[0]), 10u);
  EXPECT_EQ(refs.users(inventory.images[0].layers[0]), 1u);
  EXPECT_EQ(refs.Remove(inventory.images[1]), 120u);
  EXPECT_EQ(refs.users(inventory.images[0].layers[0]), 0u);
}

// ---- the real engine ----

TEST(BytesFreedByRemovingTest, EqualsTheDropInTheRecordedEnginesLayersSize) {
  // capture_api_1.41.sh deleted other:1, then the dangling image, and saved
  // /system/df after each: LayersSize 1993359 -> 1989059 -> 1988759.
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.41");
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  ImageIndex other = inventory->FindImage(
      "sha256:"
      "4434d072e463636d9b41ad8304059cfc67a548957c563893d4b553e77ec36f47");
  ImageIndex dangling = inventory->FindImage(
      "sha256:"
      "9ca9d53f214849d83129b1170a7ffb23e580d323c2620b85a221f31c12616a91");
  ASSERT_NE(other, kNoImage);
  ASSERT_NE(dangling, kNoImage);
  EXPECT_EQ(BytesFreedByRemoving(*inventory, {other}), 1993359u - 1989059u);
  EXPECT_EQ(BytesFreedByRemoving(*inventory, {other, dangling}),
            1993359u - 1988759u);
  LayerRefCounts refs(*inventory);
  EXPECT_EQ(refs.Remove(inventory->images[other]), 4300u);
  EXPECT_EQ(refs.Remove(inventory->images[dangling]), 300u);
}

// ---- random inventories against a brute-force recount ----

struct RandomInventory {
  Inventory inventory;
  // Per image, its layers as diff names bottom first.
  std::vector<std::vector<std::string>> diffs;
  // Size of each chain, keyed by the diff names of the chain joined by '/'.
  std::map<std::string, int64_t> chain_sizes;
};

RandomInventory MakeRandomInventory(std::mt19937& rng) {
  RandomInventory random;
  std::uniform_int_distribution<int> image_count(1, 10);
  std::uniform_int_distribution<int> depth(0, 4);
  std::uniform_int_distribution<int> diff(0, 4);  // few diffs: much sharing
  std::uniform_int_distribution<int> size(0, 1000);
  std::bernoulli_distribution zero(0.2);
  TestEngine engine;
  int images = image_count(rng);
  for (int i = 0; i < images; ++i) {
    test_support::TestImage image;
    image.id = Id("random image " + std::to_string(i));
    image.tags = {"r" + std::to_string(i) + ":1"};
    std::vector<std::string> names;
    std::string chain;
    for (int d = depth(rng); d > 0; --d) {
      std::string name = "d" + std::to_string(diff(rng));
      chain += "/" + name;
      auto [it, added] = random.chain_sizes.try_emplace(chain, 0);
      if (added) it->second = zero(rng) ? 0 : size(rng);
      image.layers.emplace_back(Id(name), it->second);
      names.push_back(name);
    }
    random.diffs.push_back(names);
    engine.AddImage(std::move(image));
  }
  random.inventory = engine.BuildOrDie();
  return random;
}

// The bytes freed by deleting `removed`, counted from the diff names alone.
uint64_t BruteForceFreed(const RandomInventory& random,
                         const std::set<ImageIndex>& removed) {
  std::map<std::string, std::set<ImageIndex>> users;
  for (ImageIndex i = 0; i < random.diffs.size(); ++i) {
    std::string chain;
    for (const std::string& name : random.diffs[i]) {
      chain += "/" + name;
      users[chain].insert(i);
    }
  }
  uint64_t freed = 0;
  for (const auto& [chain, images] : users) {
    if (std::includes(removed.begin(), removed.end(), images.begin(),
                      images.end())) {
      freed += static_cast<uint64_t>(random.chain_sizes.at(chain));
    }
  }
  return freed;
}

TEST(BytesFreedByRemovingTest, EqualsABruteForceRecountOnRandomInventories) {
  std::mt19937 rng(20261125);
  std::bernoulli_distribution pick(0.5);
  for (int round = 0; round < 400; ++round) {
    RandomInventory random = MakeRandomInventory(rng);
    const Inventory& inventory = random.inventory;
    ASSERT_TRUE(inventory.warnings.empty()) << inventory.warnings[0];

    std::set<ImageIndex> removed_set;
    std::vector<ImageIndex> removed;
    for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
      if (pick(rng)) {
        removed_set.insert(i);
        removed.push_back(i);
      }
    }
    std::shuffle(removed.begin(), removed.end(), rng);
    uint64_t want = BruteForceFreed(random, removed_set);
    EXPECT_EQ(BytesFreedByRemoving(inventory, removed), want)
        << "round " << round;

    // Removing one by one adds up to the same.
    LayerRefCounts refs(inventory);
    uint64_t total = 0;
    for (ImageIndex i : removed) total += refs.Remove(inventory.images[i]);
    EXPECT_EQ(total, want) << "round " << round;

    // Removing everything frees every distinct chain.
    std::set<ImageIndex> all;
    std::vector<ImageIndex> all_list;
    for (ImageIndex i = 0; i < inventory.images.size(); ++i) {
      all.insert(i);
      all_list.push_back(i);
    }
    uint64_t every_chain = 0;
    for (const auto& [chain, size] : random.chain_sizes) {
      every_chain += static_cast<uint64_t>(size);
    }
    EXPECT_EQ(BytesFreedByRemoving(inventory, all_list), every_chain)
        << "round " << round;
    EXPECT_EQ(BruteForceFreed(random, all), every_chain);
    EXPECT_EQ(inventory.layers.size(), random.chain_sizes.size());
  }
}

}  // namespace
}  // namespace dgc
