// Per-layer sizes from image history (see layer_sizes.h).
#include "core/layer_sizes.h"

#include <array>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "core/string_views.h"

namespace dgc {
namespace {

// Instructions that never create a layer.
constexpr std::array<std::string_view, 13> kMetadataInstructions = {
    "ENV ",   "LABEL ",   "CMD ",       "ENTRYPOINT ", "EXPOSE ",
    "USER ",  "ARG ",     "VOLUME ",    "STOPSIGNAL ", "HEALTHCHECK ",
    "SHELL ", "ONBUILD ", "MAINTAINER "};

// Step-by-step pairing: usable when the steps that create layers are exactly
// as many as the layers.
bool PairStepsWithLayers(absl::Span<const std::string_view> diff_ids,
                         absl::Span<const HistoryEntry> history,
                         std::vector<uint64_t>* sizes) {
  std::vector<uint64_t> layer_steps;
  for (auto entry = history.rbegin(); entry != history.rend(); ++entry) {
    if (entry->size > 0 || !entry->metadata_step) {
      layer_steps.push_back(static_cast<uint64_t>(entry->size));
    }
  }
  if (layer_steps.size() != diff_ids.size()) return false;
  for (size_t i = 0; i < diff_ids.size(); ++i) {
    // An empty tar with bytes means the pairing is wrong.
    if (diff_ids[i] == kEmptyLayerDiffId && layer_steps[i] != 0) return false;
  }
  *sizes = std::move(layer_steps);
  return true;
}

// Greedy placement of the steps with bytes on the non-empty-tar layers.
// Returns whether the placement is certain.
bool PlaceStepsWithBytes(absl::Span<const std::string_view> diff_ids,
                         absl::Span<const HistoryEntry> history,
                         std::vector<uint64_t>* sizes) {
  sizes->assign(diff_ids.size(), 0);
  size_t next_layer = 0;
  size_t placed = 0;
  for (auto entry = history.rbegin(); entry != history.rend(); ++entry) {
    if (entry->size <= 0) continue;
    while (next_layer < diff_ids.size() &&
           diff_ids[next_layer] == kEmptyLayerDiffId) {
      ++next_layer;
    }
    if (next_layer == diff_ids.size()) return false;  // more steps than layers
    (*sizes)[next_layer++] = static_cast<uint64_t>(entry->size);
    ++placed;
  }
  size_t candidates = 0;
  for (std::string_view diff_id : diff_ids) {
    if (diff_id != kEmptyLayerDiffId) ++candidates;
  }
  // Certain when every candidate layer got bytes, or none did.
  return placed == candidates || placed == 0;
}

}  // namespace

bool IsMetadataStep(std::string_view created_by) {
  absl::string_view step = ToAbsl(created_by);
  // Classic builder: "/bin/sh -c #(nop)  ENV …"; COPY and ADD still create
  // layers.
  if (absl::StrContains(step, "#(nop)")) {
    return !absl::StrContains(step, "#(nop) COPY") &&
           !absl::StrContains(step, "#(nop) ADD");
  }
  for (std::string_view instruction : kMetadataInstructions) {
    if (absl::StartsWith(step, ToAbsl(instruction))) return true;
  }
  return false;
}

LayerSizes LayerSizesFromHistory(absl::Span<const std::string_view> diff_ids,
                                 absl::Span<const HistoryEntry> history,
                                 std::optional<int64_t> image_size) {
  LayerSizes result;
  if (!PairStepsWithLayers(diff_ids, history, &result.sizes) &&
      !PlaceStepsWithBytes(diff_ids, history, &result.sizes)) {
    result.exact = false;
    result.problem =
        "the history does not show which of its layers are empty; sizes of "
        "layers shared with other images may be misattributed";
  }
  uint64_t total = 0;
  for (uint64_t size : result.sizes) total += size;
  if (image_size.has_value() && total != static_cast<uint64_t>(*image_size)) {
    result.exact = false;
    result.problem = absl::StrFormat(
        "layer sizes from history add up to %d bytes, but the image is %d "
        "bytes",
        total, *image_size);
  }
  return result;
}

}  // namespace dgc
