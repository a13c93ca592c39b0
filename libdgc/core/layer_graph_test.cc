// Tests of LayerGraph (core/layer_graph.h): interning of (parent, diff)
// chains, the same diff on different parents being a different layer,
// parents before children, sizes, and chain IDs, one at a time and all at
// once, equal to the engine's (checked against the layer database of the
// engine the api-1.41 bodies were recorded from).
#include "core/layer_graph.h"

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "core/inventory.h"
#include "core/sha256.h"
#include "core/test_inventory.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

const std::string kDiff0 = test_support::Id("diff 0");
const std::string kDiff1 = test_support::Id("diff 1");
const std::string kDiff2 = test_support::Id("diff 2");

TEST(LayerGraphTest, StartsEmpty) {
  LayerGraph graph;
  EXPECT_EQ(graph.size(), 0u);
}

TEST(LayerGraphTest, InterningTheSameChainTwiceGivesOneLayer) {
  LayerGraph graph;
  LayerId base = graph.Intern(kNoLayer, kDiff0);
  LayerId top = graph.Intern(base, kDiff1);
  EXPECT_EQ(graph.Intern(kNoLayer, kDiff0), base);
  EXPECT_EQ(graph.Intern(base, kDiff1), top);
  EXPECT_EQ(graph.size(), 2u);
  EXPECT_NE(base, top);
}

TEST(LayerGraphTest, LayersKnowTheirParentAndDiff) {
  LayerGraph graph;
  LayerId base = graph.Intern(kNoLayer, kDiff0);
  LayerId top = graph.Intern(base, kDiff1);
  EXPECT_EQ(graph.layer(base).parent, kNoLayer);
  EXPECT_EQ(graph.layer(top).parent, base);
  EXPECT_EQ(graph.diff_id(base), kDiff0);
  EXPECT_EQ(graph.diff_id(top), kDiff1);
}

TEST(LayerGraphTest, SameDiffOnDifferentParentsIsADifferentLayer) {
  LayerGraph graph;
  LayerId a = graph.Intern(kNoLayer, kDiff0);
  LayerId b = graph.Intern(kNoLayer, kDiff1);
  LayerId on_a = graph.Intern(a, kDiff2);
  LayerId on_b = graph.Intern(b, kDiff2);
  LayerId alone = graph.Intern(kNoLayer, kDiff2);
  EXPECT_NE(on_a, on_b);
  EXPECT_NE(on_a, alone);
  EXPECT_NE(on_b, alone);
  EXPECT_EQ(graph.size(), 5u);
  EXPECT_EQ(graph.diff_id(on_a), kDiff2);
  EXPECT_EQ(graph.diff_id(on_b), kDiff2);
  EXPECT_EQ(graph.diff_id(alone), kDiff2);
}

TEST(LayerGraphTest, DifferentDiffsOnTheSameParentAreDifferentLayers) {
  LayerGraph graph;
  LayerId base = graph.Intern(kNoLayer, kDiff0);
  EXPECT_NE(graph.Intern(base, kDiff1), graph.Intern(base, kDiff2));
  EXPECT_EQ(graph.size(), 3u);
}

TEST(LayerGraphTest, DigestsSharingTheirFirstBytesAreDifferentLayers) {
  // The map keys chains by a digest's first 8 bytes; a hand-made document
  // can hold digests that share them.
  const std::string head = "sha256:" + std::string(16, 'a');
  std::vector<std::string> diffs;
  for (char tail : {'1', '2', '3'})
    diffs.push_back(head + std::string(48, tail));
  LayerGraph graph;
  LayerId base = graph.Intern(kNoLayer, kDiff0);
  std::vector<LayerId> ids;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& diff : diffs) {
      LayerId id = graph.Intern(base, diff);
      if (round == 0) {
        ids.push_back(id);
      } else {
        EXPECT_EQ(id, ids[&diff - diffs.data()]) << diff;
      }
    }
  }
  EXPECT_EQ(std::set<LayerId>(ids.begin(), ids.end()).size(), 3u);
  EXPECT_EQ(graph.size(), 4u);
  for (size_t i = 0; i < diffs.size(); ++i) {
    EXPECT_EQ(graph.diff_id(ids[i]), diffs[i]);
    EXPECT_EQ(graph.layer(ids[i]).parent, base);
  }
}

