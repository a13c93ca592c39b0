// ssh:// endpoints: the ssh command line and the ssh processes (see
// ssh_dialer.h).
#include "engine/ssh_dialer.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "core/string_views.h"

extern char** environ;

namespace dgc {
namespace {

// How much of ssh's stderr a failure message quotes: its last lines.
constexpr size_t kMaxMessageLines = 4;
constexpr off_t kMaxStderrBytes = 4096;

// Whether the far side's shell takes `word` as it is.
bool IsShellSafe(std::string_view word) {
  return std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || std::strchr("/._-:+=@%,", c) != nullptr;
  });
}

// Quotes `word` for a POSIX shell when it needs it.
std::string ShellQuote(std::string_view word) {
  if (!word.empty() && IsShellSafe(word)) return std::string(word);
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// The last lines of what ssh wrote to stderr, joined with "; ".
std::string StderrTail(int fd) {
  struct stat info {};
  if (fd < 0 || ::fstat(fd, &info) != 0 || info.st_size == 0) return "";
  const off_t start = std::max<off_t>(0, info.st_size - kMaxStderrBytes);
  std::string text(static_cast<size_t>(info.st_size - start), '\0');
  const ssize_t got = ::pread(fd, text.data(), text.size(), start);
  text.resize(got > 0 ? static_cast<size_t>(got) : 0);
  std::vector<std::string> lines;
  for (absl::string_view line :
       absl::StrSplit(text, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    lines.emplace_back(line);
  }
  if (lines.size() > kMaxMessageLines) {
    lines.erase(lines.begin(), lines.end() - kMaxMessageLines);
  }
  return absl::StrJoin(lines, "; ");
}

// Whether an ssh that ended with `wait_status`, having said `message`,
// failed on the way to the host in a way that may pass: the connection
// refused, reset, closed or timed out (sshd drops bursts of connections,
// MaxStartups, with "kex_exchange_identification: Connection closed by
// remote host"). Not: authentication, host keys, an unknown host name, or
// the far side's command (exit status other than ssh's own 255).
bool IsPassingFailure(int wait_status, std::string_view message) {
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 255) return false;
  for (std::string_view sign :
       {"kex_exchange_identification", "Connection refused", "Connection reset",
        "Connection timed out", "Connection closed by", "No route to host",
        "Network is unreachable"}) {
    if (message.find(sign) != std::string_view::npos) return true;
  }
  return false;
}

// Waits until `pid` has ended or `timeout` has passed; returns whether it
// ended (and then stores its wait status).
bool WaitFor(pid_t pid, absl::Duration timeout, int* wait_status) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const pid_t done = ::waitpid(pid, wait_status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
}

}  // namespace

std::vector<std::string> SshArguments(const SshAddress& address) {
  std::vector<std::string> arguments = {"ssh", "-o", "ConnectTimeout=30", "-T"};
  if (!address.user.empty()) {
    arguments.insert(arguments.end(), {"-l", address.user});
  }
  if (!address.port.empty()) {
    arguments.insert(arguments.end(), {"-p", address.port});
  }
  arguments.insert(arguments.end(), {"--", address.host, "docker"});
  if (!address.path.empty()) {
    arguments.insert(
        arguments.end(),
        {"--host", ShellQuote(absl::StrCat("unix://", address.path))});
  }
  arguments.insert(arguments.end(), {"system", "dial-stdio"});
  return arguments;
}

SshDialer::SshDialer(SshAddress address) : arguments_(SshArguments(address)) {}

SshDialer::~SshDialer() {
  // Close every socket first, so that the processes end together.
  for (Child& child : children_) {
    ::close(child.fd);
    child.fd = -1;
  }
  for (Child& child : children_) Finish(child, absl::Seconds(1));
  if (!directory_.empty()) ::rmdir(directory_.c_str());
}

std::string SshDialer::CommandLine() const {
  return absl::StrJoin(arguments_, " ");
}

absl::Status SshDialer::Failure(std::string_view what, int error) const {
  return absl::FailedPreconditionError(
      absl::StrCat("cannot run \"", CommandLine(), "\": ", ToAbsl(what), ": ",
                   std::strerror(error)));
}

std::string SshDialer::ListenerPath(uint32_t number) const {
  return absl::StrFormat("%s/c-%08x.sock", directory_, number);
}

absl::StatusOr<std::string> SshDialer::PathTemplate() {
  if (directory_.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = absl::StrCat(
        tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/dgc-ssh-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Failure(absl::StrCat("cannot make a directory like ", pattern),
                     errno);
    }
    directory_ = std::move(pattern);
  }
  return ListenerPath(0);
}

absl::StatusOr<int> SshDialer::Open() {
  absl::StatusOr<std::string> path_template = PathTemplate();
  if (!path_template.ok()) return path_template.status();
  Child child;
  child.path = ListenerPath(++opened_);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (child.path.size() >= sizeof(address.sun_path)) {
    return Failure(absl::StrCat("socket path too long: ", child.path),
                   ENAMETOOLONG);
  }
  std::memcpy(address.sun_path, child.path.c_str(), child.path.size() + 1);
  child.listener =
      ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (child.listener < 0) return Failure("socket", errno);
  if (::bind(child.listener, reinterpret_cast<sockaddr*>(&address),
             sizeof(address)) != 0 ||
      ::listen(child.listener, 1) != 0) {
    const int error = errno;
    ::close(child.listener);
    ::unlink(child.path.c_str());
    return Failure(absl::StrCat("cannot listen on ", child.path), error);
  }
  child.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (child.fd < 0) {
    const int error = errno;
    ::close(child.listener);
    ::unlink(child.path.c_str());
    return Failure("socket", error);
  }
  children_.push_back(std::move(child));
  return children_.back().fd;
}

