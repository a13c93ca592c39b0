// Unit tests of CurlTransport against a tiny HTTP/1.1 server on a unix
// socket in a temporary directory, run in threads of the test (plain POSIX
// sockets): bodies arrive whole in a padded buffer, sequential requests
// share a connection, PerformMany answers every request once with its
// index, and each failure has its code and message: no socket, a response
// broken off, a body too large, a server too slow, a write refused by a
// read-only transport before anything is sent.
#include "engine/curl_transport.h"

#include <poll.h>
#include <simdjson.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// What the test server sends back for one request.
struct Reply {
  int status = 200;
  std::string body;
  // The Content-Length header; unset sends body.size().
  std::optional<size_t> content_length{};
  // Wait this long before answering.
  absl::Duration delay = absl::ZeroDuration();
  // Close the connection after the reply (even if it is incomplete).
  bool close = false;
};

// One request as the server read it.
struct Received {
  std::string method;
  std::string target;  // path and query, as on the request line
};

// A minimal HTTP/1.1 server on a unix socket: one thread accepts, one
// thread per connection serves requests (keep-alive) with `handler`. The
// destructor stops every thread and removes the socket.
class UnixHttpServer {
 public:
  using Handler = std::function<Reply(const Received&)>;

  UnixHttpServer(std::string socket_path, Handler handler)
      : path_(std::move(socket_path)), handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(listen_fd_, 0) << std::strerror(errno);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    EXPECT_LT(path_.size(), sizeof(address.sun_path));
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address),
                     sizeof(address)),
              0)
        << path_ << ": " << std::strerror(errno);
    EXPECT_EQ(::listen(listen_fd_, 64), 0) << std::strerror(errno);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~UnixHttpServer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    stopped_.notify_all();
    accept_thread_.join();
    // No connection thread is added once the accept thread is gone.
    for (std::thread& thread : connection_threads_) thread.join();
    ::close(listen_fd_);
    ::unlink(path_.c_str());
  }

  std::vector<Received> received() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }
  std::vector<std::string> ReceivedLines() const {
    std::vector<std::string> lines;
    for (const Received& r : received()) {
      lines.push_back(r.method + " " + r.target);
    }
    return lines;
  }
  int connections() const { return connections_.load(); }

 private:
  bool stopping() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stop_;
  }

  // Waits until `fd` is readable (true) or the server stops (false).
  bool WaitReadable(int fd) const {
    while (!stopping()) {
      pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
      int ready = ::poll(&p, 1, 20);
      if (ready > 0) return true;
      if (ready < 0 && errno != EINTR) return false;
    }
    return false;
  }

  void AcceptLoop() {
    while (WaitReadable(listen_fd_)) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      connection_threads_.emplace_back([this, fd] {
        Serve(fd);
        ::close(fd);
      });
    }
  }

  static bool SendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent <= 0) return false;
      data.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  void Serve(int fd) {
    std::string buffer;
    char chunk[4096];
    while (true) {
      size_t header_end;
      while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        if (!WaitReadable(fd)) return;
        ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
        if (got <= 0) return;  // the client closed the connection
        buffer.append(chunk, static_cast<size_t>(got));
      }
      std::string head = buffer.substr(0, header_end);
      buffer.erase(0, header_end + 4);  // GET and DELETE carry no body
      Received request;
      size_t space = head.find(' ');
      size_t space2 = head.find(' ', space + 1);
      request.method = head.substr(0, space);
      request.target = head.substr(space + 1, space2 - space - 1);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        received_.push_back(request);
      }
      Reply reply = handler_(request);
      if (reply.delay > absl::ZeroDuration()) {
        std::unique_lock<std::mutex> lock(mutex_);
        stopped_.wait_for(lock, absl::ToChronoNanoseconds(reply.delay),
                          [this] { return stop_; });
        if (stop_) return;
      }
      std::string response = absl::StrFormat(
          "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
          "Api-Version: 1.41\r\nContent-Length: %d\r\n%s\r\n",
          reply.status, reply.status == 200 ? "OK" : "Status",
          reply.content_length.value_or(reply.body.size()),
          reply.close ? "Connection: close\r\n" : "");
      response += reply.body;
      if (!SendAll(fd, response)) return;
      if (reply.close) {
        ::shutdown(fd, SHUT_RDWR);
        return;
      }
    }
  }

  const std::string path_;
  const Handler handler_;
  int listen_fd_ = -1;
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;  // only the accept thread
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::condition_variable stopped_;
  bool stop_ = false;
  std::vector<Received> received_;
};

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dgc_curl_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << std::strerror(errno);
    dir_ = pattern;
    socket_ = dir_ + "/docker.sock";
    host_ = "unix://" + socket_;
  }

  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(UnixHttpServer::Handler handler) {
    server_.emplace(socket_, std::move(handler));
  }

  std::unique_ptr<CurlTransport> Transport(Access access,
                                           TransportOptions options = {}) {
    absl::StatusOr<std::unique_ptr<CurlTransport>> transport =
        CurlTransport::Create(
            {.host = host_, .tls = std::nullopt, .context = "default"}, access,
            options);
    EXPECT_TRUE(transport.ok()) << transport.status();
    return transport.ok() ? *std::move(transport) : nullptr;
  }

  std::string dir_, socket_, host_;
  std::optional<UnixHttpServer> server_;
};

