// The content store of a local engine's containerd (the containerd image
// store, SPEC.md §10): which content blobs each image uses, and their
// sizes, so that its bytes are exact rather than bounded.
//
// An image's ID names its top blob, an index or a manifest, in
// <root>/io.containerd.content.v1.content/blobs/sha256/<hex>. An index
// lists manifests; a manifest lists its config and layer blobs. Blobs
// missing from the store (other platforms of a pulled index) take no space
// and are left out. Layer blobs count as the store keeps them (gzip ones
// compressed); they name no other blobs. The blob types are told by their
// keys ("manifests"; "config" and "layers"), not by mediaType, which
// `docker load` leaves out.
//
// Example:
//   if (std::optional<std::string> root =
//           dgc::FindContentStore(inventory, dgc::ProcessEnvironment())) {
//     dgc::ReadContentBlobs(*root, &inventory);  // or ReadContentStore
//   }
#ifndef DGC_ENGINE_CONTENT_STORE_H_
#define DGC_ENGINE_CONTENT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "core/engine_bodies.h"
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

// ReadContentStore reads what the content store of containerd's `root`
// holds for each image of the inventory (an image whose top blob is
// missing or unreadable is left out), and the bytes of the blobs no
// image's manifests name. Errors: none; what cannot be read is left out.
ContentStoreFacts ReadContentStore(const std::string& root,
                                   const Inventory& inventory);

// ReadContentBlobs applies ReadContentStore's facts to the inventory
// (ApplyContentStoreFacts: blobs, other platforms' snapshots, bounds) and
// records `root` in Inventory::content_store.
void ReadContentBlobs(const std::string& root, Inventory* inventory);

// ListContentBlobs returns every blob in the content store of
// containerd's `root`: digest ("sha256:<hex>") -> bytes. Empty when the
// store cannot be read.
absl::flat_hash_map<std::string, uint64_t> ListContentBlobs(
    const std::string& root);

}  // namespace dgc

#endif  // DGC_ENGINE_CONTENT_STORE_H_
