// The Docker Engine API calls libdgc makes (see engine_client.h).
#include "engine/engine_client.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "core/error_code.h"
#include "core/json_reader.h"
#include "core/json_writer.h"
#include "core/safe_text.h"
#include "core/string_views.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

// How long a request waits while the engine computes the disk usage another
// client asked for (it computes one at a time).
constexpr absl::Duration kDiskUsageWait = absl::Seconds(60);

// Whether the engine refused because it is computing disk usage already.
bool DiskUsageBusy(const HttpResponse& response) {
  return response.status == 500 &&
         absl::StrContains(ToAbsl(response.body.view()),
                           "a disk usage operation is already running");
}

struct ApiVersion {
  int major = 0;
  int minor = 0;
};

ApiVersion ParseApiVersion(std::string_view text) {
  ApiVersion version;
  const char* end = text.data() + text.size();
  auto [dot, error] = std::from_chars(text.data(), end, version.major);
  if (error != std::errc() || dot == end || *dot != '.') return {};
  if (std::from_chars(dot + 1, end, version.minor).ec != std::errc()) {
    return {};
  }
  return version;
}

// The engine's error bodies are {"message": "..."}.
std::string EngineMessage(simdjson::ondemand::parser& parser,
                          const PaddedBody& body) {
  std::string message;
  absl::Status status = ParseDocument(parser, body, [&](value& root) {
    return ForEachField(root, [&](std::string_view key, value& f) {
      if (key == "message") return ReadString(f, key, &message);
      return absl::OkStatus();
    });
  });
  if (!status.ok() || message.empty()) return TerminalSafe(body.view(), 120);
  return message;
}

// Image names go into paths: escape everything but what a reference uses.
std::string EscapeName(std::string_view name) {
  std::string escaped;
  for (char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                 c == '/' || c == ':' || c == '@';
    if (plain) {
      escaped.push_back(c);
    } else {
      escaped += absl::StrFormat("%%%02X", static_cast<unsigned char>(c));
    }
  }
  return escaped;
}

// FiltersQuery returns the query parameter filters={"<key>":["<value>"]},
// URL-encoded (`key` is one of the engine's filter names).
std::string FiltersQuery(std::string_view key, std::string_view value) {
  std::string quoted;  // the JSON string, quotes and escapes included
  AppendJsonString(value, &quoted);
  return absl::StrFormat("filters=%%7B%%22%s%%22%%3A%%5B%s%%5D%%7D", key,
                         EscapeName(quoted));
}

// CheckBuildCacheRecordId accepts letters and digits only: the engine
// matches the `id` filter as a regular expression, and these match
// themselves.
absl::Status CheckBuildCacheRecordId(std::string_view id) {
  bool valid = !id.empty() && id.size() <= 255;
  for (char c : id) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9'));
  }
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "\"%s\" is not a build cache record ID (letters and digits)",
      TerminalSafe(id, 80)));
}

// The body of POST /build/prune.
absl::Status ParseBuildCachePruned(value& v, BuildCachePruned* out) {
  bool has_space_reclaimed = false;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "CachesDeleted") return ReadStringArray(f, key, &out->deleted);
    if (key == "SpaceReclaimed") {
      int64_t bytes = 0;
      if (absl::Status s = ReadInt(f, key, &bytes); !s.ok()) return s;
      if (bytes < 0) {
        return absl::InvalidArgumentError(
            "field \"SpaceReclaimed\": negative size");
      }
      has_space_reclaimed = true;
      out->space_reclaimed = static_cast<uint64_t>(bytes);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!has_space_reclaimed) {
    return absl::InvalidArgumentError("missing field \"SpaceReclaimed\"");
  }
  return absl::OkStatus();
}

absl::StatusCode CodeForHttpStatus(long status) {
  switch (status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kFailedPrecondition;
    // The engine answered: an error of its own, not an engine out of reach
    // (Unavailable is kept for transport failures).
    default:
      return absl::StatusCode::kInternal;
  }
}

}  // namespace

