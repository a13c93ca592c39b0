// What an image of the containerd image store holds beside its host
// platform's snapshots, once its content is known (read from containerd's
// content store, or from a snapshot that kept it): its content blobs, and
// the snapshots of an index's other platforms.
//
// The engine's list Size of an image there is: its content blobs except an
// index (the index's own blob is not counted), plus every snapshot of every
// platform it unpacked. Its history gives the host platform's snapshots
// only. So what list Size has beyond both is the other platforms'
// snapshots, known as a whole; images whose other platforms have the same
// chains share them.
//
// Example:
//   dgc::ImageContent content{.blobs = {{"sha256:…", 578}, …}};
//   dgc::SetImageContent(index, std::move(content), &inventory);
//   dgc::ApplyContentStoreFacts(std::move(facts), &inventory);  // all
#ifndef DGC_CORE_IMAGE_CONTENT_H_
#define DGC_CORE_IMAGE_CONTENT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/engine_bodies.h"
#include "core/inventory.h"

namespace dgc {

// SetImageContent records `content` as the content of image `index`: its
// blobs (interned, counted once across images), marked known; and what its
// list Size holds beyond those blobs and its history's snapshots, as the
// snapshots of its other platforms. When that remainder is negative, or
// positive with no other platform to explain it (except on an image of a
// classic build chain, whose list Size the engine counts larger), a
// warning says so and the image's layer sizes are marked inexact.
void SetImageContent(ImageIndex index, ImageContent content,
                     Inventory* inventory);

// ApplyContentStoreFacts sets the content of every image of the inventory
// from `facts` (SetImageContent); an image the store did not hold stays
// unknown (bounds), with a warning. When the store holds blobs no image's
// manifests name and the inventory has classic build chains (images with
// parents), those images may own some (the builder's per-step configs,
// kept through labels): their content is bounded (Image::content_bounded),
// with a warning.
void ApplyContentStoreFacts(ContentStoreFacts facts, Inventory* inventory);

}  // namespace dgc

#endif  // DGC_CORE_IMAGE_CONTENT_H_