std::optional<std::string> SshDialer::PathOf(int fd) const {
  for (const Child& child : children_) {
    if (child.fd == fd && child.listener >= 0) return child.path;
  }
  return std::nullopt;
}

absl::Status SshDialer::StartConnected() {
  for (Child& child : children_) {
    if (child.listener < 0) continue;
    const int accepted = ::accept4(child.listener, nullptr, nullptr,
                                   SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (accepted < 0) continue;  // not connected yet
    ::close(child.listener);
    child.listener = -1;
    ::unlink(child.path.c_str());
    // Only this process may carry requests to the engine (the directory
    // is the user's own; this also keeps out the user's other processes).
    ucred peer{};
    socklen_t length = sizeof(peer);
    if (::getsockopt(accepted, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 ||
        peer.pid != ::getpid()) {
      ::close(accepted);
      return Failure("a connection from another process", EPERM);
    }
    absl::Status started = Start(child, accepted);
    ::close(accepted);
    if (!started.ok()) return started;
  }
  return absl::OkStatus();
}

absl::Status SshDialer::Start(Child& child, int stream) {
  child.stderr_fd = ::memfd_create("dgc-ssh-stderr", MFD_CLOEXEC);
  if (child.stderr_fd < 0) return Failure("memfd_create", errno);
  // The stream was accepted non-blocking; ssh wants a blocking one.
  ::fcntl(stream, F_SETFL, ::fcntl(stream, F_GETFL) & ~O_NONBLOCK);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stream, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stream, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child.stderr_fd, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own session: no terminal signals, as the docker CLI runs it.
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  for (int signal_number : {SIGINT, SIGTERM, SIGPIPE, SIGHUP}) {
    sigaddset(&default_signals, signal_number);
  }
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID |
                                            POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (std::string& argument : arguments_) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, argv[0], &actions, &attributes,
                                     argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) return Failure("cannot start ssh", spawned);
  child.pid = pid;
  return absl::OkStatus();
}

void SshDialer::RecordFailure(const Child& child, int wait_status) {
  std::string status;
  if (WIFEXITED(wait_status)) {
    if (WEXITSTATUS(wait_status) == 0) return;
    status = absl::StrCat("exited with status ", WEXITSTATUS(wait_status));
  } else if (WIFSIGNALED(wait_status)) {
    status = absl::StrCat("was killed by signal ", WTERMSIG(wait_status));
  } else {
    return;
  }
  const std::string message = StderrTail(child.stderr_fd);
  std::string text = absl::StrCat("\"", CommandLine(), "\" ", status);
  if (!message.empty()) absl::StrAppend(&text, ": ", message);
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 127) {
    absl::StrAppend(&text,
                    " (is docker 18.09 or later installed, and in PATH, on "
                    "the remote host?)");
  }
  last_failure_ = IsPassingFailure(wait_status, message)
                      ? absl::UnavailableError(text)
                      : absl::FailedPreconditionError(text);
}

bool SshDialer::Reaped(Child& child) {
  if (child.pid < 0) return true;  // never started, or reaped
  int wait_status = 0;
  if (::waitpid(child.pid, &wait_status, WNOHANG) != child.pid) return false;
  RecordFailure(child, wait_status);
  child.pid = -1;
  return true;
}

void SshDialer::Finish(Child& child, absl::Duration grace) {
  if (child.listener >= 0) {  // never connected: no process
    ::close(child.listener);
    ::unlink(child.path.c_str());
  }
  // Ended on its own before its socket closed: it failed, or was done.
  const bool ended_first = Reaped(child);
  if (child.fd >= 0) ::close(child.fd);
  if (!ended_first) {
    int wait_status = 0;
    if (WaitFor(child.pid, grace, &wait_status)) {
      // An ssh that ends with an error once its stdin closed says why only
      // when something went wrong (e.g. it never got to the engine).
      if (!StderrTail(child.stderr_fd).empty()) {
        RecordFailure(child, wait_status);
      }
    } else {
      ::kill(child.pid, SIGTERM);
      if (!WaitFor(child.pid, absl::Seconds(1), &wait_status)) {
        ::kill(child.pid, SIGKILL);
        while (::waitpid(child.pid, &wait_status, 0) < 0 && errno == EINTR) {
        }
      }
    }
  }
  if (child.stderr_fd >= 0) ::close(child.stderr_fd);
}

void SshDialer::Close(int fd, absl::Duration grace) {
  auto found = std::find_if(children_.begin(), children_.end(),
                            [fd](const Child& c) { return c.fd == fd; });
  if (found == children_.end()) {
    if (fd >= 0) ::close(fd);
    return;
  }
  Child child = *found;
  children_.erase(found);
  Finish(child, grace);
}

absl::Status SshDialer::LastFailure(absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  while (last_failure_.ok()) {
    bool any_running = false;
    for (Child& child : children_) any_running |= !Reaped(child);
    if (!last_failure_.ok() || !any_running || absl::Now() >= deadline) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return std::exchange(last_failure_, absl::OkStatus());
}

}  // namespace dgc