int CompareApiVersions(std::string_view a, std::string_view b) {
  ApiVersion x = ParseApiVersion(a), y = ParseApiVersion(b);
  if (x.major != y.major) return x.major < y.major ? -1 : 1;
  if (x.minor != y.minor) return x.minor < y.minor ? -1 : 1;
  return 0;
}

std::string EngineClient::VersionedPath(std::string_view path) const {
  return absl::StrFormat("/v%s%s", api_version_, path);
}

absl::Status EngineClient::ResponseError(std::string_view method,
                                         std::string_view path,
                                         const HttpResponse& response) const {
  if (response.status >= 200 && response.status < 300) {
    return absl::OkStatus();
  }
  // The parser is only used for a small error body here; a const method
  // keeps callers simple, so use a local parser.
  simdjson::ondemand::parser parser;
  absl::StatusCode code = CodeForHttpStatus(response.status);
  absl::Status error(
      code,
      absl::StrFormat("the Docker engine at %s answered %s %s with HTTP %d: %s",
                      host(), method, path, response.status,
                      EngineMessage(parser, response.body)));
  // 404, 409 and 401/403 say what is wrong with the request; anything else
  // is the engine's own failure, which its caller cannot fix.
  bool engine_failure = code == absl::StatusCode::kInternal ||
                        code == absl::StatusCode::kInvalidArgument;
  return engine_failure ? WithErrorCode(error, ErrorCode::kEngine) : error;
}

absl::Status EngineClient::BodyError(std::string_view method,
                                     std::string_view path,
                                     const absl::Status& status) const {
  return WithErrorCode(
      absl::InvalidArgumentError(absl::StrFormat(
          "the Docker engine at %s sent an invalid response to %s %s: %s",
          host(), method, path, status.message())),
      ErrorCode::kProtocol);
}

absl::StatusOr<HttpResponse> EngineClient::Get(std::string_view path) {
  return Send("GET", VersionedPath(path));
}

absl::StatusOr<HttpResponse> EngineClient::Send(std::string_view method,
                                                const std::string& full_path) {
  HttpRequest request{.method = std::string(method), .path = full_path};
  absl::StatusOr<HttpResponse> response = transport_.Perform(request);
  int attempt = 1;
  // The engine computes one disk usage at a time and refuses the others
  // (another docker gc, a `docker system df`): wait for it, a while.
  absl::Duration wait = absl::Milliseconds(50), waited;
  for (;;) {
    if (response.ok() && DiskUsageBusy(*response) && waited < kDiskUsageWait) {
      absl::SleepFor(wait);
      waited += wait;
      wait = std::min(2 * wait, absl::Seconds(1));
    } else if (attempt < retry_.attempts &&
               RetryPolicy::Retryable(request, response)) {
      absl::SleepFor(retry_.WaitBefore(++attempt));
    } else {
      break;
    }
    response = transport_.Perform(request);
  }
  response = GiveUp(request, std::move(response), attempt);
  if (!response.ok()) return response.status();
  if (absl::Status error = ResponseError(method, full_path, *response);
      !error.ok()) {
    return error;
  }
  return response;
}

void EngineClient::SendMany(absl::Span<const HttpRequest> requests,
                            Transport::OnResponse on_response) {
  // Each round sends what the last one found retryable: `batch` holds
  // those requests (the first round sends `requests` as they are), and
  // `pending[i]` is the index in `requests` of the batch's request i.
  std::vector<size_t> pending;
  std::vector<HttpRequest> batch;
  absl::Span<const HttpRequest> sending = requests;
  for (int attempt = 1;; ++attempt) {
    std::vector<size_t> again;
    bool go_on = true;
    transport_.PerformMany(
        sending, [&](size_t i, absl::StatusOr<HttpResponse> response) {
          size_t index = attempt == 1 ? i : pending[i];
          if (attempt < retry_.attempts &&
              RetryPolicy::Retryable(requests[index], response)) {
            again.push_back(index);
            return true;
          }
          go_on = on_response(
              index, GiveUp(requests[index], std::move(response), attempt));
          return go_on;
        });
    if (!go_on || again.empty()) return;
    absl::SleepFor(retry_.WaitBefore(attempt + 1));
    std::sort(again.begin(), again.end());
    pending = std::move(again);
    batch.clear();
    for (size_t index : pending) batch.push_back(requests[index]);
    sending = batch;
  }
}

