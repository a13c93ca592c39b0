// The libcurl transport: HTTP over the engine's unix socket or tcp (with
// TLS), one connection reused for sequential requests and a multi handle
// for concurrent ones.
//
// Example:
//   absl::StatusOr<std::unique_ptr<dgc::CurlTransport>> transport =
//       dgc::CurlTransport::Create(endpoint, dgc::Access::kReadOnly);
#ifndef DGC_ENGINE_CURL_TRANSPORT_H_
#define DGC_ENGINE_CURL_TRANSPORT_H_

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/endpoint.h"
#include "engine/transport.h"

namespace dgc {

struct TransportOptions {
  // Connecting; never longer than request_timeout.
  absl::Duration connect_timeout = absl::Seconds(10);
  // A whole request, from connecting to the last byte of the body (SPEC.md
  // §9: `--timeout`, default 2m). Infinite: no limit.
  absl::Duration request_timeout = absl::Minutes(2);
  int max_parallel = 8;                     // concurrent requests
  size_t max_body_bytes = size_t{1} << 30;  // larger bodies are refused
};

// InitCurl initialises libcurl for the process (curl_global_init) the first
// time it is called; later calls return the first outcome. Thread-safe (a
// function-local static), but curl_global_init itself is only safe while
// no other thread uses libcurl unless libcurl reports CURL_VERSION_THREADSAFE
// (7.84 and later, as Debian 12's 7.88 does). Errors: Internal.
absl::Status InitCurl();

// Not thread-safe: use one transport per thread.
class CurlTransport : public Transport {
 public:
  // Create prepares a transport for `endpoint`. Errors: InvalidArgument for a
  // host it cannot use, Internal when libcurl cannot be initialised.
  static absl::StatusOr<std::unique_ptr<CurlTransport>> Create(
      const Endpoint& endpoint, Access access, TransportOptions options = {});
  ~CurlTransport() override;

  const std::string& host() const override { return endpoint_.host; }

 protected:
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;
  void SendMany(absl::Span<const HttpRequest> requests,
                OnResponse on_response) override;

 private:
  struct Transfer;
  // libcurl's body callback; `user` is the Transfer.
  static size_t OnBody(char* data, size_t size, size_t count, void* user);

  CurlTransport(Endpoint endpoint, Access access, TransportOptions options);

  void Configure(CURL* easy, const HttpRequest& request,
                 Transfer* transfer) const;
  absl::StatusOr<HttpResponse> Finish(CURLcode code, CURL* easy,
                                      const HttpRequest& request,
                                      Transfer* transfer) const;

  Endpoint endpoint_;
  TransportOptions options_;
  std::string base_url_;
  std::string unix_socket_;  // empty for tcp
  CURL* easy_ = nullptr;     // reused for sequential requests
  CURLM* multi_ = nullptr;   // for concurrent requests
};

}  // namespace dgc

#endif  // DGC_ENGINE_CURL_TRANSPORT_H_
