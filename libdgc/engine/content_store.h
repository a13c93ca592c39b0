// The content store of a local engine's containerd (the containerd image
// store, SPEC.md §10): which content blobs each image uses, and their
// sizes, so that its bytes are exact rather than bounded.
//
// An image's ID names its top blob, an index or a manifest, in
// <root>/io.containerd.content.v1.content/blobs/sha256/<hex>. An index
// lists manifests; a manifest lists its config and layer blobs. Blobs
// missing from the store (other platforms of a pulled index) take no space
// and are left out. The blob types are told by their keys ("manifests";
// "config" and "layers"), not by mediaType, which `docker load` leaves out.
//
// Example:
//   if (std::optional<std::string> root =
//           dgc::FindContentStore(inventory, dgc::ProcessEnvironment())) {
//     dgc::ReadContentBlobs(*root, &inventory);
//   }
#ifndef DGC_ENGINE_CONTENT_STORE_H_
#define DGC_ENGINE_CONTENT_STORE_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/inventory.h"
#include "engine/endpoint.h"

namespace dgc {

// FindContentStore returns containerd's root for the inventory's engine
// when it is visible from here: the engine is on the containerd store and
// reached through a unix socket, and the candidate holds the top blob of
// one of its images (so it is that engine's). Candidates, in order:
// $DOCKER_GC_CONTAINERD_ROOT, <DockerRootDir>/containerd/daemon (a
// containerd dockerd runs itself), /var/lib/containerd. nullopt when none.
std::optional<std::string> FindContentStore(const Inventory& inventory,
                                            const EnvironmentLookup& env);

// ReadContentBlobs reads each image's blobs from the content store of
// containerd's `root` into Image::blobs (interned in Inventory::blobs),
// marks them known, and records `root` in Inventory::content_store. An
// image whose top blob is missing or unreadable stays unknown (bounds), and
// a warning says so. Errors: none that stop a run; the status is OK.
absl::Status ReadContentBlobs(const std::string& root, Inventory* inventory);

// ContentBlobPresent says whether blob `digest` ("sha256:<hex>") is a file
// in the content store of containerd's `root`.
bool ContentBlobPresent(const std::string& root, std::string_view digest);

}  // namespace dgc

#endif  // DGC_ENGINE_CONTENT_STORE_H_
