// EngineClient: the Docker Engine API calls libdgc makes, over a Transport.
//
// Connect() reads GET /version and negotiates the API version: the lower of
// the engine's and the newest libdgc knows (kMaxApiVersion), refusing
// engines older than kMinApiVersion. Every later path carries that version.
// Every error names the endpoint, and what the engine sent when it was not
// what the API promises. A GET whose way to the engine failed (a broken
// connection, a 502/503/504) is sent again, a few times (RetryPolicy); any
// other request is sent once, whatever becomes of it.
//
// Besides reading, the client has the calls the executor changes the
// engine with, one request each and never with force: DeleteImage,
// RemoveContainer, RemoveVolume and PruneBuildCache (one record at a time),
// and the reads that re-check an action just before it (InspectImage,
// ContainersOf, ListContainers, InspectContainer, ContainersMounting).
//
// Example:
//   dgc::EngineClient client(*transport);
//   absl::StatusOr<dgc::EngineBodies> bodies = client.FetchBodies({});
#ifndef DGC_ENGINE_ENGINE_CLIENT_H_
#define DGC_ENGINE_ENGINE_CLIENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "core/engine_bodies.h"
#include "core/snapshot.h"
#include "engine/details_cache.h"
#include "engine/retry_policy.h"
#include "engine/transport.h"

namespace dgc {

inline constexpr std::string_view kMinApiVersion = "1.24";
inline constexpr std::string_view kMaxApiVersion = "1.53";

// The first API version whose POST /build/prune honours `filters` (Docker
// 18.09): older engines ignore it and prune every unused record.
inline constexpr std::string_view kMinBuildPruneApiVersion = "1.39";

// The body of POST /build/prune: the records the engine removed and the
// bytes that freed (the sum of their sizes).
struct BuildCachePruned {
  std::vector<std::string> deleted;  // CachesDeleted, in the engine's order
  uint64_t space_reclaimed = 0;      // SpaceReclaimed
};

struct FetchOptions {
  // Also read GET /system/df (the engine's own LayersSize): slow on hosts
  // with many containers, so only df and snapshot ask for it.
  bool system_df = false;
  // When set, the raw bodies are kept here too (for a snapshot).
  RawEngineBodies* raw = nullptr;
  // docker gc's cache directory (CacheDirectory), "" for none: images'
  // inspect and history come from the engine's DetailsCache there where it
  // has them, and what was read is saved back.
  std::string cache_directory;
};

// Not thread-safe; the transport must outlive the client.
class EngineClient {
 public:
  // Every request goes through `transport`; a GET whose way to the engine
  // failed is sent again as `retry` says (RetryPolicy), any other request
  // exactly once.
  explicit EngineClient(Transport& transport, RetryPolicy retry = {})
      : transport_(transport), retry_(retry) {}

  // Connect reads GET /version and negotiates the API version. Errors: those
  // of the transport; InvalidArgument for a malformed body;
  // FailedPrecondition for an engine too old or too new.
  absl::Status Connect();

  // Valid after Connect.
  const VersionBody& version() const { return version_; }
  const std::string& api_version() const { return api_version_; }
  const std::string& host() const { return transport_.host(); }

  // FetchBodies reads what an Inventory needs: the image list, the
  // containers, /info, and each image's inspect and history (concurrently).
  // An image removed while it runs is left out with a warning. Connects
  // first if needed. Errors: as Connect, plus any failed or malformed
  // response.
  absl::StatusOr<EngineBodies> FetchBodies(const FetchOptions& options);

  // Get performs GET `path` (without the version prefix, e.g.
  // "/images/json?all=1") and returns the body of a 2xx response. Errors:
  // the transport's; NotFound for 404; FailedPrecondition for 409; Internal
  // for 5xx (see ResponseError), with the engine's message.
  absl::StatusOr<HttpResponse> Get(std::string_view path);

  // InspectImage returns GET /images/{name}/json for an image ID or a
  // reference. Errors: NotFound when no image has that name; others as Get.
  absl::StatusOr<ImageInspect> InspectImage(std::string_view name);