TEST_F(CurlTransportTest, GetReturnsTheWholeBodyInAPaddedBuffer) {
  const std::string body =
      R"({"ApiVersion":"1.41","Version":"20.10.24","Os":"linux"})";
  StartServer([&](const Received&) { return Reply{.body = body}; });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  EXPECT_EQ(transport->host(), host_);
  absl::StatusOr<HttpResponse> response =
      transport->Perform({.method = "GET", .path = "/v1.41/version?x=1"});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.view(), body);
  EXPECT_GE(response->body.padded().padding(), simdjson::SIMDJSON_PADDING);
  // simdjson can read it in place.
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  ASSERT_EQ(parser.iterate(response->body.padded()).get(doc),
            simdjson::SUCCESS);
  std::string_view api;
  ASSERT_EQ(doc["ApiVersion"].get_string().get(api), simdjson::SUCCESS);
  EXPECT_EQ(api, "1.41");
  EXPECT_THAT(server_->ReceivedLines(), ElementsAre("GET /v1.41/version?x=1"));
}

TEST_F(CurlTransportTest, LargeBodyArrivesWhole) {
  std::string body = "[";
  for (int i = 0; i < 20000; ++i) {
    body += absl::StrFormat("%s{\"i\":%d}", i == 0 ? "" : ",", i);
  }
  body += "]";
  StartServer([&](const Received&) { return Reply{.body = body}; });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  absl::StatusOr<HttpResponse> response =
      transport->Perform({.method = "GET", .path = "/big"});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body.view(), body);
}

TEST_F(CurlTransportTest, ErrorStatusesAreResponsesNotErrors) {
  StartServer([](const Received&) {
    return Reply{.status = 404, .body = R"({"message":"No such image"})"};
  });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  absl::StatusOr<HttpResponse> response =
      transport->Perform({.method = "GET", .path = "/v1.41/images/x/json"});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body.view(), R"({"message":"No such image"})");
}

TEST_F(CurlTransportTest, SequentialRequestsShareOneConnection) {
  StartServer([](const Received& r) { return Reply{.body = r.target}; });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  for (int i = 0; i < 5; ++i) {
    std::string path = absl::StrFormat("/v1.41/images/%d/json", i);
    absl::StatusOr<HttpResponse> response =
        transport->Perform({.method = "GET", .path = path});
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body.view(), path);
  }
  EXPECT_EQ(server_->connections(), 1);
}