absl::StatusOr<HttpResponse> EngineClient::GiveUp(
    const HttpRequest& request, absl::StatusOr<HttpResponse> response,
    int attempts) const {
  if (attempts == 1 || !RetryPolicy::Retryable(request, response)) {
    return response;
  }
  if (!response.ok()) return AfterAttempts(response.status(), attempts);
  return AfterAttempts(ResponseError(request.method, request.path, *response),
                       attempts);
}

absl::StatusOr<HttpResponse> EngineClient::Call(
    std::string_view method, const std::string& full_path,
    absl::FunctionRef<absl::Status(value&)> parse) {
  absl::StatusOr<HttpResponse> response = Send(method, full_path);
  if (!response.ok()) return response;
  if (absl::Status parsed = ParseDocument(parser_, response->body, parse);
      !parsed.ok()) {
    return BodyError(method, full_path, parsed);
  }
  return response;
}

template <typename Body>
std::vector<absl::StatusOr<Body>> EngineClient::CallMany(
    absl::Span<const HttpRequest> requests,
    absl::Status (*parse)(value&, Body*)) {
  std::vector<absl::StatusOr<Body>> results(
      requests.size(), absl::InternalError("not answered"));
  SendMany(requests, [&](size_t i, absl::StatusOr<HttpResponse> response) {
    const HttpRequest& request = requests[i];
    if (!response.ok()) {
      results[i] = response.status();
    } else if (absl::Status error =
                   ResponseError(request.method, request.path, *response);
               !error.ok()) {
      results[i] = error;
    } else {
      Body body;
      absl::Status parsed = ParseDocument(
          parser_, response->body, [&](value& v) { return parse(v, &body); });
      results[i] = parsed.ok()
                       ? absl::StatusOr<Body>(std::move(body))
                       : BodyError(request.method, request.path, parsed);
    }
    return true;
  });
  return results;
}

std::vector<absl::StatusOr<ImageInspect>> EngineClient::InspectImages(
    absl::Span<const std::string> names) {
  std::vector<HttpRequest> requests;
  requests.reserve(names.size());
  for (const std::string& name : names) {
    requests.push_back(
        {.path = VersionedPath("/images/" + EscapeName(name) + "/json")});
  }
  return CallMany(requests, &ParseImageInspect);
}

std::vector<absl::StatusOr<DeleteResponse>> EngineClient::DeleteImages(
    absl::Span<const ImageDeletion> deletions) {
  std::vector<HttpRequest> requests;
  requests.reserve(deletions.size());
  for (const ImageDeletion& deletion : deletions) {
    std::string path = VersionedPath("/images/" + EscapeName(deletion.name));
    if (!deletion.prune) path += "?noprune=1";
    requests.push_back({.method = "DELETE", .path = std::move(path)});
  }
  return CallMany(requests, &ParseDeleteResponse);
}

absl::StatusOr<ImageInspect> EngineClient::InspectImage(std::string_view name) {
  ImageInspect inspect;
  absl::StatusOr<HttpResponse> response =
      Call("GET", VersionedPath("/images/" + EscapeName(name) + "/json"),
           [&](value& v) { return ParseImageInspect(v, &inspect); });
  if (!response.ok()) return response.status();
  return inspect;
}