  // ListImages returns GET /images/json?all=1: every image, intermediate
  // ones included. Errors: as Get.
  absl::StatusOr<std::vector<ImageSummary>> ListImages();

  // ContainersOf returns the containers, in any state, created from image
  // `id` or from an image built on it (the engine's "ancestor" filter).
  absl::StatusOr<std::vector<ContainerSummary>> ContainersOf(
      std::string_view id);

  // ListContainers returns GET /containers/json?all=1: every container, in
  // any state. Errors: as Get.
  absl::StatusOr<std::vector<ContainerSummary>> ListContainers();

  // DeleteImage sends DELETE /images/{name}, never with force: one
  // reference is untagged, or the image goes with its last reference (and,
  // when `prune`, its untagged parents with it; else noprune=1). Needs a
  // read-write transport. Errors: NotFound (404), FailedPrecondition (409,
  // a conflict), the transport's.
  absl::StatusOr<DeleteResponse> DeleteImage(std::string_view name,
                                             bool prune = true);

  // InspectImages is InspectImage for several names, sent concurrently
  // (as many at a time as the transport allows); result i is names[i]'s.
  std::vector<absl::StatusOr<ImageInspect>> InspectImages(
      absl::Span<const std::string> names);

  // One DELETE of DeleteImages: the name, and whether to prune.
  struct ImageDeletion {
    std::string name;
    bool prune = true;
  };
  // DeleteImages is DeleteImage for several images, sent concurrently,
  // each exactly once; result i is deletions[i]'s. Every one is sent and
  // answered (or its answer lost), whatever the others' outcome.
  std::vector<absl::StatusOr<DeleteResponse>> DeleteImages(
      absl::Span<const ImageDeletion> deletions);

  // LayersSize returns /system/df's LayersSize: GET /system/df?type=image
  // from API 1.42 on (cheap), else the whole /system/df.
  absl::StatusOr<int64_t> LayersSize();

  // InspectContainer returns GET /containers/{id}/json (State.Status,
  // start and finish, restart policy). `id` must be a name Docker gives
  // (CheckEngineName). Errors: InvalidArgument for another `id`, nothing
  // sent; NotFound when no container has that ID or name; others as Get.
  absl::StatusOr<ContainerInspect> InspectContainer(std::string_view id);

  // RemoveContainer sends DELETE /containers/{id} with no query at all:
  // never force (the engine refuses a running container, 409) and never
  // v (its volumes stay; they go only by a remove_volume action of their
  // own). The engine answers 204 without a body. Needs a read-write
  // transport. Errors: InvalidArgument for an `id` that is not a name
  // Docker gives, nothing sent; NotFound (404); FailedPrecondition (409,
  // e.g. running, or a removal in progress); the transport's.
  absl::Status RemoveContainer(std::string_view id);

  // ContainersMounting returns the containers, in any state, that mount
  // the volume `name` (the engine's "volume" filter, which also matches a
  // mount destination equal to `name`). Errors: InvalidArgument for a name
  // Docker does not give, nothing sent; others as Get.
  absl::StatusOr<std::vector<ContainerSummary>> ContainersMounting(
      std::string_view name);

  // RemoveVolume sends DELETE /volumes/{name} with no query: never force.
  // The engine answers 204 without a body. Needs a read-write transport.
  // Errors: InvalidArgument for a name Docker does not give, nothing sent;
  // NotFound (404); FailedPrecondition (409: in use by a container); the
  // transport's.
  absl::Status RemoveVolume(std::string_view name);

  // PruneBuildCache sends POST /build/prune?filters={"id":["<record_id>"]}
  // (URL-encoded), without `all` or `keep-storage`: BuildKit then removes
  // that record only if nothing uses it and it is neither shared, internal
  // nor a frontend's, and a parent only once no child is left. The engine
  // matches `id` as a regular expression, so `record_id` must be letters
  // and digits only (BuildKit's IDs are 25 of them). A record that is gone
  // gives an empty `deleted`, not an error. Needs a read-write transport.
  // Errors: InvalidArgument for another `record_id`, FailedPrecondition
  // when the negotiated API is older than kMinBuildPruneApiVersion (both
  // with nothing sent); the engine's error codes as Get; InvalidArgument
  // for a malformed body; the transport's.
  absl::StatusOr<BuildCachePruned> PruneBuildCache(std::string_view record_id);

