// The libcurl transport (see curl_transport.h).
#include "engine/curl_transport.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "core/string_views.h"
#include "engine/tls_diagnosis.h"

namespace dgc {
namespace {

// What to do about a unix socket the user may not open: join the group
// that owns it (named when it can be looked up), or run as root.
std::string SocketAccessHint(const std::string& socket_path) {
  struct stat socket_stat {};
  if (::stat(socket_path.c_str(), &socket_stat) != 0) {
    return absl::StrFormat(
        "a directory on the path of %s may not be searched by this user: "
        "run docker gc as root, or as a user who may",
        socket_path);
  }
  std::string group = absl::StrFormat("gid %d", socket_stat.st_gid);
  struct group entry {};
  struct group* found = nullptr;
  std::vector<char> buffer(16384);
  if (getgrgid_r(socket_stat.st_gid, &entry, buffer.data(), buffer.size(),
                 &found) == 0 &&
      found != nullptr) {
    group = entry.gr_name;
  }
  return absl::StrFormat(
      "the socket belongs to group %s: run docker gc as root, or add the "
      "user to that group (usermod -aG %s USER) and log in again",
      group, group);
}

}  // namespace

// Per-request state shared with libcurl's callbacks.
struct CurlTransport::Transfer {
  HttpResponse response;
  size_t max_body_bytes = 0;
  bool body_too_large = false;
  char error[CURL_ERROR_SIZE] = {};
};

size_t CurlTransport::OnBody(char* data, size_t size, size_t count,
                             void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->response.body.view().size() + bytes >
      transfer->max_body_bytes) {
    transfer->body_too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  transfer->response.body.Append(std::string_view(data, bytes));
  return bytes;
}

absl::Status InitCurl() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    return absl::InternalError(absl::StrFormat("cannot initialise libcurl: %s",
                                               curl_easy_strerror(code)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<CurlTransport>> CurlTransport::Create(
    const Endpoint& endpoint, Access access, TransportOptions options) {
  if (absl::Status initialised = InitCurl(); !initialised.ok()) {
    return initialised;
  }
  std::unique_ptr<CurlTransport> transport(
      new CurlTransport(endpoint, access, options));
  absl::string_view host = ToAbsl(endpoint.host);
  if (absl::ConsumePrefix(&host, "unix://")) {
    transport->unix_socket_ = std::string(host);
    transport->base_url_ = "http://localhost";
  } else if (absl::ConsumePrefix(&host, "tcp://")) {
    transport->base_url_ =
        absl::StrFormat("%s://%s", endpoint.tls ? "https" : "http", host);
  } else if (IsSshHost(endpoint.host)) {
    absl::StatusOr<SshAddress> address = ParseSshHost(endpoint.host);
    if (!address.ok()) return address.status();
    transport->ssh_ = std::make_unique<SshDialer>(*std::move(address));
    absl::StatusOr<std::string> path_template = transport->ssh_->PathTemplate();
    if (!path_template.ok()) return path_template.status();
    transport->ssh_socket_template_ = *std::move(path_template);
    transport->base_url_ = "http://localhost";
    transport->options_.max_parallel =
        std::min(options.max_parallel, kMaxSshConnections);
  } else {
    return absl::InvalidArgumentError(absl::StrFormat(
        "unsupported host \"%s\": docker gc supports unix://, tcp:// and "
        "ssh://",
        endpoint.host));
  }
  transport->easy_ = curl_easy_init();
  transport->multi_ = curl_multi_init();
  if (transport->easy_ == nullptr || transport->multi_ == nullptr) {
    return absl::InternalError("cannot initialise libcurl");
  }
  // With this limit reached, libcurl closes an idle connection to open
  // another: an ssh endpoint never has more than that many processes.
  curl_multi_setopt(transport->multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                    static_cast<long>(transport->options_.max_parallel));
  return transport;
}

CurlTransport::CurlTransport(Endpoint endpoint, Access access,
                             TransportOptions options)
    : Transport(access), endpoint_(std::move(endpoint)), options_(options) {}

CurlTransport::~CurlTransport() {
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
}

curl_socket_t CurlTransport::OpenSshSocket(void* user, curlsocktype purpose,
                                           curl_sockaddr* address) {
  auto* transport = static_cast<CurlTransport*>(user);
  SshDialer& ssh = *transport->ssh_;
  const std::string& path_template = transport->ssh_socket_template_;
  if (purpose != CURLSOCKTYPE_IPCXN || address->family != AF_UNIX) {
    transport->ssh_dial_error_ = absl::InternalError(
        "libcurl asked for a socket that is not a unix one");
    return CURL_SOCKET_BAD;
  }
  absl::StatusOr<int> fd = ssh.Open();
  if (!fd.ok()) {
    transport->ssh_dial_error_ = fd.status();
    return CURL_SOCKET_BAD;
  }
  // libcurl connects the socket to the address it holds, the template
  // (CURLOPT_UNIX_SOCKET_PATH): make it this socket's own listener, a path
  // of the very same length.
  std::optional<std::string> path = ssh.PathOf(*fd);
  if (!path.has_value() || path->size() != path_template.size()) {
    ssh.Close(*fd);
    transport->ssh_dial_error_ =
        absl::InternalError("unexpected ssh socket path");
    return CURL_SOCKET_BAD;
  }
  auto* unix_address = reinterpret_cast<sockaddr_un*>(&address->addr);
  std::memcpy(unix_address->sun_path, path->c_str(), path->size() + 1);
  return *fd;
}

int CurlTransport::StartSsh(void* user, char* /*primary_ip*/,
                            char* /*local_ip*/, int /*primary_port*/,
                            int /*local_port*/) {
  auto* transport = static_cast<CurlTransport*>(user);
  if (absl::Status started = transport->ssh_->StartConnected(); !started.ok()) {
    transport->ssh_dial_error_ = started;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

int CurlTransport::CloseSshSocket(void* user, curl_socket_t socket) {
  static_cast<CurlTransport*>(user)->ssh_->Close(socket);
  return 0;
}

void CurlTransport::Configure(CURL* easy, const HttpRequest& request,
                              Transfer* transfer) {
  curl_easy_reset(easy);
  std::string url = base_url_ + request.path;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);  // never fold "/../"
  // A request that changes the engine goes on a new connection: on a
  // reused one that closes before any answer, libcurl would send it again
  // by itself, though the engine may have done it (RetryPolicy). Over ssh
  // that costs one ssh process (a handshake) per such request.
  if (request.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  }
  if (!unix_socket_.empty()) {
    curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, unix_socket_.c_str());
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
  }
  if (ssh_ != nullptr) {
    // Each new connection is a unix socket connected to a listener of its
    // own, whose accepted end becomes a new ssh process's stdin and stdout
    // once connected (StartSsh runs before every request).
    curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH,
                     ssh_socket_template_.c_str());
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, OpenSshSocket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, StartSsh);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, this);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, CloseSshSocket);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  }
  if (endpoint_.tls.has_value()) {
    const TlsSettings& tls = *endpoint_.tls;
    if (!tls.ca_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, tls.ca_file.c_str());
    }
    if (!tls.cert_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSLCERT, tls.cert_file.c_str());
    }
    if (!tls.key_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSLKEY, tls.key_file.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
  }
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(std::min(
                       options_.connect_timeout, options_.request_timeout))));
  // libcurl's 0 is "no limit".
  long request_ms = options_.request_timeout == absl::InfiniteDuration()
                        ? 0L
                        : static_cast<long>(absl::ToInt64Milliseconds(
                              options_.request_timeout));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, request_ms);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "docker-gc");
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  transfer->max_body_bytes = options_.max_body_bytes;
}