absl::StatusOr<std::vector<ImageSummary>> EngineClient::ListImages() {
  std::vector<ImageSummary> images;
  absl::StatusOr<HttpResponse> response =
      Call("GET", VersionedPath("/images/json?all=1"),
           [&](value& v) { return ParseImageList(v, &images); });
  if (!response.ok()) return response.status();
  return images;
}

absl::StatusOr<std::vector<ContainerSummary>> EngineClient::ListContainers() {
  std::vector<ContainerSummary> containers;
  absl::StatusOr<HttpResponse> response =
      Call("GET", VersionedPath("/containers/json?all=1"),
           [&](value& v) { return ParseContainerList(v, &containers); });
  if (!response.ok()) return response.status();
  return containers;
}

absl::StatusOr<std::vector<ContainerSummary>> EngineClient::ContainersOf(
    std::string_view id) {
  return ContainersFiltered("ancestor", id);
}

absl::StatusOr<std::vector<ContainerSummary>> EngineClient::ContainersFiltered(
    std::string_view filter, std::string_view wanted) {
  std::string path = "/containers/json?all=1&" + FiltersQuery(filter, wanted);
  std::vector<ContainerSummary> containers;
  absl::StatusOr<HttpResponse> response =
      Call("GET", VersionedPath(path),
           [&](value& v) { return ParseContainerList(v, &containers); });
  if (!response.ok()) return response.status();
  return containers;
}

absl::StatusOr<DeleteResponse> EngineClient::DeleteImage(std::string_view name,
                                                         bool prune) {
  std::string path = VersionedPath("/images/" + EscapeName(name));
  if (!prune) path += "?noprune=1";
  DeleteResponse deleted;
  absl::StatusOr<HttpResponse> response = Call("DELETE", path, [&](value& v) {
    return ParseDeleteResponse(v, &deleted);
  });
  if (!response.ok()) return response.status();
  return deleted;
}

absl::StatusOr<int64_t> EngineClient::LayersSize() {
  std::string path = CompareApiVersions(api_version_, "1.42") >= 0
                         ? "/system/df?type=image"
                         : "/system/df";
  SystemDfBody df;
  absl::StatusOr<HttpResponse> response =
      Call("GET", VersionedPath(path),
           [&](value& v) { return ParseSystemDf(v, &df); });
  if (!response.ok()) return response.status();
  return df.layers_size;
}

absl::StatusOr<ContainerInspect> EngineClient::InspectContainer(
    std::string_view id) {
  if (absl::Status valid = CheckEngineName(id, "container"); !valid.ok()) {
    return valid;
  }
  ContainerInspect inspect;
  absl::StatusOr<HttpResponse> response =
      Call("GET", VersionedPath(absl::StrFormat("/containers/%s/json", id)),
           [&](value& v) { return ParseContainerInspect(v, &inspect); });
  if (!response.ok()) return response.status();
  return inspect;
}

absl::Status EngineClient::RemoveContainer(std::string_view id) {
  return RemoveNamed("containers", "container", id);
}

absl::Status EngineClient::RemoveNamed(std::string_view collection,
                                       std::string_view field,
                                       std::string_view name) {
  if (absl::Status valid = CheckEngineName(name, field); !valid.ok()) {
    return valid;
  }
  // 204 without a body: nothing to read.
  return Send("DELETE",
              VersionedPath(absl::StrFormat("/%s/%s", collection, name)))
      .status();
}

absl::StatusOr<std::vector<ContainerSummary>> EngineClient::ContainersMounting(
    std::string_view name) {
  if (absl::Status valid = CheckEngineName(name, "volume"); !valid.ok()) {
    return valid;
  }
  return ContainersFiltered("volume", name);
}

absl::Status EngineClient::RemoveVolume(std::string_view name) {
  return RemoveNamed("volumes", "volume", name);
}

