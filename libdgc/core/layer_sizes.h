// Per-layer sizes of an image, derived from its history.
//
// GET /images/{id}/history lists one entry per build step, newest first. A
// step that created a layer carries that layer's size; a metadata-only step
// (ENV, LABEL, CMD…) carries 0; the body does not say which is which. The
// mapping, oldest first:
//   1. If classifying the steps (Size > 0, or a CreatedBy that creates a
//      layer: RUN, COPY, ADD, WORKDIR…) finds exactly one step per layer,
//      steps and layers pair up one to one.
//   2. Otherwise each step with Size > 0 goes to the next layer, skipping
//      empty-tar layers (known to be 0 bytes); layers left over are 0 bytes.
//      This is exact when every other layer has bytes; when some layer has 0
//      bytes its position is a guess, and the result is marked inexact.
// The sizes must add up to the image's Size; when they do not, the result is
// inexact too, and says so.
//
// Example:
//   dgc::LayerSizes sizes = dgc::LayerSizesFromHistory(
//       inspect.diff_ids, history, inspect.size);
//   if (!sizes.exact) warn(sizes.problem);
#ifndef DGC_CORE_LAYER_SIZES_H_
#define DGC_CORE_LAYER_SIZES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "core/engine_bodies.h"

namespace dgc {

// The diff ID of an empty layer tar (1024 zero bytes).
inline constexpr std::string_view kEmptyLayerDiffId =
    "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

struct LayerSizes {
  std::vector<uint64_t> sizes;  // one per diff ID, bottom first
  bool exact = true;
  std::string problem;  // why not exact; empty when exact
};

// LayerSizesFromHistory maps history sizes onto the layers `diff_ids`
// (bottom first) of an image of `image_size` bytes (nullopt: not known
// here, not checked).
LayerSizes LayerSizesFromHistory(absl::Span<const std::string_view> diff_ids,
                                 absl::Span<const HistoryEntry> history,
                                 std::optional<int64_t> image_size);

// IsMetadataStep reports whether a history CreatedBy describes a step that
// creates no layer (classic builder "#(nop)" steps other than COPY/ADD, and
// BuildKit's ENV, LABEL, CMD… steps).
bool IsMetadataStep(std::string_view created_by);

}  // namespace dgc

#endif  // DGC_CORE_LAYER_SIZES_H_
