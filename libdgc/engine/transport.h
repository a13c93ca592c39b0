// HTTP to the engine, behind a small interface so that the engine client
// can run against the real libcurl transport or against recorded bodies.
//
// A transport is made for reading or for reading and writing; one made for
// reading refuses every method but GET, so a code path that only holds a
// read-only transport (as `plan` and `df` do) cannot change the engine.
//
// Example:
//   std::unique_ptr<dgc::Transport> transport = ...;
//   absl::StatusOr<dgc::HttpResponse> r =
//       transport->Perform({.method = "GET", .path = "/version"});
#ifndef DGC_ENGINE_TRANSPORT_H_
#define DGC_ENGINE_TRANSPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/json_reader.h"

namespace dgc {

enum class Access { kReadOnly, kReadWrite };

struct HttpRequest {
  std::string method = "GET";
  std::string path;  // with query, e.g. "/v1.41/images/json?all=1"
};

struct HttpResponse {
  long status = 0;  // HTTP status code
  PaddedBody body;  // ready for simdjson
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Perform sends one request and returns the complete response, whatever
  // its status. Errors: Unavailable (cannot connect, connection lost,
  // truncated response), PermissionDenied (socket not accessible),
  // DeadlineExceeded (no answer in time), FailedPrecondition (a method
  // other than GET on a read-only transport). Messages name the endpoint.
  virtual absl::StatusOr<HttpResponse> Perform(const HttpRequest& request) = 0;

  // PerformMany sends several requests concurrently and calls
  // `on_response(index, result)` once per request, in completion order, as
  // each finishes (so bodies can be parsed and dropped one by one).
  using OnResponse =
      absl::FunctionRef<void(size_t index, absl::StatusOr<HttpResponse>)>;
  virtual void PerformMany(absl::Span<const HttpRequest> requests,
                           OnResponse on_response) = 0;

  // host returns the endpoint, e.g. "unix:///var/run/docker.sock".
  virtual const std::string& host() const = 0;
};

}  // namespace dgc

#endif  // DGC_ENGINE_TRANSPORT_H_
