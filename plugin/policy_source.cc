// Finding and reading the policy (see policy_source.h).
#include "plugin/policy_source.h"

#include <unistd.h>

#include <string>

#include "plugin/files.h"

namespace dgc {
namespace {

constexpr char kSystemPolicy[] = "/etc/docker/gc.json";

bool Exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

}  // namespace

absl::StatusOr<Policy> ReadPolicyFile(std::string_view path) {
  absl::StatusOr<PaddedBody> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParsePolicy(*text, path);
}

absl::StatusOr<Policy> LoadPolicy(const Invocation& invocation,
                                  std::string_view policy_flag) {
  if (!policy_flag.empty()) return ReadPolicyFile(policy_flag);
  absl::StatusOr<std::string> config_dir =
      ConfigDirectory(invocation.global.connection, invocation.env);
  if (config_dir.ok()) {
    std::string user_policy = *config_dir + "/gc.json";
    if (Exists(user_policy)) return ReadPolicyFile(user_policy);
  }
  if (Exists(kSystemPolicy)) return ReadPolicyFile(kSystemPolicy);
  return DefaultPolicy();
}

}  // namespace dgc
