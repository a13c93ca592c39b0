// dgc.snapshot/v1 (SPEC.md §4): an engine's raw API bodies at one moment,
// so that df and plan can run later, elsewhere, or on bodies assembled by
// hand with curl.
//
// Example:
//   absl::StatusOr<dgc::EngineBodies> bodies = dgc::ParseSnapshot(text);
//   absl::StatusOr<dgc::Inventory> inventory = dgc::BuildInventory(*bodies);
#ifndef DGC_CORE_SNAPSHOT_H_
#define DGC_CORE_SNAPSHOT_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/engine_bodies.h"
#include "core/json_reader.h"

namespace dgc {

// The raw bodies of one fetch, as the engine sent them (each one valid
// JSON: the client parsed it before keeping it).
struct RawEngineBodies {
  std::string host;
  absl::Time captured_at = absl::InfinitePast();
  PaddedBody version;
  PaddedBody info;  // empty when not fetched
  PaddedBody images;
  PaddedBody containers;
  PaddedBody system_df;  // empty when not fetched
  struct Details {
    std::string id;
    PaddedBody inspect;
    PaddedBody history;
  };
  std::vector<Details> details;
  // Inspect bodies of the containers that are not running.
  struct ContainerDetails {
    std::string id;
    PaddedBody inspect;
  };
  std::vector<ContainerDetails> container_details;
  // The containerd store's content store, when it was read.
  std::optional<ContentStoreFacts> content;
};

// SnapshotJson returns the dgc.snapshot/v1 document holding `raw` (compact,
// with the bodies embedded as they are), ending with a newline.
std::string SnapshotJson(const RawEngineBodies& raw);

// ParseSnapshot reads a dgc.snapshot/v1 document. `version`, `info`,
// `system_df`, `container_details` (inspect bodies of the containers
// that are not running, by ID) and `content` (what the containerd store's
// content store held: {"root", "unattributed_bytes", "images": {ID:
// {"index", "blobs": {digest: bytes}, "other_platforms": [[diff ID]]}}})
// are optional; `images`, `containers` and
// `image_details` are required (without the containers, images in use could not
// be protected). Errors: InvalidArgument naming the member at fault, for
// another schema, malformed JSON or a body of the wrong shape.
absl::StatusOr<EngineBodies> ParseSnapshot(const PaddedBody& text);

// How ParseSnapshotInto reads the two members that hold the images: the
// image list (`images`) and the map of inspect and history bodies by ID
// (`image_details`).
struct SnapshotImageReaders {
  absl::FunctionRef<absl::Status(simdjson::ondemand::value&)> images;
  absl::FunctionRef<absl::Status(simdjson::ondemand::value&)> image_details;
};

// SnapshotRootReader reads the members of a snapshot's root object one at
// a time, as ParseSnapshotInto does, for readers that split the document
// into its members.
class SnapshotRootReader {
 public:
  // `out` must outlive the reader.
  explicit SnapshotRootReader(EngineBodies* out) : out_(out) {}

  // Member reads the root member `key`, the images through `readers`, and
  // skips members libdgc does not read. Errors: those of ParseSnapshot for
  // that member, without the member's name.
  absl::Status Member(std::string_view key, simdjson::ondemand::value& value,
                      const SnapshotImageReaders& readers);

  // DetailsReadElsewhere records that the caller read `image_details`
  // itself, split into its parts.
  void DetailsReadElsewhere() { has_details_ = true; }

  // Finish checks, once every member is read, the schema, the required
  // members and `captured_at`.
  absl::Status Finish();

 private:
  EngineBodies* out_;
  std::string schema_;
  std::string captured_at_;
  bool has_images_ = false;
  bool has_containers_ = false;
  bool has_details_ = false;
};

// ParseSnapshotInto reads a dgc.snapshot/v1 document as ParseSnapshot does,
// but hands its images to `readers` (`out` gets no images or details).
// Values `readers` keep as string views stay valid until `parser` parses
// another document. Errors: those of ParseSnapshot, and what the readers
// return.
absl::Status ParseSnapshotInto(simdjson::ondemand::parser& parser,
                               const PaddedBody& text, EngineBodies* out,
                               const SnapshotImageReaders& readers);

}  // namespace dgc

#endif  // DGC_CORE_SNAPSHOT_H_