absl::StatusOr<HttpResponse> CurlTransport::Finish(CURLcode code, CURL* easy,
                                                   const HttpRequest& request,
                                                   Transfer* transfer) {
  const std::string& host = endpoint_.host;
  std::string detail =
      transfer->error[0] != '\0' ? transfer->error : curl_easy_strerror(code);
  if (endpoint_.tls.has_value() && code != CURLE_OK) {
    long verify_result = 0, header_bytes = 0;
    curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &verify_result);
    curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_bytes);
    if (std::optional<absl::Status> failure =
            ExplainTlsFailure(host, *endpoint_.tls,
                              {.code = code,
                               .verify_result = verify_result,
                               .detail = detail,
                               .nothing_received = header_bytes == 0})) {
      return *std::move(failure);
    }
  }
  if (ssh_ != nullptr && code != CURLE_OK && code != CURLE_OPERATION_TIMEDOUT &&
      !transfer->body_too_large) {
    // ssh's own words, when its process failed: host key, authentication,
    // no docker on the far side, an unreachable host.
    // Neither is retried but a connection refused, reset or dropped.
    absl::Status failure =
        code == CURLE_COULDNT_CONNECT || code == CURLE_ABORTED_BY_CALLBACK
            ? std::exchange(ssh_dial_error_, absl::OkStatus())
            : absl::OkStatus();
    if (failure.ok()) failure = ssh_->LastFailure();
    if (!failure.ok()) {
      return absl::Status(
          failure.code(),
          absl::StrFormat("cannot connect to the Docker engine at %s: %s", host,
                          failure.message()));
    }
  }
  switch (code) {
    case CURLE_OK: {
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE,
                        &transfer->response.status);
      curl_off_t microseconds = 0;
      curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &microseconds);
      transfer->response.elapsed = absl::Microseconds(microseconds);
      if (!endpoint_.tls.has_value() && unix_socket_.empty() &&
          ssh_ == nullptr) {
        if (absl::Status plain = CheckNotTlsPort(host, transfer->response);
            !plain.ok()) {
          return plain;
        }
      }
      return std::move(transfer->response);
    }
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
      if ((os_errno == EACCES || os_errno == EPERM) && !unix_socket_.empty()) {
        return absl::PermissionDeniedError(absl::StrFormat(
            "permission denied while trying to connect to the Docker daemon "
            "socket at %s: %s; %s",
            host, std::strerror(static_cast<int>(os_errno)),
            SocketAccessHint(unix_socket_)));
      }
      if (os_errno != 0) detail = std::strerror(static_cast<int>(os_errno));
      return absl::UnavailableError(absl::StrFormat(
          "cannot connect to the Docker engine at %s: %s. Is the docker "
          "daemon running?",
          host, detail));
    }
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(absl::StrFormat(
          "the Docker engine at %s did not answer %s within the timeout of "
          "%s: %s",
          host, DescribeRequest(request),
          absl::FormatDuration(options_.request_timeout), detail));
    case CURLE_WRITE_ERROR:
      if (transfer->body_too_large) {
        return absl::ResourceExhaustedError(absl::StrFormat(
            "the Docker engine at %s sent more than %d bytes for %s", host,
            options_.max_body_bytes, DescribeRequest(request)));
      }
      break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return absl::UnavailableError(absl::StrFormat(
          "the Docker engine at %s broke off its response to %s: %s", host,
          DescribeRequest(request), detail));
    default:
      break;
  }
  return absl::UnavailableError(
      absl::StrFormat("request %s to the Docker engine at %s failed: %s",
                      DescribeRequest(request), host, detail));
}

