// Interned layer chains and their chain IDs (see layer_graph.h).
#include "core/layer_graph.h"

#include "core/sha256.h"
#include "core/string_views.h"

namespace dgc {

LayerId LayerGraph::Intern(LayerId parent, std::string_view diff_id) {
  auto [diff_it, new_diff] = diff_index_.try_emplace(
      ToAbsl(diff_id), static_cast<uint32_t>(diff_ids_.size()));
  if (new_diff) diff_ids_.emplace_back(diff_id);
  uint32_t diff = diff_it->second;
  auto [chain_it, new_chain] = chains_.try_emplace(
      std::make_pair(parent, diff), static_cast<LayerId>(layers_.size()));
  if (new_chain) layers_.push_back(Layer{.parent = parent, .diff = diff});
  return chain_it->second;
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

std::string LayerGraph::ChainId(LayerId id) const {
  const Layer& layer = layers_[id];
  if (layer.parent == kNoLayer) return diff_ids_[layer.diff];
  return ChainOnTop(ChainId(layer.parent), diff_ids_[layer.diff]);
}

std::vector<std::string> LayerGraph::ChainIds() const {
  std::vector<std::string> chain_ids;
  chain_ids.reserve(layers_.size());
  for (const Layer& layer : layers_) {
    // Intern gives a parent a smaller LayerId: its chain ID is already here.
    chain_ids.push_back(
        layer.parent == kNoLayer
            ? diff_ids_[layer.diff]
            : ChainOnTop(chain_ids[layer.parent], diff_ids_[layer.diff]));
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
