// The libcurl transport: HTTP over the engine's unix socket, tcp (with
// TLS) or ssh (over the stdin and stdout of `ssh … docker system
// dial-stdio` processes, see ssh_dialer.h), one connection reused for
// sequential requests and a multi handle for concurrent ones.
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
#include "engine/ssh_dialer.h"
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

// At most this many ssh processes (connections) serve one ssh:// endpoint,
// whatever TransportOptions::max_parallel is: each costs an ssh handshake,
// and sshd drops bursts of them (MaxStartups).
inline constexpr int kMaxSshConnections = 3;

// Not thread-safe: use one transport per thread.
class CurlTransport : public Transport {
 public:
  // Create prepares a transport for `endpoint`; nothing is connected (no ssh
  // started) until a request is sent. Errors: InvalidArgument for a host it
  // cannot use, Internal when libcurl cannot be initialised, Unavailable
  // when an ssh endpoint's private directory cannot be made.
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

  void Configure(CURL* easy, const HttpRequest& request, Transfer* transfer);
  absl::StatusOr<HttpResponse> Finish(CURLcode code, CURL* easy,
                                      const HttpRequest& request,
                                      Transfer* transfer);

  // libcurl's callbacks for ssh endpoints (see SshDialer); `user` is the
  // transport.
  static curl_socket_t OpenSshSocket(void* user, curlsocktype purpose,
                                     curl_sockaddr* address);
  static int StartSsh(void* user, char* primary_ip, char* local_ip,
                      int primary_port, int local_port);
  static int CloseSshSocket(void* user, curl_socket_t socket);

  Endpoint endpoint_;
  TransportOptions options_;
  std::string base_url_;
  std::string unix_socket_;  // empty for tcp and ssh
  // For ssh:// only. Declared before the handles: their connections close
  // (and so call CloseSshSocket) when the handles are cleaned up.
  std::unique_ptr<SshDialer> ssh_;
  std::string ssh_socket_template_;  // SshDialer::PathTemplate
  absl::Status ssh_dial_error_;      // why the last connection failed
  CURL* easy_ = nullptr;             // reused for sequential requests
  CURLM* multi_ = nullptr;  // for concurrent requests (and all ssh ones)
};

}  // namespace dgc

#endif  // DGC_ENGINE_CURL_TRANSPORT_H_
