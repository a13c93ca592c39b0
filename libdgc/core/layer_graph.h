// The layer graph: every distinct layer of an engine's images, keyed the way
// the engine shares them on disk — by chain ID, not diff ID. The same diff on
// top of different parents is a different layer.
//
// Chains are interned as (parent chain, diff ID) pairs, so identity needs no
// hashing; ChainId() computes the real sha256 chain ID only when a chain ID
// must be shown or compared with the engine's, and ChainIds() computes them
// all in one pass. A chain's parent is always interned before it, so a
// parent's LayerId is always smaller than its child's.
//
// Example:
//   dgc::LayerGraph graph;
//   dgc::LayerId base = graph.Intern(dgc::kNoLayer, "sha256:aaa…");
//   dgc::LayerId top = graph.Intern(base, "sha256:bbb…");
//   graph.SetSize(top, 4096);
#ifndef DGC_CORE_LAYER_GRAPH_H_
#define DGC_CORE_LAYER_GRAPH_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/digest.h"

namespace dgc {

// Index of a layer chain in a LayerGraph.
using LayerId = uint32_t;
inline constexpr LayerId kNoLayer = std::numeric_limits<LayerId>::max();

// One layer chain.
struct Layer {
  LayerId parent = kNoLayer;  // the chain below, kNoLayer for a base layer
  uint64_t size = 0;          // bytes on disk (the engine's DiffSize)
  bool size_known = false;    // whether some image's history gave the size
  bool size_exact = false;    // whether that history was unambiguous
};

// Interned layer chains. Not thread-safe for writes; const use is.
class LayerGraph {
 public:
  // Intern returns the chain of `diff_id` on top of `parent` (kNoLayer, or a
  // LayerId this graph returned), adding it when new. A new chain's LayerId
  // is larger than every earlier one, its parent's included.
  LayerId Intern(LayerId parent, std::string_view diff_id);
  // The same, with `digest` = DigestFromText(diff_id) decoded already (e.g.
  // on another thread).
  LayerId Intern(LayerId parent, std::string_view diff_id,
                 const std::optional<Digest>& digest);

  // Reserve makes room for `layers` chains in all, so that interning that
  // many moves nothing.
  void Reserve(size_t layers);

  // SetSize records the size of a chain as derived from one image's history,
  // `exact` when that derivation was unambiguous.
  void SetSize(LayerId id, uint64_t size, bool exact);

  const Layer& layer(LayerId id) const { return layers_[id]; }
  size_t size() const { return layers_.size(); }
  // diff_id returns the diff ID of a layer, as the engine wrote it.
  std::string diff_id(LayerId id) const { return DiffText(id); }

  // ChainId returns the engine's chain ID of a layer ("sha256:<hex>"):
  // chain(L0) = diff0; chain(Ln) = sha256(chain(Ln-1) + " " + diffN).
  // It hashes once per layer below `id`: to name many layers, use ChainIds.
  std::string ChainId(LayerId id) const;

  // ChainIds returns the chain ID of every layer, indexed by LayerId, with
  // one sha256 per layer (each from its parent's, computed before it).
  std::vector<std::string> ChainIds() const;

 private:
  // A chain's identity: its parent and its diff ID, held as 32 bytes when
  // it is "sha256:<hex>" (allocation-free), else (a hand-made snapshot's
  // text) as the number of that text in other_index_.
  struct ChainKey {
    LayerId parent;
    uint32_t other;  // 0 for a digest
    Digest digest;   // zero for other text

    friend bool operator==(const ChainKey& a, const ChainKey& b) {
      return a.parent == b.parent && a.other == b.other && a.digest == b.digest;
    }
    template <typename H>
    friend H AbslHashValue(H hash, const ChainKey& key) {
      return H::combine(std::move(hash), key.parent, key.other,
                        key.digest.head());
    }
  };

  // What the main map holds of a ChainKey, so that its slots stay small
  // (the map is looked up once per layer of every image, a cache miss
  // each): the parent, `other`, and the digest's head. Two chains with the same
  // ShortKey but different digests (only a hand-made document has them) are
  // told apart by collisions_.
  struct ShortKey {
    LayerId parent;
    uint32_t other;
    uint64_t head;

    friend bool operator==(const ShortKey& a, const ShortKey& b) {
      return a.parent == b.parent && a.other == b.other && a.head == b.head;
    }
    template <typename H>
    friend H AbslHashValue(H hash, const ShortKey& key) {
      return H::combine(std::move(hash), key.parent, key.other, key.head);
    }
  };

  // The text of the diff ID of layer `id`.
  std::string DiffText(LayerId id) const;

  std::vector<Layer> layers_;
  std::vector<Digest> digests_;  // by LayerId; zero for other text
  absl::flat_hash_map<ShortKey, LayerId> chains_;
  absl::flat_hash_map<ChainKey, LayerId> collisions_;       // see ShortKey
  absl::flat_hash_map<std::string, uint32_t> other_index_;  // from 1
  absl::flat_hash_map<LayerId, std::string> other_text_;
};

// ChainIdsOf returns the chain IDs of the layers `diff_ids` (bottom first),
// in the same order.
std::vector<std::string> ChainIdsOf(const std::vector<std::string>& diff_ids);

}  // namespace dgc

#endif  // DGC_CORE_LAYER_GRAPH_H_
