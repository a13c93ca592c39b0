// Reading a dgc.snapshot/v1 document (snapshot.h) straight into an
// Inventory: one pass in which each image is built as its list entry and
// its details are read, keeping no body. simdjson parses one member (one
// image's details) at a time, so its index never covers the whole file.
//
// Example:
//   bool has_content = false;
//   absl::StatusOr<dgc::Inventory> inventory =
//       dgc::BuildInventoryFromSnapshot(text, &has_content);
#ifndef DGC_CORE_SNAPSHOT_INVENTORY_H_
#define DGC_CORE_SNAPSHOT_INVENTORY_H_

#include "absl/status/statusor.h"
#include "core/arriving_text.h"
#include "core/inventory.h"
#include "core/json_reader.h"

namespace dgc {

// BuildInventoryFromSnapshot returns the inventory of a snapshot: the same as
// BuildInventory(ParseSnapshot(text)). A document laid out as docker gc
// writes one (the engine's info, then the image list, then the images'
// details in the list's order, member names without escapes) is read in
// one pass; any other layout is read through EngineBodies, more slowly and
// with an index of the whole document. `*has_content` tells whether the
// snapshot kept its content store's facts (`content`). Errors: those of
// ParseSnapshot and BuildInventory.
absl::StatusOr<Inventory> BuildInventoryFromSnapshot(const PaddedBody& text,
                                                     bool* has_content);
// The same for a snapshot still arriving (a file being read): it is read
// as its bytes arrive. A text that ended early (text.status() not OK) is
// read as far as it goes; the caller reports why it ended.
absl::StatusOr<Inventory> BuildInventoryFromSnapshot(const ArrivingText& text,
                                                     bool* has_content);

}  // namespace dgc

#endif  // DGC_CORE_SNAPSHOT_INVENTORY_H_
