// Tests of RunFleet (engine/fleet.h) with probes and runs made up in the
// test: engines keep the targets' order, two contexts of one engine ID are
// handled once with a note, an unresolved or unreachable engine is an
// error entry while the others run, at most `parallelism` run at once, a
// mixed image store is noted, and the exit code is the worst.
#include "engine/fleet.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

FleetTarget Target(std::string context, std::string host) {
  Endpoint endpoint;
  endpoint.host = std::move(host);
  endpoint.context = context;
  return {std::move(context), endpoint};
}

// A probe over a table of host -> /info ID (missing: an unreachable
// host); an ID "ID@ROOT" gives the data root too.
FleetProbe ProbeOf(std::map<std::string, std::string> ids,
                   std::string containerd_host = "") {
  return [ids, containerd_host](
             const Endpoint& endpoint) -> absl::StatusOr<EngineIdentity> {
    auto it = ids.find(endpoint.host);
    if (it == ids.end()) {
      return absl::UnavailableError("cannot connect to " + endpoint.host);
    }
    EngineIdentity identity;
    identity.id = it->second.substr(0, it->second.find('@'));
    if (it->second.find('@') != std::string::npos) {
      identity.docker_root_dir = it->second.substr(it->second.find('@') + 1);
    }
    identity.name = "host";
    identity.containerd_store = endpoint.host == containerd_host;
    return identity;
  };
}

FleetEngineOutput Done(const FleetTarget& target, int code = 0) {
  FleetEngineOutput output;
  output.exit_code = code;
  output.document = "{\"schema\": \"dgc.plan/v1\", \"host\": \"" +
                    target.endpoint->host + "\"}";
  return output;
}

TEST(FleetTest, DuplicatesAreHandledOnceWithANote) {
  std::vector<FleetTarget> targets = {Target("a", "unix:///a"),
                                      Target("b", "unix:///b"),
                                      Target("a-again", "tcp://a:2375")};
  std::atomic<int> runs{0};
  FleetRun fleet = RunFleet(targets,
                            ProbeOf({{"unix:///a", "ID-A"},
                                     {"unix:///b", "ID-B"},
                                     {"tcp://a:2375", "ID-A"}}),
                            [&](const FleetTarget& target) {
                              ++runs;
                              return Done(target);
                            });
  EXPECT_EQ(runs, 2);
  ASSERT_EQ(fleet.entries.size(), 2u);
  EXPECT_EQ(fleet.entries[0].context, "a");
  EXPECT_EQ(fleet.entries[1].context, "b");
  EXPECT_THAT(fleet.entries[1].document, HasSubstr("unix:///b"));
  ASSERT_EQ(fleet.duplicates.size(), 1u);
  EXPECT_EQ(fleet.duplicates[0].context, "a-again");
  EXPECT_EQ(fleet.duplicates[0].same_engine_as, "a");
  ASSERT_EQ(fleet.notes.size(), 1u);
  EXPECT_THAT(fleet.notes[0], HasSubstr("handled once"));
  EXPECT_EQ(fleet.exit_code, 0);
}

TEST(FleetTest, SameIdWithAnotherDataRootIsAnotherEngine) {
  // Engines sharing a key.json share their ID (two dockerds on one host).
  std::vector<FleetTarget> targets = {Target("a", "unix:///a"),
                                      Target("b", "unix:///b"),
                                      Target("c", "unix:///c")};
  FleetRun fleet =
      RunFleet(targets,
               ProbeOf({{"unix:///a", "K@/var/lib/a"},
                        {"unix:///b", "K@/var/lib/b"},
                        {"unix:///c", ""}}),
               [](const FleetTarget& target) { return Done(target); });
  EXPECT_EQ(fleet.entries.size(), 3u);
  EXPECT_TRUE(fleet.duplicates.empty());
}

