// HTTP to the engine, behind a small interface so that the engine client
// can run against the real libcurl transport or against recorded bodies.
//
// A transport is made for reading or for reading and writing. The rule that
// a read-only transport sends nothing but GET is enforced here, once, in
// the non-virtual Perform and PerformMany that every transport inherits:
// an implementation only ever sees the requests it may send, so a code path
// that only holds a read-only transport (as `plan` and `df` do) cannot
// change the engine, whatever transport it is.
//
// Example:
//   std::unique_ptr<dgc::Transport> transport = ...;
//   absl::StatusOr<dgc::HttpResponse> r =
//       transport->Perform({.method = "GET", .path = "/version"});
#ifndef DGC_ENGINE_TRANSPORT_H_
#define DGC_ENGINE_TRANSPORT_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
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
  // How long the request took, from sending to the last byte.
  absl::Duration elapsed = absl::ZeroDuration();
};

// DescribeRequest returns "GET /v1.41/images/json" for messages, with very
// long paths shortened.
std::string DescribeRequest(const HttpRequest& request);

// Receives one line per request performed (for -D/--debug): method, path,
// status, size and time, or the error.
using RequestTrace = std::function<void(std::string_view line)>;

class Transport {
 public:
  explicit Transport(Access access) : access_(access) {}
  virtual ~Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Perform sends one request and returns the complete response, whatever
  // its status. Errors: FailedPrecondition for a method other than GET on
  // a read-only transport (nothing is sent); Unavailable (cannot connect,
  // connection lost, truncated response), PermissionDenied (socket not
  // accessible), DeadlineExceeded (no answer in time). Messages name the
  // endpoint.
  absl::StatusOr<HttpResponse> Perform(const HttpRequest& request);

  // PerformMany sends several requests concurrently and calls
  // `on_response(index, result)` at most once per request, in completion
  // order, as each finishes (so bodies can be parsed and dropped one by
  // one). `on_response` returns whether to go on: false stops the batch at
  // once (no further request is sent; those in flight are dropped
  // unanswered), as after the first failure nothing else is needed. A
  // request refused by the read-only rule is answered at once with its
  // error; the others are still sent unless that answer stops the batch.
  using OnResponse =
      absl::FunctionRef<bool(size_t index, absl::StatusOr<HttpResponse>)>;
  void PerformMany(absl::Span<const HttpRequest> requests,
                   OnResponse on_response);

  // host returns the endpoint, e.g. "unix:///var/run/docker.sock".
  virtual const std::string& host() const = 0;

  Access access() const { return access_; }

  // set_trace makes every later request reported to `trace` (empty: none).
  void set_trace(RequestTrace trace) { trace_ = std::move(trace); }

 protected:
  // Send and SendMany do the I/O of Perform and PerformMany, for requests
  // the access rule allows; same contracts.
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
  virtual void SendMany(absl::Span<const HttpRequest> requests,
                        OnResponse on_response) = 0;
  // Refused is told of each request the read-only rule refused.
  virtual void Refused(const HttpRequest& request) { (void)request; }

 private:
  absl::Status CheckAllowed(const HttpRequest& request);
  void Trace(const HttpRequest& request,
             const absl::StatusOr<HttpResponse>& result) const;

  Access access_;
  RequestTrace trace_;
};

}  // namespace dgc

#endif  // DGC_ENGINE_TRANSPORT_H_