absl::StatusOr<BuildCachePruned> EngineClient::PruneBuildCache(
    std::string_view record_id) {
  if (absl::Status valid = CheckBuildCacheRecordId(record_id); !valid.ok()) {
    return valid;
  }
  if (CompareApiVersions(api_version_, kMinBuildPruneApiVersion) < 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "the Docker engine at %s speaks API %s: pruning one build cache "
        "record needs %s or newer (older engines ignore the filter and prune "
        "every unused record)",
        host(), api_version_, kMinBuildPruneApiVersion));
  }
  std::string path = "/build/prune?" + FiltersQuery("id", record_id);
  BuildCachePruned pruned;
  absl::StatusOr<HttpResponse> response =
      Call("POST", VersionedPath(path),
           [&](value& v) { return ParseBuildCachePruned(v, &pruned); });
  if (!response.ok()) return response.status();
  return pruned;
}

absl::Status EngineClient::Connect() {
  // Unversioned: the engine's version is what is being asked.
  VersionBody version;
  absl::StatusOr<HttpResponse> response = Call(
      "GET", "/version", [&](value& v) { return ParseVersion(v, &version); });
  if (!response.ok()) return response.status();
  if (CompareApiVersions(version.api_version, kMinApiVersion) < 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "the Docker engine at %s speaks API %s; docker gc needs %s or newer",
        host(), version.api_version, kMinApiVersion));
  }
  if (!version.min_api_version.empty() &&
      CompareApiVersions(version.min_api_version, kMaxApiVersion) > 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "the Docker engine at %s requires API %s or newer; docker gc speaks "
        "up to %s",
        host(), version.min_api_version, kMaxApiVersion));
  }
  api_version_ = CompareApiVersions(version.api_version, kMaxApiVersion) < 0
                     ? version.api_version
                     : std::string(kMaxApiVersion);
  version_ = std::move(version);
  version_body_ = std::move(response->body);
  return absl::OkStatus();
}

absl::StatusOr<EngineBodies> EngineClient::FetchBodies(
    const FetchOptions& options) {
  if (api_version_.empty()) {
    if (absl::Status status = Connect(); !status.ok()) return status;
  }
  // A snapshot must be self-consistent: when an image vanishes between the
  // list and its details, read everything again.
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<EngineBodies> bodies = FetchOnce(options);
    if (!bodies.ok() || options.raw == nullptr || bodies->warnings.empty()) {
      return bodies;
    }
    if (attempt == kAttempts) {
      return absl::UnavailableError(absl::StrFormat(
          "the images of the Docker engine at %s kept changing while docker "
          "gc read them (%d attempts): try again",
          host(), kAttempts));
    }
    *options.raw = RawEngineBodies();
  }
}