absl::StatusOr<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  if (ssh_ != nullptr) {
    // Through the multi handle, so that one pool of (at most
    // kMaxSshConnections) ssh processes serves every request.
    std::optional<absl::StatusOr<HttpResponse>> response;
    SendMany(absl::MakeConstSpan(&request, 1),
             [&](size_t, absl::StatusOr<HttpResponse> answer) {
               response = std::move(answer);
               return true;
             });
    return *std::move(response);
  }
  Transfer transfer;
  Configure(easy_, request, &transfer);
  CURLcode code = curl_easy_perform(easy_);
  return Finish(code, easy_, request, &transfer);
}

void CurlTransport::SendMany(absl::Span<const HttpRequest> requests,
                             OnResponse on_response) {
  // One slot per request in flight: an easy handle, reused, and the state of
  // the request it carries.
  struct Slot {
    CURL* easy = nullptr;
    size_t index = 0;
    Transfer transfer;
  };
  std::vector<std::unique_ptr<Slot>> slots;
  std::vector<Slot*> idle;
  size_t next = 0, running = 0;
  auto start_next = [&] {
    while (next < requests.size() &&
           running < static_cast<size_t>(options_.max_parallel)) {
      size_t index = next++;
      if (idle.empty()) {
        slots.push_back(std::make_unique<Slot>());
        slots.back()->easy = curl_easy_init();
        idle.push_back(slots.back().get());
      }
      Slot* slot = idle.back();
      idle.pop_back();
      slot->index = index;
      slot->transfer = Transfer();
      Configure(slot->easy, requests[index], &slot->transfer);
      curl_easy_setopt(slot->easy, CURLOPT_PRIVATE, slot);
      curl_multi_add_handle(multi_, slot->easy);
      ++running;
    }
  };
  start_next();
  bool go_on = true;
  CURLMsg* message = nullptr;
  while (running > 0 && go_on) {
    int still_running = 0;
    curl_multi_perform(multi_, &still_running);
    int queued = 0;
    while (go_on && (message = curl_multi_info_read(multi_, &queued))) {
      if (message->msg != CURLMSG_DONE) continue;
      Slot* slot = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &slot);
      CURLcode code = message->data.result;
      curl_multi_remove_handle(multi_, slot->easy);
      go_on = on_response(
          slot->index,
          Finish(code, slot->easy, requests[slot->index], &slot->transfer));
      idle.push_back(slot);
      --running;
    }
    if (!go_on) break;
    start_next();
    if (running > 0) curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
  }
  // Stopped early: the requests still in flight are dropped unanswered.
  for (const std::unique_ptr<Slot>& slot : slots) {
    curl_multi_remove_handle(multi_, slot->easy);
    curl_easy_cleanup(slot->easy);
  }
}

}  // namespace dgc
