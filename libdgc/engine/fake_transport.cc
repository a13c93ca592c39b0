// FakeTransport: a table-driven Transport for tests (see fake_transport.h).
#include "engine/fake_transport.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/json_writer.h"
#include "core/test_inventory.h"

namespace dgc::test_support {
namespace {

std::string Line(const HttpRequest& request) {
  return request.method + " " + request.path;
}

}  // namespace

FakeAnswer FakeAnswer::Json(std::string body) {
  return Http(200, std::move(body));
}

FakeAnswer FakeAnswer::Http(long status, std::string body) {
  FakeAnswer answer;
  answer.status = status;
  answer.body = std::move(body);
  return answer;
}

FakeAnswer FakeAnswer::EngineError(long status, std::string_view message) {
  std::string body = "{\"message\":";
  AppendJsonString(message, &body);
  return Http(status, body + "}\n");
}

FakeAnswer FakeAnswer::Fail(absl::Status error) {
  FakeAnswer answer;
  answer.status = 0;
  answer.error = std::move(error);
  return answer;
}

FakeTransport::FakeTransport(Access access, std::string host)
    : Transport(access), host_(std::move(host)) {}

void FakeTransport::On(std::string method, std::string path,
                       FakeAnswer answer) {
  Route route = {std::move(method), std::move(path)};
  answers_[route].clear();
  Schedule(std::move(route),
           {.after = 0, .per_route = false, .answer = std::move(answer)});
}

void FakeTransport::OnAfter(size_t performed, std::string method,
                            std::string path, FakeAnswer answer) {
  Schedule(
      {std::move(method), std::move(path)},
      {.after = performed, .per_route = false, .answer = std::move(answer)});
}

void FakeTransport::OnAfterCalls(size_t calls, std::string method,
                                 std::string path, FakeAnswer answer) {
  Schedule({std::move(method), std::move(path)},
           {.after = calls, .per_route = true, .answer = std::move(answer)});
}

void FakeTransport::Schedule(Route route, Scheduled scheduled) {
  if (!scheduled.per_route) scheduled.reached = scheduled.after;
  answers_[std::move(route)].push_back(std::move(scheduled));
}

std::vector<std::string> FakeTransport::RequestLines() const {
  std::vector<std::string> lines;
  lines.reserve(requests_.size());
  for (const HttpRequest& request : requests_) lines.push_back(Line(request));
  return lines;
}

size_t FakeTransport::Count(std::string_view method,
                            std::string_view path) const {
  return static_cast<size_t>(std::count_if(
      requests_.begin(), requests_.end(), [&](const HttpRequest& request) {
        return request.method == method && request.path == path;
      }));
}

void FakeTransport::ClearRecords() {
  requests_.clear();
  refused_.clear();
  unrouted_.clear();
}

void FakeTransport::Refused(const HttpRequest& request) {
  refused_.push_back(Line(request));
}

absl::StatusOr<HttpResponse> FakeTransport::Send(const HttpRequest& request) {
  // The answer in force for this request: of the schedules reached, the
  // one reached last (on a tie, the one set last).
  Route key = {request.method, request.path};
  size_t& calls = route_calls_[key];
  const FakeAnswer* answer = nullptr;
  size_t answer_reached = 0;
  auto route = answers_.find(key);
  if (route != answers_.end()) {
    for (Scheduled& scheduled : route->second) {
      if (scheduled.after > (scheduled.per_route ? calls : performed_)) {
        continue;
      }
      // A per-route schedule takes over with the first call that sees it.
      if (!scheduled.reached.has_value()) {
        scheduled.reached = scheduled.after == 0 ? 0 : performed_;
      }
      if (answer == nullptr || *scheduled.reached >= answer_reached) {
        answer = &scheduled.answer;
        answer_reached = *scheduled.reached;
      }
    }
  }
  ++calls;
  ++performed_;
  requests_.push_back(request);
  if (answer == nullptr) {
    unrouted_.push_back(Line(request));
    HttpResponse response;
    response.status = 404;
    response.body.Append(absl::StrFormat(
        "{\"message\":\"page not found: the fake engine has no answer to "
        "%s %s\"}",
        request.method, request.path));
    return response;
  }
  if (!answer->error.ok()) return answer->error;
  HttpResponse response;
  response.status = answer->status;
  response.body.Append(answer->body);
  return response;
}

void FakeTransport::SendMany(absl::Span<const HttpRequest> requests,
                             OnResponse on_response) {
  if (max_in_flight_ > 0 && !reverse_completion_) {
    std::deque<std::pair<size_t, absl::StatusOr<HttpResponse>>> in_flight;
    size_t next = 0;
    while (next < requests.size() || !in_flight.empty()) {
      while (next < requests.size() && in_flight.size() < max_in_flight_) {
        in_flight.emplace_back(next, Send(requests[next]));
        ++next;
      }
      auto [index, result] = std::move(in_flight.front());
      in_flight.pop_front();
      if (!on_response(index, std::move(result))) return;
    }
    return;
  }
  // All requests are performed (and recorded) in order first, as a real
  // transport sends them all before the answers come back.
  std::vector<absl::StatusOr<HttpResponse>> results;
  results.reserve(requests.size());
  for (const HttpRequest& request : requests) {
    results.push_back(Send(request));
  }
  for (size_t n = 0; n < results.size(); ++n) {
    size_t index = reverse_completion_ ? results.size() - 1 - n : n;
    if (!on_response(index, std::move(results[index]))) return;
  }
}

absl::Status ServeRecordedEngine(FakeTransport& transport,
                                 std::string_view api) {
  constexpr std::string_view kRecorded = "api-1.41";
  std::string failure;
  auto recorded = [&](std::string_view file) {
    absl::StatusOr<std::string> text =
        ReadTestdata(absl::StrFormat("%s/%s", kRecorded, file));
    if (!text.ok() && failure.empty()) failure = text.status().ToString();
    return FakeAnswer::Json(text.ok() ? *text : "");
  };
  std::string v = absl::StrFormat("/v%s", api);
  transport.On("GET", v + "/images/json?all=1", recorded("images.json"));
  transport.On("GET", v + "/containers/json?all=1",
               recorded("containers.json"));
  transport.On("GET", v + "/info", recorded("info.json"));
  transport.On("GET", v + "/system/df", recorded("system_df.json"));
  transport.On("GET", v + "/system/df?type=image", recorded("system_df.json"));
  absl::StatusOr<EngineBodies> bodies = RecordedBodies(kRecorded);
  if (!bodies.ok()) return bodies.status();
  for (const ImageSummary& image : bodies->images) {
    std::string hex12 = image.id.substr(7, 12);
    transport.On("GET", v + "/images/" + image.id + "/json",
                 recorded("inspect_" + hex12 + ".json"));
    transport.On("GET", v + "/images/" + image.id + "/history",
                 recorded("history_" + hex12 + ".json"));
  }
  for (const ContainerSummary& container : bodies->containers) {
    if (!NeedsContainerDetails(container.state)) continue;
    transport.On("GET", v + "/containers/" + container.id + "/json",
                 recorded("container_" + container.id.substr(0, 12) + ".json"));
  }
  if (!failure.empty()) return absl::NotFoundError(failure);
  return absl::OkStatus();
}

}  // namespace dgc::test_support