absl::StatusOr<EngineBodies> EngineClient::FetchOnce(
    const FetchOptions& options) {
  EngineBodies bodies;
  bodies.host = host();
  bodies.captured_at = absl::Now();
  bodies.version = version_;

  // All of /system/df: images, containers' writable layers, volumes and
  // build cache are all a policy may reclaim.
  std::string df_path = "/system/df";
  std::vector<HttpRequest> requests = {
      {.path = VersionedPath("/images/json?all=1")},
      {.path = VersionedPath("/containers/json?all=1")},
      {.path = VersionedPath("/info")},
  };
  if (options.system_df) requests.push_back({.path = VersionedPath(df_path)});

  absl::Status status;
  bool df_busy = false;
  RawEngineBodies* raw = options.raw;
  auto handle = [&](size_t index, absl::StatusOr<HttpResponse> response) {
    const std::string& path = requests[index].path;
    if (!response.ok()) {
      status = response.status();
      return;
    }
    if (index == 3 && DiskUsageBusy(*response)) {
      df_busy = true;  // asked again below, once the engine is free
      return;
    }
    if (status = ResponseError("GET", path, *response); !status.ok()) return;
    absl::Status parsed = ParseDocument(parser_, response->body, [&](value& v) {
      switch (index) {
        case 0:
          return ParseImageList(v, &bodies.images);
        case 1:
          return ParseContainerList(v, &bodies.containers);
        case 2:
          return ParseInfo(v, &bodies.info.emplace());
        default:
          return ParseSystemDf(v, &bodies.system_df.emplace());
      }
    });
    if (!parsed.ok()) {
      status = BodyError("GET", path, parsed);
      return;
    }
    if (raw == nullptr) return;
    PaddedBody* keep[] = {&raw->images, &raw->containers, &raw->info,
                          &raw->system_df};
    *keep[index] = std::move(response->body);
  };
  // The first failure stops the batch: nothing else is needed.
  SendMany(requests, [&](size_t index, absl::StatusOr<HttpResponse> response) {
    handle(index, std::move(response));
    return status.ok();
  });
  if (!status.ok()) return status;
  if (df_busy) {
    absl::StatusOr<HttpResponse> df =
        Call("GET", requests[3].path, [&](value& v) {
          return ParseSystemDf(v, &bodies.system_df.emplace());
        });
    if (!df.ok()) return df.status();
    if (raw != nullptr) raw->system_df = std::move(df->body);
  }
  std::optional<DetailsCache> cache;
  if (!options.cache_directory.empty() && bodies.info.has_value()) {
    cache = DetailsCache::Load(options.cache_directory, bodies.info->id);
  }
  status = FetchDetails(&bodies, options, cache ? &*cache : nullptr);
  if (!status.ok()) return status;
  if (cache.has_value()) {
    if (absl::Status saved = cache->Save(); !saved.ok()) {
      bodies.warnings.push_back(absl::StrFormat(
          "images' details were not cached: %s", saved.message()));
    }
  }
  if (raw != nullptr) {
    raw->host = bodies.host;
    raw->captured_at = bodies.captured_at;
    raw->version = version_body_;
  }
  return bodies;
}

