// ssh:// endpoints: the ssh processes that carry HTTP to the engine, as
// the docker CLI runs them (its connhelper): `ssh -o ConnectTimeout=30 -T [-l
// user] [-p port] -- host docker [--host unix://path] system dial-stdio`, with
// `ssh` found in PATH, so the user's own ssh configuration (keys, known hosts,
// jump hosts, ControlMaster) applies.
//
// Each connection is one ssh process whose stdin and stdout are one end of
// a unix socket connection; the caller speaks HTTP on the other end. ssh's
// stderr goes to an in-memory file, so that its own words ("Permission denied
// (publickey)", "Host key verification failed.", "docker: command not
// found") can be shown when a connection fails.
//
// Example:
//   absl::StatusOr<dgc::SshAddress> address =
//       dgc::ParseSshHost("ssh://me@build-host:2222");
//   dgc::SshDialer dialer(*address);
//   absl::StatusOr<int> fd = dialer.Open();
//   connect(*fd, <sockaddr_un of *dialer.PathOf(*fd)>);
//   dialer.StartConnected();    // then write a request, read the answer
//   dialer.Close(*fd);          // reaps the ssh process
#ifndef DGC_ENGINE_SSH_DIALER_H_
#define DGC_ENGINE_SSH_DIALER_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/endpoint.h"

namespace dgc {

// SshArguments returns the argv (argv[0] is "ssh") that connects to the
// engine at `address`: the docker CLI's command line. A path is passed to
// the far side's shell quoted.
std::vector<std::string> SshArguments(const SshAddress& address);

// Starts and reaps ssh processes for one address. Not thread-safe: use it
// from the thread that owns the connections. No process it started is left
// running or unreaped once the dialer is destroyed.
//
// A connection is made in three steps, so that a caller such as libcurl
// can connect() the socket itself (libcurl 7.88 ignores
// CURL_SOCKOPT_ALREADY_CONNECTED and connects every socket it is given):
// Open returns a new unix socket, PathOf the path of a listener of its own
// (in a private directory) to connect it to, and StartConnected, once it
// is connected, runs ssh on the accepted end.
class SshDialer {
 public:
  explicit SshDialer(SshAddress address);
  // Closes every connection still open (see Close) and removes the private
  // directory.
  ~SshDialer();
  SshDialer(const SshDialer&) = delete;
  SshDialer& operator=(const SshDialer&) = delete;

  // PathTemplate makes the private directory (0700, under $TMPDIR or
  // /tmp) on first use and returns a path as long as every path PathOf
  // gives (never one that exists). Errors: FailedPrecondition.
  absl::StatusOr<std::string> PathTemplate();

  // Open makes one connection's socket (unconnected, close-on-exec) and
  // its listener; the caller connects the socket to PathOf(fd), calls
  // StartConnected, and gives the socket back to Close. Errors:
  // FailedPrecondition, naming the command.
  absl::StatusOr<int> Open();

  // PathOf returns the listener path of a socket Open made and nothing has
  // been accepted from yet; nullopt for any other descriptor.
  std::optional<std::string> PathOf(int fd) const;

  // StartConnected starts one ssh process for each opened socket that is
  // now connected: its stdin and stdout are the accepted end, its stderr an
  // in-memory file, and it runs in its own session (a Ctrl-C on the
  // terminal does not cut a request in flight), as the docker CLI runs it.
  // Errors: Unavailable when ssh cannot be started (e.g. no `ssh` in
  // PATH) or a connection came from another process, naming the command.
  absl::Status StartConnected();

  // Close closes `fd` (from Open; any other descriptor is closed and
  // otherwise ignored) and reaps its ssh process: ssh normally ends as soon
  // as its stdin closes; one still running after `grace` gets SIGTERM, then
  // SIGKILL. When the process had failed (a non-zero exit or a signal we
  // did not send) its message is kept for LastFailure.
  void Close(int fd, absl::Duration grace = absl::Seconds(1));

  // LastFailure describes the most recent ssh process that failed,
  // checking open connections whose process has meanwhile ended after
  // waiting up to `wait` for one to end, then forgets it; OK when none has
  // failed. The message quotes the command and the last lines of ssh's
  // stderr: "\"ssh … dial-stdio\" exited with status 255: Permission
  // denied (publickey).". Unavailable when the way to the host failed in a
  // way that may pass (refused, reset, closed or timed out, as sshd drops
  // bursts), else FailedPrecondition (authentication, host keys, an unknown
  // host, no docker on the far side).
  absl::Status LastFailure(absl::Duration wait = absl::Milliseconds(500));

  // The command line it runs, for messages: "ssh -o ConnectTimeout=30 …".
  std::string CommandLine() const;

  // The number of connections Open made and Close has not closed.
  size_t open_connections() const { return children_.size(); }

 private:
  struct Child {
    int fd = -1;         // the caller's socket
    int listener = -1;   // until its connection is accepted
    std::string path;    // the listener's path
    pid_t pid = -1;      // the ssh process; -1 before it starts or once reaped
    int stderr_fd = -1;  // an in-memory file holding its stderr
  };
  absl::Status Failure(std::string_view what, int error) const;
  std::string ListenerPath(uint32_t number) const;
  // Start runs ssh for `child` on `stream` (which the caller closes).
  absl::Status Start(Child& child, int stream);
  // Reaped reaps `child` (waitpid) if it has ended, recording a failure;
  // returns whether it is not running.
  bool Reaped(Child& child);
  // Finish closes the child's sockets and stderr file and reaps it (see
  // Close).
  void Finish(Child& child, absl::Duration grace);
  void RecordFailure(const Child& child, int wait_status);

  std::vector<std::string> arguments_;
  std::string directory_;  // private, made on first use
  uint32_t opened_ = 0;    // sockets opened so far, to name listeners
  std::vector<Child> children_;
  absl::Status last_failure_;
};

}  // namespace dgc

#endif  // DGC_ENGINE_SSH_DIALER_H_