TEST_F(CurlTransportTest, ReadWriteTransportSendsTheMethod) {
  StartServer([](const Received& r) {
    return Reply{.body = absl::StrFormat(R"([{"Untagged":"%s"}])", r.target)};
  });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadWrite);
  ASSERT_NE(transport, nullptr);
  absl::StatusOr<HttpResponse> response = transport->Perform(
      {.method = "DELETE", .path = "/v1.41/images/localhost:5000/a/b:1"});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_THAT(server_->ReceivedLines(),
              ElementsAre("DELETE /v1.41/images/localhost:5000/a/b:1"));
}

TEST_F(CurlTransportTest, PathIsSentAsGiven) {
  // The engine client puts image names into paths; the transport must not
  // rewrite them (libcurl squashes "/../" unless told not to), or a
  // request could reach another endpoint than the one asked for.
  StartServer([](const Received&) { return Reply{.body = "{}"}; });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadWrite);
  ASSERT_NE(transport, nullptr);
  absl::StatusOr<HttpResponse> response = transport->Perform(
      {.method = "GET", .path = "/v1.41/images/a/../../containers/x/json"});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_THAT(server_->ReceivedLines(),
              ElementsAre("GET /v1.41/images/a/../../containers/x/json"));
}

TEST_F(CurlTransportTest, PerformManyAnswersEachRequestOnceWithItsIndex) {
  std::atomic<int> in_flight{0}, most_in_flight{0};
  StartServer([&](const Received& r) {
    int now = ++in_flight;
    int seen = most_in_flight.load();
    while (now > seen && !most_in_flight.compare_exchange_weak(seen, now)) {
    }
    // Later requests answer sooner, so completions come out of order.
    int n = std::stoi(r.target.substr(r.target.rfind('/') + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + (49 - n) % 7));
    --in_flight;
    return Reply{.body = absl::StrFormat(R"({"n":%d})", n)};
  });
  TransportOptions options;
  options.max_parallel = 8;
  std::unique_ptr<CurlTransport> transport =
      Transport(Access::kReadOnly, options);
  ASSERT_NE(transport, nullptr);
  std::vector<HttpRequest> requests;
  for (int i = 0; i < 50; ++i) {
    requests.push_back(
        {.method = "GET", .path = absl::StrFormat("/v1.41/item/%d", i)});
  }
  std::vector<int> calls(requests.size(), 0);
  transport->PerformMany(
      requests, [&](size_t index, absl::StatusOr<HttpResponse> response) {
        EXPECT_LT(index, calls.size());
        if (index >= calls.size()) return false;
        ++calls[index];
        EXPECT_TRUE(response.ok()) << index << ": " << response.status();
        if (!response.ok()) return true;
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(response->body.view(), absl::StrFormat(R"({"n":%d})", index));
        return true;
      });
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i], 1) << "request " << i;
  }
  EXPECT_THAT(server_->received(), SizeIs(50));
  EXPECT_LE(most_in_flight.load(), 8);
  EXPECT_GT(most_in_flight.load(), 1) << "requests ran one at a time";
}

TEST_F(CurlTransportTest, PerformManyStopsWhenTheCallerSaysSo) {
  StartServer([&](const Received& r) {
    return Reply{.body = absl::StrFormat(R"({"target":"%s"})", r.target)};
  });
  TransportOptions options;
  options.max_parallel = 4;
  std::unique_ptr<CurlTransport> transport =
      Transport(Access::kReadOnly, options);
  ASSERT_NE(transport, nullptr);
  std::vector<HttpRequest> requests(
      100, HttpRequest{.method = "GET", .path = "/v1.41/info"});
  int calls = 0;
  transport->PerformMany(requests, [&](size_t, absl::StatusOr<HttpResponse>) {
    ++calls;
    return false;  // e.g. the first one failed
  });
  EXPECT_EQ(calls, 1);
  // At most the ones in flight when it stopped were sent.
  EXPECT_LE(server_->received().size(), 4u);
  // And the transport still works afterwards.
  EXPECT_TRUE(transport->Perform({.method = "GET", .path = "/after"}).ok());
}