TEST(LayerGraphTest, NewLayersHaveNoKnownSize) {
  LayerGraph graph;
  LayerId id = graph.Intern(kNoLayer, kDiff0);
  EXPECT_EQ(graph.layer(id).size, 0u);
  EXPECT_FALSE(graph.layer(id).size_known);
  EXPECT_FALSE(graph.layer(id).size_exact);
}

TEST(LayerGraphTest, SetSizeRecordsSizeAndExactness) {
  LayerGraph graph;
  LayerId id = graph.Intern(kNoLayer, kDiff0);
  graph.SetSize(id, 4096, /*exact=*/false);
  EXPECT_EQ(graph.layer(id).size, 4096u);
  EXPECT_TRUE(graph.layer(id).size_known);
  EXPECT_FALSE(graph.layer(id).size_exact);
  graph.SetSize(id, 0, /*exact=*/true);
  EXPECT_EQ(graph.layer(id).size, 0u);
  EXPECT_TRUE(graph.layer(id).size_known);
  EXPECT_TRUE(graph.layer(id).size_exact);
}

TEST(LayerGraphTest, SizesAreKeptPerChainNotPerDiff) {
  LayerGraph graph;
  LayerId a = graph.Intern(kNoLayer, kDiff0);
  LayerId b = graph.Intern(kNoLayer, kDiff1);
  LayerId on_a = graph.Intern(a, kDiff2);
  LayerId on_b = graph.Intern(b, kDiff2);
  graph.SetSize(on_a, 10, true);
  graph.SetSize(on_b, 20, true);
  EXPECT_EQ(graph.layer(on_a).size, 10u);
  EXPECT_EQ(graph.layer(on_b).size, 20u);
}

TEST(LayerGraphTest, ChainIdOfABaseLayerIsItsDiffId) {
  LayerGraph graph;
  EXPECT_EQ(graph.ChainId(graph.Intern(kNoLayer, kDiff0)), kDiff0);
}

TEST(LayerGraphTest, ChainIdsFollowTheOciDefinition) {
  LayerGraph graph;
  LayerId l0 = graph.Intern(kNoLayer, kDiff0);
  LayerId l1 = graph.Intern(l0, kDiff1);
  LayerId l2 = graph.Intern(l1, kDiff2);
  std::string chain1 = "sha256:" + Sha256Hex(kDiff0 + " " + kDiff1);
  std::string chain2 = "sha256:" + Sha256Hex(chain1 + " " + kDiff2);
  EXPECT_EQ(graph.ChainId(l1), chain1);
  EXPECT_EQ(graph.ChainId(l2), chain2);
}

TEST(LayerGraphTest, ChainIdOfAKnownPair) {
  // chain(L1) for diff IDs sha256:aa…a and sha256:bb…b, computed
  // independently with `printf 'sha256:aa…a sha256:bb…b' | sha256sum`.
  const std::string a = "sha256:" + std::string(64, 'a');
  const std::string b = "sha256:" + std::string(64, 'b');
  LayerGraph graph;
  LayerId top = graph.Intern(graph.Intern(kNoLayer, a), b);
  EXPECT_EQ(graph.ChainId(top),
            "sha256:"
            "ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c");
}

TEST(LayerGraphTest, ChainIdsOfTheSameDiffOnDifferentParentsDiffer) {
  LayerGraph graph;
  LayerId on_a = graph.Intern(graph.Intern(kNoLayer, kDiff0), kDiff2);
  LayerId on_b = graph.Intern(graph.Intern(kNoLayer, kDiff1), kDiff2);
  EXPECT_NE(graph.ChainId(on_a), graph.ChainId(on_b));
}

