// Tests of the ssh command line and of the ssh processes' lives: each test
// puts a fake `ssh` (a shell script) first in PATH and checks that every
// process it started is reaped.
#include "engine/ssh_dialer.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

SshAddress Address(std::string host, std::string user = "",
                   std::string port = "", std::string path = "") {
  SshAddress address;
  address.host = std::move(host);
  address.user = std::move(user);
  address.port = std::move(port);
  address.path = std::move(path);
  return address;
}

TEST(SshArgumentsTest, TheDockerClisCommandLine) {
  // As docker 28 runs it (checked with a fake ssh printing its arguments).
  EXPECT_THAT(SshArguments(Address("host", "me", "2222", "/some/path")),
              ElementsAre("ssh", "-o", "ConnectTimeout=30", "-T", "-l", "me",
                          "-p", "2222", "--", "host", "docker", "--host",
                          "unix:///some/path", "system", "dial-stdio"));
  EXPECT_THAT(SshArguments(Address("h")),
              ElementsAre("ssh", "-o", "ConnectTimeout=30", "-T", "--", "h",
                          "docker", "system", "dial-stdio"));
}

TEST(SshArgumentsTest, QuotesAPathForTheRemoteShell) {
  std::vector<std::string> arguments =
      SshArguments(Address("h", "", "", "/tmp/a b/it's;x"));
  EXPECT_EQ(arguments[8], "'unix:///tmp/a b/it'\\''s;x'");
}

// Puts a fake `ssh` running `script` first in PATH for one test.
class SshDialerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("dgc-ssh-dialer-test-" + std::to_string(::getpid()));
    fs::create_directories(directory_);
    saved_path_ = std::getenv("PATH") ? std::getenv("PATH") : "";
  }
  void TearDown() override {
    ::setenv("PATH", saved_path_.c_str(), 1);
    fs::remove_all(directory_);
    // Nothing left unreaped.
    errno = 0;
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
  }

  void FakeSsh(const std::string& script) {
    const fs::path path = directory_ / "ssh";
    std::ofstream(path) << "#!/bin/sh\n" << script << "\n";
    fs::permissions(path, fs::perms::owner_all);
    ::setenv("PATH", (directory_.string() + ":" + saved_path_).c_str(), 1);
  }

  // Opens, connects and starts one connection as libcurl does; returns the
  // caller's socket, or -1 after a test failure.
  static int Dial(SshDialer& dialer) {
    absl::StatusOr<int> opened = dialer.Open();
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return -1;
    const int fd = *opened;
    std::optional<std::string> path = dialer.PathOf(fd);
    if (!path.has_value()) return -1;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s",
                  path->c_str());
    EXPECT_EQ(
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
        0)
        << std::strerror(errno);
    absl::Status started = dialer.StartConnected();
    EXPECT_TRUE(started.ok()) << started;
    EXPECT_FALSE(dialer.PathOf(fd).has_value());  // accepted
    EXPECT_FALSE(fs::exists(*path));              // and removed
    return fd;
  }

  // Reads from `fd` until end of file (or 5 s).
  static std::string ReadAll(int fd) {
    std::string text;
    char buffer[256];
    pollfd entry{};
    entry.fd = fd;
    entry.events = POLLIN;
    while (::poll(&entry, 1, 5000) == 1) {
      const ssize_t got = ::read(fd, buffer, sizeof(buffer));
      if (got <= 0) break;
      text.append(buffer, static_cast<size_t>(got));
    }
    return text;
  }

  fs::path directory_;
  std::string saved_path_;
};

TEST_F(SshDialerTest, CarriesBytesBothWaysAndReapsTheProcess) {
  // Echoes its arguments, then stdin to stdout.
  FakeSsh("echo \"$*\"; exec cat");
  SshDialer dialer(Address("h", "me", "22"));
  const int fd = Dial(dialer);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(dialer.open_connections(), 1u);
  ASSERT_EQ(::write(fd, "GET /_ping\n", 11), 11);
  ::shutdown(fd, SHUT_WR);
  EXPECT_EQ(ReadAll(fd),
            "-o ConnectTimeout=30 -T -l me -p 22 -- h docker system "
            "dial-stdio\nGET /_ping\n");
  dialer.Close(fd);
  EXPECT_EQ(dialer.open_connections(), 0u);
  EXPECT_TRUE(dialer.LastFailure().ok());
}

