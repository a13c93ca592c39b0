// Interned layer chains and their chain IDs (see layer_graph.h).
#include "core/layer_graph.h"

#include <optional>

#include "core/sha256.h"
#include "core/string_views.h"

namespace dgc {

LayerId LayerGraph::Intern(LayerId parent, std::string_view diff_id) {
  return Intern(parent, diff_id, DigestFromText(diff_id));
}

LayerId LayerGraph::Intern(LayerId parent, std::string_view diff_id,
                           const std::optional<Digest>& digest) {
  ChainKey key{.parent = parent, .other = 0, .digest = {}};
  if (digest.has_value()) {
    key.digest = *digest;
  } else {
    key.other = other_index_
                    .try_emplace(ToAbsl(diff_id),
                                 static_cast<uint32_t>(other_index_.size() + 1))
                    .first->second;
  }
  if (!collisions_.empty()) {
    if (auto found = collisions_.find(key); found != collisions_.end()) {
      return found->second;
    }
  }
  auto next = static_cast<LayerId>(layers_.size());
  auto [it, inserted] = chains_.try_emplace(
      ShortKey{.parent = parent, .other = key.other, .head = key.digest.head()},
      next);
  if (!inserted) {
    if (digests_[it->second] == key.digest) return it->second;
    collisions_.emplace(key, next);  // another digest with the same head
  }
  layers_.push_back(Layer{.parent = parent});
  digests_.push_back(key.digest);
  if (key.other != 0) other_text_.emplace(next, diff_id);
  return next;
}

void LayerGraph::Reserve(size_t layers) {
  layers_.reserve(layers);
  digests_.reserve(layers);
  chains_.reserve(layers);
}

void LayerGraph::SetSize(LayerId id, uint64_t size, bool exact) {
  layers_[id].size = size;
  layers_[id].size_known = true;
  layers_[id].size_exact = exact;
}

namespace {

// The chain ID of `diff_id` on top of the chain `parent_chain_id`.
std::string ChainOnTop(const std::string& parent_chain_id,
                       const std::string& diff_id) {
  return "sha256:" + Sha256Hex(parent_chain_id + " " + diff_id);
}

}  // namespace

std::string LayerGraph::DiffText(LayerId id) const {
  auto other = other_text_.find(id);
  return other != other_text_.end() ? other->second : DigestText(digests_[id]);
}

std::string LayerGraph::ChainId(LayerId id) const {
  const Layer& layer = layers_[id];
  if (layer.parent == kNoLayer) return DiffText(id);
  return ChainOnTop(ChainId(layer.parent), DiffText(id));
}

std::vector<std::string> LayerGraph::ChainIds() const {
  std::vector<std::string> chain_ids;
  chain_ids.reserve(layers_.size());
  for (LayerId id = 0; id < layers_.size(); ++id) {
    const Layer& layer = layers_[id];
    // Intern gives a parent a smaller LayerId: its chain ID is already here.
    chain_ids.push_back(
        layer.parent == kNoLayer
            ? DiffText(id)
            : ChainOnTop(chain_ids[layer.parent], DiffText(id)));
  }
  return chain_ids;
}

std::vector<std::string> ChainIdsOf(const std::vector<std::string>& diff_ids) {
  std::vector<std::string> chain_ids;
  chain_ids.reserve(diff_ids.size());
  for (const std::string& diff_id : diff_ids) {
    chain_ids.push_back(
        chain_ids.empty() ? diff_id : ChainOnTop(chain_ids.back(), diff_id));
  }
  return chain_ids;
}

}  // namespace dgc
