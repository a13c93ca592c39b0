// Tests of the model of the engine's removals (core/removal_model.h): the
// bytes each deletion frees given the ones before it, and the untagged
// parents the engine prunes with their last child — but not a parent with a
// tag, a digest, another child or a container.
#include "core/removal_model.h"

#include <string>
#include <vector>

#include "core/accounting.h"
#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using test_support::Id;
using test_support::TestEngine;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RemovalModelTest, DeletingALeafFreesItsUnsharedChains) {
  TestEngine engine;
  engine.AddImage(
      {.tags = {"a:1"}, .layers = {{Id("base"), 1000}, {Id("a"), 10}}});
  engine.AddImage(
      {.tags = {"b:1"}, .layers = {{Id("base"), 1000}, {Id("b"), 20}}});
  Inventory inventory = engine.BuildOrDie();
  RemovalModel model(inventory);
  EXPECT_FALSE(model.removed(0));

  Removal first = model.Delete(0);
  EXPECT_EQ(first.bytes, 10u);
  EXPECT_THAT(first.pruned, IsEmpty());
  EXPECT_TRUE(model.removed(0));
  EXPECT_FALSE(model.removed(1));

  // The shared base goes with its last user.
  Removal second = model.Delete(1);
  EXPECT_EQ(second.bytes, 1020u);
  EXPECT_TRUE(model.removed(1));
}

TEST(RemovalModelTest, AnUntaggedParentIsPrunedWithItsLastChild) {
  TestEngine engine;
  std::string step = engine.AddImage(
      {.id = Id("step"), .layers = {{Id("base"), 1000}, {Id("s"), 5}}});
  engine.AddChild(step, {.tags = {"a:1"}, .layers = {{Id("a"), 10}}});
  engine.AddChild(step, {.tags = {"b:1"}, .layers = {{Id("b"), 20}}});
  Inventory inventory = engine.BuildOrDie();
  ASSERT_TRUE(inventory.images[0].intermediate);
  RemovalModel model(inventory);

  Removal first = model.Delete(1);
  EXPECT_EQ(first.bytes, 10u);
  EXPECT_THAT(first.pruned, IsEmpty());
  EXPECT_FALSE(model.removed(0));

  Removal second = model.Delete(2);
  EXPECT_THAT(second.pruned, ElementsAre(0u));
  EXPECT_EQ(second.bytes, 20u + 1005u);
  EXPECT_TRUE(model.removed(0));
}

TEST(RemovalModelTest, PruningFollowsAChainOfUntaggedParents) {
  TestEngine engine;
  std::string root =
      engine.AddImage({.id = Id("root"), .layers = {{Id("r"), 100}}});
  std::string mid =
      engine.AddChild(root, {.id = Id("mid"), .layers = {{Id("m"), 10}}});
  engine.AddChild(mid, {.tags = {"app:1"}, .layers = {{Id("app"), 1}}});
  Inventory inventory = engine.BuildOrDie();
  RemovalModel model(inventory);
  Removal removal = model.Delete(2);
  EXPECT_THAT(removal.pruned, ElementsAre(1u, 0u));  // up the chain
  EXPECT_EQ(removal.bytes, 111u);
  EXPECT_TRUE(model.removed(0));
  EXPECT_TRUE(model.removed(1));
}

TEST(RemovalModelTest, ATaggedParentIsNotPruned) {
  TestEngine engine;
  std::string base =
      engine.AddImage({.tags = {"base:1"}, .layers = {{Id("base"), 100}}});
  engine.AddChild(base, {.tags = {"app:1"}, .layers = {{Id("app"), 10}}});
  Inventory inventory = engine.BuildOrDie();
  RemovalModel model(inventory);
  Removal child = model.Delete(1);
  EXPECT_THAT(child.pruned, IsEmpty());
  EXPECT_EQ(child.bytes, 10u);
  EXPECT_FALSE(model.removed(0));
  // Deleting the parent afterwards frees its own layer.
  Removal parent = model.Delete(0);
  EXPECT_THAT(parent.pruned, IsEmpty());
  EXPECT_EQ(parent.bytes, 100u);
}

TEST(RemovalModelTest, AParentWithADigestIsNotPruned) {
  TestEngine engine;
  std::string base = engine.AddImage(
      {.digests = {"registry.example.com/base@" + Id("manifest")},
       .layers = {{Id("base"), 100}}});
  engine.AddChild(base, {.tags = {"app:1"}, .layers = {{Id("app"), 10}}});
  Inventory inventory = engine.BuildOrDie();
  RemovalModel model(inventory);
  Removal removal = model.Delete(1);
  EXPECT_THAT(removal.pruned, IsEmpty());
  EXPECT_EQ(removal.bytes, 10u);
}

TEST(RemovalModelTest, AParentUsedByAContainerIsNotPruned) {
  TestEngine engine;
  std::string root =
      engine.AddImage({.id = Id("root"), .layers = {{Id("r"), 100}}});
  std::string mid =
      engine.AddChild(root, {.id = Id("mid"), .layers = {{Id("m"), 10}}});
  engine.AddChild(mid, {.tags = {"app:1"}, .layers = {{Id("app"), 1}}});
  engine.AddContainer({.name = "debug", .image_id = mid, .state = "dead"});
  Inventory inventory = engine.BuildOrDie();
  RemovalModel model(inventory);
  Removal removal = model.Delete(2);
  EXPECT_THAT(removal.pruned, IsEmpty());
  EXPECT_EQ(removal.bytes, 1u);
  EXPECT_FALSE(model.removed(1));
  EXPECT_FALSE(model.removed(0));
}

TEST(RemovalModelTest, BytesOfASequenceEqualBytesFreedByRemovingTheSet) {
  TestEngine engine;
  std::string step = engine.AddImage(
      {.id = Id("step"), .layers = {{Id("base"), 1000}, {Id("s"), 5}}});
  engine.AddChild(step, {.tags = {"a:1"}, .layers = {{Id("a"), 10}}});
  engine.AddChild(step, {.tags = {"b:1"}, .layers = {{Id("b"), 20}}});
  engine.AddImage(
      {.tags = {"c:1"}, .layers = {{Id("base"), 1000}, {Id("c"), 40}}});
  Inventory inventory = engine.BuildOrDie();
  RemovalModel model(inventory);
  uint64_t total = model.Delete(2).bytes + model.Delete(1).bytes;
  // step was pruned: the removed set is {a, b, step}; c keeps base.
  EXPECT_EQ(total, BytesFreedByRemoving(inventory, {0, 1, 2}));
  EXPECT_EQ(total, 35u);
  EXPECT_EQ(model.Delete(3).bytes, 1040u);
}

}  // namespace
}  // namespace dgc