absl::Status EngineClient::FetchDetails(EngineBodies* bodies,
                                        const FetchOptions& options,
                                        DetailsCache* cache) {
  // Per image: its inspect and history, from the cache when it has them
  // for the tags the image lists now (an inspect only when the tags
  // changed), else from the engine.
  const size_t images = bodies->images.size();
  std::vector<PaddedBody> inspect_text(images), history_text(images);
  std::vector<bool> inspect_cached(images, false),
      history_cached(images, false);
  for (size_t i = 0; cache != nullptr && i < images; ++i) {
    const ImageSummary& image = bodies->images[i];
    const DetailsCache::Entry* hit = cache->Find(image.id);
    if (hit == nullptr) continue;
    ImageDetails& details = bodies->details[image.id];
    std::vector<std::string> tags = image.repo_tags;
    std::sort(tags.begin(), tags.end());
    // A cached body is used only if it parses, and an inspect only if it
    // is this image's: else the engine is asked.
    if (tags == hit->tags &&
        ParseDocument(
            parser_, hit->inspect,
            [&](value& v) { return ParseImageInspect(v, &details.inspect); })
            .ok() &&
        details.inspect.id == image.id) {
      inspect_text[i] = hit->inspect;
      inspect_cached[i] = true;
    } else {
      details.inspect = ImageInspect();
    }
    if (ParseDocument(parser_, hit->history, [&](value& v) {
          return ParseImageHistory(v, &details.history);
        }).ok()) {
      history_text[i] = hit->history;
      history_cached[i] = true;
    } else {
      details.history.clear();
    }
  }

  std::vector<HttpRequest> requests;
  struct Target {
    size_t image;  // index in bodies->images, or of a container below
    enum Kind { kInspect, kHistory, kContainer } kind;
  };
  std::vector<Target> targets;
  requests.reserve(2 * images);
  targets.reserve(2 * images);
  for (size_t i = 0; i < images; ++i) {
    const ImageSummary& image = bodies->images[i];
    if (!inspect_cached[i]) {
      requests.push_back(
          {.path = VersionedPath("/images/" + image.id + "/json")});
      targets.push_back({i, Target::kInspect});
    }
    if (!history_cached[i]) {
      requests.push_back(
          {.path = VersionedPath("/images/" + image.id + "/history")});
      targets.push_back({i, Target::kHistory});
    }
  }
  // Then the inspect of each container a policy may remove.
  std::vector<const ContainerSummary*> inspected;
  for (const ContainerSummary& container : bodies->containers) {
    if (!NeedsContainerDetails(container.state)) continue;
    targets.push_back({inspected.size(), Target::kContainer});
    inspected.push_back(&container);
    requests.push_back(
        {.path = VersionedPath("/containers/" + EscapeName(container.id) +
                               "/json")});
  }
  RawEngineBodies* raw = options.raw;
  std::vector<bool> vanished(images, false);
  absl::Status status;
  auto handle = [&](size_t index, absl::StatusOr<HttpResponse> response) {
    const std::string& path = requests[index].path;
    if (!response.ok()) {
      status = response.status();
      return;
    }
    const Target& target = targets[index];
    if (target.kind == Target::kContainer) {
      const ContainerSummary& container = *inspected[target.image];
      if (response->status == 404) {  // removed since the list was read
        bodies->warnings.push_back(absl::StrFormat(
            "container %s was removed while docker gc read the engine",
            container.id));
        return;
      }
      if (status = ResponseError("GET", path, *response); !status.ok()) return;
      ContainerInspect& details = bodies->container_details[container.id];
      absl::Status parsed = ParseDocument(
          parser_, response->body,
          [&](value& v) { return ParseContainerInspect(v, &details); });
      if (!parsed.ok()) {
        status = BodyError("GET", path, parsed);
        return;
      }
      if (raw != nullptr) {
        raw->container_details.push_back(
            {.id = container.id, .inspect = std::move(response->body)});
      }
      return;
    }
    bool is_inspect = target.kind == Target::kInspect;
    const ImageSummary& image = bodies->images[target.image];
    if (response->status == 404) {  // removed since the list was read
      vanished[target.image] = true;
      return;
    }
    if (status = ResponseError("GET", path, *response); !status.ok()) return;
    ImageDetails& details = bodies->details[image.id];
    absl::Status parsed = ParseDocument(parser_, response->body, [&](value& v) {
      return is_inspect ? ParseImageInspect(v, &details.inspect)
                        : ParseImageHistory(v, &details.history);
    });
    if (!parsed.ok()) {
      status = BodyError("GET", path, parsed);
      return;
    }
    (is_inspect ? inspect_text : history_text)[target.image] =
        std::move(response->body);
  };
  // The first failure stops the batch: nothing else is needed.
  SendMany(requests, [&](size_t index, absl::StatusOr<HttpResponse> response) {
    handle(index, std::move(response));
    return status.ok();
  });
  if (!status.ok()) return status;
  // Leave out the images that vanished; keep the bodies of the others.
  size_t kept_images = 0;
  if (raw != nullptr) raw->details.reserve(images);
  for (size_t i = 0; i < images; ++i) {
    ImageSummary& image = bodies->images[i];
    if (vanished[i]) {
      bodies->details.erase(image.id);
      bodies->warnings.push_back(absl::StrFormat(
          "image %s was removed while docker gc read the engine", image.id));
      continue;
    }
    if (cache != nullptr) {
      cache->Put(image.id, image.repo_tags, inspect_text[i], history_text[i]);
    }
    if (raw != nullptr) {
      raw->details.push_back({.id = image.id,
                              .inspect = std::move(inspect_text[i]),
                              .history = std::move(history_text[i])});
    }
    if (kept_images != i) bodies->images[kept_images] = std::move(image);
    ++kept_images;
  }
  bodies->images.resize(kept_images);
  return absl::OkStatus();
}

}  // namespace dgc