TEST(LayerGraphTest, DeepChainsGetChainIds) {
  LayerGraph graph;
  LayerId top = kNoLayer;
  std::string want;
  for (int i = 0; i < 200; ++i) {
    std::string diff = test_support::Id("deep " + std::to_string(i));
    top = graph.Intern(top, diff);
    want = i == 0 ? diff : "sha256:" + Sha256Hex(want + " " + diff);
  }
  EXPECT_EQ(graph.ChainId(top), want);
}

// Two trees interned interleaved: on the base diff0, a chain 50 layers
// deep; on the base diff1, 50 layers side by side; diff2 on both bases.
LayerGraph TwoTrees() {
  LayerGraph graph;
  LayerId a = graph.Intern(kNoLayer, kDiff0);
  LayerId b = graph.Intern(kNoLayer, kDiff1);
  LayerId top = graph.Intern(a, kDiff2);
  graph.Intern(b, kDiff2);
  for (int i = 0; i < 50; ++i) {
    top = graph.Intern(top, test_support::Id("deep " + std::to_string(i)));
    graph.Intern(b, test_support::Id("wide " + std::to_string(i)));
  }
  return graph;
}

TEST(LayerGraphTest, ParentsHaveSmallerIdsThanTheirChildren) {
  // Interning a child needs its parent's LayerId, so the parent came first;
  // ChainIds relies on it.
  LayerGraph graph = TwoTrees();
  ASSERT_EQ(graph.size(), 104u);
  for (LayerId id = 0; id < graph.size(); ++id) {
    const Layer& layer = graph.layer(id);
    if (layer.parent != kNoLayer) {
      EXPECT_LT(layer.parent, id);
    }
  }
}

TEST(LayerGraphTest, ChainIdsNameEveryLayerAsChainIdDoes) {
  LayerGraph graph = TwoTrees();
  std::vector<std::string> chain_ids = graph.ChainIds();
  ASSERT_EQ(chain_ids.size(), graph.size());
  for (LayerId id = 0; id < graph.size(); ++id) {
    EXPECT_EQ(chain_ids[id], graph.ChainId(id)) << "layer " << id;
  }
  EXPECT_EQ(chain_ids[0], kDiff0);
  EXPECT_EQ(chain_ids[2], "sha256:" + Sha256Hex(kDiff0 + " " + kDiff2));
  EXPECT_EQ(chain_ids[3], "sha256:" + Sha256Hex(kDiff1 + " " + kDiff2));
}

TEST(LayerGraphTest, ChainIdsOfAnEmptyGraphAreNone) {
  EXPECT_TRUE(LayerGraph().ChainIds().empty());
}

// The engine the api-1.41 bodies came from stores its layers under
// image/vfs/layerdb/sha256/<chain ID hex>; layerdb_chain_ids.txt lists them.
TEST(LayerGraphTest, ChainIdsEqualTheRecordedEnginesLayerDatabase) {
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.41");
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
  ASSERT_TRUE(inventory.ok()) << inventory.status();

  absl::StatusOr<std::string> listing =
      test_support::ReadTestdata("api-1.41/layerdb_chain_ids.txt");
  ASSERT_TRUE(listing.ok()) << listing.status();
  std::set<std::string> engine;
  std::string line;
  for (char c : *listing) {
    if (c == '\n') {
      if (!line.empty()) engine.insert("sha256:" + line);
      line.clear();
    } else {
      line.push_back(c);
    }
  }
  ASSERT_EQ(engine.size(), 8u);

  std::set<std::string> ours;
  for (LayerId id = 0; id < inventory->layers.size(); ++id) {
    ours.insert(inventory->layers.ChainId(id));
  }
  EXPECT_EQ(ours, engine);
  EXPECT_EQ(inventory->layers.size(), 8u);
  std::vector<std::string> all = inventory->layers.ChainIds();
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), engine);
}

}  // namespace
}  // namespace dgc