TEST(FleetTest, FailedEnginesDoNotStopTheOthers) {
  std::vector<FleetTarget> targets = {
      {"gone", absl::NotFoundError("context \"gone\": not found")},
      Target("down", "unix:///down"),
      Target("up", "unix:///up")};
  std::vector<std::string> ran;
  FleetRun fleet = RunFleet(
      targets, ProbeOf({{"unix:///up", "ID-UP"}}),
      [&](const FleetTarget& target) {
        ran.push_back(target.context);
        return Done(target, 3);
      },
      1);
  EXPECT_THAT(ran, ElementsAre("up"));
  ASSERT_EQ(fleet.entries.size(), 3u);
  EXPECT_EQ(fleet.entries[0].error.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(fleet.entries[0].host, "");
  EXPECT_EQ(fleet.entries[1].error.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fleet.entries[1].host, "unix:///down");
  EXPECT_TRUE(fleet.entries[2].error.ok());
  EXPECT_EQ(fleet.outputs[2].exit_code, 3);
  EXPECT_EQ(fleet.exit_code, 1);
}

TEST(FleetTest, RunErrorIsTheEnginesEntry) {
  std::vector<FleetTarget> targets = {Target("a", "unix:///a")};
  FleetRun fleet =
      RunFleet(targets, ProbeOf({{"unix:///a", "A"}}), [](const FleetTarget&) {
        FleetEngineOutput output;
        output.error = absl::InternalError("HTTP 500");
        return output;
      });
  ASSERT_EQ(fleet.entries.size(), 1u);
  EXPECT_EQ(fleet.entries[0].error.message(), "HTTP 500");
  EXPECT_EQ(fleet.exit_code, 1);
}

TEST(FleetTest, AtMostParallelismRunAtOnce) {
  std::vector<FleetTarget> targets;
  std::map<std::string, std::string> ids;
  for (int i = 0; i < 7; ++i) {
    std::string host = "unix:///e" + std::to_string(i);
    targets.push_back(Target("e" + std::to_string(i), host));
    ids[host] = "ID" + std::to_string(i);
  }
  std::atomic<int> running{0}, most{0};
  FleetRun fleet = RunFleet(
      targets, ProbeOf(ids),
      [&](const FleetTarget& target) {
        int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        --running;
        return Done(target);
      },
      3);
  EXPECT_EQ(fleet.entries.size(), 7u);
  EXPECT_LE(most.load(), 3);
  EXPECT_GE(most.load(), 2);
  for (size_t i = 0; i < fleet.entries.size(); ++i) {
    EXPECT_EQ(fleet.entries[i].context, "e" + std::to_string(i));
  }
}

TEST(FleetTest, MixedImageStoresAreNoted) {
  std::vector<FleetTarget> targets = {Target("c", "unix:///c"),
                                      Target("g", "unix:///g")};
  FleetRun fleet = RunFleet(
      targets, ProbeOf({{"unix:///c", "C"}, {"unix:///g", "G"}}, "unix:///c"),
      [](const FleetTarget& target) { return Done(target); });
  ASSERT_EQ(fleet.notes.size(), 1u);
  EXPECT_THAT(fleet.notes[0], HasSubstr("c uses the containerd image store"));
}

TEST(FleetTest, ResolveKeepsEachNameOnceAndItsError) {
  GlobalOptions options;
  options.host = "unix:///ignored.sock";
  EnvironmentLookup env =
      [](std::string_view name) -> std::optional<std::string> {
    if (name == "DOCKER_CONFIG") return "/nonexistent-dgc-config";
    if (name == "DOCKER_HOST") return "unix:///default.sock";
    return std::nullopt;
  };
  std::vector<FleetTarget> targets =
      ResolveFleetTargets(options, {"default", "nope", "default"}, env);
  ASSERT_EQ(targets.size(), 2u);
  ASSERT_TRUE(targets[0].endpoint.ok()) << targets[0].endpoint.status();
  EXPECT_EQ(targets[0].endpoint->host, "unix:///default.sock");
  EXPECT_EQ(targets[1].endpoint.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace dgc