TEST_F(SshDialerTest, KeepsSshsOwnWordsWhenItFails) {
  FakeSsh(
      "echo 'Warning: Permanently added x' >&2\n"
      "echo 'me@h: Permission denied (publickey).' >&2\nexit 255");
  SshDialer dialer(Address("h", "me"));
  const int fd = Dial(dialer);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadAll(fd), "");  // ended: end of file
  const absl::Status status = dialer.LastFailure(absl::Seconds(5));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  const std::string failure(status.message());
  EXPECT_THAT(failure, StartsWith("\"ssh -o ConnectTimeout=30 -T -l me -- h "
                                  "docker system dial-stdio\" exited with "
                                  "status 255: "));
  EXPECT_THAT(failure, HasSubstr("Permission denied (publickey)."));
  EXPECT_TRUE(dialer.LastFailure().ok());  // told once
  dialer.Close(fd);
}

TEST_F(SshDialerTest, FailureSeenWhenTheSocketCloses) {
  FakeSsh("echo 'sh: 1: docker: not found' >&2; exit 127");
  SshDialer dialer(Address("h"));
  const int fd = Dial(dialer);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadAll(fd), "");
  dialer.Close(fd);
  const absl::Status status = dialer.LastFailure();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  const std::string failure(status.message());
  EXPECT_THAT(failure, HasSubstr("status 127: sh: 1: docker: not found"));
  EXPECT_THAT(failure, HasSubstr("is docker 18.09 or later installed"));
}

TEST_F(SshDialerTest, ADroppedConnectionMayPass) {
  FakeSsh(
      "echo 'kex_exchange_identification: Connection closed by remote host' "
      ">&2; exit 255");
  SshDialer dialer(Address("h"));
  const int fd = Dial(dialer);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadAll(fd), "");
  dialer.Close(fd);
  EXPECT_EQ(dialer.LastFailure().code(), absl::StatusCode::kUnavailable);
}

TEST_F(SshDialerTest, KillsAProcessThatWillNotEnd) {
  // Ignores SIGTERM and the end of its stdin.
  FakeSsh("trap '' TERM\nwhile :; do sleep 0.05; done");
  SshDialer dialer(Address("h"));
  const int fd = Dial(dialer);
  ASSERT_GE(fd, 0);
  const absl::Time start = absl::Now();
  dialer.Close(fd, absl::Milliseconds(50));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_TRUE(dialer.LastFailure(absl::ZeroDuration()).ok());  // we killed it
}

TEST_F(SshDialerTest, PathsKeepTheTemplatesLength) {
  SshDialer dialer(Address("h"));
  absl::StatusOr<std::string> path_template = dialer.PathTemplate();
  ASSERT_TRUE(path_template.ok()) << path_template.status();
  EXPECT_FALSE(fs::exists(*path_template));
  const fs::path directory = fs::path(*path_template).parent_path();
  EXPECT_EQ(fs::status(directory).permissions(), fs::perms::owner_all);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<int> fd = dialer.Open();
    ASSERT_TRUE(fd.ok()) << fd.status();
    EXPECT_EQ(dialer.PathOf(*fd)->size(), path_template->size());
    EXPECT_TRUE(fs::exists(*dialer.PathOf(*fd)));
    dialer.Close(*fd);  // never connected: nothing to reap
  }
  EXPECT_TRUE(fs::is_empty(directory));
}

TEST_F(SshDialerTest, DestructorEndsEveryProcessAndRemovesItsDirectory) {
  FakeSsh("exec cat");
  fs::path directory;
  {
    SshDialer dialer(Address("h"));
    for (int i = 0; i < 3; ++i) ASSERT_GE(Dial(dialer), 0);
    EXPECT_EQ(dialer.open_connections(), 3u);
    directory = fs::path(*dialer.PathTemplate()).parent_path();
  }  // TearDown checks that all three were reaped
  EXPECT_FALSE(fs::exists(directory));
}

TEST_F(SshDialerTest, NoSshInPath) {
  ::setenv("PATH", directory_.c_str(), 1);  // an empty directory
  SshDialer dialer(Address("h"));
  absl::StatusOr<int> fd = dialer.Open();
  ASSERT_TRUE(fd.ok()) << fd.status();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s",
                dialer.PathOf(*fd)->c_str());
  ASSERT_EQ(
      ::connect(*fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
      0);
  absl::Status started = dialer.StartConnected();
  EXPECT_EQ(started.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(started.message()),
              HasSubstr("cannot start ssh: No such file or directory"));
  dialer.Close(*fd);
  EXPECT_EQ(dialer.open_connections(), 0u);
}

}  // namespace
}  // namespace dgc
