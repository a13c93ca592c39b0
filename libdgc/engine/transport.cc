// The access rule and request tracing every transport inherits (see
// transport.h).
#include "engine/transport.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"

namespace dgc {
std::string DescribeRequest(const HttpRequest& request) {
  constexpr size_t kMaxPath = 200;
  std::string path = request.path.substr(0, kMaxPath);
  if (request.path.size() > kMaxPath) path += "...";
  return request.method + " " + path;
}

absl::Status Transport::CheckAllowed(const HttpRequest& request) {
  if (access_ == Access::kReadWrite || request.method == "GET") {
    return absl::OkStatus();
  }
  Refused(request);
  return absl::FailedPreconditionError(
      absl::StrFormat("refusing %s: this connection to %s is read-only",
                      DescribeRequest(request), host()));
}

void Transport::Trace(const HttpRequest& request,
                      const absl::StatusOr<HttpResponse>& result) const {
  if (!trace_) return;
  if (!result.ok()) {
    trace_(absl::StrFormat("%s: %s", DescribeRequest(request),
                           result.status().message()));
    return;
  }
  trace_(absl::StrFormat(
      "%s: HTTP %d, %d bytes, %.1fms", DescribeRequest(request), result->status,
      result->body.view().size(), absl::ToDoubleMilliseconds(result->elapsed)));
}

absl::StatusOr<HttpResponse> Transport::Perform(const HttpRequest& request) {
  if (absl::Status allowed = CheckAllowed(request); !allowed.ok()) {
    Trace(request, allowed);
    return allowed;
  }
  absl::Time start = absl::Now();
  absl::StatusOr<HttpResponse> result = Send(request);
  if (result.ok() && result->elapsed == absl::ZeroDuration()) {
    result->elapsed = absl::Now() - start;
  }
  Trace(request, result);
  return result;
}

void Transport::PerformMany(absl::Span<const HttpRequest> requests,
                            OnResponse on_response) {
  bool all_allowed = access_ == Access::kReadWrite ||
                     std::all_of(requests.begin(), requests.end(),
                                 [](const HttpRequest& request) {
                                   return request.method == "GET";
                                 });
  if (all_allowed) {
    SendMany(requests, [&](size_t index, absl::StatusOr<HttpResponse> result) {
      Trace(requests[index], result);
      return on_response(index, std::move(result));
    });
    return;
  }
  std::vector<HttpRequest> allowed;
  std::vector<size_t> original;  // allowed[i] is requests[original[i]]
  for (size_t i = 0; i < requests.size(); ++i) {
    if (absl::Status status = CheckAllowed(requests[i]); !status.ok()) {
      Trace(requests[i], status);
      if (!on_response(i, status)) return;
      continue;
    }
    allowed.push_back(requests[i]);
    original.push_back(i);
  }
  if (allowed.empty()) return;
  SendMany(allowed, [&](size_t index, absl::StatusOr<HttpResponse> result) {
    Trace(allowed[index], result);
    return on_response(original[index], std::move(result));
  });
}

}  // namespace dgc
