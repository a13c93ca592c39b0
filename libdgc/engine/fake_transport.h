// FakeTransport: a test-only Transport that answers from a table instead of
// an engine, so EngineClient and Executor can be tested without dockerd.
//
// Each (method, path) is answered with a fixed status and body, or with a
// transport error (what CurlTransport returns when the engine cannot be
// reached). An answer can be scheduled to take over after the transport has
// performed N requests, so a test can script an engine that changes while
// the code under test talks to it (an image removed between the list and
// its inspect, a tag moved between a re-check and a delete). Every request
// performed is recorded in order; requests refused by the access check are
// recorded separately and never answered. Unknown routes get a 404 with an
// engine-style message and are recorded as unrouted.
//
// Example:
//   dgc::test_support::FakeTransport transport(dgc::Access::kReadWrite);
//   transport.On("GET", "/version", {.status = 200, .body = R"({...})"});
//   transport.OnAfter(3, "GET", "/v1.41/images/json?all=1",
//                     dgc::test_support::FakeAnswer::Json("[]"));
//   dgc::EngineClient client(transport);
//   ...
//   EXPECT_THAT(transport.RequestLines(),
//               ElementsAre("GET /version", "GET /v1.41/images/json?all=1"));
//
// Not thread-safe, like the transports it stands in for.
#ifndef DGC_ENGINE_FAKE_TRANSPORT_H_
#define DGC_ENGINE_FAKE_TRANSPORT_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "engine/retry_policy.h"
#include "engine/transport.h"

namespace dgc::test_support {

// One answer of the fake engine.
struct FakeAnswer {
  long status = 200;
  std::string body;
  // When not OK, the transport fails the request with this status instead
  // of answering (status and body are ignored).
  absl::Status error = absl::OkStatus();

  // Json returns a 200 answer with `body`.
  static FakeAnswer Json(std::string body);
  // Http returns an answer with any status and `body`.
  static FakeAnswer Http(long status, std::string body);
  // EngineError returns an answer with `status` and the engine's error body
  // {"message": `message`}.
  static FakeAnswer EngineError(long status, std::string_view message);
  // Fail returns a transport error.
  static FakeAnswer Fail(absl::Status error);
};

class FakeTransport : public Transport {
 public:
  explicit FakeTransport(Access access = Access::kReadWrite,
                         std::string host = "unix:///var/run/docker.sock");

  // On sets the answer to `method path` (the path as sent, with version
  // prefix and query), replacing every earlier answer to it.
  void On(std::string method, std::string path, FakeAnswer answer);
  // OnAfter schedules `answer` to `method path` once `performed` requests
  // (to any path) have been performed, so the request numbered
  // performed+1, counting from 1, is the first to see it. It does not
  // remove earlier answers: the schedule reached last wins.
  void OnAfter(size_t performed, std::string method, std::string path,
               FakeAnswer answer);
  // OnAfterCalls schedules `answer` to `method path` once that same route
  // has been requested `calls` times (so its call number calls+1 is the
  // first to see it), whatever else was requested in between.
  void OnAfterCalls(size_t calls, std::string method, std::string path,
                    FakeAnswer answer);

  // When set, PerformMany reports responses in reverse order of the
  // requests (as if the last one finished first); the default is in order.
  void set_reverse_completion(bool on) { reverse_completion_ = on; }
  // When set (> 0), PerformMany keeps at most this many requests in flight
  // as a real transport does: it performs that many, then one more after
  // each answer (in order), so a batch stopped early sends no more. The
  // default (0) performs every request before the first answer.
  void set_max_in_flight(size_t n) { max_in_flight_ = n; }

  // Requests performed (and answered, routed or not), in order.
  const std::vector<HttpRequest>& requests() const { return requests_; }
  // RequestLines returns requests() as "METHOD path" lines.
  std::vector<std::string> RequestLines() const;
  // Requests refused because the transport is read-only ("METHOD path").
  const std::vector<std::string>& refused() const { return refused_; }
  // Requests no answer was set for ("METHOD path").
  const std::vector<std::string>& unrouted() const { return unrouted_; }
  // Count returns how many times `method path` was performed.
  size_t Count(std::string_view method, std::string_view path) const;
  // ClearRecords forgets requests, refusals and unrouted requests; not the
  // answers, nor the counts that OnAfter and OnAfterCalls are measured by.
  void ClearRecords();
  // performed returns the number of requests performed since construction.
  size_t performed() const { return performed_; }

  const std::string& host() const override { return host_; }

 protected:
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;
  void SendMany(absl::Span<const HttpRequest> requests,
                OnResponse on_response) override;
  void Refused(const HttpRequest& request) override;

 private:
  struct Scheduled {
    // Answers once this many requests were performed (or, when
    // `per_route`, this many to the same route).
    size_t after = 0;
    bool per_route = false;
    FakeAnswer answer;
    // The number of requests performed when it took over (set when first
    // used for per-route schedules).
    std::optional<size_t> reached{};
  };
  using Route = std::pair<std::string, std::string>;  // method, path

  void Schedule(Route route, Scheduled scheduled);

  std::string host_;
  std::map<Route, std::vector<Scheduled>> answers_;
  std::map<Route, size_t> route_calls_;
  bool reverse_completion_ = false;
  size_t max_in_flight_ = 0;
  size_t performed_ = 0;
  std::vector<HttpRequest> requests_;
  std::vector<std::string> refused_;
  std::vector<std::string> unrouted_;
};

// NoWaitRetry returns the default RetryPolicy without its waits, so that
// tests of retried requests take no time.
inline RetryPolicy NoWaitRetry() {
  return RetryPolicy{.first_wait = absl::ZeroDuration()};
}

// ServeRecordedEngine makes `transport` answer, at the versioned paths of
// API `api` ("/v1.41/..."), every GET that EngineClient::FetchBodies sends,
// with the bodies recorded from Docker 20.10.24 (core/testdata/api-1.41);
// not /version, which the caller serves. Errors: a recorded file missing.
absl::Status ServeRecordedEngine(FakeTransport& transport,
                                 std::string_view api = "1.41");

}  // namespace dgc::test_support

#endif  // DGC_ENGINE_FAKE_TRANSPORT_H_
