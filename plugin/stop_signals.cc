// Stop requests from signals and the docker CLI's plugin socket (see
// stop_signals.h).
#include "plugin/stop_signals.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

namespace dgc {
namespace {

// 0: no request; otherwise the signal number, or -1 for the plugin socket.
std::atomic<int> stop_request{0};

void OnSignal(int signal_number) { stop_request.store(signal_number); }

// The docker CLI listens on an abstract unix socket and closes the
// connection when the user interrupts it.
void WatchPluginSocket(const std::string& name) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (name.size() + 1 >= sizeof(address.sun_path)) {
    ::close(fd);
    return;
  }
  address.sun_path[0] = '\0';  // abstract namespace
  std::memcpy(address.sun_path + 1, name.data(), name.size());
  socklen_t length =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    ::close(fd);
    return;
  }
  std::thread([fd] {
    char byte;
    // Returns 0 on close, or an error: either way the CLI is gone.
    while (::read(fd, &byte, 1) > 0) {
    }
    int expected = 0;
    stop_request.compare_exchange_strong(expected, -1);
  }).detach();
}

}  // namespace

void WatchStopSignals(const EnvironmentLookup& env) {
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  if (std::optional<std::string> socket = env("DOCKER_CLI_PLUGIN_SOCKET");
      socket.has_value() && !socket->empty()) {
    WatchPluginSocket(*socket);
  }
}

std::optional<std::string> StopRequested() {
  int request = stop_request.load();
  if (request == 0) return std::nullopt;
  if (request == -1) return "interrupted: the docker CLI went away";
  return std::string("interrupted by ") +
         (request == SIGINT ? "SIGINT" : "SIGTERM");
}

}  // namespace dgc