TEST_F(CurlTransportTest, PerformManyCanBeCalledAgain) {
  StartServer([](const Received& r) { return Reply{.body = r.target}; });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  for (int round = 0; round < 3; ++round) {
    std::vector<HttpRequest> requests;
    for (int i = 0; i < 12; ++i) {
      requests.push_back(
          {.method = "GET", .path = absl::StrFormat("/r%d/%d", round, i)});
    }
    int calls = 0;
    transport->PerformMany(
        requests, [&](size_t index, absl::StatusOr<HttpResponse> response) {
          ++calls;
          EXPECT_TRUE(response.ok()) << response.status();
          if (response.ok()) {
            EXPECT_EQ(response->body.view(), requests[index].path);
          }
          return true;
        });
    EXPECT_EQ(calls, 12);
  }
  // And a sequential request after concurrent ones still works.
  absl::StatusOr<HttpResponse> response =
      transport->Perform({.method = "GET", .path = "/after"});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body.view(), "/after");
}

TEST_F(CurlTransportTest, PerformManyOfNothingCallsNothing) {
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  int calls = 0;
  transport->PerformMany({}, [&](size_t, absl::StatusOr<HttpResponse>) {
    ++calls;
    return true;
  });
  EXPECT_EQ(calls, 0);
}

TEST_F(CurlTransportTest, MissingSocketIsUnavailable) {
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  absl::StatusOr<HttpResponse> response =
      transport->Perform({.method = "GET", .path = "/version"});
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable)
      << response.status();
  EXPECT_THAT(
      response.status().message(),
      AllOf(HasSubstr(host_), HasSubstr("Is the docker daemon running?")));
}

TEST_F(CurlTransportTest, MissingSocketFailsEveryRequestOfPerformMany) {
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  std::vector<HttpRequest> requests(
      5, HttpRequest{.method = "GET", .path = "/info"});
  std::vector<int> calls(requests.size(), 0);
  transport->PerformMany(
      requests, [&](size_t index, absl::StatusOr<HttpResponse> response) {
        ++calls[index];
        EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
        EXPECT_THAT(response.status().message(), HasSubstr(host_));
        return true;
      });
  EXPECT_THAT(calls, ElementsAre(1, 1, 1, 1, 1));
}

TEST_F(CurlTransportTest, ResponseBrokenOffMidBodyIsUnavailable) {
  StartServer([](const Received&) {
    return Reply{
        .body = R"([{"Id":"sha)", .content_length = 1000, .close = true};
  });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  absl::StatusOr<HttpResponse> response =
      transport->Perform({.method = "GET", .path = "/v1.41/images/json"});
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable)
      << response.status();
  EXPECT_THAT(response.status().message(),
              AllOf(HasSubstr("broke off"), HasSubstr(host_),
                    HasSubstr("GET /v1.41/images/json")));
}

TEST_F(CurlTransportTest, ConnectionClosedWithoutAnAnswerIsUnavailable) {
  // A server that reads the request and closes without a word.
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_.c_str(), socket_.size() + 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  ASSERT_EQ(::listen(fd, 4), 0);
  std::thread closer([fd] {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    int conn = ::accept(fd, nullptr, nullptr);
    if (conn < 0) return;
    char buffer[1024];
    (void)::recv(conn, buffer, sizeof(buffer), 0);
    ::close(conn);
  });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  absl::StatusOr<HttpResponse> response =
      transport != nullptr
          ? transport->Perform({.method = "GET", .path = "/version"})
          : absl::InternalError("no transport");
  closer.join();
  ::close(fd);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable)
      << response.status();
  EXPECT_THAT(response.status().message(),
              AllOf(HasSubstr(host_), HasSubstr("GET /version")));
}