  // VersionedPath returns "/v<api>" + path.
  std::string VersionedPath(std::string_view path) const;

  // ResponseError returns the error for a non-2xx `response` to
  // `method path`, carrying the engine's message; OK for a 2xx response.
  absl::Status ResponseError(std::string_view method, std::string_view path,
                             const HttpResponse& response) const;

  // BodyError wraps a parse error of the body of `method path`.
  absl::Status BodyError(std::string_view method, std::string_view path,
                         const absl::Status& status) const;

 private:
  absl::StatusOr<EngineBodies> FetchOnce(const FetchOptions& options);
  // Send sends `method full_path` and returns the response of a 2xx
  // status, its body unread; otherwise the transport's error or
  // ResponseError. While the engine answers that it computes another
  // client's disk usage, it asks again (backing off, up to a minute); a
  // GET that retry_ finds retryable is sent again (GiveUp says when it
  // was given up).
  absl::StatusOr<HttpResponse> Send(std::string_view method,
                                    const std::string& full_path);
  // SendMany is Transport::PerformMany with retry_: a GET that it finds
  // retryable is answered to `on_response` only after its last attempt
  // (sent again with the others that failed, once the batch is done).
  void SendMany(absl::Span<const HttpRequest> requests,
                Transport::OnResponse on_response);
  // GiveUp returns `response`, the answer to `request` after `attempts`
  // sends, as the caller should see it: an error still retryable (the
  // attempts ran out) becomes an error saying how many sends were made
  // (AfterAttempts; an HTTP status, as ResponseError); anything else is
  // returned as it is.
  absl::StatusOr<HttpResponse> GiveUp(const HttpRequest& request,
                                      absl::StatusOr<HttpResponse> response,
                                      int attempts) const;
  // ContainersFiltered returns GET /containers/json?all=1 with the filter
  // {"<filter>":["<wanted>"]}: the containers, in any state, it selects.
  absl::StatusOr<std::vector<ContainerSummary>> ContainersFiltered(
      std::string_view filter, std::string_view wanted);
  // RemoveNamed sends DELETE /<collection>/<name> with no query and reads
  // no body; `name` must pass CheckEngineName (as `field`), else nothing is
  // sent. Errors: as RemoveContainer.
  absl::Status RemoveNamed(std::string_view collection, std::string_view field,
                           std::string_view name);
  // Call sends `method full_path`, checks the status (ResponseError) and
  // parses the body with `parse` (BodyError on failure); returns the
  // response, for callers that keep the body.
  absl::StatusOr<HttpResponse> Call(
      std::string_view method, const std::string& full_path,
      absl::FunctionRef<absl::Status(simdjson::ondemand::value&)> parse);
  // CallMany is Call for several requests, sent concurrently (SendMany,
  // so GETs are retried as Send retries them): result i is request i's
  // body read by `parse`, or its error. Defined for the bodies libdgc
  // reads this way (engine_client.cc).
  template <typename Body>
  std::vector<absl::StatusOr<Body>> CallMany(
      absl::Span<const HttpRequest> requests,
      absl::Status (*parse)(simdjson::ondemand::value&, Body*));
  absl::Status FetchDetails(EngineBodies* bodies, const FetchOptions& options,
                            DetailsCache* cache);

  Transport& transport_;
  RetryPolicy retry_;
  simdjson::ondemand::parser parser_;
  VersionBody version_;
  PaddedBody version_body_;  // kept for snapshots
  std::string api_version_;
};

// CompareApiVersions compares "1.41"-style versions: <0, 0 or >0. Versions
// that are not numbers compare as 0.0.
int CompareApiVersions(std::string_view a, std::string_view b);

}  // namespace dgc

#endif  // DGC_ENGINE_ENGINE_CLIENT_H_