TEST_F(CurlTransportTest, BodyLargerThanTheLimitIsResourceExhausted) {
  StartServer([](const Received&) {
    return Reply{.body = "[" + std::string(100000, ' ') + "]"};
  });
  TransportOptions options;
  options.max_body_bytes = 1000;
  std::unique_ptr<CurlTransport> transport =
      Transport(Access::kReadOnly, options);
  ASSERT_NE(transport, nullptr);
  absl::StatusOr<HttpResponse> response =
      transport->Perform({.method = "GET", .path = "/v1.41/images/json"});
  EXPECT_EQ(response.status().code(), absl::StatusCode::kResourceExhausted)
      << response.status();
  EXPECT_THAT(response.status().message(),
              AllOf(HasSubstr("1000"), HasSubstr(host_),
                    HasSubstr("/v1.41/images/json")));
}

TEST_F(CurlTransportTest, BodyOfExactlyTheLimitIsAccepted) {
  StartServer([](const Received&) {
    return Reply{.body = "\"" + std::string(998, 'x') + "\""};
  });
  TransportOptions options;
  options.max_body_bytes = 1000;
  std::unique_ptr<CurlTransport> transport =
      Transport(Access::kReadOnly, options);
  ASSERT_NE(transport, nullptr);
  absl::StatusOr<HttpResponse> response =
      transport->Perform({.method = "GET", .path = "/exact"});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body.view().size(), 1000u);
}

TEST_F(CurlTransportTest, SlowServerIsDeadlineExceeded) {
  StartServer([](const Received&) {
    return Reply{.body = "{}", .delay = absl::Seconds(5)};
  });
  TransportOptions options;
  options.request_timeout = absl::Milliseconds(200);
  std::unique_ptr<CurlTransport> transport =
      Transport(Access::kReadOnly, options);
  ASSERT_NE(transport, nullptr);
  absl::Time start = absl::Now();
  absl::StatusOr<HttpResponse> response =
      transport->Perform({.method = "GET", .path = "/v1.41/system/df"});
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded)
      << response.status();
  EXPECT_THAT(response.status().message(),
              AllOf(HasSubstr(host_), HasSubstr("GET /v1.41/system/df")));
  EXPECT_LT(took, absl::Seconds(3));
}

TEST_F(CurlTransportTest, ReadOnlyTransportRefusesDeleteBeforeConnecting) {
  StartServer([](const Received&) { return Reply{.body = "[]"}; });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  for (const char* method : {"DELETE", "POST", "PUT"}) {
    absl::StatusOr<HttpResponse> response =
        transport->Perform({.method = method, .path = "/v1.41/images/app:1"});
    EXPECT_EQ(response.status().code(), absl::StatusCode::kFailedPrecondition)
        << method << ": " << response.status();
    EXPECT_THAT(response.status().message(),
                AllOf(HasSubstr(method), HasSubstr("read-only"),
                      HasSubstr(host_), HasSubstr("/v1.41/images/app:1")));
  }
  EXPECT_THAT(server_->received(), IsEmpty());
  EXPECT_EQ(server_->connections(), 0);
}

TEST_F(CurlTransportTest, ReadOnlyPerformManyRefusesOnlyTheWrites) {
  StartServer([](const Received& r) { return Reply{.body = r.target}; });
  std::unique_ptr<CurlTransport> transport = Transport(Access::kReadOnly);
  ASSERT_NE(transport, nullptr);
  std::vector<HttpRequest> requests = {
      {.method = "GET", .path = "/a"},
      {.method = "DELETE", .path = "/v1.41/images/app:1"},
      {.method = "GET", .path = "/b"}};
  std::vector<absl::StatusCode> codes(3, absl::StatusCode::kUnknown);
  transport->PerformMany(
      requests, [&](size_t index, absl::StatusOr<HttpResponse> response) {
        codes[index] = response.status().code();
        return true;
      });
  EXPECT_THAT(codes, ElementsAre(absl::StatusCode::kOk,
                                 absl::StatusCode::kFailedPrecondition,
                                 absl::StatusCode::kOk));
  for (const Received& r : server_->received()) {
    EXPECT_EQ(r.method, "GET") << r.target;
  }
  EXPECT_THAT(server_->received(), SizeIs(2));
}

TEST(CurlTransportCreateTest, RefusesAnUnsupportedHost) {
  absl::StatusOr<std::unique_ptr<CurlTransport>> transport =
      CurlTransport::Create(
          {.host = "fd://", .tls = std::nullopt, .context = "default"},
          Access::kReadOnly);
  EXPECT_EQ(transport.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(transport.status().message(), HasSubstr("fd://"));
}

// A fake `ssh` first in PATH: it logs its arguments and carries its stdin
// and stdout to the test server's socket, as `docker system dial-stdio`
// does on the far side.
constexpr char kFakeSsh[] = R"(#!/bin/sh
echo "$*" >> "%s/ssh.log"
exec python3 -c '
import os, socket, sys, threading
engine = socket.socket(socket.AF_UNIX)
engine.connect(sys.argv[1])
def up():
    while True:
        data = os.read(0, 65536)
        if not data:
            engine.shutdown(socket.SHUT_WR)
            return
        engine.sendall(data)
threading.Thread(target=up, daemon=True).start()
while True:
    data = engine.recv(65536)
    if not data:
        break
    os.write(1, data)
' "%s"
)";

TEST_F(CurlTransportTest, SshCarriesEveryRequestOnFewReusedProcesses) {
  StartServer([](const Received&) { return Reply{.body = "{}"}; });
  std::filesystem::create_directory(dir_ + "/bin");
  const std::string ssh = dir_ + "/bin/ssh";
  {
    std::ofstream script(ssh);
    script << absl::StrFormat(kFakeSsh, dir_, socket_);
  }
  std::filesystem::permissions(ssh, std::filesystem::perms::owner_all);
  const std::string saved_path = std::getenv("PATH");
  ::setenv("PATH", (dir_ + "/bin:" + saved_path).c_str(), 1);
  TransportOptions options;
  options.max_parallel = 8;
  absl::StatusOr<std::unique_ptr<CurlTransport>> transport =
      CurlTransport::Create({.host = "ssh://me@build-host:2222",
                             .tls = std::nullopt,
                             .context = "default"},
                            Access::kReadWrite, options);
  ASSERT_TRUE(transport.ok()) << transport.status();
  std::vector<HttpRequest> requests(
      20, HttpRequest{.method = "GET", .path = "/v1.41/images/json"});
  int answered = 0;
  (*transport)
      ->PerformMany(requests,
                    [&](size_t, absl::StatusOr<HttpResponse> response) {
                      EXPECT_TRUE(response.ok()) << response.status();
                      answered += response.ok() && response->status == 200;
                      return true;
                    });
  EXPECT_EQ(answered, 20);
  EXPECT_LE(server_->connections(), kMaxSshConnections);
  const int pooled = server_->connections();
  for (const char* method : {"GET", "DELETE", "GET", "DELETE", "GET"}) {
    absl::StatusOr<HttpResponse> response =
        (*transport)->Perform({.method = method, .path = "/v1.41/images/x"});
    ASSERT_TRUE(response.ok()) << method << ": " << response.status();
    EXPECT_EQ(response->status, 200);
  }
  // Each DELETE on a new ssh, every GET on one already there.
  EXPECT_EQ(server_->connections(), pooled + 2);
  transport->reset();
  ::setenv("PATH", saved_path.c_str(), 1);
  std::ifstream log(dir_ + "/ssh.log");
  std::vector<std::string> lines;
  for (std::string line; std::getline(log, line);) lines.push_back(line);
  EXPECT_THAT(lines, SizeIs(pooled + 2));
  for (const std::string& line : lines) {
    EXPECT_EQ(line,
              "-o ConnectTimeout=30 -T -l me -p 2222 -- build-host docker "
              "system dial-stdio");
  }
  // Every ssh was reaped when the transport went.
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

}  // namespace
}  // namespace dgc
